//! `supc convert`: INI → supc.yaml (includes resolved) and supc.yaml → INI.
//!
//! `--to yaml` refuses configs supervisord rejects, writes values the
//! typed form cannot say verbatim under `ini:`, and checks that the YAML
//! reads back to the same model as the INI before writing it.
//!
//! `-o FILE` is the user's file: it is written atomically
//! (`fix::write`), an existing one is replaced only with `--force`, and
//! the config being converted is never the output. Whatever fails, the
//! destination is left as it was.

use super::InputArgs;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(after_help = super::EXIT_CODES)]
pub struct ConvertArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The format to write.
    #[arg(long, value_enum)]
    to: To,
    /// Write to this file instead of stdout. It is written whole (a
    /// temporary file in the same directory, then moved into place) and
    /// never replaces an existing file unless --force is given (exit 2).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing --output file (a regular file, or the file a
    /// symlink points to; its permissions are kept).
    #[arg(long, requires = "output")]
    force: bool,
    #[command(flatten)]
    mode: super::ModeArgs,
    /// The config: INI (for --to yaml) or a supc.yaml spec (for --to ini).
    file: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum To {
    Yaml,
    Ini,
}

pub fn run(args: &ConvertArgs) -> i32 {
    if let Err(e) = args.input.refuse_assume_env("convert") {
        eprintln!("supc: {e}");
        return 2;
    }
    let mut host = args.input.host();
    let is_yaml = crate::yaml::is_yaml_path(&args.file);
    let abs = |p: &str| crate::python::path::abspath(p, &host.cwd);
    let source = abs(&args.file);
    let out_dir = match &args.output {
        Some(p) => crate::python::path::dirname(&abs(&p.to_string_lossy())).to_string(),
        None => host.cwd.clone(),
    };
    // A file that cannot be read is a usage error (exit 2), as for every
    // command; a config supervisord refuses is 1. What is read here is
    // what is converted (the loader reads it from the overlay): one read.
    let text = match host.read_config(&source) {
        Ok(bytes) => String::from_utf8(bytes),
        Err(e) => {
            eprintln!("supc: {}: {e}", args.file);
            return 2;
        }
    };
    if let Ok(t) = &text {
        host.overlay.insert(source.clone(), t.as_str());
    }
    if let Some(out) = &args.output
        && let Err(e) = writable(out, Path::new(&source), args.force)
    {
        eprintln!("supc: {}: {e}", out.display());
        return 2;
    }
    let text = match (args.to, is_yaml) {
        (To::Yaml, false) => match to_yaml(&args.file, &host, &out_dir, args.mode.snippet) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("supc: not converted: {e}");
                return 1;
            }
        },
        (To::Ini, true) => {
            let text = match text {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("supc: {}: {e}", args.file);
                    return 2;
                }
            };
            let template = crate::yaml::template::Template::new(&args.file, text.clone());
            let context = crate::yaml::template::empty_context();
            let result = template.map_err(|d| (d, text)).map(|t| {
                let job = crate::yaml::Job {
                    template: &t,
                    path: std::path::Path::new(&args.file),
                    context: &context,
                    host_label: None,
                    out_dir: &out_dir,
                    lint: None,
                    fail_on: crate::diagnostic::Severity::Error,
                    snippet: args.mode.snippet,
                };
                crate::yaml::render_one(&job, &host)
            });
            match result {
                Ok(Ok(r)) => r.ini,
                Ok(Err(f)) => {
                    eprint!(
                        "{}",
                        crate::report::human::render(&f.diagnostics, &f.sources)
                    );
                    eprintln!("supc: not converted");
                    return 1;
                }
                Err((d, text)) => {
                    let mut sources = crate::source::SourceMap::new();
                    sources.add(crate::source::SourceFile::new(
                        args.file.clone(),
                        args.file.clone().into(),
                        text,
                    ));
                    eprint!("{}", crate::report::human::render(&[*d], &sources));
                    return 1;
                }
            }
        }
        (To::Yaml, true) => {
            eprintln!("supc: {} is already YAML", args.file);
            return 2;
        }
        (To::Ini, false) => {
            eprintln!(
                "supc: {} is INI: use `supc render` to normalize it",
                args.file
            );
            return 2;
        }
    };
    match &args.output {
        None => super::print_stdout(&text),
        Some(p) => {
            let written = writable(p, Path::new(&abs(&args.file)), args.force)
                .and_then(|()| write(p, &text).map_err(|e| e.to_string()));
            if let Err(e) = written {
                eprintln!("supc: {}: {e}; nothing written", p.display());
                return 2;
            }
        }
    }
    0
}

/// Why `out` cannot take the converted text, if it cannot: it is the
/// config being converted, it exists and `--force` was not given, or it is
/// not a regular file (a directory, a FIFO, a device) to replace.
fn writable(out: &Path, source: &Path, force: bool) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let id = |m: &std::fs::Metadata| (m.dev(), m.ino());
    let target = std::fs::metadata(out);
    if let (Ok(a), Ok(b)) = (&target, std::fs::metadata(source))
        && id(a) == id(&b)
    {
        return Err("this is the config being converted; write the output elsewhere".into());
    }
    match (std::fs::symlink_metadata(out), target) {
        (Err(e), _) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        (Err(e), _) => Err(e.to_string()),
        (Ok(_), Ok(m)) if !m.is_file() => {
            Err("is not a regular file (a directory, FIFO or device); not replaced".into())
        }
        (Ok(_), _) if !force => Err("already exists; pass --force to replace it".into()),
        (Ok(_), Err(e)) => Err(format!("cannot be replaced: {e}")),
        (Ok(_), Ok(_)) => Ok(()),
    }
}

