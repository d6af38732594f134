use super::server_client::{env_dependent, value_span};
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::{HttpServer, ServerFamily};

pub struct DuplicateServerAddress;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateServerAddress,
    doc: r#"## What it does
Finds two `[inet_http_server*]` sections on the same port (on the same host,
or one of them on all interfaces), and two `[unix_http_server*]` sections
with the same socket `file` (after normalization). Any section whose name
starts with `inet_http_server` or `unix_http_server` is a server, so a
renamed copy such as `[inet_http_server_old]` counts.

## Why is this bad?
supervisord binds every server at startup. A second inet server on a taken
port stops it with `Error: Another program is already listening on a port
that one of our HTTP servers is configured to use.` A second unix server on
the same file makes startup hang: supervisord probes the socket it has just
bound itself and waits forever for an answer.

## Example
```ini
[inet_http_server]
port=127.0.0.1:9001

[inet_http_server_old]
port=*:9001
```

## Use instead
```ini
[inet_http_server]
port=127.0.0.1:9001
```
"#,
};

/// The address a server binds, for comparison: `localhost` binds 127.0.0.1
/// and an empty host (also `*`) or `0.0.0.0` binds every interface.
enum Addr<'a> {
    Inet(Option<&'a str>, i64),
    Unix(&'a str),
}

fn addr(s: &HttpServer) -> Option<Addr<'_>> {
    Some(match &s.family {
        ServerFamily::Inet { host, port } => {
            let host = match host.as_str() {
                "" | "0.0.0.0" => None,
                "localhost" => Some("127.0.0.1"),
                h => Some(h),
            };
            Addr::Inet(host, port.to_i64()?)
        }
        ServerFamily::Unix { file, .. } => Addr::Unix(file),
    })
}

fn clash(a: &Addr<'_>, b: &Addr<'_>) -> bool {
    match (a, b) {
        (Addr::Inet(h1, p1), Addr::Inet(h2, p2)) => {
            p1 == p2 && (h1.is_none() || h2.is_none() || h1 == h2)
        }
        (Addr::Unix(f1), Addr::Unix(f2)) => f1 == f2,
        _ => false,
    }
}

impl Rule for DuplicateServerAddress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let servers: Vec<(&HttpServer, Addr<'_>, &str)> = cx
            .config()
            .http_servers
            .iter()
            .filter_map(|s| {
                let key = match s.family {
                    ServerFamily::Inet { .. } => "port",
                    ServerFamily::Unix { .. } => "file",
                };
                let a = addr(s).filter(|_| !env_dependent(cx, &s.section, key))?;
                Some((s, a, key))
            })
            .collect();
        for (i, (s, a, key)) in servers.iter().enumerate() {
            // Report each server once, against the first one it clashes with.
            let Some((first, _, _)) = servers[..i].iter().find(|(_, b, _)| clash(a, b)) else {
                continue;
            };
            let (message, label) = match a {
                Addr::Inet(..) => (
                    format!(
                        "[{}] binds the same port as [{}]: supervisord exits at startup with \"Another program is already listening on a port\"",
                        s.section, first.section
                    ),
                    "port already taken",
                ),
                Addr::Unix(_) => (
                    format!(
                        "[{}] uses the same socket file as [{}]: supervisord hangs at startup",
                        s.section, first.section
                    ),
                    "socket file already used",
                ),
            };
            let d = out.report(message, value_span(cx, &s.section, key, s.span), label);
            d.related.push(Label::new(
                value_span(cx, &first.section, key, first.span),
                "first bound here",
            ));
            d.help = Some(format!(
                "remove one of the two sections, or give [{}] its own {}",
                s.section,
                if *key == "port" {
                    "port"
                } else {
                    "socket file"
                }
            ));
        }
    }
}
