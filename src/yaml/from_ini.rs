//! INI → [`Spec`]: `supc convert --to yaml`.
//!
//! Input: a [`Loaded`] INI config (includes merged) that supervisord
//! accepts. Output: the YAML text of an equivalent spec. Values are taken
//! as supervisord's parser holds them (after `%(here)s` replacement and
//! `[DEFAULT]` inheritance), un-escaped once (twice where supervisord
//! expands twice), and typed where the text is a plain literal. A value
//! the typed form cannot say (a bare `%s`, an expansion meant for the
//! second pass, an environment supervisord never parses or with a quoted
//! name, ...) goes verbatim under the section's `ini:`, and only such a
//! value. Sections and keys supervisord never reads are dropped.
//! `supc convert` then checks that the YAML reads back to the same model
//! as the INI and refuses otherwise.

use super::build::{Piece, scan, typed_text};
use super::spec::Spec;
use crate::load::Loaded;
use crate::options::{SectionKind, ValueType, lookup};
use crate::python::int::parse_int;
use crate::python::percent::Token;
use serde_json::{Map, Value};

/// Un-escapes an INI value expanded `times` times into pieces.
fn decode(value: &str, times: u8) -> Result<Vec<Piece>, String> {
    let (pieces, lone) = scan(value);
    if lone {
        return Err(format!("{value:?} has a `%` that starts no expansion"));
    }
    // `%(here).0s` is the empty-string trick; the builder re-adds it.
    let out: Vec<Piece> = pieces
        .into_iter()
        .filter(|p| !matches!(p, Piece::Spec(s) if s.starts_with("%(here)") && s.ends_with(".0s")))
        .collect();
    if times < 2 {
        return Ok(out);
    }
    // The second pass sees literal text only: it must hold no expansion.
    let mut second = Vec::new();
    for p in out {
        match p {
            Piece::Lit(l) => {
                for q in decode(&l, 1)? {
                    if let Piece::Spec(s) = &q {
                        return Err(format!(
                            "{value:?} holds `{s}` for the second expansion only, which supc.yaml cannot say"
                        ));
                    }
                    second.push(q);
                }
            }
            spec => second.push(spec),
        }
    }
    Ok(second)
}

/// The YAML string of pieces: a literal `%` is written `%%` where it could
/// be read as the start of an expansion (before `(` or `%`).
fn yaml_string(parts: &[Piece]) -> String {
    let mut chars: Vec<(char, bool)> = Vec::new();
    for p in parts {
        match p {
            Piece::Lit(l) => chars.extend(l.chars().map(|c| (c, true))),
            Piece::Spec(s) => chars.extend(s.chars().map(|c| (c, false))),
        }
    }
    let mut out = String::new();
    for (i, &(c, lit)) in chars.iter().enumerate() {
        out.push(c);
        if lit && c == '%' && matches!(chars.get(i + 1), Some(('(', _)) | Some(('%', _))) {
            out.push('%');
        }
    }
    out
}

fn plain(parts: &[Piece]) -> Option<String> {
    match parts {
        [] => Some(String::new()),
        [Piece::Lit(l)] => Some(l.clone()),
        _ => None,
    }
}

/// How [`to_spec`] converts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// The config's directory, when the YAML will live elsewhere: `%(here)`
    /// expansions become this literal directory.
    pub pin_here: Option<&'a str>,
    /// Give every value whose typed form writes different INI text from
    /// the original in `ini:` (for when the natural conversion reads back
    /// differently).
    pub cautious: bool,
    /// Keep `[include]` as the spec's `include:` and leave what included
    /// files say in them; otherwise the included sections are inlined.
    pub keep_includes: bool,
}

