//! [`Spec`] → [`Ini`]: every section and option as supervisord's parser
//! would hold it after reading the INI that `supc render` writes, with each
//! [`Definition`] pointing into the YAML text.
//!
//! YAML strings are literal text in which `%(name)s` (any Python conversion
//! such as `%(process_num)02d`) is a supervisord expansion and `%%` is a
//! literal `%` (a `%` that starts no expansion is literal too). The builder
//! writes the INI form (`docs/semantics.md` §11): `%` doubled, or quadrupled where
//! supervisord expands twice (`stdout_logfile`, `stderr_logfile`,
//! `[supervisord] environment`); environment values double-quoted (single
//! quotes when the value holds `"`); whitespace that configparser would
//! strip and `;`/`#` after whitespace (a comment to configparser) protected
//! with the empty expansion `%(here).0s` where the option can use `here`,
//! refused elsewhere.
//!
//! A section's `ini:` values are INI text and are taken as they are: the
//! entry holds what configparser makes of the text (see [`raw_value`]),
//! `%` untouched. Such an option must be one the section reads and must
//! not also be given typed.

use super::locate::Locator;
use super::spec::Spec;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::ini::{Definition, Entry, Ini, Section};
use crate::options::SectionKind;
use crate::source::Span;
use serde_json::Value;

/// One part of a YAML string.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Lit(String),
    /// A whole `%(name)…` spec as written.
    Spec(String),
}

/// Splits a YAML string into literal text and expansion specs; a `%` that
/// starts no spec is literal text.
pub fn pieces(s: &str) -> Vec<Piece> {
    scan(s).0
}

