use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::source::Span;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub struct WorldReadableCredentials;

static META: RuleMeta = RuleMeta {
    code: Code::WorldReadableCredentials,
    doc: r#"## What it does
Finds config files (the main file or an included one) that contain a
`password=` in `[unix_http_server]`, `[inet_http_server]`,
`[supervisorctl]` or `[DEFAULT]`, and whose file mode lets every user read
them (`mode & 0o004`, as in the usual `0644`). Passwords taken from the
environment (`%(ENV_X)s`) are not reported. The mode checked is the one of
the file supc reads, so check the deployed file.

## Why is this bad?
Any local user can read the password and use it to control every process
through supervisorctl or the web UI. Even a `{SHA}` password is an unsalted
SHA-1, which is quick to crack for ordinary passwords.

## Example
```ini
; -rw-r--r-- /etc/supervisor/supervisord.conf
[supervisorctl]
username=admin
password=s3cret
```

## Use instead
```ini
; chmod 600 /etc/supervisor/supervisord.conf
[supervisorctl]
username=admin
password=s3cret
```
"#,
};

/// The file's permission bits when every user may read it.
fn world_readable(path: &Path) -> Option<u32> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o004 != 0).then_some(mode)
}

impl Rule for WorldReadableCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let ini = cx.ini();
        let sections = cx.sections().map(|(_, k, s)| (k, s));
        let defaults = ini.defaults.iter().map(|s| (SectionKind::Default, s));
        // The first password written in each file (a file that includes
        // itself is read twice, under two ids: compare paths).
        let mut first: Vec<(&Path, Span)> = Vec::new();
        for (kind, section) in sections.chain(defaults) {
            use SectionKind::*;
            if !matches!(
                kind,
                UnixHttpServer | InetHttpServer | Supervisorctl | Default
            ) {
                continue;
            }
            let Some(e) = section.entries.get("password") else {
                continue;
            };
            // Every definition is in some file, also those later ones override.
            let written = e.overridden().iter().chain([&e.def]).filter(|d| {
                !d.from_default && !d.written().is_empty() && !d.written().contains("%(ENV_")
            });
            for d in written {
                let path = cx.sources().get(d.key_span.file).path.as_path();
                if !first.iter().any(|(p, _)| *p == path) {
                    first.push((path, d.key_span));
                }
            }
        }
        for (path, span) in first {
            // The mode is not shown: it depends on the umask of a checkout.
            if world_readable(path).is_none() {
                continue;
            }
            let d = out.report(
                "this file holds a password and every user may read it",
                span,
                "readable by every user",
            );
            d.help = Some(
                "make it readable by its owner only (`chmod 600`), or 640 with a group for the users who run supervisorctl"
                    .into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::world_readable;
    use std::fs::{Permissions, set_permissions};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn mode_bits() {
        let f = tempfile::NamedTempFile::new().unwrap();
        for (mode, readable) in [(0o644, true), (0o604, true), (0o640, false), (0o600, false)] {
            set_permissions(f.path(), Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                world_readable(f.path()),
                readable.then_some(mode),
                "{mode:o}"
            );
        }
        assert_eq!(world_readable(std::path::Path::new("/nonexistent/x")), None);
    }
}
