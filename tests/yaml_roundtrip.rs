//! INI → supc.yaml → INI keeps the supervisord model: on every conformance
//! fixture and every corpus config (when `../shared/corpus/cases` exists),
//! `supc expand --format json` of the original and of the round-tripped INI
//! are equal (apart from the include log: includes are inlined). Configs
//! supc.yaml cannot represent, and configs supervisord rejects, are refused
//! by `supc convert` with a message; they are counted, never mis-converted.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn supc(args: &[&str], cwd: &Path) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/nonexistent")
        .env("CI", "1")
        .output()
        .expect("supc runs");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn model(json: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(json).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("parse_infos");
        o.remove("parse_warnings");
    }
    v
}

#[derive(Default)]
struct Tally {
    same: usize,
    refused_rejected: usize,
    refused_other: Vec<String>,
    mismatched: Vec<String>,
}

fn roundtrip(dir: &Path, tally: &mut Tally) {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("supc.yaml");
    let ini = tmp.path().join("rendered.conf");
    let (y, ys, i) = (
        yaml.to_str().unwrap(),
        ini.to_str().unwrap(),
        dir.display().to_string(),
    );
    let _ = ys;
    let (rc, _, err) = supc(
        &[
            "convert",
            "--portable",
            "--to",
            "yaml",
            "supervisord.conf",
            "-o",
            y,
        ],
        dir,
    );
    if rc != 0 {
        if err.contains("supervisord rejects this config") || err.contains("could not") {
            tally.refused_rejected += 1;
        } else {
            tally.refused_other.push(format!("{i}: {}", err.trim()));
        }
        return;
    }
    let (rc, _, err) = supc(
        &["render", "--portable", y, "-o", ini.to_str().unwrap()],
        dir,
    );
    assert_eq!(rc, 0, "{i}: converted YAML does not render: {err}");
    let (_, a, _) = supc(
        &[
            "expand",
            "--portable",
            "--format",
            "json",
            "supervisord.conf",
        ],
        dir,
    );
    let (_, b, _) = supc(
        &[
            "expand",
            "--portable",
            "--format",
            "json",
            ini.to_str().unwrap(),
        ],
        dir,
    );
    if model(&a) == model(&b) {
        tally.same += 1;
    } else {
        tally.mismatched.push(i);
    }
}

fn cases(base: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("supervisord.conf").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn run(base: &Path, what: &str) -> Tally {
    let mut tally = Tally::default();
    for dir in cases(base) {
        roundtrip(&dir, &mut tally);
    }
    eprintln!(
        "{what}: {} round-tripped to the same model, {} refused (supervisord rejects them), {} refused (no supc.yaml form), {} mismatched",
        tally.same,
        tally.refused_rejected,
        tally.refused_other.len(),
        tally.mismatched.len()
    );
    for r in &tally.refused_other {
        eprintln!("  refused: {r}");
    }
    assert!(
        tally.mismatched.is_empty(),
        "{what}: converted but not the same model: {:#?}",
        tally.mismatched
    );
    tally
}

#[test]
fn conformance_fixtures_round_trip() {
    let t = run(&root().join("fixtures/conformance"), "fixtures/conformance");
    assert!(t.same > 100, "too few round trips: {}", t.same);
}

#[test]
fn corpus_round_trips() {
    let base = root().join("../shared/corpus/cases");
    if !base.is_dir() {
        eprintln!("no corpus at {}", base.display());
        return;
    }
    run(&base, "corpus");
}
