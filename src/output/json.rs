//! `supc expand --format json`: the oracle's JSON contract.
//!
//! Same keys, types and order rules as the supervisor-based oracle (see
//! `tests/oracle/`): integers may exceed 64 bits, octal modes are strings of
//! at least three digits, signals are names without `SIG`. The document is
//! serialized straight from borrowed views of the model (no intermediate
//! `Value` tree), because it can hold hundreds of thousands of processes.

use crate::model::{
    AutoRestart, Config, FcgiSocket, Group, HttpServer, Id, LogFile, LogLimits, Plugin, Process,
    ProcessCommon, ServerFamily, Supervisorctl, Supervisord,
};
use crate::python::format::{Mapping, PyValue, format};
use crate::python::int::PyInt;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

/// `'%03o' % value`, through the same formatter supervisord's Python uses.
fn octal(i: &PyInt) -> String {
    let mut m = Mapping::new();
    m.set("v", PyValue::Int(i.clone()));
    format("%(v)03o", &m).unwrap_or_default()
}

struct IdJson(Id);

impl Serialize for IdJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Id::Unchanged => s.serialize_i64(-1),
            Id::Known(v) => s.serialize_u32(v),
            Id::Unknown => s.serialize_none(),
        }
    }
}

struct Env<'a>(&'a [(String, String)]);

impl Serialize for Env<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `{"ok": false, "error": ...}` (plus `exception` for a crash).
pub fn rejection(message: &str) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("ok".into(), json!(false));
    obj.insert("error".into(), json!(message));
    if message.starts_with("TypeError: ") {
        obj.insert("exception".into(), json!("TypeError"));
    }
    Value::Object(obj)
}

