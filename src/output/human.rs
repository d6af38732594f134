//! Human rendering of diagnostics with miette: graphical on a terminal,
//! plain ASCII without colour when piped or under CI.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
use std::io::IsTerminal;
use std::sync::Arc;

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
    let mut texts = Texts::default();
    for d in diags {
        let report = to_report(d, sources, &mut texts);
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}

/// Places of one finding shown in the human report (besides the primary).
const MAX_RELATED_SHOWN: usize = 10;

fn to_report(
    d: &Diagnostic,
    sources: &SourceMap,
    texts: &mut Texts,
) -> Box<dyn miette::Diagnostic + Send + Sync> {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut md = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code.code())
        .with_severity(severity);
    let hidden = d.related.len().saturating_sub(MAX_RELATED_SHOWN);
    let more = (hidden > 0 && d.primary.is_some()).then(|| {
        format!("{hidden} more places are not shown here; `--format json` lists every one")
    });
    match (&d.help, more) {
        (Some(h), Some(m)) => md = md.with_help(format!("{h}\n{m}")),
        (Some(h), None) => md = md.with_help(h.clone()),
        (None, Some(m)) => md = md.with_help(m),
        (None, None) => {}
    }
    let Some(primary) = &d.primary else {
        return Box::new(md);
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(primary.message.clone()),
        (primary.span.start as usize, primary.span.len()),
    )];
    // A finding about thousands of places shows the first few; the machine
    // formats list them all.
    let shown = &d.related[..d.related.len().min(MAX_RELATED_SHOWN)];
    for l in shown.iter().filter(|l| l.span.file == primary.span.file) {
        labels.push(LabeledSpan::new_with_span(
            Some(l.message.clone()),
            (l.span.start as usize, l.span.len()),
        ));
    }
    md = md.with_labels(labels);
    let report = miette::Report::new(md).with_source_code(texts.named(sources, primary.span.file));
    // Labels in other files (an included file, say) become related notes,
    // each with its own source.
    let related = shown
        .iter()
        .filter(|l| l.span.file != primary.span.file)
        .map(|l| {
            let note =
                MietteDiagnostic::new(format!("{} ({})", l.message, sources.location(l.span)))
                    .with_severity(miette::Severity::Advice)
                    .with_labels(vec![LabeledSpan::new_primary_with_span(
                        Some(l.message.clone()),
                        (l.span.start as usize, l.span.len()),
                    )]);
            miette::Report::new(note).with_source_code(texts.named(sources, l.span.file))
        })
        .collect();
    Box::new(ReportDiag(report, related))
}

/// One shared [`Text`] per file, made the first time a finding needs it.
#[derive(Default)]
struct Texts(Vec<Option<Arc<Text>>>);

impl Texts {
    fn named(&mut self, sources: &SourceMap, id: FileId) -> NamedSource<Arc<Text>> {
        let i = id.0 as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        let file = sources.get(id);
        let text = self.0[i]
            .get_or_insert_with(|| Arc::new(Text::new(&file.text)))
            .clone();
        NamedSource::new(&file.name, text)
    }
}

/// A file's text with its line starts, so that every finding shares one
/// copy and a span's lines are found by binary search instead of a scan
/// from the top of the file (miette's own `str` source), which made a
/// report quadratic in the number of findings.
#[derive(Debug)]
struct Text {
    text: Box<str>,
    /// Where each line starts, breaking lines where miette does: at `\n`,
    /// `\r\n` and a lone `\r`.
    line_starts: Vec<usize>,
}

impl Text {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        Text {
            text: text.into(),
            line_starts,
        }
    }
}

impl SourceCode for Text {
    /// miette's own reading of the text from a line start shortly before
    /// the span, shifted back: miette's scan keeps no state across a line
    /// start that lies two lines or more before the span's line, other
    /// than the count of lines behind it, which is added back here.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self
            .line_starts
            .partition_point(|&s| s <= span.offset())
            .saturating_sub(1);
        let first = line.saturating_sub(context_lines_before.saturating_add(2));
        let base = self.line_starts[first];
        let bytes = &self.text.as_bytes()[base..];
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let c = bytes.read_span(&local, context_lines_before, context_lines_after)?;
        let data: &'a [u8] = c.data();
        let (line, column, line_count) = (c.line(), c.column(), c.line_count());
        let covered = SourceSpan::new((c.span().offset() + base).into(), c.span().len());
        Ok(Box::new(MietteSpanContents::new(
            data,
            covered,
            line + first,
            column,
            line_count + first,
        )))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a `SpanContents` says, to compare two of them.
    fn facts(c: &dyn SpanContents<'_>) -> (Vec<u8>, SourceSpan, usize, usize, usize) {
        (
            c.data().to_vec(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
        )
    }

    #[test]
    fn text_reads_every_span_as_miette_does() {
        let texts = [
            "",
            "a",
            "\n",
            "\r\n\r\n",
            "[program:x]\ncommand=/bin/true\n\nuser=root\n",
            "a\r\nbé\rc\nd\r\r\n\n\rlast",
            "x\n\n\n\ny\r\rz\r\n\r\nw\n",
        ];
        for t in texts {
            let ours = Text::new(t);
            for offset in 0..=t.len() {
                for len in 0..=(t.len() + 1 - offset) {
                    for before in 0..4 {
                        for after in 0..4 {
                            let span = SourceSpan::new(offset.into(), len);
                            let want = t.read_span(&span, before, after);
                            let got = ours.read_span(&span, before, after);
                            match (want, got) {
                                (Ok(w), Ok(g)) => assert_eq!(
                                    facts(w.as_ref()),
                                    facts(g.as_ref()),
                                    "{t:?} {offset}+{len} ({before}, {after})"
                                ),
                                (Err(_), Err(_)) => {}
                                (w, g) => panic!(
                                    "{t:?} {offset}+{len} ({before}, {after}): {:?} vs {:?}",
                                    w.is_ok(),
                                    g.is_ok()
                                ),
                            }
                        }
                    }
                }
            }
        }
    }
}
