//! `numprocs=%(ENV_N)s` with a `process_name` that has no `process_num`.

use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::fix::text::add_line_after;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct NumprocsFromEnvironment;

static META: RuleMeta = RuleMeta {
    code: Code::NumprocsFromEnvironment,
    doc: r#"## What it does
Finds programs whose `numprocs` is taken from the environment
(`%(ENV_...)s`) while their `process_name` does not contain
`%(process_num)`, so the config only works while the variable is 1.

## Why is this bad?
With the variable at 1 (as on the machine the config was written on),
supervisord starts one process and all is well. The first deployment that
sets it to 2 makes supervisord refuse to start: "process_name must
include %(process_num)". The error appears far from the config change
that caused it.

## Example
```ini
[program:worker]
command=/usr/bin/worker
numprocs=%(ENV_WORKERS)s
```

## Use instead
```ini
[program:worker]
command=/usr/bin/worker
numprocs=%(ENV_WORKERS)s
process_name=%(program_name)s_%(process_num)02d
```
"#,
};

const SUFFIX: &str = "_%(process_num)02d";

/// Adds `%(process_num)` to the name: a `process_name` line when there is
/// none, else a suffix to the one written (single-line) value.
fn number_the_name(cx: &LintContext<'_>, section: &str) -> Option<Fix> {
    let edit = match cx.entry(section, "process_name") {
        Some(e) if !e.def.from_default && cx.text(e.def.value_span) == e.def.written() => {
            let end = e.def.value_span;
            Edit::replace(
                crate::source::Span {
                    start: end.end,
                    ..end
                },
                SUFFIX,
            )
        }
        Some(_) => return None,
        None if cx.ini().get(section, "process_name").is_some() => return None,
        None => {
            let n = cx.entry(section, "numprocs")?;
            let span = n.def.key_span.to(n.def.value_span);
            let text = &cx.sources().get(span.file).text;
            add_line_after(
                text,
                span,
                &format!("process_name=%(program_name)s{SUFFIX}"),
            )
        }
    };
    Some(Fix::behaviour_changing(
        "number the process names with `%(process_num)`",
        vec![edit],
    ))
}

impl Rule for NumprocsFromEnvironment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, numprocs) in cx.program_options("numprocs") {
            let numbered = cx
                .ini()
                .get(name, "process_name")
                .is_some_and(|p| p.value.contains("%(process_num)"));
            let def = &numprocs.entry.def;
            if numbered || !numprocs.value.contains("%(ENV_") || !out.first_time(def.value_span) {
                continue;
            }
            let d = out.report(
                format!(
                    "[{name}] takes `numprocs` from the environment but its `process_name` has no `%(process_num)`: supervisord refuses the config as soon as the variable is above 1"
                ),
                def.value_span,
                "set by the environment",
            );
            d.help = Some(format!(
                "add `{SUFFIX}` to `process_name` (e.g. `process_name=%(program_name)s{SUFFIX}`)"
            ));
            d.fix = number_the_name(cx, name);
        }
    }
}
