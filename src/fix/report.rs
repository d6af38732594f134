//! Fixes as machine formats carry them: each edit with its place (line
//! and column like every location, and the exact byte range) and the text
//! that replaces it.

use crate::diagnostic::{Applicability, Fix};
use crate::report::Location;
use crate::source::SourceMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A finding's fix in JSON (`fix`) and SARIF (`fixes`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FixReport {
    pub message: String,
    /// `safe`: supervisord reads the same model afterwards (`--fix`);
    /// `unsafe`: changes behaviour as the finding asks (`--unsafe-fixes`).
    pub applicability: FixApplicability,
    pub edits: Vec<EditReport>,
}

/// [`Applicability`] in reports.
#[derive(Clone, Copy, Debug, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FixApplicability {
    Safe,
    Unsafe,
}

/// One replacement.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct EditReport {
    #[serde(flatten)]
    pub location: Location,
    /// Byte offset of the replaced text in the file.
    pub byte_offset: u32,
    /// Bytes replaced (0 for an insertion).
    pub byte_length: u32,
    pub replacement: String,
}

impl FixReport {
    pub fn of(fix: &Fix, sources: &SourceMap) -> FixReport {
        FixReport {
            message: fix.message.clone(),
            applicability: match fix.applicability {
                Applicability::Safe => FixApplicability::Safe,
                Applicability::Unsafe => FixApplicability::Unsafe,
            },
            edits: fix
                .edits
                .iter()
                .map(|e| EditReport {
                    location: Location::of(e.span, sources),
                    byte_offset: e.span.start,
                    byte_length: e.span.end - e.span.start,
                    replacement: e.replacement.clone(),
                })
                .collect(),
        }
    }

    pub fn applicability_str(&self) -> &'static str {
        match self.applicability {
            FixApplicability::Safe => "safe",
            FixApplicability::Unsafe => "unsafe",
        }
    }
}
