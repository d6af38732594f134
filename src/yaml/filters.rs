//! Ansible's common filters, with Ansible's semantics where they differ
//! from minijinja's built-ins (`bool`, `int`), and Python's output formats
//! (`to_json` writes what `json.dumps` writes). A filter missing here is
//! minijinja's "unknown filter" error, which [`super::template`] turns
//! into a message naming it.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("bool", to_bool);
    env.add_filter("int", to_int);
    env.add_filter("regex_replace", regex_replace);
    env.add_filter("regex_search", regex_search);
    env.add_filter("regex_findall", regex_findall);
    env.add_filter("regex_escape", |s: String| {
        fancy_regex::escape(&s).into_owned()
    });
    env.add_filter("to_json", |v: Value| -> Result<String, Error> {
        Ok(py_json(&json_of(&v)?, None))
    });
    env.add_filter(
        "to_nice_json",
        |v: Value, kw: Kwargs| -> Result<String, Error> {
            let indent: Option<usize> = kw.get("indent")?;
            kw.assert_all_used()?;
            Ok(py_json(&sorted(json_of(&v)?), Some(indent.unwrap_or(4))))
        },
    );
    env.add_filter("from_json", |s: String| -> Result<Value, Error> {
        let v: serde_json::Value = serde_json::from_str(&s).map_err(invalid)?;
        Ok(super::scope::to_value(&v))
    });
    // YAML 1.1, as Ansible's PyYAML reads it (`yes` is true).
    env.add_filter("from_yaml", |s: String| -> Result<Value, Error> {
        let v = super::inventory::parse_yaml11(&s).map_err(invalid)?;
        Ok(super::scope::to_value(&v))
    });
    env.add_filter("to_yaml", |v: Value| -> Result<String, Error> {
        serde_yaml_ng::to_string(&json_of(&v)?).map_err(invalid)
    });
    env.add_filter("basename", |s: String| {
        s.rsplit('/').next().unwrap_or("").to_string()
    });
    env.add_filter("dirname", |s: String| {
        crate::python::path::dirname(&s).to_string()
    });
    env.add_filter("quote", |s: String| shell_quote(&s));
    env.add_filter("combine", combine);
    env.add_filter("dict2items", dict2items);
    env.add_filter("items2dict", items2dict);
    env.add_filter("flatten", flatten);
    env.add_filter(
        "ternary",
        |v: Value, t: Value, f: Value| if v.is_true() { t } else { f },
    );
    env.add_filter("mandatory", |v: Value| -> Result<Value, Error> {
        if v.is_undefined() {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "mandatory variable not defined",
            ));
        }
        Ok(v)
    });
    env.add_filter("type_debug", |v: Value| py_type(&v));
    env.add_filter("extract", extract);
}

/// `extract`: `container[item]`, then each of `morekeys` (one key or a
/// list), as in `groups['db'] | map('extract', hostvars, 'port')`.
fn extract(item: Value, container: Value, morekeys: Option<Value>) -> Result<Value, Error> {
    let keys: Vec<Value> = match morekeys {
        None => Vec::new(),
        Some(k) if k.kind() == ValueKind::Seq => k.try_iter()?.collect(),
        Some(k) => vec![k],
    };
    let mut value = container.get_item(&item)?;
    for key in &keys {
        value = value.get_item(key)?;
    }
    Ok(value)
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidOperation, e.to_string())
}

/// Ansible's `bool`: `yes`, `on`, `1`, `true` (any case) and 1 are true.
fn to_bool(v: Value) -> bool {
    match v.kind() {
        ValueKind::Bool => v.is_true(),
        ValueKind::Number => i64::try_from(v).is_ok_and(|n| n == 1),
        ValueKind::String => {
            let s = v.as_str().unwrap_or("").trim().to_lowercase();
            matches!(s.as_str(), "yes" | "on" | "1" | "true" | "y" | "t")
        }
        _ => false,
    }
}

