use super::server_client::value_span;
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::{FcgiSocket, ServerFamily};
use crate::source::Span;

pub struct SocketWritableByOthers;

static META: RuleMeta = RuleMeta {
    code: Code::SocketWritableByOthers,
    doc: r#"## What it does
Finds `[unix_http_server] chmod` and `[fcgi-program:x] socket_mode` values
that let users other than the socket's owner connect: world write
(`0777`, `0766`, `0702`) always; group write (`0770`, `0720`) unless
`chown=` / `socket_owner=` names a group (`user:group`), which is the
usual way to grant one group access. Without a group there, the socket
belongs to supervisord's own group (root's group when it runs as root).
A `[unix_http_server]` with `username` and `password` is not reported:
connecting still requires the credentials.

## Why is this bad?
Connecting to a unix socket needs write permission on it. Anyone who can
write to supervisord's socket can stop, start and restart every process
without a password; anyone who can write to a FastCGI socket can send
requests straight to the application, bypassing the web server.

## Example
```ini
[unix_http_server]
file=/run/supervisor.sock
chmod=0777
```

## Use instead
```ini
[unix_http_server]
file=/run/supervisor.sock
chmod=0770
chown=root:supervisor
```
"#,
};

/// What `mode` lets others do, when it is a problem.
fn exposure(mode: i64, owner_written: Option<&str>) -> Option<&'static str> {
    if mode & 0o002 != 0 {
        Some("every user")
    } else if mode & 0o020 != 0 && !owner_written.is_some_and(|o| o.contains(':')) {
        Some("members of the socket's group")
    } else {
        None
    }
}

impl Rule for SocketWritableByOthers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let owner = |section: &str, key: &str| cx.ini().get(section, key).map(|f| f.value);
        // (section, mode key, owner key, mode, fallback span)
        let mut sockets: Vec<(&str, &str, &str, i64, Span)> = Vec::new();
        for s in &cx.config().http_servers {
            if let ServerFamily::Unix { chmod, .. } = &s.family {
                if s.username.as_deref().is_some_and(|u| !u.is_empty()) {
                    continue;
                }
                if let Some(m) = chmod.to_i64() {
                    sockets.push((&s.section, "chmod", "chown", m, s.span));
                }
            }
        }
        for g in &cx.config().groups {
            if let Some(FcgiSocket::Unix { mode, .. }) = g.socket.as_deref()
                && let Some(m) = mode.to_i64()
            {
                sockets.push((&g.section, "socket_mode", "socket_owner", m, g.span));
            }
        }
        for (section, mode_key, owner_key, mode, span) in sockets {
            let Some(who) = exposure(mode, owner(section, owner_key)) else {
                continue;
            };
            let what = if mode_key == "chmod" {
                "stop, start and restart every process without a password"
            } else {
                "send requests straight to the application"
            };
            let d = out.report(
                format!("[{section}] {mode_key}={mode:04o} lets {who} connect and {what}"),
                value_span(cx, section, mode_key, span),
                format!("writable by {who}"),
            );
            d.help = Some(format!(
                "use {mode_key}=0700, or 0770 with {owner_key}=<user>:<group> to give one group access"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exposure;

    #[test]
    fn modes() {
        assert!(exposure(0o777, None).is_some());
        assert!(exposure(0o766, Some("a:b")).is_some());
        assert!(exposure(0o770, None).is_some());
        assert!(exposure(0o770, Some("nobody")).is_some());
        assert!(exposure(0o770, Some("nobody:web")).is_none());
        assert!(exposure(0o700, None).is_none());
        assert!(exposure(0o755, None).is_none());
    }
}
