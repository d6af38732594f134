//! SARIF 2.1.0: one run, the rule metadata of every code found, results
//! with physical locations (1-based line and column) and related locations.

use super::{FileReport, Location};
use crate::codes::Code;
use crate::diagnostic::Severity;
use crate::lint::registry;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(l: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&l.file)},
            "region": {
                "startLine": l.line, "startColumn": l.column,
                "endLine": l.end_line, "endColumn": l.end_column,
            }
        }
    })
}

/// A relative path stays relative (SARIF resolves it against the run's
/// working directory); spaces and `%` are percent-encoded.
fn uri(path: &str) -> String {
    path.replace('%', "%25").replace(' ', "%20")
}

/// Every code's metadata; lint rules add their documentation.
fn rules() -> Vec<Value> {
    Code::ALL
        .iter()
        .map(|&code| {
            let mut rule = json!({
                "id": code.code(), "name": code.name(),
                "shortDescription": {"text": code.summary()},
                "defaultConfiguration": {"level": level(code.severity())},
                "properties": {"category": code.category()},
            });
            if let Some(m) = registry::rule_of(code) {
                rule["fullDescription"] = json!({"text": code.summary()});
                rule["help"] = json!({"text": m.doc, "markdown": m.doc});
            }
            rule
        })
        .collect()
}

pub fn render(files: &[FileReport]) -> String {
    let rules = rules();
    let index_of = |code: &str| rules.iter().position(|r| r["id"] == code);
    let mut results = Vec::new();
    for f in files.iter().flat_map(|r| &r.findings) {
        let mut text = f.message.clone();
        if let Some(h) = &f.help {
            text.push_str(&format!("\nhelp: {h}"));
        }
        let mut result = json!({
            "ruleId": f.code,
            "level": level(f.severity),
            "message": {"text": text},
        });
        if let Some(i) = index_of(&f.code) {
            result["ruleIndex"] = json!(i);
        }
        if let Some(l) = &f.location {
            result["locations"] = json!([physical(l)]);
        }
        if !f.related.is_empty() {
            result["relatedLocations"] = Value::Array(
                f.related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut v = physical(&r.location);
                        v["id"] = json!(i);
                        v["message"] = json!({"text": r.message});
                        v
                    })
                    .collect(),
            );
        }
        results.push(result);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "supc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
