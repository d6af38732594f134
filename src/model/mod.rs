//! The resolved config: what supervisord understood.
//!
//! Produced by [`crate::resolve`] from a [`Loaded`](crate::load::Loaded)
//! config; consumed by the JSON output, lint, emitters and the runner.
//! Field names follow supervisord's (and the oracle's JSON contract).

mod setting;
mod signal;

pub use setting::{Address, Dict, Setting, octal, opt_text};
pub use signal::{Signal, signame};

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
    /// Shared with its processes' [`ProcessCommon::group`].
    pub name: Arc<str>,
    pub priority: PyInt,
    pub kind: GroupKind,
    pub processes: Vec<Process>,
    /// The section that defines the group.
    pub section: Arc<str>,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFile<'a> {
    Auto,
    None,
    Path(&'a str),
}

/// An immutable slice of a text shared with others (an [`Environment`]'s
/// pairs are a slice of their section's instance text). Reads as a `&str`.
#[derive(Clone)]
struct Text {
    all: Arc<str>,
    start: u32,
    end: u32,
}

impl Text {
    /// `all[range]`; `range` must lie on character boundaries of `all`.
    pub fn slice(all: &Arc<str>, range: std::ops::Range<usize>) -> Text {
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
            all: Arc::from(s),
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

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

/// One process instance.
///
/// What all instances of a section share ([`ProcessCommon`]) is stored
/// once behind an `Arc` and reached through `Deref` (`p.priority`), so a
/// section with `numprocs=1000` keeps one copy of it, not a thousand. So
/// are the instances' strings: one text per section, of which an instance
/// keeps only offsets (88 bytes an instance; 50,000 instances would
/// otherwise be hundreds of thousands of small strings and pointers).
#[derive(Clone)]
pub struct Process {
    pub common: Arc<ProcessCommon>,
    /// Which instance of its section this is (0 for the first): its
    /// `process_num` is the section's `numprocs_start` plus this.
    index: u32,
    name: At,
    command: At,
    /// [`At::NONE`] when there is no `directory`.
    directory: At,
    /// Per stream: the file ([`At::AUTO`], [`At::NONE`] or a path).
    logs: [At; 2],
    /// Per stream: the index of its limits in the section's list.
    limits: [u32; 2],
    /// Where the environment's text starts (its offsets, relative to this,
    /// say where it ends; see [`push_pairs`]) and its offsets.
    env_start: u32,
    env_ends: At,
}

/// Where a string of an instance is in its section's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct At {
    start: u32,
    end: u32,
}

impl At {
    /// No value (`directory` unset, a `NONE` log file).
    const NONE: At = At {
        start: u32::MAX,
        end: 0,
    };
    /// An `AUTO` log file.
    const AUTO: At = At {
        start: u32::MAX,
        end: 1,
    };

