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
//! | [`template`] | the spec as a minijinja template |
//! | [`inventory`] | Ansible inventories as `ansible-inventory` reads them |
//! | [`scope`] | a host's variables, templated lazily as Ansible does |
//! | [`jinja`], [`filters`] | the template language: Ansible's filters |
//! | [`locate`] | YAML key and value positions, comments |
//! | [`build`] | spec → [`Ini`] with the escaping of `docs/semantics.md` §11 |
//! | [`from_ini`] | INI → spec (`supc convert --to yaml`) |
//!
//! Invariants: a value that has no INI form is an error, never written
//! differently; [`render_one`] only returns INI that supc reads back to
//! the same model as the YAML.
//!
//! [`Ini`]: crate::ini::Ini

pub mod build;
pub mod comments;
pub mod filters;
pub mod from_ini;
pub mod inventory;
pub mod jinja;
pub mod locate;
pub mod scope;
pub mod spec;
pub mod template;
pub mod template_map;

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
    load_text_as(name, path, text, host, false)
}

/// A spec file as `check`, `expand`, `explain` and `diff` read it: a spec
/// with template syntax is one error saying how to check it (it only has a
/// meaning per host), never a YAML syntax error; with `snippet` it is a
/// conf.d snippet (no `supervisord:` needed, `include:` not followed).
pub fn load_spec(name: &str, path: &Path, text: String, host: &Host, snippet: bool) -> Loaded {
    if let Some(at) = template_start(&text) {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(name.into(), path.into(), text));
        let here = dirname(&abspath(&path.to_string_lossy(), &host.cwd)).to_string();
        let mut loaded = Loaded::single(
            sources,
            Ini::default(),
            &path.to_string_lossy(),
            &here,
            file,
        );
        // Nothing was read: no "no [supervisord] section" on top of this.
        loaded.snippet = true;
        let end = at + 2;
        loaded.diagnostics.push(
            Diagnostic::error(
                Code::InvalidSpec,
                format!("{name} is a template: it has a meaning only per host, once rendered"),
            )
            .at(Span::new(file, at, end), "template syntax")
            .help(format!(
                "check every host with `supc render {name} -i INVENTORY --all-hosts --check` (or one with `--host NAME`, or `--var NAME=VALUE` without an inventory)"
            )),
        );
        return loaded;
    }
    load_text_as(name, path, text, host, snippet)
}

