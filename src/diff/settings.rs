//! The setting changes outside the groups: `[supervisord]`, the HTTP
//! servers, the rpcinterfaces and `[supervisorctl]`, with when each takes
//! effect. Values are compared as typed [`Setting`]s.

use super::fields;
use super::{Applies, SettingChange};
use crate::model::{Config, HttpServer, Plugin, Setting, Supervisorctl};
use indexmap::IndexSet;
use serde_json::{Map, Value};

/// When a `[supervisord]` option applies, and how.
pub(super) fn supervisord_effect(key: &str) -> (Applies, &'static str) {
    match key {
        "logfile" => (
            Applies::Reload,
            "supervisord keeps writing the old log until then, while `supervisorctl \
             maintail` reads the new path from reread on",
        ),
        "loglevel" => (
            Applies::Reload,
            "the main log keeps its level until then; processes spawned after reread \
             already use the new level to decide whether their output goes to the \
             main log",
        ),
        "pidfile" => (
            Applies::Reload,
            "supervisord writes the pid file when it (re)starts; after reread, its \
             shutdown removes the new path, not the file it wrote",
        ),
        "strip_ansi" => (
            Applies::Reread,
            "to the output of every process, changed or not",
        ),
        "identifier" => (
            Applies::Reread,
            "getIdentification and new AUTO log names use the new value",
        ),
        "childlogdir" => (
            Applies::Reread,
            "AUTO log files of groups added or updated from then on go there; \
             running processes keep theirs",
        ),
        "minfds" => (
            Applies::Start,
            "resource limits are set only when the supervisord process starts, not \
             at `supervisorctl reload`; children spawned after reread close \
             descriptors up to the new value",
        ),
        "minprocs" => (
            Applies::Start,
            "resource limits are set only when the supervisord process starts, not \
             at `supervisorctl reload`",
        ),
        "user" => (
            Applies::Reload,
            "supervisord switches to this user when it starts or reloads, which \
             works only while it still runs as root",
        ),
        "umask" | "directory" | "nodaemon" => (
            Applies::Start,
            "used only when the supervisord process starts and daemonizes, not at \
             `supervisorctl reload`",
        ),
        _ => (
            Applies::Reload,
            "read only when supervisord starts or reloads",
        ),
    }
}

pub(super) const REDACTED: &str = "<redacted>";

/// How a value shows in the report: a password is hidden.
fn shown(key: &str, v: &Setting<'_>) -> Value {
    if key == "password" && *v != Setting::Unset {
        Value::from(REDACTED)
    } else {
        v.to_json()
    }
}

