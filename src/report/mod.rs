//! Reports of `supc check`: one stream of [`Finding`] records feeds every
//! format (human, concise, JSON, SARIF, GitHub annotations) alike. Paths are
//! shown relative to the current directory and control characters from
//! config text are escaped before any format sees a finding.

pub mod concise;
pub mod docs;
pub mod escape;
pub mod github;
pub mod human;
pub mod paths;
pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry;
use crate::source::{SourceMap, Span};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A place in a file, 1-based, columns in characters.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, Hash, JsonSchema)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    pub fn of(span: Span, sources: &SourceMap) -> Location {
        let f = sources.get(span.file);
        let (line, column) = f.line_col(span.start);
        let (end_line, end_column) = f.line_col(span.end);
        Location {
            file: f.name.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RelatedLocation {
    pub message: String,
    #[serde(flatten)]
    pub location: Location,
}

/// One finding, as every machine format sees it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Finding {
    pub code: String,
    /// The rule's kebab-case name.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub label: Option<String>,
    pub related: Vec<RelatedLocation>,
    pub help: Option<String>,
    /// The rule's documentation in the supc repository.
    pub docs: Option<String>,
    /// A mechanical repair (`supc check --fix` applies the safe ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::fix::report::FixReport>,
    /// What identifies the finding across unrelated edits of the file: its
    /// code, its file and the text of its line, not the line number.
    #[serde(skip)]
    #[schemars(skip)]
    pub fingerprint: String,
}

impl Finding {
    pub fn from_diagnostic(d: &Diagnostic, sources: &SourceMap) -> Finding {
        let url = Some(docs_path(d.code));
        let esc = |s: &str| escape::escape(s);
        Finding {
            code: d.code.code().to_string(),
            rule: d.code.name().to_string(),
            severity: d.severity,
            message: esc(&d.message),
            location: d.primary.as_ref().map(|l| Location::of(l.span, sources)),
            label: d.primary.as_ref().map(|l| esc(&l.message)),
            related: d
                .related
                .iter()
                .map(|l| RelatedLocation {
                    message: esc(&l.message),
                    location: Location::of(l.span, sources),
                })
                .collect(),
            help: d.help.as_deref().map(esc),
            docs: url,
            fix: (d.fix.as_ref()).map(|f| crate::fix::report::FixReport::of(f, sources)),
            fingerprint: fingerprint(d, sources),
        }
    }

    /// Shows every path relative to `cwd` (see [`paths`]).
    pub fn relativize(&mut self, cwd: &Path) {
        if let Some(l) = &mut self.location {
            l.file = paths::display(&l.file, cwd);
        }
        for r in &mut self.related {
            r.location.file = paths::display(&r.location.file, cwd);
        }
        for e in self.fix.iter_mut().flat_map(|f| &mut f.edits) {
            e.location.file = paths::display(&e.location.file, cwd);
        }
    }

    /// The place and identity of a finding, to tell two reports of one.
    fn key(&self) -> (&str, Option<&Location>, &str) {
        (&self.code, self.location.as_ref(), &self.message)
    }
}

/// The code's documentation in the supc repository: a lint rule's page,
/// or the page of one of supervisord's (or the YAML front-end's) codes.
pub fn docs_path(code: crate::codes::Code) -> String {
    match registry::rule_of(code) {
        Some(m) => m.docs_path(),
        None => format!("docs/codes/{}.md", code.code()),
    }
}

/// Code, file name and the primary line's text (blanks folded), hashed.
fn fingerprint(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(d.code.code().as_bytes());
    if let Some(p) = &d.primary {
        let f = sources.get(p.span.file);
        let text = f.text.as_str();
        let start = text[..p.span.start as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = text[p.span.end as usize..]
            .find('\n')
            .map_or(text.len(), |i| p.span.end as usize + i);
        h.update(b"\0");
        h.update(
            f.path
                .file_name()
                .map_or(b"" as &[u8], |n| n.as_encoded_bytes()),
        );
        for word in text[start..end].split_whitespace() {
            h.update(b"\0");
            h.update(word.as_bytes());
        }
    }
    h.digest().to_string()
}

/// Drops a finding already reported (one file reached twice, say).
pub fn dedup(files: &mut [FileReport]) {
    let mut seen = std::collections::HashSet::new();
    for f in files.iter_mut() {
        f.findings.retain(|x| {
            let (c, l, m) = x.key();
            seen.insert((c.to_string(), l.cloned(), m.to_string()))
        });
    }
}

/// A file or directory that could not be read; the rest was still checked.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Unreadable {
    pub path: String,
    pub reason: String,
}

/// Everything `supc check` found in one file.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FileReport {
    pub path: String,
    /// Whether supervisord 4.3.0 would accept the config.
    pub accepted: bool,
    /// Checked as a conf.d snippet (no `[supervisord]` needed).
    pub snippet: bool,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct Summary {
    pub files: usize,
    /// Files and directories that could not be read.
    pub unreadable: usize,
    /// Files found in a walk but not checked (not supervisord configs,
    /// excluded, or not regular files).
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(run: &Run) -> Summary {
        let mut s = Summary {
            files: run.files.len(),
            unreadable: run.unreadable.len(),
            skipped: run.skipped,
            ..Summary::default()
        };
        for f in run.files.iter().flat_map(|r| &r.findings) {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// `3 files, 1 error, 2 warnings, 0 infos (4 skipped, 1 unreadable)`
    pub fn line(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut line = format!(
            "{}, {}, {}, {}",
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info")
        );
        let mut extra = Vec::new();
        if self.skipped > 0 {
            extra.push(format!("{} skipped", self.skipped));
        }
        if self.unreadable > 0 {
            extra.push(format!("{} unreadable", self.unreadable));
        }
        if !extra.is_empty() {
            line.push_str(&format!(" ({})", extra.join(", ")));
        }
        line
    }
}

/// One `supc check` run, as every format receives it.
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub files: Vec<FileReport>,
    pub unreadable: Vec<Unreadable>,
    /// Files the walk skipped.
    pub skipped: usize,
    /// The directory paths are shown relative to (SARIF's `%SRCROOT%`).
    pub cwd: PathBuf,
}

/// The `--format json` document (schema: `schemas/check.schema.json`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckReport {
    /// Format version of this document.
    pub version: u32,
    pub files: Vec<FileReport>,
    /// Entries that could not be read (the exit code is then 2).
    pub unreadable: Vec<Unreadable>,
    pub summary: Summary,
}

pub fn json(run: &Run) -> String {
    let report = CheckReport {
        version: 1,
        files: run.files.clone(),
        unreadable: run.unreadable.clone(),
        summary: Summary::of(run),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// The JSON Schema of `supc check --format json` (committed as
/// `schemas/check.schema.json`; a test fails when it is stale).
pub fn schema() -> String {
    let schema = schemars::schema_for!(CheckReport);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
