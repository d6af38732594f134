use super::duplicate_section::distinct_places;
use super::value_text::value_lines;
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::diagnostic::{Edit, Fix};
use crate::fix::text::indentation;
use crate::ini::{Definition, Section};
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::source::Span;

pub struct SwallowedSectionHeader;

static META: RuleMeta = RuleMeta {
    code: Code::SwallowedSectionHeader,
    doc: r#"## What it does
Finds `[section]` lines that are indented under an option, so that
supervisord reads them as a continuation line of that option's value
instead of a section header.

## Why is this bad?
An indented line after an option continues its value, even when it looks
like a header. The section never exists: its options land in the section
above (overriding keys there), and the program it was meant to define
never runs, without any error.

## Example
```ini
[program:a]
command=/bin/a
  [program:b]
command=/bin/b
```
Here there is no program `b`, and `a` runs `/bin/b`.

## Use instead
```ini
[program:a]
command=/bin/a

[program:b]
command=/bin/b
```
"#,
};

/// The `[name]` part of a continuation line configparser would take as a
/// header if it were not indented.
fn header_len(line: &str) -> Option<usize> {
    let close = line.rfind(']')?;
    (line.starts_with('[') && close > 1).then_some(close + 1)
}

fn check_def(cx: &LintContext<'_>, section: &str, key: &str, def: &Definition, out: &mut Findings) {
    for line in value_lines(cx, def).into_iter().filter(|l| l.at > 0) {
        let Some(len) = header_len(line.text) else {
            continue;
        };
        let header = &line.text[..len];
        let span = Span::new(
            line.span.file,
            line.span.start as usize,
            line.span.start as usize + len,
        );
        let d = out.report(
            format!(
                "`{header}` is indented, so supervisord reads it as part of the value of `{key}` in [{section}], not as a section header"
            ),
            span,
            "continues the value above",
        );
        d.related
            .push(Label::new(def.key_span, "the option it continues"));
        d.help = Some(format!("remove the indentation before `{header}`"));
        let text = &cx.sources().get(span.file).text;
        d.fix = Some(Fix::behaviour_changing(
            format!("remove the indentation before `{header}`"),
            vec![Edit::delete(indentation(text, span))],
        ));
    }
}

fn check_section(cx: &LintContext<'_>, name: &str, section: &Section, out: &mut Findings) {
    for (key, entry) in &section.entries {
        if entry.def.from_default {
            continue;
        }
        // A header can only be swallowed by a value of several lines.
        if entry.overridden().is_empty() && !entry.def.written().contains('\n') {
            continue;
        }
        // A file read twice repeats its lines: each place once.
        for def in distinct_places(cx, entry.overridden().iter().chain([&entry.def])) {
            check_def(cx, name, key, def, out);
        }
    }
}

impl Rule for SwallowedSectionHeader {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if let Some(defaults) = &cx.ini().defaults {
            check_section(cx, "DEFAULT", defaults, out);
        }
        for (name, _, section) in cx.sections() {
            check_section(cx, name, section, out);
        }
    }
}
