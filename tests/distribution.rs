//! How supc reaches users, tested as they would meet it: shell completions
//! and man pages that name every subcommand clap knows, the crate's file
//! list, the sdist's contents, and a wheel that installs into a fresh venv
//! and runs `supc` from there.
//!
//! The Python side uses maturin (pinned in tests/requirements/dist.txt, which
//! `scripts/setup-oracle.sh` installs into the oracle venv; when that venv
//! lacks it, a scratch venv gets it from PyPI). Only when maturin cannot be
//! had at all do those tests print `SKIPPED` and return.
//!
//! The wheel is built with cargo's `dev` profile by default, which reuses
//! most of what `cargo test` compiled (the library is compiled once more
//! without the dev-dependencies' features); `SUPC_WHEEL_PROFILE=release`
//! builds the wheel users get (a full release build, many minutes more on
//! two cores).

#[path = "distribution/python.rs"]
mod python;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};
use std::time::Duration;

use python::{maturin, run_bounded};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn supc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_supc"))
}

/// The wheel's dev build relinks target/debug/supc (the same code), so the
/// tests that run it hold this lock for reading and the build for writing.
static BINARY: RwLock<()> = RwLock::new(());

fn binary_in_use() -> RwLockReadGuard<'static, ()> {
    BINARY.read().unwrap_or_else(PoisonError::into_inner)
}

/// Every subcommand's name, nested ones too, enumerated from clap.
fn subcommand_names() -> Vec<String> {
    fn walk(cmd: &clap::Command, names: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            names.push(sub.get_name().to_string());
            walk(sub, names);
        }
    }
    let mut names = Vec::new();
    walk(&supc::cli::completions::command(), &mut names);
    assert!(
        names.len() >= 12,
        "clap lists too few subcommands: {names:?}"
    );
    names
}

/// The `supc-a-b` man page names of every subcommand, nested ones too.
fn man_page_names() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, names: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands() {
            let name = format!("{prefix}-{}", sub.get_name());
            names.insert(format!("{name}.1"));
            walk(sub, &name, names);
        }
    }
    let mut names = BTreeSet::from(["supc.1".to_string()]);
    walk(&supc::cli::completions::command(), "supc", &mut names);
    names
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        edge(before) && edge(after)
    })
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let _bin = binary_in_use();
    let names = subcommand_names();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = supc().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        let missing: Vec<&String> = names
            .iter()
            .filter(|name| !contains_word(&script, name))
            .collect();
        assert!(missing.is_empty(), "{shell} script lacks {missing:?}");
        assert!(contains_word(&script, "portable"), "{shell}: no --portable");
    }
}

#[test]
fn bash_completion_script_parses() {
    let _bin = binary_in_use();
    let out = supc().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("supc.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(check.status.success(), "bash -n: {check:?}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let _bin = binary_in_use();
    let out = supc().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn man_writes_a_page_per_subcommand() {
    let _bin = binary_in_use();
    let dir = tempfile::tempdir().unwrap();
    let out = supc().arg("man").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let written: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, man_page_names());
    let top = std::fs::read_to_string(dir.path().join("supc.1")).unwrap();
    assert!(top.contains(".TH supc 1"), "supc.1 has no title line");
    for name in subcommand_names() {
        assert!(contains_word(&top, &name), "supc.1 does not list {name}");
    }
    let check = std::fs::read_to_string(dir.path().join("supc-check.1")).unwrap();
    assert!(check.contains("portable"), "supc-check.1 lacks its flags");
}

#[test]
fn man_prints_the_top_page_without_a_directory() {
    let _bin = binary_in_use();
    let out = supc().arg("man").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let dir = tempfile::tempdir().unwrap();
    assert!(
        supc()
            .arg("man")
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    let file = std::fs::read(dir.path().join("supc.1")).unwrap();
    assert_eq!(out.stdout, file);
}

#[test]
fn man_does_not_replace_pages_unless_forced() {
    let _bin = binary_in_use();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("supc-check.1");
    std::fs::write(&page, "mine\n").unwrap();
    let out = supc().arg("man").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "mine\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let out = supc()
        .args(["man", "--force"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::read_to_string(&page).unwrap().contains("portable"));
    let names: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, man_page_names(), "no temporary file left behind");
}

/// The files `cargo package` would put in the crate.
fn crate_files() -> BTreeSet<String> {
    // --allow-dirty: a developer's uncommitted work is listed as it would be
    // packaged; CI runs on a clean checkout.
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["package", "--list", "--locked", "--allow-dirty"])
        .current_dir(repo());
    let out = run_bounded(&mut cmd, Duration::from_secs(300)).expect("cargo package --list");
    assert!(out.success, "cargo package --list: {}", out.stderr);
    out.stdout.lines().map(str::to_string).collect()
}

#[test]
fn the_crate_carries_licenses_lock_and_fixtures_but_no_ci() {
    let files = crate_files();
    for needed in [
        "Cargo.lock",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "src/main.rs",
        "grammar/ini.pest",
        "schemas/expand.schema.json",
        "fixtures/conformance/001-missing-config-dangling-symlink/.gitignore",
    ] {
        assert!(files.contains(needed), "the crate lacks {needed}");
    }
    let stray: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.starts_with("target/")
                || f.starts_with(".ci/")
                || f.starts_with("fuzz/")
                || f.ends_with("dangling-symlink/supervisord.conf")
        })
        .collect();
    assert!(stray.is_empty(), "the crate would carry {stray:?}");
}

