use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::python::unicode::{lower, strip};

pub struct EmptyExitcodes;

static META: RuleMeta = RuleMeta {
    code: Code::EmptyExitcodes,
    doc: r#"## What it does
Finds an empty `exitcodes=` in a program whose `autorestart` is
`unexpected` (the default).

## Why is this bad?
supervisord accepts the empty value as "no exit code is expected". With
`autorestart=unexpected`, every exit, even a clean `exit 0`, counts as
unexpected and the process is started again, forever. A one-shot job
never stays finished.

## Example
```ini
[program:migrate]
command=/usr/bin/migrate
exitcodes=
```

## Use instead
```ini
[program:migrate]
command=/usr/bin/migrate
exitcodes=0
```
"#,
};

impl Rule for EmptyExitcodes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, found) in cx.program_options("exitcodes") {
            let autorestart = cx
                .ini()
                .get(name, "autorestart")
                .map_or("unexpected".into(), |f| lower(f.value));
            if !strip(found.value).is_empty() || autorestart != "unexpected" {
                continue;
            }
            let def = &found.entry.def;
            if !out.first_time(def.key_span) {
                continue;
            }
            let d = out.report(
                format!(
                    "`exitcodes` is empty in [{name}]: no exit is expected, so with `autorestart=unexpected` supervisord restarts the process after every exit, even a clean one"
                ),
                def.key_span.to(def.value_span),
                "no exit code is expected",
            );
            d.help = Some("list the exit codes that mean success, e.g. `exitcodes=0`, or remove the line (the default is 0)".into());
        }
    }
}