/// Where the first `{{`, `{%` or `{#` is, outside YAML comments.
fn template_start(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.trim_start();
        if !code.starts_with('#')
            && let Some(i) = ["{{", "{%", "{#"].iter().filter_map(|t| line.find(t)).min()
        {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

/// [`load_text`], or with `snippet` as a conf.d snippet.
pub fn load_text_as(name: &str, path: &Path, text: String, host: &Host, snippet: bool) -> Loaded {
    let here = dirname(&abspath(&path.to_string_lossy(), &host.cwd)).to_string();
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new(name.into(), path.into(), text));
    let text = &sources.get(file).text;
    let loc = locate::Locator::scan(file, text);
    let mut diagnostics = Vec::new();
    let parsed: Result<spec::Spec, serde_yaml_ng::Error> = if text.trim().is_empty() {
        Ok(spec::Spec::default())
    } else {
        serde_yaml_ng::from_str(text)
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
    loaded.snippet = snippet;
    if snippet {
        let here = loaded.here.clone();
        loaded.ini.expand_here(&here);
    } else if loaded.ini.has_section("include") && !loaded.has_errors() {
        process_includes(&mut loaded, host);
    }
    loaded
}

/// A serde_yaml_ng error as a diagnostic at its line and column.
fn yaml_error(e: &serde_yaml_ng::Error, file: FileId, text: &str) -> Diagnostic {
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
                Diagnostic::warning(Code::IncludeMatchesNothing, msg.clone())
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
    /// The model supc reads from `ini`.
    pub model: crate::model::Config,
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
    /// The template's variables (a [`scope::Context`] value).
    pub context: &'a minijinja::Value,
    /// Shown in messages when the template was rendered for a host.
    pub host_label: Option<&'a str>,
    /// The absolute directory the INI will be written to.
    pub out_dir: &'a str,
    /// Lint with these settings (`None`: no lint rules).
    pub lint: Option<&'a crate::lint::Settings>,
    /// A finding at or above this severity fails the render.
    pub fail_on: Severity,
    /// The spec is a conf.d snippet (no `supervisord:`).
    pub snippet: bool,
}

/// Template → YAML → [`Loaded`] → resolve (+ lint) → INI, then reads the
/// INI back and requires the same model.
pub fn render_one(job: &Job<'_>, host: &Host) -> Result<Rendered, Failure> {
    let (text, map) = match job.template.render_mapped(job.context) {
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
    let result = check_rendered(job, host, &name, text.clone());
    if !job.template.is_templated() {
        return result;
    }
    // Findings are shown in the template, at the line they came from.
    let back = |diags: &mut Vec<Diagnostic>, sources: &SourceMap| {
        let file = FileId(0);
        for d in diags.iter_mut() {
            d.fix = None;
            for label in d.primary.iter_mut().chain(d.related.iter_mut()) {
                if label.span.file == file
                    && let Some((s, e)) = map.map(
                        &text,
                        &job.template.text,
                        label.span.start as usize,
                        label.span.end as usize,
                    )
                {
                    label.span = Span::new(file, s, e);
                }
            }
        }
        let mut out = SourceMap::new();
        for (id, f) in sources.files() {
            let text = if id == file {
                job.template.text.clone()
            } else {
                f.text.to_string()
            };
            out.add(SourceFile::new(f.name.clone(), f.path.clone(), text));
        }
        out
    };
    match result {
        Ok(mut r) => {
            r.sources = back(&mut r.findings, &r.sources);
            Ok(r)
        }
        Err(mut f) => {
            f.sources = back(&mut f.diagnostics, &f.sources);
            Err(f)
        }
    }
}

/// Rendered YAML → [`Loaded`] → resolve (+ lint) → INI, read back.
fn check_rendered(
    job: &Job<'_>,
    host: &Host,
    name: &str,
    text: String,
) -> Result<Rendered, Failure> {
    let loaded = load_text_as(name, job.path, text, host, job.snippet);
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
    if let Some(settings) = job.lint {
        let cx = crate::lint::LintContext::new(&loaded, &resolution, host);
        findings.extend(crate::lint::lint(&cx, settings));
    }
    // A finding at `fail_on` (error: what `supc check` fails on) stops the
    // render: nothing is written for a config check rejects.
    if findings.iter().any(|d| d.severity >= job.fail_on) {
        return Err(Failure {
            diagnostics: findings,
            sources: loaded.sources,
        });
    }
    let ini = crate::emit::ini::render_flat(&loaded, job.out_dir);
    let model = match reads_back(config, &ini, job.out_dir, host, job.snippet) {
        Ok(model) => model,
        Err(d) => {
            return Err(Failure {
                diagnostics: vec![*d],
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

/// The model `ini` reads back to, when it is `config`'s: supervisord
/// accepts it and every setting is the same. `[supervisorctl]` is left
/// out: the resolver reads it by lexing the main file as INI again, which
/// a YAML main file is not.
fn reads_back(
    config: &crate::model::Config,
    ini: &str,
    out_dir: &str,
    host: &Host,
    snippet: bool,
) -> Result<crate::model::Config, Box<Diagnostic>> {
    let got = read_back(ini, out_dir, host, snippet).map_err(|msg| {
        Diagnostic::error(
            Code::RenderMismatch,
            format!("the rendered INI is not accepted: {msg}"),
        )
    })?;
    match crate::diff::first_difference(config, &got) {
        None => Ok(got),
        Some(d) => Err(Box::new(Diagnostic::error(
            Code::RenderMismatch,
            format!(
                "the rendered INI would not read back to the same model (a supc bug): {d}; nothing written"
            ),
        ))),
    }
}

/// Builds a [`Loaded`] from INI text in memory (no includes followed).
pub fn loaded_from_ini(text: &str, path: &str) -> Loaded {
    crate::load::from_text(text, path, path)
}

/// The model of `ini` written as `supervisord.conf` in `out_dir`, or
/// supervisord's first error.
fn read_back(
    ini: &str,
    out_dir: &str,
    host: &Host,
    snippet: bool,
) -> Result<crate::model::Config, String> {
    let path = join(out_dir, "supervisord.conf");
    let mut loaded = loaded_from_ini(ini, &path);
    loaded.snippet = snippet;
    let mut res = crate::resolve::resolve(&loaded, host);
    match res.config.take() {
        Some(c) => Ok(c),
        None => Err(res
            .first_error()
            .map_or_else(String::new, |d| d.message.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rendered INI that reads back to another model is refused, and the
    /// message names the setting that differs.
    #[test]
    fn a_read_back_difference_names_the_setting() {
        let host = crate::diff::test_support::host();
        let base = "[supervisord]\n[program:w]\ncommand=/bin/w\n\
                    [fcgi-program:f]\ncommand=/bin/f\nsocket=unix:///tmp/f.sock\n";
        let config = read_back(base, "/etc/sup", &host, false).unwrap();
        assert!(reads_back(&config, base, "/etc/sup", &host, false).is_ok());
        let cases = [
            (
                "command=/bin/w\n",
                "command=/bin/w\nstopsignal=KILL\n",
                "[program:w] process w: stopsignal is \"TERM\" on one side and \"KILL\" on the other",
            ),
            (
                "/tmp/f.sock",
                "/tmp/g.sock",
                "[fcgi-program:f]: socket is \"unix:///tmp/f.sock\" on one side and \"unix:///tmp/g.sock\"",
            ),
            (
                "/tmp/f.sock\n",
                "/tmp/f.sock\nsocket_mode=0600\n",
                "[fcgi-program:f]: socket_mode is",
            ),
            (
                "[supervisord]\n",
                "[supervisord]\nenvironment=A=1\n",
                "[supervisord]: environment is {} on one side and {\"A\":\"1\"}",
            ),
        ];
        for (from, to, said) in cases {
            let changed = base.replacen(from, to, 1);
            let err = reads_back(&config, &changed, "/etc/sup", &host, false).unwrap_err();
            assert_eq!(err.code, Code::RenderMismatch);
            assert!(err.message.contains(said), "{to}: {}", err.message);
        }
        let refused = base.replace("command=/bin/w\n", "");
        let err = reads_back(&config, &refused, "/etc/sup", &host, false).unwrap_err();
        assert!(err.message.contains("not accepted"), "{}", err.message);
    }
}
