//! HTTP servers (`inet_http_server*` then `unix_http_server*`) and
//! supervisorctl's own reading of the main file.

use super::Resolver;
use super::convert::{inet_address, octal, user_group};
use super::plugins::plugin_sections;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::ini::Ini;
use crate::model::{HttpServer, Id, ServerFamily, Supervisorctl};
use crate::python::format::Mapping;
use crate::python::int::PyInt;
use crate::python::path::{abspath, dirname, expanduser};
use crate::python::unicode::strip;

impl Resolver<'_> {
    pub(super) fn servers(&mut self) -> Vec<HttpServer> {
        let ini = &self.loaded.ini;
        let inet = plugin_sections(ini, "inet_http_server");
        let unix = plugin_sections(ini, "unix_http_server");
        let mut out = Vec::new();
        for section in inet {
            if let Some(s) = self.inet_server(&section) {
                out.push(s);
            }
        }
        for section in unix {
            if let Some(s) = self.unix_server(&section) {
                out.push(s);
            }
        }
        out
    }

    fn credentials(&mut self, section: &str) -> Option<(Option<String>, Option<String>)> {
        let none = Mapping::new();
        let username = self.get(section, "username", None, Some(&none)).ok()?;
        let password = self.get(section, "password", None, Some(&none)).ok()?;
        if username.is_some() != password.is_some() {
            let span = username
                .as_ref()
                .or(password.as_ref())
                .and_then(|g| g.key_span)
                .or_else(|| self.section_span(section));
            self.error(Diagnostic::error(
                Code::IncompleteAuth,
                format!("Section [{section}] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified"),
            ).at_opt(span, "set both username and password, or neither"));
            return None;
        }
        Some((username.map(|g| g.text), password.map(|g| g.text)))
    }

    fn inet_server(&mut self, section: &str) -> Option<HttpServer> {
        let (username, password) = self.credentials(section)?;
        let none = Mapping::new();
        let span = self.section_span(section)?;
        let Some(port) = self.get(section, "port", None, Some(&none)).ok()? else {
            self.error(
                Diagnostic::error(
                    Code::ServerWithoutAddress,
                    format!("section [{section}] has no port value"),
                )
                .at(span, "no `port =` here"),
            );
            return None;
        };
        let (host, port_num) = match inet_address(&port.text) {
            Ok(v) => v,
            Err(m) => {
                self.value_error(m, Some(&port), section);
                return None;
            }
        };
        Some(HttpServer {
            section: section.to_string(),
            name: section.split_once(':').map(|(_, n)| n.to_string()),
            family: ServerFamily::Inet {
                host,
                port: port_num,
            },
            username,
            password,
            span,
        })
    }

    fn unix_server(&mut self, section: &str) -> Option<HttpServer> {
        let mut here = Mapping::new();
        here.set_str("here", self.loaded.here.clone());
        let span = self.section_span(section)?;
        let Some(file) = self.get(section, "file", None, Some(&here)).ok()? else {
            self.error(
                Diagnostic::error(
                    Code::ServerWithoutAddress,
                    format!("section [{section}] has no file value"),
                )
                .at(span, "no `file =` here"),
            );
            return None;
        };
        let file_path = abspath(&expanduser(strip(&file.text), self.host), &self.host.cwd);
        let (username, password) = self.credentials(section)?;
        let none = Mapping::new();
        let chown = match self.get(section, "chown", None, Some(&none)).ok()? {
            None => (Id::Unchanged, Id::Unchanged),
            Some(g) => match user_group(&g.text, self.host) {
                Ok(ids) => ids,
                Err(()) => {
                    self.value_error(
                        format!("Invalid sockchown value {}", g.text),
                        Some(&g),
                        section,
                    );
                    return None;
                }
            },
        };
        let chmod = match self.get(section, "chmod", None, Some(&none)).ok()? {
            None => PyInt::from(0o700),
            Some(g) => match octal(&g.text) {
                Ok(v) => v,
                Err(_) => {
                    self.value_error(format!("Invalid chmod value {}", g.text), Some(&g), section);
                    return None;
                }
            },
        };
        Some(HttpServer {
            section: section.to_string(),
            name: section.split_once(':').map(|(_, n)| n.to_string()),
            family: ServerFamily::Unix {
                file: file_path,
                chmod,
                chown,
            },
            username,
            password,
            span,
        })
    }

    /// What `supervisorctl -c FILE` reads: the main file alone (no
    /// includes), with `ENV_*` of the environment and `here` of the file.
    pub(super) fn supervisorctl(&mut self) -> Option<Result<Supervisorctl, String>> {
        let main = self.loaded.main?;
        let text = &self.loaded.sources.get(main).text;
        // Cheap pre-check before lexing the main file a second time.
        if !text.contains("supervisorctl") {
            return None;
        }
        let ini = if crate::yaml::is_yaml_path(&self.loaded.config_path) {
            // A supc.yaml spec renders to one INI file: supervisorctl would
            // read its [supervisorctl] from that file.
            self.loaded.ini.clone()
        } else {
            // Only [supervisorctl], [ctlplugin:x] and [DEFAULT] are read
            // below: the other sections of a large config would be a second
            // copy of the parser state while the model is alive.
            let mut ini = Ini::default();
            ini.apply_sections(crate::syntax::parse_file(main, text).events, |name| {
                name == "supervisorctl" || name.starts_with("ctlplugin:")
            });
            ini
        };
        ini.section("supervisorctl")?;
        let mut sub = SubResolver::new(self, ini, main);
        Some(sub.read())
    }
}

