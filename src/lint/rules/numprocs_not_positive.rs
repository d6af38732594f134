use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::python::int::{PyInt, parse_int};

pub struct NumprocsNotPositive;

static META: RuleMeta = RuleMeta {
    code: Code::NumprocsNotPositive,
    doc: r#"## What it does
Finds `[program:x]`, `[eventlistener:x]` and `[fcgi-program:x]` sections
with `numprocs=0` or a negative `numprocs`.

## Why is this bad?
supervisord accepts the value and creates an empty group: no process is
ever started, `supervisorctl start x` has nothing to start, and because the
per-instance options are only read for each instance, the rest of the
section is never validated either (a missing `command`, a bad
`environment` or a log file in a missing directory go unnoticed until
someone raises `numprocs`).

## Example
```ini
[program:worker]
command=/usr/bin/worker
numprocs=0
```

## Use instead
```ini
; keep it defined but do not start it
[program:worker]
command=/usr/bin/worker
numprocs=1
autostart=false
```
"#,
};

impl Rule for NumprocsNotPositive {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, found) in cx.program_options("numprocs") {
            // `%` values are expanded first; leave those to the resolver.
            if found.value.contains('%') {
                continue;
            }
            let Ok(n) = parse_int(found.value) else {
                continue;
            };
            if n > PyInt::from(0) {
                continue;
            }
            out.report(
                format!(
                    "numprocs={n}: [{name}] defines no process, so supervisord never starts it and never checks the rest of the section"
                ),
                found.entry.def.value_span,
                "no instance is created",
            )
            .help = Some(
                "set `numprocs=1` (with `autostart=false` to keep it stopped), or remove the section"
                    .into(),
            );
        }
    }
}
