//! Diagnostics are data: built by the library, rendered by the CLI.
//!
//! supervisord's own messages are kept verbatim in `message` (they are part
//! of the oracle contract); supc adds the location, labels and help.

use crate::codes::Code;
use crate::source::Span;
use serde::Serialize;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One finding about a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The code from the catalogue (`crate::codes`).
    pub code: Code,
    pub severity: Severity,
    /// The message; for supervisord's errors, its exact text.
    pub message: String,
    /// Where the problem is (none when supervisord names no place, e.g. a
    /// missing `[supervisord]` section).
    pub primary: Option<Label>,
    /// Related places ("first defined here").
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// A mechanical change of the text that removes the finding.
    pub fix: Option<Fix>,
}

/// Whether applying a fix keeps what supervisord reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// supervisord reads the same model afterwards (`--fix`).
    Safe,
    /// Changes behaviour, as intended (`--unsafe-fixes`).
    Unsafe,
}

/// One replacement of a span of a file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced (empty for an insertion), in the span's file.
    pub span: Span,
    pub replacement: String,
}

/// A fix: edits applied together, possibly in several files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, e.g. "Rename `kill_as_group` to `killasgroup`".
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label::new(span, label));
        self
    }

    pub fn at_opt(self, span: Option<Span>, label: impl Into<String>) -> Self {
        match span {
            Some(s) => self.at(s, label),
            None => self,
        }
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Label::new(span, label));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}