/// A second resolver over the main file only, as supervisorctl reads it;
/// its errors become the `supervisorctl.error` text, not diagnostics of the
/// supervisord config.
struct SubResolver<'r, 'a> {
    outer: &'r Resolver<'a>,
    ini: Ini,
    main: crate::source::FileId,
}

impl<'r, 'a> SubResolver<'r, 'a> {
    fn new(outer: &'r Resolver<'a>, ini: Ini, main: crate::source::FileId) -> Self {
        SubResolver { outer, ini, main }
    }

    fn read(&mut self) -> Result<Supervisorctl, String> {
        let host = self.outer.host;
        let loaded = self.outer.loaded;
        let here = dirname(&abspath(&expanduser(&loaded.config_path, host), &host.cwd)).to_string();
        let loaded_view = crate::load::Loaded::single(
            crate::source::SourceMap::new(),
            std::mem::take(&mut self.ini),
            &loaded.config_path,
            &here,
            self.main,
        );
        let mut r = Resolver::new(&loaded_view, host);
        let section = "supervisorctl";
        let mut h = Mapping::new();
        h.set_str("here", here);
        let none = Mapping::new();
        let first_error = |r: &Resolver<'_>| {
            r.diags
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default()
        };
        let mut serverurl = r
            .get(
                section,
                "serverurl",
                Some("http://localhost:9001"),
                Some(&h),
            )
            .map_err(|_| first_error(&r))?
            .map(|g| g.text)
            .unwrap_or_default();
        if let Some(path) = serverurl.strip_prefix("unix://") {
            serverurl = format!("unix://{}", abspath(&expanduser(path, host), &host.cwd));
        }
        let prompt = r
            .get(section, "prompt", Some("supervisor"), Some(&none))
            .map_err(|_| first_error(&r))?
            .map(|g| g.text)
            .unwrap_or_default();
        let username = r
            .get(section, "username", None, Some(&none))
            .map_err(|_| first_error(&r))?
            .map(|g| g.text);
        let password = r
            .get(section, "password", None, Some(&none))
            .map_err(|_| first_error(&r))?
            .map(|g| g.text);
        let history_file = r
            .get(section, "history_file", None, Some(&h))
            .map_err(|_| first_error(&r))?
            .map(|g| g.text)
            .filter(|t| !t.is_empty())
            .map(|t| abspath(&expanduser(&t, host), &host.cwd));
        let mut plugins = Vec::new();
        for s in plugin_sections(&loaded_view.ini, "ctlplugin:") {
            match r.plugin(&s, "supervisor.ctl_factory", &none) {
                Some(p) => plugins.push(p),
                None => return Err(first_error(&r)),
            }
        }
        if !r.diags.is_empty() {
            return Err(first_error(&r));
        }
        Ok(Supervisorctl {
            serverurl,
            prompt,
            username,
            password,
            history_file,
            plugins,
        })
    }
}
