//! One process logging stdout and stderr to the same file.

use super::device_logfile_rotation::is_stream;
use super::unexpanded_shell_syntax::is_template;
use crate::codes::Code;
use crate::diagnostic::{Edit, Fix, Label};
use crate::fix::text::{add_line_after, whole_lines};
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::model::LogFile;

pub struct StdoutAndStderrInOneFile;

static META: RuleMeta = RuleMeta {
    code: Code::StdoutAndStderrInOneFile,
    doc: r#"## What it does
Finds programs whose `stdout_logfile` and `stderr_logfile` name the same
file (after expansion, for any instance), while `redirect_stderr` is off
and either stream rotates (`*_logfile_maxbytes` is not `0`; the default is
50MB). Streams such as `/dev/stdout` are left to `device-logfile-rotation`.

## Why is this bad?
supervisord opens the file twice, with two independent rotating
handlers. Each keeps its own idea of the file's size and rotates it on its
own: one handler renames the file away while the other keeps writing to
the renamed file, lines from the two streams overwrite each other, and
backups are lost — the breakage `shared-log-file` describes for two
processes, inside one. (Celery's example configs do this.)

## Example
```ini
[program:celery]
command=celery -A proj worker
stdout_logfile=/var/log/celery/worker.log
stderr_logfile=/var/log/celery/worker.log
```

## Use instead
```ini
[program:celery]
command=celery -A proj worker
stdout_logfile=/var/log/celery/worker.log
redirect_stderr=true
```
"#,
};

/// `redirect_stderr=true` in place of the `stderr_logfile` line: one
/// handler writes both streams to the file.
fn redirect(cx: &LintContext<'_>, section: &str) -> Option<Fix> {
    // supervisord refuses `redirect_stderr` in an event listener (its
    // stdout is the event protocol).
    if section.starts_with("eventlistener:") || cx.ini().get(section, "redirect_stderr").is_some() {
        return None;
    }
    let err = cx
        .entry(section, "stderr_logfile")
        .filter(|e| !e.def.from_default)?;
    let out = cx
        .entry(section, "stdout_logfile")
        .filter(|e| !e.def.from_default)?;
    let (err, out) = (&err.def, &out.def);
    if err.key_span.file != out.key_span.file {
        return None;
    }
    let text = &cx.sources().get(out.key_span.file).text;
    let err_lines = whole_lines(text, err.key_span.to(err.value_span));
    let add = add_line_after(
        text,
        out.key_span.to(out.value_span),
        "redirect_stderr=true",
    );
    // The new line must not land inside the removed one.
    if err_lines.start < add.span.start && add.span.start < err_lines.end {
        return None;
    }
    Some(Fix::behaviour_changing(
        "send stderr to the stdout log with `redirect_stderr=true`",
        vec![Edit::delete(err_lines), add],
    ))
}

impl Rule for StdoutAndStderrInOneFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for group in &cx.config().groups {
            for run in section_runs(&group.processes) {
                if run[0].common.redirect_stderr {
                    continue;
                }
                let same = run.iter().find_map(|p| {
                    let (o, e) = (p.stdout(), p.stderr());
                    // Without rotation, two appending handles interleave
                    // whole writes and lose nothing.
                    let rotating = !o.maxbytes.is_zero() || !e.maxbytes.is_zero();
                    match (o.logfile, e.logfile) {
                        (LogFile::Path(a), LogFile::Path(b))
                            if a == b && rotating && !is_stream(a) && !is_template(a) =>
                        {
                            Some(a.to_string())
                        }
                        _ => None,
                    }
                });
                let Some(path) = same else { continue };
                let section = &run[0].common.section;
                let (Some(o), Some(e)) = (
                    cx.ini().get(section, "stdout_logfile"),
                    cx.ini().get(section, "stderr_logfile"),
                ) else {
                    continue;
                };
                if !out.first_time(e.entry.def.value_span) {
                    continue;
                }
                let d = out.report(
                    format!(
                        "[{section}] writes stdout and stderr to the same file `{path}` through two rotating handlers, which rotate it independently"
                    ),
                    e.entry.def.value_span,
                    "same file as stdout_logfile",
                );
                d.related
                    .push(Label::new(o.entry.def.value_span, "stdout is written here"));
                d.help = Some(if section.starts_with("eventlistener:") {
                    "give `stderr_logfile` a file of its own (an event listener cannot set `redirect_stderr`)".into()
                } else {
                    "set `redirect_stderr=true` and remove `stderr_logfile` (one handler writes both streams)".into()
                });
                d.fix = redirect(cx, section);
            }
        }
    }
}
