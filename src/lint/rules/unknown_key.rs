use super::removed_log_keys::is_removed;
use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::{SectionKind, closest, kinds_reading, lookup, options_of};

pub struct UnknownKey;

static META: RuleMeta = RuleMeta {
    code: Code::UnknownKey,
    doc: r#"## What it does
Finds keys that no supervisord section reads, and suggests the option that
was probably meant.

## Why is this bad?
supervisord ignores unknown keys silently, so a typo such as `comand=` or
`autorestart_=` leaves the option at its default: the program may have no
command, or restart when you meant it not to.

## Example
```ini
[program:web]
comand=/usr/bin/web
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
```
"#,
};

impl Rule for UnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            if matches!(kind, SectionKind::Unknown | SectionKind::Default) || kind.takes_any_key() {
                continue;
            }
            for (key, entry) in &section.entries {
                // `{% if x == "y" %}` in a Jinja source reads as a key; it is
                // the template's, not a typo.
                let template = ["{%", "{{", "{#"].iter().any(|t| key.contains(t));
                // Supervisor 2's log keys get one finding per section.
                let removed = kind.is_program_like() && is_removed(key);
                if template
                    || removed
                    || entry.def.from_default
                    || lookup(kind, key).is_some()
                    || !kinds_reading(key).is_empty()
                {
                    continue;
                }
                let d = out.report(
                    format!("[{name}] has no option `{key}`; supervisord ignores it"),
                    entry.def.key_span,
                    "unknown key",
                );
                if let Some(s) = closest(key, options_of(kind).map(|o| o.name)) {
                    d.help = Some(format!("did you mean `{s}`?"));
                    // Renaming onto a key the section sets would duplicate it.
                    if !section.entries.contains_key(s) {
                        d.fix = Some(Fix::behaviour_changing(
                            format!("rename `{key}` to `{s}`"),
                            vec![Edit::replace(entry.def.key_span, s)],
                        ));
                    }
                }
            }
        }
    }
}
