//! `supc check` as a user runs it: exit codes, formats, settings, many
//! files. Runs the real binary.

mod check_common;

use check_common::drop_language_patterns;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check")
}

fn supc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .env("CI", "true")
        .output()
        .expect("supc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn exit_codes() {
    let dir = fixtures();
    assert_eq!(
        supc(&["check", "--portable", "clean/supervisord.conf"], &dir)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        supc(&["check", "--portable", "rejected.conf"], &dir)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        supc(&["check", "no-such-file.conf"], &dir).status.code(),
        Some(2)
    );
    assert_eq!(
        supc(&["check", "--no-such-flag", "x"], &dir).status.code(),
        Some(2)
    );
    // unknown-key is an error there (.supc.yaml); with it ignored only
    // warnings remain, which fail only with --fail-on warning.
    let typo = "project/conf.d/typo.conf";
    assert_eq!(
        supc(&["check", "--portable", typo], &dir).status.code(),
        Some(1)
    );
    assert_eq!(
        supc(
            &["check", "--portable", "--ignore", "unknown-key", typo],
            &dir
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn human_output_names_every_error_with_its_place() {
    let o = supc(&["check", "--portable", "rejected.conf"], &fixtures());
    let text = stdout(&o);
    insta::assert_snapshot!("rejected_human", text);
}

#[test]
fn directories_are_searched_and_summarised() {
    let o = supc(
        &["check", "--portable", "--format", "json", "project"],
        &fixtures(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["project/conf.d/fine.ini", "project/conf.d/typo.conf"]
    );
    assert!(
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["snippet"] == true)
    );
    let human = supc(&["check", "--portable", "project"], &fixtures());
    assert!(
        stdout(&human)
            .trim_end()
            .ends_with("2 files, 1 error, 0 warnings, 0 infos"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn settings_file_applies_below_its_folder() {
    let o = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "project/conf.d/typo.conf",
        ],
        &fixtures(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let codes: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    // misplaced-key is ignored and unknown-key raised to error by .supc.yaml.
    assert_eq!(codes, [("unknown-key", "error")]);
    let cli = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "--select",
            "SUP103",
            "project/conf.d/typo.conf",
        ],
        &fixtures(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&cli)).unwrap();
    assert_eq!(v["files"][0]["findings"][0]["rule"], "misplaced-key");
}

#[test]
fn github_format_is_chosen_under_actions() {
    let o = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(["check", "--portable", "rejected.conf"])
        .current_dir(fixtures())
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let out = stdout(&o);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("::error file=rejected.conf,line=3,col=10,"),
        "{out}"
    );
    assert!(out.contains("title=SUP020 invalid-value::bad logging level name 'warning'"));
}

fn validate(schema: &serde_json::Value, doc: &serde_json::Value) {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn json_output_matches_the_committed_schema() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/check.schema.json"),
    )
    .unwrap();
    let current = stdout(&supc(&["schema", "check"], &fixtures()));
    assert_eq!(
        committed, current,
        "schemas/check.schema.json is stale: regenerate with `supc schema check`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let o = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "rejected.conf",
            "project",
            "clean",
        ],
        &fixtures(),
    );
    validate(&schema, &serde_json::from_str(&stdout(&o)).unwrap());
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas-external/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs ../shared/schemas-external"
        );
        eprintln!(
            "note: {} is absent; SARIF schema check skipped",
            path.display()
        );
        return;
    };
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The official schema's `language` pattern (on run, toolComponent, ...)
    // has a stray `]` that this validator refuses to compile. supc never
    // writes a `language` property, so dropping that pattern does not weaken
    // the check of our output.
    assert!(drop_language_patterns(&mut schema) > 0);
    let o = supc(
        &[
            "check",
            "--portable",
            "--format",
            "sarif",
            "rejected.conf",
            "project",
        ],
        &fixtures(),
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    validate(&schema, &doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "SUP020"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| {
        r["id"] == "SUP102"
            && r["help"]["markdown"]
                .as_str()
                .is_some_and(|m| m.contains("## Why is this bad?"))
    }));
}

