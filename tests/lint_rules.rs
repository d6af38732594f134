//! Per-rule fixtures: `fixtures/lint/<rule-name>/<case>` where a case is a
//! `.conf` file or a directory holding `supervisord.conf` (for includes).
//! Cases named `fires-*` must produce at least one finding of the rule,
//! cases named `ok-*` none. The rule's findings, rendered as a person sees
//! them (fixed width, no colour), are snapshotted per case.

use std::path::{Path, PathBuf};
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint, registry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint")
}

/// Rules about the machine the config is on, which portable mode turns
/// off: their fixtures run on the host.
const HOST_RULES: &[&str] = &["world-readable-credentials"];

fn host(cwd: &Path, portable: bool) -> Host {
    Host {
        env: vec![
            ("HOME".into(), "/nonexistent".into()),
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
            // numprocs-from-environment's fixtures read it.
            ("WORKERS".into(), "1".into()),
        ],
        node_name: "testhost".into(),
        cwd: cwd.to_string_lossy().into_owned(),
        portable,
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

fn run_case(rule: &str, case: &Path) -> (usize, String) {
    let (dir, file) = case_paths(case);
    let host = host(&dir, !HOST_RULES.contains(&rule));
    let snippet = !std::fs::read_to_string(dir.join(&file))
        .unwrap_or_default()
        .contains("[supervisord]");
    let (loaded, resolution) = supc::analyze(&file, &host, snippet);
    let cx = LintContext::new(&loaded, &resolution, &host);
    let code = registry::find(rule).expect("folder names a rule").code;
    // An opt-in rule runs when selected (and alone, then).
    let settings = if code.enabled_by_default() {
        Settings::default()
    } else {
        Settings {
            select: vec![rule.to_string()],
            ..Settings::default()
        }
    };
    let findings: Vec<_> = lint(&cx, &settings)
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    let text = supc::report::human::render_with(&findings, &loaded.sources, false, 80);
    let text = text.replace(&dir.to_string_lossy().into_owned(), "[CASE]");
    (findings.len(), text)
}

#[test]
fn every_rule_has_firing_and_quiet_fixtures() {
    for rule in registry::RULES {
        let name = rule.meta().code.name();
        let dir = fixtures().join(name);
        let cases: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixture folder fixtures/lint/{name}"))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            cases.iter().any(|c| c.starts_with("fires-")),
            "{name}: no fires-* case"
        );
        assert!(
            cases.iter().any(|c| c.starts_with("ok-")),
            "{name}: no ok-* case"
        );
    }
}

#[test]
fn rule_fixtures() {
    let mut failures = Vec::new();
    let mut rules: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rules.sort();
    for rule_dir in rules {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            registry::find(&rule).is_some(),
            "fixtures/lint/{rule} names no rule"
        );
        let mut cases: Vec<_> = std::fs::read_dir(&rule_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for case in cases {
            let case_name = case.file_stem().unwrap().to_string_lossy().into_owned();
            let (count, text) = run_case(&rule, &case);
            if case_name.starts_with("fires") && count == 0 {
                failures.push(format!("{rule}/{case_name}: expected a finding, got none"));
            }
            if case_name.starts_with("ok") && count > 0 {
                failures.push(format!(
                    "{rule}/{case_name}: expected no finding, got:\n{text}"
                ));
            }
            insta::with_settings!({snapshot_path => "snapshots/lint", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{rule}__{case_name}"), text);
            });
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The default set leaves the opt-in rules out; `supc rules` marks them
/// and `--select` runs them.
#[test]
fn opt_in_rules_run_only_when_selected() {
    let supc = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_supc"))
            .args(args)
            .current_dir(fixtures().join("runs-as-root"))
            .output()
            .unwrap()
    };
    let table = String::from_utf8(supc(&["rules"]).stdout).unwrap();
    // The DEFAULT column says whether a rule runs unless selected.
    let default_of = |name: &str| {
        let line = table.lines().find(|l| l.contains(name)).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[1], name, "{line}");
        words[4].to_string()
    };
    for name in ["runs-as-root", "eventlistener-process-priority"] {
        assert_eq!(default_of(name), "opt-in");
    }
    assert_eq!(default_of("unknown-key"), "on");
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&supc(args).stdout).unwrap()
    };
    let codes = |doc: &serde_json::Value| -> Vec<String> {
        doc["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let base = [
        "check",
        "--portable",
        "--format",
        "json",
        "fires-no-user.conf",
    ];
    assert!(!codes(&json(&base)).contains(&"runs-as-root".to_string()));
    let selected = json(&[&base[..], &["--select", "runs-as-root"]].concat());
    assert_eq!(codes(&selected), vec!["runs-as-root".to_string()]);
}
