//! `[supervisord]`: read in `ServerOptions.read_config` order with `here`
//! and `ENV_*` (no `host_node_name`), then `ServerOptions.realize`.

use super::Resolver;
use super::datatypes::{
    boolean, byte_size, existing_directory, existing_dirpath, gid_for_uid, integer, logging_level,
    name_to_uid, octal,
};
use crate::model::{HttpServer, ServerFamily, Supervisord};
use crate::python::format::Mapping;
use crate::python::int::PyInt;
use crate::python::path::{abspath, expanduser};
use crate::python::shlex::parse_kv_pairs;

const SECTION: &str = "supervisord";

impl Resolver<'_> {
    pub(super) fn supervisord_section(&mut self) -> Supervisord {
        let mut here = Mapping::new();
        here.set_str("here", self.loaded.here.clone());
        let h = Some(&here);
        let host = self.host;
        let minfds = self.read(SECTION, "minfds", Some("1024"), h, integer);
        let minprocs = self.read(SECTION, "minprocs", Some("200"), h, integer);
        let directory = match self.get(SECTION, "directory", None, h) {
            Ok(Some(got)) => match existing_directory(&got.text, host) {
                Ok(d) => Some(d),
                Err(m) => {
                    self.value_error(m, Some(&got), SECTION);
                    None
                }
            },
            _ => None,
        };
        let user = self
            .get(SECTION, "user", None, h)
            .ok()
            .flatten()
            .map(|g| g.text);
        let umask = self.read(SECTION, "umask", Some("022"), h, octal);
        let logfile = self.read(SECTION, "logfile", Some("supervisord.log"), h, |v| {
            existing_dirpath(v, host)
        });
        let logfile_maxbytes = self.read(SECTION, "logfile_maxbytes", Some("50MB"), h, byte_size);
        let logfile_backups = self.read(SECTION, "logfile_backups", Some("10"), h, integer);
        let loglevel = self.read(SECTION, "loglevel", Some("info"), h, logging_level);
        let pidfile = self.read(SECTION, "pidfile", Some("supervisord.pid"), h, |v| {
            existing_dirpath(v, host)
        });
        let identifier = self.read(SECTION, "identifier", Some("supervisor"), h, |v| {
            Ok::<_, String>(v.to_string())
        });
        let nodaemon = self.read(SECTION, "nodaemon", Some("false"), h, boolean);
        let silent = self.read(SECTION, "silent", Some("false"), h, boolean);
        let tempdir = host.tempdir();
        let childlogdir = self.read(SECTION, "childlogdir", Some(&tempdir), h, |v| {
            existing_directory(v, host)
        });
        let nocleanup = self.read(SECTION, "nocleanup", Some("false"), h, boolean);
        let strip_ansi = self.read(SECTION, "strip_ansi", Some("false"), h, boolean);
        let environment = self.supervisord_environment();
        for (k, v) in &environment {
            self.environ.set_str(format!("ENV_{k}"), v.clone());
        }
        Supervisord {
            logfile: logfile.unwrap_or_else(|| "supervisord.log".into()),
            logfile_maxbytes: logfile_maxbytes.unwrap_or_else(|| PyInt::from(50 << 20)),
            logfile_backups: logfile_backups.unwrap_or_else(|| PyInt::from(10)),
            loglevel: loglevel.unwrap_or_else(|| "info".into()),
            pidfile: pidfile.unwrap_or_else(|| "supervisord.pid".into()),
            umask: umask.unwrap_or_else(|| PyInt::from(0o22)),
            nodaemon: nodaemon.unwrap_or(false),
            silent: silent.unwrap_or(false),
            minfds: minfds.unwrap_or_else(|| PyInt::from(1024)),
            minprocs: minprocs.unwrap_or_else(|| PyInt::from(200)),
            nocleanup: nocleanup.unwrap_or(false),
            strip_ansi: strip_ansi.unwrap_or(false),
            user,
            uid: None,
            gid: None,
            directory,
            childlogdir: childlogdir.unwrap_or(tempdir),
            identifier: identifier.unwrap_or_else(|| "supervisor".into()),
            environment,
            serverurl: None,
        }
    }

    /// `environment`: expanded with `here` + `ENV_*`, then again with
    /// `here`, `host_node_name` + `ENV_*`, then tokenized.
    fn supervisord_environment(&mut self) -> Vec<(String, String)> {
        let mut here = Mapping::new();
        here.set_str("here", self.loaded.here.clone());
        let Ok(Some(first)) = self.get(SECTION, "environment", Some(""), Some(&here)) else {
            return Vec::new();
        };
        let mut second = Mapping::new();
        second.set_str("here", self.loaded.here.clone());
        second.set_str("host_node_name", self.host.node_name.clone());
        second.update(&self.environ);
        let raw = super::Raw {
            text: &first.text,
            span: first.span,
            key_span: first.key_span,
            template: None,
        };
        let Ok(Some(got)) = self.expand_got(
            raw,
            super::Label::Bare("environment"),
            &second,
            false,
            SECTION,
        ) else {
            return Vec::new();
        };
        match parse_kv_pairs(&got.text) {
            Ok(pairs) => pairs,
            Err(msg) => {
                self.value_error(msg, Some(&got), SECTION);
                Vec::new()
            }
        }
    }

    /// `ServerOptions.realize`: the user, absolute log/pid paths, the
    /// fallback server URL.
    pub(super) fn realize(&mut self, s: &mut Supervisord, servers: &[HttpServer]) {
        if let Some(user) = s.user.clone() {
            match name_to_uid(&user, self.host) {
                Ok(uid) => {
                    s.uid = Some(uid);
                    s.gid = Some(gid_for_uid(uid, self.host));
                }
                Err(msg) => {
                    let got = self.get(SECTION, "user", None, None).ok().flatten();
                    self.value_error(msg, got.as_ref(), SECTION);
                }
            }
        }
        let cwd = self.host.cwd.clone();
        if s.logfile != "syslog" {
            s.logfile = abspath(&expanduser(&s.logfile, self.host), &cwd);
        }
        s.pidfile = abspath(&expanduser(&s.pidfile, self.host), &cwd);
        s.serverurl = servers
            .iter()
            .find_map(|srv| match &srv.family {
                ServerFamily::Unix { file, .. } => Some(format!("unix://{file}")),
                ServerFamily::Inet { .. } => None,
            })
            .or_else(|| {
                servers.iter().rev().find_map(|srv| match &srv.family {
                    ServerFamily::Inet { host, port } => {
                        let h = if host.is_empty() { "localhost" } else { host };
                        Some(format!("http://{h}:{port}"))
                    }
                    ServerFamily::Unix { .. } => None,
                })
            });
    }
}
