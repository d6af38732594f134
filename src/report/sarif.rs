//! SARIF 2.1.0: one run, the rule metadata of every code, results with
//! physical locations (1-based line and column) relative to `%SRCROOT%`
//! (the directory supc ran in), a partial fingerprint per result that an
//! unrelated edit of the file leaves alone, and one invocation whose
//! notifications name the entries that could not be read.

use super::{Finding, Location, Run};
use crate::codes::Code;
use crate::diagnostic::Severity;
use crate::lint::registry;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path is resolved against `%SRCROOT%`; an absolute one (a
/// file outside the working directory) is a `file://` URI.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') {
        json!({"uri": format!("file://{}", encode(path))})
    } else {
        json!({"uri": encode(path), "uriBaseId": SRCROOT})
    }
}

fn physical(l: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": artifact(&l.file),
            "region": {
                "startLine": l.line, "startColumn": l.column,
                "endLine": l.end_line, "endColumn": l.end_column,
            }
        }
    })
}

/// Percent-encodes what may not stand in a URI path.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The directory URI, with the trailing slash SARIF requires.
fn root_uri(cwd: &Path) -> String {
    let mut s = format!("file://{}", encode(&cwd.to_string_lossy()));
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// A SARIF `fix`: one artifact change per file, each edit a replacement of
/// a byte range; the applicability is in `properties`.
fn fix_object(fix: &crate::fix::report::FixReport) -> Value {
    let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &fix.edits {
        let replacement = json!({
            "deletedRegion": {"byteOffset": e.byte_offset, "byteLength": e.byte_length},
            "insertedContent": {"text": e.replacement},
        });
        match changes.iter_mut().find(|(f, _)| *f == e.location.file) {
            Some((_, r)) => r.push(replacement),
            None => changes.push((e.location.file.clone(), vec![replacement])),
        }
    }
    json!({
        "description": {"text": fix.message},
        "artifactChanges": changes
            .into_iter()
            .map(|(file, replacements)| json!({
                "artifactLocation": artifact(&file),
                "replacements": replacements,
            }))
            .collect::<Vec<_>>(),
        "properties": {"applicability": fix.applicability_str()},
    })
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
            let doc = registry::rule_of(code)
                .map(|m| m.doc)
                .or_else(|| super::docs::of(code));
            if let Some(doc) = doc {
                rule["fullDescription"] = json!({"text": code.summary()});
                rule["help"] = json!({"text": doc, "markdown": doc});
            }
            rule
        })
        .collect()
}

fn result(f: &Finding, index: Option<usize>, occurrence: usize) -> Value {
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    let mut result = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": {"text": text},
        "partialFingerprints": {"supcFingerprint/v1": format!("{}:{occurrence}", f.fingerprint)},
    });
    if let Some(i) = index {
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
    if let Some(fix) = &f.fix {
        result["fixes"] = json!([fix_object(fix)]);
    }
    result
}

fn invocation(run: &Run) -> Value {
    let notes: Vec<Value> = run
        .unreadable
        .iter()
        .map(|u| {
            json!({
                "level": "error",
                "message": {"text": format!("cannot read {}: {}", u.path, u.reason)},
                "locations": [{"physicalLocation": {"artifactLocation": artifact(&u.path)}}],
            })
        })
        .collect();
    json!({
        "executionSuccessful": run.unreadable.is_empty(),
        "toolExecutionNotifications": notes,
    })
}

pub fn render(run: &Run) -> String {
    let rules = rules();
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((r["id"].as_str()?, i)))
        .collect();
    // Identical lines with one finding each are told apart by their order.
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    let results: Vec<Value> = run
        .files
        .iter()
        .flat_map(|r| &r.findings)
        .map(|f| {
            let n = occurrences.entry(&f.fingerprint).or_default();
            *n += 1;
            result(f, index.get(f.code.as_str()).copied(), *n)
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "supc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root_uri(&run.cwd)}},
            "invocations": [invocation(run)],
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
