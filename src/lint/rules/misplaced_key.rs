use crate::codes::Code;
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
                if entry.def.from_default || lookup(kind, key).is_some() {
                    continue;
                }
                let readers = kinds_reading(key);
                if readers.is_empty() {
                    continue;
                }
                let places: Vec<&str> = readers.iter().map(|k| k.header()).collect();
                out.report(
                    format!("`{key}` has no effect in [{name}]"),
                    entry.def.key_span,
                    format!("only read in {}", places.join(", ")),
                );
            }
        }
    }
}