    /// `range`, which [`Instances::new`] has checked fits in `u32`.
    fn of(range: &std::ops::Range<usize>) -> At {
        At {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The strings and log limits of a section's instances, shared by all of
/// them through their [`ProcessCommon`].
#[derive(Clone)]
pub struct Instances {
    text: Arc<str>,
    ends: Arc<[u32]>,
    /// The distinct log limits of the instances (most sections have one).
    limits: Box<[Arc<LogLimits>]>,
}

impl std::fmt::Debug for Instances {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instances({} bytes)", self.text.len())
    }
}

/// A log file while an instance is made: where its path is in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogSlot {
    Auto,
    None,
    Path(std::ops::Range<usize>),
}

/// An instance's strings as ranges of the text given to [`Instances::new`],
/// and its log limits (each one of the `limits` given there).
#[derive(Clone, Debug)]
pub struct InstanceParts {
    /// Which instance of the section it is (see [`Process::process_num`]).
    pub index: u32,
    pub name: std::ops::Range<usize>,
    pub command: std::ops::Range<usize>,
    pub directory: Option<std::ops::Range<usize>>,
    pub logs: [(LogSlot, usize); 2],
    /// The environment's text and its offsets in `ends` (see [`push_pairs`]).
    pub environment: (std::ops::Range<usize>, std::ops::Range<usize>),
}

impl Instances {
    /// The shared strings of a section's instances; `None` when a text or
    /// offset list reaches 4 GiB (supc's limits stop expansion far below).
    pub fn new(text: String, ends: Vec<u32>, limits: Vec<Arc<LogLimits>>) -> Option<Instances> {
        u32::try_from(text.len()).ok()?;
        u32::try_from(ends.len()).ok()?;
        Some(Instances {
            text: Arc::from(text),
            ends: Arc::from(ends),
            limits: limits.into_boxed_slice(),
        })
    }
}

impl Process {
    /// An instance of the section `common` describes; `parts` are ranges of
    /// `common.instances` (checked: a range that is not there, or not on
    /// character boundaries, makes `None`).
    pub fn new(common: &Arc<ProcessCommon>, parts: InstanceParts) -> Option<Process> {
        let ins = &common.instances;
        let text = |r: &std::ops::Range<usize>| ins.text.get(r.clone()).map(|_| At::of(r));
        let log = |(slot, limits): &(LogSlot, usize)| -> Option<(At, u32)> {
            ins.limits.get(*limits)?;
            let at = match slot {
                LogSlot::Auto => At::AUTO,
                LogSlot::None => At::NONE,
                LogSlot::Path(r) => text(r)?,
            };
            Some((at, *limits as u32))
        };
        let (out, err) = (log(&parts.logs[0])?, log(&parts.logs[1])?);
        let (env_text, env_ends) = &parts.environment;
        // The offsets must end where the text does: the text's end is not
        // kept apart from them.
        let env_len = ins
            .ends
            .get(env_ends.clone())?
            .last()
            .map_or(0, |&e| e as usize);
        if env_text.len() != env_len {
            return None;
        }
        Some(Process {
            common: common.clone(),
            index: parts.index,
            name: text(&parts.name)?,
            command: text(&parts.command)?,
            directory: match &parts.directory {
                Some(r) => text(r)?,
                None => At::NONE,
            },
            logs: [out.0, err.0],
            limits: [out.1, err.1],
            env_start: text(env_text)?.start,
            env_ends: At::of(env_ends),
        })
    }

    /// Which instance of its section this is, 0 for the first (the order
    /// supervisor made them in, before they are sorted by name).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// supervisor's `process_num`: `numprocs_start` counted up for each
    /// instance before this one.
    pub fn process_num(&self) -> PyInt {
        self.common.numprocs_start.add_u32(self.index)
    }

    /// Where the environment's text is.
    fn env_text(&self) -> At {
        let len = self.common.instances.ends[self.env_ends.range()]
            .last()
            .map_or(0, |&e| e);
        At {
            start: self.env_start,
            end: self.env_start + len,
        }
    }

    fn text(&self, at: At) -> &str {
        &self.common.instances.text[at.range()]
    }

    pub fn name(&self) -> &str {
        self.text(self.name)
    }

    pub fn command(&self) -> &str {
        self.text(self.command)
    }

    pub fn directory(&self) -> Option<&str> {
        (self.directory != At::NONE).then(|| self.text(self.directory))
    }

    /// The settings of stream 0 (stdout) or 1 (stderr).
    pub fn log(&self, stream: usize) -> LogSettings<'_> {
        let at = self.logs[stream];
        LogSettings {
            logfile: match at {
                At::AUTO => LogFile::Auto,
                At::NONE => LogFile::None,
                _ => LogFile::Path(self.text(at)),
            },
            limits: &self.common.instances.limits[self.limits[stream] as usize],
        }
    }

    pub fn stdout(&self) -> LogSettings<'_> {
        self.log(0)
    }

    pub fn stderr(&self) -> LogSettings<'_> {
        self.log(1)
    }

    /// `[supervisord] environment` overlaid with the section's own.
    pub fn environment(&self) -> Environment {
        let ins = &self.common.instances;
        Environment::slice(
            &ins.text,
            self.env_text().range(),
            &ins.ends,
            self.env_ends.range(),
        )
    }

    /// [`Self::environment`]'s pairs, without making an [`Environment`].
    pub fn env_pairs(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let ins = &self.common.instances;
        pairs(self.text(self.env_text()), &ins.ends[self.env_ends.range()])
    }
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("name", &self.name())
            .field("process_num", &self.process_num())
            .field("command", &self.command())
            .field("directory", &self.directory())
            .field("stdout", &self.stdout())
            .field("stderr", &self.stderr())
            .field("environment", &self.environment())
            .field("common", &self.common)
            .finish()
    }
}

