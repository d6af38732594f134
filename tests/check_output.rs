//! `supc check`'s output plumbing, run as a user runs it: colour only on a
//! terminal and never under NO_COLOR, control bytes escaped in every
//! format, the concise format, --output-file, --statistics, --exit-zero,
//! --quiet, SARIF's base URI, invocations and fingerprints, and a portable
//! check that names none of the runner's variables.

mod check_common;

use check_common::{MAIN, check, run_bounded, sarif_schema, supc, write_tree};
use std::path::Path;
use std::process::Command;

const ESC: char = '\x1b';

/// A config with one warning (unknown key) and one error (bad boolean).
const FINDINGS: &str = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/true\nuser=nobody\ncomand=x\nautostart=maybe\n";

fn setup(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("supervisord.conf", text)]);
    dir
}

/// `supc ARGS` on a pseudo-terminal (util-linux `script`), with `env` set.
fn on_terminal(args: &str, cwd: &Path, env: &[(&str, &str)]) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED colour on a terminal: needs script (apt-get install util-linux)");
        return None;
    }
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_supc"));
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Some(run_bounded(cmd, None).stdout)
}

#[test]
fn colour_only_on_a_terminal_and_never_under_no_color() {
    let dir = setup(FINDINGS);
    let Some(tty) = on_terminal("check --portable supervisord.conf", dir.path(), &[]) else {
        return;
    };
    assert!(tty.contains(ESC), "a terminal gets colour:\n{tty}");
    let plain = on_terminal(
        "check --portable supervisord.conf",
        dir.path(),
        &[("NO_COLOR", "1")],
    )
    .unwrap();
    assert!(!plain.contains(ESC), "NO_COLOR:\n{plain}");
    assert!(plain.contains("autostart=maybe"), "{plain}");
    let never = on_terminal(
        "check --portable --color never supervisord.conf",
        dir.path(),
        &[],
    )
    .unwrap();
    assert!(!never.contains(ESC), "--color never:\n{never}");
    // A pipe gets none; --color always forces it.
    let piped = check(&["check", "--portable", "supervisord.conf"], dir.path());
    assert!(!piped.stdout.contains(ESC));
    let forced = check(
        &[
            "check",
            "--portable",
            "--color",
            "always",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert!(forced.stdout.contains(ESC));
}

/// ESC and BEL written in a config reach no output raw.
#[test]
fn control_bytes_are_escaped_in_every_format() {
    let text = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/true\nuser=nobody\nevil\x1b[31m\x07=1\nautostart=\x1b]0;pwned\x07\n";
    let dir = setup(text);
    for format in ["human", "concise", "json", "sarif", "github"] {
        let r = check(
            &[
                "check",
                "--portable",
                "--format",
                format,
                "--color",
                "never",
                "supervisord.conf",
            ],
            dir.path(),
        );
        assert_eq!(r.code, Some(1), "{format}: {}", r.all());
        assert!(
            !r.all().contains(['\x1b', '\x07']),
            "{format} printed a control byte:\n{}",
            r.all()
        );
        assert!(r.all().contains("pwned"), "{format}: {}", r.all());
    }
    let r = check(
        &[
            "check",
            "--portable",
            "--format",
            "concise",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert!(r.stdout.contains(r"\x1b]0;pwned\x07"), "{}", r.stdout);
}

#[test]
fn concise_is_one_line_per_finding() {
    let dir = setup(FINDINGS);
    let r = check(
        &[
            "check",
            "--portable",
            "--format",
            "concise",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines[0].starts_with("supervisord.conf:9:11: SUP020 error not a valid boolean value"),
        "{}",
        r.stdout
    );
    assert!(
        lines[1].starts_with(
            "supervisord.conf:8:1: SUP102 warning [program:web] has no option `comand`"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(lines[2], "1 file, 1 error, 1 warning, 0 infos");
    // --output-format is the same flag; --quiet drops the summary.
    let q = check(
        &[
            "check",
            "--portable",
            "--output-format",
            "concise",
            "-q",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(q.stdout.lines().count(), 2, "{}", q.stdout);
}

#[test]
fn statistics_exit_zero_and_output_file() {
    let dir = setup(FINDINGS);
    let r = check(
        &["check", "--portable", "--statistics", "supervisord.conf"],
        dir.path(),
    );
    assert_eq!(
        r.stdout,
        "1  SUP020  invalid-value\n1  SUP102  unknown-key\n1 file, 1 error, 1 warning, 0 infos\n"
    );
    let r = check(
        &["check", "--portable", "--exit-zero", "supervisord.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = check(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "--output-file",
            "out/report.json",
            "supervisord.conf",
        ],
        dir.path(),
    );
    // The directory does not exist: a usage-class error, nothing written.
    assert_eq!(r.code, Some(2), "{}", r.all());
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let r = check(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "--output-file",
            "out/report.json",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert_eq!(r.stdout, "");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

fn sarif(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--portable", "--format", "sarif"];
    all.extend_from_slice(args);
    let r = check(&all, dir);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()))
}

#[test]
fn sarif_has_a_base_uri_invocations_and_stable_fingerprints() {
    let dir = setup(FINDINGS);
    write_tree(
        dir.path(),
        &[(
            "conf.d/x.conf",
            "[program:x]\ncommand=/bin/true\nuser=nobody\nbogus=1\n",
        )],
    );
    std::os::unix::fs::symlink("/nonexistent.conf", dir.path().join("conf.d/gone.conf")).unwrap();
    let doc = sarif(dir.path(), &["."]);
    let run = &doc["runs"][0];
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let loc = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
    assert!(!loc["uri"].as_str().unwrap().starts_with('/'));
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let note = inv["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.contains("conf.d/gone.conf"), "{note}");
    if let Some(schema) = sarif_schema() {
        let v = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
    // An unrelated edit above the findings moves them but keeps their
    // fingerprints.
    let prints = |doc: &serde_json::Value| -> Vec<String> {
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["supcFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = sarif(dir.path(), &["supervisord.conf"]);
    let edited = FINDINGS.replace(
        "[program:web]\n",
        "[program:web]\n; a comment\nstartsecs=1\n",
    );
    write_tree(dir.path(), &[("supervisord.conf", &edited)]);
    let after = sarif(dir.path(), &["supervisord.conf"]);
    let line = |d: &serde_json::Value| {
        d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .clone()
    };
    assert_ne!(line(&before), line(&after));
    assert_eq!(prints(&before), prints(&after));
    assert_eq!(prints(&before).len(), 2);
}

/// Findings in an included file name it relative to the working directory
/// in every format, once.
#[test]
fn included_files_are_shown_relative_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "etc/supervisord.conf",
                "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n[include]\nfiles=conf.d/*.conf\n",
            ),
            (
                "etc/conf.d/a.conf",
                "[program:a]\ncommand=/bin/true\nuser=nobody\nbogus=1\n",
            ),
        ],
    );
    let abs = dir.path().to_string_lossy().into_owned();
    for format in ["human", "concise", "json", "sarif", "github"] {
        let r = check(
            &["check", "--portable", "--format", format, "etc"],
            dir.path(),
        );
        assert!(
            r.stdout.contains("etc/conf.d/a.conf"),
            "{format}: {}",
            r.stdout
        );
        assert!(
            !r.stdout.contains(&abs) || format == "sarif",
            "{format}: {}",
            r.stdout
        );
    }
    let r = check(
        &["check", "--portable", "--format", "concise", "etc"],
        dir.path(),
    );
    assert_eq!(r.stdout.matches("SUP102").count(), 1, "{}", r.stdout);
}

/// Under --portable the runner's environment is not read: a variable the
/// config needs comes from --env/--env-file, or --assume-env.
#[test]
fn portable_checks_do_not_see_or_name_the_runners_environment() {
    let conf = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n[program:web]\ncommand=/bin/app --port %(ENV_APP_PORT)s\nuser=nobody\n";
    let dir = setup(conf);
    let mut cmd = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "supervisord.conf",
        ],
        dir.path(),
    );
    cmd.env("APP_PORT", "80")
        .env("RUNNER_SECRET_TOKEN_NAME", "x");
    let r = run_bounded(cmd, None);
    assert_eq!(
        r.code,
        Some(1),
        "the runner's APP_PORT is not used: {}",
        r.all()
    );
    assert!(!r.all().contains("RUNNER_SECRET_TOKEN_NAME"), "{}", r.all());
    write_tree(dir.path(), &[("ci.env", "# for CI\nAPP_PORT=8080\n")]);
    let r = check(
        &[
            "check",
            "--portable",
            "--env-file",
            "ci.env",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = check(
        &["check", "--portable", "--assume-env", "supervisord.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = check(
        &[
            "check",
            "--portable",
            "--env-file",
            "missing.env",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    let _ = MAIN;
}
