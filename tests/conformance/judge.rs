//! Deciding whether supc's answer conforms: exit status, verdict, then a
//! structural JSON comparison that reports differences as readable paths.

use std::collections::BTreeSet;

use serde_json::{Map, Number, Value};

use crate::oracle::OracleAnswer;
use crate::supc::SupcAnswer;

/// Longest rendering of a single JSON value in a difference line.
const MAX_SHOWN: usize = 200;

/// Everything wrong with supc's answer; empty when it conforms.
pub(crate) fn judge(oracle: &OracleAnswer, supc: &Result<SupcAnswer, String>) -> Vec<String> {
    let oracle = match oracle {
        Ok(json) => json,
        Err(why) => return vec![why.clone()],
    };
    let supc = match supc {
        Ok(answer) => answer,
        Err(why) => return vec![why.clone()],
    };
    let Some(supc_ok) = supc.json.get("ok").and_then(Value::as_bool) else {
        return vec![format!(
            "supc output has no boolean \"ok\": {}",
            show(&supc.json)
        )];
    };
    let mut problems = Vec::new();
    // supervisord's usage error (exit 2) when the config file cannot be
    // read at all; any other refusal is 1.
    let error = supc.json.get("error").and_then(Value::as_str).unwrap_or("");
    let unreadable = error.starts_with("could not find config file")
        || error.starts_with("could not read config file");
    let expected_code = match (supc_ok, unreadable) {
        (true, _) => 0,
        (false, true) => 2,
        (false, false) => 1,
    };
    if supc.code != expected_code {
        problems.push(format!(
            "supc exit status {} but \"ok\": {supc_ok} needs {expected_code}",
            supc.code
        ));
    }
    let oracle_ok = oracle.get("ok").and_then(Value::as_bool).unwrap_or(false);
    if oracle_ok != supc_ok {
        problems.push(if oracle_ok {
            format!(
                "supervisord accepts the config, supc rejects it: {}",
                show(&supc.json["error"])
            )
        } else {
            format!(
                "supervisord rejects the config, supc accepts it; supervisord says {}",
                show(&oracle["error"])
            )
        });
        return problems;
    }
    // Accepted or rejected alike: the whole documents must match, which
    // for a rejection means the identical error text.
    diff_values("", oracle, &supc.json, &mut problems);
    problems
}

/// Appends a line per difference between `oracle` and `supc` below `path`.
pub(crate) fn diff_values(path: &str, oracle: &Value, supc: &Value, out: &mut Vec<String>) {
    match (oracle, supc) {
        (Value::Object(a), Value::Object(b)) => diff_objects(path, a, b, out),
        (Value::Array(a), Value::Array(b)) => diff_arrays(path, a, b, out),
        _ if same_scalar(oracle, supc) => {}
        _ => out.push(format!(
            "{}: oracle {} != supc {}",
            shown_path(path),
            show(oracle),
            show(supc)
        )),
    }
}

fn diff_objects(
    path: &str,
    oracle: &Map<String, Value>,
    supc: &Map<String, Value>,
    out: &mut Vec<String>,
) {
    let keys: BTreeSet<&String> = oracle.keys().chain(supc.keys()).collect();
    for key in keys {
        let sub = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (oracle.get(key), supc.get(key)) {
            (Some(a), Some(b)) => diff_values(&sub, a, b, out),
            (Some(a), None) => out.push(format!(
                "{sub}: missing in supc output (oracle {})",
                show(a)
            )),
            (None, Some(b)) => out.push(format!("{sub}: not in oracle output (supc {})", show(b))),
            (None, None) => unreachable!(),
        }
    }
}

fn diff_arrays(path: &str, oracle: &[Value], supc: &[Value], out: &mut Vec<String>) {
    // Groups, processes, servers: when the names differ, say so once and
    // compare the entries that share a name, instead of a cascade of
    // index-by-index differences.
    if let (Some(a), Some(b)) = (names(oracle), names(supc))
        && a != b
    {
        out.push(format!(
            "{}: names differ: oracle {} != supc {}",
            shown_path(path),
            show(&serde_json::json!(a)),
            show(&serde_json::json!(b))
        ));
        if all_distinct(&a) && all_distinct(&b) {
            for (i, name) in a.iter().enumerate() {
                if let Some(j) = b.iter().position(|other| other == name) {
                    diff_values(&format!("{path}[{i}]"), &oracle[i], &supc[j], out);
                }
            }
            return;
        }
    }
    for (i, (a, b)) in oracle.iter().zip(supc).enumerate() {
        diff_values(&format!("{path}[{i}]"), a, b, out);
    }
    if oracle.len() != supc.len() {
        out.push(format!(
            "{}: oracle has {} items, supc has {}",
            shown_path(path),
            oracle.len(),
            supc.len()
        ));
        let (longer, who) = if oracle.len() > supc.len() {
            (oracle, "oracle")
        } else {
            (supc, "supc")
        };
        let common = oracle.len().min(supc.len());
        for (i, item) in longer.iter().enumerate().skip(common) {
            out.push(format!("{path}[{i}]: only in {who}: {}", show(item)));
        }
    }
}

