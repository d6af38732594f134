//! INI → supc.yaml → INI keeps the supervisord model: on every conformance
//! fixture and every corpus config (when `../shared/corpus/cases` exists),
//! `supc expand --format json` of the original and of the round-tripped INI
//! are equal (apart from the include log: includes are inlined).
//!
//! Each config is converted twice:
//! - in place: in a copy of its directory, the YAML and the rendered INI
//!   next to the config (the model may depend on the config's directory,
//!   e.g. a bare `%s` lists `here`). Every config supervisord accepts must
//!   round trip (quirks the typed form cannot say go under `ini:`);
//! - moved: the YAML written to another directory (`%(here)` pinned to the
//!   config's directory). Every accepted config must round trip, or be
//!   refused because its meaning depends on its own directory.
//!
//! Configs supervisord rejects are refused and counted; nothing is ever
//! converted to a different model.

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

fn expand(conf: &Path, cwd: &Path) -> serde_json::Value {
    let (_, out, _) = supc(
        &[
            "expand",
            "--portable",
            "--format",
            "json",
            conf.to_str().unwrap(),
        ],
        cwd,
    );
    model(&out)
}

#[derive(Default)]
struct Tally {
    same: usize,
    /// Configs with a value under `ini:`.
    with_ini: usize,
    refused_rejected: usize,
    /// Moved only: the model depends on the config's directory.
    refused_place: Vec<String>,
    refused_other: Vec<String>,
    mismatched: Vec<String>,
}

/// Copies a case directory (files, subdirectories, symlinks as links).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ty = e.file_type().unwrap();
        if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if ty.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Converts `dir/supervisord.conf` (from `dir`) to `out/supc.yaml`, renders
/// it to `out/rendered.conf` and compares the models.
fn roundtrip(dir: &Path, out: &Path, label: &str, moved: bool, tally: &mut Tally) {
    let yaml = out.join("supc.yaml");
    let ini = out.join("rendered.conf");
    let y = yaml.to_str().unwrap();
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
        } else if moved && err.contains("means something else in another directory") {
            tally.refused_place.push(label.to_string());
        } else {
            tally.refused_other.push(format!("{label}: {}", err.trim()));
        }
        return;
    }
    if std::fs::read_to_string(&yaml)
        .unwrap()
        .lines()
        .any(|l| l.trim_start() == "ini:")
    {
        tally.with_ini += 1;
    }
    // The model is what is compared here: findings of lint rules (which
    // fail a render at error level) are not.
    let ignore = lint_codes();
    let (rc, _, err) = supc(
        &[
            "render",
            "--portable",
            "--ignore",
            &ignore,
            y,
            "-o",
            ini.to_str().unwrap(),
        ],
        dir,
    );
    assert_eq!(rc, 0, "{label}: converted YAML does not render: {err}");
    // The original is read the way `convert` read it (relative to its
    // directory), so `%(here)s` is the same directory however `dir` is
    // spelled (e.g. through a symlink).
    if expand(Path::new("supervisord.conf"), dir) == expand(&ini, dir) {
        tally.same += 1;
    } else {
        tally.mismatched.push(label.to_string());
    }
}

/// Every lint rule's code, comma-separated (`supc rules --format json`).
fn lint_codes() -> String {
    let (rc, out, err) = supc(&["rules", "--format", "json"], &root());
    assert_eq!(rc, 0, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let codes: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    codes.join(",")
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

fn report(what: &str, t: &Tally) {
    eprintln!(
        "{what}: {} round-tripped to the same model ({} with `ini:` values), {} refused (supervisord rejects them), {} refused (meaning depends on the directory), {} refused (no supc.yaml form), {} mismatched",
        t.same,
        t.with_ini,
        t.refused_rejected,
        t.refused_place.len(),
        t.refused_other.len(),
        t.mismatched.len()
    );
    for r in &t.refused_place {
        eprintln!("  refused when moved: {r}");
    }
    for r in &t.refused_other {
        eprintln!("  refused: {r}");
    }
}

fn run(base: &Path, what: &str) -> (Tally, Tally) {
    let (mut in_place, mut moved) = (Tally::default(), Tally::default());
    for dir in cases(base) {
        let label = dir.display().to_string();
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("case");
        copy_dir(&dir, &copy);
        roundtrip(&copy, &copy, &label, false, &mut in_place);
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        roundtrip(&dir, &elsewhere, &label, true, &mut moved);
    }
    report(&format!("{what} (in place)"), &in_place);
    report(&format!("{what} (moved)"), &moved);
    for t in [&in_place, &moved] {
        assert!(
            t.mismatched.is_empty(),
            "{what}: converted but not the same model: {:#?}",
            t.mismatched
        );
        assert!(
            t.refused_other.is_empty(),
            "{what}: configs supervisord accepts must convert: {:#?}",
            t.refused_other
        );
    }
    assert!(
        in_place.refused_place.is_empty(),
        "{what}: refused in place: {:#?}",
        in_place.refused_place
    );
    assert_eq!(
        in_place.same + in_place.refused_rejected,
        moved.same + moved.refused_rejected + moved.refused_place.len(),
        "{what}: the same configs are accepted in place and moved"
    );
    (in_place, moved)
}

#[test]
fn conformance_fixtures_round_trip() {
    let (t, _) = run(&root().join("fixtures/conformance"), "fixtures/conformance");
    assert!(t.same > 100, "too few round trips: {}", t.same);
    assert!(t.with_ini > 0, "no fixture exercises `ini:`");
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

/// `ini:` is for what the typed form cannot say, never for the rest.
#[test]
fn convert_types_what_it_can_and_only_the_rest_is_ini_text() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("supervisord.conf"),
        r#"[supervisord]
environment=X="%(here)s/x",Y="50%%%%"

[program:web]
command=bash -c 'echo 100%% %(program_name)s'
autostart=yes
exitcodes=0,2
stdout_logfile=%(here)s/100%%%%.log
stderr_logfile=%(here)s/%%(program_name)s.err
environment=A="1",B=2,C="%(ENV_HOME)s"

[rpcinterface:supervisor]
supervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface
"#,
    )
    .unwrap();
    let (rc, yaml, err) = supc(
        &[
            "convert",
            "--portable",
            "--env",
            "HOME=/nonexistent",
            "--to",
            "yaml",
            "supervisord.conf",
        ],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    let yaml = String::from_utf8(yaml).unwrap();
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
    let web = &v["programs"]["web"];
    assert_eq!(
        web["command"].as_str(),
        Some("bash -c 'echo 100% %(program_name)s'")
    );
    assert_eq!(web["autostart"].as_bool(), Some(true), "{yaml}");
    assert_eq!(
        web["exitcodes"],
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>("[0, 2]").unwrap()
    );
    assert_eq!(web["stdout_logfile"].as_str(), Some("%(here)s/100%.log"));
    assert_eq!(web["environment"]["C"].as_str(), Some("%(ENV_HOME)s"));
    assert_eq!(v["supervisord"]["environment"]["Y"].as_str(), Some("50%"));
    // Only the expansion meant for the second pass is INI text.
    assert_eq!(
        serde_yaml_ng::to_string(&web["ini"]).unwrap(),
        "stderr_logfile: '%(here)s/%%(program_name)s.err'\n",
        "{yaml}"
    );
    assert_eq!(yaml.matches("ini:").count(), 1, "{yaml}");
}