/// Splits text into literal runs (`%%` read as `%`) and `%(…)` specs; the
/// flag tells whether some `%` started no spec (kept as a literal `%`).
/// This is [`crate::python::percent::lenient`]'s reading.
pub fn scan(s: &str) -> (Vec<Piece>, bool) {
    use crate::python::percent::Token;
    let mut out: Vec<Piece> = Vec::new();
    let mut lit = String::new();
    let mut lone = false;
    for token in crate::python::percent::lenient(s) {
        match token {
            Token::Text(t) => lit.push_str(t),
            Token::Escape => lit.push('%'),
            Token::Lone(_) => {
                lone = true;
                lit.push('%');
            }
            Token::Expansion(spec) => {
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                out.push(Piece::Spec(s[spec.start..spec.end].to_string()));
            }
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    (out, lone)
}

const EMPTY: &str = "%(here).0s";

/// The INI text of a value given as pieces, for option `key` of `kind`.
pub fn ini_text(kind: SectionKind, key: &str, parts: &[Piece]) -> Result<String, String> {
    let (times, here) =
        crate::options::expansion(kind, key).map_or((0, false), |e| (e.passes, e.here));
    let pct = match times {
        0 => "%",
        1 => "%%",
        _ => "%%%%",
    };
    let mut text = String::new();
    for p in parts {
        match p {
            Piece::Lit(l) => text.push_str(&l.replace('%', pct)),
            Piece::Spec(s) if times == 0 => {
                return Err(format!("`{s}`: this option is not expanded by supervisord"));
            }
            Piece::Spec(s) => text.push_str(s),
        }
    }
    protect(&text, here)
}

fn is_ws(c: char) -> bool {
    c.is_whitespace()
}

/// Makes `text` survive configparser: stripped edges, inline comments and
/// comment-like continuation lines get `%(here).0s` (or are refused).
fn protect(text: &str, here: bool) -> Result<String, String> {
    if text.contains('\r') {
        return Err("a carriage return cannot be written in an INI value".into());
    }
    let refuse = |what: &str| {
        Err(format!(
            "{what} cannot be written in INI for this option (supervisord does not expand `%(here)s` here, so there is no escape)"
        ))
    };
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut l = String::with_capacity(line.len());
        let starts_ws = line.starts_with(is_ws);
        let comment_start = i > 0 && (line.starts_with(';') || line.starts_with('#'));
        if starts_ws || comment_start {
            if !here {
                return refuse("leading whitespace (or a line starting with `;`/`#`)");
            }
            l.push_str(EMPTY);
        }
        let mut prev_ws = false;
        for c in line.chars() {
            if (c == ';' || c == '#') && prev_ws {
                if !here {
                    return refuse("`;` or `#` after whitespace (a comment to configparser)");
                }
                l.push_str(EMPTY);
            }
            prev_ws = is_ws(c);
            l.push(c);
        }
        if line.ends_with(is_ws) {
            if !here {
                return refuse("trailing whitespace");
            }
            l.push_str(EMPTY);
        }
        out.push_str(&l);
    }
    Ok(out)
}

/// Text of a scalar JSON value.
fn scalar_pieces(v: &Value) -> Option<Vec<Piece>> {
    match v {
        Value::String(s) => Some(pieces(s)),
        Value::Number(n) => Some(vec![Piece::Lit(n.to_string())]),
        Value::Bool(b) => Some(vec![Piece::Lit(b.to_string())]),
        _ => None,
    }
}

/// The pieces of an option value (lists joined, environment quoted).
fn value_pieces(key: &str, v: &Value) -> Result<Vec<Piece>, String> {
    match v {
        Value::Array(items) => {
            let sep = if key == "files" { " " } else { "," };
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = scalar_pieces(item).ok_or("list items must be scalars")?;
                let bad = p.iter().any(|x| matches!(x, Piece::Lit(l) if l.contains(sep) || (sep == " " && l.contains(char::is_whitespace))));
                if bad {
                    return Err(format!("a list item cannot contain `{}`", sep.trim()));
                }
                if i > 0 {
                    out.push(Piece::Lit(sep.into()));
                }
                out.extend(p);
            }
            Ok(out)
        }
        Value::Object(map) => {
            let mut out = Vec::new();
            for (i, (k, val)) in map.iter().enumerate() {
                let word = |c: char| c.is_ascii_alphanumeric() || "_/.+-():".contains(c);
                if k.is_empty() || !k.chars().all(word) {
                    return Err(format!(
                        "environment name {k:?} must be made of letters, digits and `_/.+-():`"
                    ));
                }
                let p = scalar_pieces(val).ok_or("environment values must be scalars")?;
                let lits: String = p
                    .iter()
                    .filter_map(|x| match x {
                        Piece::Lit(l) => Some(l.as_str()),
                        Piece::Spec(_) => None,
                    })
                    .collect();
                if lits.contains('\n') {
                    return Err(format!("environment value of {k} cannot span lines"));
                }
                let q = match (lits.contains('"'), lits.contains('\'')) {
                    (false, _) => "\"",
                    (true, false) => "'",
                    (true, true) => {
                        return Err(format!(
                            "environment value of {k} holds both `\"` and `'`: supervisord has no escape for that"
                        ));
                    }
                };
                let edge = |x: Option<&Piece>, first: bool| match x {
                    Some(Piece::Lit(l)) => {
                        let c = if first {
                            l.chars().next()
                        } else {
                            l.chars().last()
                        };
                        matches!(c, Some('"' | '\''))
                    }
                    _ => false,
                };
                if edge(p.first(), true) || edge(p.last(), false) {
                    return Err(format!(
                        "environment value of {k} starts or ends with a quote, which supervisord strips"
                    ));
                }
                if i > 0 {
                    out.push(Piece::Lit(",".into()));
                }
                out.push(Piece::Lit(format!("{k}={q}")));
                out.extend(p);
                out.push(Piece::Lit(q.into()));
            }
            Ok(out)
        }
        other => scalar_pieces(other).ok_or_else(|| "unsupported value".to_string()),
    }
}

/// What supervisord's parser holds for `text` written after `key=` the way
/// the INI emitter writes it (continuation lines indented): the value of an
/// option given in `ini:`. Inline comments and the whitespace configparser
/// strips go; `%` is left alone.
pub fn raw_value(text: &str) -> Result<String, String> {
    if text.contains('\r') {
        return Err("a carriage return cannot be written in an INI value".into());
    }
    let mut ini = String::from("[s]\nk=");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            ini.push_str("\n    ");
        }
        ini.push_str(line);
    }
    ini.push('\n');
    let parsed = crate::syntax::parse_file(crate::source::FileId(0), &ini);
    let mut options = parsed.events.iter().filter_map(|e| match e {
        crate::syntax::Event::Option(o) => Some(o),
        crate::syntax::Event::Section(_) => None,
    });
    match (options.next(), options.next()) {
        (Some(o), None) if o.key == "k" && parsed.bad_lines.is_empty() => Ok(o.value()),
        _ => Err("this text is not one INI value".into()),
    }
}

