//! `supc explain` as users call it: the names they type, the suggestions
//! for a name that matches nothing, and the explanation a person reads.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples/webapp")
}

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args([
            "explain",
            "--portable",
            "--host-node-name",
            "web1",
            "supervisord.conf",
        ])
        .args(args)
        .current_dir(example())
        .output()
        .expect("supc runs")
}

fn names(args: &[&str]) -> Vec<String> {
    let out = explain(&[&["--format", "json"], args].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["namespec"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn accepts_what_users_type() {
    assert_eq!(names(&["web_02"]), ["web:web_02"]);
    assert_eq!(names(&["web:web_02"]), ["web:web_02"]);
    assert_eq!(
        names(&["web:*"]),
        ["web:web_01", "web:web_02", "web:web_03"]
    );
    assert_eq!(names(&["web"]), ["web:web_01", "web:web_02", "web:web_03"]);
    assert_eq!(
        names(&["backend:"]),
        ["backend:worker_0", "backend:worker_1", "backend:scheduler"]
    );
    assert_eq!(names(&["*_0?"]), ["web:web_01", "web:web_02", "web:web_03"]);
    assert_eq!(names(&[]).len(), 7);
}

#[test]
fn an_unknown_name_gets_the_closest_ones() {
    let out = explain(&["web_04"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // Why it does not exist, and the nearest instance first.
    assert!(err.contains("no process is named web_04\n"), "{err}");
    assert!(
        err.contains("[program:web] has numprocs=3, numprocs_start=1 → process_num 1..3: web:web_01 … web:web_03\n"),
        "{err}"
    );
    assert!(
        err.contains("closest: web:web_03, web:web_02, web:web_01\n"),
        "{err}"
    );
}

#[test]
fn a_bare_name_in_a_group_gets_the_namespec_supervisorctl_needs() {
    let out = explain(&["--format", "json", "web_02"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let note = v[0]["notes"][0].as_str().unwrap();
    assert!(
        note.starts_with("supervisorctl needs `web:web_02`"),
        "{note}"
    );
    // Typed as the namespec: no such note.
    let out = explain(&["--format", "json", "web:web_02"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !v[0]["notes"].to_string().contains("supervisorctl needs"),
        "{v}"
    );
}

#[test]
fn explanation_reads_well() {
    let out = explain(&["web_01", "worker_1"]);
    assert!(out.status.success());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(&root.to_string_lossy().into_owned(), "[ROOT]");
    insta::assert_snapshot!("explain_web_and_worker", text);
}
