use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct MissingRpcinterface;

static META: RuleMeta = RuleMeta {
    code: Code::MissingRpcinterface,
    doc: r#"## What it does
Finds full configs (with `[supervisord]`) that start an HTTP server but have
no `[rpcinterface:supervisor]` section. conf.d snippets are not checked.

## Why is this bad?
The `supervisor.*` XML-RPC methods that supervisorctl and the web UI call
exist only when `[rpcinterface:supervisor]` names supervisor's factory.
Without it the server answers, but supervisorctl prints `Sorry, supervisord
responded but did not recognize the supervisor namespace commands that
supervisorctl uses to control it.` The section name matters: the same
factory under `[rpcinterface:main]` serves `main.*` methods instead.

## Example
```ini
[supervisord]

[unix_http_server]
file=/run/supervisor.sock
```

## Use instead
```ini
[supervisord]

[unix_http_server]
file=/run/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
```
"#,
};

pub(crate) const MAIN_FACTORY: &str = "supervisor.rpcinterface:make_main_rpcinterface";

/// A factory spec with the whitespace `importlib` tolerates removed.
pub(crate) fn is_main_factory(spec: &str) -> bool {
    spec.split_whitespace().collect::<String>() == MAIN_FACTORY
}

impl Rule for MissingRpcinterface {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let config = cx.config();
        if cx.loaded.snippet || cx.ini().has_section("rpcinterface:supervisor") {
            return;
        }
        let Some(server) = config.http_servers.first() else {
            return;
        };
        let d = out.report(
            "no [rpcinterface:supervisor]: supervisorctl and the web UI find no `supervisor.*` methods and cannot control any process",
            server.span,
            "serves no `supervisor.*` methods",
        );
        let elsewhere = config
            .rpcinterfaces
            .iter()
            .find(|p| is_main_factory(&p.factory));
        d.help = Some(match elsewhere {
            Some(p) => format!(
                "rename [rpcinterface:{}] to [rpcinterface:supervisor]: the section name is the RPC namespace",
                p.name
            ),
            None => format!(
                "add:\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = {MAIN_FACTORY}"
            ),
        });
    }
}
