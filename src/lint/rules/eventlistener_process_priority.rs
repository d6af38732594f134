use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct EventlistenerProcessPriority;

static META: RuleMeta = RuleMeta {
    code: Code::EventlistenerProcessPriority,
    doc: r#"## What it does
Finds `[eventlistener:x]` sections without a `priority=` line.

## Why is this bad?
Without `priority=`, the two priorities of an eventlistener disagree: its
pool (the group) gets priority -1, so it is started before and stopped
after every program with the default priority 999, but each of its
processes keeps the program default 999. supervisord orders groups by the
pool priority first, so start and stop order are not affected; the
process priority only shows up where it is reported on its own:
`supervisorctl avail` prints `-1:999`, and the `process_prio` of the
`getAllConfigInfo` XML-RPC call is 999, which misleads tools and readers
that compare priorities. Writing the priority makes both the same.

## Example
```ini
[eventlistener:crashmail]
command=crashmail -a -m ops@example.com
events=PROCESS_STATE_EXITED
```

## Use instead
```ini
[eventlistener:crashmail]
command=crashmail -a -m ops@example.com
events=PROCESS_STATE_EXITED
priority=-1
```
"#,
};

impl Rule for EventlistenerProcessPriority {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            if kind != SectionKind::EventListener || cx.ini().get(name, "priority").is_some() {
                continue;
            }
            let Some(header) = cx.header(name) else {
                continue;
            };
            out.report(
                format!(
                    "[{name}] has no priority=: its pool gets priority -1 (started first, stopped last) but its processes report priority 999 (`supervisorctl avail` shows `-1:999`)"
                ),
                header,
                "pool -1, processes 999",
            )
            .help = Some(
                "write the priority explicitly, e.g. `priority=-1`, so the pool and its processes agree"
                    .into(),
            );
        }
    }
}
