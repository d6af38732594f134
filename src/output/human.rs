//! Human rendering of diagnostics with miette: graphical on a terminal,
//! plain ASCII without colour when piped or under CI.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use std::io::IsTerminal;

/// Renders diagnostics for a terminal (or not) at a fixed width.
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let fancy = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    render_with(diags, sources, fancy, 100)
}

pub fn render_with(diags: &[Diagnostic], sources: &SourceMap, fancy: bool, width: usize) -> String {
    let theme = if fancy {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    for d in diags {
        let report = to_report(d, sources);
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}

fn to_report(d: &Diagnostic, sources: &SourceMap) -> Box<dyn miette::Diagnostic + Send + Sync> {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut md = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code)
        .with_severity(severity);
    if let Some(h) = &d.help {
        md = md.with_help(h.clone());
    }
    let Some(primary) = &d.primary else {
        return Box::new(md);
    };
    let file = sources.get(primary.span.file);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(primary.message.clone()),
        (primary.span.start as usize, primary.span.len()),
    )];
    for l in d
        .related
        .iter()
        .filter(|l| l.span.file == primary.span.file)
    {
        labels.push(LabeledSpan::new_with_span(
            Some(l.message.clone()),
            (l.span.start as usize, l.span.len()),
        ));
    }
    md = md.with_labels(labels);
    let report = miette::Report::new(md)
        .with_source_code(NamedSource::new(file.name.clone(), file.text.clone()));
    // Labels in other files (an included file, say) become related notes,
    // each with its own source.
    let related = d
        .related
        .iter()
        .filter(|l| l.span.file != primary.span.file)
        .map(|l| {
            let f = sources.get(l.span.file);
            let note =
                MietteDiagnostic::new(format!("{} ({})", l.message, sources.location(l.span)))
                    .with_severity(miette::Severity::Advice)
                    .with_labels(vec![LabeledSpan::new_primary_with_span(
                        Some(l.message.clone()),
                        (l.span.start as usize, l.span.len()),
                    )]);
            miette::Report::new(note)
                .with_source_code(NamedSource::new(f.name.clone(), f.text.clone()))
        })
        .collect();
    Box::new(ReportDiag(report, related))
}

/// Wraps a `miette::Report` (and notes in other files) so it can be
/// rendered as one `Diagnostic`.
struct ReportDiag(miette::Report, Vec<miette::Report>);

impl std::fmt::Debug for ReportDiag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for ReportDiag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ReportDiag {}

impl miette::Diagnostic for ReportDiag {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.1.is_empty() {
            return None;
        }
        Some(Box::new(
            self.1.iter().map(|r| r.as_ref() as &dyn miette::Diagnostic),
        ))
    }
}
