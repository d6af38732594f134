//! Whether two resolved configs say the same thing, setting by setting:
//! what `supc render` and `supc convert` need to know of a config read
//! back from the text they wrote. Unlike [`super::diff`], nothing is
//! skipped the way supervisor's `__eq__` skips it: every setting the JSON
//! contract shows counts, compared as typed [`crate::model::Setting`]s (the parse log
//! aside, which says how a config was read, not what it says).

use super::fields::{
    self, Field, LISTENER_FIELDS, PROCESS_FIELDS, SOCKET_EXTRAS, SUPERVISORD_FIELDS,
};
use crate::model::{Config, Dict, Group, HttpServer, Plugin, Process, opt_text};

fn table_eq<T>(table: &[Field<T>], a: &T, b: &T) -> bool {
    table.iter().all(|(_, get)| get(a) == get(b))
}

fn lists_eq<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y))
}

fn server_eq(a: &HttpServer, b: &HttpServer) -> bool {
    a.section == b.section && fields::server(a) == fields::server(b)
}

fn plugin_eq(a: &Plugin, b: &Plugin) -> bool {
    a.name == b.name && fields::plugin(a) == fields::plugin(b)
}

fn process_eq(a: &Process, b: &Process) -> bool {
    a.name() == b.name()
        && a.group == b.group
        && a.section == b.section
        && opt_text(&a.user) == opt_text(&b.user)
        && a.uid == b.uid
        && table_eq(PROCESS_FIELDS, a, b)
}

fn group_eq(a: &Group, b: &Group) -> bool {
    a.name == b.name
        && a.kind == b.kind
        && a.priority == b.priority
        && table_eq(LISTENER_FIELDS, a, b)
        && fields::socket(a) == fields::socket(b)
        && table_eq(SOCKET_EXTRAS, a, b)
        && lists_eq(&a.processes, &b.processes, process_eq)
}

/// Every setting of `[supervisord]`, the servers, the rpcinterfaces and
/// the groups (in order, with every process) is the same. `[supervisorctl]`
/// is left to [`same_supervisorctl`].
pub fn same_settings(a: &Config, b: &Config) -> bool {
    let (sa, sb) = (&a.supervisord, &b.supervisord);
    table_eq(SUPERVISORD_FIELDS, sa, sb)
        && Dict::of(&sa.environment) == Dict::of(&sb.environment)
        && (sa.uid, sa.gid) == (sb.uid, sb.gid)
        && opt_text(&sa.serverurl) == opt_text(&sb.serverurl)
        && lists_eq(&a.http_servers, &b.http_servers, server_eq)
        && lists_eq(&a.rpcinterfaces, &b.rpcinterfaces, plugin_eq)
        && lists_eq(&a.groups, &b.groups, group_eq)
}

/// `[supervisorctl]` reads the same (or is refused with the same error).
pub fn same_supervisorctl(a: &Config, b: &Config) -> bool {
    match (&a.supervisorctl, &b.supervisorctl) {
        (None, None) => true,
        (Some(Err(x)), Some(Err(y))) => x == y,
        (Some(Ok(x)), Some(Ok(y))) => fields::supervisorctl(x) == fields::supervisorctl(y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        super::super::test_support::resolved(text)
    }

    const BASE: &str = "[supervisord]\nenvironment=A=1,B=2\n\
        [inet_http_server]\nport=127.0.0.1:9001\n\
        [supervisorctl]\nserverurl=http://127.0.0.1:9001\n\
        [program:w]\ncommand=/bin/w\nnumprocs=2\nprocess_name=w_%(process_num)d\n\
        [fcgi-program:f]\ncommand=/bin/f\nsocket=unix:///tmp/f.sock\n";

    /// Agrees with comparing the JSON documents (the parse log aside) on
    /// configs that differ in one setting each, or not at all.
    #[test]
    fn agrees_with_the_json_documents() {
        let json = |c: &Config| {
            let mut v = crate::emit::json::config(c);
            let o = v.as_object_mut().unwrap();
            o.remove("parse_warnings");
            o.remove("parse_infos");
            v
        };
        let base = config(BASE);
        let variants = [
            BASE.to_string(),
            BASE.replace("A=1,B=2", "B=2,A=1"),
            BASE.replace("A=1,B=2", "A=1,B=3"),
            BASE.replace("9001\n[supervisorctl]", "9002\n[supervisorctl]"),
            BASE.replace("command=/bin/w\n", "command=/bin/w\nstopsignal=KILL\n"),
            BASE.replace("command=/bin/w\n", "command=/bin/w\nstopsignal=9\n"),
            BASE.replace("numprocs=2", "numprocs=3"),
            BASE.replace("/tmp/f.sock\n", "/tmp/f.sock\nsocket_mode=0770\n"),
            BASE.replace("http://127.0.0.1:9001", "http://127.0.0.1:9002"),
            BASE.replace("[program:w]", "[program:w]\npriority=5"),
            format!("{BASE}[rpcinterface:x]\nsupervisor.rpcinterface_factory=a.b:c\n"),
        ];
        for v in &variants {
            let other = config(v);
            let same = same_settings(&base, &other) && same_supervisorctl(&base, &other);
            assert_eq!(same, json(&base) == json(&other), "{v}");
        }
        assert!(same_settings(&base, &config(&variants[1])));
        assert!(!same_settings(&base, &config(&variants[4])));
        assert!(same_settings(&config(&variants[4]), &config(&variants[5])));
        assert!(same_settings(&base, &config(&variants[8])));
        assert!(!same_supervisorctl(&base, &config(&variants[8])));
    }
}
