use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};

pub struct RunsAsRoot;

static META: RuleMeta = RuleMeta {
    code: Code::RunsAsRoot,
    doc: r#"## What it does
Reports, once per config at `[supervisord]`, the programs that run as
supervisord's own user because neither `[supervisord]` nor their section
sets `user=`. Not reported for conf.d snippets, for configs without
programs, or when `[supervisord]` sets `user=` (`user=root` states that
root is intended, and silences supervisord's own warning too).

This is `info`: supc cannot know whether supervisord is started as root
(it usually is, by init systems and in containers). Raise it with
`severity: {runs-as-root: warning}` in `.supc.yaml` for hosts where it
should never happen.

## Why is this bad?
Started as root, supervisord only logs `CRIT Supervisor is running as
root. Privileges were not dropped because no user is specified in the
config file.` and then runs every program without `user=` as root: a
bug in any of them compromises the whole machine.

## Example
```ini
[supervisord]

[program:web]
command=/usr/bin/web
```

## Use instead
```ini
[supervisord]

[program:web]
command=/usr/bin/web
user=www-data
```
"#,
};

impl Rule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if cx.loaded.snippet || cx.ini().get("supervisord", "user").is_some() {
            return;
        }
        let Some(header) = cx.header("supervisord") else {
            return;
        };
        // Program sections (not group names) whose processes set no user;
        // a [group:x] lists the same sections again.
        let mut names: Vec<&str> = Vec::new();
        let mut listed = std::collections::HashSet::new();
        for g in &cx.config().groups {
            for run in section_runs(&g.processes) {
                let p = &run[0];
                let name = p.section.split_once(':').map_or(&*p.section, |(_, n)| n);
                if p.user.is_none() && listed.insert(name) {
                    names.push(name);
                }
            }
        }
        if names.is_empty() {
            return;
        }
        let list = match names.len() {
            n if n > 5 => format!("{} and {} more", names[..4].join(", "), n - 4),
            1 => names[0].to_string(),
            n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        };
        let them = if names.len() == 1 { "it" } else { "them" };
        let d = out.report(
            format!(
                "neither [supervisord] nor {list} set `user=`: when started as root, supervisord runs {them} as root"
            ),
            header,
            "no `user=`",
        );
        d.help = Some(
            "set `user=` in each [program:x] (or in [supervisord] to drop root entirely); `user=root` in [supervisord] states that root is intended"
                .into(),
        );
    }
}