/// One JSON value borrowed from the model. The field tables below map keys
/// to values; both writers (serde for the indented form, [`Compact`] for the
/// compact one) walk the same tables, so each key list exists once.
enum Val<'a> {
    Null,
    Bool(bool),
    Str(&'a str),
    String(String),
    Int(&'a PyInt),
    Id(Option<Id>),
    Ints(&'a [PyInt]),
    Strs(&'a [String]),
    /// A process's environment.
    ProcEnv(&'a Process),
    /// `Process::full_name` without allocating.
    FullName(&'a Process),
    Supervisord(&'a Supervisord),
    Server(Option<&'a HttpServer>),
    Servers(&'a [HttpServer]),
    Plugins(&'a [Plugin]),
    Ctl(Option<&'a Result<Supervisorctl, String>>),
    Socket(&'a FcgiSocket),
    Groups(&'a [Group]),
    Processes(&'a [Process]),
}

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Null => s.serialize_none(),
            Val::Bool(b) => s.serialize_bool(*b),
            Val::Str(v) => s.serialize_str(v),
            Val::String(v) => s.serialize_str(v),
            Val::Int(i) => i.serialize(s),
            Val::Id(id) => id.map(IdJson).serialize(s),
            Val::Ints(v) => s.collect_seq(v.iter()),
            Val::Strs(v) => s.collect_seq(v.iter()),
            Val::ProcEnv(p) => s.collect_map(p.env_pairs()),
            Val::FullName(p) => s.serialize_str(&p.full_name()),
            Val::Supervisord(v) => SupervisordJson(v).serialize(s),
            Val::Server(v) => v.map(ServerJson).serialize(s),
            Val::Servers(v) => s.collect_seq(v.iter().map(ServerJson)),
            Val::Plugins(v) => s.collect_seq(v.iter().map(PluginJson)),
            Val::Ctl(v) => v.map(CtlJson).serialize(s),
            Val::Socket(v) => SocketJson(v).serialize(s),
            Val::Groups(v) => s.collect_seq(v.iter().map(|g| Obj(GROUP_FIELDS, g))),
            Val::Processes(v) => s.collect_seq(v.iter().map(ProcessJson)),
        }
    }
}

fn opt_str(v: &Option<String>) -> Val<'_> {
    v.as_deref().map_or(Val::Null, Val::Str)
}

/// A key and how to read its value; `None` leaves the key out.
type Field<T> = (&'static str, for<'a> fn(&'a T) -> Option<Val<'a>>);

/// An object written from a field table.
struct Obj<'a, T: 'static>(&'static [Field<T>], &'a T);

impl<T> Serialize for Obj<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (key, get) in self.0 {
            if let Some(v) = get(self.1) {
                m.serialize_entry(key, &v)?;
            }
        }
        m.end()
    }
}

fn http_server<'a>(c: &'a Config, section: &str) -> Option<Val<'a>> {
    Some(Val::Server(
        c.http_servers.iter().find(|s| s.section == section),
    ))
}

static DOCUMENT_FIELDS: &[Field<Config>] = &[
    ("ok", |_| Some(Val::Bool(true))),
    ("supervisord", |c| Some(Val::Supervisord(&c.supervisord))),
    ("unix_http_server", |c| http_server(c, "unix_http_server")),
    ("inet_http_server", |c| http_server(c, "inet_http_server")),
    ("http_servers", |c| Some(Val::Servers(&c.http_servers))),
    ("rpcinterfaces", |c| Some(Val::Plugins(&c.rpcinterfaces))),
    ("groups", |c| Some(Val::Groups(&c.groups))),
    ("supervisorctl", |c| {
        Some(Val::Ctl(c.supervisorctl.as_ref()))
    }),
    ("parse_warnings", |c| Some(Val::Strs(&c.parse_warnings))),
    ("parse_infos", |c| Some(Val::Strs(&c.parse_infos))),
];

static GROUP_FIELDS: &[Field<Group>] = &[
    ("name", |g| Some(Val::Str(&g.name))),
    ("priority", |g| Some(Val::Int(&g.priority))),
    ("kind", |g| Some(Val::Str(g.kind.as_str()))),
    ("processes", |g| Some(Val::Processes(&g.processes))),
    ("buffer_size", |g| {
        g.listener.as_ref().map(|l| Val::Int(&l.buffer_size))
    }),
    ("events", |g| {
        g.listener.as_ref().map(|l| Val::Strs(&l.events))
    }),
    ("result_handler", |g| {
        g.listener.as_ref().map(|l| Val::Str(&l.result_handler))
    }),
    ("socket", |g| g.socket.as_deref().map(Val::Socket)),
];

/// Writes the accepted config as JSON (indented when `pretty`). Compact
/// output of a config with many processes is serialized on several threads.
pub fn write_config(c: &Config, out: impl std::io::Write, pretty: bool) -> serde_json::Result<()> {
    let processes: usize = c.groups.iter().map(|g| g.processes.len()).sum();
    let threads = if processes > PARALLEL_ABOVE {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        1
    };
    write_config_with_threads(c, out, pretty, threads)
}

/// [`write_config`] with an explicit number of serializing threads for the
/// compact form (1 = on the calling thread); the bytes do not depend on it.
pub fn write_config_with_threads(
    c: &Config,
    mut out: impl std::io::Write,
    pretty: bool,
    threads: usize,
) -> serde_json::Result<()> {
    let doc = Obj(DOCUMENT_FIELDS, c);
    if pretty {
        let mut ser =
            serde_json::Serializer::with_formatter(out, serde_json::ser::PrettyFormatter::new());
        doc.serialize(&mut ser)
    } else {
        compact_document(c, &mut out, threads).map_err(serde_json::Error::io)
    }
}

/// The accepted config as a `Value` (for callers that post-process it).
pub fn config(c: &Config) -> Value {
    let mut buf = Vec::new();
    let _ = write_config(c, &mut buf, false);
    serde_json::from_slice(&buf).unwrap_or(Value::Null)
}

struct SupervisordJson<'a>(&'a Supervisord);

impl Serialize for SupervisordJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("logfile", &v.logfile)?;
        m.serialize_entry("logfile_maxbytes", &v.logfile_maxbytes)?;
        m.serialize_entry("logfile_backups", &v.logfile_backups)?;
        m.serialize_entry("loglevel", &v.loglevel)?;
        m.serialize_entry("pidfile", &v.pidfile)?;
        m.serialize_entry("umask", &octal(&v.umask))?;
        m.serialize_entry("nodaemon", &v.nodaemon)?;
        m.serialize_entry("silent", &v.silent)?;
        m.serialize_entry("minfds", &v.minfds)?;
        m.serialize_entry("minprocs", &v.minprocs)?;
        m.serialize_entry("nocleanup", &v.nocleanup)?;
        m.serialize_entry("strip_ansi", &v.strip_ansi)?;
        m.serialize_entry("user", &v.user)?;
        m.serialize_entry("uid", &v.uid.map(IdJson))?;
        m.serialize_entry("gid", &v.gid.map(IdJson))?;
        m.serialize_entry("directory", &v.directory)?;
        m.serialize_entry("childlogdir", &v.childlogdir)?;
        m.serialize_entry("identifier", &v.identifier)?;
        m.serialize_entry("environment", &Env(&v.environment))?;
        m.serialize_entry("serverurl", &v.serverurl)?;
        m.end()
    }
}

#[derive(Clone, Copy)]
struct ServerJson<'a>(&'a HttpServer);

impl Serialize for ServerJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("section", &v.section)?;
        m.serialize_entry("name", &v.name)?;
        m.serialize_entry("username", &v.username)?;
        m.serialize_entry("password", &v.password)?;
        match &v.family {
            ServerFamily::Inet { host, port } => {
                m.serialize_entry("family", "inet")?;
                m.serialize_entry("host", host)?;
                m.serialize_entry("port", port)?;
            }
            ServerFamily::Unix { file, chmod, chown } => {
                m.serialize_entry("family", "unix")?;
                m.serialize_entry("file", file)?;
                m.serialize_entry("chmod", &octal(chmod))?;
                m.serialize_entry("chown", &[IdJson(chown.0), IdJson(chown.1)])?;
            }
        }
        m.end()
    }
}