/// The part of `span` (in `text`) that shows the single-line `value`
/// (inside quotes or a flow mapping), so findings at an offset of the
/// value land on the right character.
fn narrow(text: &str, span: Span, value: &str) -> Span {
    let (start, end) = (span.start as usize, span.end as usize);
    let Some(shown) = text.get(start..end) else {
        return span;
    };
    if value.is_empty() || value.contains('\n') {
        return span;
    }
    match (shown.find(value), shown.rfind(value)) {
        (Some(a), Some(b)) if a == b => Span::new(span.file, start + a, start + a + value.len()),
        _ => span,
    }
}

/// The typed value of an option as its INI text (what supervisord's parser
/// holds after reading it), or why it has none.
pub fn typed_text(kind: SectionKind, key: &str, v: &Value) -> Result<String, String> {
    let value = value_pieces(key, v).and_then(|parts| ini_text(kind, key, &parts))?;
    Ok(crate::python::unicode::rstrip(&value).to_string())
}

/// Builds the [`Ini`] of a parsed spec (whose YAML text is `text`). Errors
/// are values that have no INI form, at their YAML place.
pub fn build(spec: &Spec, loc: &Locator, text: &str) -> (Ini, Vec<Diagnostic>) {
    let mut b = Builder {
        ini: Ini::default(),
        diags: Vec::new(),
        loc,
        text,
    };
    if let Some(v) = one(&spec.supervisord) {
        b.section("supervisord", &["supervisord"], &v);
    }
    if let Some(v) = one(&spec.unix_http_server) {
        b.section("unix_http_server", &["unix_http_server"], &v);
    }
    if let Some(v) = one(&spec.inet_http_server) {
        b.section("inet_http_server", &["inet_http_server"], &v);
    }
    for (name, server) in spec.more_http_servers.iter().flatten() {
        let v = serde_json::to_value(server).unwrap_or(Value::Null);
        if matches!(
            SectionKind::of(name),
            SectionKind::InetHttpServer | SectionKind::UnixHttpServer
        ) {
            b.section(name, &["more_http_servers", name], &v);
        } else {
            let place = b.loc.place(&["more_http_servers", name]);
            b.diags.push(
                Diagnostic::error(
                    Code::InvalidSpec,
                    format!("`{name}` is not a server section name: it must start with `inet_http_server` or `unix_http_server`"),
                )
                .at(place.key, "not a server section"),
            );
        }
    }
    if let Some(v) = one(&spec.supervisorctl) {
        b.section("supervisorctl", &["supervisorctl"], &v);
    }
    b.named(
        "rpcinterfaces",
        "rpcinterface:",
        spec.rpcinterfaces.as_ref(),
    );
    b.named("ctlplugins", "ctlplugin:", spec.ctlplugins.as_ref());
    b.named("programs", "program:", spec.programs.as_ref());
    b.named(
        "eventlisteners",
        "eventlistener:",
        spec.eventlisteners.as_ref(),
    );
    b.named(
        "fcgi_programs",
        "fcgi-program:",
        spec.fcgi_programs.as_ref(),
    );
    b.named("groups", "group:", spec.groups.as_ref());
    if let Some(v) = one(&spec.include) {
        b.section("include", &["include"], &v);
    }
    (b.ini, b.diags)
}

fn one<T: serde::Serialize>(v: &Option<T>) -> Option<Value> {
    v.as_ref()
        .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
}

struct Builder<'a> {
    ini: Ini,
    diags: Vec<Diagnostic>,
    loc: &'a Locator,
    text: &'a str,
}

