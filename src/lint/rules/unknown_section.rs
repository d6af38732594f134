use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::{SectionKind, closest};

pub struct UnknownSection;

static META: RuleMeta = RuleMeta {
    code: Code::UnknownSection,
    doc: r#"## What it does
Finds sections that neither supervisord nor supervisorctl reads, and suggests
the section that was probably meant.

## Why is this bad?
supervisord ignores unknown sections without a word. Section names are
case-sensitive and matched exactly: `[Program:web]`, `[programs:web]`,
`[ program:web ]` and `[Include]` define nothing, so the program never runs
and the include never happens.

## Example
```ini
[Program:web]
command=/usr/bin/web
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
```
"#,
};

/// The known section forms, for suggestions.
const KNOWN: &[&str] = &[
    "supervisord",
    "supervisorctl",
    "include",
    "unix_http_server",
    "inet_http_server",
    "program:",
    "eventlistener:",
    "fcgi-program:",
    "group:",
    "rpcinterface:",
    "ctlplugin:",
];

fn suggestion(name: &str) -> Option<String> {
    let trimmed = name.trim();
    let (prefix, item) = match trimmed.split_once(':') {
        Some((p, i)) => (format!("{}:", p.trim()), Some(i.trim())),
        None => (trimmed.to_string(), None),
    };
    let lowered = prefix.to_lowercase();
    let best = if KNOWN.contains(&lowered.as_str()) {
        Some(lowered.as_str())
    } else {
        closest(&lowered, KNOWN.iter().copied())
    }?;
    let fixed = match item {
        Some(i) if best.ends_with(':') => format!("{best}{i}"),
        _ => best.to_string(),
    };
    (fixed != name).then_some(fixed)
}

impl Rule for UnknownSection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            if kind != SectionKind::Unknown {
                continue;
            }
            for &header in &section.headers {
                let d = out.report(
                    format!("supervisord ignores the section [{name}]"),
                    header,
                    "not a section supervisord reads",
                );
                if let Some(s) = suggestion(name) {
                    d.help = Some(format!("did you mean [{s}]?"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::suggestion;

    #[test]
    fn suggests_the_intended_section() {
        assert_eq!(suggestion("Program:web").as_deref(), Some("program:web"));
        assert_eq!(suggestion(" program:web ").as_deref(), Some("program:web"));
        assert_eq!(suggestion("programs:web").as_deref(), Some("program:web"));
        assert_eq!(suggestion("Include").as_deref(), Some("include"));
        assert_eq!(suggestion("zzzzzzzzzz"), None);
    }
}