struct PluginJson<'a>(&'a Plugin);

impl Serialize for PluginJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("name", &self.0.name)?;
        m.serialize_entry("factory", &self.0.factory)?;
        m.serialize_entry("extras", &Env(&self.0.extras))?;
        m.end()
    }
}

struct CtlJson<'a>(&'a Result<Supervisorctl, String>);

impl Serialize for CtlJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            Err(e) => m.serialize_entry("error", e)?,
            Ok(c) => {
                m.serialize_entry("serverurl", &c.serverurl)?;
                m.serialize_entry("prompt", &c.prompt)?;
                m.serialize_entry("username", &c.username)?;
                m.serialize_entry("password", &c.password)?;
                m.serialize_entry("history_file", &c.history_file)?;
                let plugins: Vec<PluginJson<'_>> = c.plugins.iter().map(PluginJson).collect();
                m.serialize_entry("plugins", &plugins)?;
            }
        }
        m.end()
    }
}

struct SocketJson<'a>(&'a FcgiSocket);

impl Serialize for SocketJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            FcgiSocket::Unix {
                url,
                path,
                mode,
                owner,
                backlog,
            } => {
                m.serialize_entry("family", "unix")?;
                m.serialize_entry("url", url)?;
                m.serialize_entry("path", path)?;
                m.serialize_entry("mode", &octal(mode))?;
                m.serialize_entry("owner", &owner.map(|(u, g)| [IdJson(u), IdJson(g)]))?;
                m.serialize_entry("backlog", backlog)?;
            }
            FcgiSocket::Inet {
                url,
                host,
                port,
                backlog,
            } => {
                m.serialize_entry("family", "inet")?;
                m.serialize_entry("url", url)?;
                m.serialize_entry("host", host)?;
                m.serialize_entry("port", port)?;
                m.serialize_entry("backlog", backlog)?;
            }
        }
        m.end()
    }
}

fn logfile(l: LogFile<'_>) -> Val<'_> {
    match l {
        LogFile::Auto => Val::Str("AUTO"),
        LogFile::None => Val::Null,
        LogFile::Path(p) => Val::Str(p),
    }
}

/// How a process key reads its value: from the settings every instance of
/// the section shares (so the compact writer can reuse their bytes), or from
/// the instance.
#[derive(Clone, Copy)]
enum ProcessGet {
    Shared(for<'a> fn(&'a ProcessCommon) -> Val<'a>),
    /// From the log limits of stream 0 (stdout) or 1 (stderr), which
    /// instances (and sections) share while they are the same.
    Limits(usize, for<'a> fn(&'a LogLimits) -> Val<'a>),
    Instance(for<'a> fn(&'a Process) -> Val<'a>),
}

impl ProcessGet {
    fn get(self, p: &Process) -> Val<'_> {
        match self {
            ProcessGet::Shared(f) => f(&p.common),
            ProcessGet::Limits(stream, f) => f(stream_limits(p, stream)),
            ProcessGet::Instance(f) => f(p),
        }
    }
}

fn stream_limits(p: &Process, stream: usize) -> &std::sync::Arc<LogLimits> {
    p.log(stream).limits
}

use ProcessGet::{Instance, Limits, Shared};

