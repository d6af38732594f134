use super::duplicate_section::{distinct_places, elsewhere, template_branch};
use crate::codes::Code;
use crate::diagnostic::{Edit, Fix, Label};
use crate::fix::text::whole_lines;
use crate::ini::{Definition, Section};
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct DuplicateKey;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateKey,
    doc: r#"## What it does
Finds keys that are set more than once in the same section, in one file or
across included files (when a section is repeated).

## Why is this bad?
supervisord keeps only the last value and ignores the others without a
word. The earlier line still reads as if it were in effect, so a reader
(or an edit) changes the wrong line.

## Example
```ini
[program:web]
command=/usr/bin/web
user=www-data
user=root
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
user=www-data
```
"#,
};

fn whole(d: &Definition) -> crate::source::Span {
    d.key_span.to(d.value_span)
}

fn check_section(cx: &LintContext<'_>, name: &str, section: &Section, out: &mut Findings) {
    for (key, entry) in &section.entries {
        if entry.def.from_default {
            continue;
        }
        // A file read twice repeats the same lines; an `[include]` outside
        // the main file is never used (no nested includes).
        let read = entry
            .overridden()
            .iter()
            .chain([&entry.def])
            .filter(|d| name != "include" || Some(d.key_span.file) == cx.loaded.main);
        let defs = distinct_places(cx, read);
        let Some((&winner, rest)) = defs.split_last() else {
            continue;
        };
        // Repeating the same value changes nothing; alternative template
        // branches (`{% if %}`) are not real repeats.
        let earlier: Vec<&Definition> = rest
            .iter()
            .copied()
            .filter(|d| {
                d.written() != winner.written() && !template_branch(cx, d.key_span, winner.key_span)
            })
            .collect();
        if earlier.is_empty() {
            continue;
        }
        let times = rest.len() + 1;
        let spans: Vec<_> = earlier.iter().map(|e| whole(e)).collect();
        let at = elsewhere(cx, winner.key_span, &spans, "also set at");
        let d = out.report(
            format!(
                "`{key}` is set {times} times in [{name}]{at}; supervisord silently uses the last value"
            ),
            whole(winner),
            "this value wins",
        );
        for e in &earlier {
            d.related.push(Label::new(whole(e), "overridden value"));
        }
        d.help = Some(format!("keep only the `{key}` line you mean"));
        d.fix = drop_shadowed(cx, key, &earlier);
    }
}

/// A value that went on over an indented `[section]` line: the repeat is
/// a symptom of `swallowed-section-header`, whose fix (dedent) is the
/// right one, and deleting the value would delete the header too.
fn swallows_header(d: &Definition) -> bool {
    d.written()
        .lines()
        .skip(1)
        .any(|l| l.trim_start().starts_with('['))
}

/// Deletes the lines of the values that lose (supervisord never reads
/// them, so it reads the same model); only when they are all in one file.
fn drop_shadowed(cx: &LintContext<'_>, key: &str, earlier: &[&Definition]) -> Option<Fix> {
    let file = earlier.first()?.key_span.file;
    if earlier
        .iter()
        .any(|d| d.key_span.file != file || swallows_header(d))
    {
        return None;
    }
    let text = &cx.sources().get(file).text;
    let edits = earlier
        .iter()
        .map(|d| Edit::delete(whole_lines(text, whole(d))))
        .collect();
    Some(Fix::safe(
        format!("remove the overridden `{key}` lines"),
        edits,
    ))
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if let Some(defaults) = &cx.ini().defaults {
            check_section(cx, "DEFAULT", defaults, out);
        }
        for (name, kind, section) in cx.sections() {
            if kind != SectionKind::Unknown {
                check_section(cx, name, section, out);
            }
        }
    }
}
