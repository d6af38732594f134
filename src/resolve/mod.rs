//! Stage 3: [`Loaded`] → [`Config`] (supervisord's semantics).
//!
//! Input: the merged [`Ini`](crate::ini::Ini) with spans. Output: the
//! resolved [`Config`] (settings, servers, plugins, groups and every process
//! instance) plus diagnostics. Options are read, expanded and converted in
//! the order `ServerOptions.read_config` reads them, with the same
//! expansion names per option, so the first error recorded is the one
//! supervisord would print. Where supervisord stops at that error, supc
//! records it, substitutes the default and goes on, so `supc check` can
//! report every independent problem; [`Resolution::config`] is only `Some`
//! when there is no error at all.

mod datatypes;
mod groups;
mod plugins;
mod process;
mod servers;
#[rustfmt::skip]
mod supervisor_imports;
mod supervisor_modules;
mod supervisord;

pub use datatypes::{
    auto_restart, boolean, byte_size, integer, list_of_strings, logging_level, octal, signal_number,
};
pub use groups::EVENT_TYPES;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::load::{Loaded, format_error};
use crate::model::Config;
use crate::python::format::{Layers, Lookup, Mapping, Template};
use crate::source::Span;
use std::rc::Rc;

/// The outcome of resolving a loaded config.
#[derive(Debug)]
pub struct Resolution {
    /// The resolved config, when supervisord would accept it.
    pub config: Option<Config>,
    /// Load and resolve diagnostics, in supervisord's evaluation order.
    pub diagnostics: Vec<Diagnostic>,
    /// The best-effort model of a rejected config (sections with errors
    /// left out); `None` when `config` holds the model.
    rejected: Option<Config>,
}

impl Resolution {
    /// The model: the accepted config, or the best effort for a rejected
    /// one (for lint and explain).
    pub fn model(&self) -> &Config {
        match (&self.config, &self.rejected) {
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => unreachable!("resolve() always sets one of them"),
        }
    }

    /// The error supervisord would print (the first one it meets).
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.severity == crate::diagnostic::Severity::Error)
    }
}

/// Resolves a loaded config.
pub fn resolve(loaded: &Loaded, host: &Host) -> Resolution {
    resolve_on(loaded, host, crate::parallel::cores())
}

/// [`resolve`] with at most `threads` threads for program sections.
fn resolve_on(loaded: &Loaded, host: &Host, threads: usize) -> Resolution {
    let mut r = Resolver::new(loaded, host);
    r.threads = threads;
    r.diags.extend(loaded.diagnostics.iter().cloned());
    let config = r.run();
    let mut diagnostics = r.diags;
    dedupe(&mut diagnostics);
    let ok = !diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error);
    let (config, rejected) = if ok {
        (Some(config), None)
    } else {
        (None, Some(config))
    };
    Resolution {
        config,
        diagnostics,
        rejected,
    }
}

/// Per-instance checks can raise the same error many times; keep one.
fn dedupe(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.message.clone(), d.primary.as_ref().map(|l| l.span))));
}

/// How supervisord names a value in a format error: `section.key` for
/// options read through the parser, a bare name for its direct `expand()`
/// calls. Built only when an error needs it.
#[derive(Clone, Copy)]
pub(crate) enum Label<'a> {
    Option(&'a str, &'a str),
    Bare(&'a str),
}

/// A value read from the config (or a string default).
#[derive(Clone, Debug)]
pub(crate) struct Got {
    pub text: String,
    /// Where the value was written; `None` for a default.
    pub span: Option<Span>,
    pub key_span: Option<Span>,
}

/// A value before expansion, borrowed from the config (or a default).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raw<'t> {
    pub text: &'t str,
    pub span: Option<Span>,
    pub key_span: Option<Span>,
    /// `text` parsed, when the caller has it at hand.
    pub template: Option<&'t Template>,
}