/// The keys of a process, in the oracle's order.
static PROCESS_FIELDS: &[(&str, ProcessGet)] = &[
    ("name", Instance(|p| Val::Str(p.name()))),
    ("group", Shared(|c| Val::Str(&c.group))),
    ("full_name", Instance(|p| Val::FullName(p))),
    ("section", Shared(|c| Val::Str(&c.section))),
    ("user", Shared(|c| opt_str(&c.user))),
    ("uid", Shared(|c| Val::Id(c.uid))),
    ("command", Instance(|p| Val::Str(p.command()))),
    (
        "directory",
        Instance(|p| p.directory().map_or(Val::Null, Val::Str)),
    ),
    (
        "umask",
        Shared(|c| {
            c.umask
                .as_ref()
                .map_or(Val::Null, |u| Val::String(octal(u)))
        }),
    ),
    ("priority", Shared(|c| Val::Int(&c.priority))),
    ("autostart", Shared(|c| Val::Bool(c.autostart))),
    (
        "autorestart",
        Shared(|c| {
            Val::Str(match c.autorestart {
                AutoRestart::Unexpected => "unexpected",
                AutoRestart::Always => "true",
                AutoRestart::Never => "false",
            })
        }),
    ),
    ("startsecs", Shared(|c| Val::Int(&c.startsecs))),
    ("startretries", Shared(|c| Val::Int(&c.startretries))),
    ("stopsignal", Shared(|c| Val::Str(&c.stopsignal))),
    ("stopwaitsecs", Shared(|c| Val::Int(&c.stopwaitsecs))),
    ("stopasgroup", Shared(|c| Val::Bool(c.stopasgroup))),
    ("killasgroup", Shared(|c| Val::Bool(c.killasgroup))),
    ("exitcodes", Shared(|c| Val::Ints(&c.exitcodes))),
    ("redirect_stderr", Shared(|c| Val::Bool(c.redirect_stderr))),
    ("stdout_logfile", Instance(|p| logfile(p.stdout().logfile))),
    (
        "stdout_logfile_maxbytes",
        Limits(0, |l| Val::Int(&l.maxbytes)),
    ),
    (
        "stdout_logfile_backups",
        Limits(0, |l| Val::Int(&l.backups)),
    ),
    (
        "stdout_capture_maxbytes",
        Limits(0, |l| Val::Int(&l.capture_maxbytes)),
    ),
    (
        "stdout_events_enabled",
        Limits(0, |l| Val::Bool(l.events_enabled)),
    ),
    ("stdout_syslog", Limits(0, |l| Val::Bool(l.syslog))),
    ("stderr_logfile", Instance(|p| logfile(p.stderr().logfile))),
    (
        "stderr_logfile_maxbytes",
        Limits(1, |l| Val::Int(&l.maxbytes)),
    ),
    (
        "stderr_logfile_backups",
        Limits(1, |l| Val::Int(&l.backups)),
    ),
    (
        "stderr_capture_maxbytes",
        Limits(1, |l| Val::Int(&l.capture_maxbytes)),
    ),
    (
        "stderr_events_enabled",
        Limits(1, |l| Val::Bool(l.events_enabled)),
    ),
    ("stderr_syslog", Limits(1, |l| Val::Bool(l.syslog))),
    ("environment", Instance(|p| Val::ProcEnv(p))),
    ("serverurl", Shared(|c| opt_str(&c.serverurl))),
];

struct ProcessJson<'a>(&'a Process);

impl Serialize for ProcessJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (key, get) in PROCESS_FIELDS {
            m.serialize_entry(key, &get.get(self.0))?;
        }
        m.end()
    }
}

// ---- The compact writer -------------------------------------------------
//
// Byte-for-byte what `serde_json::to_writer` makes of the tables above, but
// with strings, small integers and keys written straight into a `Vec<u8>`,
// the shared part of a process reused from the previous instance of the same
// section, and the groups cut into chunks of about `CHUNK` processes that
// worker threads serialize while the calling thread writes them out in
// order. Only a few chunks per thread are in flight, so memory stays bounded
// whatever the size of the document.

/// Compact output of more processes than this is serialized in parallel.
const PARALLEL_ABOVE: usize = 5_000;
/// Processes per chunk (a chunk is about 100 KB).
const CHUNK: usize = 128;

fn compact_document(
    c: &Config,
    out: &mut impl std::io::Write,
    threads: usize,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    buf.push(b'{');
    let mut first = true;
    for (key, get) in DOCUMENT_FIELDS {
        let Some(v) = get(c) else { continue };
        key_prefix(&mut buf, &mut first, key);
        if let Val::Groups(groups) = v {
            out.write_all(&buf)?;
            buf.clear();
            compact_groups(groups, out, threads)?;
        } else {
            compact_val(&mut buf, &v);
        }
    }
    buf.push(b'}');
    out.write_all(&buf)
}

/// `,"key":` for a table key (no comma before the first key).
fn key_prefix(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !std::mem::take(first) {
        out.push(b',');
    }
    write_key(out, key);
}

