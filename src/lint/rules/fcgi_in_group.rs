use super::program_in_multiple_groups::member_spans;
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::model::GroupKind;

pub struct FcgiInGroup;

static META: RuleMeta = RuleMeta {
    code: Code::FcgiInGroup,
    doc: r#"## What it does
Finds `[fcgi-program:x]` sections listed in the `programs=` of a
`[group:y]`.

## Why is this bad?
Inside a group, supervisord builds an fcgi-program like a plain
`[program:x]`: the `socket`, `socket_owner`, `socket_mode` and
`socket_backlog` lines are not even read, no socket is created, and the
process starts without the listening socket on its stdin. A FastCGI server
such as `php-cgi` then exits or serves nothing, and the web server in front
of it gets connection errors.

## Example
```ini
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php.sock

[group:web]
programs=nginx,php
```

## Use instead
```ini
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php.sock

[group:web]
programs=nginx
```
"#,
};

impl Rule for FcgiInGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for g in &cx.config().groups {
            if g.kind != GroupKind::Group {
                continue;
            }
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for run in section_runs(&g.processes) {
                let p = &run[0];
                if !p.section.starts_with("fcgi-program:") || !seen.insert(&p.section) {
                    continue;
                }
                let member = p.section.split_once(':').map_or("", |(_, n)| n);
                let spans = member_spans(cx, &g.section, member);
                let Some(&span) = spans.first() else {
                    continue;
                };
                let d = out.report(
                    format!(
                        "[{}] is listed in [{}]: inside a group supervisord runs it as a plain program and never creates its socket",
                        p.section, g.section
                    ),
                    span,
                    format!("`{member}` is an fcgi-program"),
                );
                let socket = cx
                    .entry(&p.section, "socket")
                    .map(|e| (e.def.value_span, "this socket is never created"))
                    .or_else(|| cx.header(&p.section).map(|s| (s, "defined here")));
                if let Some((span, label)) = socket {
                    d.related.push(Label::new(span, label));
                }
                d.help = Some(format!(
                    "remove `{member}` from `programs=`: an fcgi-program must be its own group to get its socket"
                ));
            }
        }
    }
}