/// Jinja's `int` as Ansible has it: a string that is no number is the
/// default (0), a float is truncated.
fn to_int(v: Value, default: Option<i64>, base: Option<u32>) -> Value {
    let default = default.unwrap_or(0);
    let text = match v.kind() {
        ValueKind::Bool => return Value::from(i64::from(v.is_true())),
        ValueKind::Number => {
            if let Ok(i) = i64::try_from(v.clone()) {
                return Value::from(i);
            }
            v.to_string()
        }
        ValueKind::String => v.as_str().unwrap_or("").trim().replace('_', ""),
        _ => return Value::from(default),
    };
    let radix = base.unwrap_or(10);
    if let Ok(i) = i64::from_str_radix(&text, radix) {
        return Value::from(i);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && radix == 10 => Value::from(f.trunc() as i64),
        _ => Value::from(default),
    }
}

/// Python `re` flags as an inline prefix.
fn compile(pattern: &str, kw: &Kwargs) -> Result<fancy_regex::Regex, Error> {
    let icase: Option<bool> = kw.get("ignorecase")?;
    let multi: Option<bool> = kw.get("multiline")?;
    let mut flags = String::new();
    if icase == Some(true) {
        flags.push('i');
    }
    if multi == Some(true) {
        flags.push('m');
    }
    let full = if flags.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{flags}){pattern}")
    };
    fancy_regex::Regex::new(&full).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("regular expression {pattern:?}: {e}"),
        )
    })
}

/// Python's `\1`, `\g<1>`, `\g<name>` in a replacement, as `${…}`.
fn replacement(py: &str) -> String {
    let mut out = String::new();
    let mut chars = py.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    let mut n = String::new();
                    while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                        n.push(d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{n}}}"));
                }
                Some('g') => {
                    chars.next();
                    let name: String = chars.by_ref().skip(1).take_while(|&c| c != '>').collect();
                    out.push_str(&format!("${{{name}}}"));
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

fn regex_replace(
    value: String,
    pattern: String,
    repl: Option<String>,
    kw: Kwargs,
) -> Result<String, Error> {
    let count: Option<usize> = kw.get("count")?;
    let re = compile(&pattern, &kw)?;
    kw.assert_all_used()?;
    let rep = replacement(&repl.unwrap_or_default());
    let out = re
        .try_replacen(&value, count.unwrap_or(0), rep.as_str())
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(out.into_owned())
}

/// The match, or with `'\\1'`/`'\\g<name>'` arguments the list of those
/// groups; no match is `None`.
fn regex_search(
    value: String,
    pattern: String,
    args: minijinja::value::Rest<String>,
    kw: Kwargs,
) -> Result<Value, Error> {
    let re = compile(&pattern, &kw)?;
    kw.assert_all_used()?;
    let caps = re.captures(&value).map_err(invalid)?;
    let Some(caps) = caps else {
        return Ok(Value::from(()));
    };
    if args.is_empty() {
        return Ok(Value::from(caps.get(0).map_or("", |m| m.as_str())));
    }
    let mut groups = Vec::new();
    for a in args.iter() {
        let g = a.trim_start_matches('\\');
        let m = if let Some(name) = g.strip_prefix("g<").and_then(|n| n.strip_suffix('>')) {
            caps.name(name)
        } else {
            g.parse::<usize>().ok().and_then(|i| caps.get(i))
        };
        groups.push(Value::from(m.map(|m| m.as_str().to_string())));
    }
    Ok(Value::from(groups))
}

fn regex_findall(value: String, pattern: String, kw: Kwargs) -> Result<Value, Error> {
    let re = compile(&pattern, &kw)?;
    kw.assert_all_used()?;
    let mut out = Vec::new();
    for caps in re.captures_iter(&value) {
        let caps = caps.map_err(invalid)?;
        let item = match caps.len() {
            1 => Value::from(caps.get(0).map_or("", |m| m.as_str())),
            2 => Value::from(caps.get(1).map_or("", |m| m.as_str())),
            n => Value::from(
                (1..n)
                    .map(|i| caps.get(i).map_or("", |m| m.as_str()).to_string())
                    .collect::<Vec<_>>(),
            ),
        };
        out.push(item);
    }
    Ok(Value::from(out))
}

/// `shlex.quote`.
fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

fn pairs(v: &Value) -> Result<Vec<(Value, Value)>, Error> {
    if v.kind() != ValueKind::Map {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "expected a mapping",
        ));
    }
    v.try_iter()?
        .map(|k| Ok((k.clone(), v.get_item(&k)?)))
        .collect()
}