#[test]
fn a_yaml_spec_is_checked_with_yaml_locations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "fixtures/yaml/plain.yaml",
        ],
        root,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let findings = v["files"][0]["findings"].as_array().unwrap();
    let at = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| (f["location"]["file"].clone(), f["location"]["line"].clone()))
    };
    let file = serde_json::json!("fixtures/yaml/plain.yaml");
    assert_eq!(at("SUP301"), Some((file.clone(), serde_json::json!(6))));
    assert_eq!(at("SUP112"), Some((file, serde_json::json!(12))));
}

/// A human report with thousands of findings in one file: every finding is
/// rendered, with the right line numbers down to the end of the file. (The
/// renderer shares one indexed copy of the file between findings; this is
/// not timed, it exercises that path.)
#[test]
fn human_report_with_thousands_of_findings() {
    const PROGRAMS: usize = 3000;
    let dir = tempfile::tempdir().unwrap();
    let mut conf = String::from(
        "[supervisord]\n[unix_http_server]\nfile=/tmp/x.sock\n[rpcinterface:supervisor]\n\
         supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
    );
    for i in 0..PROGRAMS {
        // unknown-key (SUP102) and killasgroup-without-stopasgroup (SUP120).
        conf.push_str(&format!(
            "[program:p{i}]\ncommand=/bin/true\nuser=root\nkillasgroup=true\ncomand=/bin/x\n"
        ));
    }
    std::fs::write(dir.path().join("supervisord.conf"), conf).unwrap();
    let o = supc(&["check", "--portable", "supervisord.conf"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let err = stdout(&o);
    let count = |code: &str| err.lines().filter(|l| *l == code).count();
    assert_eq!(count("SUP102"), PROGRAMS);
    assert_eq!(count("SUP120"), PROGRAMS);
    assert!(
        err.ends_with("1 file, 0 errors, 3000 warnings, 3000 infos\n"),
        "{:?}",
        err.lines().last()
    );
    // Program i starts on line 6 + 5i; its typo is 4 lines further down.
    let last = 6 + 5 * (PROGRAMS - 1) + 4;
    assert!(err.contains(&format!(
        "[program:p{}] has no option `comand`; supervisord ignores it\n       ╭─[supervisord.conf:{last}:1]\n {} │ killasgroup=true\n {last} │ comand=/bin/x\n",
        PROGRAMS - 1,
        last - 1
    )));
    assert!(err.contains(
        "[program:p0] has no option `comand`; supervisord ignores it\n    ╭─[supervisord.conf:10:1]\n  9 │ killasgroup=true\n 10 │ comand=/bin/x\n"
    ));
}

/// A finding about many places shows the first ten in the human report and
/// says how many more there are; the JSON report lists them all.
#[test]
fn human_report_shows_ten_places_of_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut conf = String::from(
        "[supervisord]\n[unix_http_server]\nfile=/tmp/x.sock\n[rpcinterface:supervisor]\n\
         supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
    );
    for i in 0..30 {
        conf.push_str(&format!(
            "[program:p{i:02}]\ncommand=/bin/true\nuser=root\nstdout_logfile=/tmp/same.log\n"
        ));
    }
    std::fs::write(dir.path().join("supervisord.conf"), conf).unwrap();
    let o = supc(&["check", "--portable", "supervisord.conf"], dir.path());
    let err = stdout(&o);
    assert!(
        err.contains("30 processes write the same log file"),
        "{err}"
    );
    let labels = err
        .lines()
        .filter(|l| l.contains("╰── stdout of p"))
        .count();
    assert_eq!(labels, 11, "the primary place and ten more:\n{err}");
    assert!(
        err.contains("19 more places are not shown here; `--format json` lists every one"),
        "{err}"
    );
    let o = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "supervisord.conf",
        ],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let finding = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "SUP112")
        .expect("SUP112");
    assert_eq!(
        finding["related"].as_array().map(Vec::len),
        Some(29),
        "{finding}"
    );
}
