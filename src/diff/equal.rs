//! Whether two resolved configs say the same thing, setting by setting:
//! what `supc render` and `supc convert` need to know of a config read
//! back from the text they wrote. Unlike [`super::diff`], nothing is
//! skipped the way supervisor's `__eq__` skips it: every setting the JSON
//! contract shows counts, compared as typed [`crate::model::Setting`]s (the parse log
//! aside, which says how a config was read, not what it says).
//!
//! [`first_difference`] answers with the first setting that differs, named
//! by its place and JSON key, so that a refusal can say what went wrong;
//! `tests/render_typed_equality.rs` holds the answer to the JSON's on every
//! corpus config.

use super::fields::{
    self, Field, LISTENER_FIELDS, PROCESS_FIELDS, SOCKET_EXTRAS, SUPERVISORD_FIELDS,
};
use crate::model::{Config, Dict, Group, HttpServer, Plugin, Process, Setting, opt_text};

/// The first setting two configs hold differently, named and shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where: `[supervisord]`, `[program:w] process w_0`, `groups`...
    pub place: String,
    /// The setting (a `supc expand --format json` key), or `number` when
    /// a list has more entries on one side.
    pub setting: String,
    /// The first config's value, as the JSON contract shows it.
    pub old: String,
    /// The second config's value.
    pub new: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} is {} on one side and {} on the other",
            self.place, self.setting, self.old, self.new
        )
    }
}

/// `a` and `b` of the setting `name` at `place`, when they differ.
fn setting(place: &dyn Fn() -> String, name: &str, a: Setting, b: Setting) -> Option<Difference> {
    (a != b).then(|| Difference {
        place: place(),
        setting: name.to_string(),
        old: a.to_json().to_string(),
        new: b.to_json().to_string(),
    })
}

fn table<T>(place: &dyn Fn() -> String, table: &[Field<T>], a: &T, b: &T) -> Option<Difference> {
    table
        .iter()
        .find_map(|(name, get)| setting(place, name, get(a), get(b)))
}

