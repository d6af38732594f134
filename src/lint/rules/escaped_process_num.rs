use super::percent::{Piece, percent_pieces};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::python::format::{Mapping, PyValue, format};
use crate::python::int::parse_int;

pub struct EscapedProcessNum;

static META: RuleMeta = RuleMeta {
    code: Code::EscapedProcessNum,
    doc: r#"## What it does
Finds `process_name` templates that contain the text `%(process_num)`, as
supervisord requires when `numprocs > 1`, but still give every instance
the same name: `%%(process_num)s` (an escaped, literal text) or
`%(process_num).0s` (formatted as empty text).

## Why is this bad?
supervisord only checks that the text `%(process_num)` is present. All
instances then get one name, and supervisord keeps only one process of
that name in the group: you asked for several processes and get one.

## Example
```ini
[program:worker]
command=/usr/bin/worker
numprocs=4
process_name=%(program_name)s_%%(process_num)s
```

## Use instead
```ini
[program:worker]
command=/usr/bin/worker
numprocs=4
process_name=%(program_name)s_%(process_num)02d
```
"#,
};

fn int(cx: &LintContext<'_>, section: &str, key: &str, default: i64) -> Option<i64> {
    match cx.ini().get(section, key) {
        Some(f) => parse_int(f.value).ok()?.to_i64(),
        None => Some(default),
    }
}

/// A cheap proof that names differ: no `%%` anywhere and the number is
/// printed by a plain `%(process_num)` + width + integer or string spec.
/// Saves formatting two names per section on large configs.
fn plainly_numbered(template: &str) -> bool {
    if template.contains("%%") {
        return false;
    }
    template.match_indices("%(process_num)").any(|(i, m)| {
        let rest = template[i + m.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        rest.starts_with(['s', 'd', 'i', 'u', 'x', 'X', 'o'])
    })
}

/// The name of the instance with number `num`, with stand-in values for
/// every other name.
fn name_of(template: &str, program: &str, num: i64, numprocs: i64) -> Option<String> {
    let mut m = Mapping::new();
    for p in percent_pieces(template) {
        if let Piece::Spec(s) = p {
            m.set_str(s.key?, "x");
        }
    }
    m.set_str("program_name", program);
    m.set_str("group_name", program);
    m.set(
        "process_num",
        PyValue::Int(parse_int(&num.to_string()).ok()?),
    );
    m.set(
        "numprocs",
        PyValue::Int(parse_int(&numprocs.to_string()).ok()?),
    );
    format(template, &m).ok()
}

impl Rule for EscapedProcessNum {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            if !kind.is_program_like() {
                continue;
            }
            let (Some(numprocs), Some(start)) = (
                int(cx, name, "numprocs", 1),
                int(cx, name, "numprocs_start", 0),
            ) else {
                continue;
            };
            let Some(found) = cx.ini().get(name, "process_name") else {
                continue;
            };
            let template = found.value.trim();
            if numprocs <= 1 || !template.contains("%(process_num)") || plainly_numbered(template) {
                continue;
            }
            let program = name.split_once(':').map_or("", |(_, p)| p.trim());
            let first = name_of(template, program, start, numprocs);
            if first.is_none() || first != name_of(template, program, start + 1, numprocs) {
                continue;
            }
            let first = first.unwrap_or_default();
            let why = if template.contains("%%(process_num)") {
                "`%%(process_num)` is an escaped `%`, not the instance number"
            } else {
                "the `%(process_num)` spec formats the number as empty text"
            };
            let d = out.report(
                format!(
                    "every one of the {numprocs} instances of [{name}] is named `{first}`: {why}; supervisord keeps only one of them"
                ),
                found.entry.def.value_span,
                "the same name for every instance",
            );
            d.help = Some("put the number in the name, e.g. `process_name=%(program_name)s_%(process_num)02d`".into());
        }
    }
}
