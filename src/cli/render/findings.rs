//! What `render` reports: every host's findings, in `check`'s formats
//! (human, JSON, SARIF, GitHub annotations through [`crate::report`]).
//! A host fails when it has a finding at or above `--fail-on` (default:
//! error); then nothing is written for any host.

pub use super::super::Level;
use crate::report::{FileReport, Finding, Run, concise, github, json, sarif};
use crate::yaml::{Failure, Rendered};
use clap::ValueEnum;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Rendered findings with the template lines they are about.
    Human,
    /// One line each: `path:line:col: CODE severity message`.
    Concise,
    Json,
    Sarif,
    Github,
}

/// `--format`, or github under GitHub Actions, else human.
pub fn resolve_format(f: Option<Format>) -> Format {
    f.unwrap_or(
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        },
    )
}

/// One host's outcome.
pub struct Outcome<'a> {
    pub host: Option<&'a str>,
    pub result: &'a Result<Rendered, Failure>,
}

/// Writes the findings (human: stderr, each distinct one once; machine
/// formats: stdout) and returns how many hosts failed.
pub fn report(format: Format, spec: &str, outcomes: &[Outcome<'_>]) -> usize {
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    if format == Format::Human {
        human(outcomes);
        return failed;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut files: Vec<FileReport> = outcomes.iter().map(|o| file_report(spec, o)).collect();
    for f in files.iter_mut().flat_map(|r| &mut r.findings) {
        f.relativize(&cwd);
    }
    let run = Run {
        files,
        unreadable: Vec::new(),
        skipped: 0,
        cwd,
    };
    let text = match format {
        Format::Concise => concise::render(&run),
        Format::Json => json(&run),
        Format::Sarif => sarif::render(&run),
        Format::Github => github::render(&run),
        Format::Human => unreachable!("handled above"),
    };
    crate::cli::print_stdout(&text);
    failed
}

/// A host's findings located in the spec file itself (the host is named
/// in the message, so SARIF and annotations point at a real file).
fn file_report(spec: &str, o: &Outcome<'_>) -> FileReport {
    let (diags, sources) = match o.result {
        Ok(r) => (&r.findings, &r.sources),
        Err(f) => (&f.diagnostics, &f.sources),
    };
    let labelled = o.host.map(|h| format!("{spec} (for {h})"));
    let findings = diags
        .iter()
        .map(|d| {
            let mut f = Finding::from_diagnostic(d, sources);
            if let Some(h) = o.host {
                f.message = format!("host {h}: {}", f.message);
            }
            let locations = f
                .location
                .iter_mut()
                .chain(f.related.iter_mut().map(|r| &mut r.location));
            for loc in locations {
                if Some(&loc.file) == labelled.as_ref() {
                    loc.file = spec.to_string();
                }
            }
            f
        })
        .collect();
    FileReport {
        path: labelled.unwrap_or_else(|| spec.to_string()),
        accepted: o.result.is_ok(),
        snippet: false,
        findings,
    }
}

/// Human output: each distinct finding once (hosts share most of them),
/// the first 20 failures in full.
fn human(outcomes: &[Outcome<'_>]) {
    let mut seen = std::collections::HashSet::new();
    let mut failed = 0;
    for o in outcomes {
        let label = o.host.map_or(String::new(), |n| format!("host {n}: "));
        match o.result {
            Ok(rendered) => {
                for d in &rendered.findings {
                    if seen.insert((d.code, d.message.clone())) {
                        let text = crate::report::human::render(
                            std::slice::from_ref(d),
                            &rendered.sources,
                        );
                        eprint!("{label}{text}");
                    }
                }
            }
            Err(f) => {
                failed += 1;
                if failed <= 20 {
                    let text = crate::report::human::render(&f.diagnostics, &f.sources);
                    eprint!("{label}{text}");
                }
            }
        }
    }
}
