use crate::codes::Code;
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
                if template
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
                }
            }
        }
    }
}
