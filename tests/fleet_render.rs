//! `supc render -i …` on the Storm cluster of issue 21 and on inventories
//! that used to be read wrongly: ranges, templated variables, INI,
//! unsupported Ansible features (a clear error, nothing written), and
//! error-level findings that fail the render.

mod cli_common;

use cli_common::{repo, supc};
use std::path::PathBuf;

fn storm() -> PathBuf {
    repo().join("fixtures/fleet/storm")
}

#[test]
fn storm_renders_one_file_per_host_with_per_host_heap() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let (rc, _, err) = supc(
        &[
            "render",
            "--portable",
            "supc.yaml",
            "-i",
            "inventory/hosts.ini",
            "--all-hosts",
            "--out-dir",
            dir,
        ],
        &storm(),
    );
    assert_eq!(rc, 0, "{err}");
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "nimbus1.storm.example.conf",
            "worker1.storm.example.conf",
            "worker2.storm.example.conf",
            "worker3.storm.example.conf"
        ]
    );
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap();
    let nimbus = read("nimbus1.storm.example.conf");
    for program in ["zookeeper", "nimbus", "ui", "supervisor"] {
        assert!(nimbus.contains(&format!("[program:{program}]")), "{nimbus}");
    }
    assert!(!nimbus.contains("[program:logviewer]"));
    assert!(nimbus.contains("-Xms512m -Xmx512m"), "{nimbus}");
    assert!(nimbus.contains("ui.port=8080"), "{nimbus}");
    let w1 = read("worker1.storm.example.conf");
    assert!(
        w1.contains("[program:logviewer]") && !w1.contains("[program:nimbus]"),
        "{w1}"
    );
    // group_vars/workers/heap.yml: "{{ base_heap_mb * 2 }}m", evaluated.
    assert!(w1.contains("-Xms1024m -Xmx1024m"), "{w1}");
    assert!(
        w1.contains("nimbus.seeds='[\"nimbus1.storm.example\"]'"),
        "{w1}"
    );
    assert!(
        w1.contains("supervisor.slots.ports='[6700, 6701, 6702]'"),
        "{w1}"
    );
    assert!(w1.contains("storm.local.hostname=worker1\n"), "{w1}");
    // host_vars/worker3…yml overrides the base heap.
    let w3 = read("worker3.storm.example.conf");
    assert!(w3.contains("-Xms2048m -Xmx2048m"), "{w3}");
    // One host on stdout is the same text as its file.
    let (rc, stdout, err) = supc(
        &[
            "render",
            "--portable",
            "supc.yaml",
            "-i",
            "inventory/hosts.ini",
            "--host",
            "worker3.storm.example",
        ],
        &storm(),
    );
    assert_eq!(rc, 0, "{err}");
    assert_eq!(stdout, w3);
}

/// Writes `files` into a temporary directory and renders `spec` there.
fn render_in(files: &[(&str, &str)], args: &[&str]) -> (i32, String, String, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut all = vec!["render", "--portable"];
    all.extend_from_slice(args);
    let (rc, out, err) = supc(&all, tmp.path());
    (rc, out, err, tmp)
}

const SPEC: &str = "supervisord:\n  logfile: /var/log/supervisord.log\nprograms:\n  app:\n    command: /bin/app {{ opts }}\n";

