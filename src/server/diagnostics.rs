//! supc's diagnostics as LSP diagnostics for one document.
//!
//! A check covers a root config and every file it includes; a document is
//! shown the findings located in its own file. Findings that name no place
//! (`no [supervisord] section`) belong to the root and are shown on its
//! first line.

use super::analysis::Analysis;
use super::state::Document;
use super::text::{Encoding, LineIndex};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap, Span};
use lsp_types as lsp;
use std::collections::HashMap;

/// The document's findings, in the order supc reports them.
pub fn for_document(doc: &Document, analysis: &Analysis, enc: Encoding) -> Vec<lsp::Diagnostic> {
    let sources = &analysis.loaded.sources;
    let mut lines = Lines::new(sources, enc);
    let mut out = Vec::new();
    for d in &analysis.diagnostics {
        let range = match &d.primary {
            Some(label) if sources.get(label.span.file).path == doc.path => lines.range(label.span),
            Some(_) => continue,
            None if analysis.root == doc.path => lsp::Range::default(),
            None => continue,
        };
        out.push(convert(d, range, &mut lines));
    }
    out
}

/// Whether `d` is shown in `doc` (the filter of [`for_document`]).
pub fn belongs_to(d: &Diagnostic, doc: &Document, analysis: &Analysis) -> bool {
    match &d.primary {
        Some(l) => analysis.loaded.sources.get(l.span.file).path == doc.path,
        None => analysis.root == doc.path,
    }
}

pub fn convert(d: &Diagnostic, range: lsp::Range, lines: &mut Lines<'_>) -> lsp::Diagnostic {
    let sources = lines.sources;
    let mut message = d.message.clone();
    if let Some(label) = d.primary.as_ref().filter(|l| !l.message.is_empty()) {
        message.push_str(&format!(" ({})", label.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|l| {
            let path = &sources.get(l.span.file).path;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(
                    super::uri::from_path(&absolute(path))?,
                    lines.range(l.span),
                ),
                message: l.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(code_of(d))),
        source: Some("supc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

pub fn code_of(d: &Diagnostic) -> String {
    d.code.code().to_string()
}

fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// Spans as ranges in their own files' texts (the texts spans index), with
/// each file's line index built once.
pub struct Lines<'a> {
    pub sources: &'a SourceMap,
    enc: Encoding,
    built: HashMap<FileId, LineIndex>,
}

impl<'a> Lines<'a> {
    pub fn new(sources: &'a SourceMap, enc: Encoding) -> Self {
        Lines {
            sources,
            enc,
            built: HashMap::new(),
        }
    }

    pub fn range(&mut self, span: Span) -> lsp::Range {
        let text = &self.sources.get(span.file).text;
        let index = self
            .built
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(text));
        index.range(text, span.start as usize, span.end as usize, self.enc)
    }

    pub fn location(&mut self, span: Span) -> Option<lsp::Location> {
        let path = absolute(&self.sources.get(span.file).path);
        Some(lsp::Location::new(
            super::uri::from_path(&path)?,
            self.range(span),
        ))
    }
}

pub fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