fn compact_val(out: &mut Vec<u8>, v: &Val<'_>) {
    match v {
        Val::Null => out.extend_from_slice(b"null"),
        Val::Bool(true) => out.extend_from_slice(b"true"),
        Val::Bool(false) => out.extend_from_slice(b"false"),
        Val::Str(s) => write_str(out, s),
        Val::String(s) => write_str(out, s),
        Val::Int(i) => match i.to_i64() {
            Some(n) => write_i64(out, n),
            None => serde_fallback(out, i),
        },
        Val::Id(None | Some(Id::Unknown)) => out.extend_from_slice(b"null"),
        Val::Id(Some(Id::Unchanged)) => out.extend_from_slice(b"-1"),
        Val::Id(Some(Id::Known(n))) => write_i64(out, i64::from(*n)),
        Val::Ints(v) => {
            out.push(b'[');
            for (n, i) in v.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                compact_val(out, &Val::Int(i));
            }
            out.push(b']');
        }
        Val::Strs(v) => {
            out.push(b'[');
            for (n, s) in v.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_str(out, s);
            }
            out.push(b']');
        }
        Val::ProcEnv(p) => write_map(out, p.env_pairs()),
        Val::FullName(p) => {
            // Escaping works per character and `:` is not escaped, so this
            // equals escaping the joined name.
            if *p.group == *p.name() {
                write_str(out, p.name());
            } else {
                write_str(out, &p.group);
                out.pop();
                out.push(b':');
                let at = out.len();
                write_str(out, p.name());
                out.remove(at);
            }
        }
        Val::Processes(ps) => {
            out.push(b'[');
            let mut w = ProcessWriter::default();
            for (n, p) in ps.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                w.write(out, p);
            }
            out.push(b']');
        }
        Val::Groups(groups) => {
            // Only reached for a nested groups value; the document streams
            // its groups through `compact_groups`.
            out.push(b'[');
            let mut w = ProcessWriter::default();
            let segments: Vec<Segment> = (0..groups.len())
                .map(|g| Segment {
                    group: g,
                    processes: 0..groups[g].processes.len(),
                })
                .collect();
            write_chunk(out, groups, &segments, &mut w);
            out.push(b']');
        }
        Val::Supervisord(_)
        | Val::Server(_)
        | Val::Servers(_)
        | Val::Plugins(_)
        | Val::Ctl(_)
        | Val::Socket(_) => serde_fallback(out, v),
    }
}

/// The few values with no fast path above go through serde_json itself.
fn serde_fallback(out: &mut Vec<u8>, v: &impl Serialize) {
    // Writing into a Vec cannot fail, and our Serialize impls do not either.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// serde_json's escape table: 0 = as is, `u` = `\u00XX`, else `\` + byte.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// A JSON object of string pairs.
fn write_map<'a>(out: &mut Vec<u8>, pairs: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push(b'{');
    for (n, (k, v)) in pairs.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_str(out, k);
        out.push(b':');
        write_str(out, v);
    }
    out.push(b'}');
}

/// A JSON string, escaped exactly as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let clean = clean_prefix(bytes);
    out.extend_from_slice(&bytes[..clean]);
    escape_from(out, &bytes[clean..]);
    out.push(b'"');
}

/// How many bytes at the start of `bytes` need no escape (all of them, for
/// most strings), found 8 bytes at a time: up to the first word of 8 that
/// may hold a byte below 0x20, `"` or `\\`.
fn clean_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let dirty = |word: &[u8]| {
        let x = u64::from_ne_bytes(word.try_into().unwrap_or([0; 8]));
        x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0
            || zero_byte(x ^ (ONES * u64::from(b'"')))
            || zero_byte(x ^ (ONES * u64::from(b'\\')))
    };
    let mut clean = 0;
    for word in bytes.chunks_exact(8) {
        if dirty(word) {
            return clean;
        }
        clean += 8;
    }
    // The last bytes, as the word that ends the string (it overlaps words
    // already found clean).
    match bytes.len().checked_sub(8) {
        Some(last) if clean < bytes.len() && !dirty(&bytes[last..]) => bytes.len(),
        _ => clean,
    }
}

/// The escaped text of `bytes`, byte by byte.
fn escape_from(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPE[b as usize];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if e == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b'\\');
            out.push(e);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// `"key":` for a key of the tables above, which never need escaping.
fn write_key(out: &mut Vec<u8>, key: &str) {
    debug_assert!(key.bytes().all(|b| ESCAPE[b as usize] == 0));
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(crate::python::int::decimal(v.unsigned_abs(), &mut [0; 20]).as_bytes());
}

/// Writes processes, reusing the bytes of each run of shared keys while
/// consecutive processes come from the same section.
#[derive(Default)]
struct ProcessWriter {
    /// `Arc::as_ptr` of the `ProcessCommon` the plan was made from.
    common: usize,
    /// The bytes that are the same for every process of the section: the
    /// shared keys with their values, and the keys of the others.
    bytes: Vec<u8>,
    /// What a process of the section writes, in order.
    ops: Vec<Op>,
    /// Per stream: `Arc::as_ptr` of the log limits last written and the
    /// bytes of their run of keys.
    limits: [(usize, Vec<u8>); 2],
}

/// One step of [`ProcessWriter::ops`].
enum Op {
    /// These bytes of `ProcessWriter::bytes`.
    Bytes(std::ops::Range<usize>),
    /// The value of the process key at this index of `PROCESS_FIELDS`.
    Value(usize),
    /// The run of log limit keys of a stream at these indexes.
    Limits(usize, std::ops::Range<usize>),
}

