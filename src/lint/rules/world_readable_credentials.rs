use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::source::Span;
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

/// The file's permission bits when every user may read it (never under
/// `--portable`: the host answers, see [`crate::host::Host::file_mode`]).
fn world_readable(host: &crate::host::Host, path: &Path) -> Option<u32> {
    let mode = host.file_mode(path)?;
    (mode & 0o004 != 0).then_some(mode)
}

impl Rule for WorldReadableCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        // A file's mode on the machine that checks it (a CI checkout) says
        // nothing about its mode where supervisord reads it.
        if cx.portable() {
            return;
        }
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
            if world_readable(cx.host, path).is_none() {
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
        let mut host = crate::host::Host::from_process(false);
        let f = tempfile::NamedTempFile::new().unwrap();
        for (mode, readable) in [(0o644, true), (0o604, true), (0o640, false), (0o600, false)] {
            set_permissions(f.path(), Permissions::from_mode(mode)).unwrap();
            assert_eq!(
                world_readable(&host, f.path()),
                readable.then_some(mode),
                "{mode:o}"
            );
        }
        assert_eq!(
            world_readable(&host, std::path::Path::new("/nonexistent/x")),
            None
        );
        // A checkout's mode says nothing about the target host.
        host.portable = true;
        assert_eq!(world_readable(&host, f.path()), None);
    }
}

#[cfg(test)]
mod portable_tests {
    use crate::host::Host;
    use crate::lint::{LintContext, Settings, lint};
    use std::os::unix::fs::PermissionsExt;

    /// The same world-readable file: a finding on the host, none in
    /// portable mode (the mode of a CI checkout is not the deployed one).
    #[test]
    fn off_in_portable_mode() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("supervisord.conf");
        std::fs::write(
            &conf,
            "[supervisord]\n[unix_http_server]\nfile=/tmp/s.sock\nusername=u\npassword=p\n",
        )
        .unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o644)).unwrap();
        let count = |portable: bool| {
            let host = Host {
                env: vec![("HOME".into(), "/nonexistent".into())],
                node_name: "testhost".into(),
                cwd: dir.path().to_string_lossy().into_owned(),
                portable,
                overlay: Default::default(),
            };
            let (loaded, resolution) = crate::analyze("supervisord.conf", &host, false);
            let cx = LintContext::new(&loaded, &resolution, &host);
            lint(&cx, &Settings::default())
                .iter()
                .filter(|d| d.code == crate::codes::Code::WorldReadableCredentials)
                .count()
        };
        assert_eq!(count(false), 1);
        assert_eq!(count(true), 0);
    }
}
