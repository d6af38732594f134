//! `supc render` round trip, on every conformance fixture and (when it is
//! present) every shared corpus case, in portable mode:
//!
//! 1. supervisord (the project's oracle) reads the rendered file to the
//!    same model as the original (only `parse_infos` and `parse_warnings`
//!    may differ: the included files and their messages are gone);
//! 2. rendering the rendered file gives the same bytes (idempotence);
//! 3. the rendered file has no lint finding whose rule the original did not
//!    already trigger.
//!
//! Each case is copied to a temporary directory and rendered next to its
//! original (`supc-rendered.conf`): the bare `%s` quirk prints `here`, the
//! config's own directory, which no text can pin, so the files must share it.

#[allow(
    dead_code,
    reason = "shared with the conformance harness; this test uses only part of it"
)]
#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/judge.rs"]
mod judge;
#[path = "conformance/oracle.rs"]
mod oracle;
#[path = "conformance/process.rs"]
mod process;
#[allow(
    dead_code,
    reason = "shared with the conformance harness; this test uses only part of it"
)]
#[path = "conformance/supc.rs"]
mod supc;

use cases::{Case, Mode, corpus_cases, filtered, fixture_cases};
use oracle::{ask_oracle, oracle_python};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const RENDERED: &str = "supc-rendered.conf";

#[test]
fn fixtures_round_trip() {
    round_trip_set("fixtures", fixture_cases());
}

#[test]
fn corpus_round_trip() {
    if let Some(cases) = corpus_cases() {
        round_trip_set("corpus", cases);
    }
}

/// supc with the case's inputs (they decide which files `[include]` finds).
fn supc(case: &Case, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    cmd.arg(args[0])
        .args(["--host-node-name", &case.host_node_name])
        .current_dir(dir)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (k, v) in &case.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.args(&args[1..]).output().expect("supc runs")
}

/// Copies a case directory (symlinks kept) into `into`.
fn copy_case(from: &Path, into: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(into)
        .status()
        .expect("cp runs");
    assert!(status.success());
}

fn lint_codes(case: &Case, dir: &Path, config: &str) -> BTreeSet<String> {
    let out = supc(
        case,
        dir,
        &["check", "--portable", "--format", "json", config],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    v["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str())
        // Core codes (SUP0xx) are compared through the oracle's verdict.
        .filter(|c| !c.starts_with("SUP0"))
        .map(str::to_string)
        .collect()
}

fn round_trip_set(set: &str, cases: Vec<Case>) {
    let python = oracle_python();
    let cases = filtered(cases);
    let tmp = tempfile::tempdir().unwrap();
    let mut originals = Vec::new();
    let mut rendered = Vec::new();
    let mut problems = Vec::new();
    for case in &cases {
        let dir = tmp.path().join(case.dir.file_name().unwrap());
        copy_case(&case.dir, &dir);
        let out = supc(
            case,
            &dir,
            &["render", "--portable", "-o", RENDERED, "supervisord.conf"],
        );
        let copy = |config: &str| Case {
            label: case.label.clone(),
            dir: dir.clone(),
            config: config.into(),
            env: case.env.clone(),
            host_node_name: case.host_node_name.clone(),
            pythonpath: case.pythonpath.clone(),
        };
        if !out.status.success() {
            // Refused: the original must be one supervisord cannot read.
            originals.push(copy("supervisord.conf"));
            rendered.push(None);
            continue;
        }
        let again = supc(case, &dir, &["render", "--portable", RENDERED]);
        let first = std::fs::read(dir.join(RENDERED)).unwrap();
        if again.stdout != first {
            problems.push(format!(
                "{}: rendering the rendered file changes it",
                case.label
            ));
        }
        let before = lint_codes(case, &dir, "supervisord.conf");
        let after = lint_codes(case, &dir, RENDERED);
        let new: Vec<_> = after.difference(&before).collect();
        if !new.is_empty() {
            problems.push(format!(
                "{}: the rendered file adds findings {new:?}",
                case.label
            ));
        }
        originals.push(copy("supervisord.conf"));
        rendered.push(Some(copy(RENDERED)));
    }
    let answers = ask_oracle(&python, Mode::Portable, &originals);
    let rendered_cases: Vec<Case> = rendered
        .iter()
        .flatten()
        .map(|c| Case {
            label: c.label.clone(),
            dir: c.dir.clone(),
            config: c.config.clone(),
            env: c.env.clone(),
            host_node_name: c.host_node_name.clone(),
            pythonpath: c.pythonpath.clone(),
        })
        .collect();
    let mut rendered_answers = ask_oracle(&python, Mode::Portable, &rendered_cases).into_iter();
    for ((case, original), r) in cases.iter().zip(answers).zip(&rendered) {
        let original = match original {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{}: {e}", case.label));
                continue;
            }
        };
        let accepted = original["ok"] == Value::Bool(true);
        let Some(_) = r else {
            if accepted {
                problems.push(format!(
                    "{}: render refused a config supervisord accepts",
                    case.label
                ));
            }
            continue;
        };
        let mut back = match rendered_answers.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                problems.push(format!("{}: {e}", case.label));
                continue;
            }
            None => break,
        };
        let mut original = original;
        if !accepted && back["ok"] == Value::Bool(false) {
            continue;
        }
        for v in [&mut original, &mut back] {
            if let Some(o) = v.as_object_mut() {
                o.remove("parse_infos");
                o.remove("parse_warnings");
            }
        }
        let mut diffs = Vec::new();
        judge::diff_values("", &original, &back, &mut diffs);
        if !diffs.is_empty() {
            problems.push(format!(
                "{}: {}",
                case.label,
                diffs.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
    }
    println!(
        "{set} round trip: {} cases, {} problems",
        cases.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
