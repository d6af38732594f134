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
    pub listener: Option<Box<ListenerPool>>,
    pub socket: Option<Box<FcgiSocket>>,
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
    Path(Text),
}

/// An immutable string that is a slice of a text shared with others: the
/// instances of one section keep their names, commands, log paths and
/// environments in one allocation (50,000 instances would otherwise be
/// 300,000 small strings). Reads as a `&str`; 16 bytes.
#[derive(Clone)]
pub struct Text {
    all: Arc<Box<str>>,
    start: u32,
    end: u32,
}

impl Text {
    /// `all[range]`; `range` must lie on character boundaries of `all`.
    pub fn slice(all: &Arc<Box<str>>, range: std::ops::Range<usize>) -> Text {
        debug_assert!(all.get(range.clone()).is_some());
        // A section's text is bounded by `limits::MAX_EXPANDED_BYTES`; past
        // 4 GiB the slice gets a copy of its own.
        match (u32::try_from(range.start), u32::try_from(range.end)) {
            (Ok(start), Ok(end)) => Text {
                all: all.clone(),
                start,
                end,
            },
            _ => Text::from(all[range].to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.all[self.start as usize..self.end as usize]
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::from(s.to_string())
    }
}

impl From<String> for Text {
    fn from(mut s: String) -> Text {
        // Nothing supc makes is longer than 4 GiB (`limits`); a longer
        // text would keep its first 4 GiB.
        let mut end = s.len().min(u32::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        Text {
            all: Arc::new(s.into_boxed_str()),
            start: 0,
            end: end as u32,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

/// One process instance.
///
/// What all instances of a section share ([`ProcessCommon`]) is stored
/// once behind an `Arc` and reached through `Deref` (`p.priority`), so a
/// section with `numprocs=1000` keeps one copy of it, not a thousand.
#[derive(Clone, Debug)]
pub struct Process {
    pub name: Text,
    pub process_num: PyInt,
    pub command: Text,
    pub directory: Option<Text>,
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

/// A process environment: `(key, value)` pairs in order, kept in one
/// text (a big config has one per instance, so the pairs are not separate
/// strings; the instances of a section share one text and one list of
/// offsets for all of theirs).
#[derive(Clone, Debug)]
pub struct Environment {
    /// Every key and value, back to back.
    text: Text,
    /// Where each key and each value ends in `text`.
    ends: Ends,
}

/// A slice of a shared list of offsets.
#[derive(Clone, Debug)]
struct Ends {
    all: Arc<Box<[u32]>>,
    start: u32,
    end: u32,
}

impl Ends {
    fn as_slice(&self) -> &[u32] {
        &self.all[self.start as usize..self.end as usize]
    }
}

impl Default for Environment {
    fn default() -> Self {
        Environment::from_pairs(std::iter::empty::<(&str, &str)>())
    }
}

impl PartialEq for Environment {
    fn eq(&self, other: &Environment) -> bool {
        self.text == other.text && self.ends.as_slice() == other.ends.as_slice()
    }
}

impl Eq for Environment {}

/// Writes `pairs` after what `text` and `ends` hold (the layout of an
/// [`Environment`]: offsets relative to where its text starts).
pub fn push_pairs<K: AsRef<str>, V: AsRef<str>>(
    text: &mut String,
    ends: &mut Vec<u32>,
    pairs: impl IntoIterator<Item = (K, V)>,
) {
    let start = text.len();
    for (k, v) in pairs {
        for part in [k.as_ref(), v.as_ref()] {
            text.push_str(part);
            // An environment is one expanded value, at most
            // `limits::MAX_VALUE_BYTES` long.
            ends.push(u32::try_from(text.len() - start).unwrap_or(u32::MAX));
        }
    }
}

/// The pairs of an environment laid out by [`push_pairs`].
pub fn pairs<'t>(text: &'t str, ends: &'t [u32]) -> impl Iterator<Item = (&'t str, &'t str)> + 't {
    ends.chunks_exact(2).scan(0usize, move |start, e| {
        let (k_end, v_end) = (e[0] as usize, e[1] as usize);
        let pair = (&text[*start..k_end], &text[k_end..v_end]);
        *start = v_end;
        Some(pair)
    })
}

impl Environment {
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let (mut text, mut ends) = (String::new(), Vec::new());
        push_pairs(&mut text, &mut ends, pairs);
        let all = Arc::new(text.into_boxed_str());
        let ends_all = Arc::new(ends.into_boxed_slice());
        let n = ends_all.len();
        Environment::slice(&all, 0..all.len(), &ends_all, 0..n)
    }

    /// The environment [`push_pairs`] wrote at `text[text_range]` and
    /// `ends[ends_range]` of shared buffers.
    pub fn slice(
        text: &Arc<Box<str>>,
        text_range: std::ops::Range<usize>,
        ends: &Arc<Box<[u32]>>,
        ends_range: std::ops::Range<usize>,
    ) -> Self {
        let ends = match (
            u32::try_from(ends_range.start),
            u32::try_from(ends_range.end),
        ) {
            (Ok(start), Ok(end)) => Ends {
                all: ends.clone(),
                start,
                end,
            },
            _ => {
                let own: Box<[u32]> = ends[ends_range].into();
                let end = u32::try_from(own.len()).unwrap_or(u32::MAX);
                Ends {
                    all: Arc::new(own),
                    start: 0,
                    end,
                }
            }
        };
        Environment {
            text: Text::slice(text, text_range),
            ends,
        }
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        pairs(&self.text, self.ends.as_slice())
    }

    pub fn len(&self) -> usize {
        self.ends.as_slice().len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.as_slice().is_empty()
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether two environments are the same shared value (cheap).
    pub fn same(&self, other: &Environment) -> bool {
        Arc::ptr_eq(&self.text.all, &other.text.all)
            && (self.text.start, self.text.end) == (other.text.start, other.text.end)
            && Arc::ptr_eq(&self.ends.all, &other.ends.all)
            && (self.ends.start, self.ends.end) == (other.ends.start, other.ends.end)
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
            self.name.to_string()
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

    #[test]
    fn texts_and_environments_share_one_buffer() {
        let (mut text, mut ends) = (String::from("p_00/bin/x "), Vec::new());
        let env_start = (text.len(), ends.len());
        push_pairs(&mut text, &mut ends, [("A", "1"), ("B", "\u{e9}")]);
        let env_end = (text.len(), ends.len());
        let all = Arc::new(text.into_boxed_str());
        let ends = Arc::new(ends.into_boxed_slice());
        let name = Text::slice(&all, 0..4);
        let command = Text::slice(&all, 4..11);
        assert_eq!((name.as_str(), &*command), ("p_00", "/bin/x "));
        assert_eq!(name, Text::from("p_00"));
        let owned = String::from("p_00");
        assert!(command < name);
        assert_eq!(owned, name);
        assert_eq!(name, owned);
        assert_eq!(name, "p_00");
        assert_eq!(format!("{name:?} {command}"), "\"p_00\" /bin/x ");
        let env = Environment::slice(&all, env_start.0..env_end.0, &ends, env_start.1..env_end.1);
        assert_eq!(env, Environment::from_pairs([("A", "1"), ("B", "\u{e9}")]));
        assert_eq!(env.get("B"), Some("\u{e9}"));
        // Views of the same place are the same value; equal copies are not.
        let again = Environment::slice(&all, env_start.0..env_end.0, &ends, env_start.1..env_end.1);
        assert!(env.same(&again));
        assert!(!env.same(&Environment::from_pairs([("A", "1"), ("B", "\u{e9}")])));
        let empty = Environment::slice(&all, 4..4, &ends, 0..0);
        assert!(empty.is_empty() && empty == Environment::default());
    }
}