#[test]
fn unsupported_ansible_features_are_named_and_nothing_is_written() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "opts: \"{{ lookup('env', 'HOME') }}\"\n",
            "Ansible lookup plugins",
            "lookup",
        ),
        (
            "opts: \"{{ 'x' | password_hash('sha512') }}\"\n",
            "unknown filter",
            "filter",
        ),
        (
            "opts: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n",
            "Ansible Vault",
            "vault",
        ),
        (
            "opts: \"{{ other }}\"\nother: \"{{ opts }}\"\n",
            "recursive loop detected",
            "loop",
        ),
    ];
    for (vars, want, label) in cases {
        let inv = format!("all:\n  hosts:\n    h1:\n  vars:\n{}", indent(vars));
        let (rc, _, err, tmp) = render_in(
            &[("spec.yaml", SPEC), ("inv.yml", &inv)],
            &[
                "spec.yaml",
                "-i",
                "inv.yml",
                "--all-hosts",
                "--out-dir",
                "out",
            ],
        );
        assert_ne!(rc, 0, "{label}: {err}");
        assert!(err.contains(want), "{label}: {err}");
        assert!(!tmp.path().join("out/h1.conf").exists(), "{label}");
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

#[test]
fn ini_inventory_with_ranges_and_templated_vars() {
    let inv = "[app]\napp[01:03:2] base=100\n\n[app:vars]\nopts=--mem {{ base * 2 }}m --peers {{ groups['app'] | join(',') }}\n";
    let (rc, _, err, tmp) = render_in(
        &[("spec.yaml", SPEC), ("hosts.ini", inv)],
        &[
            "spec.yaml",
            "-i",
            "hosts.ini",
            "--all-hosts",
            "--out-dir",
            "out",
        ],
    );
    assert_eq!(rc, 0, "{err}");
    let app03 = std::fs::read_to_string(tmp.path().join("out/app03.conf")).unwrap();
    assert!(
        app03.contains("command=/bin/app --mem 200m --peers app01,app03\n"),
        "{app03}"
    );
    assert!(!tmp.path().join("out/app[01:03:2].conf").exists());
}

#[test]
fn error_level_findings_fail_the_render() {
    // Two programs sharing one log file is an error for `supc check`.
    let spec = "supervisord:\n  logfile: /var/log/supervisord.log\nprograms:\n  a:\n    command: /bin/a\n    stdout_logfile: /var/log/x.log\n  b:\n    command: /bin/b\n    stdout_logfile: /var/log/x.log\n";
    let (rc_check, _, _, _) = render_in(&[("spec.yaml", spec)], &["spec.yaml", "--check"]);
    let (rc, out, err, tmp) = render_in(&[("spec.yaml", spec)], &["spec.yaml", "-o", "out.conf"]);
    assert_eq!(rc_check, 1, "{err}");
    assert_eq!(rc, 1, "{out}{err}");
    assert!(err.contains("/var/log/x.log"), "{err}");
    assert!(!tmp.path().join("out.conf").exists());
}

#[test]
fn findings_point_at_the_template_line_and_column() {
    // On h2 the `{% if %}` block renders nothing, so every later line of
    // the rendered YAML is 5 lines higher than in the template.
    let spec = "supervisord:\n  logfile: /var/log/s.log\n  user: root\nprograms:\n{% if 'big' in group_names %}\n  extra1:\n    command: /bin/x\n  extra2:\n    command: /bin/y\n{% endif %}\n  a:\n    command: /bin/a {{ opt }}\n    user: a\n    stdout_logfile: /var/log/shared.log\n  b:\n    command: /bin/b\n    user: b\n    stdout_logfile: /var/log/shared.log\n";
    let inv = "[big]\nh1\n[small]\nh2\n[all:vars]\nopt=--a-long-option\n";
    let (rc, _, err, _tmp) = render_in(
        &[("spec.yaml", spec), ("hosts", inv)],
        &["spec.yaml", "-i", "hosts", "--host", "h2", "--check"],
    );
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("[spec.yaml (for h2):14:21]"), "{err}");
    // The excerpt is the template's text, program b's line too.
    assert!(
        err.contains(" 14 │     stdout_logfile: /var/log/shared.log"),
        "{err}"
    );
    assert!(
        err.contains(" 18 │     stdout_logfile: /var/log/shared.log"),
        "{err}"
    );
}

