use super::removed_log_keys::is_removed;
use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::{SectionKind, kinds_reading, lookup};

pub struct MisplacedKey;

static META: RuleMeta = RuleMeta {
    code: Code::MisplacedKey,
    doc: r#"## What it does
Finds keys that supervisord reads in some section type, but not in the one
they are written in, such as `socket=` in `[program:x]` or `programs=` in
`[program:x]`.

## Why is this bad?
supervisord silently ignores the key there, so the setting has no effect:
a `[program:x]` with `socket=` never gets a FastCGI socket, and an
`events=` line does nothing outside `[eventlistener:x]`.

## Example
```ini
[program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php.sock
```

## Use instead
```ini
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php.sock
```
"#,
};

/// Keys written in the wrong section that have an equivalent in it.
const EQUIVALENTS: &[(SectionKind, &str, &str)] = &[
    (SectionKind::Supervisord, "stdout_logfile", "logfile"),
    (
        SectionKind::Supervisord,
        "stdout_logfile_maxbytes",
        "logfile_maxbytes",
    ),
    (
        SectionKind::Supervisord,
        "stdout_logfile_backups",
        "logfile_backups",
    ),
];

/// The key of `kind` that does what `key` does where it belongs.
fn equivalent(kind: SectionKind, key: &str) -> Option<&'static str> {
    EQUIVALENTS
        .iter()
        .find(|(k, old, _)| *k == kind && *old == key)
        .map(|(_, _, new)| *new)
}

impl Rule for MisplacedKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            if matches!(kind, SectionKind::Unknown | SectionKind::Default) || kind.takes_any_key() {
                continue;
            }
            for (key, entry) in &section.entries {
                // Supervisor 2's log keys get one finding per section.
                let removed = kind.is_program_like() && is_removed(key);
                if removed || entry.def.from_default || lookup(kind, key).is_some() {
                    continue;
                }
                let readers = kinds_reading(key);
                if readers.is_empty() {
                    continue;
                }
                let places: Vec<&str> = readers.iter().map(|k| k.header()).collect();
                let d = out.report(
                    format!("`{key}` has no effect in [{name}]"),
                    entry.def.key_span,
                    format!("only read in {}", places.join(", ")),
                );
                if let Some(new) =
                    equivalent(kind, key).filter(|n| !section.entries.contains_key(n))
                {
                    d.help = Some(format!("[{name}] spells it `{new}`"));
                    d.fix = Some(Fix::behaviour_changing(
                        format!("rename `{key}` to `{new}`"),
                        vec![Edit::replace(entry.def.key_span, new)],
                    ));
                }
            }
        }
    }
}
