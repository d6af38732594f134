//! What supervisor's `__eq__` methods compare, as typed [`Setting`]s, under
//! the names the report shows them by (`supc expand --format json` keys).
//!
//! Each entry reads its value from the model; two configs differ in an
//! option when its two [`Setting`]s differ. Nothing here looks a key up by
//! its name, so a renamed key cannot make two values read as equal.

use crate::model::{
    Dict, FcgiSocket, Group, HttpServer, Id, ListenerPool, Plugin, Process, ServerFamily, Setting,
    Supervisorctl, Supervisord, opt_text,
};

/// A named setting of `T`.
pub(super) type Field<T> = (&'static str, for<'a> fn(&'a T) -> Setting<'a>);

/// The options `ProcessConfig.__eq__` compares besides name and uid, in the
/// order the report lists them (the uid comes last, as `user`).
pub(super) static PROCESS_FIELDS: &[Field<Process>] = &[
    ("command", |p| Setting::Text(p.command())),
    ("directory", |p| {
        p.directory().map_or(Setting::Unset, Setting::Text)
    }),
    ("umask", |p| {
        p.umask.as_ref().map_or(Setting::Unset, Setting::Mode)
    }),
    ("priority", |p| Setting::Int(&p.priority)),
    ("autostart", |p| Setting::Bool(p.autostart)),
    ("autorestart", |p| Setting::AutoRestart(p.autorestart)),
    ("startsecs", |p| Setting::Int(&p.startsecs)),
    ("startretries", |p| Setting::Int(&p.startretries)),
    ("stdout_logfile", |p| Setting::LogFile(p.stdout().logfile)),
    ("stdout_capture_maxbytes", |p| {
        Setting::Int(&p.stdout().limits.capture_maxbytes)
    }),
    ("stdout_events_enabled", |p| {
        Setting::Bool(p.stdout().events_enabled)
    }),
    ("stdout_syslog", |p| Setting::Bool(p.stdout().syslog)),
    ("stdout_logfile_backups", |p| {
        Setting::Int(&p.stdout().limits.backups)
    }),
    ("stdout_logfile_maxbytes", |p| {
        Setting::Int(&p.stdout().limits.maxbytes)
    }),
    ("stderr_logfile", |p| Setting::LogFile(p.stderr().logfile)),
    ("stderr_capture_maxbytes", |p| {
        Setting::Int(&p.stderr().limits.capture_maxbytes)
    }),
    ("stderr_logfile_backups", |p| {
        Setting::Int(&p.stderr().limits.backups)
    }),
    ("stderr_logfile_maxbytes", |p| {
        Setting::Int(&p.stderr().limits.maxbytes)
    }),
    ("stderr_events_enabled", |p| {
        Setting::Bool(p.stderr().events_enabled)
    }),
    ("stderr_syslog", |p| Setting::Bool(p.stderr().syslog)),
    ("stopsignal", |p| Setting::Signal(p.stopsignal)),
    ("stopwaitsecs", |p| Setting::Int(&p.stopwaitsecs)),
    ("stopasgroup", |p| Setting::Bool(p.stopasgroup)),
    ("killasgroup", |p| Setting::Bool(p.killasgroup)),
    ("exitcodes", |p| Setting::Ints(&p.exitcodes)),
    ("redirect_stderr", |p| Setting::Bool(p.redirect_stderr)),
    ("environment", |p| {
        Setting::Dict(Dict(p.env_pairs().collect()))
    }),
    ("serverurl", |p| opt_text(&p.serverurl)),
];

/// The uid as supervisor compares it, shown as the user name: without
/// resolved ids (portable mode) the names stand in for the uids.
pub(super) fn uid_differs(old: &Process, new: &Process) -> bool {
    match (old.uid, new.uid) {
        (Some(Id::Known(a)), Some(Id::Known(b))) => a != b,
        (Some(Id::Unknown), _) | (_, Some(Id::Unknown)) => old.user != new.user,
        (a, b) => a != b,
    }
}

fn listener<'a>(g: &'a Group, f: fn(&'a ListenerPool) -> Setting<'a>) -> Setting<'a> {
    g.listener.as_deref().map_or(Setting::Unset, f)
}

