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

fn host(cwd: &Path) -> Host {
    Host {
        env: vec![
            ("HOME".into(), "/nonexistent".into()),
            ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ],
        node_name: "testhost".into(),
        cwd: cwd.to_string_lossy().into_owned(),
        portable: true,
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
    let host = host(&dir);
    let snippet = !std::fs::read_to_string(dir.join(&file))
        .unwrap_or_default()
        .contains("[supervisord]");
    let (loaded, resolution) = supc::analyze(&file, &host, snippet);
    let cx = LintContext::new(&loaded, &resolution, &host);
    let code = registry::find(rule).expect("folder names a rule").code;
    let findings: Vec<_> = lint(&cx, &Settings::default())
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    let text = supc::output::human::render_with(&findings, &loaded.sources, false, 80);
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
