use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::Group;
use indexmap::IndexMap;

pub struct DuplicateGroupName;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateGroupName,
    doc: r#"## What it does
Finds groups with the same name made by different section types:
`[group:x]` and `[program:x]`, `[program:x]` and `[eventlistener:x]`,
`[program:x]` and `[fcgi-program:x]`, and so on.

## Why is this bad?
supervisord accepts the config, but at startup it adds the groups in
sorted order (priority, then name) and silently skips any group whose name
is already taken. Only the first one runs; the others never start and
`supervisorctl` does not show them. An `[eventlistener:x]` (priority -1)
beats a `[program:x]` (priority 999); at equal priority a `[group:x]` beats
a `[program:x]`.

## Example
```ini
[program:app]
command=/usr/bin/app

[eventlistener:app]
command=/usr/bin/app-listener
events=PROCESS_STATE
```

## Use instead
```ini
[program:app]
command=/usr/bin/app

[eventlistener:app-listener]
command=/usr/bin/app-listener
events=PROCESS_STATE
```
"#,
};

impl Rule for DuplicateGroupName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        // The model's groups are in supervisord's sorted order, so the first
        // group of each name is the one add_process_group keeps.
        let mut by_name: IndexMap<&str, Vec<&Group>> = IndexMap::new();
        for g in &cx.config().groups {
            by_name.entry(&g.name).or_default().push(g);
        }
        for (name, groups) in by_name {
            let Some((kept, dropped)) = groups.split_first() else {
                continue;
            };
            for g in dropped {
                let why = if kept.priority < g.priority {
                    format!("its priority {} sorts before {}", kept.priority, g.priority)
                } else {
                    "same priority, and supervisord builds it first".to_string()
                };
                let d = out.report(
                    format!(
                        "[{}] and [{}] both define the group `{name}`: supervisord runs only [{}] ({why}) and silently drops [{}]",
                        kept.section, g.section, kept.section, g.section
                    ),
                    g.span,
                    "this group never runs",
                );
                d.related
                    .push(crate::diagnostic::Label::new(kept.span, "this one is kept"));
                d.help = Some(format!(
                    "rename [{}] or [{}]: a group name must be unique across [group:x], [program:x], [eventlistener:x] and [fcgi-program:x]",
                    g.section, kept.section
                ));
            }
        }
    }
}
