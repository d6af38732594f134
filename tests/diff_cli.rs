//! `supc diff` end to end, on the pairs in `fixtures/diff/<case>/{old,new}/
//! supervisord.conf`: table snapshots, exit codes, the JSON schema, and the
//! verdicts against real supervisor (`tests/oracle/supervisor_diff.py`
//! loads OLD, makes its groups the running ones and calls supervisord's own
//! `diff_to_active` after re-reading NEW as the `reloadConfig` RPC does),
//! in normal and portable mode.
//!
//! Every run happens in the case directory with a fixed environment
//! (`HOME=/nonexistent`, `PATH=/usr/local/bin:/usr/bin:/bin`) and host name
//! `testhost`, as the conformance harness does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const OLD: &str = "old/supervisord.conf";
const NEW: &str = "new/supervisord.conf";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<(String, PathBuf)> {
    let root = repo().join("fixtures/diff");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .expect("fixtures/diff")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join(OLD).exists())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 9,
        "fixture pairs missing in {}",
        root.display()
    );
    cases
}

fn controlled(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(dir)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
}

fn supc(dir: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    controlled(&mut cmd, dir);
    cmd.args(["diff", "--host-node-name", "testhost"])
        .args(extra)
        .args([OLD, NEW])
        .output()
        .expect("supc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o.stdout)))
}

#[test]
fn table_snapshots() {
    for (name, dir) in cases() {
        let o = supc(&dir, &["--portable"]);
        let shown = format!(
            "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
            o.status.code(),
            text(&o.stdout),
            text(&o.stderr)
        );
        insta::assert_snapshot!(name, shown);
    }
}

#[test]
fn exit_codes() {
    let code = |case: &str| {
        supc(&repo().join("fixtures/diff").join(case), &["--portable"])
            .status
            .code()
    };
    assert_eq!(code("identical"), Some(0));
    assert_eq!(code("reordered-sections"), Some(0));
    assert_eq!(code("change-command"), Some(1));
    // Only a [supervisord] setting differs: still a difference.
    assert_eq!(code("supervisord-logfile"), Some(1));
    assert_eq!(code("new-rejected"), Some(2));
    let dir = repo().join("fixtures/diff/identical");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    controlled(&mut cmd, &dir);
    let o = cmd
        .args(["diff", OLD, "no-such-file.conf"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("could not find config file no-such-file.conf"),
        "{}",
        text(&o.stderr)
    );
}

fn validate(schema: &Value, doc: &Value) {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn json_output_matches_the_committed_schema() {
    let committed = std::fs::read_to_string(repo().join("schemas/diff.schema.json")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    let current = text(&cmd.args(["schema", "diff"]).output().unwrap().stdout);
    assert_eq!(
        committed, current,
        "schemas/diff.schema.json is stale: regenerate with `supc schema diff`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    for (name, dir) in cases() {
        let o = supc(&dir, &["--portable", "--format", "json"]);
        let doc = json(&o);
        validate(&schema, &doc);
        let expected = if doc["ok"] == true {
            let empty = doc["groups"].as_array().unwrap().is_empty()
                && doc["requires_restart"].as_array().unwrap().is_empty()
                && doc["applied_without_restart"]
                    .as_array()
                    .unwrap()
                    .is_empty();
            i32::from(!empty)
        } else {
            2
        };
        assert_eq!(o.status.code(), Some(expected), "{name}");
    }
}

/// The python with supervisor 4.3.0; a missing one fails the test (as in
/// tests/conformance.rs) rather than passing vacuously.
fn oracle_python() -> PathBuf {
    let python = std::env::var_os("SUPC_ORACLE_PYTHON")
        .map_or_else(|| repo().join(".venv-oracle/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "no oracle python at {}; run scripts/setup-oracle.sh or set SUPC_ORACLE_PYTHON",
        python.display()
    );
    python
}

fn names(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// supc's verdicts in the oracle's shape.
fn supc_verdicts(doc: &Value) -> Value {
    if doc["ok"] != true {
        let first = &doc["errors"][0];
        return serde_json::json!({"ok": false, "role": first["role"], "error": first["error"]});
    }
    let of = |status: &str| -> BTreeSet<String> {
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["status"] == status)
            .map(|g| g["name"].as_str().unwrap().to_string())
            .collect()
    };
    serde_json::json!({
        "ok": true,
        "added": of("added"),
        "changed": of("changed"),
        "removed": of("removed"),
    })
}

/// The oracle's answer with its lists as sets (supervisorctl prints each
/// name once).
fn oracle_verdicts(answer: &Value) -> Value {
    if answer["ok"] != true {
        return answer.clone();
    }
    serde_json::json!({
        "ok": true,
        "added": names(&answer["added"]),
        "changed": names(&answer["changed"]),
        "removed": names(&answer["removed"]),
    })
}

#[test]
fn verdicts_match_supervisor() {
    let python = oracle_python();
    let script = repo().join("tests/oracle/supervisor_diff.py");
    let mut failures = Vec::new();
    for mode in [&[][..], &["--portable"][..]] {
        for (name, dir) in cases() {
            let mut cmd = Command::new(&python);
            controlled(&mut cmd, &dir);
            let o = cmd
                .arg(&script)
                .args(mode)
                .args([OLD, NEW])
                .output()
                .unwrap();
            assert_eq!(
                o.status.code(),
                Some(0),
                "oracle failed on {name} {mode:?}: {}",
                text(&o.stderr)
            );
            let oracle = oracle_verdicts(&json(&o));
            let args: Vec<&str> = mode.iter().copied().chain(["--format", "json"]).collect();
            let ours = supc_verdicts(&json(&supc(&dir, &args)));
            if oracle != ours {
                failures.push(format!(
                    "{name} {mode:?}:\n  supervisor: {oracle}\n  supc:       {ours}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
