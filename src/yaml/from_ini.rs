//! INI → [`Spec`]: `supc convert --to yaml`.
//!
//! Input: a [`Loaded`] INI config (includes merged) that supervisord
//! accepts. Output: the YAML text of an equivalent spec. Values are taken
//! as supervisord's parser holds them (after `%(here)s` replacement and
//! `[DEFAULT]` inheritance), un-escaped once (twice where supervisord
//! expands twice), and typed where the text is a plain literal. Sections
//! and keys supervisord never reads are dropped. Whatever cannot be
//! represented is refused with a message; [`convert`] then checks that the
//! YAML reads back to the same model as the INI and refuses otherwise.

use super::build::{Piece, spec_len};
use super::spec::Spec;
use crate::load::Loaded;
use crate::options::{SectionKind, ValueType, lookup};
use crate::python::int::parse_int;
use serde_json::{Map, Value};

/// Un-escapes an INI value expanded `times` times into pieces.
fn decode(value: &str, times: u8) -> Result<Vec<Piece>, String> {
    let mut out: Vec<Piece> = Vec::new();
    let mut lit = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('%') {
        lit.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("%%") {
            lit.push('%');
            rest = t;
        } else if let Some(n) = spec_len(tail) {
            if !lit.is_empty() {
                out.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            let spec = &tail[..n];
            // `%(here).0s` is the empty-string trick; the builder re-adds it.
            if !(spec.starts_with("%(here)") && spec.ends_with(".0s")) {
                out.push(Piece::Spec(spec.to_string()));
            }
            rest = &tail[n..];
        } else {
            return Err(format!("{value:?} has a `%` that starts no expansion"));
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
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

/// The typed YAML value of one option.
fn yaml_value(kind: SectionKind, key: &str, value: &str) -> Result<Value, String> {
    let times = crate::options::expansion(kind, key).map_or(1, |e| e.passes);
    let ty = lookup(kind, key).map(|o| o.ty);
    if ty == Some(ValueType::KvPairs) {
        return environment(value, times);
    }
    let parts = decode(value, times)?;
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
fn environment(value: &str, times: u8) -> Result<Value, String> {
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
        map.insert(k, Value::String(yaml_string(&out)));
    }
    Ok(Value::Object(map))
}

/// The spec of a loaded INI config, as a JSON tree in [`Spec`]'s shape.
pub fn to_spec(loaded: &Loaded) -> Result<Spec, String> {
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
        let (group, sub) = match kind {
            SectionKind::Unknown | SectionKind::Include | SectionKind::Default => continue,
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
        let mut body = Map::new();
        for key in ini.options(name) {
            if !kind.takes_any_key() && lookup(kind, key).is_none() {
                continue;
            }
            let Some(found) = ini.get(name, key) else {
                continue;
            };
            let v = if kind.takes_any_key() && lookup(kind, key).is_none() {
                decode(found.value, 1).map(|p| Value::String(yaml_string(&p)))
            } else {
                yaml_value(kind, key, found.value)
            }
            .map_err(|e| format!("[{name}] {key}: {e}"))?;
            body.insert(key.to_string(), v);
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
fn from_json(v: Value) -> Result<Spec, serde_yaml::Error> {
    fn y(v: Value) -> serde_yaml::Value {
        match v {
            Value::Null => serde_yaml::Value::Null,
            Value::Bool(b) => serde_yaml::Value::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => serde_yaml::Value::Number(i.into()),
                None => serde_yaml::Value::String(n.to_string()),
            },
            Value::String(s) => serde_yaml::Value::String(s),
            Value::Array(a) => serde_yaml::Value::Sequence(a.into_iter().map(y).collect()),
            Value::Object(m) => serde_yaml::Value::Mapping(
                m.into_iter()
                    .map(|(k, v)| (serde_yaml::Value::String(k), y(v)))
                    .collect(),
            ),
        }
    }
    serde_yaml::from_value(y(v))
}

/// The YAML text of a spec (unset options left out).
pub fn to_yaml(spec: &Spec) -> String {
    fn strip(v: serde_yaml::Value) -> serde_yaml::Value {
        match v {
            serde_yaml::Value::Mapping(m) => serde_yaml::Value::Mapping(
                m.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, strip(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    let v = strip(serde_yaml::to_value(spec).unwrap_or(serde_yaml::Value::Null));
    serde_yaml::to_string(&v).unwrap_or_default()
}

/// Replaces `%(here)s` expansions by the literal directory (the YAML will
/// live elsewhere, where `here` means another directory).
pub fn pin_here(spec: &Spec, here: &str) -> Spec {
    fn walk(v: Value, here: &str) -> Value {
        match v {
            Value::String(s) if s.contains("%(here)s") => {
                let parts: Vec<Piece> = super::build::pieces(&s)
                    .into_iter()
                    .map(|p| match p {
                        Piece::Spec(x) if x == "%(here)s" => Piece::Lit(here.to_string()),
                        other => other,
                    })
                    .collect();
                Value::String(yaml_string(&parts))
            }
            Value::Array(a) => Value::Array(a.into_iter().map(|x| walk(x, here)).collect()),
            Value::Object(m) => {
                Value::Object(m.into_iter().map(|(k, x)| (k, walk(x, here))).collect())
            }
            other => other,
        }
    }
    let v = walk(serde_json::to_value(spec).unwrap_or(Value::Null), here);
    from_json(v).unwrap_or_else(|_| spec.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
