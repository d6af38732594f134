//! Fixes: applying the edits that lint findings carry.
//!
//! Input: a file's text and the [`Fix`]es whose edits fall in it. Output:
//! the new text, a unified diff of old against new, or the new text written
//! in place of the file (atomically, keeping its mode). A fix is applied
//! whole or not at all; when two fixes overlap, the earlier one wins this
//! pass and the other is left to the next [`engine`] pass, which re-lints
//! the changed text. The passes are bounded, so a rule whose fix does not
//! remove its finding cannot loop forever.

pub mod apply;
pub mod core;
pub mod diff;
pub mod engine;
pub mod report;
pub mod session;
pub mod text;
pub mod write;

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::source::Span;

impl Edit {
    /// Replaces the text of `span`.
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// Removes the text of `span`.
    pub fn delete(span: Span) -> Self {
        Self::replace(span, "")
    }

    /// Inserts `text` before `at`'s start.
    pub fn insert_before(at: Span, text: impl Into<String>) -> Self {
        let point = Span {
            end: at.start,
            ..at
        };
        Self::replace(point, text)
    }
}

impl Fix {
    /// A fix after which supervisord reads the same model.
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            message: message.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    /// A fix that changes what supervisord does, as the finding asks.
    pub fn behaviour_changing(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            message: message.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
}

/// Which fixes a run applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Only [`Applicability::Safe`] fixes.
    Safe,
    /// Safe and unsafe fixes.
    Unsafe,
}

impl Level {
    pub fn allows(self, a: Applicability) -> bool {
        a == Applicability::Safe || self == Level::Unsafe
    }
}
