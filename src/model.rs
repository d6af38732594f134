//! The resolved config: what supervisord understood.
//!
//! Produced by [`crate::resolve`] from a [`Loaded`](crate::load::Loaded)
//! config; consumed by the JSON output, lint, emitters and the runner.
//! Field names follow supervisord's (and the oracle's JSON contract).

use crate::python::int::PyInt;
use crate::source::Span;
use std::sync::Arc;

/// A resolved user or group id: `-1` ("unchanged"), a real id, or unknown
/// (portable mode never looks ids up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    Unchanged,
    Known(u32),
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub supervisord: Supervisord,
    pub http_servers: Vec<HttpServer>,
    pub rpcinterfaces: Vec<Plugin>,
    pub groups: Vec<Group>,
    /// `[supervisorctl]` as supervisorctl reads it: `None` without the
    /// section, `Err` when supervisorctl would refuse the file.
    pub supervisorctl: Option<Result<Supervisorctl, String>>,
    pub parse_warnings: Vec<String>,
    pub parse_infos: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Supervisord {
    pub logfile: String,
    pub logfile_maxbytes: PyInt,
    pub logfile_backups: PyInt,
    pub loglevel: String,
    pub pidfile: String,
    pub umask: PyInt,
    pub nodaemon: bool,
    pub silent: bool,
    pub minfds: PyInt,
    pub minprocs: PyInt,
    pub nocleanup: bool,
    pub strip_ansi: bool,
    pub user: Option<String>,
    pub uid: Option<Id>,
    pub gid: Option<Id>,
    pub directory: Option<String>,
    pub childlogdir: String,
    pub identifier: String,
    pub environment: Vec<(String, String)>,
    /// The URL children get as `SUPERVISOR_SERVER_URL`.
    pub serverurl: Option<String>,
}

#[derive(Clone, Debug)]
pub enum ServerFamily {
    Inet {
        host: String,
        port: PyInt,
    },
    Unix {
        file: String,
        chmod: PyInt,
        chown: (Id, Id),
    },
}

#[derive(Clone, Debug)]
pub struct HttpServer {
    pub section: String,
    pub name: Option<String>,
    pub family: ServerFamily,
    pub username: Option<String>,
    pub password: Option<String>,
    pub span: Span,
}

/// An `[rpcinterface:x]` or `[ctlplugin:x]`.
#[derive(Clone, Debug)]
pub struct Plugin {
    pub name: String,
    pub factory: String,
    pub extras: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Supervisorctl {
    pub serverurl: String,
    pub prompt: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub history_file: Option<String>,
    pub plugins: Vec<Plugin>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupKind {
    Program,
    Group,
    EventListener,
    FcgiProgram,
}

impl GroupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Program => "program",
            GroupKind::Group => "group",
            GroupKind::EventListener => "eventlistener",
            GroupKind::FcgiProgram => "fcgi-program",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub priority: PyInt,
    pub kind: GroupKind,
    pub processes: Vec<Process>,
    /// The section that defines the group.
    pub section: String,
    pub span: Span,
    pub listener: Option<ListenerPool>,
    pub socket: Option<FcgiSocket>,
}

#[derive(Clone, Debug)]
pub struct ListenerPool {
    pub buffer_size: PyInt,
    pub events: Vec<String>,
    pub result_handler: String,
}

#[derive(Clone, Debug)]
pub enum FcgiSocket {
    Unix {
        url: String,
        path: String,
        mode: PyInt,
        owner: Option<(Id, Id)>,
        backlog: Option<PyInt>,
    },
    Inet {
        url: String,
        host: String,
        port: PyInt,
        backlog: Option<PyInt>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoRestart {
    Unexpected,
    Always,
    Never,
}

/// `stdout_logfile` / `stderr_logfile` after conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogFile {
    Auto,
    None,
    Path(String),
}

/// One process instance.
///
/// What all instances of a section share ([`ProcessCommon`]) is stored
/// once behind an `Arc` and reached through `Deref` (`p.priority`), so a
/// section with `numprocs=1000` keeps one copy of it, not a thousand.
#[derive(Clone, Debug)]
pub struct Process {
    pub name: String,
    pub process_num: PyInt,
    pub command: String,
    pub directory: Option<Arc<str>>,
    pub stdout: LogSettings,
    pub stderr: LogSettings,
    /// `[supervisord] environment` overlaid with the section's own; shared
    /// between instances whose environment is the same.
    pub environment: Environment,
    pub common: Arc<ProcessCommon>,
}

/// The settings every instance of one program-like section shares.
#[derive(Clone, Debug)]
pub struct ProcessCommon {
    pub group: String,
    pub section: String,
    pub user: Option<String>,
    pub uid: Option<Id>,
    pub umask: Option<PyInt>,
    pub priority: PyInt,
    pub autostart: bool,
    pub autorestart: AutoRestart,
    pub startsecs: PyInt,
    pub startretries: PyInt,
    pub stopsignal: String,
    pub stopwaitsecs: PyInt,
    pub stopasgroup: bool,
    pub killasgroup: bool,
    pub exitcodes: Vec<PyInt>,
    pub redirect_stderr: bool,
    pub serverurl: Option<String>,
    /// Where the section that made this process first appeared.
    pub span: Span,
}

impl std::ops::Deref for Process {
    type Target = ProcessCommon;

