//! Inlay hints after `numprocs=` and `process_name=`: the instance names
//! the section expands to (`→ web:web_01 … web:web_04`), capped so a
//! section of thousands stays one short hint. A section whose check
//! failed, or whose naming options changed since the last check, gets no
//! hint rather than a wrong one.

use super::hover::instances_by_section;
use super::outline::SectionInfo;
use super::state::{Document, State};
use lsp_types::{InlayHint, InlayHintLabel, Range};

/// Names shown before the ellipsis.
const SHOWN: usize = 3;

pub fn hints(state: &State, doc: &Document, range: Range) -> Vec<InlayHint> {
    let text = state.text(doc);
    let (from, to) = (
        doc.index.offset(text, range.start, state.encoding),
        doc.index.offset(text, range.end, state.encoding),
    );
    let mut out = Vec::new();
    let by_section = instances_by_section(doc);
    for section in &doc.outline(text).sections {
        if !section.kind.is_program_like() || section.full.end < from || section.full.start > to {
            continue;
        }
        let at: Vec<usize> = section
            .options
            .iter()
            .filter(|o| matches!(o.key.as_str(), "numprocs" | "process_name"))
            .map(|o| o.value_range.end)
            .filter(|&end| (from..=to).contains(&end))
            .collect();
        if at.is_empty() {
            continue;
        }
        let Some(procs) = by_section.get(section.name.as_str()) else {
            continue;
        };
        if !current(doc, section) {
            continue;
        }
        let names: Vec<String> = procs.iter().map(|p| p.full_name()).collect();
        if names.is_empty() {
            continue;
        }
        let label = summary(&names);
        for end in at {
            out.push(InlayHint {
                position: doc.index.position(text, end, state.encoding),
                label: InlayHintLabel::String(label.clone()),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            });
        }
    }
    out
}

/// Options that decide the instance names.
const NAMING: [&str; 3] = ["numprocs", "numprocs_start", "process_name"];

/// Whether the last check read the section's naming options as the buffer
/// has them now: after an edit, until its check is done, the old names
/// would be wrong, so none are shown.
fn current(doc: &Document, section: &SectionInfo) -> bool {
    let Some(a) = &doc.analysis else {
        return false;
    };
    NAMING.iter().all(|key| {
        let now = section.options.iter().rev().find(|o| o.key == *key);
        let then = a
            .loaded
            .ini
            .get(&section.name, key)
            .filter(|f| !f.inherited);
        now.map(|o| o.value.as_str()) == then.map(|f| f.value)
    })
}

/// `→ a, b` for few names, `→ a, b, c … z (26)` for many.
pub fn summary(names: &[String]) -> String {
    if names.len() <= SHOWN + 1 {
        return format!("→ {}", names.join(", "));
    }
    format!(
        "→ {} … {} ({})",
        names[..SHOWN].join(", "),
        names[names.len() - 1],
        names.len()
    )
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn caps_long_lists() {
        let names: Vec<String> = (1..=40).map(|i| format!("web:web_{i:02}")).collect();
        assert_eq!(
            summary(&names),
            "→ web:web_01, web:web_02, web:web_03 … web:web_40 (40)"
        );
        assert_eq!(summary(&names[..2]), "→ web:web_01, web:web_02");
    }
}
