//! The declarative YAML front-end (`supc.yaml`).
//!
//! Input: a YAML spec (optionally a minijinja template, rendered first with
//! variables from an Ansible inventory, a vars file and `--var`s). Output:
//! a [`Loaded`] like [`crate::load::load`] gives for INI, whose [`Ini`] is
//! built straight from the typed spec with every definition's spans
//! pointing into the YAML text, so resolve, lint and the INI emitter run
//! unchanged and every finding points at a YAML line and column.
//!
//! | file | concern |
//! |---|---|
//! | [`spec`] | the typed structs (serde + schemars) and the JSON Schema |
//! | [`template`] | minijinja rendering, Ansible inventory, variables |
//! | [`locate`] | YAML key and value positions, comments |
//! | [`build`] | spec → [`Ini`] with §11 escaping |
//! | [`from_ini`] | INI → spec (`supc convert --to yaml`) |
//!
//! Invariants: a value that has no INI form is an error, never written
//! differently; [`render_one`] only returns INI that supc reads back to
//! the same model as the YAML.
//!
//! [`Ini`]: crate::ini::Ini

pub mod build;
pub mod from_ini;
pub mod locate;
pub mod spec;
pub mod template;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::host::Host;
use crate::ini::Ini;
use crate::load::{IncludedFile, Loaded};
use crate::python::path::{abspath, dirname, join};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::path::Path;

/// Whether a path names a YAML spec (by extension).
pub fn is_yaml_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Reads rendered YAML text into a [`Loaded`] config. YAML syntax, unknown
/// keys, wrong types and values without an INI form are error diagnostics
/// in `loaded.diagnostics` (the [`Ini`] then holds what could be built).
pub fn load_text(name: &str, path: &Path, text: String, host: &Host) -> Loaded {
    let here = dirname(&abspath(&path.to_string_lossy(), &host.cwd)).to_string();
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new(name.into(), path.into(), text));
    let text = &sources.get(file).text;
    let loc = locate::Locator::scan(file, text);
    let mut diagnostics = Vec::new();
    let parsed: Result<spec::Spec, serde_yaml::Error> = if text.trim().is_empty() {
        Ok(spec::Spec::default())
    } else {
        serde_yaml::from_str(text)
    };
    let ini = match parsed {
        Ok(spec) => {
            let (ini, diags) = build::build(&spec, &loc, text);
            diagnostics.extend(diags);
            ini
        }
        Err(e) => {
            diagnostics.push(yaml_error(&e, file, text));
            Ini::default()
        }
    };
    let mut loaded = Loaded::single(sources, ini, &path.to_string_lossy(), &here, file);
    loaded.diagnostics = diagnostics;
    loaded.comments = loc.comments;
    if loaded.ini.has_section("include") && !loaded.has_errors() {
        process_includes(&mut loaded, host);
    }
    loaded
}

