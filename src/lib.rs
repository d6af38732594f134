//! supc: a toolchain for supervisord configuration files.
//!
//! # The pipeline
//!
//! ```text
//! files ──load──▶ SourceMap + ParsedFile per file (syntax, grammar/ini.pest)
//!       ──merge─▶ Ini: sections, keys, spans, DEFAULT   (ini)
//!       ──resolve▶ Config: settings, servers, groups, processes (resolve,
//!                  with `%` expansion from grammar/percent_format.pest)
//!       ──▶ {json output, check, lint, emit, explain, run}
//! ```
//!
//! | stage | module | input | output |
//! |---|---|---|---|
//! | lex | [`syntax`] | one decoded file | [`syntax::ParsedFile`] |
//! | merge + includes | [`load`], [`ini`] | config path, [`host::Host`] | [`load::Loaded`] |
//! | resolve | [`resolve`] | [`load::Loaded`] | [`resolve::Resolution`] ([`model::Config`] + diagnostics) |
//!
//! Every stage returns its output together with [`diagnostic::Diagnostic`]s
//! and keeps going past errors where it safely can; the first error in
//! evaluation order is the one supervisord 4.3.0 would print. The library
//! never prints; [`output`] renders, and the `supc` binary decides.
//!
//! [`python`] holds the pieces of CPython whose exact behaviour supervisord
//! inherits (configparser's rules, `int()`, `%` formatting, `shlex`, `glob`).

pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod host;
pub mod ini;
pub mod input;
pub mod limits;
pub mod lint;
pub mod load;
pub mod model;
pub mod options;
pub mod output;
pub mod parallel;
pub mod python;
pub mod report;
pub mod resolve;
pub mod run;
pub mod source;
pub mod syntax;
pub mod yaml;

use host::Host;

/// Loads and resolves a config: the whole core pipeline. A `*.yaml`/`*.yml`
/// path is a supc.yaml spec (without template variables), read by [`yaml`].
pub fn analyze(path: &str, host: &Host, snippet: bool) -> (load::Loaded, resolve::Resolution) {
    if yaml::is_yaml_path(path) {
        let full = python::path::abspath(path, &host.cwd);
        if let Ok(text) = host.read_config_text(&full) {
            let loaded = yaml::load_text(path, std::path::Path::new(&full), text, host);
            let resolution = resolve::resolve(&loaded, host);
            return (loaded, resolution);
        }
    }
    let loaded = load::load(path, host, snippet);
    let resolution = resolve::resolve(&loaded, host);
    (loaded, resolution)
}