impl ProcessWriter {
    fn write(&mut self, out: &mut Vec<u8>, p: &Process) {
        let common = std::sync::Arc::as_ptr(&p.common) as usize;
        if common != self.common || self.ops.is_empty() {
            self.plan(p);
            self.common = common;
        }
        for op in &self.ops {
            match op {
                Op::Bytes(range) => out.extend_from_slice(&self.bytes[range.clone()]),
                Op::Value(i) => compact_val(out, &PROCESS_FIELDS[*i].1.get(p)),
                Op::Limits(stream, fields) => {
                    let limits = std::sync::Arc::as_ptr(stream_limits(p, *stream)) as usize;
                    let (last, bytes) = &mut self.limits[*stream];
                    if *last != limits || bytes.is_empty() {
                        bytes.clear();
                        for (key, get) in &PROCESS_FIELDS[fields.clone()] {
                            bytes.push(b',');
                            write_key(bytes, key);
                            compact_val(bytes, &get.get(p));
                        }
                        *last = limits;
                    }
                    out.extend_from_slice(bytes);
                }
            }
        }
    }

    /// The ops for the processes of `p`'s section.
    fn plan(&mut self, p: &Process) {
        self.bytes.clear();
        self.ops.clear();
        self.bytes.push(b'{');
        let mut run = 0;
        let mut i = 0;
        while i < PROCESS_FIELDS.len() {
            let (key, get) = PROCESS_FIELDS[i];
            if let ProcessGet::Limits(stream, _) = get {
                let end = i + PROCESS_FIELDS[i..]
                    .iter()
                    .take_while(|(_, g)| matches!(g, ProcessGet::Limits(s, _) if *s == stream))
                    .count();
                self.ops.push(Op::Bytes(run..self.bytes.len()));
                self.ops.push(Op::Limits(stream, i..end));
                run = self.bytes.len();
                i = end;
                continue;
            }
            if i > 0 {
                self.bytes.push(b',');
            }
            write_key(&mut self.bytes, key);
            if let ProcessGet::Shared(_) = get {
                compact_val(&mut self.bytes, &get.get(p));
            } else {
                self.ops.push(Op::Bytes(run..self.bytes.len()));
                self.ops.push(Op::Value(i));
                run = self.bytes.len();
            }
            i += 1;
        }
        self.bytes.push(b'}');
        self.ops.push(Op::Bytes(run..self.bytes.len()));
        self.ops
            .retain(|op| !matches!(op, Op::Bytes(r) if r.is_empty()));
    }
}

/// Part of one group's output: its head when `processes` starts at 0, those
/// processes, its tail when `processes` reaches the end.
struct Segment {
    group: usize,
    processes: std::ops::Range<usize>,
}