impl Raw<'_> {
    fn owned(self, text: String) -> Got {
        Got {
            text,
            span: self.span,
            key_span: self.key_span,
        }
    }
}

/// A cached template, found by its text (which it holds, so the cache
/// needs no key of its own).
struct Cached(Rc<Template>);

impl std::borrow::Borrow<str> for Cached {
    fn borrow(&self) -> &str {
        self.0.text()
    }
}

impl std::hash::Hash for Cached {
    // As `str` hashes, which `Borrow<str>` requires.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.text().hash(state)
    }
}

impl PartialEq for Cached {
    fn eq(&self, other: &Self) -> bool {
        self.0.text() == other.0.text()
    }
}

impl Eq for Cached {}

pub(crate) struct Resolver<'a> {
    pub loaded: &'a Loaded,
    pub host: &'a Host,
    /// supervisord's `environ_expansions`: `ENV_*` of its environment, then
    /// of `[supervisord] environment` once that is read.
    pub environ: Mapping,
    pub diags: Vec<Diagnostic>,
    pub warnings: Vec<String>,
    /// The suffix supervisord appends to errors inside a program section.
    pub context: Option<String>,
    /// Instances and expanded bytes so far (supc's limits, see `limits`).
    pub(crate) budget: (u64, u64),
    /// Parsed format strings: every instance of a section reuses them.
    templates: rustc_hash::FxHashSet<Cached>,
    /// How many threads may resolve program sections at once.
    pub(crate) threads: usize,
    /// The expansion dict every program section's instances start from
    /// (see `process.rs`); built on first use, after `[supervisord]`.
    pub(crate) instance_base: Option<Mapping>,
    /// The dict a program section's own options are expanded with
    /// (`process.rs`), kept from one section to the next.
    pub(crate) section_base: Option<Mapping>,
    /// Whether the instance loop may take its shortcuts (tests turn them
    /// off to compare with the general path).
    pub(crate) fast_paths: bool,
    /// The pre options of the last program section (`process.rs`).
    pre_cache: process::PreCache<'a>,
    /// The last log limits of each stream, shared while they stay the
    /// same (most sections have the same).
    pub(crate) log_limits: [Option<std::sync::Arc<crate::model::LogLimits>>; 2],
    /// Bytes the program sections before the current one expanded to.
    pub(crate) expanded_before: u64,
    /// `[supervisord] environment`, which every instance's environment
    /// starts from (empty until `[supervisord]` is read).
    pub(crate) base_env: Vec<(String, String)>,
    /// The section [`Self::find`] looked up last (options are read section
    /// by section, dozens per section).
    last_section: std::cell::Cell<Option<(&'a str, Option<&'a crate::ini::Section>)>>,
    /// What the reader has imported of the supervisor package so far
    /// (plugin specs are judged against it, in supervisord's order).
    pub(crate) imports: supervisor_imports::Imports,
}

/// What a thread needs to start a [`Resolver`] in the state of another
/// (see [`Resolver::seed`]).
#[derive(Clone)]
pub(crate) struct Seed<'a> {
    loaded: &'a Loaded,
    host: &'a Host,
    environ: Mapping,
    base_env: Vec<(String, String)>,
    fast_paths: bool,
}

impl<'a> Resolver<'a> {
    fn new(loaded: &'a Loaded, host: &'a Host) -> Self {
        let mut environ = Mapping::new();
        for (k, v) in &host.env {
            environ.set_str(format!("ENV_{k}"), v.clone());
        }
        let mut r = Resolver::from_seed(Seed {
            loaded,
            host,
            environ,
            base_env: Vec::new(),
            fast_paths: true,
        });
        r.warnings = loaded.parse_warnings.clone();
        r
    }

