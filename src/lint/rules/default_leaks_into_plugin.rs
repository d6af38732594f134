use super::missing_rpcinterface::is_main_factory;
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct DefaultLeaksIntoPlugin;

static META: RuleMeta = RuleMeta {
    code: Code::DefaultLeaksIntoPlugin,
    doc: r#"## What it does
Finds keys that supervisord passes as keyword arguments to supervisor's own
RPC factory, `supervisor.rpcinterface:make_main_rpcinterface`: every key
of `[DEFAULT]` (configparser copies them into every section) and every key
written in the `[rpcinterface:x]` section besides
`supervisor.rpcinterface_factory`. Only reported when the config starts an
HTTP server, because the factory is only called then. Third-party factories
may accept options, so their sections are not checked.

## Why is this bad?
`make_main_rpcinterface` takes no options. When supervisord builds its HTTP
server it calls the factory, gets `TypeError: make_main_rpcinterface() got
an unexpected keyword argument 'foo'` and exits with
`Error: Could not make supervisor rpc interface`.

## Example
```ini
[DEFAULT]
autorestart=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
```

## Use instead
```ini
[program:web]
autorestart=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
```
"#,
};

impl Rule for DefaultLeaksIntoPlugin {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let config = cx.config();
        if config.http_servers.is_empty() {
            return;
        }
        for plugin in &config.rpcinterfaces {
            if !is_main_factory(&plugin.factory) || plugin.extras.is_empty() {
                continue;
            }
            let section = format!("rpcinterface:{}", plugin.name);
            // (key span, from [DEFAULT]?) of each extra argument.
            let keys: Vec<_> = plugin
                .extras
                .iter()
                .filter_map(|(k, _)| {
                    let f = cx.ini().get(&section, k)?;
                    Some((
                        k,
                        f.entry.def.key_span,
                        f.inherited || f.entry.def.from_default,
                    ))
                })
                .collect();
            let Some(&(_, span, inherited)) = keys.first() else {
                continue;
            };
            let names: Vec<String> = keys.iter().map(|(k, _, _)| format!("`{k}`")).collect();
            let label = |inherited: bool| {
                if inherited {
                    "from [DEFAULT]: passed to the factory"
                } else {
                    "passed to the factory"
                }
            };
            let d = out.report(
                format!(
                    "[{section}] passes {} to make_main_rpcinterface, which accepts no options: supervisord exits at startup with \"Could not make {} rpc interface\"",
                    names.join(", "),
                    plugin.name
                ),
                span,
                label(inherited),
            );
            for &(_, span, inherited) in &keys[1..] {
                d.related.push(Label::new(span, label(inherited)));
            }
            d.help = Some(if keys.iter().any(|k| k.2) {
                "[DEFAULT] keys reach every section, including this one: move them into the sections that read them".into()
            } else {
                format!("remove every key but supervisor.rpcinterface_factory from [{section}]")
            });
        }
    }
}
