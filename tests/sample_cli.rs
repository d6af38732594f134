//! `supc sample` as a user runs it: byte-identical to supervisor's
//! `echo_supervisord_conf`, every variant accepted by the real supervisor
//! (the oracle) and by `supc check`, a `--minimal` config that a real
//! supervisord runs and supervisorctl talks to, and the refusals.
//!
//! Needs the oracle venv (supervisor 4.3.0): `SUPC_ORACLE_PYTHON`, else
//! `<repo>/.venv-oracle/bin/python`; `scripts/setup-oracle.sh` makes it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python; a missing one fails the test.
fn oracle_python() -> PathBuf {
    let python = match std::env::var_os("SUPC_ORACLE_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => repo().join(".venv-oracle/bin/python"),
    };
    assert!(
        python.exists(),
        "no oracle python at {} (set SUPC_ORACLE_PYTHON); run scripts/setup-oracle.sh \
         (or scripts/test.sh, which runs it) to create it",
        python.display()
    );
    python
}

/// A script of the venv (`echo_supervisord_conf`, `supervisord`...), next
/// to its python (not resolving symlinks: the venv's bin/ is what counts).
fn venv_script(name: &str) -> PathBuf {
    let python = oracle_python();
    let script = python.parent().expect("python has a directory").join(name);
    assert!(
        script.exists(),
        "{} is missing; run scripts/setup-oracle.sh",
        script.display()
    );
    script
}