#[test]
fn sdist_holds_what_a_source_build_needs_and_no_tests() {
    let Some(maturin) = maturin() else { return };
    let out_dir = tempfile::tempdir().unwrap();
    let mut cmd = maturin.command();
    cmd.args(["sdist", "--out"])
        .arg(out_dir.path())
        .current_dir(repo());
    let done = run_bounded(&mut cmd, Duration::from_secs(300)).expect("maturin sdist");
    assert!(done.success, "maturin sdist: {}", done.stderr);
    let sdist = only_file(out_dir.path(), ".tar.gz");
    let members = tar_members(&sdist);
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "PKG-INFO",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/cli/completions.rs",
        "grammar/ini.pest",
        "schemas/expand.schema.json",
        "benches/pipeline.rs",
    ] {
        assert!(members.contains(needed), "the sdist lacks {needed}");
    }
    let stray: Vec<&String> = members
        .iter()
        .filter(|m| {
            ["fixtures/", "tests/", "target/", ".ci/", "docs/"]
                .iter()
                .any(|d| m.starts_with(d))
        })
        .collect();
    assert!(stray.is_empty(), "the sdist carries {stray:?}");
}

/// Paths inside the sdist, without its `supc-VERSION/` top directory.
fn tar_members(archive: &Path) -> BTreeSet<String> {
    let out = Command::new("tar")
        .arg("tzf")
        .arg(archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "tar tzf: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once('/').map(|(_, rest)| rest.to_string()))
        .filter(|rest| !rest.is_empty())
        .collect()
}

/// The one file in `dir` whose name ends with `suffix`.
fn only_file(dir: &Path, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{suffix} files in {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_runs() {
    let Some(maturin) = maturin() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let wheel = build_wheel(&maturin, &scratch.path().join("wheels"));
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("supc-{}-py3-none-", env!("CARGO_PKG_VERSION"));
    assert!(name.starts_with(&prefix), "wheel name {name}");

    let venv = scratch.path().join("venv");
    let Some(python) = python::fresh_venv(&maturin.python, &venv) else {
        return;
    };
    let mut install = Command::new(&python);
    install
        .args(["-m", "pip", "install", "--no-index", "--no-deps", "--quiet"])
        .arg(&wheel);
    let done = run_bounded(&mut install, Duration::from_secs(300)).expect("pip install");
    assert!(done.success, "pip install {name}: {}", done.stderr);

    // `supc` by name, found on the venv's PATH as an activated venv would.
    let bin = venv.join("bin");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let installed = |args: &[&str]| {
        let mut cmd = Command::new("supc");
        cmd.args(args).env("PATH", &path).current_dir(repo());
        run_bounded(&mut cmd, Duration::from_secs(60)).expect("installed supc")
    };
    let version = installed(&["--version"]);
    assert!(version.success, "{}", version.stderr);
    assert_eq!(
        version.stdout.trim(),
        format!("supc {}", env!("CARGO_PKG_VERSION"))
    );

    // The JSON report: the same bytes as the cargo-built binary's, and the
    // bundled example is accepted.
    let args = ["check", "--portable", "--format", "json"];
    let example = "fixtures/examples/webapp/supervisord.conf";
    let from_wheel = installed(&[&args[..], &[example]].concat());
    let built = supc()
        .args(args)
        .arg(example)
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(from_wheel.code, Some(0), "{}", from_wheel.stderr);
    assert_eq!(from_wheel.code, built.status.code());
    assert_eq!(from_wheel.stdout.as_bytes(), built.stdout.as_slice());
    let report: serde_json::Value = serde_json::from_str(&from_wheel.stdout).unwrap();
    assert_eq!(report["files"][0]["accepted"], true, "{report}");
}

fn build_wheel(maturin: &python::Maturin, out_dir: &Path) -> PathBuf {
    let profile = std::env::var("SUPC_WHEEL_PROFILE").unwrap_or_else(|_| "dev".into());
    let mut cmd = maturin.command();
    cmd.args(["build", "--locked", "--profile", &profile, "--out"])
        .arg(out_dir)
        .current_dir(repo());
    let started = std::time::Instant::now();
    let building = BINARY.write().unwrap_or_else(PoisonError::into_inner);
    let done = run_bounded(&mut cmd, Duration::from_secs(40 * 60)).expect("maturin build");
    drop(building);
    assert!(done.success, "maturin build: {}", done.stderr);
    eprintln!(
        "wheel built with the {profile} profile in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    only_file(out_dir, ".whl")
}
