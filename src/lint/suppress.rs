//! Inline suppressions: `; supc: disable=SUP102,unknown-key` on the line of
//! a finding or on a comment line right above it, and
//! `; supc: disable-file=...` anywhere in a file. Codes and names match in
//! any case; `all` (or no list) means every rule and every supervisord
//! warning. A suppression that suppresses nothing is reported
//! (`unused-suppression`); one that names no known rule is an error the CLI
//! reports before anything else ([`unknown_names`]).

use super::{LintContext, Settings};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text::{whole_lines, with_leading_blanks};
use crate::source::{FileId, Span};
use std::collections::HashMap;

struct Directive {
    span: Span,
    /// The comment is alone on its line.
    full_line: bool,
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
        // `all` anywhere in the list means every rule.
        let rules = if rules.iter().any(|r| r.eq_ignore_ascii_case("all")) {
            Vec::new()
        } else {
            rules
        };
        let (line, _) = cx.sources().get(c.span.file).line_col(c.span.start);
        let n = rules.len().max(1);
        out.push(Directive {
            span: c.span,
            full_line: c.full_line,
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

/// Every rule name an inline suppression gives that is no code or rule
/// name, with where it is written and a suggestion.
pub fn unknown_names(cx: &LintContext<'_>) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for d in parse(cx) {
        for r in &d.rules {
            if super::settings::is_known(r) {
                continue;
            }
            let msg = match Code::closest(r) {
                Some(s) => format!("unknown rule `{r}` in a suppression (did you mean `{s}`?)"),
                None => format!("unknown rule `{r}` in a suppression (`supc rules` lists them)"),
            };
            out.push((d.span, msg));
        }
    }
    out
}

pub(super) fn apply(
    findings: Vec<Diagnostic>,
    cx: &LintContext<'_>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut directives = parse(cx);
    // The directives that can cover a line: those on it, and the file's
    // `disable-file` ones (an index, so many findings and many comments
    // stay linear).
    let mut on_line: HashMap<(FileId, usize), Vec<usize>> = HashMap::new();
    let mut whole_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, d) in directives.iter().enumerate() {
        if d.whole_file {
            whole_file.entry(d.span.file).or_default().push(i);
        } else {
            on_line.entry((d.span.file, d.line)).or_default().push(i);
        }
    }
    let mut kept = Vec::new();
    for f in findings {
        let suppressed = f.primary.as_ref().is_some_and(|p| {
            let file = p.span.file;
            let (line, _) = cx.sources().get(file).line_col(p.span.start);
            let mut candidates: Vec<usize> = (on_line.get(&(file, line)).into_iter())
                .chain(whole_file.get(&file))
                .flatten()
                .copied()
                .collect();
            // In the order they are written, as a scan of them all would.
            candidates.sort_unstable();
            candidates
                .into_iter()
                .any(|i| covers(&mut directives[i], &f, line, file))
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
                    .help("remove it, or check the rule code or name")
                    .with_fix(remove_rule(cx, d, i)),
                );
            }
        }
    }
    kept
}

/// Removes rule `i` from a directive, or the whole comment when it is the
/// directive's only rule. Comments are not part of what supervisord reads.
fn remove_rule(cx: &LintContext<'_>, d: &Directive, i: usize) -> Fix {
    let text = &cx.sources().get(d.span.file).text;
    let comment = cx.text(d.span);
    let keyword = if d.whole_file {
        "disable-file"
    } else {
        "disable"
    };
    let lead = comment.find("supc:").map_or("; ", |at| &comment[..at]);
    let edit = if d.rules.len() > 1 {
        let rest: Vec<&str> = (d.rules.iter().enumerate())
            .filter(|&(k, _)| k != i)
            .map(|(_, r)| r.as_str())
            .collect();
        let new = format!("{lead}supc: {keyword}={}", rest.join(","));
        Edit::replace(d.span, new)
    } else if d.full_line {
        Edit::delete(whole_lines(text, d.span))
    } else {
        Edit::delete(with_leading_blanks(text, d.span))
    };
    Fix::safe("remove the unused suppression", vec![edit])
}
