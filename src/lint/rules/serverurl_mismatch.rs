use super::server_client::{Url, client_and_targets, env_dependent, value_span};
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::ServerFamily;

pub struct ServerurlMismatch;

static META: RuleMeta = RuleMeta {
    code: Code::ServerurlMismatch,
    doc: r#"## What it does
Compares `[supervisorctl] serverurl` with the servers supervisord starts: a
`unix://` URL must name the `file` of a `[unix_http_server]` (both are
normalized the same way), and an `http://` URL must use the port of an
`[inet_http_server]`. Without `serverurl`, supervisorctl uses
`http://localhost:9001`. Hosts are not compared, only ports.

## Why is this bad?
supervisorctl connects to the URL and nothing else: every command fails
with `unix:///... no such file` or `Connection refused` although supervisord
is running.

## Example
```ini
[unix_http_server]
file=/run/supervisor.sock

[supervisorctl]
serverurl=unix:///var/run/supervisor.sock
```

## Use instead
```ini
[unix_http_server]
file=/run/supervisor.sock

[supervisorctl]
serverurl=unix:///run/supervisor.sock
```
"#,
};

impl Rule for ServerurlMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some((ctl, url, targets)) = client_and_targets(cx) else {
            return;
        };
        let servers = &cx.config().http_servers;
        if !targets.is_empty()
            || servers.iter().any(|s| {
                env_dependent(cx, &s.section, "port") || env_dependent(cx, &s.section, "file")
            })
        {
            return;
        }
        let Some(header) = cx.header("supervisorctl") else {
            return;
        };
        let (span, label) = match cx.entry("supervisorctl", "serverurl") {
            Some(e) if matches!(url, Url::Bad) => {
                (e.def.value_span, "supervisorctl refuses this URL")
            }
            Some(e) => (e.def.value_span, "no server listens here"),
            None => (
                header,
                "no `serverurl`: supervisorctl uses http://localhost:9001",
            ),
        };
        // As written: a resolved relative path would name supc's directory.
        let url_text = cx
            .entry("supervisorctl", "serverurl")
            .map_or(ctl.serverurl.as_str(), |e| e.def.written());
        let message = match &url {
            Url::Bad if url_text.starts_with("http://") => {
                format!("supervisorctl cannot use serverurl `{url_text}`: its port is not a number")
            }
            Url::Bad => format!(
                "supervisorctl cannot use serverurl `{url_text}`: it only understands http:// and unix:// URLs"
            ),
            Url::Unix(_) => format!(
                "supervisorctl connects to `{url_text}`, but no [unix_http_server] creates that socket"
            ),
            Url::Http(p) => format!(
                "supervisorctl connects to `{url_text}`, but no [inet_http_server] listens on port {p}"
            ),
        };
        let d = out.report(message, span, label);
        for s in servers {
            let key = match &s.family {
                ServerFamily::Unix { .. } => "file",
                ServerFamily::Inet { .. } => "port",
            };
            let span = value_span(cx, &s.section, key, s.span);
            d.related.push(Label::new(span, "supervisord listens here"));
        }
        // Suggest a server of the kind the URL names, else the first one.
        let unix_url = matches!(url, Url::Unix(_));
        let best = servers
            .iter()
            .find(|s| matches!(s.family, ServerFamily::Unix { .. }) == unix_url)
            .unwrap_or(&servers[0]);
        let first = match &best.family {
            // serverurl resolves `%(here)s` and relative paths as `file` does.
            ServerFamily::Unix { file, .. } => match cx.ini().get(&best.section, "file") {
                Some(f) => format!("unix://{}", f.entry.def.written().trim()),
                None => format!("unix://{file}"),
            },
            ServerFamily::Inet { host, port } => {
                let h = if host.is_empty() { "localhost" } else { host };
                format!("http://{h}:{port}")
            }
        };
        d.help = Some(format!(
            "point supervisorctl at a server: serverurl={first}"
        ));
    }
}
