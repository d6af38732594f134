//! `supc render`: write the config back as native supervisord INI.

use super::InputArgs;
use crate::emit::ini::render_flat;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Read FILE as a conf.d snippet (no [supervisord] section needed).
    #[arg(long)]
    snippet: bool,
    /// Write to this file instead of stdout.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        conflicts_with = "keep_includes"
    )]
    output: Option<PathBuf>,
    /// Keep the file layout: write the main file and every included file,
    /// each normalized, under --out-dir.
    #[arg(long, requires = "out_dir")]
    keep_includes: bool,
    /// Where --keep-includes writes the tree.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// The main config file.
    file: String,
}

pub fn run(args: &RenderArgs) -> i32 {
    let host = args.input.host();
    let loaded = crate::load::load(&args.file, &host, args.snippet);
    if loaded.main.is_none() {
        let msg = loaded
            .diagnostics
            .first()
            .map_or("", |d| d.message.as_str());
        eprintln!("supc: {msg}");
        return 2;
    }
    // Files supervisord cannot even lex (or an [include] it refuses) have
    // no model to write back.
    let fatal: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    if !fatal.is_empty() {
        eprint!("{}", crate::output::human::render(&fatal, &loaded.sources));
        eprintln!("supc: not rendered: supervisord cannot read this config");
        return 1;
    }
    if args.keep_includes {
        return write_tree(
            &loaded,
            args.out_dir.as_deref().unwrap_or(std::path::Path::new(".")),
        );
    }
    // Where the result will live decides where `%(here)s` still fits.
    let out_dir = match &args.output {
        Some(path) => {
            let abs = crate::python::path::abspath(&path.to_string_lossy(), &host.cwd);
            crate::python::path::dirname(&abs).to_string()
        }
        None => host.cwd.clone(),
    };
    let text = render_flat(&loaded, &out_dir);
    match &args.output {
        None => super::print_stdout(&text),
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("supc: {}: {e}", path.display());
                return 2;
            }
        }
    }
    0
}

/// `--keep-includes`: every file of the config, normalized, under `dir`.
fn write_tree(loaded: &crate::load::Loaded, dir: &std::path::Path) -> i32 {
    let files = match crate::emit::ini::render_files(loaded) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    for (rel, text) in files {
        let path = dir.join(&rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("supc: {}: {e}", path.display());
            return 2;
        }
    }
    0
}
