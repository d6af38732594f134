use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct RedirectStderrWithStderrLogfile;

static META: RuleMeta = RuleMeta {
    code: Code::RedirectStderrWithStderrLogfile,
    doc: r#"## What it does
Finds program sections that set both `redirect_stderr=true` and a
`stderr_logfile` path.

## Why is this bad?
With `redirect_stderr=true`, the process's stderr is sent into its stdout
pipe and written to `stdout_logfile`. supervisord ignores the
`stderr_logfile` path (it only writes a warning into its own log at
startup), so the file named there stays empty and anyone reading it to
find errors finds nothing.

## Example
```ini
[program:web]
command=/usr/bin/web
redirect_stderr=true
stdout_logfile=/var/log/web.log
stderr_logfile=/var/log/web.err
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
redirect_stderr=true
stdout_logfile=/var/log/web.log
```
"#,
};

impl Rule for RedirectStderrWithStderrLogfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        // The resolver records supervisord's own warning exactly when it
        // applies (a real path, not AUTO/NONE/syslog, in an instance that
        // was built), so the warning decides and the Ini gives the spans.
        let warnings = &cx.config().parse_warnings;
        for (name, kind, _) in cx.sections() {
            if !matches!(kind, SectionKind::Program | SectionKind::FcgiProgram) {
                continue;
            }
            let expected = format!(
                "For [{name}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored"
            );
            if !warnings.contains(&expected) {
                continue;
            }
            let (Some(logfile), Some(redirect)) = (
                cx.ini().get(name, "stderr_logfile"),
                cx.ini().get(name, "redirect_stderr"),
            ) else {
                continue;
            };
            let d = out.report(
                format!(
                    "[{name}] sets redirect_stderr=true, so its stderr goes to the stdout log and `stderr_logfile` is ignored"
                ),
                logfile.entry.def.value_span,
                "this file is never written",
            );
            d.related.push(Label::new(
                redirect.entry.def.value_span,
                "stderr is merged into stdout here",
            ));
            d.help = Some(
                "remove `stderr_logfile`, or set `redirect_stderr=false` to keep stderr in its own file"
                    .into(),
            );
        }
    }
}
