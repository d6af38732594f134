//! `docs/rules/NAME.md` is each rule's documentation as `supc rule NAME`
//! prints it; findings link there. Regenerate with scripts/gen-rule-docs.sh.

use std::process::Command;
use supc::lint::registry;

#[test]
fn every_rule_has_a_current_page() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for rule in registry::RULES {
        let m = rule.meta();
        let out = Command::new(env!("CARGO_BIN_EXE_supc"))
            .args(["rule", m.code.name()])
            .output()
            .unwrap();
        let page = std::fs::read(root.join(m.docs_path())).unwrap_or_else(|_| {
            panic!("{} is missing: run scripts/gen-rule-docs.sh", m.docs_path())
        });
        assert_eq!(
            page,
            out.stdout,
            "{} is stale: run scripts/gen-rule-docs.sh",
            m.docs_path()
        );
    }
    let pages = std::fs::read_dir(root.join("docs/rules")).unwrap().count();
    assert_eq!(
        pages,
        registry::RULES.len(),
        "docs/rules has pages of removed rules"
    );
}
