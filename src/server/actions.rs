//! Code actions: each finding's fix as a quick fix, one "fix all" that
//! applies every safe fix of the document, and "disable RULE for this
//! line" (a `; supc: disable=NAME` comment line above the finding, which a
//! comment line inside a value does not interrupt; `# supc: disable=NAME`
//! in a supc.yaml spec).

use super::analysis::Analysis;
use super::diagnostics::{self, Lines, belongs_to};
use super::state::{Document, State};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::source::Span;
use lsp_types::{
    CodeAction, CodeActionContext, CodeActionKind, CodeActionOrCommand, Range, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The safe fixes of a spec that "fix all" takes at most (the rest come
/// with the next request, once these are applied).
const SPEC_FIXES: usize = 32;

/// A fix as the server needs it (see [`fix_of`]).
pub struct FixView<'a> {
    pub message: &'a str,
    pub safe: bool,
    pub edits: Vec<(Span, &'a str)>,
}

/// The fix a finding carries, if any.
pub fn fix_of(d: &Diagnostic) -> Option<FixView<'_>> {
    let fix = d.fix.as_ref()?;
    Some(FixView {
        message: &fix.message,
        safe: fix.applicability == Applicability::Safe,
        edits: fix
            .edits
            .iter()
            .map(|e| (e.span, e.replacement.as_str()))
            .collect(),
    })
}

pub fn actions(
    state: &State,
    doc: &Document,
    range: Range,
    context: &CodeActionContext,
) -> Vec<CodeActionOrCommand> {
    let Some(a) = &doc.analysis else {
        return Vec::new();
    };
    let mut lines = Lines::new(&a.loaded.sources, state.encoding);
    let mut out = Vec::new();
    let only_fix_all = context
        .only
        .as_ref()
        .is_some_and(|k| k.iter().all(|k| k.as_str().starts_with("source")));
    let mine: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| belongs_to(d, doc, a))
        .collect();
    if !only_fix_all {
        for d in &mine {
            let Some(primary) = &d.primary else { continue };
            let r = lines.range(primary.span);
            if r.end < range.start || r.start > range.end {
                continue;
            }
            let shown = diagnostics::convert(d, r, &mut lines);
            if let Some(fix) = fix_of(d)
                && let Some(edits) = edits_of(state, doc, a, &fix)
            {
                let edit = workspace_edit(&mut lines, &edits);
                out.push(action(
                    fix.message.to_string(),
                    CodeActionKind::QUICKFIX,
                    edit,
                    Some(shown.clone()),
                    fix.safe,
                ));
            }
            if is_rule(d)
                && let Some(edit) = disable_line(state, doc, primary.span, d)
            {
                out.push(action(
                    format!("Disable {} for this line", rule_name(d)),
                    CodeActionKind::QUICKFIX,
                    edit,
                    Some(shown),
                    false,
                ));
            }
        }
    }
    // Each fix of a spec is verified by reading the spec again: bounded.
    let limit = if doc.is_yaml() {
        SPEC_FIXES
    } else {
        usize::MAX
    };
    let safe: Vec<(Span, String)> = mine
        .iter()
        .filter_map(|d| fix_of(d))
        .filter(|f| f.safe)
        .take(limit)
        .filter_map(|f| edits_of(state, doc, a, &f))
        .flatten()
        .collect();
    if !safe.is_empty() {
        let edits = without_overlaps(safe);
        let edit = workspace_edit(&mut lines, &edits);
        out.push(action(
            "Fix all supc findings".into(),
            CodeActionKind::SOURCE_FIX_ALL,
            edit,
            None,
            false,
        ));
    }
    out.into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// A fix's edits as the document needs them: as they are in INI, in a
/// spec only those [`yaml_fix::adapt`] can write with the same meaning.
fn edits_of(
    state: &State,
    doc: &Document,
    a: &Analysis,
    fix: &FixView<'_>,
) -> Option<Vec<(Span, String)>> {
    if doc.is_yaml() {
        return super::yaml_fix::adapt(&a.loaded, &fix.edits, &state.host);
    }
    Some(fix.edits.iter().map(|(s, r)| (*s, r.to_string())).collect())
}

fn action(
    title: String,
    kind: CodeActionKind,
    edit: WorkspaceEdit,
    diag: Option<lsp_types::Diagnostic>,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diag.map(|d| vec![d]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    }
}

/// Edits grouped by file (a fix may touch an included file).
#[allow(
    clippy::mutable_key_type,
    reason = "lsp-types keys WorkspaceEdit by Uri, whose interior mutability is never used"
)]
fn workspace_edit(lines: &mut Lines<'_>, edits: &[(Span, String)]) -> WorkspaceEdit {
    let mut changes: HashMap<lsp_types::Uri, Vec<TextEdit>> = HashMap::new();
    for (span, replacement) in edits {
        if let Some(loc) = lines.location(*span) {
            changes
                .entry(loc.uri)
                .or_default()
                .push(TextEdit::new(loc.range, replacement.clone()));
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

/// Sorted by position, dropping any edit that overlaps an earlier one
/// (two fixes of one place: the first wins, the next run gets the other).
fn without_overlaps(mut edits: Vec<(Span, String)>) -> Vec<(Span, String)> {
    edits.sort_by_key(|(s, _)| (s.file, s.start, s.end));
    let mut out: Vec<(Span, String)> = Vec::new();
    for (s, r) in edits {
        let overlaps = out
            .last()
            .is_some_and(|(p, _)| p.file == s.file && s.start < p.end);
        if !overlaps {
            out.push((s, r));
        }
    }
    out
}

/// A lint rule's finding (supervisord's own errors cannot be disabled).
fn is_rule(d: &Diagnostic) -> bool {
    d.code.is_lint()
}

fn rule_name(d: &Diagnostic) -> String {
    d.code.name().to_string()
}

/// `; supc: disable=NAME` on its own line above the finding's line (in a
/// spec `# supc: disable=NAME`, indented as that line, since the YAML
/// front end reads `#` comments as suppressions the same way). None inside
/// a YAML block scalar, where a `#` line would be part of the text.
#[allow(clippy::mutable_key_type, reason = "as in workspace_edit")]
fn disable_line(
    state: &State,
    doc: &Document,
    span: Span,
    d: &Diagnostic,
) -> Option<WorkspaceEdit> {
    let text = state.text(doc);
    if doc.is_yaml() && super::yaml_outline::in_block_scalar(text, span.start as usize) {
        return None;
    }
    let pos = doc
        .index
        .position(text, span.start as usize, state.encoding);
    let at = lsp_types::Position::new(pos.line, 0);
    let comment = if doc.is_yaml() {
        let before = text.get(..span.start as usize).unwrap_or("");
        let line = &text[before.rfind('\n').map_or(0, |i| i + 1)..];
        let indent = line.len() - line.trim_start_matches(' ').len();
        format!("{}# supc: disable={}\n", " ".repeat(indent), rule_name(d))
    } else {
        format!("; supc: disable={}\n", rule_name(d))
    };
    let edit = TextEdit::new(Range::new(at, at), comment);
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), vec![edit]);
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Fix};
    use crate::server::state::ClientOptions;
    use crate::server::text::Encoding;
    use lsp_types::{Position, Uri};
    use std::str::FromStr;

    /// A finding's `Diagnostic.fix` becomes a quick fix and joins "fix
    /// all", whichever rule attached it (here: one attached by hand to the
    /// unknown-key finding of a typo, replacing any fix of its own).
    #[test]
    fn every_fix_becomes_a_quick_fix_and_joins_fix_all() {
        let mut state = State::new(Vec::new(), &ClientOptions::default(), Encoding::Utf16);
        let uri = Uri::from_str("file:///supc-test/a.conf").unwrap();
        let text =
            "[supervisord]\nlogfile=/tmp/a.log\n[program:x]\ncommand=/bin/cat\nautorestar=1\n";
        state.open(uri.clone(), 1, text.into());
        state.check(uri.as_str());
        let doc = state.docs.get_mut(uri.as_str()).unwrap();
        let a = doc.analysis.as_mut().unwrap();
        let d = a
            .diagnostics
            .iter_mut()
            .find(|d| d.code.name() == "unknown-key")
            .expect("unknown-key finding");
        let span = d.primary.as_ref().unwrap().span;
        // Inserted at the start of line 2 (byte 14).
        let at = crate::source::Span::new(span.file, 14, 14);
        d.fix = Some(Fix {
            message: "Add `user=nobody`".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: at,
                replacement: "user=nobody\n".into(),
            }],
        });
        let doc = &state.docs[uri.as_str()];
        let range = Range::new(Position::new(4, 0), Position::new(4, 5));
        let context = CodeActionContext::default();
        let list = actions(&state, doc, range, &context);
        let titles: Vec<&str> = list
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.as_str(),
                CodeActionOrCommand::Command(c) => c.title.as_str(),
            })
            .collect();
        assert_eq!(
            titles,
            [
                "Add `user=nobody`",
                "Disable unknown-key for this line",
                "Fix all supc findings"
            ]
        );
        let CodeActionOrCommand::CodeAction(quick) = &list[0] else {
            panic!("not an action")
        };
        assert_eq!(quick.kind, Some(CodeActionKind::QUICKFIX));
        assert_eq!(quick.is_preferred, Some(true));
        let edits = &quick.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        assert_eq!(edits[0].new_text, "user=nobody\n");
        assert_eq!(edits[0].range.start, Position::new(1, 0));
    }
}
