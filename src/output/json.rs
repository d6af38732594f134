//! `supc expand --format json`: the oracle's JSON contract.
//!
//! Same keys, types and order rules as `supervisor_oracle.py` (see the
//! README's "JSON contract"): integers may exceed 64 bits, octal modes are
//! strings of at least three digits, signals are names without `SIG`.

use crate::model::{
    AutoRestart, Config, FcgiSocket, Group, HttpServer, Id, LogFile, Plugin, Process, ServerFamily,
    Supervisorctl, Supervisord,
};
use crate::python::format::{Mapping, PyValue, format};
use crate::python::int::PyInt;
use serde_json::{Map, Value, json};

fn int(i: &PyInt) -> Value {
    serde_json::from_str(&i.to_string()).unwrap_or(Value::Null)
}

/// `'%03o' % value`, through the same formatter supervisord's Python uses.
fn octal(i: &PyInt) -> Value {
    let mut m = Mapping::new();
    m.set("v", PyValue::Int(i.clone()));
    format("%(v)03o", &m).map_or(Value::Null, Value::String)
}

fn id(i: Id) -> Value {
    match i {
        Id::Unchanged => json!(-1),
        Id::Known(v) => json!(v),
        Id::Unknown => Value::Null,
    }
}

fn opt_id(i: Option<Id>) -> Value {
    i.map_or(Value::Null, id)
}

