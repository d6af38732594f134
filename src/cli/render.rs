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
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
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
