use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct PlaintextPassword;

static META: RuleMeta = RuleMeta {
    code: Code::PlaintextPassword,
    doc: r#"## What it does
Finds `password=` in `[unix_http_server]` and `[inet_http_server]` sections
that is not in the `{SHA}` form (`{SHA}` followed by the hex SHA-1 of the
password; the prefix is case-sensitive). Values taken from the environment
(`%(ENV_X)s`) are not reported, since the file does not hold the secret.
`[supervisorctl] password` is not reported: supervisorctl must send the
password itself, so it is plain text by design.

## Why is this bad?
Anyone who can read the config (backups, a repository, a world-readable
`/etc/supervisor`) learns a password that may also be used elsewhere. The
server only needs its hash to check a login.

## Example
```ini
[inet_http_server]
port=127.0.0.1:9001
username=admin
password=secret
```

## Use instead
```ini
; echo -n 'secret' | sha1sum
[inet_http_server]
port=127.0.0.1:9001
username=admin
password={SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4
```
"#,
};

impl Rule for PlaintextPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            if !matches!(
                kind,
                SectionKind::UnixHttpServer | SectionKind::InetHttpServer
            ) {
                continue;
            }
            let Some(found) = cx.ini().get(name, "password") else {
                continue;
            };
            let def = &found.entry.def;
            if found.value.is_empty()
                || found.value.starts_with("{SHA}")
                || def.written().contains("%(ENV_")
                || !out.first_time(def.key_span)
            {
                continue;
            }
            let d = out.report(
                format!("the password of [{name}] is stored in plain text"),
                def.key_span,
                if found.value.to_ascii_uppercase().starts_with("{SHA}") {
                    "the `{SHA}` prefix is case-sensitive"
                } else {
                    "not in the {SHA} form"
                },
            );
            d.help = Some(
                "store its SHA-1 instead: `password={SHA}<hex>`, with <hex> from `echo -n 'your-password' | sha1sum` ([supervisorctl] keeps the plain password)"
                    .into(),
            );
        }
    }
}
