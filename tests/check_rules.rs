//! `supc rules` lists every code supc can emit, and `supc rule` documents
//! each one, found by code or name in any case.

mod check_common;

use check_common::check;
use supc::codes::Code;

#[test]
fn rules_lists_every_code_with_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let r = check(&["rules"], dir.path());
    assert_eq!(r.code, Some(0));
    for c in Code::ALL {
        let line = r
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(c.code()))
            .unwrap_or_else(|| panic!("{c} is not listed:\n{}", r.stdout));
        assert!(line.contains(c.name()), "{line}");
    }
    let row = |code: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(code))
            .map(|l| l.split_whitespace().nth(4).unwrap_or_default().to_string())
    };
    assert_eq!(row("SUP020").as_deref(), Some("always"));
    assert_eq!(row("SUP041").as_deref(), Some("on"));
    assert_eq!(row("SUP102").as_deref(), Some("on"));
    let json = check(&["rules", "--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["codes"].as_array().unwrap().len(), Code::ALL.len());
}

#[test]
fn rule_documents_every_code_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    for c in Code::ALL {
        for spelling in [c.code().to_lowercase(), c.name().to_uppercase()] {
            let r = check(&["rule", &spelling], dir.path());
            assert_eq!(r.code, Some(0), "{spelling}: {}", r.all());
            assert!(
                r.stdout
                    .starts_with(&format!("# {} ({})", c.name(), c.code())),
                "{spelling}: {}",
                r.stdout
            );
            assert!(
                r.stdout.contains("## "),
                "{spelling} has no documentation: {}",
                r.stdout
            );
        }
    }
    let r = check(&["rule", "include-maches-nothing"], dir.path());
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("did you mean include-matches-nothing?"),
        "{}",
        r.all()
    );
}
