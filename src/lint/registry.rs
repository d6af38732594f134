//! The rule registry, in documentation order.
//!
//! Each helper-owned block below is edited only by whoever owns that block
//! of rules; keep one rule per line.

use super::rules;
use super::{Rule, RuleMeta};

pub static RULES: &[&dyn Rule] = &[
    // --- sections and keys ---
    &rules::unknown_section::UnknownSection,
    &rules::unknown_key::UnknownKey,
    &rules::misplaced_key::MisplacedKey,
    // --- block A ---
    // --- end block A ---
    // --- block B ---
    // --- end block B ---
    // --- block C ---
    // --- end block C ---
    // --- engine ---
    &rules::unused_suppression::UnusedSuppression,
];

/// A rule by code or name.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == code_or_name || m.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            let m = r.meta();
            assert!(seen.insert(m.code), "duplicate code {}", m.code);
            assert!(seen.insert(m.name), "duplicate name {}", m.name);
            assert!(m.code.starts_with("SUP") && m.code.len() == 6, "{}", m.code);
            assert!(
                m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.name
            );
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(m.doc.contains(heading), "{} lacks {heading}", m.code);
            }
        }
    }
}
