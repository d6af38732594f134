//! Supervisor 2's program log keys, removed in 3.0.

use crate::codes::Code;
use crate::diagnostic::{Edit, Fix, Label};
use crate::fix::text::whole_lines;
use crate::ini::Section;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct RemovedLogKeys;

static META: RuleMeta = RuleMeta {
    code: Code::RemovedLogKeys,
    doc: r#"## What it does
Finds the program log keys of Supervisor 2 (`logfile`,
`logfile_maxbytes`, `logfile_backups`, `log_stdout`, `log_stderr`) in
programs, event listeners and FastCGI programs, once per section.

## Why is this bad?
Supervisor 3.0 replaced them with `stdout_logfile`,
`stdout_logfile_maxbytes`, `stdout_logfile_backups` and
`redirect_stderr`, and ignores the old names without a word. The program
is logged to an `AUTO` file in `childlogdir` instead of the file the
config names, and the stderr capture the config asks for does not happen.

## Example
```ini
[program:worker]
command=/usr/bin/worker
logfile=/var/log/worker.log
log_stderr=true
```

## Use instead
```ini
[program:worker]
command=/usr/bin/worker
stdout_logfile=/var/log/worker.log
redirect_stderr=true
```
"#,
};

/// Removed key, and the key of 3.0 that replaced it (`None`: no key, its
/// line goes).
pub const REMOVED: &[(&str, Option<&str>)] = &[
    ("logfile", Some("stdout_logfile")),
    ("logfile_maxbytes", Some("stdout_logfile_maxbytes")),
    ("logfile_backups", Some("stdout_logfile_backups")),
    ("log_stdout", None),
    ("log_stderr", Some("redirect_stderr")),
];

/// Whether `key` is one of Supervisor 2's program log keys.
pub fn is_removed(key: &str) -> bool {
    REMOVED.iter().any(|(k, _)| *k == key)
}

/// Renames each old key to its replacement (when the section does not
/// set that already), and drops the ones without one; all in one file.
fn modernize(cx: &LintContext<'_>, section: &Section) -> Option<Fix> {
    let mut edits = Vec::new();
    let mut file = None;
    for (key, new) in REMOVED {
        let Some(entry) = section.entries.get(key).filter(|e| !e.def.from_default) else {
            continue;
        };
        let def = &entry.def;
        if *file.get_or_insert(def.key_span.file) != def.key_span.file {
            return None;
        }
        let text = &cx.sources().get(def.key_span.file).text;
        let line = whole_lines(text, def.key_span.to(def.value_span));
        match new {
            Some(n) if section.entries.contains_key(n) => return None,
            // `log_stderr=false` was the default: nothing to carry over.
            Some("redirect_stderr")
                if !cx.text(def.value_span).trim().eq_ignore_ascii_case("true") =>
            {
                edits.push(Edit::delete(line))
            }
            Some(n) => edits.push(Edit::replace(def.key_span, *n)),
            None => edits.push(Edit::delete(line)),
        }
    }
    (!edits.is_empty())
        .then(|| Fix::behaviour_changing("use the log keys of Supervisor 3 and later", edits))
}

impl Rule for RemovedLogKeys {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            if !kind.is_program_like() {
                continue;
            }
            let found: Vec<(&str, Option<&str>, crate::source::Span)> = REMOVED
                .iter()
                .filter_map(|(k, n)| {
                    let e = section.entries.get(k).filter(|e| !e.def.from_default)?;
                    Some((*k, *n, e.def.key_span))
                })
                .collect();
            let Some(&(first, _, span)) = found.first() else {
                continue;
            };
            let keys: Vec<String> = found.iter().map(|(k, _, _)| format!("`{k}`")).collect();
            let instead: Vec<String> = found
                .iter()
                .map(|(k, n, _)| match n {
                    Some(n) => format!("`{k}` → `{n}`"),
                    None => format!("`{k}` → (nothing: stdout is always captured)"),
                })
                .collect();
            let d = out.report(
                format!(
                    "[{name}] uses Supervisor 2's {}, removed in 3.0: supervisord ignores {}",
                    keys.join(", "),
                    if keys.len() == 1 { "it" } else { "them" }
                ),
                span,
                format!("`{first}` is a Supervisor 2 key"),
            );
            for (_, _, s) in &found[1..] {
                d.related.push(Label::new(*s, "also Supervisor 2"));
            }
            d.help = Some(format!("replace them: {}", instead.join(", ")));
            d.fix = modernize(cx, section);
        }
    }
}