/// Cuts the groups into chunks of about `size` processes (an empty group
/// counts as one).
fn plan(groups: &[Group], size: usize) -> Vec<Vec<Segment>> {
    let mut chunks = Vec::new();
    let mut chunk = Vec::new();
    let mut count = 0;
    for (g, group) in groups.iter().enumerate() {
        let n = group.processes.len();
        let mut start = 0;
        loop {
            let end = n.min(start + (size - count));
            chunk.push(Segment {
                group: g,
                processes: start..end,
            });
            count += (end - start).max(1);
            start = end;
            if count >= size {
                chunks.push(std::mem::take(&mut chunk));
                count = 0;
            }
            if start >= n {
                break;
            }
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks
}

fn write_chunk(out: &mut Vec<u8>, groups: &[Group], chunk: &[Segment], w: &mut ProcessWriter) {
    for seg in chunk {
        let g = &groups[seg.group];
        if seg.processes.start == 0 {
            if seg.group > 0 {
                out.push(b',');
            }
            group_part(out, g, true);
        }
        for i in seg.processes.clone() {
            if i > 0 {
                out.push(b',');
            }
            w.write(out, &g.processes[i]);
        }
        if seg.processes.end == g.processes.len() {
            group_part(out, g, false);
        }
    }
}

/// A group's keys before its processes (`{...,"processes":[`) when `head`,
/// else those after them (`],...}`).
fn group_part(out: &mut Vec<u8>, g: &Group, head: bool) {
    let mut before = true;
    let mut first = head;
    if !head {
        out.push(b']');
    }
    if head {
        out.push(b'{');
    }
    for (key, get) in GROUP_FIELDS {
        let Some(v) = get(g) else { continue };
        if let Val::Processes(_) = v {
            if head {
                key_prefix(out, &mut first, key);
                out.push(b'[');
                return;
            }
            before = false;
        } else if head == before {
            key_prefix(out, &mut first, key);
            compact_val(out, &v);
        }
    }
    out.push(b'}');
}

/// `[group,...]`, chunk by chunk, on `threads` threads when there is more
/// than one chunk.
fn compact_groups(
    groups: &[Group],
    out: &mut impl std::io::Write,
    threads: usize,
) -> std::io::Result<()> {
    let chunks = plan(groups, CHUNK);
    out.write_all(b"[")?;
    let threads = threads.min(chunks.len());
    if threads <= 1 {
        let mut buf = Vec::new();
        let mut w = ProcessWriter::default();
        for chunk in &chunks {
            buf.clear();
            write_chunk(&mut buf, groups, chunk, &mut w);
            out.write_all(&buf)?;
        }
    } else {
        use std::sync::mpsc::sync_channel;
        std::thread::scope(|scope| -> std::io::Result<()> {
            // Chunk i is made by worker i % threads, worker 0 being this
            // thread, which also writes every chunk out in order; the others
            // hand theirs over through a short channel and get written
            // buffers back for reuse.
            let mut workers = Vec::with_capacity(threads - 1);
            for id in 1..threads {
                let (done_tx, done_rx) = sync_channel::<Vec<u8>>(1);
                let (free_tx, free_rx) = sync_channel::<Vec<u8>>(1);
                let chunks = &chunks;
                scope.spawn(move || {
                    let mut w = ProcessWriter::default();
                    for chunk in chunks.iter().skip(id).step_by(threads) {
                        let mut buf = free_rx.try_recv().unwrap_or_default();
                        buf.clear();
                        write_chunk(&mut buf, groups, chunk, &mut w);
                        if done_tx.send(buf).is_err() {
                            // The writer stopped (e.g. a closed pipe).
                            return;
                        }
                    }
                });
                workers.push((done_rx, free_tx));
            }
            let (mut own, mut w) = (Vec::new(), ProcessWriter::default());
            for (i, chunk) in chunks.iter().enumerate() {
                if i % threads == 0 {
                    own.clear();
                    write_chunk(&mut own, groups, chunk, &mut w);
                    out.write_all(&own)?;
                    continue;
                }
                let (done, free) = &workers[i % threads - 1];
                let Ok(buf) = done.recv() else {
                    // The worker panicked; the scope re-raises it.
                    return Err(std::io::Error::other("JSON worker failed"));
                };
                out.write_all(&buf)?;
                let _ = free.try_send(buf);
            }
            Ok(())
        })?;
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(dir: &std::path::Path) -> crate::host::Host {
        crate::host::Host {
            env: vec![("HOME".into(), "/nonexistent".into())],
            node_name: "test".into(),
            cwd: dir.to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        }
    }

    fn serde_compact(c: &Config) -> Vec<u8> {
        serde_json::to_vec(&Obj(DOCUMENT_FIELDS, c)).unwrap()
    }

    fn with_threads(c: &Config, pretty: bool, threads: usize) -> Vec<u8> {
        let mut out = Vec::new();
        write_config_with_threads(c, &mut out, pretty, threads).unwrap();
        out
    }

    #[test]
    fn table_keys_need_no_escaping() {
        let keys = DOCUMENT_FIELDS.iter().map(|f| f.0);
        let keys = keys.chain(GROUP_FIELDS.iter().map(|f| f.0));
        for key in keys.chain(PROCESS_FIELDS.iter().map(|f| f.0)) {
            let mut ours = Vec::new();
            write_key(&mut ours, key);
            let mut theirs = serde_json::to_vec(key).unwrap();
            theirs.push(b':');
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn strings_escape_like_serde_json() {
        let mut all: String = (0u32..0x80).filter_map(char::from_u32).collect();
        all.push_str("é\u{2028}\u{7f}😀\"\\");
        let mut cases = vec![all.clone(), String::new(), "plain".into(), "\n".into()];
        // A special byte at every position of a few 8-byte words and of
        // the bytes after the last whole word.
        for special in [
            "\"", "\\", "\u{0}", "\u{1f}", "\n", "é", "\u{7f}", " ", "!", "#",
        ] {
            for len in [1, 7, 8, 9, 15, 16, 21] {
                for at in 0..len {
                    cases.push(format!(
                        "{}{special}{}",
                        "a".repeat(at),
                        "b".repeat(len - 1 - at)
                    ));
                }
            }
        }
        for s in &cases {
            let mut ours = Vec::new();
            write_str(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        for v in [0, 7, -1, 10, -10, 999, i64::MAX, i64::MIN] {
            let mut ours = Vec::new();
            write_i64(&mut ours, v);
            assert_eq!(ours, serde_json::to_vec(&v).unwrap());
        }
    }

    /// A config big enough for the parallel path, with several programs per
    /// group, lone programs, empty-ish groups, listeners, FastCGI sockets,
    /// strings that need escaping and big integers.
    fn big_config() -> String {
        let mut s = String::from(
            "[supervisord]\nlogfile=/tmp/s.log\numask=027\nenvironment=TOP=\"a\\\"b\"\n\
             [unix_http_server]\nfile=/tmp/s.sock\nchmod=0770\n\
             [inet_http_server]\nport=127.0.0.1:9001\n\
             [rpcinterface:supervisor]\n\
             supervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface\n\
             [supervisorctl]\nserverurl=unix:///tmp/s.sock\n\
             [eventlistener:ev]\ncommand=/bin/listen\nevents=PROCESS_STATE,TICK_60\nnumprocs=3\n\
             process_name=%(program_name)s_%(process_num)d\n\
             [fcgi-program:fc]\ncommand=/bin/fc\nsocket=unix:///tmp/fc.sock\nnumprocs=2\n\
             process_name=%(program_name)s_%(process_num)d\n",
        );
        for i in 0..700 {
            let n = [1, 3, 10, 17][i % 4];
            let extra = match i % 5 {
                0 => "umask=002\nuser=nobody\nautorestart=true\nexitcodes=0,2,255\n",
                1 => "stdout_logfile=NONE\nstderr_logfile=/tmp/e_%(process_num)d.log\n",
                2 => "priority=123456789012345678901234567890\nredirect_stderr=true\n",
                3 => "directory=/tmp/d%(process_num)d\nserverurl=AUTO\n",
                _ => "",
            };
            // Log limits that change from instance to instance, and from
            // section to section.
            let limits = match i % 7 {
                0 => "stdout_logfile_maxbytes=%(process_num)dKB\nstderr_logfile_backups=3\n",
                1 => "stderr_syslog=true\nstdout_capture_maxbytes=1MB\n",
                _ => "",
            };
            s.push_str(&format!(
                "[program:p{i}]\ncommand=/bin/w --tab \"\t\" --id {i} --n %(process_num)02d \\ é\n\
                 process_name=%(program_name)s_%(process_num)02d\nnumprocs={n}\n\
                 environment=A=\"1\",B=\"%(process_num)s\",Q=\"x\\\"y\"\n{extra}{limits}"
            ));
        }
        s.push_str("[group:g1]\nprograms=p1,p2,p5\npriority=5\n");
        s.push_str("[group:g2]\nprograms=p7\n");
        s
    }

    #[test]
    fn parallel_output_equals_sequential_and_serde() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supervisord.conf"), big_config()).unwrap();
        let (_loaded, res) = crate::analyze("supervisord.conf", &host(dir.path()), false);
        let c = res.config.as_ref().expect("the config is accepted");
        let processes: usize = c.groups.iter().map(|g| g.processes.len()).sum();
        assert!(processes > PARALLEL_ABOVE, "{processes} processes");
        assert!(plan(&c.groups, CHUNK).len() > 3);
        let serde = serde_compact(c);
        let one = with_threads(c, false, 1);
        assert!(one == serde, "the compact writer differs from serde_json");
        for threads in [2, 3, 8] {
            assert!(with_threads(c, false, threads) == one, "{threads} threads");
        }
        let mut default = Vec::new();
        write_config(c, &mut default, false).unwrap();
        assert!(default == one);
        // The indented form is the same document.
        let pretty: Value = serde_json::from_slice(&with_threads(c, true, 4)).unwrap();
        assert_eq!(pretty, serde_json::from_slice::<Value>(&one).unwrap());
        let text = String::from_utf8(one).unwrap();
        for needle in [
            "\"priority\":123456789012345678901234567890",
            "\"umask\":\"002\"",
            "\"events\":[\"PROCESS_STATE\",\"TICK_60\"]",
            "\"socket\":{\"family\":\"unix\"",
            "\"full_name\":\"g1:p1_00\"",
            "\\t",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
    }

    #[test]
    fn chunks_cover_every_process_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supervisord.conf"), big_config()).unwrap();
        let (_loaded, res) = crate::analyze("supervisord.conf", &host(dir.path()), false);
        let c = res.config.as_ref().unwrap();
        for size in [1, 2, 7, 256, 100_000] {
            let mut seen: Vec<Vec<usize>> = c.groups.iter().map(|_| Vec::new()).collect();
            let mut heads = 0;
            for seg in plan(&c.groups, size).iter().flatten() {
                heads += usize::from(seg.processes.start == 0);
                seen[seg.group].extend(seg.processes.clone());
            }
            assert_eq!(heads, c.groups.len());
            for (g, s) in c.groups.iter().zip(seen) {
                assert_eq!(s, (0..g.processes.len()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn compact_equals_serde_on_conformance_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conformance");
        let mut checked = 0;
        for entry in std::fs::read_dir(root).unwrap() {
            let dir = entry.unwrap().path();
            if !dir.join("supervisord.conf").exists() {
                continue;
            }
            let (_loaded, res) = crate::analyze("supervisord.conf", &host(&dir), false);
            let Some(c) = res.config.as_ref() else {
                continue;
            };
            let serde = serde_compact(c);
            for threads in [1, 2] {
                let ours = with_threads(c, false, threads);
                assert!(ours == serde, "{}", dir.display());
            }
            checked += 1;
        }
        assert!(checked > 50, "{checked} fixtures");
    }
}