/// The settings every instance of one program-like section shares.
#[derive(Clone, Debug)]
pub struct ProcessCommon {
    pub group: Arc<str>,
    /// The first instance's `process_num`.
    pub numprocs_start: PyInt,
    pub section: Arc<str>,
    pub user: Option<String>,
    pub uid: Option<Id>,
    pub umask: Option<PyInt>,
    pub priority: PyInt,
    pub autostart: bool,
    pub autorestart: AutoRestart,
    pub startsecs: PyInt,
    pub startretries: PyInt,
    pub stopsignal: Signal,
    pub stopwaitsecs: PyInt,
    pub stopasgroup: bool,
    pub killasgroup: bool,
    pub exitcodes: Vec<PyInt>,
    pub redirect_stderr: bool,
    pub serverurl: Option<String>,
    /// Where the section that made this process first appeared.
    pub span: Span,
    /// The instances' strings and log limits.
    pub instances: Instances,
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
    all: Arc<[u32]>,
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
        let all: Arc<str> = Arc::from(text);
        let ends_all: Arc<[u32]> = Arc::from(ends);
        let n = ends_all.len();
        Environment::slice(&all, 0..all.len(), &ends_all, 0..n)
    }

    /// The environment [`push_pairs`] wrote at `text[text_range]` and
    /// `ends[ends_range]` of shared buffers.
    pub fn slice(
        text: &Arc<str>,
        text_range: std::ops::Range<usize>,
        ends: &Arc<[u32]>,
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
                let own: Arc<[u32]> = ends[ends_range].into();
                let end = u32::try_from(own.len()).unwrap_or(u32::MAX);
                Ends {
                    all: own,
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
}

/// One stream's log settings: the instance's file and the limits shared
/// by the instances that have the same (reached through `Deref`).
#[derive(Clone, Copy, Debug)]
pub struct LogSettings<'a> {
    pub logfile: LogFile<'a>,
    pub limits: &'a Arc<LogLimits>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogLimits {
    pub maxbytes: PyInt,
    pub backups: PyInt,
    pub capture_maxbytes: PyInt,
    pub events_enabled: bool,
    pub syslog: bool,
}

impl std::ops::Deref for LogSettings<'_> {
    type Target = LogLimits;

    fn deref(&self) -> &LogLimits {
        self.limits
    }
}