#[test]
fn render_reports_in_checks_formats_and_fail_on_decides() {
    // Program b kills its group but stops only itself: an info finding
    // (SUP120, killasgroup-without-stopasgroup).
    let spec = "supervisord:\n  logfile: /var/log/s.log\nprograms:\n{% if 'big' in group_names %}\n  extra:\n    command: /bin/x\n    user: x\n{% endif %}\n  a:\n    command: /bin/a\n    user: a\n    stdout_logfile: /var/log/shared.log\n  b:\n    command: /bin/b\n    stdout_logfile: /var/log/shared.log\n    killasgroup: true\n";
    let files = [("spec.yaml", spec), ("hosts", "[big]\nh1\n[small]\nh2\n")];
    let base = ["spec.yaml", "-i", "hosts", "--all-hosts", "--check"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        render_in(&files, &args)
    };
    let (rc, out, err, _t) = with(&["--format", "json"]);
    assert_eq!(rc, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files_v = v["files"].as_array().unwrap();
    assert_eq!(files_v.len(), 2);
    for (f, host) in files_v.iter().zip(["h1", "h2"]) {
        assert_eq!(f["accepted"], false);
        let shared = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == "SUP112")
            .unwrap();
        // Both hosts: the template's line 12, whatever the host renders.
        assert_eq!(shared["location"]["file"], "spec.yaml");
        assert_eq!(shared["location"]["line"], 12, "{host}");
        assert!(
            shared["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("host {host}: "))
        );
    }
    let (rc, out, _, _t) = with(&["--format", "sarif"]);
    assert_eq!(rc, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    let (rc, out, _, _t) = with(&["--format", "github"]);
    assert_eq!(rc, 1);
    assert!(out.contains("::error file=spec.yaml,line=12"), "{out}");
    let (rc, out, _, _t) = with(&["--format", "concise"]);
    assert_eq!(rc, 1);
    for host in ["h1", "h2"] {
        let prefix = format!("spec.yaml:12:21: SUP112 error host {host}: ");
        assert!(out.lines().any(|l| l.starts_with(&prefix)), "{out}");
    }
    // Ignoring the rule passes; --fail-on info then fails on an info finding.
    let (rc, _, err, _t) = with(&["--ignore", "SUP112"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err, _t) = with(&["--ignore", "SUP112", "--fail-on", "info"]);
    assert_eq!(rc, 1, "{err}");
    // A machine format cannot share stdout with the INI.
    let (rc, _, err, _t) = render_in(
        &files,
        &[
            "spec.yaml",
            "-i",
            "hosts",
            "--host",
            "h1",
            "--format",
            "json",
        ],
    );
    assert_eq!(rc, 2, "{err}");
}

#[test]
fn a_mistyped_rule_is_a_usage_error_and_nothing_is_written() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    for flag in ["--select", "--ignore"] {
        let (rc, _, err) = supc(
            &[
                "render",
                "--portable",
                "supc.yaml",
                "-i",
                "inventory/hosts.ini",
                "--all-hosts",
                "--out-dir",
                dir,
                flag,
                "shared-log-fiel",
            ],
            &storm(),
        );
        assert_eq!(rc, 2, "{flag}: {err}");
        assert!(
            err.contains("unknown rule `shared-log-fiel` (did you mean `shared-log-file`?)"),
            "{flag}: {err}"
        );
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "{flag}");
    }
}

/// A group key Ansible skips with a warning is skipped with a warning at
/// its line and column, a key given twice in a vars file warns too; the
/// render goes on (exit 0), unless `--fail-on warning` makes it fail with
/// nothing written.
#[test]
fn skipped_inventory_entries_warn_and_fail_on_decides() {
    let inv = "all:\n  children:\n    app:\n      hosts:\n        h1:\n      settings:\n        opts: --fast\n      vars:\n        opts: --slow\n";
    let extra = "tier: a\ntier: b\n";
    let files = [("spec.yaml", SPEC), ("inv.yml", inv), ("extra.yml", extra)];
    let args = [
        "spec.yaml",
        "-i",
        "inv.yml",
        "--vars-file",
        "extra.yml",
        "--all-hosts",
        "--out-dir",
        "out",
    ];
    let (rc, _, err, tmp) = render_in(&files, &args);
    assert_eq!(rc, 0, "{err}");
    assert!(
        err.contains("inv.yml:6:7: Skipping unexpected key (settings) in group (app)"),
        "{err}"
    );
    assert!(
        err.contains("extra.yml:2:1: Found duplicate mapping key 'tier'."),
        "{err}"
    );
    let h1 = std::fs::read_to_string(tmp.path().join("out/h1.conf")).unwrap();
    assert!(h1.contains("command=/bin/app --slow"), "{h1}");

    let mut strict = args.to_vec();
    strict.extend(["--fail-on", "warning"]);
    let (rc, _, err, tmp) = render_in(&files, &strict);
    assert_eq!(rc, 1, "{err}");
    assert!(
        err.contains("Skipping unexpected key") && err.contains("nothing written"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists());
}
