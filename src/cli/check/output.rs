//! Writes the report of a run: to standard output or `--output-file`
//! (atomically: a temp file renamed into place), in the chosen format.

use super::args::{CheckArgs, Format};
use super::plan::Plan;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::human::{Style, render_styled};
use crate::report::{Run, Summary, concise, github, json, sarif};
use crate::source::SourceMap;

/// The whole report as text.
fn text(plan: &Plan, args: &CheckArgs, run: &Run, human: &str) -> String {
    match plan.format {
        Format::Json => json(run),
        Format::Sarif => sarif::render(run),
        Format::Github => github::render(run),
        Format::Human | Format::Concise => {
            let mut out = String::new();
            if args.statistics {
                out.push_str(&concise::statistics(run));
            } else if plan.format == Format::Human {
                out.push_str(&unreadable_human(plan, run));
                out.push_str(human);
            } else {
                out.push_str(&unreadable_concise(run));
                out.push_str(&concise::render(run));
            }
            if !args.quiet {
                out.push_str(&Summary::of(run).line());
                out.push('\n');
            }
            out
        }
    }
}

fn unreadable_message(path: &str, reason: &str) -> String {
    crate::report::escape::escape(&format!("cannot read {path}: {reason}"))
}

fn unreadable_human(plan: &Plan, run: &Run) -> String {
    let diags: Vec<Diagnostic> = run
        .unreadable
        .iter()
        .map(|u| {
            Diagnostic::new(
                crate::codes::Code::ConfigUnreadable,
                Severity::Error,
                unreadable_message(&u.path, &u.reason),
            )
        })
        .collect();
    let style = Style {
        color: plan.color,
        width: 100,
        cwd: None,
    };
    render_styled(&diags, &SourceMap::new(), &style)
}

fn unreadable_concise(run: &Run) -> String {
    run.unreadable
        .iter()
        .map(|u| {
            format!(
                "{}: SUP001 error {}\n",
                crate::report::escape::escape(&u.path),
                unreadable_message(&u.path, &u.reason)
            )
        })
        .collect()
}

/// Writes the report where it goes.
pub fn write(plan: &Plan, args: &CheckArgs, run: &Run, human: &str) -> Result<(), String> {
    let text = text(plan, args, run, human);
    match &args.output_file {
        None => {
            super::super::print_stdout(&text);
            Ok(())
        }
        Some(path) => write_atomically(path, text.as_bytes())
            .map_err(|e| format!("--output-file {}: {e}", path.display())),
    }
}

/// A temp file next to `path`, renamed over it: a reader never sees half
/// a report.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })
}

/// A new file in `dir` that no one else opened (`create_new`).
fn tempfile_in(dir: &std::path::Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let pid = std::process::id();
    for n in 0..100u32 {
        let p = dir.join(format!(".supc-report-{pid}-{n}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary name"))
}
