//! The documentation of the codes that are not lint rules: supervisord's
//! own (`SUP0xx`) and the YAML front-end's (`YAML0xx`), written in
//! `docs/codes/CODE.md` and compiled in, for `supc rule` and SARIF. A lint
//! rule's documentation is its own doc comment (`RuleMeta::doc`).

use crate::codes::Code;

macro_rules! pages {
    ($($code:literal),* $(,)?) => {
        &[$(($code, include_str!(concat!("../../docs/codes/", $code, ".md"))),)*]
    };
}

static PAGES: &[(&str, &str)] = pages![
    "SUP001", "SUP002", "SUP003", "SUP004", "SUP005", "SUP006", "SUP010", "SUP011", "SUP020",
    "SUP021", "SUP022", "SUP023", "SUP024", "SUP025", "SUP026", "SUP027", "SUP028", "SUP029",
    "SUP030", "SUP040", "SUP041", "SUP090", "SUP091", "YAML001", "YAML002", "YAML003", "YAML004",
];

/// The page of a code that is not a lint rule.
pub fn of(code: Code) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(c, _)| *c == code.code())
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code has documentation: its rule's, or a page here.
    #[test]
    fn every_code_is_documented() {
        for &code in Code::ALL {
            let documented = crate::lint::registry::rule_of(code).is_some() || of(code).is_some();
            assert!(documented, "{code} has no documentation");
        }
        for (c, _) in PAGES {
            assert!(Code::lookup(c).is_some(), "docs/codes/{c}.md names no code");
        }
    }
}
