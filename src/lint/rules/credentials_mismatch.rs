use super::server_client::{client_and_targets, env_dependent, value_span};
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};

pub struct CredentialsMismatch;

static META: RuleMeta = RuleMeta {
    code: Code::CredentialsMismatch,
    doc: r#"## What it does
Finds the server that `[supervisorctl] serverurl` points at and compares
its `username` and `password` with the ones supervisorctl sends. A server
password in the `{SHA}` form is not compared (supc does not hash the
client's password); its username still is.

## Why is this bad?
supervisord answers `401 Unauthorized`: supervisorctl prints
`Server requires authentication` and every command fails (the interactive
shell asks for a username and password instead).

## Example
```ini
[unix_http_server]
file=/run/supervisor.sock
username=admin
password=s3cret

[supervisorctl]
serverurl=unix:///run/supervisor.sock
username=admin
password=secret
```

## Use instead
```ini
[supervisorctl]
serverurl=unix:///run/supervisor.sock
username=admin
password=s3cret
```
"#,
};

impl Rule for CredentialsMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let Some((ctl, _, targets)) = client_and_targets(cx) else {
            return;
        };
        // With several servers on one port (different hosts) the target is
        // ambiguous; compare only when the URL names exactly one server.
        let [server] = targets[..] else {
            return;
        };
        let (Some(user), Some(pass)) = (&server.username, &server.password) else {
            return; // the server checks nothing: any credentials pass
        };
        let sec = server.section.as_str();
        let ctl_sec = "supervisorctl";
        if ["username", "password"]
            .iter()
            .any(|k| env_dependent(cx, sec, k) || env_dependent(cx, ctl_sec, k))
        {
            return;
        }
        let Some(header) = cx.header(ctl_sec) else {
            return;
        };
        let server_user = value_span(cx, sec, "username", server.span);
        // Passwords are pointed at by their key, not their (secret) value.
        let key_span = |section: &str, or| {
            cx.ini()
                .get(section, "password")
                .map_or(or, |f| f.entry.def.key_span)
        };
        let server_pass = key_span(sec, server.span);
        let (message, span, label, related) = if ctl.username.is_none() {
            (
                format!("[{sec}] requires a username and password, but [supervisorctl] sends none"),
                header,
                "no `username`/`password` here",
                Label::new(server_user, "the server requires this user"),
            )
        } else if ctl.username.as_ref() != Some(user) {
            (
                format!("[supervisorctl] logs in with another username than [{sec}] accepts"),
                value_span(cx, ctl_sec, "username", header),
                "not the server's username",
                Label::new(server_user, "the server's username"),
            )
        } else if pass.starts_with("{SHA}") {
            return; // a hash: cannot compare with a plaintext password
        } else if ctl.password.as_ref() != Some(pass) {
            (
                format!("[supervisorctl] sends another password than [{sec}] accepts"),
                key_span(ctl_sec, header),
                if ctl.password.is_some() {
                    "not the server's password"
                } else {
                    "no `password` in [supervisorctl]"
                },
                Label::new(server_pass, "the server's password"),
            )
        } else {
            return;
        };
        let d = out.report(message, span, label);
        d.related.push(related);
        d.help = Some(format!(
            "use the same username and password in [supervisorctl] as in [{sec}]; supervisorctl gets `Server requires authentication` otherwise"
        ));
    }
}
