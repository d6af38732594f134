use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::model::{Group, GroupKind};
use crate::source::Span;
use indexmap::IndexMap;

pub struct ProgramInMultipleGroups;

static META: RuleMeta = RuleMeta {
    code: Code::ProgramInMultipleGroups,
    doc: r#"## What it does
Finds a `[program:x]` (or `[fcgi-program:x]`) named in the `programs=` of
more than one `[group:x]`.

## Why is this bad?
A group does not refer to a program: it makes its own copy of the
program's processes. A program listed in two groups is therefore started
twice (`web:api` and `workers:api`), which usually means two servers
fighting for one port, two consumers of one queue, or two writers of one
log file. supervisord does not warn about it.

## Example
```ini
[group:web]
programs=api,frontend

[group:backend]
programs=api,worker
```

## Use instead
```ini
[group:web]
programs=api,frontend

[group:backend]
programs=worker
```
"#,
};

impl Rule for ProgramInMultipleGroups {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        // member section -> the [group:x] groups that expand it
        let mut member_of: IndexMap<&str, Vec<&Group>> = IndexMap::new();
        for g in &cx.config().groups {
            if g.kind != GroupKind::Group {
                continue;
            }
            for run in section_runs(&g.processes) {
                let p = &run[0];
                let groups = member_of.entry(&p.section).or_default();
                if !groups.iter().any(|h| h.section == g.section) {
                    groups.push(g);
                }
            }
        }
        for (member, mut groups) in member_of {
            if groups.len() < 2 {
                continue;
            }
            // Report in the order the sections are written.
            groups.sort_by_key(|g| cx.ini().sections.get_index_of(&*g.section));
            let program = member.split_once(':').map_or(member, |(_, n)| n);
            let mut labels: Vec<Label> = groups
                .iter()
                .filter_map(|g| member_spans(cx, &g.section, program).first().copied())
                .map(|span| Label::new(span, format!("`{program}` listed here")))
                .collect();
            if labels.is_empty() {
                continue;
            }
            let names: Vec<&str> = groups.iter().map(|g| &*g.name).collect();
            let first = labels.remove(0);
            let d = out.report(
                format!(
                    "[{member}] is listed in {} groups ({}): supervisord starts its processes once per group, so it runs {}",
                    groups.len(),
                    names.join(", "),
                    match groups.len() {
                        2 => "twice".to_string(),
                        n => format!("{n} times"),
                    }
                ),
                first.span,
                first.message,
            );
            d.related = labels;
            d.help = Some(format!(
                "list `{program}` in the `programs=` of only one group"
            ));
        }
    }
}

/// Where `member` is written in the `programs=` of `group_section`: one span
/// per occurrence, or the whole value when the item cannot be located.
pub(crate) fn member_spans(cx: &LintContext<'_>, group_section: &str, member: &str) -> Vec<Span> {
    let Some(found) = cx.ini().get(group_section, "programs") else {
        return Vec::new();
    };
    let span = found.entry.def.value_span;
    let text = cx.text(span);
    let mut out = Vec::new();
    let mut offset = 0;
    for item in text.split(',') {
        let lead = item.len() - item.trim_start().len();
        if item.trim() == member {
            let start = span.start as usize + offset + lead;
            out.push(Span::new(span.file, start, start + member.len()));
        }
        offset += item.len() + 1;
    }
    if out.is_empty() {
        out.push(span);
    }
    out
}
