//! `supc check --fix`, `--diff` and friends on copies of every lint
//! fixture and corpus config:
//!
//! * `--diff` output applied with `patch -p0` gives exactly the files
//!   `--fix` writes (safe and unsafe fixes alike);
//! * after `--fix` no finding with a fix of that kind is left (the fix loop
//!   settles, and every fix removes its finding);
//! * the JSON and SARIF outputs carry the fixes.

mod fix_common;

use fix_common::{Source, all_sources, copy_to, findings, snapshot, supc};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

/// Applies a unified diff in `dir` with `patch -p0`.
fn patch(dir: &Path, diff: &str) {
    use std::io::Write;
    let mut child = Command::new("patch")
        .args(["-p0", "--batch", "--silent", "--no-backup-if-mismatch"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("patch is installed (apt-get install patch)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "patch failed: {}{}\n{diff}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Findings that still carry a fix `--fix` (with `unsafe_too`) would apply.
fn fixable(findings: &[Value], unsafe_too: bool) -> Vec<String> {
    findings
        .iter()
        .filter(|f| {
            let a = f["fix"]["applicability"].as_str();
            a == Some("safe") || (unsafe_too && a == Some("unsafe"))
        })
        .map(|f| format!("{} {}", f["code"], f["message"]))
        .collect()
}

/// One source: diff + patch against --fix, at one level; returns whether
/// anything changed.
fn check_level(source: &Source, unsafe_too: bool, problems: &mut Vec<String>) -> bool {
    let scratch = tempfile::tempdir().unwrap();
    let (fixed, patched) = (scratch.path().join("fixed"), scratch.path().join("patched"));
    copy_to(source, &fixed);
    copy_to(source, &patched);
    let before = snapshot(&fixed);
    let mut args = vec!["check", "--portable"];
    if unsafe_too {
        args.push("--unsafe-fixes");
    }
    let diff = supc(
        &[&args[..], &["--diff", &source.config]].concat(),
        &fixed,
        &source.env,
    );
    let changes = !diff.stdout.is_empty();
    if diff.code != Some(i32::from(changes)) {
        problems.push(format!(
            "{}: --diff exit {:?}: {}",
            source.label, diff.code, diff.stderr
        ));
    }
    if snapshot(&fixed) != before {
        problems.push(format!("{}: --diff wrote files", source.label));
    }
    if changes {
        patch(&patched, &diff.stdout);
    }
    let fix = supc(
        &[&args[..], &["--fix", &source.config]].concat(),
        &fixed,
        &source.env,
    );
    if fix.stderr.contains("supc: ") || fix.code == Some(2) {
        problems.push(format!("{}: --fix: {}", source.label, fix.stderr));
    }
    if snapshot(&fixed) != snapshot(&patched) {
        problems.push(format!(
            "{}: patch -p0 of --diff differs from --fix",
            source.label
        ));
    }
    let left = fixable(&findings(&fixed, source), unsafe_too);
    if !left.is_empty() {
        problems.push(format!(
            "{}: fixable findings left after --fix: {left:?}",
            source.label
        ));
    }
    changes
}

#[test]
fn diff_and_fix_agree_and_leave_nothing_fixable() {
    let sources = all_sources();
    let mut problems = Vec::new();
    let (mut safe_changed, mut unsafe_changed) = (0, 0);
    for source in &sources {
        safe_changed += usize::from(check_level(source, false, &mut problems));
        unsafe_changed += usize::from(check_level(source, true, &mut problems));
    }
    eprintln!(
        "{} configs: safe fixes changed {safe_changed}, safe and unsafe {unsafe_changed}",
        sources.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The fixtures alone hold cases of every fixable rule.
    assert!(safe_changed >= 5, "{safe_changed}");
    assert!(unsafe_changed >= 20, "{unsafe_changed}");
}

fn write_case(dir: &Path) {
    std::fs::write(
        dir.join("supervisord.conf"),
        "[supervisord]\nloglevel=warning\n\n[program:web]\ncommand=/usr/bin/web\nuser=a\nuser=b\n",
    )
    .unwrap();
}

#[test]
fn json_and_sarif_carry_the_fixes() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let json = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "supervisord.conf",
        ],
        dir.path(),
        &[],
    );
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    let dup = findings
        .iter()
        .find(|f| f["rule"] == "duplicate-key")
        .unwrap();
    assert_eq!(dup["fix"]["applicability"], "safe");
    let edit = &dup["fix"]["edits"][0];
    assert_eq!(
        (edit["line"].as_u64(), edit["replacement"].as_str()),
        (Some(6), Some(""))
    );
    assert_eq!(edit["byte_length"], 7, "the whole `user=a\\n` line");
    let level = findings.iter().find(|f| f["code"] == "SUP020").unwrap();
    assert_eq!(level["fix"]["applicability"], "unsafe");
    assert_eq!(level["fix"]["edits"][0]["replacement"], "warn");

    let sarif = supc(
        &[
            "check",
            "--portable",
            "--format",
            "sarif",
            "supervisord.conf",
        ],
        dir.path(),
        &[],
    );
    let doc: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let fixes: Vec<&Value> = results.iter().filter_map(|r| r["fixes"].get(0)).collect();
    assert_eq!(fixes.len(), 2, "{results:?}");
    let change = &fixes[0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "supervisord.conf");
    assert!(change["replacements"][0]["deletedRegion"]["byteOffset"].is_u64());
    let kinds: Vec<&str> = fixes
        .iter()
        .map(|f| f["properties"]["applicability"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"safe") && kinds.contains(&"unsafe"),
        "{kinds:?}"
    );
}

#[test]
fn fix_writes_in_place_keeping_the_mode_and_reports_what_it_did() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let conf = dir.path().join("supervisord.conf");
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = supc(
        &[
            "check",
            "--portable",
            "--fix",
            "--show-fixes",
            "supervisord.conf",
        ],
        dir.path(),
        &[],
    );
    assert!(run.stdout.contains("fixed 1 finding\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("remove the overridden `user` lines (safe)"),
        "{}",
        run.stdout
    );
    // The unsafe one is listed, not applied; the rejection is still there.
    assert!(
        run.stdout.contains("SUP020 fix available (unsafe)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, Some(1));
    let text = std::fs::read_to_string(&conf).unwrap();
    assert_eq!(
        text,
        "[supervisord]\nloglevel=warning\n\n[program:web]\ncommand=/usr/bin/web\nuser=b\n"
    );
    let mode = std::fs::metadata(&conf).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file is left behind");
    // --diff and --fix together make no sense.
    let both = supc(
        &["check", "--fix", "--diff", "supervisord.conf"],
        dir.path(),
        &[],
    );
    assert_eq!(both.code, Some(2), "{}", both.stderr);
}

#[test]
fn included_files_are_fixed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("supervisord.conf"),
        "[supervisord]\n[include]\nfiles=conf.d/*.conf\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("conf.d/web.conf"),
        "[program:web]\ncommand=/bin/cat\nautostart=true\nautostart=false\n",
    )
    .unwrap();
    let diff = supc(
        &["check", "--portable", "--diff", "supervisord.conf"],
        dir.path(),
        &[],
    );
    assert_eq!(
        diff.stdout,
        "--- conf.d/web.conf\n+++ conf.d/web.conf\n@@ -1,4 +1,3 @@\n [program:web]\n command=/bin/cat\n-autostart=true\n autostart=false\n"
    );
    supc(
        &["check", "--portable", "--fix", "supervisord.conf"],
        dir.path(),
        &[],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("conf.d/web.conf")).unwrap(),
        "[program:web]\ncommand=/bin/cat\nautostart=false\n"
    );
}

/// Two main configs that include one conf.d file: its fix is written once
/// and its hunk appears once, so `patch -p0` applies the diff and gives
/// what `--fix` writes.
#[test]
fn a_file_two_configs_include_is_fixed_once() {
    let make = |dir: &Path| {
        std::fs::create_dir(dir.join("conf.d")).unwrap();
        for main in ["a.conf", "b.conf"] {
            std::fs::write(
                dir.join(main),
                "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[include]\nfiles=conf.d/*.conf\n",
            )
            .unwrap();
        }
        // A repeated key: the shadowed line's removal is a safe fix.
        std::fs::write(
            dir.join("conf.d/shared.conf"),
            "[program:web]\ncommand=/bin/web\nuser=nobody\nuser=www\n",
        )
        .unwrap();
    };
    let by_diff = tempfile::tempdir().unwrap();
    make(by_diff.path());
    let diff = supc(
        &["check", "--portable", "--diff", "a.conf", "b.conf"],
        by_diff.path(),
        &[],
    );
    assert_eq!(diff.code, Some(1), "{}", diff.stderr);
    assert_eq!(
        diff.stdout.matches("+++ conf.d/shared.conf").count(),
        1,
        "{}",
        diff.stdout
    );
    patch(by_diff.path(), &diff.stdout);
    let by_fix = tempfile::tempdir().unwrap();
    make(by_fix.path());
    let fix = supc(
        &["check", "--portable", "--fix", "a.conf", "b.conf"],
        by_fix.path(),
        &[],
    );
    assert_eq!(fix.code, Some(0), "{}{}", fix.stdout, fix.stderr);
    // One fix written, so one reported.
    assert!(fix.stdout.contains("fixed 1 finding\n"), "{}", fix.stdout);
    let fixed = std::fs::read_to_string(by_fix.path().join("conf.d/shared.conf")).unwrap();
    assert_eq!(fixed, "[program:web]\ncommand=/bin/web\nuser=www\n");
    assert_eq!(snapshot(by_diff.path()), snapshot(by_fix.path()));
}
