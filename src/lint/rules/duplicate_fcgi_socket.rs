use super::server_client::{env_dependent, value_span};
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::{FcgiSocket, Group};

pub struct DuplicateFcgiSocket;

static META: RuleMeta = RuleMeta {
    code: Code::DuplicateFcgiSocket,
    doc: r#"## What it does
Finds `[fcgi-program:x]` sections whose `socket` is the same unix socket
(after normalization) or the same TCP address (same port on the same host,
or one of them on `0.0.0.0`).

## Why is this bad?
supervisord creates each FastCGI socket when the program's first process
starts. With TCP, the second bind fails with `Address already in use` and
supervisord crashes. With a unix socket, the second program deletes the
first one's socket file and binds its own: the first program keeps running
but never receives a request (and takes the socket back when it restarts).

## Example
```ini
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php/fcgi.sock

[fcgi-program:php-admin]
command=/usr/bin/php-cgi
socket=unix:///run/php/fcgi.sock
```

## Use instead
```ini
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///run/php/fcgi.sock

[fcgi-program:php-admin]
command=/usr/bin/php-cgi
socket=unix:///run/php/admin.sock
```
"#,
};

fn clash(a: &FcgiSocket, b: &FcgiSocket) -> bool {
    // `localhost` binds 127.0.0.1; `0.0.0.0` binds every interface.
    let norm = |h: &str| {
        if h == "localhost" {
            "127.0.0.1".to_string()
        } else {
            h.to_string()
        }
    };
    match (a, b) {
        (FcgiSocket::Unix { path: p1, .. }, FcgiSocket::Unix { path: p2, .. }) => p1 == p2,
        (
            FcgiSocket::Inet {
                host: h1, port: p1, ..
            },
            FcgiSocket::Inet {
                host: h2, port: p2, ..
            },
        ) => {
            let (h1, h2) = (norm(h1), norm(h2));
            p1 == p2 && (h1 == h2 || h1 == "0.0.0.0" || h2 == "0.0.0.0")
        }
        _ => false,
    }
}

impl Rule for DuplicateFcgiSocket {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let mut fcgi: Vec<(&Group, &FcgiSocket)> = cx
            .config()
            .groups
            .iter()
            .filter(|g| !env_dependent(cx, &g.section, "socket"))
            .filter_map(|g| Some((g, g.socket.as_deref()?)))
            .collect();
        // Groups are in priority order; report in file order.
        fcgi.sort_by_key(|(g, _)| (g.span.file, g.span.start));
        for (i, (g, sock)) in fcgi.iter().enumerate() {
            let Some((first, _)) = fcgi[..i].iter().find(|(_, s)| clash(sock, s)) else {
                continue;
            };
            let what = match sock {
                FcgiSocket::Unix { .. } => {
                    "takes over its socket file: only one of them receives requests"
                }
                FcgiSocket::Inet { .. } => {
                    "cannot bind it: supervisord crashes with `Address already in use` when both start"
                }
            };
            let d = out.report(
                format!(
                    "[{}] uses the same FastCGI socket as [{}] and {what}",
                    g.section, first.section
                ),
                value_span(cx, &g.section, "socket", g.span),
                "socket already used",
            );
            d.related.push(Label::new(
                value_span(cx, &first.section, "socket", first.span),
                "first used here",
            ));
            d.help = Some(format!("give [{}] a socket of its own", g.section));
        }
    }
}
