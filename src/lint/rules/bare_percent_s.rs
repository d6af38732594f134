use super::percent::{Piece, Spec, expansion, percent_pieces};
use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct BarePercentS;

static META: RuleMeta = RuleMeta {
    code: Code::BarePercentS,
    doc: r#"## What it does
Finds an unkeyed `%s`, `%r` or `% s` (a `%` spec without a `(name)`) in
an option supervisord expands.

## Why is this bad?
supervisord expands options with Python's `value % names`. An unkeyed
`%s` is not an error there: it formats the whole dictionary of names, so
`command=/usr/bin/printf %s` runs with an argument like
`{'ENV_PATH': '...', 'ENV_AWS_SECRET_ACCESS_KEY': '...', 'here': ...}`:
every environment variable of supervisord ends up on the command line
(visible in `ps`), in a log file name or in the child's environment.

## Example
```ini
[program:report]
command=/usr/bin/printf "%s\n" done
```

## Use instead
```ini
[program:report]
command=/usr/bin/printf "%%s\n" done
```
"#,
};

/// The unkeyed spec Python would fill with the whole mapping: the only
/// unkeyed one, before any keyed one, in a string without broken specs.
fn dumping_spec(pieces: &[Piece]) -> Option<&Spec> {
    let specs: Vec<&Spec> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Spec(s) => Some(s),
            Piece::Escape(_) => None,
        })
        .collect();
    if specs.iter().any(|s| s.conv.is_none()) {
        return None;
    }
    let mut unkeyed = specs.iter().filter(|s| s.key.is_none());
    let first = *unkeyed.next()?;
    let keyed_before = specs
        .iter()
        .take_while(|s| s.start < first.start)
        .any(|s| s.key.is_some());
    let dumps = matches!(first.conv, Some('s' | 'r' | 'a'));
    (dumps && !keyed_before && unkeyed.next().is_none()).then_some(first)
}

impl Rule for BarePercentS {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            for (key, entry) in &section.entries {
                let Some(exp) = expansion(kind, key) else {
                    continue;
                };
                if entry.def.from_default {
                    continue;
                }
                let written = &entry.def.written();
                // Without a `%` that is not `%(`, every spec has a key (or
                // is cut off, which this rule leaves alone).
                let keyed = |(i, _): (usize, &str)| written.as_bytes().get(i + 1) == Some(&b'(');
                if written.match_indices('%').all(keyed) {
                    continue;
                }
                let pieces = percent_pieces(written);
                let Some(spec) = dumping_spec(&pieces) else {
                    continue;
                };
                let text = &written[spec.start..spec.end];
                let span = written_span(&value_lines(cx, &entry.def), spec.start, spec.end)
                    .unwrap_or(entry.def.value_span);
                let escaped = if exp.passes == 2 { "%%%%" } else { "%%" };
                let literal = format!("{escaped}{}", &text[1..]);
                out.report(
                    format!(
                        "`{text}` in `{key}` of [{name}] names no variable: supervisord replaces it with its whole dictionary of names, every environment variable included"
                    ),
                    span,
                    "expands to every variable",
                )
                .help = Some(format!(
                    "write `{literal}` for a literal `{text}`, or name the variable you meant, as in `%(ENV_HOME)s`"
                ));
            }
        }
    }
}