/// `%(here)…` expansions of an option that expands `here` replaced by the
/// directory, formatted as the spec says (`%(here)20s` pads it).
fn pin_pieces(kind: SectionKind, key: &str, parts: Vec<Piece>, here: Option<&str>) -> Vec<Piece> {
    let Some(dir) = here.filter(|_| expands_here(kind, key)) else {
        return parts;
    };
    let mut out: Vec<Piece> = Vec::new();
    for p in parts {
        let p = match p {
            Piece::Spec(s) if s.starts_with("%(here)") => match format_here(&s, dir) {
                Some(text) => Piece::Lit(text),
                None => Piece::Spec(s),
            },
            other => other,
        };
        match (out.last_mut(), p) {
            (Some(Piece::Lit(a)), Piece::Lit(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    out
}

fn expands_here(kind: SectionKind, key: &str) -> bool {
    crate::options::expansion(kind, key).is_some_and(|e| e.here)
}

/// One `%(here)…` spec formatted with `dir`.
fn format_here(spec: &str, dir: &str) -> Option<String> {
    let mut mapping = crate::python::format::Mapping::new();
    mapping.set_str("here", dir);
    crate::python::format::format(spec, &mapping).ok()
}

/// INI text with its first-pass `%(here)…` expansions replaced by the
/// directory (escaped for the option's expansions).
pub fn pin_text(kind: SectionKind, key: &str, text: &str, here: Option<&str>) -> String {
    let Some(dir) = here.filter(|_| expands_here(kind, key)) else {
        return text.to_string();
    };
    let passes = crate::options::expansion(kind, key).map_or(1, |e| e.passes);
    let pct = if passes >= 2 { "%%%%" } else { "%%" };
    let mut out = String::with_capacity(text.len());
    for token in crate::python::percent::lenient(text) {
        match token {
            Token::Text(t) => out.push_str(t),
            Token::Escape => out.push_str("%%"),
            Token::Lone(_) => out.push('%'),
            Token::Expansion(spec) => {
                let written = &text[spec.start..spec.end];
                let here = (spec.key.as_deref() == Some("here"))
                    .then(|| format_here(written, dir))
                    .flatten();
                match here {
                    Some(d) => out.push_str(&d.replace('%', pct)),
                    None => out.push_str(written),
                }
            }
        }
    }
    out
}

/// The typed YAML value of one option, `%(here)` pinned to `here`.
fn typed_value(
    kind: SectionKind,
    key: &str,
    value: &str,
    here: Option<&str>,
) -> Result<Value, String> {
    let times = crate::options::expansion(kind, key).map_or(1, |e| e.passes);
    let ty = lookup(kind, key).map(|o| o.ty);
    if kind.takes_any_key() && ty.is_none() {
        // A plugin argument: a string.
        let parts = pin_pieces(kind, key, decode(value, 1)?, here);
        return Ok(Value::String(yaml_string(&parts)));
    }
    if ty == Some(ValueType::KvPairs) {
        return environment(value, times, |p| pin_pieces(kind, key, p, here));
    }
    let parts = pin_pieces(kind, key, decode(value, times)?, here);
    let text = yaml_string(&parts);
    let Some(lit) = plain(&parts) else {
        return Ok(Value::String(text));
    };
    let int = |s: &str| parse_int(s).ok().and_then(|i| i.to_i64());
    Ok(match ty {
        Some(ValueType::Int) => int(&lit).map_or(Value::String(text), Value::from),
        Some(ValueType::Bool) => match lit.to_lowercase().as_str() {
            "yes" | "true" | "on" | "1" => Value::Bool(true),
            "no" | "false" | "off" | "0" => Value::Bool(false),
            _ => Value::String(text),
        },
        Some(ValueType::Bytes) if lit.trim().chars().all(|c| c.is_ascii_digit()) => {
            int(&lit).map_or(Value::String(text), Value::from)
        }
        Some(ValueType::ExitCodes) => {
            if lit.is_empty() {
                return Ok(Value::Array(vec![]));
            }
            let codes: Option<Vec<Value>> =
                lit.split(',').map(|c| int(c).map(Value::from)).collect();
            codes.map_or(Value::String(text), Value::Array)
        }
        Some(ValueType::CommaList)
            if !lit.is_empty() && lit.split(',').all(|p| !p.trim().is_empty()) =>
        {
            Value::Array(
                lit.split(',')
                    .map(|p| Value::String(yaml_string(&[Piece::Lit(p.trim().to_string())])))
                    .collect(),
            )
        }
        _ => Value::String(text),
    })
}

/// `environment`: supervisord's pairs as a mapping, expansions kept.
fn environment(
    value: &str,
    times: u8,
    pin: impl Fn(Vec<Piece>) -> Vec<Piece>,
) -> Result<Value, String> {
    let parts = decode(value, times)?;
    // Expansions (and literal `%`) become word-character placeholders so
    // the pairs can be split as supervisord will split the expanded text.
    let mut text = String::new();
    let mut table: Vec<Piece> = Vec::new();
    for p in &parts {
        match p {
            Piece::Lit(l) => {
                for c in l.chars() {
                    if c == '%' {
                        text.push_str(&format!("SUPCPH{}X", table.len()));
                        table.push(Piece::Lit("%".into()));
                    } else {
                        text.push(c);
                    }
                }
            }
            spec => {
                text.push_str(&format!("SUPCPH{}X", table.len()));
                table.push(spec.clone());
            }
        }
    }
    let pairs = crate::python::shlex::parse_kv_pairs(&text)?;
    let mut map = Map::new();
    for (k, v) in pairs {
        if k.contains("SUPCPH") {
            return Err(format!("environment name {k:?} uses an expansion"));
        }
        let mut out: Vec<Piece> = Vec::new();
        let mut rest = v.as_str();
        while let Some(i) = rest.find("SUPCPH") {
            if i > 0 {
                out.push(Piece::Lit(rest[..i].to_string()));
            }
            let after = &rest[i + 6..];
            let end = after.find('X').ok_or("bad placeholder")?;
            let n: usize = after[..end].parse().map_err(|_| "bad placeholder")?;
            out.push(table.get(n).cloned().ok_or("bad placeholder")?);
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            out.push(Piece::Lit(rest.to_string()));
        }
        map.insert(k, Value::String(yaml_string(&pin(out))));
    }
    Ok(Value::Object(map))
}

/// The spec of a loaded INI config, as a JSON tree in [`Spec`]'s shape.
pub fn to_spec(loaded: &Loaded, opts: Options<'_>) -> Result<Spec, String> {
    let ini = &loaded.ini;
    let mut top = Map::new();
    let more_servers = ini.sections.keys().any(|n| {
        matches!(
            SectionKind::of(n),
            SectionKind::InetHttpServer | SectionKind::UnixHttpServer
        ) && n != "inet_http_server"
            && n != "unix_http_server"
    });
    for (name, section) in &ini.sections {
        let kind = SectionKind::of(name);
        // supervisorctl reads only the main file: a client section that
        // exists only in an included file reaches neither program.
        let client_only = matches!(kind, SectionKind::Supervisorctl | SectionKind::CtlPlugin);
        if client_only && !section.headers.iter().any(|h| Some(h.file) == loaded.main) {
            continue;
        }
        // What an included file says stays in that file: the spec keeps
        // the `include:` (whether or not it matches on this machine).
        let in_main = section.headers.iter().any(|h| Some(h.file) == loaded.main);
        if opts.keep_includes && !in_main {
            continue;
        }
        let (group, sub) = match kind {
            SectionKind::Unknown | SectionKind::Default => continue,
            SectionKind::Include if !opts.keep_includes => continue,
            SectionKind::Include => ("include", None),
            SectionKind::Supervisord
            | SectionKind::UnixHttpServer
            | SectionKind::InetHttpServer
            | SectionKind::Supervisorctl => {
                let want = match kind {
                    SectionKind::Supervisord => "supervisord",
                    SectionKind::UnixHttpServer => "unix_http_server",
                    SectionKind::InetHttpServer => "inet_http_server",
                    _ => "supervisorctl",
                };
                if more_servers && want != "supervisord" && want != "supervisorctl" {
                    // Every server section, in file order (their order
                    // decides the server list and the fallback URL).
                    ("more_http_servers", Some(name.as_str()))
                } else if name != want {
                    return Err(format!(
                        "[{name}] is read as [{want}], but supc.yaml has one [{want}] only"
                    ));
                } else {
                    (want, None)
                }
            }
            SectionKind::Program => ("programs", name.strip_prefix("program:")),
            SectionKind::EventListener => ("eventlisteners", name.strip_prefix("eventlistener:")),
            SectionKind::FcgiProgram => ("fcgi_programs", name.strip_prefix("fcgi-program:")),
            SectionKind::Group => ("groups", name.strip_prefix("group:")),
            SectionKind::RpcInterface => ("rpcinterfaces", name.strip_prefix("rpcinterface:")),
            SectionKind::CtlPlugin => ("ctlplugins", name.strip_prefix("ctlplugin:")),
        };
        // (key, INI text, typed value if the typed form can say it)
        let mut values: Vec<(&str, &str, Option<Value>)> = Vec::new();
        for key in ini.options(name) {
            let Some(found) = ini.get(name, key) else {
                continue;
            };
            if opts.keep_includes && Some(found.entry.def.value_span.file) != loaded.main {
                continue;
            }
            if !kind.takes_any_key() && lookup(kind, key).is_none() {
                // Not an option of this section (supervisord ignores it):
                // kept verbatim under `ini:`, with a note
                // (`yaml::comments`), rather than dropped.
                values.push((key, found.value, None));
                continue;
            }
            let typed = typed_value(kind, key, found.value, opts.pin_here)
                .ok()
                .filter(|v| match typed_text(kind, key, v) {
                    Ok(text) => {
                        !opts.cautious || text == pin_text(kind, key, found.value, opts.pin_here)
                    }
                    Err(_) => false,
                });
            values.push((key, found.value, typed));
        }
        if kind.takes_any_key() {
            // Plugin arguments keep their order: typed ones are built
            // first, so every argument from the first raw one on is raw
            // (and an argument named `ini` is raw when any is).
            let first_raw = values.iter().position(|v| v.2.is_none());
            let ini_arg = values.iter().position(|v| v.0 == "ini");
            if let Some(from) = first_raw.map(|f| ini_arg.map_or(f, |i| i.min(f))) {
                for v in &mut values[from..] {
                    v.2 = None;
                }
            }
        }
        let mut body = Map::new();
        let mut raw = Map::new();
        for (key, text, typed) in values {
            match typed {
                Some(v) => {
                    body.insert(key.to_string(), v);
                }
                None => {
                    let text = pin_text(kind, key, text, opts.pin_here);
                    raw.insert(key.to_string(), Value::String(text));
                }
            }
        }
        if !raw.is_empty() {
            body.insert("ini".into(), Value::Object(raw));
        }
        match sub {
            None => {
                top.insert(group.to_string(), Value::Object(body));
            }
            Some(sub) => {
                let entry = top
                    .entry(group.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    m.insert(sub.to_string(), Value::Object(body));
                }
            }
        }
    }
    from_json(Value::Object(top)).map_err(|e| format!("no supc.yaml form: {e}"))
}

/// serde_json's `arbitrary_precision` numbers do not fit untagged enums:
/// go through a YAML value.
fn from_json(v: Value) -> Result<Spec, serde_yaml_ng::Error> {
    fn y(v: Value) -> serde_yaml_ng::Value {
        match v {
            Value::Null => serde_yaml_ng::Value::Null,
            Value::Bool(b) => serde_yaml_ng::Value::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => serde_yaml_ng::Value::Number(i.into()),
                None => serde_yaml_ng::Value::String(n.to_string()),
            },
            Value::String(s) => serde_yaml_ng::Value::String(s),
            Value::Array(a) => serde_yaml_ng::Value::Sequence(a.into_iter().map(y).collect()),
            Value::Object(m) => serde_yaml_ng::Value::Mapping(
                m.into_iter()
                    .map(|(k, v)| (serde_yaml_ng::Value::String(k), y(v)))
                    .collect(),
            ),
        }
    }
    serde_yaml_ng::from_value(y(v))
}

/// The YAML text of a spec (unset options left out).
pub fn to_yaml(spec: &Spec) -> String {
    fn strip(v: serde_yaml_ng::Value) -> serde_yaml_ng::Value {
        match v {
            serde_yaml_ng::Value::Mapping(m) => serde_yaml_ng::Value::Mapping(
                m.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, strip(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    let v = strip(serde_yaml_ng::to_value(spec).unwrap_or(serde_yaml_ng::Value::Null));
    serde_yaml_ng::to_string(&v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_value(kind: SectionKind, key: &str, value: &str) -> Result<Value, String> {
        typed_value(kind, key, value, None)
    }

    #[test]
    fn values_are_unescaped_and_typed() {
        let p = SectionKind::Program;
        assert_eq!(yaml_value(p, "numprocs", "+1_0").unwrap(), Value::from(10));
        assert_eq!(
            yaml_value(p, "autostart", "yes").unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            yaml_value(p, "command", "echo 100%% %(here).0s; x").unwrap(),
            Value::from("echo 100% ; x")
        );
        assert_eq!(
            yaml_value(p, "stdout_logfile", "/l/%%%%(x).log").unwrap(),
            Value::from("/l/%%(x).log")
        );
        assert_eq!(
            yaml_value(p, "exitcodes", "0,2").unwrap(),
            serde_json::json!([0, 2])
        );
        assert_eq!(
            yaml_value(p, "environment", "A=\"%(ENV_X)s/1\",B=2").unwrap(),
            serde_json::json!({"A": "%(ENV_X)s/1", "B": "2"})
        );
    }

    #[test]
    fn untypable_values_are_not_typed() {
        let p = SectionKind::Program;
        assert!(yaml_value(p, "command", "date +%s").is_err());
        assert!(yaml_value(p, "stderr_logfile", "%%(program_name)s.log").is_err());
        assert!(yaml_value(p, "environment", "A=1 B=2").is_err());
        // A quoted name parses, but the builder has no typed form for it.
        let env = yaml_value(p, "environment", "\"F\"=1").unwrap();
        assert!(typed_text(p, "environment", &env).is_err());
    }

    #[test]
    fn here_is_pinned_where_the_option_expands_it() {
        let p = SectionKind::Program;
        let v = typed_value(p, "command", "%(here)6s/run %(here)s", Some("/d")).unwrap();
        assert_eq!(v, Value::from("    /d/run /d"));
        // supervisorctl's prompt knows no `here`: it stays (and fails alike).
        let ctl = SectionKind::Supervisorctl;
        let v = typed_value(ctl, "prompt", "%(here)s", Some("/d")).unwrap();
        assert_eq!(v, Value::from("%(here)s"));
        // INI text: first-pass specs only, escaped for the option.
        assert_eq!(
            pin_text(p, "stderr_logfile", "%(here)s/%%(here)s", Some("/5%")),
            "/5%%%%/%%(here)s"
        );
        assert_eq!(pin_text(ctl, "prompt", "%(here)s", Some("/d")), "%(here)s");
    }

    proptest::proptest! {
        /// A YAML string written for pieces reads back as those pieces
        /// (`build::pieces`, the lenient `%` reading).
        #[test]
        fn yaml_strings_read_back(
            t in "([a-z ]{0,2}(%%|%|[()]|%\\((a|here)\\)[0-9]?[sdz]?|%[0-9]?[sd]?)){0,5}[%(]{0,2}"
        ) {
            let parts = super::super::build::pieces(&t);
            let written = yaml_string(&parts);
            proptest::prop_assert_eq!(super::super::build::pieces(&written), parts, "{}", &written);
        }
    }
}