/// A serde_yaml error as a diagnostic at its line and column.
fn yaml_error(e: &serde_yaml::Error, file: FileId, text: &str) -> Diagnostic {
    let full = e.to_string();
    let mut msg = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full.clone(),
    };
    let mut help = None;
    if let Some(i) = msg.find(", expected one of ") {
        let expected: Vec<String> = msg[i + 18..]
            .split(", ")
            .map(|s| s.trim_matches(|c| c == '`' || c == ' ').to_string())
            .collect();
        msg.truncate(i);
        if let Some(word) = msg.rsplit('`').nth(1) {
            help = crate::options::closest(word, expected.iter().map(String::as_str))
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| Some(format!("expected one of: {}", expected.join(", "))));
        }
    }
    for (ty, what) in [
        ("Int", "an integer (or a string such as \"%(ENV_N)s\")"),
        ("Bool", "true or false"),
        ("Bytes", "a byte size: an integer or a string such as 50MB"),
        ("Word", "a string or a number"),
        ("List", "a list or a comma-separated string"),
        ("ExitCodes", "a list of exit codes, e.g. [0, 2]"),
        ("Scalar", "a string, number or boolean"),
    ] {
        let pat = format!("did not match any variant of untagged enum {ty}");
        if msg.contains(&pat) {
            msg = msg.replace(&format!("data {pat}"), &format!("expected {what}"));
        }
    }
    let mut d = Diagnostic::error(Code::InvalidYaml, msg);
    if let Some(loc) = e.location() {
        let start = loc.index().min(text.len());
        let len = text[start..]
            .find(['\n', ':', ',', '}'])
            .unwrap_or(text.len() - start)
            .max(1)
            .min(text.len() - start);
        d = d.at(Span::new(file, start, start + len), "here");
    }
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// `[include] files=` of the spec: native INI files, read and merged as
/// supervisord would (textual `%(here)s` replacement between reads).
fn process_includes(loaded: &mut Loaded, host: &Host) {
    let here = loaded.here.clone();
    loaded.ini.expand_here(&here);
    let Some(found) = loaded.ini.get("include", "files") else {
        return;
    };
    let raw = found.value.to_string();
    let via = found.entry.def.value_span;
    let mut mapping = crate::python::format::Mapping::new();
    mapping.set_str("here", here.clone());
    mapping.set_str("host_node_name", host.node_name.clone());
    for (k, v) in &host.env {
        mapping.set_str(format!("ENV_{k}"), v.clone());
    }
    let files = match crate::python::format::format(&raw, &mapping) {
        Ok(f) => f,
        Err(e) => {
            let d = crate::load::format_error(&raw, "include.files", &e, &mapping);
            loaded.diagnostics.push(d.at(via, "in this value"));
            return;
        }
    };
    for pattern in crate::python::unicode::split_whitespace(&files) {
        let joined = join(&here, pattern);
        let mut paths = crate::python::glob::glob(&joined, crate::limits::MAX_INCLUDED_FILES).paths;
        if paths.is_empty() {
            let msg = format!("No file matches via include \"{joined}\"");
            loaded.diagnostics.push(
                Diagnostic::warning(Code::SupervisordWarning, msg.clone())
                    .at(via, "this pattern matches no file"),
            );
            loaded.parse_warnings.push(msg);
            continue;
        }
        paths.sort();
        for path in paths {
            loaded
                .parse_infos
                .push(format!("Included extra file \"{path}\" during parsing"));
            let bytes = match host.read_config(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    loaded.diagnostics.push(
                        Diagnostic::error(
                            Code::ConfigUnreadable,
                            format!("could not read included file {path}: {e}"),
                        )
                        .at(via, "included here"),
                    );
                    continue;
                }
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let file = loaded
                .sources
                .add(SourceFile::new(path.clone(), path.clone().into(), text));
            let parsed = crate::syntax::parse_file(file, &loaded.sources.get(file).text);
            if parsed.missing_header.is_some() || !parsed.bad_lines.is_empty() {
                let at = parsed
                    .missing_header
                    .as_ref()
                    .or(parsed.bad_lines.first())
                    .map(|b| b.span);
                loaded.diagnostics.push(
                    Diagnostic::error(
                        Code::ParseError,
                        format!("{path}: supervisord cannot parse this file"),
                    )
                    .at_opt(at, "not a header or option"),
                );
            }
            loaded.ini.apply_events(parsed.events);
            loaded.comments.extend(parsed.comments);
            loaded.includes.push(IncludedFile {
                path: path.clone(),
                file: Some(file),
                via: Some(via),
            });
            let incdir = dirname(&abspath(&path, &host.cwd)).to_string();
            loaded.ini.expand_here(&incdir);
        }
    }
}

/// A rendered config, checked.
pub struct Rendered {
    pub ini: String,
    /// The model supc reads from `ini` (`supc expand --format json`).
    pub model: serde_json::Value,
    /// Warnings and lint findings (nothing that stops the render).
    pub findings: Vec<Diagnostic>,
    pub sources: SourceMap,
}

/// Why a host's config was not rendered.
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