impl Builder<'_> {
    fn named<T: serde::Serialize>(
        &mut self,
        top: &str,
        prefix: &str,
        map: Option<&indexmap::IndexMap<String, T>>,
    ) {
        for (name, sec) in map.into_iter().flatten() {
            let v = serde_json::to_value(sec).unwrap_or(Value::Null);
            self.section(&format!("{prefix}{name}"), &[top, name], &v);
        }
    }

    fn section(&mut self, name: &str, path: &[&str], v: &Value) {
        let kind = SectionKind::of(name);
        let header = self.loc.place(path).key;
        let mut section = Section::new(header);
        let mut raw = None;
        for (key, val) in v.as_object().into_iter().flatten() {
            if val.is_null() {
                continue;
            }
            if key == "ini" && val.is_object() {
                raw = val.as_object();
                continue;
            }
            let mut p: Vec<&str> = path.to_vec();
            p.push(key);
            let place = self.loc.place(&p);
            match typed_text(kind, key, val) {
                Ok(value) => {
                    section.entries.insert(
                        self.ini.intern(key),
                        Entry::new(place.key, place.value, value),
                    );
                }
                Err(msg) => self.diags.push(
                    Diagnostic::error(Code::NoIniForm, format!("[{name}] {key}: {msg}"))
                        .at(place.value, "this value has no INI form"),
                ),
            }
        }
        for (key, val) in raw.into_iter().flatten() {
            let mut p: Vec<&str> = path.to_vec();
            p.extend(["ini", key.as_str()]);
            let place = self.loc.place(&p);
            let Some(text) = val.as_str() else {
                continue;
            };
            if !kind.takes_any_key() && crate::options::lookup(kind, key).is_none() {
                let names = crate::options::options_of(kind).map(|o| o.name);
                // Written as given (as `convert` keeps a misplaced key of
                // an INI file), with a warning: supervisord ignores it.
                let mut d = Diagnostic::warning(
                    Code::InvalidSpec,
                    format!(
                        "[{name}] has no option `{key}` (under `ini:`): supervisord ignores it"
                    ),
                )
                .at(place.key, "not an option of this section");
                if let Some(c) = crate::options::closest(key, names) {
                    d = d.help(format!("did you mean `{c}`?"));
                }
                self.diags.push(d);
            }
            if section.entries.contains_key(key.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidSpec,
                        format!("[{name}] {key} is given twice: typed and under `ini:`"),
                    )
                    .at(place.key, "give it one way only"),
                );
                continue;
            }
            match raw_value(text) {
                Ok(value) => {
                    section.entries.insert(
                        self.ini.intern(key),
                        Entry::with_value(
                            Definition::new(
                                place.key,
                                narrow(self.text, place.value, text),
                                text.into(),
                            ),
                            value.into(),
                        ),
                    );
                }
                Err(msg) => self.diags.push(
                    Diagnostic::error(Code::NoIniForm, format!("[{name}] {key}: {msg}"))
                        .at(place.value, "this value has no INI form"),
                ),
            }
        }
        self.ini.sections.insert(name.to_string(), section);
    }
}

/// A span for diagnostics when nothing better is known.
pub fn file_start(loc: &Locator) -> Span {
    loc.place(&[]).key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_spec() {
        let p = |s: &str| pieces(s);
        let prog = SectionKind::Program;
        assert_eq!(
            ini_text(prog, "command", &p("echo 100% %(program_name)s")).unwrap(),
            "echo 100%% %(program_name)s"
        );
        assert_eq!(
            ini_text(prog, "stdout_logfile", &p("/l/100%.log")).unwrap(),
            "/l/100%%%%.log"
        );
        assert_eq!(
            ini_text(prog, "command", &p("bash -c 'a ; b'")).unwrap(),
            "bash -c 'a %(here).0s; b'"
        );
        assert!(ini_text(SectionKind::InetHttpServer, "password", &p("a #b")).is_err());
        assert_eq!(p("%%(x)s"), vec![Piece::Lit("%(x)s".into())]);
        assert_eq!(p("%s"), vec![Piece::Lit("%s".into())]);
        assert_eq!(
            p("%(process_num)02d"),
            vec![Piece::Spec("%(process_num)02d".into())]
        );
    }

    #[test]
    fn ini_text_is_read_as_configparser_reads_it() {
        assert_eq!(raw_value("date +%s").unwrap(), "date +%s");
        assert_eq!(raw_value("%%(x)s ; a comment").unwrap(), "%%(x)s");
        assert_eq!(raw_value("  a\n  b  \n\nc").unwrap(), "a\nb\n\nc");
        assert_eq!(raw_value("").unwrap(), "");
        assert!(raw_value("a\rb").is_err());
    }

    #[test]
    fn ini_values_are_entries_with_yaml_places() {
        let text =
            "programs:\n  a:\n    command: /bin/a\n    ini:\n      stdout_logfile: '/l/%s'\n";
        let spec: Spec = serde_yaml_ng::from_str(text).unwrap();
        let loc = Locator::scan(crate::source::FileId(0), text);
        let (ini, diags) = build(&spec, &loc, text);
        assert!(diags.is_empty(), "{diags:?}");
        let e = &ini.sections["program:a"].entries["stdout_logfile"];
        assert_eq!(e.value(), "/l/%s");
        let span = e.def.value_span;
        assert_eq!(&text[span.start as usize..span.end as usize], "/l/%s");
        assert_eq!(
            ini.sections["program:a"].entries["command"].value(),
            "/bin/a"
        );
    }
}
