//! One resolved setting as a typed value: what two configs compare.
//!
//! `supc diff` (and the runner's reload) decide whether supervisord sees a
//! change by comparing these, never their JSON: a signal is a [`Signal`],
//! a FastCGI socket an [`Address`], an environment a dict. Each value can
//! also be shown ([`Setting::to_json`]) in the form `supc expand --format
//! json` prints it, which is only an output.

use super::{AutoRestart, FcgiSocket, Id, LogFile, Plugin, Signal};
use crate::python::format::{Mapping, PyValue, format};
use crate::python::int::PyInt;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// `'%03o' % value`, through the same formatter supervisord's Python uses.
pub fn octal(i: &PyInt) -> String {
    let mut m = Mapping::new();
    m.set("v", PyValue::Int(i.clone()));
    format("%(v)03o", &m).unwrap_or_default()
}

/// Key-value pairs that compare as a Python dict: order does not matter,
/// and the last of duplicate keys wins.
#[derive(Clone, Debug)]
pub struct Dict<'a>(pub Vec<(&'a str, &'a str)>);

impl<'a> Dict<'a> {
    pub fn of<K: AsRef<str>, V: AsRef<str>>(pairs: &'a [(K, V)]) -> Dict<'a> {
        Dict(
            pairs
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect(),
        )
    }

    fn map(&self) -> BTreeMap<&'a str, &'a str> {
        self.0.iter().copied().collect()
    }
}

impl PartialEq for Dict<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.map() == other.map()
    }
}

/// Where a socket listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address<'a> {
    Unix(&'a str),
    Inet(&'a str, &'a PyInt),
}

impl Address<'_> {
    /// supervisor's `SocketConfig.url`.
    pub fn url(&self) -> String {
        match self {
            Address::Unix(path) => format!("unix://{path}"),
            Address::Inet(host, port) => format!("tcp://{host}:{port}"),
        }
    }
}

impl FcgiSocket {
    /// The address; `SocketConfig.__eq__` compares sockets by this alone
    /// (through their URL, which is made from it).
    pub fn address(&self) -> Address<'_> {
        match self {
            FcgiSocket::Unix { path, .. } => Address::Unix(path),
            FcgiSocket::Inet { host, port, .. } => Address::Inet(host, port),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            FcgiSocket::Unix { url, .. } | FcgiSocket::Inet { url, .. } => url,
        }
    }
}

/// A resolved setting, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<'a> {
    /// Not set (Python's `None`), or absent on this side.
    Unset,
    Bool(bool),
    Text(&'a str),
    Int(&'a PyInt),
    /// A permission mode or umask (shown in octal).
    Mode(&'a PyInt),
    /// A list, in order.
    Ints(&'a [PyInt]),
    Texts(&'a [String]),
    Signal(Signal),
    Id(Option<Id>),
    /// A `uid, gid` pair.
    Owner(Id, Id),
    AutoRestart(AutoRestart),
    LogFile(LogFile<'a>),
    Dict(Dict<'a>),
    Plugins(&'a [Plugin]),
    /// A socket, shown by its URL.
    Socket(Address<'a>),
    /// What supervisorctl says of a section it refuses.
    Refused(&'a str),
}

impl PartialEq for Plugin {
    /// Name, factory and the extras as a dict.
    fn eq(&self, other: &Plugin) -> bool {
        self.name == other.name
            && self.factory == other.factory
            && Dict::of(&self.extras) == Dict::of(&other.extras)
    }
}

fn id_json(id: Id) -> Value {
    match id {
        Id::Unchanged => json!(-1),
        Id::Known(n) => json!(n),
        Id::Unknown => Value::Null,
    }
}

fn int_json(i: &PyInt) -> Value {
    serde_json::to_value(i).unwrap_or(Value::Null)
}

fn dict_json(d: &Dict<'_>) -> Value {
    let mut m = Map::new();
    for (k, v) in &d.0 {
        m.insert((*k).to_string(), json!(v));
    }
    Value::Object(m)
}

fn plugin_json(p: &Plugin) -> Value {
    json!({"name": p.name, "factory": p.factory, "extras": dict_json(&Dict::of(&p.extras))})
}

impl Setting<'_> {
    /// The value as `supc expand --format json` shows it.
    pub fn to_json(&self) -> Value {
        match self {
            Setting::Unset => Value::Null,
            Setting::Bool(b) => json!(b),
            Setting::Text(s) => json!(s),
            Setting::Socket(a) => json!(a.url()),
            Setting::Int(i) => int_json(i),
            Setting::Mode(i) => json!(octal(i)),
            Setting::Ints(v) => Value::Array(v.iter().map(int_json).collect()),
            Setting::Texts(v) => json!(v),
            Setting::Signal(s) => json!(s.name()),
            Setting::Id(id) => id.map_or(Value::Null, id_json),
            Setting::Owner(u, g) => json!([id_json(*u), id_json(*g)]),
            Setting::AutoRestart(a) => json!(match a {
                AutoRestart::Unexpected => "unexpected",
                AutoRestart::Always => "true",
                AutoRestart::Never => "false",
            }),
            Setting::LogFile(LogFile::Auto) => json!("AUTO"),
            Setting::LogFile(LogFile::None) => Value::Null,
            Setting::LogFile(LogFile::Path(p)) => json!(p),
            Setting::Dict(d) => dict_json(d),
            Setting::Plugins(ps) => Value::Array(ps.iter().map(plugin_json).collect()),
            Setting::Refused(e) => json!({ "error": e }),
        }
    }
}

/// `Some(text)` as a text, `None` as unset.
pub fn opt_text(v: &Option<String>) -> Setting<'_> {
    v.as_deref().map_or(Setting::Unset, Setting::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dicts_ignore_order_and_keep_the_last_duplicate() {
        let a = Dict(vec![("A", "1"), ("B", "2")]);
        let b = Dict(vec![("B", "2"), ("A", "0"), ("A", "1")]);
        assert_eq!(a, b);
        assert_ne!(a, Dict(vec![("A", "1")]));
    }

    #[test]
    fn values_show_as_the_json_contract_does() {
        let mode = PyInt::from(0o22);
        assert_eq!(Setting::Mode(&mode).to_json(), json!("022"));
        assert_eq!(Setting::Signal(Signal::TERM).to_json(), json!("TERM"));
        assert_eq!(
            Setting::Owner(Id::Unchanged, Id::Known(5)).to_json(),
            json!([-1, 5])
        );
        assert_eq!(Setting::Id(Some(Id::Unknown)).to_json(), Value::Null);
        assert_eq!(Setting::LogFile(LogFile::Auto).to_json(), json!("AUTO"));
    }

    #[test]
    fn a_signal_compares_by_number_not_by_spelling() {
        let term = Signal::from_name("TERM").map(Setting::Signal);
        let fifteen = Signal::from_number(15).map(Setting::Signal);
        assert_eq!(term, fifteen);
        assert_ne!(term, Signal::from_name("KILL").map(Setting::Signal));
    }

    #[test]
    fn sockets_compare_by_address() {
        let port = PyInt::from(9000);
        let a = Setting::Socket(Address::Inet("localhost", &port));
        let b = Setting::Socket(Address::Unix("/tmp/f.sock"));
        assert_ne!(a, b);
        assert_eq!(a.to_json(), json!("tcp://localhost:9000"));
        assert_eq!(b.to_json(), json!("unix:///tmp/f.sock"));
    }
}
