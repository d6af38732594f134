//! One line per finding (`path:line:col: CODE severity message`), for
//! editors' error lists, grep and logs, and `--statistics`: a count per
//! code.

use super::{Finding, Run};
use crate::diagnostic::Severity;
use std::collections::BTreeMap;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn line(path: &str, f: &Finding) -> String {
    let place = match &f.location {
        Some(l) => format!("{}:{}:{}", l.file, l.line, l.column),
        None => path.to_string(),
    };
    // One line each: a message's own line breaks are shown as `\n`.
    let message = f.message.replace('\n', "\\n");
    format!("{place}: {} {} {message}\n", f.code, severity(f.severity))
}

/// Every finding of the run, one per line.
pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for r in &run.files {
        for f in &r.findings {
            out.push_str(&line(&r.path, f));
        }
    }
    out
}

/// `COUNT  CODE  name`, most frequent first.
pub fn statistics(run: &Run) -> String {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in run.files.iter().flat_map(|r| &r.findings) {
        *counts.entry((&f.code, &f.rule)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let width = rows.first().map_or(1, |r| r.1.to_string().len());
    rows.iter()
        .map(|((code, rule), n)| format!("{n:>width$}  {code}  {rule}\n"))
        .collect()
}
