//! YAML values as Ansible reads them: PyYAML's YAML 1.1 resolver for
//! plain scalars (YAML 1.2 crates read `yes` as a string and `0755` as
//! 755; PyYAML reads `true` and 493), and `<<` merge keys.
//!
//! Plain scalars, as PyYAML's `SafeConstructor` builds them:
//! - null: empty, `~`, `null`, `Null`, `NULL`;
//! - booleans: `yes/no/true/false/on/off` in lower, Capitalised or UPPER
//!   case (not `y`/`n`);
//! - integers: decimal, `0b`, `0x`, a leading `0` for octal (`0755` is
//!   493; `0o17` is a string), `_` separators, sexagesimal `1:30` (90);
//! - floats: a dot is required (`1.0e+3`; `1e3` is a string), `.5`, `5.`,
//!   sexagesimal `1:30.5`; `.inf`/`.nan` have no JSON form and are an error;
//! - timestamps: a date stays its text (`2001-12-14`), a date and time
//!   becomes Python's `isoformat()` (`2001-12-14T21:59:43.100000-05:00`),
//!   which is what `ansible-inventory --list` prints.
//!
//! Quoted and block scalars are strings. A text that is JSON is read as
//! JSON (Ansible tries JSON first), so `1e3` there is a number.
//! Mapping keys become their JSON text (`on:` is the key `true`, as
//! `ansible-inventory --list` shows it). Merge keys follow PyYAML 6.0.4,
//! the pinned oracle: in `<<: [*a, *b]` the later mapping wins (older
//! PyYAML let the first win), and the mapping's own keys win over both.

use super::yaml_tree::{Kind, Node};
use super::yaml11_scalars::{plain_scalar, python_repr};
use serde_json::{Map, Value};

/// How plain scalars resolve.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// PyYAML's YAML 1.1 resolver.
    Yaml11,
    /// The text is a JSON document: plain scalars are JSON literals.
    Json,
}

impl Schema {
    /// The schema a whole file is read with.
    pub fn of(text: &str) -> Schema {
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            Schema::Json
        } else {
            Schema::Yaml11
        }
    }
}

/// A node as a variable value; `!vault` and other tags are refused.
pub fn to_json(node: &Node, schema: Schema) -> Result<Value, String> {
    match &node.kind {
        Kind::Scalar { text, plain, tag } => scalar(text, *plain, tag.as_deref(), schema),
        Kind::Seq(items) => items
            .iter()
            .map(|n| to_json(n, schema))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Kind::Map(pairs) => mapping(pairs, schema).map(Value::Object),
    }
}

/// A mapping key as a variable name.
pub fn key_text(node: &Node, schema: Schema) -> Result<String, String> {
    match to_json(node, schema)? {
        Value::String(s) => Ok(s),
        v @ (Value::Number(_) | Value::Bool(_) | Value::Null) => Ok(v.to_string()),
        _ => Err(format!("line {}: mapping keys must be scalars", node.line)),
    }
}

/// Keys a mapping gives twice, its merged keys included (Ansible warns
/// "Found duplicate mapping key" and keeps the last value, as
/// [`to_json`] does): each later key's line, column and text, once even
/// when an alias copies the mapping.
pub fn duplicate_keys(node: &Node, schema: Schema) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        match &n.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => todo.extend(items),
            Kind::Map(pairs) => {
                todo.extend(pairs.iter().map(|(_, v)| v));
                let Ok(flat) = flatten(pairs, schema) else {
                    continue;
                };
                let mut seen = std::collections::HashSet::new();
                for (k, _) in flat {
                    let Ok(text) = key_text(k, schema) else {
                        continue;
                    };
                    let found = (k.line, k.col, text);
                    if !seen.insert(found.2.clone()) && !out.contains(&found) {
                        out.push(found);
                    }
                }
            }
        }
    }
    out.sort();
    out
}

/// A plain `<<` key (JSON has no merge keys).
fn is_merge(key: &Node, schema: Schema) -> bool {
    schema == Schema::Yaml11 && key.plain_text() == Some("<<")
}

