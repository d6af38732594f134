use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct RelativePath;

static META: RuleMeta = RuleMeta {
    code: Code::RelativePath,
    doc: r#"## What it does
Finds relative paths in `[supervisord]` `logfile`, `pidfile`,
`childlogdir` and `directory`, in program `stdout_logfile` and
`stderr_logfile`, and in `[unix_http_server]` `file`. Defaults that are
not written, `AUTO`, `NONE` and `syslog` are not reported.

## Why is this bad?
Unlike `[include] files`, these paths are not relative to the config
file: supervisord resolves them against its current working directory,
which depends on how it was started (a shell, systemd, cron, a container
entrypoint) and, for program logs, on `[supervisord] directory`. The
same config then writes logs or its socket somewhere else, or fails to
start because the directory does not exist there; `supervisorctl` started
from another directory cannot find the socket.

## Example
```ini
[unix_http_server]
file=run/supervisor.sock
```

## Use instead
```ini
[unix_http_server]
file=%(here)s/run/supervisor.sock
```
"#,
};

/// The keys holding paths, per section kind.
fn path_keys(kind: SectionKind) -> &'static [&'static str] {
    match kind {
        SectionKind::Supervisord => &["logfile", "pidfile", "childlogdir", "directory"],
        SectionKind::Program | SectionKind::EventListener | SectionKind::FcgiProgram => {
            &["stdout_logfile", "stderr_logfile"]
        }
        SectionKind::UnixHttpServer => &["file"],
        _ => &[],
    }
}

/// Whether a value (after `%(here)s` replacement) names a relative path.
fn is_relative(kind: SectionKind, key: &str, value: &str) -> bool {
    // `~` is expanded for all of these; a leading `%(...)` is expanded
    // first and usually yields an absolute path. `$VAR`, `${VAR}`, `{{ x }}`
    // and `<%= x %>` are template placeholders rendered before supervisord
    // reads the file (or a different mistake), not a relative path.
    if value.is_empty() || value.starts_with(['/', '~', '$', '{', '<']) || value.starts_with("%(") {
        return false;
    }
    let special = match (kind, key) {
        (SectionKind::Supervisord, "logfile") => value == "syslog",
        (SectionKind::Supervisord | SectionKind::UnixHttpServer, _) => false,
        _ => ["auto", "none", "off", "syslog"].contains(&value.to_lowercase().as_str()),
    };
    !special
}

impl Rule for RelativePath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            for key in path_keys(kind) {
                let Some(found) = cx.ini().get(name, key) else {
                    continue;
                };
                let span = found.entry.def.value_span;
                if !is_relative(kind, key, found.value) || !out.first_time(span) {
                    continue;
                }
                let value = found.value;
                let here = match value.strip_prefix("./").unwrap_or(value) {
                    "." | "" => "%(here)s".to_string(),
                    rest => format!("%(here)s/{rest}"),
                };
                out.report(
                    format!(
                        "`{key}={value}` is a relative path: supervisord resolves it against its working directory, not the config file's directory"
                    ),
                    span,
                    "relative to the cwd",
                )
                .help = Some(format!(
                    "use an absolute path, or `{here}` for a path next to the config file"
                ));
            }
        }
    }
}
