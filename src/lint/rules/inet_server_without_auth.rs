use super::server_client::{env_dependent, value_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::ServerFamily;

pub struct InetServerWithoutAuth;

static META: RuleMeta = RuleMeta {
    code: Code::InetServerWithoutAuth,
    doc: r#"## What it does
Finds `[inet_http_server]` sections without `username` and `password` that
listen on all interfaces (`port=9001`, `*:9001`, `:9001`, `0.0.0.0:9001`)
or on any address that is not loopback. Servers on `localhost`, `127.x` or
`::1` are not reported: only local users can reach them (a unix socket with
`chmod=0700` is still safer for that).

## Why is this bad?
supervisord only logs `CRIT Server 'inet_http_server' running without any
HTTP authentication checking` and serves anyone who can reach the port:
they can stop, start and restart every process, send them signals and
input, read their logs, and shut supervisord down.

## Example
```ini
[inet_http_server]
port=*:9001
```

## Use instead
```ini
[inet_http_server]
port=127.0.0.1:9001
username=admin
password={SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4
```
"#,
};

/// Whether a bound host is loopback-only (`[::1]` keeps its brackets).
fn loopback(host: &str) -> bool {
    matches!(host, "localhost" | "::1" | "[::1]")
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3
                && rest
                    .split('.')
                    .all(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()))
        })
}

impl Rule for InetServerWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for s in &cx.config().http_servers {
            let ServerFamily::Inet { host, port } = &s.family else {
                continue;
            };
            // supervisord checks `if username:`, so an empty one means no auth.
            if s.username.as_deref().is_some_and(|u| !u.is_empty())
                || loopback(host)
                || env_dependent(cx, &s.section, "port")
            {
                continue;
            }
            let (where_, label) = match host.as_str() {
                "" | "0.0.0.0" => (
                    format!("on all interfaces (port {port})"),
                    "all interfaces, no authentication".to_string(),
                ),
                h => (
                    format!("on {h}:{port}"),
                    format!("reachable on {h}, no authentication"),
                ),
            };
            let d = out.report(
                format!(
                    "[{}] listens {where_} without a username and password: anyone who can reach it can control every process",
                    s.section
                ),
                value_span(cx, &s.section, "port", s.span),
                label,
            );
            d.help = Some(
                "set `username=` and `password={SHA}<sha1 hex>`, and bind to 127.0.0.1 unless remote access is needed"
                    .into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn loopback_hosts() {
        assert!(loopback("127.0.0.1") && loopback("127.1.2.3") && loopback("localhost"));
        assert!(loopback("[::1]"));
        assert!(!loopback("") && !loopback("0.0.0.0") && !loopback("10.0.0.1"));
        assert!(!loopback("127.example.com") && !loopback("127.0.0"));
    }
}
