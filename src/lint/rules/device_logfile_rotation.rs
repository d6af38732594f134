//! `stdout_logfile=/dev/stdout` with the default 50MB `maxbytes`.

use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::fix::text::add_line_after;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::model::LogFile;
use crate::source::Span;

pub struct DeviceLogfileRotation;

static META: RuleMeta = RuleMeta {
    code: Code::DeviceLogfileRotation,
    doc: r#"## What it does
Finds log files that are a stream rather than a file (`/dev/stdout`,
`/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, `/proc/1/fd/N`) whose
`*_logfile_maxbytes` is not `0`: a program's `stdout_logfile` and
`stderr_logfile`, and `[supervisord] logfile`.

## Why is this bad?
The default `maxbytes` is 50MB, so supervisord keeps the stream in a
rotating handler: once 50MB have been written it tries to rename and
truncate the pipe or terminal, which fails ("Illegal seek"), and the log
output stops or errors fill the main log. This is the most common Docker
mistake with supervisord; its documentation asks for `maxbytes=0` here.

## Example
```ini
[program:web]
command=/usr/bin/web
stdout_logfile=/dev/stdout
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
```
"#,
};

/// A path that names a stream of supervisord's own process.
pub fn is_stream(path: &str) -> bool {
    let fd = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
    matches!(path, "/dev/stdout" | "/dev/stderr")
        || path.strip_prefix("/dev/fd/").is_some_and(fd)
        || path.strip_prefix("/proc/self/fd/").is_some_and(fd)
        || path.strip_prefix("/proc/1/fd/").is_some_and(fd)
}

/// Sets `maxbytes_key` to 0 in the section: its own line, or a new line
/// after the log file's when the section has none.
fn zero_maxbytes(
    cx: &LintContext<'_>,
    section: &str,
    logfile_key: &str,
    maxbytes_key: &str,
) -> Option<Fix> {
    let edit = match cx.entry(section, maxbytes_key) {
        Some(e) if !e.def.from_default => Edit::replace(e.def.value_span, "0"),
        Some(_) => return None,
        None => {
            let log = cx
                .entry(section, logfile_key)
                .filter(|e| !e.def.from_default)?;
            let span: Span = log.def.key_span.to(log.def.value_span);
            let text = &cx.sources().get(span.file).text;
            add_line_after(text, span, &format!("{maxbytes_key}=0"))
        }
    };
    Some(Fix::behaviour_changing(
        format!("set `{maxbytes_key}=0` (no rotation)"),
        vec![edit],
    ))
}

fn report(cx: &LintContext<'_>, section: &str, key: &str, path: &str, out: &mut Findings) {
    let Some(entry) = cx
        .entry(section, key)
        .or_else(|| cx.ini().get(section, key).map(|f| f.entry))
    else {
        return;
    };
    if !out.first_time(entry.def.value_span) {
        return;
    }
    let maxbytes = format!("{key}_maxbytes");
    let d = out.report(
        format!(
            "`{key}={path}` in [{section}] keeps the default rotation: supervisord will try to rotate a stream and fail once it has written `{maxbytes}` bytes"
        ),
        entry.def.value_span,
        "a stream, not a file",
    );
    d.help = Some(format!("add `{maxbytes}=0`"));
    d.fix = zero_maxbytes(cx, section, key, &maxbytes);
}

impl Rule for DeviceLogfileRotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let sd = &cx.config().supervisord;
        if is_stream(&sd.logfile) && !sd.logfile_maxbytes.is_zero() {
            report(cx, "supervisord", "logfile", &sd.logfile, out);
        }
        for group in &cx.config().groups {
            for run in section_runs(&group.processes) {
                let section = &run[0].common.section;
                for (stream, key) in [(0, "stdout_logfile"), (1, "stderr_logfile")] {
                    if stream == 1 && run[0].common.redirect_stderr {
                        continue;
                    }
                    let hit = run.iter().find_map(|p| {
                        let log = p.log(stream);
                        match log.logfile {
                            LogFile::Path(path) if is_stream(path) && !log.maxbytes.is_zero() => {
                                Some(path.to_string())
                            }
                            _ => None,
                        }
                    });
                    if let Some(path) = hit {
                        report(cx, section, key, &path, out);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_stream;

    #[test]
    fn streams() {
        for s in [
            "/dev/stdout",
            "/dev/stderr",
            "/dev/fd/1",
            "/proc/self/fd/2",
            "/proc/1/fd/1",
        ] {
            assert!(is_stream(s), "{s}");
        }
        for s in ["/dev/null", "/var/log/x.log", "/dev/fd/", "/proc/self/fd/x"] {
            assert!(!is_stream(s), "{s}");
        }
    }
}
