//! Machine-readable reports of `supc check`: one stream of [`Finding`]
//! records feeds JSON, SARIF and GitHub annotations alike.

pub mod github;
pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry;
use crate::source::{SourceMap, Span};
use schemars::JsonSchema;
use serde::Serialize;

/// A place in a file, 1-based, columns in characters.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, JsonSchema)]
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
}

impl Finding {
    pub fn from_diagnostic(d: &Diagnostic, sources: &SourceMap) -> Finding {
        let url = registry::rule_of(d.code).map(|m| m.docs_path());
        Finding {
            code: d.code.code().to_string(),
            rule: d.code.name().to_string(),
            severity: d.severity,
            message: d.message.clone(),
            location: d.primary.as_ref().map(|l| Location::of(l.span, sources)),
            label: d.primary.as_ref().map(|l| l.message.clone()),
            related: d
                .related
                .iter()
                .map(|l| RelatedLocation {
                    message: l.message.clone(),
                    location: Location::of(l.span, sources),
                })
                .collect(),
            help: d.help.clone(),
            docs: url,
        }
    }
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
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(files: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for f in files.iter().flat_map(|r| &r.findings) {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    /// `3 files, 1 error, 2 warnings, 0 infos`
    pub fn line(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}, {}, {}",
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info")
        )
    }
}

/// The `--format json` document (schema: `schemas/check.schema.json`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckReport {
    /// Format version of this document.
    pub version: u32,
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

pub fn json(files: &[FileReport]) -> String {
    let report = CheckReport {
        version: 1,
        files: files.to_vec(),
        summary: Summary::of(files),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// The JSON Schema of `supc check --format json` (committed as
/// `schemas/check.schema.json`; a test fails when it is stale).
pub fn schema() -> String {
    let schema = schemars::schema_for!(CheckReport);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
