//! `supc render --keep-includes --out-dir DIR`: the tree written under
//! another directory reads to the same model (supc's, which the conformance
//! suite holds equal to supervisord's), apart from the directory itself.
//! Runs over every fixture and corpus case that includes files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn supc(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/nonexistent")
        .output()
        .expect("supc runs")
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = Vec::new();
    for set in ["fixtures/conformance", "../shared/corpus/cases"] {
        if let Ok(entries) = std::fs::read_dir(root.join(set)) {
            dirs.extend(
                entries
                    .map(|e| e.unwrap().path().canonicalize().unwrap())
                    .filter(|d| {
                        std::fs::read_to_string(d.join("supervisord.conf"))
                            .is_ok_and(|t| t.contains("[include]"))
                    }),
            );
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn kept_trees_read_to_the_same_model() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let before = supc(
            &case,
            &[
                "expand",
                "--portable",
                "--host-node-name",
                "testhost",
                "--format",
                "json",
                "supervisord.conf",
            ],
        );
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().canonicalize().unwrap().join("tree");
        let r = supc(
            &case,
            &[
                "render",
                "--portable",
                "--keep-includes",
                "--out-dir",
                out.to_str().unwrap(),
                "supervisord.conf",
            ],
        );
        if !r.status.success() {
            // Refused: unreadable files, or includes outside the directory.
            continue;
        }
        checked += 1;
        let after = supc(
            &out,
            &[
                "expand",
                "--portable",
                "--host-node-name",
                "testhost",
                "--format",
                "json",
                "supervisord.conf",
            ],
        );
        let norm = |bytes: &[u8], dir: &Path| {
            let text = String::from_utf8_lossy(bytes)
                .replace(&dir.to_string_lossy().into_owned(), "<DIR>");
            let mut v: serde_json::Value =
                serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.remove("parse_infos");
                o.remove("parse_warnings");
            }
            v
        };
        if norm(&before.stdout, &case) != norm(&after.stdout, &out) {
            problems.push(case.display().to_string());
        }
    }
    assert!(checked > 10, "only {checked} cases with includes");
    assert!(problems.is_empty(), "models differ: {problems:?}");
}
