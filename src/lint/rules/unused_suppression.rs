use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

/// Reported by the suppression pass (`lint/suppress.rs`), not by `check`.
pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    code: Code::UnusedSuppression,
    doc: r#"## What it does
Reports `; supc: disable=...` and `; supc: disable-file=...` comments that
did not suppress any finding.

## Why is this bad?
A stale suppression hides the next real problem of that kind on its line,
and a misspelled rule code suppresses nothing at all.

## Example
```ini
[program:web]
command=/usr/bin/web ; supc: disable=unknown-key
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
```
"#,
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, _cx: &LintContext<'_>, _out: &mut Findings) {}
}