/// Writes `text` to `out` whole: a new file, or the existing one replaced
/// (which [`writable`] allowed).
fn write(out: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::fix::write::create_file(out, text)
        }
        _ => crate::fix::write::replace_file(out, text),
    }
}

/// INI → YAML text that will live in `out_dir`, checked to read back to
/// the same model. The natural conversion is tried first; if it reads back
/// differently, every value whose typed form writes different INI text
/// goes under `ini:` instead.
fn to_yaml(
    file: &str,
    host: &crate::host::Host,
    out_dir: &str,
    snippet: bool,
) -> Result<String, String> {
    use crate::yaml::from_ini::{Options, to_spec};
    let (loaded, res) = crate::analyze(file, host, snippet);
    if loaded.main.is_none() {
        return Err(loaded
            .diagnostics
            .first()
            .map_or_else(String::new, |d| d.message.clone()));
    }
    let Some(config) = &res.config else {
        let msg = res.first_error().map_or("", |d| d.message.as_str());
        return Err(format!("supervisord rejects this config: {msg}"));
    };
    let moved = loaded.here != out_dir.trim_end_matches('/');
    let pin_here = moved.then_some(loaded.here.as_str());
    let mut first_error = None;
    let mut difference = None;
    // Keeping `[include]` first (it may match other files on the target
    // machine); inlining what it includes here only when the spec cannot
    // keep it, and then saying so in the YAML.
    let has_include = loaded.ini.has_section("include");
    for keep_includes in [true, false] {
        if !keep_includes && !has_include {
            break;
        }
        for cautious in [false, true] {
            let opts = Options {
                pin_here,
                cautious,
                keep_includes,
            };
            let spec = to_spec(&loaded, opts)?;
            let mut text = yaml_text(file, &spec, &loaded)?;
            if !keep_includes {
                text = inlined_note(&loaded) + &text;
            }
            match read_back(&text, out_dir, host, snippet) {
                Ok(model) => match differs(config, &model) {
                    None => return Ok(text),
                    Some(d) => difference = Some(d),
                },
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if moved {
        // Does it mean the same where the config is? Then only its place
        // differs (a bare `%s` lists `here`, for one).
        let opts = Options {
            keep_includes: true,
            ..Options::default()
        };
        let spec = to_spec(&loaded, opts)?;
        let text = yaml_text(file, &spec, &loaded)?;
        let here = read_back(&text, &loaded.here, host, snippet);
        if here.is_ok_and(|m| differs(config, &m).is_none()) {
            return Err(format!(
                "this config means something else in another directory (its values use the directory it is in): write the YAML next to it, in {}",
                loaded.here
            ));
        }
    }
    let why = difference.map_or_else(String::new, |d| format!(": {d}"));
    Err(format!(
        "supc.yaml cannot express this config exactly (its YAML form reads back differently{why})"
    ))
}

/// How the model read back from the converted YAML differs from the
/// INI's: every setting, `[supervisorctl]` included (the parse log aside).
fn differs(
    original: &crate::model::Config,
    back: &crate::model::Config,
) -> Option<crate::diff::Difference> {
    crate::diff::first_difference(original, back)
        .or_else(|| crate::diff::supervisorctl_difference(original, back))
}

/// Why a converted spec has no `include:` although the INI had one.
fn inlined_note(loaded: &crate::load::Loaded) -> String {
    let files = loaded
        .ini
        .get("include", "files")
        .map_or(String::new(), |f| {
            f.value.split_whitespace().collect::<Vec<_>>().join(" ")
        });
    format!(
        "# The [include] (files = {files}) is inlined: the files it includes on this machine\n# are part of this spec, because supc.yaml could not keep it as `include:`.\n"
    )
}

/// The YAML file's text for a spec.
fn yaml_text(
    file: &str,
    spec: &crate::yaml::spec::Spec,
    loaded: &crate::load::Loaded,
) -> Result<String, String> {
    let header = format!("# converted by supc from {file}\n");
    let mut body = crate::yaml::comments::carry(loaded, &crate::yaml::from_ini::to_yaml(spec));
    if ["{{", "{%", "{#"].iter().any(|t| body.contains(t)) {
        // `supc render` reads a spec as a template first: keep it literal.
        if body.contains("endraw") {
            return Err("values hold template syntax supc.yaml cannot keep literal".into());
        }
        body = format!("{{% raw %}}\n{body}{{% endraw %}}\n");
    }
    Ok(header + &body)
}

/// The model of the YAML `text` rendered as if written to `dir`, with the
/// INI read back.
fn read_back(
    text: &str,
    dir: &str,
    host: &crate::host::Host,
    snippet: bool,
) -> Result<crate::model::Config, String> {
    let path = crate::python::path::join(dir, "supc.yaml");
    let plain =
        crate::yaml::template::Template::new(&path, text.to_string()).map_err(|d| d.message)?;
    let context = crate::yaml::template::empty_context();
    let job = crate::yaml::Job {
        template: &plain,
        path: std::path::Path::new(&path),
        context: &context,
        host_label: None,
        out_dir: dir,
        lint: None,
        fail_on: crate::diagnostic::Severity::Error,
        snippet,
    };
    let rendered = crate::yaml::render_one(&job, host).map_err(|f| {
        let first = f
            .diagnostics
            .first()
            .map_or("", |d| d.message.as_str())
            .to_string();
        format!("no supc.yaml form: {first}")
    })?;
    Ok(rendered.model)
}
