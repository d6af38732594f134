//! Code actions: each finding's fix as a quick fix, one "fix all" that
//! applies every safe fix of the document, and "disable RULE for this
//! line" (a `; supc: disable=NAME` comment line above the finding, which a
//! comment line inside a value does not interrupt).

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
            if let Some(fix) = fix_of(d) {
                let edit = workspace_edit(a, &mut lines, &fix.edits);
                out.push(action(
                    fix.message.to_string(),
                    CodeActionKind::QUICKFIX,
                    edit,
                    Some(shown.clone()),
                    fix.safe,
                ));
            }
            if is_rule(d) {
                let edit = disable_line(state, doc, primary.span, d);
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
    let safe: Vec<(Span, &str)> = mine
        .iter()
        .filter_map(|d| fix_of(d))
        .filter(|f| f.safe)
        .flat_map(|f| f.edits)
        .collect();
    if !safe.is_empty() {
        let edits = without_overlaps(safe);
        let edit = workspace_edit(a, &mut lines, &edits);
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
fn workspace_edit(_a: &Analysis, lines: &mut Lines<'_>, edits: &[(Span, &str)]) -> WorkspaceEdit {
    let mut changes: HashMap<lsp_types::Uri, Vec<TextEdit>> = HashMap::new();
    for (span, replacement) in edits {
        if let Some(loc) = lines.location(*span) {
            changes
                .entry(loc.uri)
                .or_default()
                .push(TextEdit::new(loc.range, replacement.to_string()));
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

/// Sorted by position, dropping any edit that overlaps an earlier one
/// (two fixes of one place: the first wins, the next run gets the other).
fn without_overlaps(mut edits: Vec<(Span, &str)>) -> Vec<(Span, &str)> {
    edits.sort_by_key(|(s, _)| (s.file, s.start, s.end));
    let mut out: Vec<(Span, &str)> = Vec::new();
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

/// `; supc: disable=NAME` on its own line above the finding's line.
fn disable_line(state: &State, doc: &Document, span: Span, d: &Diagnostic) -> WorkspaceEdit {
    let text = state.text(doc);
    let pos = doc
        .index
        .position(text, span.start as usize, state.encoding);
    let at = lsp_types::Position::new(pos.line, 0);
    let edit = TextEdit::new(
        Range::new(at, at),
        format!("; supc: disable={}\n", rule_name(d)),
    );
    let mut changes = HashMap::new();
    changes.insert(doc.uri.clone(), vec![edit]);
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}
