use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::python::unicode::is_space;

pub struct IncludeCommaSeparated;

static META: RuleMeta = RuleMeta {
    code: Code::IncludeCommaSeparated,
    doc: r#"## What it does
Finds `[include] files=` patterns that contain a comma.

## Why is this bad?
supervisord splits `files=` on whitespace only. `files=a.conf,b.conf` is
one pattern that looks for a file literally named `a.conf,b.conf`; it
matches nothing, and a missing include is only a log warning, so neither
file is read and their programs never run.

## Example
```ini
[include]
files=conf.d/web.conf,conf.d/worker.conf
```

## Use instead
```ini
[include]
files=conf.d/web.conf conf.d/worker.conf
```
"#,
};

/// Whitespace-separated words with their byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.char_indices()
        .filter(|&(i, c)| !is_space(c) && s[..i].chars().next_back().is_none_or(is_space))
        .map(|(i, _)| {
            let len = s[i..].find(is_space).unwrap_or(s.len() - i);
            (i, &s[i..i + len])
        })
}

impl Rule for IncludeCommaSeparated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some(entry) = cx.entry("include", "files").filter(|e| !e.def.from_default) else {
            return;
        };
        // A file whose name really has a comma was found and read.
        if cx
            .loaded
            .includes
            .iter()
            .any(|f| f.file.is_some() && f.path.contains(','))
        {
            return;
        }
        let written = &entry.def.written();
        let lines = value_lines(cx, &entry.def);
        for (start, word) in words(written) {
            if !word.contains(',') || word.split(',').all(str::is_empty) {
                continue;
            }
            let span =
                written_span(&lines, start, start + word.len()).unwrap_or(entry.def.value_span);
            let fixed = word
                .split(',')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let d = out.report(
                format!("`{word}` is one include pattern: supervisord separates patterns with whitespace, not commas, so it looks for a file named `{word}`"),
                span,
                "one pattern, commas included",
            );
            d.help = Some(format!("separate the patterns with spaces: `{fixed}`"));
        }
    }
}