fn supc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("supc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `supc sample ARGS`, which must succeed.
fn sample(args: &[&str]) -> String {
    let mut all = vec!["sample"];
    all.extend_from_slice(args);
    let o = supc(&all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

const WEB: &[&str] = &[
    "--program",
    "web",
    "--command",
    "/usr/bin/web --port 80%(process_num)02d",
    "--numprocs",
    "3",
];
const WORKER: &[&str] = &[
    "--program",
    "worker",
    "--command",
    "/usr/bin/worker --queue default --date-format %Y-%m-%d",
];

fn args(parts: &[&[&'static str]]) -> Vec<&'static str> {
    parts.concat()
}

#[test]
fn default_is_byte_identical_to_echo_supervisord_conf() {
    let real = Command::new(oracle_python())
        .arg(venv_script("echo_supervisord_conf"))
        .output()
        .expect("echo_supervisord_conf runs");
    assert!(real.status.success(), "{}", stderr(&real));
    let ours = supc(&["sample"]);
    assert_eq!(ours.status.code(), Some(0));
    assert!(ours.stderr.is_empty(), "{}", stderr(&ours));
    assert!(
        ours.stdout == real.stdout,
        "supc sample differs from echo_supervisord_conf"
    );
}

/// Every variant: accepted by supervisor (portable oracle) and by
/// `supc check --portable` with no error or warning (infos allowed: a
/// config with programs and no `user=` gets runs-as-root, SUP304).
#[test]
fn every_variant_is_accepted_by_supervisor_and_supc_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Default lint settings whatever lies above the temp dir.
    std::fs::write(dir.path().join(".supc.yaml"), "{}\n").expect("write settings");
    let variants: Vec<(&str, Vec<&str>)> = vec![
        ("default", vec![]),
        ("minimal", vec!["--minimal"]),
        ("annotated", vec!["--annotated"]),
        ("default-programs", args(&[WEB, WORKER])),
        ("minimal-programs", args(&[&["--minimal"], WEB, WORKER])),
        ("annotated-programs", args(&[&["--annotated"], WORKER])),
        (
            "minimal-dir",
            vec!["--minimal", "--dir", "/var/lib/supervisor/"],
        ),
        (
            "expansions",
            vec![
                "--minimal",
                "--program",
                "env",
                "--command",
                "/bin/echo %(ENV_HOME)s %(here)s %(program_name)s %(host_node_name)s 100%",
                "--program",
                "sh",
                "--command",
                "sh -c 'exec sleep 60;'",
                "--numprocs",
                "2",
            ],
        ),
    ];
    let python = oracle_python();
    let oracle = repo().join("tests/oracle/supervisor_dump.py");
    for (name, a) in &variants {
        let file = dir.path().join(format!("{name}.conf"));
        std::fs::write(&file, sample(a)).expect("write sample");
        let file_s = file.to_str().expect("utf-8 path");

        let o = Command::new(&python)
            .arg(&oracle)
            .arg(file_s)
            .arg("--portable")
            .output()
            .expect("oracle runs");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: supervisor rejects it:\n{}{}",
            stdout(&o),
            stderr(&o)
        );

        // `check --portable` sees no environment but --env's: give it the
        // oracle's HOME.
        let home = "HOME=/nonexistent";
        let o = supc(&["check", "--portable", "--env", home, file_s]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stdout(&o));
        let o = supc(&[
            "check",
            "--portable",
            "--env",
            home,
            "--format",
            "json",
            file_s,
        ]);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
        let summary = &report["summary"];
        assert_eq!(summary["errors"], 0, "{name}: {report:#}");
        assert_eq!(summary["warnings"], 0, "{name}: {report:#}");
        for finding in report["files"][0]["findings"].as_array().expect("findings") {
            assert_eq!(finding["code"], "SUP304", "{name}: {finding:#}");
        }
    }
}

#[test]
fn minimal_with_two_programs() {
    let text = sample(&args(&[&["--minimal"], WEB, WORKER]));
    insta::assert_snapshot!("minimal_with_two_programs", text);
}

#[test]
fn annotated() {
    let text = sample(&["--annotated"]);
    insta::assert_snapshot!("annotated", text);
}

#[test]
fn programs_follow_the_default_sample() {
    let text = sample(WORKER);
    let base = supc(&["sample"]);
    let (head, tail) = text.split_at(base.stdout.len());
    assert_eq!(head.as_bytes(), base.stdout.as_slice());
    assert!(tail.starts_with("\n[program:worker]\n"), "{tail}");
    assert!(tail.contains("stdout_logfile=/tmp/worker.log\n"), "{tail}");
}

#[test]
fn minimal_dir_is_used_everywhere() {
    let text = sample(&[
        "--minimal",
        "--dir",
        "/srv/sup/",
        "--program",
        "a",
        "--command",
        "/bin/cat",
    ]);
    for line in [
        "file=/srv/sup/supervisor.sock",
        "chmod=0700",
        "logfile=/srv/sup/supervisord.log",
        "pidfile=/srv/sup/supervisord.pid",
        "serverurl=unix:///srv/sup/supervisor.sock",
        "stdout_logfile=/srv/sup/a.log",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
}

/// A note (not an error) when instances cannot differ.
#[test]
fn same_command_for_every_instance_is_noted() {
    let o = supc(&[
        "sample",
        "--program",
        "w",
        "--command",
        "w --port 8000",
        "--numprocs",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("%(process_num)"), "{}", stderr(&o));
}

#[test]
fn refusals_exit_2_with_a_reason() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--program", "a", "--command", "bash -c 'x ; y'"],
            "starts a comment",
        ),
        (&["--program", "a", "--command", "x #y"], "starts a comment"),
        (&["--program", "a", "--command", "x\ny"], "line break"),
        (&["--program", "a", "--command", "  "], "empty"),
        (&["--program", "a", "--command", "x %(nope)s"], "%(nope)"),
        (&["--program", "a"], "needs a --command"),
        (&["--command", "x", "--program", "a"], "must follow"),
        (
            &["--program", "a", "--command", "x", "--command", "y"],
            "more than one --command",
        ),
        (
            &["--program", "a", "--command", "x", "--numprocs", "0"],
            "--numprocs",
        ),
        (&["--program", "a:b", "--command", "x"], "letters, digits"),
        (
            &[
                "--program",
                "a",
                "--command",
                "x",
                "--program",
                "a",
                "--command",
                "y",
            ],
            "given twice",
        ),
        (
            &["--program", "supervisord", "--command", "x"],
            "also be written by supervisord",
        ),
        (&["--minimal", "--dir", "run"], "absolute"),
        (&["--dir", "/srv"], "changes nothing"),
        (&["--minimal", "--annotated"], "cannot be used with"),
    ];
    for (a, why) in cases {
        let mut all = vec!["sample"];
        all.extend_from_slice(a);
        let o = supc(&all);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", stdout(&o));
        assert!(o.stdout.is_empty(), "{a:?}");
        assert!(stderr(&o).contains(why), "{a:?}: {}", stderr(&o));
    }
}

/// Stops the supervisord a test started, even when the test fails.
struct Daemon {
    python: PathBuf,
    conf: PathBuf,
    pidfile: PathBuf,
}

impl Daemon {
    fn ctl(&self, args: &[&str]) -> Output {
        Command::new(&self.python)
            .arg(venv_script("supervisorctl"))
            .arg("-c")
            .arg(&self.conf)
            .args(args)
            .output()
            .expect("supervisorctl runs")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.ctl(&["shutdown"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.pidfile.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        // Still there: stop it by its own pid.
        if let Ok(pid) = std::fs::read_to_string(&self.pidfile) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

/// The point of --minimal: supervisord runs it and supervisorctl connects.
#[test]
fn minimal_runs_and_supervisorctl_connects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8 path");
    let conf = dir.path().join("supervisord.conf");
    let text = sample(&[
        "--minimal",
        "--dir",
        d,
        "--program",
        "sleeper",
        "--command",
        "/bin/sleep 600",
        "--numprocs",
        "2",
        "--program",
        "stamp",
        "--command",
        "/bin/sh -c 'date +%s; exec /bin/sleep 600'",
    ]);
    std::fs::write(&conf, text).expect("write config");
    let python = oracle_python();
    let daemon = Daemon {
        python: python.clone(),
        conf: conf.clone(),
        pidfile: dir.path().join("supervisord.pid"),
    };
    let started = Command::new(&python)
        .arg(venv_script("supervisord"))
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("supervisord runs");
    assert!(started.status.success(), "{}", stderr(&started));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let o = daemon.ctl(&["status"]);
        let text = stdout(&o);
        if text.matches("RUNNING").count() == 3 || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    for name in ["sleeper:sleeper_00", "sleeper:sleeper_01", "stamp "] {
        assert!(
            status
                .lines()
                .any(|l| l.starts_with(name) && l.contains("RUNNING")),
            "{name} not running:\n{status}"
        );
    }
    // `date +%s` was written as `date +%%s`: the log holds a number.
    let log = std::fs::read_to_string(dir.path().join("stamp.log")).unwrap_or_default();
    assert!(
        log.trim().parse::<u64>().is_ok(),
        "stamp.log: {log:?} (status:\n{status})"
    );
    assert!(Path::new(&dir.path().join("supervisor.sock")).exists());
    drop(daemon);
}
