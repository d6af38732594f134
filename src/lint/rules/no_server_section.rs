use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;

pub struct NoServerSection;

static META: RuleMeta = RuleMeta {
    code: Code::NoServerSection,
    doc: r#"## What it does
Finds full configs (with `[supervisord]`) that prepare for supervisorctl
(they have `[supervisorctl]` or an `[rpcinterface:x]`) but have no
`[unix_http_server]` or `[inet_http_server]` section. Configs with none of
these are taken as meant to run without runtime control (common in
containers) and are not reported; neither are conf.d snippets.

## Why is this bad?
supervisord then listens nowhere: `supervisorctl status`, `restart` and
the web UI all fail (`unix:///tmp/supervisor.sock no such file` or
`Connection refused`), so the only way to restart a program is to restart
supervisord. Often the server section was commented out or its name
misspelled.

## Example
```ini
[supervisord]
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///run/supervisor.sock
```

## Use instead
```ini
[supervisord]
nodaemon=true

[unix_http_server]
file=/run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///run/supervisor.sock
```
"#,
};

impl Rule for NoServerSection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if cx.loaded.snippet {
            return;
        }
        let Some(header) = cx.header("supervisord") else {
            return;
        };
        let kinds: Vec<SectionKind> = cx.sections().map(|(_, k, _)| k).collect();
        let has = |wanted: &[SectionKind]| kinds.iter().any(|k| wanted.contains(k));
        // A config with no server, no [supervisorctl] and no RPC interface
        // is meant to run without runtime control (common in containers).
        if has(&[SectionKind::UnixHttpServer, SectionKind::InetHttpServer])
            || !has(&[SectionKind::Supervisorctl, SectionKind::RpcInterface])
        {
            return;
        }
        let d = out.report(
            "supervisord starts no HTTP server: supervisorctl and the web UI cannot connect to it",
            header,
            "no [unix_http_server] or [inet_http_server] in this config",
        );
        d.help = Some(
            "add a [unix_http_server] with `file=`, and point [supervisorctl] serverurl=unix://... at it"
                .into(),
        );
    }
}
