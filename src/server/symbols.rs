//! Document symbols: the outline of sections, each with its options (in a
//! supc.yaml spec, its sections under their INI names).

use super::outline::SectionInfo;
use super::state::{Document, State};
use crate::options::SectionKind;
use lsp_types::{DocumentSymbol, DocumentSymbolResponse, SymbolKind};

pub fn symbols(state: &State, doc: &Document) -> DocumentSymbolResponse {
    let text = state.text(doc);
    let range = |r: &std::ops::Range<usize>| doc.index.range(text, r.start, r.end, state.encoding);
    let list = doc
        .outline(text)
        .sections
        .iter()
        .map(|s| {
            let children = s
                .options
                .iter()
                .map(|o| {
                    let full = o.key_range.start..o.value_range.end.max(o.key_range.end);
                    symbol(
                        o.key.clone(),
                        Some(o.value.clone()),
                        SymbolKind::PROPERTY,
                        range(&full),
                        range(&o.key_range),
                        None,
                    )
                })
                .collect();
            let full = s.full.start..trimmed_end(text, s);
            symbol(
                s.name.clone(),
                Some(s.kind.header().to_string()),
                kind(s.kind),
                range(&full),
                range(&s.name_range),
                Some(children),
            )
        })
        .collect();
    DocumentSymbolResponse::Nested(list)
}

/// The section's end without the blank lines before the next header.
fn trimmed_end(text: &str, s: &SectionInfo) -> usize {
    let body = text.get(s.full.clone()).unwrap_or("");
    s.full.start + body.trim_end().len()
}

fn kind(k: SectionKind) -> SymbolKind {
    match k {
        SectionKind::Program | SectionKind::EventListener | SectionKind::FcgiProgram => {
            SymbolKind::CLASS
        }
        SectionKind::Group => SymbolKind::NAMESPACE,
        SectionKind::Include => SymbolKind::PACKAGE,
        _ => SymbolKind::MODULE,
    }
}

#[allow(deprecated, reason = "`deprecated` is a required field of the struct")]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: lsp_types::Range,
    selection_range: lsp_types::Range,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        // An empty name is a protocol error (`[]` is a legal header).
        name: if name.is_empty() {
            "(empty)".into()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children,
    }
}
