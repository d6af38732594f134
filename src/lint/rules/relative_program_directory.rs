//! A program `directory=` that is a relative path.

use super::unexpanded_shell_syntax::is_template;
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};

pub struct RelativeProgramDirectory;

static META: RuleMeta = RuleMeta {
    code: Code::RelativeProgramDirectory,
    doc: r#"## What it does
Finds `directory=` values of programs, event listeners and FastCGI
programs that are relative paths (`.`, `app`, `./app`) after expansion.
A `directory` starting with `~` is left to `tilde-in-program-directory`.

## Why is this bad?
supervisord passes the value to `chdir()` as written, in the child, so it
is resolved against the directory supervisord itself runs in: wherever
it was started from, or `/` once it has daemonized (or its own
`[supervisord] directory`). The same config then starts the program in a
different place, or not at all, depending on how supervisord was
launched.

## Example
```ini
[program:app]
command=/srv/app/run
directory=.
```

## Use instead
```ini
[program:app]
command=/srv/app/run
directory=%(here)s
```
"#,
};

impl Rule for RelativeProgramDirectory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for group in &cx.config().groups {
            for run in section_runs(&group.processes) {
                let Some(dir) = run.iter().find_map(|p| {
                    p.directory()
                        .filter(|d| !d.is_empty() && !d.starts_with(['/', '~', '$']))
                        .filter(|d| !is_template(d))
                }) else {
                    continue;
                };
                let section = &run[0].common.section;
                let Some(found) = cx.ini().get(section, "directory") else {
                    continue;
                };
                let span = found.entry.def.value_span;
                if !out.first_time(span) {
                    continue;
                }
                let d = out.report(
                    format!(
                        "`directory={dir}` in [{section}] is relative: it is resolved against supervisord's own working directory, not the config's"
                    ),
                    span,
                    "relative directory",
                );
                d.help = Some(
                    "use an absolute path, or `%(here)s/...` for a path next to the config file"
                        .into(),
                );
            }
        }
    }
}
