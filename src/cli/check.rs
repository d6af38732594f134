//! `supc check`: supervisord's own errors and warnings plus the lint rules,
//! for many files at once, in human, JSON, SARIF or GitHub format.

use super::InputArgs;
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::host::Host;
use crate::lint::{LintContext, Settings, lint};
use crate::output::human::render;
use crate::report::{FileReport, Finding, Summary, github, json, sarif};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format (default: github under GitHub Actions, else human).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Only these rules (codes or names, comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (codes or names).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Lowest finding severity that fails the run (default: error).
    #[arg(long, value_enum)]
    fail_on: Option<Level>,
    /// Use this settings file instead of the nearest .supc.yaml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Treat every file as a conf.d snippet. Without this flag, a file with
    /// no [supervisord] section is checked as a snippet automatically.
    #[arg(long)]
    snippet: bool,
    /// Config files (INI, or a supc.yaml spec without template variables),
    /// or directories searched recursively for *.conf/*.ini.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// The outcome for one file, with what the human renderer needs.
struct Checked {
    report: FileReport,
    human: String,
    io_error: bool,
}

pub fn run(args: &CheckArgs) -> i32 {
    let host = args.input.host();
    let files = match collect(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    let explicit = match &args.config {
        Some(p) => match load_settings(p) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("supc: {e}");
                return 2;
            }
        },
        None => None,
    };
    let format = args.format.unwrap_or(
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        },
    );
    let fail_cli = args.fail_on.map(Severity::from);
    // One file: its config is freed by the exit, not piece by piece.
    let leak = files.len() == 1;
    let results = crate::parallel::map(&files, |file| {
        let settings = match &explicit {
            Some(s) => Ok(s.clone()),
            None => nearest_settings(file),
        };
        match settings {
            Ok(s) => {
                let s = s.overlay(&args.select, &args.ignore, fail_cli);
                check_one(file, &host, &s, args.snippet, format, leak)
            }
            Err(e) => Err(e),
        }
    });
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    let mut reports: Vec<FileReport> = Vec::with_capacity(results.len());
    let mut human = String::new();
    let mut io_error = false;
    for r in results {
        match r {
            Ok(c) => {
                human.push_str(&c.human);
                io_error |= c.io_error;
                reports.push(c.report);
            }
            Err(e) => {
                eprintln!("supc: {e}");
                return 2;
            }
        }
    }
    match format {
        Format::Human => {
            eprint!("{human}");
            eprintln!("{}", Summary::of(&reports).line());
        }
        Format::Json => super::print_stdout(&json(&reports)),
        Format::Sarif => super::print_stdout(&sarif::render(&reports)),
        Format::Github => super::print_stdout(&github::render(&reports)),
    }
    if io_error {
        return 2;
    }
    let threshold = fail_cli.unwrap_or(Severity::Error);
    let failed = reports
        .iter()
        .any(|r| !r.accepted || r.findings.iter().any(|f| f.severity >= threshold));
    i32::from(failed)
}

fn check_one(
    file: &Path,
    host: &Host,
    settings: &Settings,
    force_snippet: bool,
    format: Format,
    leak: bool,
) -> Result<Checked, String> {
    let path = file.to_string_lossy().into_owned();
    let yaml = crate::yaml::is_yaml_path(&path);
    let snippet = !yaml && (force_snippet || looks_like_snippet(file));
    // A supc.yaml spec gets the same resolve and lint, located in the YAML.
    let (loaded, resolution) = crate::analyze(&path, host, snippet);
    let cx = LintContext::new(&loaded, &resolution, host);
    let mut diags: Vec<Diagnostic> = resolution.diagnostics.clone();
    let accepted = !diags.iter().any(|d| d.severity == Severity::Error);
    if loaded.main.is_some() {
        diags.extend(lint(&cx, settings));
    }
    let io_error = diags.iter().any(|d| d.code == Code::ConfigUnreadable);
    let human = if format == Format::Human {
        render(&diags, &loaded.sources)
    } else {
        String::new()
    };
    let findings = diags
        .iter()
        .map(|d| Finding::from_diagnostic(d, &loaded.sources))
        .collect();
    if leak {
        std::mem::forget(resolution);
        std::mem::forget(loaded);
    }
    Ok(Checked {
        report: FileReport {
            path,
            accepted,
            snippet,
            findings,
        },
        human,
        io_error,
    })
}

/// Files as given; directories searched recursively for `*.conf`, `*.ini`.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| format!("{}: {e}", p.display()))?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "conf" || e == "ini") {
            out.push(path);
        }
    }
    Ok(())
}

fn load_settings(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Settings::from_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn nearest_settings(file: &Path) -> Result<Settings, String> {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    match Settings::find(&abs) {
        Some(p) => load_settings(&p),
        None => Ok(Settings::default()),
    }
}

/// A file with neither a `[supervisord]` nor an `[include]` header is a
/// conf.d snippet (a main file may take `[supervisord]` from an include).
fn looks_like_snippet(file: &Path) -> bool {
    std::fs::read(file).is_ok_and(|b| {
        let text = String::from_utf8_lossy(&b);
        !text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("[supervisord]") || l.starts_with("[include]")
        })
    })
}
