//! `supc check`: every error supervisord would raise, plus its warnings.

use super::InputArgs;
use crate::diagnostic::{Diagnostic, Severity};
use crate::output::human::render;
use clap::Args;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Treat each FILE as a conf.d snippet. Without this flag, a file with
    /// no [supervisord] section is checked as a snippet automatically.
    #[arg(long)]
    snippet: bool,
    /// Config files.
    #[arg(required = true)]
    files: Vec<String>,
}

pub fn run(args: &CheckArgs) -> i32 {
    let host = args.input.host();
    let mut exit = 0;
    for file in &args.files {
        let snippet = args.snippet || looks_like_snippet(file, &host);
        let (loaded, res) = crate::analyze(file, &host, snippet);
        let diags: Vec<Diagnostic> = res.diagnostics.clone();
        eprint!("{}", render(&diags, &loaded.sources));
        if diags.iter().any(|d| d.code == "SUP001") {
            exit = 2;
        } else if diags.iter().any(|d| d.severity == Severity::Error) && exit == 0 {
            exit = 1;
        }
    }
    exit
}

/// A file without a `[supervisord]` header is a conf.d snippet.
fn looks_like_snippet(file: &str, host: &crate::host::Host) -> bool {
    let path = crate::python::path::abspath(file, &host.cwd);
    std::fs::read(path).is_ok_and(|b| {
        let text = String::from_utf8_lossy(&b);
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("[supervisord]"))
    })
}