/// `combine` (later mappings win; `recursive=true` merges nested ones).
fn combine(base: Value, others: minijinja::value::Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let recursive: Option<bool> = kw.get("recursive")?;
    kw.assert_all_used()?;
    let mut out = pairs(&base)?;
    for o in others.iter() {
        merge(&mut out, pairs(o)?, recursive.unwrap_or(false))?;
    }
    Ok(Value::from_pairs(out))
}

fn merge(
    into: &mut Vec<(Value, Value)>,
    from: Vec<(Value, Value)>,
    recursive: bool,
) -> Result<(), Error> {
    for (k, v) in from {
        match into.iter_mut().find(|(x, _)| *x == k) {
            Some(slot)
                if recursive && slot.1.kind() == ValueKind::Map && v.kind() == ValueKind::Map =>
            {
                let mut inner = pairs(&slot.1)?;
                merge(&mut inner, pairs(&v)?, true)?;
                slot.1 = Value::from_pairs(inner);
            }
            Some(slot) => slot.1 = v,
            None => into.push((k, v)),
        }
    }
    Ok(())
}

fn dict2items(v: Value) -> Result<Value, Error> {
    Ok(Value::from(
        pairs(&v)?
            .into_iter()
            .map(|(k, v)| Value::from_pairs([("key", k), ("value", v)]))
            .collect::<Vec<_>>(),
    ))
}

fn items2dict(v: Value) -> Result<Value, Error> {
    let mut out = Vec::new();
    for item in v.try_iter()? {
        out.push((item.get_attr("key")?, item.get_attr("value")?));
    }
    Ok(Value::from_pairs(out))
}

fn flatten(v: Value, levels: Option<usize>) -> Result<Value, Error> {
    fn go(v: &Value, depth: Option<usize>, out: &mut Vec<Value>) -> Result<(), Error> {
        for item in v.try_iter()? {
            if item.kind() == ValueKind::Seq && depth != Some(0) {
                go(&item, depth.map(|d| d - 1), out)?;
            } else if !item.is_none() {
                out.push(item);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    go(&v, levels, &mut out)?;
    Ok(Value::from(out))
}

fn py_type(v: &Value) -> &'static str {
    match v.kind() {
        ValueKind::Bool => "bool",
        ValueKind::Number if i64::try_from(v.clone()).is_ok() => "int",
        ValueKind::Number => "float",
        ValueKind::String => "str",
        ValueKind::Seq => "list",
        ValueKind::Map => "dict",
        ValueKind::None => "NoneType",
        _ => "Undefined",
    }
}

/// A template value as JSON; undefined is an error.
pub fn json_of(v: &Value) -> Result<serde_json::Value, Error> {
    Ok(match v.kind() {
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "an undefined value has no JSON form",
            ));
        }
        ValueKind::None => serde_json::Value::Null,
        ValueKind::Bool => serde_json::Value::Bool(v.is_true()),
        // A float stays one, printed as Python prints it (`1000.0`).
        ValueKind::Number => match i64::try_from(v.clone()) {
            Ok(i) if v.is_integer() => i.into(),
            _ => {
                let f = f64::try_from(v.clone())?;
                let repr = crate::yaml::inventory::python_float_repr(f);
                serde_json::from_str(&repr).unwrap_or(serde_json::Value::Null)
            }
        },
        ValueKind::String | ValueKind::Bytes => serde_json::Value::String(v.to_string()),
        ValueKind::Seq | ValueKind::Iterable => serde_json::Value::Array(
            v.try_iter()?
                .map(|x| json_of(&x))
                .collect::<Result<_, _>>()?,
        ),
        ValueKind::Map => {
            let mut m = serde_json::Map::new();
            for (k, x) in pairs(v)? {
                m.insert(k.to_string(), json_of(&x)?);
            }
            serde_json::Value::Object(m)
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("{v} has no JSON form"),
            ));
        }
    })
}

fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut entries: Vec<_> = m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().collect())
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

