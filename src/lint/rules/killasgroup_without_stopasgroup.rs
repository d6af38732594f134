use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct KillasgroupWithoutStopasgroup;

static META: RuleMeta = RuleMeta {
    code: Code::KillasgroupWithoutStopasgroup,
    doc: r#"## What it does
Finds program sections with `killasgroup=true` and `stopasgroup` unset or
false.

## Why is this bad?
`killasgroup` only applies to the final SIGKILL, sent when the process is
still alive `stopwaitsecs` after the stop signal. The stop signal itself
(`stopsignal`, TERM by default) goes to the main process only. If the main
process exits on it (a shell wrapper, `npm start`, a process manager that
does not forward signals), its children are left running, orphaned, and
are never killed; only a process that ignores the signal gets its whole
group killed. `stopasgroup=true` sends the stop signal to the whole
process group, and implies `killasgroup=true`.

When the main process stops its own children on the stop signal and waits
for them (a celery or gunicorn master), `killasgroup=true` alone is a
deliberate choice: suppress the finding with `; supc: disable=SUP120`.

## Example
```ini
[program:app]
command=/bin/sh -c "npm start"
killasgroup=true
```

## Use instead
```ini
[program:app]
command=/bin/sh -c "npm start"
stopasgroup=true
```
"#,
};

/// supervisor's `boolean`, or `None` for an invalid value.
fn boolean(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

impl Rule for KillasgroupWithoutStopasgroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kill) in cx.program_options("killasgroup") {
            let stop = match cx.ini().get(name, "stopasgroup") {
                None => Some(false),
                Some(f) => boolean(f.value),
            };
            if boolean(kill.value) != Some(true) || stop != Some(false) {
                continue;
            }
            out.report(
                format!(
                    "[{name}] sets killasgroup=true without stopasgroup=true: the stop signal reaches only the main process, so children it does not stop itself are left running when it exits; only a SIGKILL after stopwaitsecs hits the whole group"
                ),
                kill.entry.def.value_span,
                "applies to the final SIGKILL only",
            )
            .help = Some(
                "set `stopasgroup=true` (it implies killasgroup=true) so the stop signal reaches the children too"
                    .into(),
            );
        }
    }
}