/// PyYAML 6.0.4's `flatten_mapping`: the pairs of every `<<` mapping (or
/// list of mappings), in order and each source key once, then the
/// mapping's own pairs; a later pair wins when they are read.
fn flatten(pairs: &[(Node, Node)], schema: Schema) -> Result<Vec<(&Node, &Node)>, String> {
    let mut merged: Vec<(&Node, &Node)> = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| is_merge(k, schema)) {
        let sources: Vec<&Node> = match &v.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![v],
        };
        for source in sources {
            let Kind::Map(sub) = &source.kind else {
                return Err(format!(
                    "line {}: a merge key (<<) takes a mapping or a list of mappings",
                    source.line
                ));
            };
            for pair in flatten(sub, schema)? {
                // The same source key twice (one anchor merged twice).
                if !merged
                    .iter()
                    .any(|(k, _)| (k.line, k.col) == (pair.0.line, pair.0.col))
                {
                    merged.push(pair);
                }
            }
        }
    }
    merged.extend(
        pairs
            .iter()
            .filter(|(k, _)| !is_merge(k, schema))
            .map(|(k, v)| (k, v)),
    );
    Ok(merged)
}

fn mapping(pairs: &[(Node, Node)], schema: Schema) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (k, v) in flatten(pairs, schema)? {
        out.insert(key_text(k, schema)?, to_json(v, schema)?);
    }
    Ok(out)
}

fn scalar(text: &str, plain: bool, tag: Option<&str>, schema: Schema) -> Result<Value, String> {
    match tag {
        None => {}
        Some("!!str") => return Ok(Value::String(text.into())),
        Some("!vault") => return Err(super::vars_files::VAULT.into()),
        Some(t) => {
            return Err(format!(
                "the YAML tag {t} is an Ansible feature supc does not support"
            ));
        }
    }
    if !plain {
        return Ok(Value::String(text.into()));
    }
    match schema {
        Schema::Json => Ok(match serde_json::from_str(text) {
            // A JSON float is a Python float (`1e3` is `1000.0`).
            Ok(Value::Number(n)) if text.contains(['.', 'e', 'E']) => {
                let f = n
                    .as_f64()
                    .ok_or_else(|| format!("{text} is not a valid float"))?;
                serde_json::from_str(&python_repr(f)).map_err(|e| e.to_string())?
            }
            Ok(v) => v,
            Err(_) => Value::String(text.into()),
        }),
        Schema::Yaml11 => plain_scalar(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(text: &str) -> Value {
        let node = super::super::yaml_tree::parse(text).unwrap();
        to_json(&node, Schema::of(text)).unwrap()
    }

    #[test]
    fn plain_scalars_resolve_as_pyyaml_does() {
        let v =
            load("a: yes\nb: 'yes'\nc: 0755\nd: 0o17\ne: 1e3\nf: 1.0e+3\ng: 1:30\nh: ~\ni: y\n");
        assert_eq!(
            v,
            json!({"a": true, "b": "yes", "c": 493, "d": "0o17", "e": "1e3",
                   "f": 1000.0, "g": 90, "h": null, "i": "y"})
        );
    }

    #[test]
    fn merge_keys_let_the_later_value_win_and_warn() {
        let text = "a: &a {p: 1, x: 1}\nb: &b {p: 2}\nm: {<<: [*a, *b], y: 3}\nn: {<<: *a, p: 4}\n";
        let node = super::super::yaml_tree::parse(text).unwrap();
        assert_eq!(
            to_json(&node, Schema::Yaml11).unwrap(),
            json!({"a": {"p": 1, "x": 1}, "b": {"p": 2},
                   "m": {"p": 2, "x": 1, "y": 3}, "n": {"p": 4, "x": 1}})
        );
        let dups = duplicate_keys(&node, Schema::Yaml11);
        assert_eq!(dups, [(2, 8, "p".into()), (4, 13, "p".into())]);
    }

    #[test]
    fn json_text_is_read_as_json() {
        assert_eq!(
            load(r#"{"a": 1e3, "b": "yes"}"#),
            json!({"a": 1000.0, "b": "yes"})
        );
    }

    #[test]
    fn infinity_and_alias_bombs_are_errors() {
        let node = super::super::yaml_tree::parse("a: .inf\n").unwrap();
        assert!(
            to_json(&node, Schema::Yaml11)
                .unwrap_err()
                .contains("no JSON form")
        );
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(
            super::super::yaml_tree::parse(&bomb)
                .unwrap_err()
                .contains("too many nodes")
        );
    }
}
