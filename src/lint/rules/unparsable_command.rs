use super::inline_comment_truncation::cuts;
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::options::SectionKind;
use crate::python::shlex::{is_shlex_space, split_command};

pub struct UnparsableCommand;

static META: RuleMeta = RuleMeta {
    code: Code::UnparsableCommand,
    doc: r#"## What it does
Finds program commands that are empty or that supervisord cannot split
into words (an unclosed quote, a trailing backslash).

## Why is this bad?
supervisord does not look at the command when it loads the config: it
splits it with Python's `shlex.split` each time it starts the process.
The config loads fine, and the process then goes to FATAL with
`command is empty` or `can't parse command '...': No closing quotation`.

## Example
```ini
[program:web]
command=/usr/bin/web --name "my app
```

## Use instead
```ini
[program:web]
command=/usr/bin/web --name "my app"
```
"#,
};

impl Rule for UnparsableCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let runs = cx
            .config()
            .groups
            .iter()
            .flat_map(|g| section_runs(&g.processes));
        for run in runs {
            // The first instance of each section, as supervisord reports it.
            let p = &run[0];
            if !seen.insert(&p.section) {
                continue;
            }
            let Some(found) = cx.ini().get(&p.section, "command") else {
                continue;
            };
            let def = &found.entry.def;
            let command = p.command();
            // Only a quote or a backslash can make the split fail, and only
            // spaces make it empty.
            if !command.contains(['\'', '"', '\\'])
                && !command.trim_matches(is_shlex_space).is_empty()
            {
                continue;
            }
            let (message, label, help) = match split_command(command) {
                Ok(words) if words.is_empty() => (
                    format!(
                        "the command of [{}] is empty: the process never starts (`command is empty`)",
                        p.section
                    ),
                    "empty command",
                    "give the program a command to run",
                ),
                Ok(_) => continue,
                Err(e) => {
                    // inline-comment-truncation already explains a cut quote.
                    let kind = SectionKind::of(&p.section);
                    if cuts(cx, kind, "command", def)
                        .iter()
                        .any(|c| c.quote.is_some())
                    {
                        continue;
                    }
                    (
                        format!(
                            "supervisord cannot split the command of [{}] into words (`{e}`): the process fails at every start",
                            p.section
                        ),
                        "cannot be split",
                        if e.contains("quotation") {
                            "close the quote, or escape a literal quote with a backslash"
                        } else {
                            "remove the trailing backslash, or escape it as `\\\\`"
                        },
                    )
                }
            };
            let span = if def.value_span.is_empty() {
                def.key_span.to(def.value_span)
            } else {
                def.value_span
            };
            out.report(message, span, label).help = Some(help.into());
        }
    }
}
