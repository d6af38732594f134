use super::program_in_multiple_groups::member_spans;
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::{Group, Process};
use crate::source::Span;
use indexmap::IndexMap;
use rustc_hash::FxHashSet;

pub struct DuplicateProcessName;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateProcessName,
    doc: r#"## What it does
Finds process names that occur more than once in one group: two programs
with the same `process_name` in a `[group:x]`, a program listed twice in
`programs=`, or a `process_name` whose numprocs instances expand to the
same name (such as `%(process_num).0s`). A `process_name` with
`%%(process_num)` is reported by `escaped-process-num` instead.

## Why is this bad?
supervisord keeps a group's processes in a table keyed by name. When two
have the same name, the later one replaces the earlier one without any
message: fewer processes run than the config describes.

## Example
```ini
[group:web]
programs=api,admin

[program:api]
command=/usr/bin/api
process_name=server

[program:admin]
command=/usr/bin/admin
process_name=server
```

## Use instead
```ini
[group:web]
programs=api,admin

[program:api]
command=/usr/bin/api

[program:admin]
command=/usr/bin/admin
```
"#,
};

impl Rule for DuplicateProcessName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for g in &cx.config().groups {
            if !has_duplicate_names(&g.processes) {
                continue;
            }
            let mut by_name: IndexMap<&str, Vec<&Process>> = IndexMap::new();
            for p in &g.processes {
                by_name.entry(p.name()).or_default().push(p);
            }
            // One finding per cause: a listed-twice or numprocs collision
            // repeats for every instance name.
            let mut done: std::collections::HashSet<String> = std::collections::HashSet::new();
            for (name, procs) in by_name {
                if procs.len() < 2 {
                    continue;
                }
                let one_section = procs.iter().all(|p| p.section == procs[0].section);
                let twice = one_section
                    && procs[1..]
                        .iter()
                        .any(|p| p.process_num() == procs[0].process_num());
                let key = if one_section {
                    procs[0].section.to_string()
                } else {
                    name.to_string()
                };
                if done.contains(&key) {
                    continue;
                }
                done.insert(key);
                if twice {
                    listed_twice(cx, out, g, procs[0]);
                } else if one_section {
                    numprocs_collision(cx, out, g, name, &procs);
                } else {
                    programs_collide(cx, out, g, name, &procs);
                }
            }
        }
    }
}

/// Whether two processes share a name (most groups: no, found with one
/// hash per process and no allocation per name).
pub(crate) fn has_duplicate_names(processes: &[Process]) -> bool {
    if processes.len() < 2 {
        return false;
    }
    // A group of one section has its processes sorted by name: names in
    // strictly increasing order are all different.
    if processes.windows(2).all(|w| w[0].name() < w[1].name()) {
        return false;
    }
    let mut names: FxHashSet<&str> =
        FxHashSet::with_capacity_and_hasher(processes.len(), Default::default());
    !processes.iter().all(|p| names.insert(p.name()))
}

fn listed_twice(cx: &LintContext<'_>, out: &mut Findings, g: &Group, p: &Process) {
    let member = p.section.split_once(':').map_or("", |(_, n)| n);
    let spans = member_spans(cx, &g.section, member);
    let (Some(&first), Some(&again)) = (spans.first(), spans.last()) else {
        return;
    };
    let d = out.report(
        format!(
            "[{}] lists `{member}` more than once: its processes get the same names, and supervisord keeps only one copy of each",
            g.section
        ),
        again,
        if first == again { format!("`{member}` listed twice") } else { "listed again here".into() },
    );
    if first != again {
        d.related.push(Label::new(first, "first listed here"));
    }
    d.help = Some(format!("list `{member}` only once"));
}

fn numprocs_collision(
    cx: &LintContext<'_>,
    out: &mut Findings,
    g: &Group,
    name: &str,
    procs: &[&Process],
) {
    let section = &procs[0].section;
    let template = cx.ini().get(section, "process_name");
    // `%%(process_num)` is escaped-process-num's finding.
    if template.is_some_and(|t| t.value.contains("%%(process_num)")) {
        return;
    }
    let span = template.map_or_else(|| header(cx, section), |t| t.entry.def.value_span);
    out.report(
        format!(
            "{} instances of [{section}] are all named `{name}` in group `{}`: supervisord keeps only the last one",
            procs.len(),
            g.name
        ),
        span,
        format!("expands to `{name}` for {} instances", procs.len()),
    )
    .help = Some(
        "make the name differ per instance, e.g. `process_name=%(program_name)s_%(process_num)02d`"
            .into(),
    );
}

fn programs_collide(
    cx: &LintContext<'_>,
    out: &mut Findings,
    g: &Group,
    name: &str,
    procs: &[&Process],
) {
    let mut labels: Vec<Label> = Vec::new();
    let mut sections: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for p in procs {
        if sections.contains(&&*p.section) {
            continue;
        }
        sections.insert(&p.section);
        let span = cx
            .ini()
            .get(&p.section, "process_name")
            .map_or_else(|| header(cx, &p.section), |t| t.entry.def.value_span);
        labels.push(Label::new(
            span,
            format!("[{}] names a process `{name}`", p.section),
        ));
    }
    let last = procs.last().expect("two or more");
    // Point at the survivor first: it is the one the user sees running.
    let first = labels.pop().expect("two or more");
    let d = out.report(
        format!(
            "{} processes are named `{name}` in group `{}`: only the one from [{}] runs, the others are silently dropped",
            procs.len(),
            g.name,
            last.section
        ),
        first.span,
        "this one runs",
    );
    d.related = labels;
    d.help = Some("give each program in the group its own `process_name`".into());
}

fn header(cx: &LintContext<'_>, section: &str) -> Span {
    cx.header(section)
        .unwrap_or(crate::source::Span::new(crate::source::FileId(0), 0, 0))
}