    fn deref(&self) -> &ProcessCommon {
        &self.common
    }
}

/// A process environment: `(key, value)` pairs in order, kept in one shared
/// text (a big config has one per instance, so the pairs are not separate
/// strings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// Every key and value, back to back.
    text: Arc<str>,
    /// Where each key and each value ends in `text`.
    ends: Arc<[u32]>,
}

impl Environment {
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut text = String::new();
        let mut ends = Vec::new();
        for (k, v) in pairs {
            for part in [k.as_ref(), v.as_ref()] {
                text.push_str(part);
                // Values come from config files of at most 256 MiB.
                ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            }
        }
        Environment {
            text: text.into(),
            ends: ends.into(),
        }
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.ends.chunks_exact(2).scan(0usize, |start, e| {
            let (k_end, v_end) = (e[0] as usize, e[1] as usize);
            let pair = (&self.text[*start..k_end], &self.text[k_end..v_end]);
            *start = v_end;
            Some(pair)
        })
    }

    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether two environments are the same shared value (cheap).
    pub fn same(&self, other: &Environment) -> bool {
        Arc::ptr_eq(&self.text, &other.text) && Arc::ptr_eq(&self.ends, &other.ends)
    }
}

/// One stream's log settings: the file per instance, the limits shared
/// by the instances that have the same (reached through `Deref`).
#[derive(Clone, Debug)]
pub struct LogSettings {
    pub logfile: LogFile,
    pub limits: Arc<LogLimits>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogLimits {
    pub maxbytes: PyInt,
    pub backups: PyInt,
    pub capture_maxbytes: PyInt,
    pub events_enabled: bool,
    pub syslog: bool,
}

impl std::ops::Deref for LogSettings {
    type Target = LogLimits;

    fn deref(&self) -> &LogLimits {
        &self.limits
    }
}

impl Process {
    /// supervisor's `make_namespec`: `group:name`, or `name` when equal.
    pub fn full_name(&self) -> String {
        if self.group == self.name {
            self.name.clone()
        } else {
            format!("{}:{}", self.group, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_keeps_pairs_in_order() {
        let e = Environment::from_pairs([("A", "1"), ("\u{e9}t\u{e9}", ""), ("", "x=y")]);
        let pairs: Vec<(&str, &str)> = e.iter().collect();
        assert_eq!(pairs, [("A", "1"), ("\u{e9}t\u{e9}", ""), ("", "x=y")]);
        assert_eq!(e.len(), 3);
        assert_eq!(e.get("\u{e9}t\u{e9}"), Some(""));
        assert_eq!(e.get("B"), None);
        assert!(e.same(&e.clone()));
        assert!(!e.same(&Environment::from_pairs(pairs)));
        let empty = Environment::default();
        assert!(empty.is_empty() && empty.iter().next().is_none());
    }
}