fn env(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// `{"ok": false, "error": ...}` (plus `exception` for a crash).
pub fn rejection(message: &str) -> Value {
    let mut obj = Map::new();
    obj.insert("ok".into(), json!(false));
    obj.insert("error".into(), json!(message));
    if let Some((exc, _)) = message.split_once(": ")
        && exc == "TypeError"
    {
        obj.insert("exception".into(), json!(exc));
    }
    Value::Object(obj)
}

/// The accepted config.
pub fn config(c: &Config) -> Value {
    let servers: Vec<Value> = c.http_servers.iter().map(server).collect();
    let by_section = |name: &str| {
        c.http_servers
            .iter()
            .position(|s| s.section == name)
            .map_or(Value::Null, |i| servers[i].clone())
    };
    json!({
        "ok": true,
        "supervisord": supervisord(&c.supervisord),
        "unix_http_server": by_section("unix_http_server"),
        "inet_http_server": by_section("inet_http_server"),
        "http_servers": servers,
        "rpcinterfaces": c.rpcinterfaces.iter().map(plugin).collect::<Vec<_>>(),
        "groups": c.groups.iter().map(group).collect::<Vec<_>>(),
        "supervisorctl": match &c.supervisorctl {
            None => Value::Null,
            Some(Ok(ctl)) => supervisorctl(ctl),
            Some(Err(e)) => json!({"error": e}),
        },
        "parse_warnings": c.parse_warnings,
        "parse_infos": c.parse_infos,
    })
}

fn supervisord(s: &Supervisord) -> Value {
    json!({
        "logfile": s.logfile,
        "logfile_maxbytes": int(&s.logfile_maxbytes),
        "logfile_backups": int(&s.logfile_backups),
        "loglevel": s.loglevel,
        "pidfile": s.pidfile,
        "umask": octal(&s.umask),
        "nodaemon": s.nodaemon,
        "silent": s.silent,
        "minfds": int(&s.minfds),
        "minprocs": int(&s.minprocs),
        "nocleanup": s.nocleanup,
        "strip_ansi": s.strip_ansi,
        "user": s.user,
        "uid": opt_id(s.uid),
        "gid": opt_id(s.gid),
        "directory": s.directory,
        "childlogdir": s.childlogdir,
        "identifier": s.identifier,
        "environment": env(&s.environment),
        "serverurl": s.serverurl,
    })
}

fn server(s: &HttpServer) -> Value {
    let mut v = json!({
        "section": s.section,
        "name": s.name,
        "username": s.username,
        "password": s.password,
    });
    let obj = v.as_object_mut().expect("json! object");
    match &s.family {
        ServerFamily::Inet { host, port } => {
            obj.insert("family".into(), json!("inet"));
            obj.insert("host".into(), json!(host));
            obj.insert("port".into(), int(port));
        }
        ServerFamily::Unix { file, chmod, chown } => {
            obj.insert("family".into(), json!("unix"));
            obj.insert("file".into(), json!(file));
            obj.insert("chmod".into(), octal(chmod));
            obj.insert("chown".into(), json!([id(chown.0), id(chown.1)]));
        }
    }
    v
}

fn plugin(p: &Plugin) -> Value {
    json!({"name": p.name, "factory": p.factory, "extras": env(&p.extras)})
}

fn supervisorctl(c: &Supervisorctl) -> Value {
    json!({
        "serverurl": c.serverurl,
        "prompt": c.prompt,
        "username": c.username,
        "password": c.password,
        "history_file": c.history_file,
        "plugins": c.plugins.iter().map(plugin).collect::<Vec<_>>(),
    })
}

fn group(g: &Group) -> Value {
    let mut v = json!({
        "name": g.name,
        "priority": int(&g.priority),
        "kind": g.kind.as_str(),
        "processes": g.processes.iter().map(process).collect::<Vec<_>>(),
    });
    let obj = v.as_object_mut().expect("json! object");
    if let Some(l) = &g.listener {
        obj.insert("buffer_size".into(), int(&l.buffer_size));
        obj.insert("events".into(), json!(l.events));
        obj.insert("result_handler".into(), json!(l.result_handler));
    }
    if let Some(s) = &g.socket {
        obj.insert("socket".into(), socket(s));
    }
    v
}

fn socket(s: &FcgiSocket) -> Value {
    let opt_int = |i: &Option<PyInt>| i.as_ref().map_or(Value::Null, int);
    match s {
        FcgiSocket::Unix {
            url,
            path,
            mode,
            owner,
            backlog,
        } => json!({
            "family": "unix", "url": url, "path": path, "mode": octal(mode),
            "owner": owner.map_or(Value::Null, |(u, g)| json!([id(u), id(g)])),
            "backlog": opt_int(backlog),
        }),
        FcgiSocket::Inet {
            url,
            host,
            port,
            backlog,
        } => json!({
            "family": "inet", "url": url, "host": host, "port": int(port),
            "backlog": opt_int(backlog),
        }),
    }
}

fn logfile(l: &LogFile) -> Value {
    match l {
        LogFile::Auto => json!("AUTO"),
        LogFile::None => Value::Null,
        LogFile::Path(p) => json!(p),
    }
}

/// One process entry.
pub fn process(p: &Process) -> Value {
    json!({
        "name": p.name,
        "group": p.group,
        "full_name": p.full_name(),
        "section": p.section,
        "user": p.user,
        "uid": opt_id(p.uid),
        "command": p.command,
        "directory": p.directory,
        "umask": p.umask.as_ref().map_or(Value::Null, octal),
        "priority": int(&p.priority),
        "autostart": p.autostart,
        "autorestart": match p.autorestart {
            AutoRestart::Unexpected => "unexpected",
            AutoRestart::Always => "true",
            AutoRestart::Never => "false",
        },
        "startsecs": int(&p.startsecs),
        "startretries": int(&p.startretries),
        "stopsignal": p.stopsignal,
        "stopwaitsecs": int(&p.stopwaitsecs),
        "stopasgroup": p.stopasgroup,
        "killasgroup": p.killasgroup,
        "exitcodes": p.exitcodes.iter().map(int).collect::<Vec<_>>(),
        "redirect_stderr": p.redirect_stderr,
        "stdout_logfile": logfile(&p.stdout.logfile),
        "stdout_logfile_maxbytes": int(&p.stdout.maxbytes),
        "stdout_logfile_backups": int(&p.stdout.backups),
        "stdout_capture_maxbytes": int(&p.stdout.capture_maxbytes),
        "stdout_events_enabled": p.stdout.events_enabled,
        "stdout_syslog": p.stdout.syslog,
        "stderr_logfile": logfile(&p.stderr.logfile),
        "stderr_logfile_maxbytes": int(&p.stderr.maxbytes),
        "stderr_logfile_backups": int(&p.stderr.backups),
        "stderr_capture_maxbytes": int(&p.stderr.capture_maxbytes),
        "stderr_events_enabled": p.stderr.events_enabled,
        "stderr_syslog": p.stderr.syslog,
        "environment": env(&p.environment),
        "serverurl": p.serverurl,
    })
}