/// Python's `json.dumps` (`ensure_ascii`, `", "`/`": "` separators, or
/// `","` with an indent).
pub fn py_json(v: &serde_json::Value, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_json(v, indent, 0, &mut out);
    out
}

fn write_json(v: &serde_json::Value, indent: Option<usize>, level: usize, out: &mut String) {
    let (open_sep, item_sep, close_sep) = match indent {
        None => (String::new(), ", ".to_string(), String::new()),
        Some(n) => (
            format!("\n{}", " ".repeat(n * (level + 1))),
            format!(",\n{}", " ".repeat(n * (level + 1))),
            format!("\n{}", " ".repeat(n * level)),
        ),
    };
    match v {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => out.push_str(&py_number(n)),
        serde_json::Value::String(s) => push_json_string(s, out),
        serde_json::Value::Array(a) if a.is_empty() => out.push_str("[]"),
        serde_json::Value::Object(m) if m.is_empty() => out.push_str("{}"),
        serde_json::Value::Array(a) => {
            out.push('[');
            out.push_str(&open_sep);
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(&item_sep);
                }
                write_json(x, indent, level + 1, out);
            }
            out.push_str(&close_sep);
            out.push(']');
        }
        serde_json::Value::Object(m) => {
            out.push('{');
            out.push_str(&open_sep);
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(&item_sep);
                }
                push_json_string(k, out);
                out.push_str(": ");
                write_json(x, indent, level + 1, out);
            }
            out.push_str(&close_sep);
            out.push('}');
        }
    }
}

fn py_number(n: &serde_json::Number) -> String {
    if n.as_i64().is_some() || n.as_u64().is_some() {
        return n.to_string();
    }
    let Some(f) = n.as_f64() else {
        return n.to_string();
    };
    let s = format!("{f:?}");
    // Python writes exponents with a sign and two digits (1e+16, 1e-05).
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn push_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> String {
        let env = crate::yaml::jinja::environment();
        env.render_str(src, minijinja::context! { xs => vec!["a", "b"], n => "08", m => Value::from_pairs([("k", 1)]) })
            .unwrap()
    }

    #[test]
    fn ansible_semantics() {
        assert_eq!(
            render("{{ 'yes' | bool }} {{ 'off' | bool }}"),
            "True False"
        );
        assert_eq!(
            render("{{ n | int + 1 }} {{ 'x' | int }} {{ '2.7' | int }}"),
            "9 0 2"
        );
        assert_eq!(
            render(
                "{{ 'web01.example' | regex_replace('^(\\\\w+?)(\\\\d+)\\\\..*$', '\\\\2-\\\\1') }}"
            ),
            "01-web"
        );
        assert_eq!(render("{{ 'a1b22' | regex_search('\\\\d+') }}"), "1");
        assert_eq!(
            render("{{ 'a1b22' | regex_findall('\\\\d+') | join(',') }}"),
            "1,22"
        );
        assert_eq!(
            render("{{ ('a: yes\nb: 0755\nc: [1.0, 1e3]' | from_yaml) | to_json }}"),
            "{\"a\": true, \"b\": 493, \"c\": [1.0, \"1e3\"]}"
        );
        assert_eq!(
            render("{{ xs | to_json }} {{ m | to_json }} {{ 'é' | to_json }}"),
            "[\"a\", \"b\"] {\"k\": 1} \"\\u00e9\""
        );
        assert_eq!(
            render("{{ '/a/b.c' | basename }} {{ '/a/b.c' | dirname }}"),
            "b.c /a"
        );
        assert_eq!(
            render("{{ \"it's\" | quote }} {{ 'plain' | quote }}"),
            "'it'\"'\"'s' plain"
        );
        assert_eq!(
            render("{{ m | combine({'j': 2}) | dict2items | map(attribute='key') | join }}"),
            "kj"
        );
        assert_eq!(
            render("{{ 'a,b'.split(',') | join('+') }} {{ ' x '.strip() }}"),
            "a+b x"
        );
        assert_eq!(
            render("{{ undefined_thing | default('d') }} {{ none | d('e', true) }}"),
            "d e"
        );
    }
}