    /// The shared state a thread needs to resolve sections like this one.
    pub(crate) fn seed(&self) -> Seed<'a> {
        Seed {
            loaded: self.loaded,
            host: self.host,
            environ: self.environ.clone(),
            base_env: self.base_env.clone(),
            fast_paths: self.fast_paths,
        }
    }

    /// A resolver with no diagnostics, warnings or budget of its own yet.
    pub(crate) fn from_seed(seed: Seed<'a>) -> Self {
        Resolver {
            loaded: seed.loaded,
            host: seed.host,
            environ: seed.environ,
            base_env: seed.base_env,
            diags: Vec::new(),
            warnings: Vec::new(),
            context: None,
            templates: rustc_hash::FxHashSet::default(),
            budget: (0, 0),
            threads: 1,
            instance_base: None,
            section_base: None,
            fast_paths: seed.fast_paths,
            pre_cache: process::PreCache::default(),
            log_limits: [None, None],
            expanded_before: 0,
            last_section: std::cell::Cell::new(None),
            imports: supervisor_imports::Imports::supervisord(),
        }
    }

    fn run(&mut self) -> Config {
        let ini = &self.loaded.ini;
        let fatal_load = self.loaded.main.is_none();
        let has_supervisord = ini.has_section("supervisord");
        if !fatal_load && !has_supervisord && !self.loaded.snippet {
            self.error(Diagnostic::error(
                Code::NoSupervisordSection,
                ".ini file does not include supervisord section",
            ).help("add a [supervisord] section (section names are case-sensitive), or check a conf.d snippet with `supc check --snippet`"));
        }
        // First, while little else is in memory: supervisorctl's view lexes
        // the main file a second time. It reads none of this resolver's
        // state, so the order does not show.
        let supervisorctl = self.supervisorctl();
        let supervisord = self.supervisord_section();
        self.base_env = supervisord.environment.clone();
        let rpcinterfaces = self.rpcinterfaces();
        let groups = self.groups();
        let http_servers = self.servers();
        let mut supervisord = supervisord;
        self.realize(&mut supervisord, &http_servers);
        Config {
            supervisord,
            http_servers,
            rpcinterfaces,
            groups,
            supervisorctl,
            parse_warnings: self.warnings.clone(),
            parse_infos: self.loaded.parse_infos.clone(),
        }
    }

    /// Bounds the template cache: most templates belong to one section, a
    /// few (`[DEFAULT]` values, `process_name`) recur in many.
    pub(crate) fn forget_templates(&mut self) {
        if self.templates.len() > 512 {
            self.templates.clear();
        }
    }

    /// Records an error (with the program-section suffix, if any).
    pub fn error(&mut self, mut d: Diagnostic) {
        if let Some(ctx) = &self.context {
            d.message.push_str(ctx);
        }
        self.diags.push(d);
    }

    /// Records one of supervisord's parse warnings (a log line at startup),
    /// both as the message supervisord logs and as a located diagnostic.
    pub fn warn(&mut self, message: String, span: Option<Span>, label: &str) {
        self.diags.push(
            Diagnostic::warning(Code::SupervisordWarning, message.clone()).at_opt(span, label),
        );
        self.warnings.push(message);
    }

    /// Records a supervisord message about a value.
    pub fn value_error(&mut self, msg: String, got: Option<&Got>, section: &str) {
        let span = got
            .and_then(|g| g.span)
            .or_else(|| self.section_span(section));
        let label = if got.and_then(|g| g.span).is_some() {
            "this value"
        } else {
            "in this section"
        };
        let help = hint(&msg);
        let mut d = Diagnostic::error(Code::InvalidValue, msg).at_opt(span, label);
        d.help = help;
        self.error(d);
    }

    pub fn section_span(&self, section: &str) -> Option<Span> {
        self.loaded
            .ini
            .section(section)
            .and_then(|s| s.headers.first().copied())
    }

    /// `parser.get(section, key)` without expansion.
    pub(crate) fn find(&self, section: &str, key: &str) -> Option<crate::ini::Found<'a>> {
        let ini: &'a crate::ini::Ini = &self.loaded.ini;
        let found = match self.last_section.get() {
            Some((name, found)) if name == section => found,
            _ => {
                let (name, found) = match ini.sections.get_key_value(section) {
                    Some((name, s)) => (&**name, Some(s)),
                    None => return ini.get_in(None, key),
                };
                self.last_section.set(Some((name, found)));
                found
            }
        };
        ini.get_in(found, key)
    }

    /// `parser.saneget(section, key, default)`: the raw value or string
    /// default, expanded with `environ` + `extra` unless `extra` is `None`.
    pub fn get(
        &mut self,
        section: &str,
        key: &str,
        default: Option<&str>,
        extra: Option<&Mapping>,
    ) -> Result<Option<Got>, ()> {
        let found = self.find(section, key);
        let raw = match (found, default) {
            (Some(f), _) => Raw {
                text: f.value,
                span: Some(f.entry.def.value_span),
                key_span: Some(f.entry.def.key_span),
                template: None,
            },
            (None, Some(d)) => Raw {
                text: d,
                span: None,
                key_span: None,
                template: None,
            },
            (None, None) => return Ok(None),
        };
        match extra {
            None => Ok(Some(raw.owned(raw.text.to_string()))),
            Some(extra) => self.expand_got(raw, Label::Option(section, key), extra, true, section),
        }
    }

    /// Expands a value: `combined` is `environ + extra` when `with_environ`,
    /// else `extra` alone (supervisor's bare `expand()` calls).
    pub fn expand_got(
        &mut self,
        raw: Raw<'_>,
        label: Label<'_>,
        extra: &Mapping,
        with_environ: bool,
        section: &str,
    ) -> Result<Option<Got>, ()> {
        let mut text = String::new();
        self.expand_into(raw, label, extra, with_environ, section, &mut text)?;
        Ok(Some(raw.owned(text)))
    }

    /// [`Self::expand_got`] that appends to `out` (at most what supc's
    /// limits leave room for, see `process.rs`) and says where the text is.
    pub(crate) fn expand_into(
        &mut self,
        raw: Raw<'_>,
        label: Label<'_>,
        extra: &Mapping,
        with_environ: bool,
        section: &str,
        out: &mut String,
    ) -> Result<std::ops::Range<usize>, ()> {
        let start = out.len();
        let limit = self.room(out);
        let parsed;
        let template = match raw.template {
            Some(t) => t,
            None if !raw.text.contains('%') => {
                out.push_str(raw.text);
                return Ok(start..out.len());
            }
            None => {
                parsed = self.template(raw.text);
                &*parsed
            }
        };
        let layers = Layers(&self.environ, extra);
        let lookup: &dyn Lookup = if with_environ { &layers } else { extra };
        match template.render_append(lookup, out, limit) {
            Ok(()) => Ok(start..out.len()),
            Err(e) => {
                let d = self.format_failed(raw, label, &e, lookup, section);
                self.error(d);
                Err(())
            }
        }
    }

    /// The parsed template of `text`, parsed once per text.
    pub(crate) fn template(&mut self, text: &str) -> Rc<Template> {
        match self.templates.get(text) {
            Some(t) => t.0.clone(),
            None => {
                let t = Rc::new(Template::parse(text));
                self.templates.insert(Cached(t.clone()));
                t
            }
        }
    }

    /// supervisord's message for a value whose expansion failed.
    fn format_failed(
        &self,
        raw: Raw<'_>,
        label: Label<'_>,
        e: &crate::python::format::FormatError,
        lookup: &dyn Lookup,
        section: &str,
    ) -> Diagnostic {
        let mapping = lookup.merged();
        let span = raw.span.or_else(|| self.section_span(section));
        let label = match label {
            Label::Option(section, key) => format!("{section}.{key}"),
            Label::Bare(l) => l.to_string(),
        };
        format_error(raw.text, &label, e, &mapping).at_opt(span, "expanded here")
    }

    /// Reads and converts one option; on error records it and returns `None`.
    pub fn read<T>(
        &mut self,
        section: &str,
        key: &str,
        default: Option<&str>,
        extra: Option<&Mapping>,
        conv: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        // A value with nothing to expand is converted where it is written.
        let found = self.find(section, key);
        let plain = found.map_or(default, |f| Some(f.value));
        if let Some(text) = plain.filter(|t| !t.contains('%'))
            && let Ok(v) = conv(text)
        {
            return Some(v);
        }
        let got = self.get(section, key, default, extra).ok()??;
        match conv(&got.text) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.value_error(msg, Some(&got), section);
                None
            }
        }
    }
}