/// The `name` of every item, when every item is an object with one.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|item| item.get("name")?.as_str())
        .collect()
}

fn all_distinct(names: &[&str]) -> bool {
    names.iter().collect::<BTreeSet<_>>().len() == names.len()
}

/// Scalar equality where the JSON type matters: `true` is not `1`, and `1`
/// is not `1.0`.
fn same_scalar(oracle: &Value, supc: &Value) -> bool {
    match (oracle, supc) {
        (Value::Number(a), Value::Number(b)) => same_number(a, b),
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => a == b,
        _ => false,
    }
}

/// Integers can exceed 64 bits (serde_json keeps their text here), so they
/// are compared by canonical decimal text.
fn same_number(a: &Number, b: &Number) -> bool {
    let (a, b) = (a.to_string(), b.to_string());
    match (canonical_integer(&a), canonical_integer(&b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a == b || a.parse::<f64>().ok() == b.parse::<f64>().ok(),
        _ => false,
    }
}

/// `-007` -> `-7`, `-0` -> `0`; None for anything that is not an integer.
fn canonical_integer(text: &str) -> Option<String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    Some(match (negative, digits.is_empty()) {
        (_, true) => "0".to_string(),
        (true, false) => format!("-{digits}"),
        (false, false) => digits.to_string(),
    })
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() { "<root>" } else { path }
}

/// Compact JSON of `value`, cut to `MAX_SHOWN` characters.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_SHOWN {
        return text;
    }
    let cut: String = text.chars().take(MAX_SHOWN - 3).collect();
    format!("{cut}...")
}

/// The comparison itself must be able to fail: these run without the oracle.
mod tests {
    use super::*;

    fn diffs(oracle: &str, supc: &str) -> Vec<String> {
        let (oracle, supc) = (parse(oracle), parse(supc));
        let mut out = Vec::new();
        diff_values("", &oracle, &supc, &mut out);
        out
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("test JSON")
    }

    fn answer(code: i32, json: &str) -> Result<SupcAnswer, String> {
        Ok(SupcAnswer {
            code,
            json: parse(json),
        })
    }

    #[test]
    fn key_order_is_ignored_but_types_are_not() {
        assert!(diffs(r#"{"a": 1, "b": [true]}"#, r#"{"b": [true], "a": 1}"#).is_empty());
        assert_eq!(diffs("[true]", "[1]"), ["[0]: oracle true != supc 1"]);
        assert_eq!(
            diffs(r#"{"n": 1}"#, r#"{"n": 1.0}"#),
            ["n: oracle 1 != supc 1.0"]
        );
        assert_eq!(
            diffs("null", r#""""#),
            [r#"<root>: oracle null != supc """#]
        );
    }

    #[test]
    fn big_integers_compare_by_value() {
        let big = "123456789012345678901234567890";
        assert!(diffs(big, big).is_empty());
        assert_eq!(diffs(big, "123456789012345678901234567891").len(), 1);
        assert!(diffs("-0", "0").is_empty());
    }

    #[test]
    fn differences_are_reported_as_paths() {
        let oracle = r#"{"groups": [{"name": "a", "processes": [{"command": "x"}]}]}"#;
        let supc = r#"{"groups": [{"name": "a", "processes": [{"command": "y", "extra": 1}]}]}"#;
        assert_eq!(
            diffs(oracle, supc),
            [
                r#"groups[0].processes[0].command: oracle "x" != supc "y""#,
                "groups[0].processes[0].extra: not in oracle output (supc 1)",
            ]
        );
    }

    #[test]
    fn reordered_names_are_reported_once_then_matched_by_name() {
        let oracle = r#"[{"name": "a", "v": 1}, {"name": "b", "v": 2}]"#;
        let supc = r#"[{"name": "b", "v": 2}, {"name": "a", "v": 3}]"#;
        assert_eq!(
            diffs(oracle, supc),
            [
                r#"<root>: names differ: oracle ["a","b"] != supc ["b","a"]"#,
                "[0].v: oracle 1 != supc 3",
            ]
        );
    }

    #[test]
    fn verdict_exit_status_and_error_text_are_checked() {
        let rejected = Ok(parse(r#"{"ok": false, "error": "bad"}"#));
        assert!(judge(&rejected, &answer(1, r#"{"ok": false, "error": "bad"}"#)).is_empty());
        assert_eq!(
            judge(&rejected, &answer(0, r#"{"ok": false, "error": "bad"}"#)),
            [r#"supc exit status 0 but "ok": false needs 1"#]
        );
        assert_eq!(
            judge(&rejected, &answer(1, r#"{"ok": false, "error": "worse"}"#)),
            [r#"error: oracle "bad" != supc "worse""#]
        );
        assert_eq!(judge(&rejected, &answer(0, r#"{"ok": true}"#)).len(), 1);
    }
}