/// What [`render_one`] renders.
pub struct Job<'a> {
    pub template: &'a template::Template,
    /// The spec file's path (its directory is `%(here)s`).
    pub path: &'a Path,
    pub vars: &'a template::Vars,
    /// Shown in messages when the template was rendered for a host.
    pub host_label: Option<&'a str>,
    /// The absolute directory the INI will be written to.
    pub out_dir: &'a str,
    pub lint: bool,
}

/// Template → YAML → [`Loaded`] → resolve (+ lint) → INI, then reads the
/// INI back and requires the same model.
pub fn render_one(job: &Job<'_>, host: &Host) -> Result<Rendered, Failure> {
    let text = match job.template.render(job.vars) {
        Ok(t) => t,
        Err(d) => {
            let mut sources = SourceMap::new();
            sources.add(SourceFile::new(
                job.template.name.clone(),
                job.path.into(),
                job.template.text.clone(),
            ));
            return Err(Failure {
                diagnostics: vec![*d],
                sources,
            });
        }
    };
    let name = match job.host_label {
        Some(h) if job.template.is_templated() => format!("{} (for {h})", job.template.name),
        _ => job.template.name.clone(),
    };
    let loaded = load_text(&name, job.path, text, host);
    let errors = |diags: &[Diagnostic]| -> Vec<Diagnostic> {
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect()
    };
    let fatal = errors(&loaded.diagnostics);
    if !fatal.is_empty() {
        return Err(Failure {
            diagnostics: fatal,
            sources: loaded.sources,
        });
    }
    let resolution = crate::resolve::resolve(&loaded, host);
    let Some(config) = &resolution.config else {
        return Err(Failure {
            diagnostics: errors(&resolution.diagnostics),
            sources: loaded.sources,
        });
    };
    let mut findings: Vec<Diagnostic> = resolution
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Error)
        .cloned()
        .collect();
    if job.lint {
        let cx = crate::lint::LintContext::new(&loaded, &resolution, host);
        findings.extend(crate::lint::lint(&cx, &crate::lint::Settings::default()));
    }
    let ini = crate::emit::ini::render_flat(&loaded, job.out_dir);
    let want = comparable(config);
    let model = match read_back(&ini, job.out_dir, host) {
        Ok(got) if comparable_json(got.clone()) == want => got,
        Ok(_) => {
            return Err(Failure {
                diagnostics: vec![Diagnostic::error(
                    Code::RenderMismatch,
                    "the rendered INI would not read back to the same model (a supc bug); nothing written",
                )],
                sources: loaded.sources,
            });
        }
        Err(msg) => {
            return Err(Failure {
                diagnostics: vec![Diagnostic::error(
                    Code::RenderMismatch,
                    format!("the rendered INI is not accepted: {msg}"),
                )],
                sources: loaded.sources,
            });
        }
    };
    Ok(Rendered {
        ini,
        model,
        findings,
        sources: loaded.sources,
    })
}

/// The model as JSON, without the parse log (includes are inlined) and
/// without `supervisorctl` (the resolver reads that by lexing the main
/// file as INI again, which a YAML main file is not).
fn comparable(config: &crate::model::Config) -> serde_json::Value {
    comparable_json(crate::output::json::config(config))
}

fn comparable_json(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("parse_warnings");
        o.remove("parse_infos");
        o.remove("supervisorctl");
    }
    v
}

/// Builds a [`Loaded`] from INI text in memory (no includes followed).
pub fn loaded_from_ini(text: &str, path: &str) -> Loaded {
    crate::load::from_text(text, path, path)
}

fn read_back(ini: &str, out_dir: &str, host: &Host) -> Result<serde_json::Value, String> {
    let path = join(out_dir, "supervisord.conf");
    let loaded = loaded_from_ini(ini, &path);
    let res = crate::resolve::resolve(&loaded, host);
    match &res.config {
        Some(c) => Ok(crate::output::json::config(c)),
        None => Err(res
            .first_error()
            .map_or_else(String::new, |d| d.message.clone())),
    }
}