/// What `EventListenerPoolConfig.__eq__` adds to a group's.
pub(super) static LISTENER_FIELDS: &[Field<Group>] = &[
    ("buffer_size", |g| {
        listener(g, |l| Setting::Int(&l.buffer_size))
    }),
    ("events", |g| listener(g, |l| Setting::Texts(&l.events))),
    ("result_handler", |g| {
        listener(g, |l| Setting::Text(&l.result_handler))
    }),
];

/// What `FastCGIGroupConfig.__eq__` adds: the socket, which
/// `SocketConfig.__eq__` compares by address alone.
pub(super) fn socket(g: &Group) -> Setting<'_> {
    g.socket
        .as_deref()
        .map_or(Setting::Unset, |s| Setting::Socket(s.address()))
}

fn unix_socket<'a>(g: &'a Group, f: fn(&'a FcgiSocket) -> Setting<'a>) -> Setting<'a> {
    g.socket.as_deref().map_or(Setting::Unset, f)
}

/// The socket's other settings, which its `__eq__` does not look at.
pub(super) static SOCKET_EXTRAS: &[Field<Group>] = &[
    ("socket_mode", |g| {
        unix_socket(g, |s| match s {
            FcgiSocket::Unix { mode, .. } => Setting::Mode(mode),
            FcgiSocket::Inet { .. } => Setting::Unset,
        })
    }),
    ("socket_owner", |g| {
        unix_socket(g, |s| match s {
            FcgiSocket::Unix {
                owner: Some((u, g)),
                ..
            } => Setting::Owner(*u, *g),
            _ => Setting::Unset,
        })
    }),
    ("socket_backlog", |g| {
        unix_socket(g, |s| match s {
            FcgiSocket::Unix { backlog, .. } | FcgiSocket::Inet { backlog, .. } => {
                backlog.as_ref().map_or(Setting::Unset, Setting::Int)
            }
        })
    }),
];

/// `[supervisord]` settings. `environment` is left out (it reaches every
/// process and shows there), as are the derived uid, gid and serverurl.
pub(super) static SUPERVISORD_FIELDS: &[Field<Supervisord>] = &[
    ("logfile", |s| Setting::Text(&s.logfile)),
    ("logfile_maxbytes", |s| Setting::Int(&s.logfile_maxbytes)),
    ("logfile_backups", |s| Setting::Int(&s.logfile_backups)),
    ("loglevel", |s| Setting::Text(&s.loglevel)),
    ("pidfile", |s| Setting::Text(&s.pidfile)),
    ("umask", |s| Setting::Mode(&s.umask)),
    ("nodaemon", |s| Setting::Bool(s.nodaemon)),
    ("silent", |s| Setting::Bool(s.silent)),
    ("minfds", |s| Setting::Int(&s.minfds)),
    ("minprocs", |s| Setting::Int(&s.minprocs)),
    ("nocleanup", |s| Setting::Bool(s.nocleanup)),
    ("strip_ansi", |s| Setting::Bool(s.strip_ansi)),
    ("user", |s| opt_text(&s.user)),
    ("directory", |s| opt_text(&s.directory)),
    ("childlogdir", |s| Setting::Text(&s.childlogdir)),
    ("identifier", |s| Setting::Text(&s.identifier)),
];