/// Settings listed by name, both sides from the same function (so the
/// names differ only where the kind of thing does, e.g. a server's family).
fn named(
    place: &dyn Fn() -> String,
    a: Vec<(&'static str, Setting)>,
    b: Vec<(&'static str, Setting)>,
) -> Option<Difference> {
    let (la, lb) = (a.len(), b.len());
    a.into_iter()
        .zip(b)
        .find_map(|((name, x), (other, y))| {
            if name == other {
                setting(place, name, x, y)
            } else {
                text(place, "setting", name, other)
            }
        })
        .or_else(|| lengths(place, la, lb))
}

/// A list with more entries on one side.
fn lengths(place: &dyn Fn() -> String, a: usize, b: usize) -> Option<Difference> {
    (a != b).then(|| Difference {
        place: place(),
        setting: "number".into(),
        old: a.to_string(),
        new: b.to_string(),
    })
}

fn text(place: &dyn Fn() -> String, name: &str, a: &str, b: &str) -> Option<Difference> {
    setting(place, name, Setting::Text(a), Setting::Text(b))
}

fn list<T>(
    place: &dyn Fn() -> String,
    a: &[T],
    b: &[T],
    each: impl Fn(&T, &T) -> Option<Difference>,
) -> Option<Difference> {
    lengths(place, a.len(), b.len()).or_else(|| a.iter().zip(b).find_map(|(x, y)| each(x, y)))
}

fn server(a: &HttpServer, b: &HttpServer) -> Option<Difference> {
    let place = || format!("[{}]", a.section);
    text(&place, "section", &a.section, &b.section)
        .or_else(|| named(&place, fields::server(a), fields::server(b)))
}

fn plugin(a: &Plugin, b: &Plugin) -> Option<Difference> {
    let place = || format!("[rpcinterface:{}]", a.name);
    text(&place, "name", &a.name, &b.name)
        .or_else(|| named(&place, fields::plugin(a), fields::plugin(b)))
}

fn process(a: &Process, b: &Process) -> Option<Difference> {
    let place = || format!("[{}] process {}", a.section, a.name());
    text(&place, "name", a.name(), b.name())
        .or_else(|| text(&place, "group", &a.group, &b.group))
        .or_else(|| text(&place, "section", &a.section, &b.section))
        .or_else(|| setting(&place, "user", opt_text(&a.user), opt_text(&b.user)))
        .or_else(|| setting(&place, "uid", Setting::Id(a.uid), Setting::Id(b.uid)))
        .or_else(|| table(&place, PROCESS_FIELDS, a, b))
}

fn group(a: &Group, b: &Group) -> Option<Difference> {
    let place = || format!("[{}]", a.section);
    text(&|| "groups, in order".into(), "name", &a.name, &b.name)
        .or_else(|| text(&place, "kind", a.kind.as_str(), b.kind.as_str()))
        .or_else(|| {
            setting(
                &place,
                "priority",
                Setting::Int(&a.priority),
                Setting::Int(&b.priority),
            )
        })
        .or_else(|| table(&place, LISTENER_FIELDS, a, b))
        .or_else(|| setting(&place, "socket", fields::socket(a), fields::socket(b)))
        .or_else(|| table(&place, SOCKET_EXTRAS, a, b))
        .or_else(|| {
            list(
                &|| format!("[{}] processes", a.section),
                &a.processes,
                &b.processes,
                process,
            )
        })
}

/// The first setting of `[supervisord]`, the servers, the rpcinterfaces
/// or the groups (in order, with every process) that `a` and `b` hold
/// differently. `[supervisorctl]` is left to
/// [`supervisorctl_difference`].
pub fn first_difference(a: &Config, b: &Config) -> Option<Difference> {
    let (sa, sb) = (&a.supervisord, &b.supervisord);
    let place = || "[supervisord]".to_string();
    table(&place, SUPERVISORD_FIELDS, sa, sb)
        .or_else(|| {
            let (x, y) = (Dict::of(&sa.environment), Dict::of(&sb.environment));
            setting(&place, "environment", Setting::Dict(x), Setting::Dict(y))
        })
        .or_else(|| {
            list(
                &|| "http servers".into(),
                &a.http_servers,
                &b.http_servers,
                server,
            )
        })
        .or_else(|| {
            list(
                &|| "rpcinterfaces".into(),
                &a.rpcinterfaces,
                &b.rpcinterfaces,
                plugin,
            )
        })
        .or_else(|| list(&|| "groups".into(), &a.groups, &b.groups, group))
        // Derived from the settings above: last, so that a message names
        // the setting written rather than what follows from it.
        .or_else(|| setting(&place, "uid", Setting::Id(sa.uid), Setting::Id(sb.uid)))
        .or_else(|| setting(&place, "gid", Setting::Id(sa.gid), Setting::Id(sb.gid)))
        .or_else(|| {
            let (x, y) = (opt_text(&sa.serverurl), opt_text(&sb.serverurl));
            setting(&place, "serverurl", x, y)
        })
}

/// How `[supervisorctl]` reads differently (or is refused with another
/// error, or is there on one side only).
pub fn supervisorctl_difference(a: &Config, b: &Config) -> Option<Difference> {
    let place = || "[supervisorctl]".to_string();
    let shown = |c: &Config| match &c.supervisorctl {
        None => "absent".to_string(),
        Some(Err(e)) => format!("refused ({e})"),
        Some(Ok(_)) => "read".to_string(),
    };
    match (&a.supervisorctl, &b.supervisorctl) {
        (None, None) => None,
        (Some(Err(x)), Some(Err(y))) if x == y => None,
        (Some(Ok(x)), Some(Ok(y))) => {
            named(&place, fields::supervisorctl(x), fields::supervisorctl(y))
        }
        _ => Some(Difference {
            place: place(),
            setting: "section".into(),
            old: shown(a),
            new: shown(b),
        }),
    }
}

/// Every setting of `[supervisord]`, the servers, the rpcinterfaces and
/// the groups (in order, with every process) is the same. `[supervisorctl]`
/// is left to [`same_supervisorctl`].
pub fn same_settings(a: &Config, b: &Config) -> bool {
    first_difference(a, b).is_none()
}

/// `[supervisorctl]` reads the same (or is refused with the same error).
pub fn same_supervisorctl(a: &Config, b: &Config) -> bool {
    supervisorctl_difference(a, b).is_none()
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

    /// Each difference is found where it is and named; nothing else is.
    #[test]
    fn differences_name_the_setting() {
        let base = config(BASE);
        let cases = [
            ("A=1,B=2", "A=1,B=3", "[supervisord]", "environment"),
            (
                "9001\n[supervisorctl]",
                "9002\n[supervisorctl]",
                "[inet_http_server]",
                "port",
            ),
            (
                "command=/bin/w\n",
                "command=/bin/w\nstopsignal=KILL\n",
                "[program:w] process w_0",
                "stopsignal",
            ),
            (
                "numprocs=2",
                "numprocs=3",
                "[program:w] processes",
                "number",
            ),
            (
                "/tmp/f.sock\n",
                "/tmp/g.sock\n",
                "[fcgi-program:f]",
                "socket",
            ),
            (
                "/tmp/f.sock\n",
                "/tmp/f.sock\nsocket_mode=0770\n",
                "[fcgi-program:f]",
                "socket_mode",
            ),
            (
                "[program:w]",
                "[program:w]\npriority=1000",
                "[program:w]",
                "priority",
            ),
            // Groups are compared in order: moved first, `w` is where `f` was.
            (
                "[program:w]",
                "[program:w]\npriority=5",
                "groups, in order",
                "name",
            ),
            (
                "[fcgi-program:f]",
                "[rpcinterface:x]\nsupervisor.rpcinterface_factory=a.b:c\n[fcgi-program:f]",
                "rpcinterfaces",
                "number",
            ),
        ];
        for (from, to, place, setting) in cases {
            let other = config(&BASE.replacen(from, to, 1));
            let d = first_difference(&base, &other).unwrap_or_else(|| panic!("{to}"));
            assert_eq!(
                (d.place.as_str(), d.setting.as_str()),
                (place, setting),
                "{to}"
            );
            assert_ne!(d.old, d.new);
            assert!(
                d.to_string()
                    .starts_with(&format!("{place}: {setting} is "))
            );
        }
        assert_eq!(first_difference(&base, &base), None);
        let ctl = config(&BASE.replace("http://127.0.0.1:9001", "http://127.0.0.1:9002"));
        assert_eq!(first_difference(&base, &ctl), None);
        let d = supervisorctl_difference(&base, &ctl).unwrap();
        assert_eq!(
            (d.place.as_str(), d.setting.as_str(), d.new.as_str()),
            ("[supervisorctl]", "serverurl", "\"http://127.0.0.1:9002\"")
        );
    }
}
