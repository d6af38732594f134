//! Shared by the fix tests: every lint fixture and corpus config, copied
//! into a scratch directory of its own (fixes write files), `supc` run
//! there with a controlled environment, and the oracle (supervisor 4.3.0)
//! asked about many copies in one batch.

#![allow(dead_code, reason = "each test binary uses part of it")]

#[path = "../conformance/process.rs"]
mod process;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SUPC_TIMEOUT: Duration = Duration::from_secs(120);
const ORACLE_TIMEOUT: Duration = Duration::from_secs(900);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A config to fix: where it came from, and its inputs.
#[derive(Clone, Debug)]
pub struct Source {
    pub label: String,
    /// A directory to copy whole, or a single file.
    pub origin: PathBuf,
    /// The config path inside the copy.
    pub config: String,
    pub env: Vec<(String, String)>,
}

/// Every lint fixture case (`fixtures/lint/<rule>/<case>`), with the
/// variables the lint harness gives them.
pub fn fixture_sources() -> Vec<Source> {
    let root = repo().join("fixtures/lint");
    let mut out = Vec::new();
    for rule in sorted_dir(&root) {
        for case in sorted_dir(&rule) {
            let rule_name = rule.file_name().unwrap().to_string_lossy().into_owned();
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let config = if case.is_dir() {
                "supervisord.conf".to_string()
            } else {
                name.clone()
            };
            out.push(Source {
                label: format!("fixtures/lint/{rule_name}/{name}"),
                origin: case,
                config,
                env: vec![("WORKERS".into(), "1".into())],
            });
        }
    }
    out
}

/// Every corpus case (`../shared/corpus/cases/NNN`) with `corpus.env`;
/// empty (with a note) when the corpus is absent.
pub fn corpus_sources() -> Vec<Source> {
    let root = repo().join("../shared/corpus/cases");
    if !root.is_dir() {
        eprintln!("SKIPPED corpus part: needs ../shared/corpus/cases (the shared corpus)");
        return Vec::new();
    }
    let text = std::fs::read_to_string(root.join("corpus.env")).unwrap_or_default();
    let env: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sorted_dir(&root)
        .into_iter()
        .filter(|d| d.join("supervisord.conf").is_file())
        .map(|d| Source {
            label: format!("corpus/{}", d.file_name().unwrap().to_string_lossy()),
            origin: d,
            config: "supervisord.conf".into(),
            env: env.clone(),
        })
        .collect()
}

/// `fixtures/fix/*.conf`: fixes of supervisord's own errors (a byte
/// order mark, its value spellings) and fixes that meet on one line.
pub fn fix_fixture_sources() -> Vec<Source> {
    sorted_dir(&repo().join("fixtures/fix"))
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            Source {
                label: format!("fixtures/fix/{name}"),
                origin: f,
                config: name,
                env: Vec::new(),
            }
        })
        .collect()
}

pub fn all_sources() -> Vec<Source> {
    let mut s = fixture_sources();
    s.extend(fix_fixture_sources());
    s.extend(corpus_sources());
    s
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A copy of a source in `into` (a new directory), keeping the files'
/// modes; symlinks are copied as links.
pub fn copy_to(source: &Source, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    if source.origin.is_dir() {
        copy_dir(&source.origin, into);
    } else {
        copy_file(&source.origin, &into.join(&source.config));
    }
}

fn copy_file(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in sorted_dir(from) {
        let target = to.join(entry.file_name().unwrap());
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        if meta.file_type().is_symlink() {
            let link = std::fs::read_link(&entry).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if meta.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry, &target);
        } else if meta.is_file() {
            copy_file(&entry, &target);
        }
    }
}

