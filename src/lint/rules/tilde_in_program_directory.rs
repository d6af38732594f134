use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct TildeInProgramDirectory;

static META: RuleMeta = RuleMeta {
    code: Code::TildeInProgramDirectory,
    doc: r#"## What it does
Finds `directory=` values of programs, event listeners and FastCGI
programs that start with `~`.

## Why is this bad?
supervisord expands `~` in `[supervisord] directory`, but not in a
program's `directory`: it is passed to `chdir()` as written, so the
process fails to start (there is no directory literally named `~`). The
config itself loads without a warning.

## Example
```ini
[program:app]
command=/usr/bin/app
directory=~/app
```

## Use instead
```ini
[program:app]
command=/usr/bin/app
directory=%(ENV_HOME)s/app
```
"#,
};

impl Rule for TildeInProgramDirectory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, found) in cx.program_options("directory") {
            let span = found.entry.def.value_span;
            if !found.value.starts_with('~') || !out.first_time(span) {
                continue;
            }
            let d = out.report(
                format!(
                    "supervisord does not expand `~` in the `directory` of [{name}]: the process fails to start because `{}` does not exist as written",
                    found.value
                ),
                span,
                "`~` is not expanded here",
            );
            d.help = Some(match found.value.strip_prefix("~/") {
                Some(rest) => format!(
                    "use an absolute path, or `%(ENV_HOME)s/{rest}` (supervisord's own HOME)"
                ),
                None => "use an absolute path".into(),
            });
            // `~/` is supervisord's HOME (expanding it needs HOME set).
            let written = cx.text(span);
            if written.starts_with("~/") && cx.host.env_var("HOME").is_some() {
                let tilde = crate::source::Span {
                    end: span.start + 1,
                    ..span
                };
                d.fix = Some(Fix::behaviour_changing(
                    "write `%(ENV_HOME)s` for `~`",
                    vec![Edit::replace(tilde, "%(ENV_HOME)s")],
                ));
            }
        }
    }
}