/// A whole section as one object (a password hidden).
fn object(fields: &[(&str, Setting<'_>)]) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .map(|(k, v)| ((*k).to_string(), shown(k, v)))
        .collect();
    Value::Object(map)
}

/// Per-key differences of two sections' settings; a key one side lacks is
/// unset there.
fn changes<'a>(
    section: &str,
    old: &[(&'static str, Setting<'a>)],
    new: &[(&'static str, Setting<'a>)],
    effect: impl Fn(&str) -> (Applies, &'static str),
    out: &mut Vec<SettingChange>,
) {
    fn get<'a>(side: &[(&'static str, Setting<'a>)], key: &str) -> Setting<'a> {
        side.iter()
            .find(|(k, _)| *k == key)
            .map_or(Setting::Unset, |(_, v)| v.clone())
    }
    let keys: IndexSet<&str> = old.iter().chain(new).map(|(k, _)| *k).collect();
    for key in keys {
        let (a, b) = (get(old, key), get(new, key));
        if a != b {
            let (applies, note) = effect(key);
            out.push(SettingChange {
                section: section.to_string(),
                process: None,
                option: Some(key.to_string()),
                old: shown(key, &a),
                new: shown(key, &b),
                applies,
                note: note.to_string(),
            });
        }
    }
}

/// A section added or removed as a whole.
fn whole(section: String, old: Value, new: Value, applies: Applies, note: &str) -> SettingChange {
    SettingChange {
        section,
        process: None,
        option: None,
        old,
        new,
        applies,
        note: note.to_string(),
    }
}

/// The union of the names of `old` then `new`, each with the first entry
/// of that name on either side.
fn keyed<'a, T>(
    old: &'a [T],
    new: &'a [T],
    name: impl Fn(&T) -> &str,
) -> Vec<(String, Option<&'a T>, Option<&'a T>)> {
    let names: IndexSet<&str> = old.iter().chain(new).map(&name).collect();
    let find = |side: &'a [T], n: &str| side.iter().find(|x| name(x) == n);
    names
        .into_iter()
        .map(|n| (n.to_string(), find(old, n), find(new, n)))
        .collect()
}

const SERVER_NOTE: &str = "supervisord opens its HTTP servers, and sets its \
     children's SUPERVISOR_SERVER_URL, when it starts or reloads";
const RPC_NOTE: &str = "rpcinterface factories are called when supervisord \
     starts or reloads; reread only imports the new one";
const CTL_NOTE: &str = "supervisorctl reads this section each time it runs; \
     supervisord does not use it";

/// A server as one object, its section first.
fn server_object(s: &HttpServer) -> Value {
    let mut fields = vec![("section", Setting::Text(&s.section))];
    fields.extend(fields::server(s));
    object(&fields)
}

fn plugin_object(p: &Plugin) -> Value {
    let mut fields = vec![("name", Setting::Text(&p.name))];
    fields.extend(fields::plugin(p));
    object(&fields)
}

/// `[supervisorctl]` as one value: unset without the section, supervisorctl's
/// error when it refuses the file.
fn ctl_object(c: Option<&Result<Supervisorctl, String>>) -> Value {
    match c {
        None => Value::Null,
        Some(Err(e)) => Setting::Refused(e).to_json(),
        Some(Ok(c)) => object(&fields::supervisorctl(c)),
    }
}

/// Setting changes outside the groups, with when they apply.
pub(super) fn settings(old: &Config, new: &Config) -> Vec<SettingChange> {
    let mut out = Vec::new();
    fn supervisord(c: &Config) -> Vec<(&'static str, Setting<'_>)> {
        fields::SUPERVISORD_FIELDS
            .iter()
            .map(|(k, get)| (*k, get(&c.supervisord)))
            .collect()
    }
    changes(
        "supervisord",
        &supervisord(old),
        &supervisord(new),
        supervisord_effect,
        &mut out,
    );
    for (section, a, b) in keyed(&old.http_servers, &new.http_servers, |s| &s.section) {
        match (a, b) {
            (Some(a), Some(b)) => changes(
                &section,
                &fields::server(a),
                &fields::server(b),
                |_| (Applies::Reload, SERVER_NOTE),
                &mut out,
            ),
            _ => out.push(whole(
                section,
                a.map_or(Value::Null, server_object),
                b.map_or(Value::Null, server_object),
                Applies::Reload,
                SERVER_NOTE,
            )),
        }
    }
    for (name, a, b) in keyed(&old.rpcinterfaces, &new.rpcinterfaces, |p| &p.name) {
        let section = format!("rpcinterface:{name}");
        match (a, b) {
            (Some(a), Some(b)) => changes(
                &section,
                &fields::plugin(a),
                &fields::plugin(b),
                |_| (Applies::Reload, RPC_NOTE),
                &mut out,
            ),
            _ => out.push(whole(
                section,
                a.map_or(Value::Null, plugin_object),
                b.map_or(Value::Null, plugin_object),
                Applies::Reload,
                RPC_NOTE,
            )),
        }
    }
    let ctl = |_: &str| (Applies::Supervisorctl, CTL_NOTE);
    match (&old.supervisorctl, &new.supervisorctl) {
        (Some(Ok(a)), Some(Ok(b))) => changes(
            "supervisorctl",
            &fields::supervisorctl(a),
            &fields::supervisorctl(b),
            ctl,
            &mut out,
        ),
        (None, None) => {}
        (Some(Err(a)), Some(Err(b))) if a == b => {}
        (a, b) => out.push(whole(
            "supervisorctl".into(),
            ctl_object(a.as_ref()),
            ctl_object(b.as_ref()),
            Applies::Supervisorctl,
            CTL_NOTE,
        )),
    }
    out
}
