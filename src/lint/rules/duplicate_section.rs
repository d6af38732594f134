use crate::codes::Code;
use crate::diagnostic::Label;
use crate::ini::Definition;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::source::Span;

pub struct DuplicateSection;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateSection,
    doc: r#"## What it does
Finds section headers that appear more than once, in one file or across
included files.

## Why is this bad?
supervisord does not complain about a repeated section: it merges both
sections key by key, and where a key is set in both, the later one wins.
A copied conf.d file or a forgotten second `[program:web]` silently
changes the command, user or log file of a program that looks complete
where it is first defined.

## Example
```ini
[program:web]
command=/usr/bin/web
priority=3

[program:web]
command=/usr/bin/web --debug
```

## Use instead
```ini
[program:web]
command=/usr/bin/web --debug
priority=3
```
"#,
};

/// The same file read twice (an include pattern that matches a file again)
/// repeats its headers at the same offsets; that merge is harmless.
/// Where a span is, as a key: the same place in a file read twice (through
/// two includes) is one place. Sets of these keep the duplicate rules
/// linear in the number of repeats.
pub(crate) fn place<'c>(cx: &'c LintContext<'_>, s: Span) -> (&'c std::path::Path, u32, u32) {
    (&cx.sources().get(s.file).path, s.start, s.end)
}

/// `defs` without the repeats of a place, in order.
pub(crate) fn distinct_places<'d>(
    cx: &LintContext<'_>,
    defs: impl IntoIterator<Item = &'d Definition>,
) -> Vec<&'d Definition> {
    let mut seen = std::collections::HashSet::new();
    defs.into_iter()
        .filter(|d| seen.insert(place(cx, d.key_span)))
        .collect()
}

/// Two places in one file with a Jinja `{% ... %}` tag between them:
/// alternative branches of a template, not one config.
pub(crate) fn template_branch(cx: &LintContext<'_>, a: Span, b: Span) -> bool {
    let (from, to) = (a.end.min(b.end), a.start.max(b.start));
    a.file == b.file && from <= to && cx.template_tag_between(a.file, from, to)
}

/// ` (first defined at file:line:col)`-style text for a related place in
/// another file, which the human output cannot show as a label.
pub(crate) fn elsewhere(
    cx: &LintContext<'_>,
    primary: Span,
    others: &[Span],
    what: &str,
) -> String {
    let places: Vec<String> = others
        .iter()
        .filter(|s| s.file != primary.file)
        .map(|&s| cx.sources().location(s))
        .collect();
    if places.is_empty() {
        String::new()
    } else {
        format!(" ({what} {})", places.join(", "))
    }
}

impl Rule for DuplicateSection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            // Unknown sections are ignored anyway (unknown-section says so).
            if matches!(kind, SectionKind::Unknown | SectionKind::Default) {
                continue;
            }
            let Some(&first) = section.headers.first() else {
                continue;
            };
            let mut seen = std::collections::HashSet::from([place(cx, first)]);
            for &header in section.headers.iter().skip(1) {
                // A nested `[include]` is never read; `{% if %}` branches of a
                // template are alternatives.
                let nested = name == "include" && Some(header.file) != cx.loaded.main;
                if !seen.insert(place(cx, header)) || nested || template_branch(cx, first, header) {
                    continue;
                }
                let at = elsewhere(cx, header, &[first], "first defined at");
                let d = out.report(
                    format!(
                        "[{name}] is defined more than once{at}; supervisord merges the sections key by key and the later value of each key wins"
                    ),
                    header,
                    "defined again here",
                );
                d.related.push(Label::new(first, "first defined here"));
                d.help = Some(format!(
                    "keep a single [{name}] section, or rename one of them if they are meant to be different"
                ));
            }
        }
    }
}
