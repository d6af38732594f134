//! The typed model of `supc.yaml`: one struct per section type, one field
//! per option of [`crate::options`], with natural YAML types.
//!
//! Field names are supervisord's option names; field order is the order
//! the converter writes them in. Values that supervisord would expand may
//! also be given as strings holding `%(name)s` specs (or, for integers and
//! booleans, the text supervisord accepts). Every section also takes
//! `ini:`, a mapping from option name to the value's INI text, written
//! verbatim ([`IniOptions`]): the escape hatch for the quirks the typed
//! form cannot say, so every INI config that supervisord reads has a YAML
//! form.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An integer: a YAML integer, or a string (`"+1_0"`, `"%(ENV_N)s"`).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Int {
    Int(i64),
    Text(String),
}

/// A boolean: `true`/`false`, or one of supervisord's words
/// (`yes`, `no`, `on`, `off`, `1`, `0`) or a `%(name)s` string.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Bool {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// A byte size: an integer number of bytes, or a string such as `50MB`,
/// `1024KB`, `1GB`.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Bytes {
    Int(i64),
    Text(String),
}

/// A string or a number written as its digits (ports, uids, octal modes,
/// signal numbers).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Word {
    Int(i64),
    Text(String),
}

/// A list (`[a, b]`) or supervisord's comma-separated string.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum List {
    List(Vec<Word>),
    Text(String),
}

/// Exit codes: a list of integers 0-255 (`[]`: no exit is expected), one
/// integer, or supervisord's comma-separated string.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum ExitCodes {
    List(Vec<Int>),
    Int(i64),
    Text(String),
}

/// A scalar environment value (numbers and booleans are written as text).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// Hand-written `Deserialize` for the value enums: a wrong type is then
/// reported at the value itself, naming what was expected (serde's
/// untagged enums only say that no variant matched).
macro_rules! scalar_de {
    ($ty:ident, $expecting:literal, bool: $b:expr, int: $i:expr, float: $f:expr, str: $s:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<$ty, E> {
                        let conv: Option<fn(bool) -> $ty> = $b;
                        conv.map(|c| c(v))
                            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Bool(v), &self))
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        let conv: Option<fn(i64) -> $ty> = $i;
                        conv.map(|c| c(v))
                            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        match i64::try_from(v) {
                            Ok(i) => self.visit_i64(i),
                            Err(_) => self.visit_str(&v.to_string()),
                        }
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$ty, E> {
                        let conv: Option<fn(f64) -> $ty> = $f;
                        conv.map(|c| c(v))
                            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Float(v), &self))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        let conv: fn(String) -> $ty = $s;
                        Ok(conv(v.to_string()))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

scalar_de!(Int, "an integer (or a string such as \"%(ENV_N)s\")",
    bool: None, int: Some(Int::Int), float: None, str: Int::Text);
scalar_de!(Bool, "true or false",
    bool: Some(Bool::Bool), int: Some(Bool::Int), float: None, str: Bool::Text);
scalar_de!(Bytes, "a byte size: an integer or a string such as 50MB",
    bool: None, int: Some(Bytes::Int), float: None, str: Bytes::Text);
scalar_de!(Word, "a string or an integer",
    bool: None, int: Some(Word::Int), float: None, str: Word::Text);
scalar_de!(Scalar, "a string, number or boolean",
    bool: Some(Scalar::Bool), int: Some(Scalar::Int), float: Some(Scalar::Float), str: Scalar::Text);

