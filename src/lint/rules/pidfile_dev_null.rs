//! `[supervisord] pidfile=/dev/null`.

use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct PidfileDevNull;

static META: RuleMeta = RuleMeta {
    code: Code::PidfileDevNull,
    doc: r#"## What it does
Finds `[supervisord] pidfile=/dev/null` (a way people try to say "no
pidfile").

## Why is this bad?
supervisord writes its pid into the file at startup and removes the file
when it shuts down. Run as root, that removes `/dev/null` from the
system; every program that writes to `/dev/null` afterwards creates a
regular file there instead, which fills up and breaks in odd ways until
the device node is recreated.

## Example
```ini
[supervisord]
nodaemon=true
pidfile=/dev/null
```

## Use instead
```ini
[supervisord]
nodaemon=true
pidfile=/tmp/supervisord.pid
```
"#,
};

impl Rule for PidfileDevNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if cx.config().supervisord.pidfile != "/dev/null" {
            return;
        }
        let Some(found) = cx.ini().get("supervisord", "pidfile") else {
            return;
        };
        let d = out.report(
            "`pidfile=/dev/null`: supervisord removes its pidfile when it exits, so it deletes /dev/null (as root)",
            found.entry.def.value_span,
            "removed at shutdown",
        );
        d.help = Some("point the pidfile at a writable file such as /tmp/supervisord.pid (or /run/supervisord.pid)".into());
    }
}
