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
    let out = explain(&["web_4"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no process matches web_4; closest: web:web_01"),
        "{err}"
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
