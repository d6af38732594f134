//! `supc render spec.yaml`: the three-host fixture in `fixtures/yaml/`
//! rendered per host (snapshots), all-or-nothing writing, `--check`, and
//! errors at YAML and template locations (snapshots of the human output).

mod cli_common;

use cli_common::{repo as root, supc};
use std::path::{Path, PathBuf};

/// `supc CMD --portable --format json FILE`: exit code, parsed stdout,
/// stderr.
fn supc_json(cmd: &str, file: &Path, cwd: &Path) -> (i32, serde_json::Value, String) {
    let file = file.to_str().unwrap();
    let (rc, out, err) = supc(&[cmd, "--portable", "--format", "json", file], cwd);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (rc, v, err)
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
        let (rc, out, err) = supc(
            &[
                "check",
                "--portable",
                "--format",
                "json",
                dir.join(name).to_str().unwrap(),
            ],
            &root(),
        );
        assert_ne!(rc, 2, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["files"][0]["accepted"], true, "{name}: {out}");
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

/// Writes `text` as `supc.yaml` in a new temporary directory.
fn spec_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("supc.yaml");
    std::fs::write(&path, text).unwrap();
    (tmp, path)
}

#[test]
fn ini_values_are_written_verbatim() {
    let (tmp, spec) = spec_file(
        r#"supervisord:
  ini:
    environment: NODE="%%(host_node_name)s",RATE="50%%%%"
programs:
  clock:
    command: /bin/clock --at 100%
    ini:
      stdout_logfile: /var/log/%%(program_name)s.log
      environment: |-
        A="x,y",
        "F"=1
  stamp:
    ini: {command: "date +%s"}
"#,
    );
    // The bare `%s` is an error-level finding: render refuses it unless
    // the rule is ignored.
    let (rc, _, err) = supc(
        &["render", "--portable", spec.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("SUP109"), "{err}");
    let (rc, ini, err) = supc(
        &[
            "render",
            "--portable",
            "--ignore",
            "SUP109",
            spec.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    for line in [
        // `ini:` text is written as it is ...
        "environment=NODE=\"%%(host_node_name)s\",RATE=\"50%%%%\"\n",
        "stdout_logfile=/var/log/%%(program_name)s.log\n",
        "command=date +%s\n",
        // ... a multi-line value with its continuation lines indented ...
        "environment=A=\"x,y\",\n    \"F\"=1\n",
        // ... while typed values are still escaped.
        "command=/bin/clock --at 100%%\n",
    ] {
        assert!(ini.contains(line), "{line:?} not in:\n{ini}");
    }
    // The second expansion and the quoted name mean what supervisord makes
    // of them.
    let (rc, v, err) = supc_json("expand", &spec, tmp.path());
    assert_eq!(rc, 0, "{err}");
    let clock = &v["groups"][0]["processes"][0];
    assert_eq!(clock["name"], "clock");
    assert_eq!(clock["stdout_logfile"], "/var/log/clock.log");
    assert_eq!(clock["environment"]["A"], "x,y");
    assert_eq!(clock["environment"]["\"F\""], "1");
    assert_eq!(v["supervisord"]["environment"]["RATE"], "50%");
}

#[test]
fn raw_environment_is_not_a_variable_named_ini() {
    let (tmp, spec) = spec_file(
        "supervisord: {}
programs:
  typed:
    command: /bin/a
    environment: {ini: 'B=2'}
  raw:
    command: /bin/b
    ini: {environment: 'B=2'}
",
    );
    let (rc, ini, err) = supc(
        &["render", "--portable", spec.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        ini.contains("[program:typed]\ncommand=/bin/a\nenvironment=ini=\"B=2\"\n"),
        "{ini}"
    );
    assert!(
        ini.contains("[program:raw]\ncommand=/bin/b\nenvironment=B=2\n"),
        "{ini}"
    );
    let (_, v, _) = supc_json("expand", &spec, tmp.path());
    let env = |name: &str| {
        let groups = v["groups"].as_array().unwrap();
        let g = groups.iter().find(|g| g["name"] == name).unwrap();
        g["processes"][0]["environment"].clone()
    };
    assert_eq!(env("typed"), serde_json::json!({"ini": "B=2"}));
    assert_eq!(env("raw"), serde_json::json!({"B": "2"}));
}

#[test]
fn ini_value_errors_point_at_the_yaml() {
    let (tmp, spec) = spec_file(
        "supervisord: {}
programs:
  web:
    command: /bin/web
    ini:
      environment: A=1 B=2
  other:
    command: /bin/other
    ini: {autostart: 'maybe'}
    # a typed key and the same key under ini:, and a misspelt one
  both:
    command: /bin/both
    ini:
      command: /bin/both
      stopsignl: TERM
",
    );
    let (rc, v, err) = supc_json("check", &spec, tmp.path());
    assert_eq!(rc, 1, "{v}{err}");
    let found: Vec<(String, u64, u64)> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let at = |needle: &str| {
        found
            .iter()
            .find(|(m, _, _)| m.contains(needle))
            .map(|(_, l, c)| (*l, *c))
    };
    assert_eq!(at("command is given twice"), Some((14, 7)), "{found:?}");
    // A key the section does not have is written as given (supervisord
    // ignores it; `convert` keeps a misplaced INI key this way), with a
    // warning and a did-you-mean at its place.
    let warning = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("no option `stopsignl`")
        })
        .unwrap();
    assert_eq!(warning["severity"], "warning");
    assert_eq!(
        (&warning["location"]["line"], &warning["location"]["column"]),
        (&serde_json::json!(15), &serde_json::json!(7))
    );
    assert_eq!(warning["help"], "did you mean `stopsignal`?");
    // supervisord's own checks of the texts, at the text (block form, and
    // inside the quotes of a flow mapping).
    assert_eq!(at("'A=1 B=2'"), Some((6, 20)), "{found:?}");
    assert_eq!(at("'maybe'"), Some((9, 23)), "{found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
}
