//! Why a section has no instances: the error supervisord would stop at
//! while reading it. A finding belongs to a section when its place is one
//! of the section's own (its header, a key or value of its options, in
//! the analysis's own text, so an edit since cannot mislead), or when its
//! message names the section as supervisord's messages do
//! (`in section 'program:web'`).

use super::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

/// The first error of section `name` in the analysis.
pub fn error_of<'a>(a: &'a Analysis, name: &str) -> Option<&'a Diagnostic> {
    let spans: Vec<Span> = a
        .loaded
        .ini
        .section(name)
        .map(|s| {
            let own = s
                .entries
                .iter()
                .flat_map(|(_, e)| [e.def.key_span, e.def.value_span]);
            s.headers.iter().copied().chain(own).collect()
        })
        .unwrap_or_default();
    let within = |at: Span| {
        spans
            .iter()
            .any(|s| s.file == at.file && s.start <= at.start && at.end <= s.end)
    };
    let quoted = format!("'{name}'");
    a.resolution
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .find(|d| d.primary.as_ref().is_some_and(|l| within(l.span)) || d.message.contains(&quoted))
}

/// The error as a sentence for a hover: `No instances: supervisord stops
/// at … (SUP028).`
pub fn sentence(d: &Diagnostic) -> String {
    let message = d.message.trim_end_matches('.');
    format!(
        "No instances: supervisord refuses this section: {message} ({}).\n",
        d.code.code()
    )
}