/// A list or a string, with a wrong type reported at the value.
macro_rules! list_de {
    ($ty:ident, $item:ty, $expecting:literal, int: $i:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        let conv: Option<fn(i64) -> $ty> = $i;
                        conv.map(|c| c(v))
                            .ok_or_else(|| E::invalid_type(serde::de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        match i64::try_from(v) {
                            Ok(i) => self.visit_i64(i),
                            Err(_) => {
                                Err(E::invalid_type(serde::de::Unexpected::Unsigned(v), &self))
                            }
                        }
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        Ok($ty::Text(v.to_string()))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<$ty, A::Error> {
                        let mut out: Vec<$item> = Vec::new();
                        while let Some(x) = seq.next_element()? {
                            out.push(x);
                        }
                        Ok($ty::List(out))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

list_de!(List, Word, "a list or a comma-separated string", int: None);
list_de!(ExitCodes, Int, "a list of exit codes such as [0, 2]", int: Some(ExitCodes::Int));

/// `environment`: a mapping from variable name to value; supc quotes the
/// values for supervisord.
pub type Environment = IndexMap<String, Scalar>;

/// `ini:` of a section: option name → the value's INI text, verbatim.
pub type IniOptions = IndexMap<String, String>;

/// `[rpcinterface:NAME]` and `[ctlplugin:NAME]`: the factory key and its
/// arguments, by any name. `ini:` given a mapping is the raw form of the
/// other sections ([`IniOptions`]); an argument that is itself named `ini`
/// is a scalar there (or `ini: {ini: TEXT}` next to other raw arguments).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plugin {
    pub options: IndexMap<String, Word>,
    pub ini: Option<IniOptions>,
}

impl Serialize for Plugin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let raw = self.ini.as_ref().filter(|r| !r.is_empty());
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.options {
            if k == "ini" && raw.is_some() {
                continue;
            }
            m.serialize_entry(k, v)?;
        }
        if let Some(raw) = raw {
            m.serialize_entry("ini", raw)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Plugin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// `ini:` of a plugin section: the raw form, or an argument.
        enum IniKey {
            Raw(IniOptions),
            Arg(Word),
        }
        impl<'de> Deserialize<'de> for IniKey {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = IniKey;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a mapping of option names to INI text, or a string")
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IniKey, E> {
                        Ok(IniKey::Arg(Word::Int(v)))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IniKey, E> {
                        Ok(IniKey::Arg(match i64::try_from(v) {
                            Ok(i) => Word::Int(i),
                            Err(_) => Word::Text(v.to_string()),
                        }))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IniKey, E> {
                        Ok(IniKey::Arg(Word::Text(v.to_string())))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<IniKey, A::Error> {
                        let mut out = IniOptions::new();
                        while let Some((k, v)) = map.next_entry::<String, String>()? {
                            out.insert(k, v);
                        }
                        Ok(IniKey::Raw(out))
                    }
                }
                d.deserialize_any(V)
            }
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Plugin;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping of argument names to values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Plugin, A::Error> {
                let mut out = Plugin::default();
                while let Some(k) = map.next_key::<String>()? {
                    if k == "ini" {
                        match map.next_value::<IniKey>()? {
                            IniKey::Raw(r) => out.ini = Some(r),
                            IniKey::Arg(w) => {
                                out.options.insert(k, w);
                            }
                        }
                    } else {
                        let v = map.next_value::<Word>()?;
                        out.options.insert(k, v);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonSchema for Plugin {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Plugin".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let word = g.subschema_for::<Word>();
        schemars::json_schema!({
            "type": "object",
            "description": "The factory key and its arguments, by name.",
            "properties": {
                "ini": {
                    "description": format!("{INI_DESCRIPTION} In these sections a scalar `ini:` is an argument named `ini`."),
                    "anyOf": [
                        {"type": "object", "additionalProperties": {"type": "string"}},
                        word.clone(),
                    ],
                },
            },
            "additionalProperties": word,
        })
    }
}

/// The schema's description of `ini:`.
const INI_DESCRIPTION: &str = "Options given as INI text: option name → the text exactly as it would follow `name=` in the INI file, written unchanged (no `%` escaping, no environment quoting). For supervisord quirks the typed options cannot say, such as a bare `%s`, a `%%(name)s` meant for the second expansion of a log file name or a quoted environment name; `supc convert` uses it only for those. An option is given either here or typed, not both.";

/// The whole config.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `[supervisord]`: the daemon's own settings.
    pub supervisord: Option<Supervisord>,
    /// `[unix_http_server]`: the UNIX socket supervisorctl talks to.
    pub unix_http_server: Option<UnixHttpServer>,
    /// `[inet_http_server]`: the TCP server (XML-RPC and web UI).
    pub inet_http_server: Option<InetHttpServer>,
    /// More server sections, by full section name, in order: supervisord
    /// starts a server for every section whose name starts with
    /// `inet_http_server` or `unix_http_server` (e.g. `inet_http_server:two`).
    /// Written after the two above.
    pub more_http_servers: Option<IndexMap<String, HttpServerSection>>,
    /// `[supervisorctl]`: read by supervisorctl only.
    pub supervisorctl: Option<Supervisorctl>,
    /// `[rpcinterface:NAME]`: the factory and its arguments.
    pub rpcinterfaces: Option<IndexMap<String, Plugin>>,
    /// `[ctlplugin:NAME]`: supervisorctl plugins.
    pub ctlplugins: Option<IndexMap<String, Plugin>>,
    /// `[program:NAME]`, by name.
    pub programs: Option<IndexMap<String, Program>>,
    /// `[eventlistener:NAME]`, by name.
    pub eventlisteners: Option<IndexMap<String, EventListener>>,
    /// `[fcgi-program:NAME]`, by name.
    pub fcgi_programs: Option<IndexMap<String, FcgiProgram>>,
    /// `[group:NAME]`, by name.
    pub groups: Option<IndexMap<String, Group>>,
    /// `[include]`: native INI files read after this config.
    pub include: Option<Include>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Supervisord {
    pub logfile: Option<String>,
    pub logfile_maxbytes: Option<Bytes>,
    pub logfile_backups: Option<Int>,
    pub loglevel: Option<String>,
    pub pidfile: Option<String>,
    pub umask: Option<Word>,
    pub nodaemon: Option<Bool>,
    pub silent: Option<Bool>,
    pub minfds: Option<Int>,
    pub minprocs: Option<Int>,
    pub nocleanup: Option<Bool>,
    pub childlogdir: Option<String>,
    pub user: Option<Word>,
    pub directory: Option<String>,
    pub strip_ansi: Option<Bool>,
    pub environment: Option<Environment>,
    pub identifier: Option<String>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnixHttpServer {
    pub file: Option<String>,
    pub chmod: Option<Word>,
    pub chown: Option<Word>,
    pub username: Option<Word>,
    pub password: Option<Word>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InetHttpServer {
    pub port: Option<Word>,
    pub username: Option<Word>,
    pub password: Option<Word>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

/// One `[inet_http_server*]` (port) or `[unix_http_server*]` (file) section.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpServerSection {
    pub file: Option<String>,
    pub chmod: Option<Word>,
    pub chown: Option<Word>,
    pub port: Option<Word>,
    pub username: Option<Word>,
    pub password: Option<Word>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Supervisorctl {
    pub serverurl: Option<String>,
    pub username: Option<Word>,
    pub password: Option<Word>,
    pub prompt: Option<String>,
    pub history_file: Option<String>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub programs: Option<List>,
    pub priority: Option<Int>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Include {
    pub files: Option<List>,
    /// Options given as INI text: option name → the text exactly as it
    /// would follow `name=` in the INI file, written unchanged (no `%`
    /// escaping, no environment quoting). For supervisord quirks the typed
    /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
    /// expansion, a quoted environment name, ...); an option is given
    /// either here or typed, not both.
    pub ini: Option<IniOptions>,
}

/// The program-like structs share their fields; each adds its own first.
macro_rules! program_like {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub command: Option<String>,
            pub process_name: Option<String>,
            pub numprocs: Option<Int>,
            pub numprocs_start: Option<Int>,
            $($(#[$fdoc])* pub $field: $ty,)*
            pub directory: Option<String>,
            pub umask: Option<Word>,
            pub priority: Option<Int>,
            pub autostart: Option<Bool>,
            pub startsecs: Option<Int>,
            pub startretries: Option<Int>,
            pub autorestart: Option<Bool>,
            pub exitcodes: Option<ExitCodes>,
            pub stopsignal: Option<Word>,
            pub stopwaitsecs: Option<Int>,
            pub stopasgroup: Option<Bool>,
            pub killasgroup: Option<Bool>,
            pub user: Option<Word>,
            pub redirect_stderr: Option<Bool>,
            pub stdout_logfile: Option<String>,
            pub stdout_logfile_maxbytes: Option<Bytes>,
            pub stdout_logfile_backups: Option<Int>,
            pub stdout_capture_maxbytes: Option<Bytes>,
            pub stdout_events_enabled: Option<Bool>,
            pub stdout_syslog: Option<Bool>,
            pub stderr_logfile: Option<String>,
            pub stderr_logfile_maxbytes: Option<Bytes>,
            pub stderr_logfile_backups: Option<Int>,
            pub stderr_capture_maxbytes: Option<Bytes>,
            pub stderr_events_enabled: Option<Bool>,
            pub stderr_syslog: Option<Bool>,
            pub environment: Option<Environment>,
            pub serverurl: Option<String>,
            /// Options given as INI text: option name → the text exactly as it
            /// would follow `name=` in the INI file, written unchanged (no `%`
            /// escaping, no environment quoting). For supervisord quirks the typed
            /// fields cannot say (a bare `%s`, a `%%(name)s` for the second
            /// expansion, a quoted environment name, ...); an option is given
            /// either here or typed, not both.
            pub ini: Option<IniOptions>,
        }
    };
}

program_like!(
    /// `[program:NAME]`.
    Program {}
);
program_like!(
    /// `[eventlistener:NAME]`.
    EventListener {
        events: Option<List>,
        buffer_size: Option<Int>,
        result_handler: Option<String>,
    }
);
program_like!(
    /// `[fcgi-program:NAME]`.
    FcgiProgram {
        socket: Option<String>,
        socket_backlog: Option<Int>,
        socket_owner: Option<Word>,
        socket_mode: Option<Word>,
    }
);

/// The JSON Schema of `supc.yaml` (`schemas/supc-yaml.schema.json`):
/// generated from these types, with each option's description, default and
/// accepted values taken from [`crate::options`].
pub fn schema() -> String {
    use crate::options::{SectionKind, lookup};
    let mut schema = serde_json::to_value(schemars::schema_for!(Spec)).unwrap_or_default();
    let kinds = [
        ("Supervisord", SectionKind::Supervisord),
        ("UnixHttpServer", SectionKind::UnixHttpServer),
        ("InetHttpServer", SectionKind::InetHttpServer),
        ("Supervisorctl", SectionKind::Supervisorctl),
        ("Program", SectionKind::Program),
        ("EventListener", SectionKind::EventListener),
        ("FcgiProgram", SectionKind::FcgiProgram),
        ("Group", SectionKind::Group),
        ("Include", SectionKind::Include),
    ];
    if let Some(defs) = schema.get_mut("$defs").and_then(|d| d.as_object_mut()) {
        let servers = [SectionKind::InetHttpServer, SectionKind::UnixHttpServer];
        for (def, kinds) in kinds
            .iter()
            .map(|(d, k)| (*d, std::slice::from_ref(k)))
            .chain([("HttpServerSection", &servers[..])])
        {
            if let Some(ini) = defs
                .get_mut(def)
                .and_then(|d| d.get_mut("properties"))
                .and_then(|p| p.get_mut("ini"))
                .and_then(|p| p.as_object_mut())
            {
                ini_schema(ini, kinds);
            }
        }
        for (def, kind) in kinds {
            let Some(props) = defs
                .get_mut(def)
                .and_then(|d| d.get_mut("properties"))
                .and_then(|p| p.as_object_mut())
            else {
                continue;
            };
            for (key, prop) in props.iter_mut() {
                let Some(spec) = lookup(kind, key) else {
                    continue;
                };
                let Some(obj) = prop.as_object_mut() else {
                    continue;
                };
                let mut doc = spec.doc.to_string();
                doc.push_str(&format!("\n\nValue: {}.", spec.ty.describe()));
                if let Some(d) = spec.default {
                    doc.push_str(&format!(" Default: `{d}`."));
                }
                obj.insert("description".into(), doc.into());
                if let Some(d) = spec.default.and_then(|d| default_value(spec.ty, d)) {
                    obj.insert("default".into(), d);
                }
                if let Some(values) = enum_values(spec.ty) {
                    obj.insert(
                        "examples".into(),
                        serde_json::Value::Array(values.iter().map(|v| (*v).into()).collect()),
                    );
                }
            }
        }
    }
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// `ini:` of a section: each option the section reads, as a string.
fn ini_schema(
    ini: &mut serde_json::Map<String, serde_json::Value>,
    kinds: &[crate::options::SectionKind],
) {
    let mut props = serde_json::Map::new();
    for kind in kinds {
        for spec in crate::options::options_of(*kind) {
            props.entry(spec.name).or_insert_with(|| {
                serde_json::json!({
                    "type": "string",
                    "description": format!("{}\n\nWritten verbatim as `{}=` in the INI file.", spec.doc, spec.name),
                })
            });
        }
    }
    ini.insert("description".into(), INI_DESCRIPTION.into());
    ini.insert("properties".into(), props.into());
    ini.insert("additionalProperties".into(), false.into());
}

/// The default as a typed JSON value, when it is a literal.
fn default_value(ty: crate::options::ValueType, d: &str) -> Option<serde_json::Value> {
    use crate::options::ValueType as T;
    if d.starts_with('$') || d.contains('%') {
        return None;
    }
    Some(match ty {
        T::Int => d.parse::<i64>().ok()?.into(),
        T::Bool => match d {
            "true" => true.into(),
            "false" => false.into(),
            _ => return None,
        },
        T::ExitCodes => serde_json::Value::Array(
            d.split(',')
                .filter_map(|c| c.parse::<i64>().ok())
                .map(Into::into)
                .collect(),
        ),
        T::AutoRestart if d == "unexpected" => d.into(),
        _ => d.into(),
    })
}

/// Values an editor can offer.
fn enum_values(ty: crate::options::ValueType) -> Option<&'static [&'static str]> {
    use crate::options::ValueType as T;
    match ty {
        T::LogLevel => Some(&[
            "critical", "error", "warn", "info", "debug", "trace", "blather",
        ]),
        T::AutoRestart => Some(&["unexpected", "true", "false"]),
        T::Signal => Some(&["TERM", "HUP", "INT", "QUIT", "KILL", "USR1", "USR2"]),
        T::LogFile => Some(&["AUTO", "NONE", "syslog"]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_ini_is_raw_as_a_mapping_and_an_argument_otherwise() {
        let p: Plugin = serde_yaml_ng::from_str("{f: x, ini: /etc/a.ini}").unwrap();
        assert_eq!(p.options["ini"], Word::Text("/etc/a.ini".into()));
        assert_eq!(p.ini, None);
        let p: Plugin = serde_yaml_ng::from_str("{f: x, ini: {ini: '100%', n: 0x10}}").unwrap();
        assert!(!p.options.contains_key("ini"));
        let raw = p.ini.clone().unwrap();
        assert_eq!((raw["ini"].as_str(), raw["n"].as_str()), ("100%", "0x10"));
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"f": "x", "ini": {"ini": "100%", "n": "0x10"}})
        );
    }

    #[test]
    fn section_ini_keeps_the_text_as_written() {
        let p: Program = serde_yaml_ng::from_str("ini: {numprocs: 0x10, autostart: yes}").unwrap();
        let raw = p.ini.unwrap();
        assert_eq!(raw["numprocs"], "0x10");
        assert_eq!(raw["autostart"], "yes");
    }
}
