use super::percent::{Piece, expansion, mask_pass, percent_pieces};
use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct DoubleExpansionEscape;

static META: RuleMeta = RuleMeta {
    code: Code::DoubleExpansionEscape,
    doc: r#"## What it does
Finds `%%` in `stdout_logfile`, `stderr_logfile` and
`[supervisord] environment`, the three options supervisord expands
twice, where the `%` left after the first pass changes the meaning in the
second.

## Why is this bad?
`%%` is a literal `%` after one expansion, but these options are expanded
again: `stdout_logfile=/var/log/100%%.log` becomes `/var/log/100%.log`
after the first pass and the second pass fails on `%.l`, so supervisord
refuses the config. `%%(program_name)s` survives the first pass as
`%(program_name)s` and is expanded in the second.

## Example
```ini
[program:web]
command=/usr/bin/web
stdout_logfile=/var/log/web-100%%.log
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
stdout_logfile=/var/log/web-100%%%%.log
```
"#,
};

impl Rule for DoubleExpansionEscape {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            for (key, entry) in &section.entries {
                if expansion(kind, key).is_none_or(|e| e.passes != 2) || entry.def.from_default {
                    continue;
                }
                let written = &entry.def.written();
                // After pass 1, every `%` left comes from a `%%`.
                if !written.contains("%%") {
                    continue;
                }
                let Some((pass1, map)) = mask_pass(written) else {
                    continue;
                };
                let lines = value_lines(cx, &entry.def);
                for piece in percent_pieces(&pass1) {
                    // `%%%%` is `%%` after pass 1: an escape again, fine.
                    let Piece::Spec(spec) = piece else { continue };
                    let (ws, we) = (map[spec.start], map[spec.end]);
                    let text = &written[ws..we];
                    let second = &pass1[spec.start..spec.end];
                    let message = match (&spec.key, spec.conv) {
                        // The documented way to get the host name there.
                        (Some(k), Some(_))
                            if kind == SectionKind::Supervisord && k == "host_node_name" =>
                        {
                            continue;
                        }
                        (Some(_), Some(_)) => format!(
                            "`{text}` in `{key}` of [{name}] is expanded twice: the first pass turns it into `{second}`, which the second pass expands"
                        ),
                        (None, Some('s' | 'r' | 'a')) => format!(
                            "`{text}` in `{key}` of [{name}] is expanded twice: the first pass turns it into `{second}`, which the second pass replaces with the whole dictionary of names"
                        ),
                        _ => format!(
                            "`{text}` in `{key}` of [{name}] is expanded twice: the first pass turns it into `{second}`, which the second pass cannot format, so supervisord refuses the config"
                        ),
                    };
                    let span = written_span(&lines, ws, we).unwrap_or(entry.def.value_span);
                    let with =
                        |esc: &str| format!("{key}={}{esc}{}", &written[..ws], &written[ws + 2..]);
                    let d = out.report(message, span, format!("`{second}` in the second pass"));
                    d.help = Some(match spec.key {
                        Some(_) => format!(
                            "write `{}` if you mean the value, or `{}` for the literal text",
                            with("%"),
                            with("%%%%")
                        ),
                        None => format!("write `%%%%` for a literal `%`: `{}`", with("%%%%")),
                    });
                }
            }
        }
    }
}
