//! `supc expand --format json`: the oracle's JSON contract.
//!
//! Same keys, types and order rules as the supervisor-based oracle (see
//! `tests/oracle/`): integers may exceed 64 bits, octal modes are strings of
//! at least three digits, signals are names without `SIG`. The document is
//! serialized straight from borrowed views of the model (no intermediate
//! `Value` tree), because it can hold hundreds of thousands of processes.

use crate::model::{
    AutoRestart, Config, FcgiSocket, Group, HttpServer, Id, LogFile, Plugin, Process, ServerFamily,
    Supervisorctl, Supervisord,
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

#[derive(Serialize)]
struct Document<'a> {
    ok: bool,
    supervisord: SupervisordJson<'a>,
    unix_http_server: Option<ServerJson<'a>>,
    inet_http_server: Option<ServerJson<'a>>,
    http_servers: Vec<ServerJson<'a>>,
    rpcinterfaces: Vec<PluginJson<'a>>,
    groups: Vec<GroupJson<'a>>,
    supervisorctl: Option<CtlJson<'a>>,
    parse_warnings: &'a [String],
    parse_infos: &'a [String],
}

/// Writes the accepted config as JSON (indented when `pretty`).
pub fn write_config(c: &Config, out: impl std::io::Write, pretty: bool) -> serde_json::Result<()> {
    let servers: Vec<ServerJson<'_>> = c.http_servers.iter().map(ServerJson).collect();
    let by_section = |name: &str| {
        c.http_servers
            .iter()
            .find(|s| s.section == name)
            .map(ServerJson)
    };
    let doc = Document {
        ok: true,
        supervisord: SupervisordJson(&c.supervisord),
        unix_http_server: by_section("unix_http_server"),
        inet_http_server: by_section("inet_http_server"),
        http_servers: servers,
        rpcinterfaces: c.rpcinterfaces.iter().map(PluginJson).collect(),
        groups: c.groups.iter().map(GroupJson).collect(),
        supervisorctl: c.supervisorctl.as_ref().map(CtlJson),
        parse_warnings: &c.parse_warnings,
        parse_infos: &c.parse_infos,
    };
    if pretty {
        let mut ser =
            serde_json::Serializer::with_formatter(out, serde_json::ser::PrettyFormatter::new());
        doc.serialize(&mut ser)
    } else {
        doc.serialize(&mut serde_json::Serializer::new(out))
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

struct GroupJson<'a>(&'a Group);

impl Serialize for GroupJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &g.name)?;
        m.serialize_entry("priority", &g.priority)?;
        m.serialize_entry("kind", g.kind.as_str())?;
        let procs: Vec<ProcessJson<'_>> = g.processes.iter().map(ProcessJson).collect();
        m.serialize_entry("processes", &procs)?;
        if let Some(l) = &g.listener {
            m.serialize_entry("buffer_size", &l.buffer_size)?;
            m.serialize_entry("events", &l.events)?;
            m.serialize_entry("result_handler", &l.result_handler)?;
        }
        if let Some(sock) = &g.socket {
            m.serialize_entry("socket", &SocketJson(sock))?;
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

fn logfile<S: SerializeMap>(m: &mut S, key: &str, l: &LogFile) -> Result<(), S::Error> {
    match l {
        LogFile::Auto => m.serialize_entry(key, "AUTO"),
        LogFile::None => m.serialize_entry(key, &None::<&str>),
        LogFile::Path(p) => m.serialize_entry(key, p),
    }
}

struct ProcessJson<'a>(&'a Process);

impl Serialize for ProcessJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &p.name)?;
        m.serialize_entry("group", &p.group)?;
        m.serialize_entry("full_name", &p.full_name())?;
        m.serialize_entry("section", &p.section)?;
        m.serialize_entry("user", &p.user)?;
        m.serialize_entry("uid", &p.uid.map(IdJson))?;
        m.serialize_entry("command", &p.command)?;
        m.serialize_entry("directory", &p.directory)?;
        m.serialize_entry("umask", &p.umask.as_ref().map(octal))?;
        m.serialize_entry("priority", &p.priority)?;
        m.serialize_entry("autostart", &p.autostart)?;
        let autorestart = match p.autorestart {
            AutoRestart::Unexpected => "unexpected",
            AutoRestart::Always => "true",
            AutoRestart::Never => "false",
        };
        m.serialize_entry("autorestart", autorestart)?;
        m.serialize_entry("startsecs", &p.startsecs)?;
        m.serialize_entry("startretries", &p.startretries)?;
        m.serialize_entry("stopsignal", &p.stopsignal)?;
        m.serialize_entry("stopwaitsecs", &p.stopwaitsecs)?;
        m.serialize_entry("stopasgroup", &p.stopasgroup)?;
        m.serialize_entry("killasgroup", &p.killasgroup)?;
        m.serialize_entry("exitcodes", &p.exitcodes)?;
        m.serialize_entry("redirect_stderr", &p.redirect_stderr)?;
        const KEYS: [[&str; 6]; 2] = [
            [
                "stdout_logfile",
                "stdout_logfile_maxbytes",
                "stdout_logfile_backups",
                "stdout_capture_maxbytes",
                "stdout_events_enabled",
                "stdout_syslog",
            ],
            [
                "stderr_logfile",
                "stderr_logfile_maxbytes",
                "stderr_logfile_backups",
                "stderr_capture_maxbytes",
                "stderr_events_enabled",
                "stderr_syslog",
            ],
        ];
        for (keys, l) in KEYS.iter().zip([&p.stdout, &p.stderr]) {
            logfile(&mut m, keys[0], &l.logfile)?;
            m.serialize_entry(keys[1], &l.maxbytes)?;
            m.serialize_entry(keys[2], &l.backups)?;
            m.serialize_entry(keys[3], &l.capture_maxbytes)?;
            m.serialize_entry(keys[4], &l.events_enabled)?;
            m.serialize_entry(keys[5], &l.syslog)?;
        }
        m.serialize_entry("environment", &Env(&p.environment))?;
        m.serialize_entry("serverurl", &p.serverurl)?;
        m.end()
    }
}
