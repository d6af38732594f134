//! What `supc check --fix` (and `--unsafe-fixes`) does to each lint
//! fixture, as a person reviews it: the fixes applied and the unified diff,
//! one snapshot per rule folder (`fixtures/lint/<rule>/`) and one for
//! `fixtures/fix/`. Computed in memory by the library (`--diff`'s path):
//! nothing is written.

use std::path::{Path, PathBuf};
use supc::fix::{Level, session};
use supc::host::Host;
use supc::lint::Settings;

fn host(cwd: &Path) -> Host {
    Host {
        env: vec![
            ("HOME".into(), "/nonexistent".into()),
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            ("WORKERS".into(), "1".into()),
        ],
        node_name: "testhost".into(),
        cwd: cwd.to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    }
}

/// (directory to run in, config path relative to it)
fn case_paths(case: &Path) -> (PathBuf, String) {
    if case.is_dir() {
        (case.to_path_buf(), "supervisord.conf".into())
    } else {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        (case.parent().unwrap().to_path_buf(), name)
    }
}

/// The fixes of one case at one level, or nothing when none applies.
fn render(case: &Path, level: Level) -> Option<String> {
    let (dir, file) = case_paths(case);
    let host = host(&dir);
    let text = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
    let snippet = !text.contains("[supervisord]");
    let outcome = session::fix_config(&file, &host, &Settings::default(), snippet, level);
    if outcome.changed.is_empty() {
        return None;
    }
    let mut out = String::new();
    for a in &outcome.applied {
        out.push_str(&format!("- {:?}: {}\n", a.applicability, a.message));
    }
    out.push_str(&format!("({} passes)\n", outcome.passes));
    out.push_str(&session::diff(&outcome));
    Some(out.replace(dir.to_string_lossy().as_ref(), "[CASE]"))
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn snapshot_folder(folder: &Path, name: &str) -> usize {
    let mut text = String::new();
    let mut changed = 0;
    for case in sorted(folder) {
        let case_name = case.file_name().unwrap().to_string_lossy().into_owned();
        for (level, label) in [
            (Level::Safe, "--fix"),
            (Level::Unsafe, "--fix --unsafe-fixes"),
        ] {
            if let Some(r) = render(&case, level) {
                changed += 1;
                text.push_str(&format!("### {case_name}: {label}\n{r}\n"));
            }
        }
    }
    if text.is_empty() {
        text.push_str("(no fixes)\n");
    }
    insta::with_settings!({snapshot_path => "snapshots/fix", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name.to_string(), text);
    });
    changed
}

#[test]
fn fixes_of_every_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut changed = 0;
    for rule in sorted(&root.join("fixtures/lint")) {
        let name = rule.file_name().unwrap().to_string_lossy().into_owned();
        changed += snapshot_folder(&rule, &name);
    }
    changed += snapshot_folder(&root.join("fixtures/fix"), "supervisord-errors");
    assert!(changed >= 40, "{changed}");
}