/// A fix for the common invalid values.
fn hint(msg: &str) -> Option<String> {
    let h = if msg == "bad logging level name 'warning'" {
        "supervisord spells it `warn`"
    } else if msg.starts_with("bad logging level name") {
        "use one of critical, error, warn, info, debug, trace, blather"
    } else if msg == "invalid 'autorestart' value 'always'" {
        "`autorestart=true` restarts always"
    } else if msg.starts_with("invalid 'autorestart' value") {
        "use true, false or unexpected"
    } else if msg.starts_with("not a valid boolean value") {
        "use true/false, yes/no, on/off or 1/0"
    } else if msg.contains("is not a valid signal name") {
        "use a signal name such as TERM, HUP, INT, QUIT, KILL, USR1 or USR2"
    } else if msg.starts_with("not a valid list of exit codes") {
        "comma-separated numbers from 0 to 255, without a trailing comma"
    } else if msg.starts_with("invalid literal for int()") {
        "a whole number: no decimals, no units, no 0x prefix"
    } else {
        return None;
    };
    Some(h.to_string())
}

/// A diagnostic's code, message and span on one line, for tests that
/// compare two runs.
#[cfg(test)]
pub(crate) fn diagnostic_line(d: &Diagnostic) -> String {
    format!(
        "{} {} {:?}",
        d.code,
        d.message,
        d.primary.as_ref().map(|l| l.span)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// Enough program sections for several threads, with errors, parse
    /// warnings and `[supervisord] environment` sprinkled through them.
    fn big_config() -> String {
        let mut s = String::from("[supervisord]\nenvironment=SHARED=1\n");
        for i in 0..1200 {
            write!(
                s,
                "[program:p{i}]\ncommand=/bin/w %(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n"
            )
            .unwrap();
            if i % 97 == 0 {
                s.push_str("autostart=maybe\n");
            }
            if i % 101 == 0 {
                s.push_str("stdout_logfile_maxbytes=0\n");
            }
            if i % 89 == 0 {
                s.push_str("environment=A=\"%(process_num)s\"\n");
            }
        }
        s
    }

    fn model(loaded: &Loaded, host: &Host, threads: usize) -> (String, Vec<String>, Vec<String>) {
        let r = resolve_on(loaded, host, threads);
        let diags = r.diagnostics.iter().map(diagnostic_line).collect();
        let m = r.model();
        (format!("{:?}", m.groups), diags, m.parse_warnings.clone())
    }

    #[test]
    fn threads_change_nothing() {
        let host = Host {
            env: vec![("HOME".into(), "/root".into())],
            node_name: "node".into(),
            cwd: "/".into(),
            portable: true,
            overlay: Default::default(),
        };
        let text = big_config();
        let loaded = crate::load::from_text(&text, "supervisord.conf", "/etc/supervisord.conf");
        let one = model(&loaded, &host, 1);
        assert!(one.1.iter().any(|d| d.contains("not a valid boolean")));
        assert!(one.2.iter().any(|w| w.contains("AUTO logging")));
        for threads in [2, 3, 4] {
            assert_eq!(one, model(&loaded, &host, threads), "{threads} threads");
        }
    }
}