/// Every regular file under `dir`, relative path -> bytes.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in sorted_dir(&d) {
            let meta = std::fs::symlink_metadata(&entry).unwrap();
            if meta.is_dir() {
                stack.push(entry);
            } else if meta.is_file() {
                let rel = entry.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&entry).unwrap());
            }
        }
    }
    out
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// `supc ARGS` in `dir` with HOME, PATH and the source's variables only.
/// Under `--portable` supc sees no process environment, so the source's
/// variables (what the oracle is given) are passed as `--env` too.
pub fn supc(args: &[&str], dir: &Path, env: &[(String, String)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    cmd.args(args).current_dir(dir).env_clear();
    if args.contains(&"--portable") {
        for (k, v) in env {
            cmd.arg("--env").arg(format!("{k}={v}"));
        }
    }
    cmd.env("HOME", "/nonexistent")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = process::run_captured(cmd, None, SUPC_TIMEOUT).expect("supc runs");
    Run {
        code: run.status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    }
}

/// `supc check --portable --format json` on the copy: the findings.
pub fn findings(dir: &Path, source: &Source) -> Vec<Value> {
    let run = supc(
        &["check", "--portable", "--format", "json", &source.config],
        dir,
        &source.env,
    );
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", source.label, run.stderr));
    doc["files"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Whether supc accepts the copy (its `accepted` verdict); None for a
/// file supc checks as a conf.d snippet (supervisord would refuse it as a
/// main file, and supc knows).
pub fn accepted(dir: &Path, source: &Source) -> Option<bool> {
    let run = supc(
        &["check", "--portable", "--format", "json", &source.config],
        dir,
        &source.env,
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    let file = &doc["files"][0];
    if file["snippet"].as_bool() == Some(true) {
        return None;
    }
    Some(file["accepted"].as_bool().unwrap_or(false))
}

/// The python with supervisor 4.3.0 (as the conformance tests find it).
fn oracle_python() -> PathBuf {
    let python = std::env::var_os("SUPC_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-oracle/bin/python"));
    assert!(
        python.exists(),
        "no oracle python at {}; run scripts/setup-oracle.sh",
        python.display()
    );
    python
}

/// The oracle's answer for each (directory, source), in one batch, in
/// portable mode: its `result`, or why there is none.
pub fn oracle(jobs: &[(PathBuf, Source)]) -> Vec<Result<Value, String>> {
    let mut cmd = Command::new(oracle_python());
    cmd.arg(repo().join("tests/oracle/supervisor_dump.py"))
        .args(["--batch", "--portable"]);
    let input: String = jobs
        .iter()
        .map(|(dir, s)| {
            let env: serde_json::Map<String, Value> = s
                .env
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let req = serde_json::json!({
                "config": s.config,
                "cwd": dir.to_str().expect("UTF-8 scratch path"),
                "env": env,
                "host_node_name": "testhost",
            });
            format!("{req}\n")
        })
        .collect();
    let run = process::run_captured(cmd, Some(input.into_bytes()), ORACLE_TIMEOUT)
        .expect("the oracle runs");
    let mut answers: Vec<Result<Value, String>> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|line| {
            let reply: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
            match reply["status"].as_i64() {
                Some(0 | 1) => Ok(reply["result"].clone()),
                _ => Err(format!("oracle: {reply}")),
            }
        })
        .collect();
    let why = format!(
        "no answer from the oracle ({}){}",
        run.describe_end(),
        process::tail(&run.stderr)
    );
    answers.resize(jobs.len(), Err(why));
    answers
}

/// The model an oracle answer describes, with the copy's directory
/// replaced (two copies live in two directories) and supervisord's startup
/// messages left out (a fix may rightly silence a warning).
pub fn model(answer: &Value, dir: &Path) -> String {
    let mut v = answer.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("parse_warnings");
        o.remove("parse_infos");
    }
    let dir = dir.to_string_lossy();
    v.to_string().replace(dir.as_ref(), "[DIR]")
}

/// Whether the oracle accepted the config.
pub fn oracle_ok(answer: &Value) -> bool {
    answer["ok"].as_bool().unwrap_or(false)
}
