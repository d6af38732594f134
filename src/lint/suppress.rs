//! Inline suppressions: `; supc: disable=SUP102,unknown-key` on the line of
//! a finding or on a comment line right above it, and
//! `; supc: disable-file=...` anywhere in a file. A suppression that
//! suppresses nothing is reported (`unused-suppression`).

use super::{LintContext, Settings};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

struct Directive {
    span: Span,
    line: usize,
    whole_file: bool,
    /// Codes or names; empty means every rule.
    rules: Vec<String>,
    /// For each rule (or the wildcard), whether it suppressed something.
    used: Vec<bool>,
}

fn parse(cx: &LintContext<'_>) -> Vec<Directive> {
    let mut out = Vec::new();
    for c in &cx.loaded.comments {
        let text = cx.text(c.span);
        let body = text.trim_start_matches([';', '#']).trim();
        let Some(rest) = body.strip_prefix("supc:") else {
            continue;
        };
        let rest = rest.trim();
        let (whole_file, list) = if let Some(l) = rest.strip_prefix("disable-file=") {
            (true, l)
        } else if let Some(l) = rest.strip_prefix("disable=") {
            (false, l)
        } else if rest == "disable" || rest == "disable-file" {
            (rest == "disable-file", "")
        } else {
            continue;
        };
        let rules: Vec<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let (line, _) = cx.sources().get(c.span.file).line_col(c.span.start);
        let n = rules.len().max(1);
        out.push(Directive {
            span: c.span,
            // A comment alone on its line covers the next line.
            line: if c.full_line { line + 1 } else { line },
            whole_file,
            rules,
            used: vec![false; n],
        });
    }
    out
}

fn covers(
    d: &mut Directive,
    finding: &Diagnostic,
    line: usize,
    file: crate::source::FileId,
) -> bool {
    if d.span.file != file || !(d.whole_file || d.line == line) {
        return false;
    }
    if d.rules.is_empty() {
        d.used[0] = true;
        return true;
    }
    for (i, r) in d.rules.iter().enumerate() {
        if Code::lookup(r) == Some(finding.code) {
            d.used[i] = true;
            return true;
        }
    }
    false
}

pub(super) fn apply(
    findings: Vec<Diagnostic>,
    cx: &LintContext<'_>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut directives = parse(cx);
    let mut kept = Vec::new();
    for f in findings {
        let suppressed = f.primary.as_ref().is_some_and(|p| {
            let (line, _) = cx.sources().get(p.span.file).line_col(p.span.start);
            directives
                .iter_mut()
                .any(|d| covers(d, &f, line, p.span.file))
        });
        if !suppressed {
            kept.push(f);
        }
    }
    let unused = Code::UnusedSuppression;
    if settings.enabled(unused) {
        for d in &directives {
            for (i, used) in d.used.iter().enumerate() {
                if *used {
                    continue;
                }
                let what = d
                    .rules
                    .get(i)
                    .map_or("any rule".to_string(), |r| format!("`{r}`"));
                kept.push(
                    Diagnostic::new(
                        unused,
                        settings.severity(unused),
                        format!("this suppression of {what} suppresses nothing"),
                    )
                    .at(d.span, "unused suppression")
                    .help("remove it, or check the rule code or name"),
                );
            }
        }
    }
    kept
}
