//! `supc render spec.yaml`: the three-host fixture in `fixtures/yaml/`
//! rendered per host (snapshots), all-or-nothing writing, `--check`, and
//! errors at YAML and template locations (snapshots of the human output).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn supc(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/nonexistent")
        .env("CI", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("supc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SPEC: &str = "fixtures/yaml/supc.yaml";
const INV: &str = "fixtures/yaml/inventory.yml";

#[test]
fn every_host_is_rendered_and_checked() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("hosts");
    let (rc, _, err) = supc(
        &[
            "render",
            "--portable",
            SPEC,
            "--inventory",
            INV,
            "--all-hosts",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(rc, 0, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ops1.conf", "web1.conf", "worker1.conf"]);
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        insta::assert_snapshot!(format!("render_{name}"), text);
        // Each output is a config supc (and so supervisord) accepts.
        let (rc, _, err) = supc(
            &["check", "--portable", dir.join(name).to_str().unwrap()],
            &root(),
        );
        assert_ne!(rc, 2, "{name}: {err}");
    }
    // One host on stdout is the same text.
    let (rc, stdout, _) = supc(
        &[
            "render",
            "--portable",
            SPEC,
            "--inventory",
            INV,
            "--host",
            "worker1",
        ],
        &root(),
    );
    assert_eq!(rc, 0);
    let worker = std::fs::read_to_string(dir.join("worker1.conf")).unwrap();
    assert_eq!(stdout, worker);
    assert!(worker.contains("numprocs=8\n"), "host vars win: {worker}");
}

#[test]
fn nothing_is_written_when_one_host_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = tmp.path().join("inv.yml");
    // worker2 lacks nothing but sets a value supervisord rejects.
    std::fs::write(
        &inv,
        std::fs::read_to_string(root().join(INV)).unwrap()
            + "    broken:\n      vars: {queue: q, worker_procs: many}\n      children: {workers: {hosts: {worker2: {worker_procs: many}}}}\n",
    )
    .unwrap();
    let dir = tmp.path().join("out");
    let (rc, _, err) = supc(
        &[
            "render",
            "--portable",
            SPEC,
            "--inventory",
            inv.to_str().unwrap(),
            "--all-hosts",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("host worker2"), "{err}");
    assert!(
        err.contains("nothing written: 1 of 4 hosts failed"),
        "{err}"
    );
    let written = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    assert_eq!(written, 0);
    // --check renders and checks without writing.
    let (rc, _, err) = supc(
        &[
            "render",
            "--portable",
            SPEC,
            "--inventory",
            INV,
            "--all-hosts",
            "--check",
        ],
        &root(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("3 rendered and checked, nothing written"),
        "{err}"
    );
}

#[test]
fn errors_point_at_yaml_and_template_locations() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/yaml/errors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let rel = format!("fixtures/yaml/errors/{name}.yaml");
        let (rc, stdout, err) = supc(&["render", "--portable", &rel], &root());
        assert_eq!(rc, 1, "{name}: {stdout}");
        assert!(stdout.is_empty(), "{name}: nothing on stdout");
        insta::assert_snapshot!(format!("error_{name}"), err);
    }
}

#[test]
fn vars_and_var_override_inventory() {
    let tmp = tempfile::tempdir().unwrap();
    let vars = tmp.path().join("vars.yml");
    std::fs::write(&vars, "worker_procs: 3\nqueue: from-file\n").unwrap();
    let (rc, stdout, err) = supc(
        &[
            "render",
            "--portable",
            SPEC,
            "--inventory",
            INV,
            "--host",
            "worker1",
            "--vars-file",
            vars.to_str().unwrap(),
            "--var",
            "queue=cli",
        ],
        &root(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(stdout.contains("numprocs=3\n"), "{stdout}");
    assert!(stdout.contains("--queue cli\n"), "{stdout}");
}