/// An HTTP server's settings (its section aside), in the JSON's order.
pub(super) fn server(s: &HttpServer) -> Vec<(&'static str, Setting<'_>)> {
    let mut out = vec![
        ("name", opt_text(&s.name)),
        ("username", opt_text(&s.username)),
        ("password", opt_text(&s.password)),
    ];
    match &s.family {
        ServerFamily::Inet { host, port } => out.extend([
            ("family", Setting::Text("inet")),
            ("host", Setting::Text(host)),
            ("port", Setting::Int(port)),
        ]),
        ServerFamily::Unix { file, chmod, chown } => out.extend([
            ("family", Setting::Text("unix")),
            ("file", Setting::Text(file)),
            ("chmod", Setting::Mode(chmod)),
            ("chown", Setting::Owner(chown.0, chown.1)),
        ]),
    }
    out
}

/// An `[rpcinterface:x]`'s settings (its name aside).
pub(super) fn plugin(p: &Plugin) -> Vec<(&'static str, Setting<'_>)> {
    vec![
        ("factory", Setting::Text(&p.factory)),
        ("extras", Setting::Dict(Dict::of(&p.extras))),
    ]
}

/// `[supervisorctl]` as supervisorctl reads it.
pub(super) fn supervisorctl(c: &Supervisorctl) -> Vec<(&'static str, Setting<'_>)> {
    vec![
        ("serverurl", Setting::Text(&c.serverurl)),
        ("prompt", Setting::Text(&c.prompt)),
        ("username", opt_text(&c.username)),
        ("password", opt_text(&c.password)),
        ("history_file", opt_text(&c.history_file)),
        ("plugins", Setting::Plugins(&c.plugins)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Config;
    use serde_json::Value;

    fn config(text: &str) -> Config {
        super::super::test_support::resolved(text)
    }

    /// Each field shows its value as the JSON contract does, under the
    /// same key: the report and `supc expand` cannot drift apart.
    #[test]
    fn fields_show_what_the_json_contract_shows() {
        let c = config(
            "[supervisord]\numask=027\nuser=nobody\n\
             [unix_http_server]\nfile=/tmp/s.sock\nchmod=0770\n\
             [inet_http_server]\nport=127.0.0.1:9001\nusername=u\npassword=p\n\
             [program:w]\ncommand=/bin/w\numask=002\nstopsignal=USR2\nexitcodes=0,3\n\
             environment=A=1,B=2\nstderr_logfile=NONE\nautorestart=true\n\
             [fcgi-program:f]\ncommand=/bin/f\nsocket=unix:///tmp/f.sock\nsocket_mode=0600\n\
             [eventlistener:l]\ncommand=/bin/l\nevents=TICK_5\n",
        );
        let doc = crate::emit::json::config(&c);
        let sd = &doc["supervisord"];
        for (key, get) in SUPERVISORD_FIELDS {
            assert_eq!(get(&c.supervisord).to_json(), sd[key], "supervisord {key}");
        }
        for (i, s) in c.http_servers.iter().enumerate() {
            for (key, v) in server(s) {
                assert_eq!(v.to_json(), doc["http_servers"][i][key], "{key}");
            }
        }
        let mut seen = 0;
        for (gi, g) in c.groups.iter().enumerate() {
            let gj = &doc["groups"][gi];
            for (key, get) in LISTENER_FIELDS {
                assert_eq!(get(g).to_json(), gj[key], "{key}");
            }
            if let Some(sock) = &g.socket {
                assert_eq!(socket(g).to_json(), gj["socket"]["url"]);
                assert_eq!(sock.url(), gj["socket"]["url"]);
                let mode = SOCKET_EXTRAS[0].1(g).to_json();
                assert_eq!(mode, gj["socket"]["mode"]);
            }
            for (pi, p) in g.processes.iter().enumerate() {
                let pj = &gj["processes"][pi];
                for (key, get) in PROCESS_FIELDS {
                    assert!(pj.get(key).is_some(), "no key {key} in the JSON");
                    assert_eq!(get(p).to_json(), pj[key], "{key}");
                    seen += 1;
                }
                assert_eq!(opt_text(&p.user).to_json(), pj["user"]);
            }
        }
        assert_eq!(seen, 3 * PROCESS_FIELDS.len());
        assert_ne!(doc["supervisord"]["umask"], Value::Null);
    }
}