impl Process {
    /// supervisor's `make_namespec`: `group:name`, or `name` when equal.
    pub fn full_name(&self) -> String {
        let name = self.name();
        if *self.group == *name {
            name.to_string()
        } else {
            format!("{}:{}", self.group, name)
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
        let empty = Environment::default();
        assert!(empty.is_empty() && empty.iter().next().is_none());
    }

    fn common(instances: Instances) -> Arc<ProcessCommon> {
        Arc::new(ProcessCommon {
            group: "g".into(),
            numprocs_start: PyInt::from(5),
            section: "program:g".into(),
            user: None,
            uid: None,
            umask: None,
            priority: PyInt::from(999),
            autostart: true,
            autorestart: AutoRestart::Unexpected,
            startsecs: PyInt::from(1),
            startretries: PyInt::from(3),
            stopsignal: Signal::TERM,
            stopwaitsecs: PyInt::from(10),
            stopasgroup: false,
            killasgroup: false,
            exitcodes: vec![PyInt::from(0)],
            redirect_stderr: false,
            serverurl: None,
            span: Span::new(crate::source::FileId(0), 0, 0),
            instances,
        })
    }

    fn limits(maxbytes: i64) -> Arc<LogLimits> {
        Arc::new(LogLimits {
            maxbytes: PyInt::from(maxbytes),
            backups: PyInt::from(10),
            capture_maxbytes: PyInt::from(0),
            events_enabled: false,
            syslog: false,
        })
    }

    #[test]
    fn instances_read_their_strings_from_the_section_text() {
        // Two instances: names, one shared command, a directory for the
        // first only, their own log files and environments.
        let (mut text, mut ends) = (String::from("w_0w_1/bin/w/srv/a.log"), Vec::new());
        push_pairs(&mut text, &mut ends, [("N", "0")]);
        push_pairs(&mut text, &mut ends, [("N", "1"), ("\u{e9}", "x")]);
        let ins = Instances::new(text, ends, vec![limits(1), limits(2)]).unwrap();
        let common = common(ins);
        let part = |index, name, directory, logs, env| InstanceParts {
            index,
            name,
            command: 6..12,
            directory,
            logs,
            environment: env,
        };
        let p0 = Process::new(
            &common,
            part(
                0,
                0..3,
                Some(12..16),
                [(LogSlot::Path(16..22), 0), (LogSlot::Auto, 1)],
                (22..24, 0..2),
            ),
        )
        .unwrap();
        let p1 = Process::new(
            &common,
            part(
                1,
                3..6,
                None,
                [(LogSlot::None, 1), (LogSlot::Path(16..22), 1)],
                (24..29, 2..6),
            ),
        )
        .unwrap();
        assert_eq!(
            (p0.name(), p0.command(), p0.directory()),
            ("w_0", "/bin/w", Some("/srv"))
        );
        assert_eq!(
            (p1.name(), p1.command(), p1.directory()),
            ("w_1", "/bin/w", None)
        );
        assert_eq!(p0.full_name(), "g:w_0");
        // numprocs_start=5.
        assert_eq!((p0.process_num(), p1.process_num()), (5.into(), 6.into()));
        assert_eq!(p0.stdout().logfile, LogFile::Path("/a.log"));
        assert_eq!(p0.stderr().logfile, LogFile::Auto);
        assert_eq!(p1.stdout().logfile, LogFile::None);
        assert_eq!(p1.stderr().logfile, LogFile::Path("/a.log"));
        assert_eq!(p0.stdout().maxbytes, PyInt::from(1));
        assert_eq!(p0.stderr().maxbytes, PyInt::from(2));
        assert_eq!(p0.env_pairs().collect::<Vec<_>>(), [("N", "0")]);
        assert_eq!(
            p1.environment(),
            Environment::from_pairs([("N", "1"), ("\u{e9}", "x")])
        );
        assert!(format!("{p1:?}").contains("\"w_1\""));
        // Ranges outside the text, off character boundaries or naming a
        // missing limit make no process.
        let bad = |name, logs| Process::new(&common, part(0, name, None, logs, (0..0, 0..0)));
        let ok_logs = || [(LogSlot::Auto, 0), (LogSlot::Auto, 0)];
        assert!(bad(0..3, ok_logs()).is_some());
        assert!(bad(0..99, ok_logs()).is_none());
        assert!(bad(0..3, [(LogSlot::Auto, 2), (LogSlot::Auto, 0)]).is_none());
        assert!(bad(0..3, [(LogSlot::Path(27..28), 0), (LogSlot::Auto, 0)]).is_none());
        // An environment's offsets must end where its text does.
        let env = |environment| Process::new(&common, part(0, 0..3, None, ok_logs(), environment));
        assert!(env((22..24, 0..2)).is_some());
        assert!(env((22..25, 0..2)).is_none());
        assert!(env((22..22, 0..0)).is_some());
    }

    #[test]
    fn process_num_past_i64_is_a_big_int() {
        let ins = Instances::new("w".into(), Vec::new(), vec![limits(1)]).unwrap();
        let mut c = (*common(ins)).clone();
        c.numprocs_start = PyInt::from(i64::MAX);
        let c = Arc::new(c);
        let part = InstanceParts {
            index: 2,
            name: 0..1,
            command: 0..1,
            directory: None,
            logs: [(LogSlot::Auto, 0), (LogSlot::Auto, 0)],
            environment: (0..0, 0..0),
        };
        let p = Process::new(&c, part).unwrap();
        assert_eq!(p.process_num().to_string(), "9223372036854775809");
    }

    #[test]
    fn environments_are_views_of_a_shared_buffer() {
        let (mut text, mut ends) = (String::from("p_00/bin/x "), Vec::new());
        let env_start = (text.len(), ends.len());
        push_pairs(&mut text, &mut ends, [("A", "1"), ("B", "\u{e9}")]);
        let env_end = (text.len(), ends.len());
        let all: Arc<str> = Arc::from(text);
        let ends: Arc<[u32]> = Arc::from(ends);
        let env = Environment::slice(&all, env_start.0..env_end.0, &ends, env_start.1..env_end.1);
        assert_eq!(env, Environment::from_pairs([("A", "1"), ("B", "\u{e9}")]));
        assert_eq!(env.get("B"), Some("\u{e9}"));
        assert_eq!(env.len(), 2);
        let empty = Environment::slice(&all, 4..4, &ends, 0..0);
        assert!(empty.is_empty() && empty == Environment::default());
    }
}
