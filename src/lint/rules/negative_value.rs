use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::python::int::{PyInt, parse_int, parse_octal};
use crate::python::unicode::lower;

pub struct NegativeValue;

static META: RuleMeta = RuleMeta {
    code: Code::NegativeValue,
    doc: r#"## What it does
Finds negative values for counts, sizes, durations and umasks
(`startsecs`, `startretries`, `stopwaitsecs`, `*_logfile_backups`,
`*_logfile_maxbytes`, `*_capture_maxbytes`, `minfds`, `minprocs`,
`umask`), which supervisord accepts without a range check.

## Why is this bad?
The value is silently turned into something else: `stopwaitsecs=-1` kills
the process with SIGKILL right after the stop signal,
`stdout_logfile_maxbytes=-1` never rotates the log, and `umask=-1` is
applied as `777`, so files are created with no permissions at all.

## Example
```ini
[program:web]
command=/usr/bin/web
stopwaitsecs=-1
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
stopwaitsecs=10
```
"#,
};

#[derive(Clone, Copy)]
enum Conv {
    Int,
    Bytes,
    Octal,
}

/// (key, converter, what supervisord does with a negative value)
const CHECKED: &[(&str, Conv, &str)] = &[
    (
        "startsecs",
        Conv::Int,
        "treats it like 0, so the process counts as started at once, even if it exits right away",
    ),
    (
        "startretries",
        Conv::Int,
        "treats it like 0, so a process that fails to start is never retried",
    ),
    (
        "stopwaitsecs",
        Conv::Int,
        "kills the process with SIGKILL right after the stop signal, leaving it no time to shut down",
    ),
    (
        "stdout_logfile_backups",
        Conv::Int,
        "keeps no rotated backups",
    ),
    (
        "stderr_logfile_backups",
        Conv::Int,
        "keeps no rotated backups",
    ),
    ("logfile_backups", Conv::Int, "keeps no rotated backups"),
    (
        "stdout_logfile_maxbytes",
        Conv::Bytes,
        "never rotates the log, which grows without limit",
    ),
    (
        "stderr_logfile_maxbytes",
        Conv::Bytes,
        "never rotates the log, which grows without limit",
    ),
    (
        "logfile_maxbytes",
        Conv::Bytes,
        "never rotates the log, which grows without limit",
    ),
    (
        "stdout_capture_maxbytes",
        Conv::Bytes,
        "turns capture mode on with a buffer that keeps almost nothing",
    ),
    (
        "stderr_capture_maxbytes",
        Conv::Bytes,
        "turns capture mode on with a buffer that keeps almost nothing",
    ),
    (
        "minfds",
        Conv::Int,
        "ignores it, since the limit is only ever raised to at least this value",
    ),
    (
        "minprocs",
        Conv::Int,
        "ignores it, since the limit is only ever raised to at least this value",
    ),
    ("umask", Conv::Octal, ""),
];

/// supervisord's converter; `None` when it fails (or the value is expanded).
fn convert(conv: Conv, value: &str) -> Option<PyInt> {
    if value.contains('%') {
        return None;
    }
    match conv {
        Conv::Int => parse_int(value).ok(),
        Conv::Octal => parse_octal(value).ok(),
        Conv::Bytes => {
            let v = lower(value);
            let number = ["kb", "mb", "gb"]
                .iter()
                .find_map(|s| v.strip_suffix(s))
                .unwrap_or(&v);
            parse_int(number).ok()
        }
    }
}

impl Rule for NegativeValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            if kind != SectionKind::Supervisord && !kind.is_program_like() {
                continue;
            }
            for &(key, conv, effect) in CHECKED {
                let applies = crate::options::lookup(kind, key).is_some();
                let Some(found) = cx.ini().get(name, key).filter(|_| applies) else {
                    continue;
                };
                let Some(n) = convert(conv, found.value).filter(PyInt::is_negative) else {
                    continue;
                };
                let span = found.entry.def.value_span;
                if !out.first_time(span) {
                    continue;
                }
                let effect = match conv {
                    Conv::Octal => {
                        let mask = n.to_i64().map_or(0o777, |v| v & 0o777);
                        let none = if mask == 0o777 {
                            ", so files are created with no permissions at all"
                        } else {
                            ""
                        };
                        format!("applies it as umask {mask:03o}{none}")
                    }
                    _ => effect.to_string(),
                };
                let d = out.report(
                    format!(
                        "`{key}={}` in [{name}] is negative: supervisord {effect}",
                        found.value
                    ),
                    span,
                    "negative",
                );
                d.help = Some(match conv {
                    Conv::Octal => "use an octal umask such as `022`".into(),
                    _ => format!("set `{key}` to 0 or more"),
                });
            }
        }
    }
}
