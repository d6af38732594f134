//! Stage 1: text → [`ParsedFile`] (one file, no cross-file state).
//!
//! Input: one decoded file from the [`SourceMap`](crate::source::SourceMap).
//! Output: the file's section headers and options in order, each with spans,
//! plus the lines configparser would reject. This is CPython's
//! `RawConfigParser._read` with supervisord's settings (inline comments
//! `;`/`#` after whitespace, `=`/`:` delimiters, lowercased keys, blank lines
//! kept inside values); merging files into one parser state is stage 2
//! ([`crate::ini`]).
//!
//! Invariant: every line of the file is accounted for (header, option,
//! continuation, comment, blank, or bad line); nothing panics on any input.

mod lexer;

pub use lexer::parse_file;

use crate::source::{FileId, Span};

/// One file, lexed.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub events: Vec<Event>,
    /// Lines that are neither header nor option (and `=value` lines), in
    /// order: supervisord's "Source contains parsing errors".
    pub bad_lines: Vec<BadLine>,
    /// Content before the first section header: supervisord's
    /// "File contains no section headers." (raised at once).
    pub missing_header: Option<BadLine>,
    /// Every comment (full-line and inline), for suppressions and emitters.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Section(SectionHeader),
    Option(OptionLine),
}

#[derive(Debug, Clone)]
pub struct SectionHeader {
    /// The name between the first `[` and the last `]`, unstripped.
    pub name: String,
    pub name_span: Span,
    /// The whole header line (without comment).
    pub span: Span,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct OptionLine {
    /// Lowercased and right-stripped, as configparser's `optionxform`.
    pub key: String,
    pub key_span: Span,
    /// The first line's value and every continuation line (blank lines
    /// inside the value are empty strings), before joining.
    pub lines: Vec<ValueLine>,
    pub line: u32,
    /// Indentation of the key line, in characters.
    pub indent: usize,
}

#[derive(Debug, Clone)]
pub struct ValueLine {
    pub text: String,
    pub span: Span,
}

impl OptionLine {
    /// configparser's joined value: lines joined by `\n`, right-stripped.
    pub fn value(&self) -> String {
        let mut joined = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 1).sum());
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                joined.push('\n');
            }
            joined.push_str(&l.text);
        }
        let kept = crate::python::unicode::rstrip(&joined).len();
        joined.truncate(kept);
        joined
    }

    /// [`Self::value`], taking the text of a one-line value instead of
    /// copying it.
    pub fn take_value(&mut self) -> String {
        if let [only] = self.lines.as_mut_slice() {
            let mut text = std::mem::take(&mut only.text);
            let kept = crate::python::unicode::rstrip(&text).len();
            text.truncate(kept);
            return text;
        }
        self.value()
    }

    /// From the start of the value to the end of its last non-empty line.
    pub fn value_span(&self) -> Span {
        let first = self.lines[0].span;
        let last = self
            .lines
            .iter()
            .rev()
            .find(|l| !l.text.is_empty())
            .map_or(first, |l| l.span);
        first.to(last)
    }
}

#[derive(Debug, Clone)]
pub struct BadLine {
    pub line: u32,
    /// The raw line as Python read it, newline included.
    pub raw: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub span: Span,
    pub line: u32,
    /// True for a comment that is the whole line.
    pub full_line: bool,
}

pub(crate) fn file_span(file: FileId, start: usize, end: usize) -> Span {
    Span::new(file, start, end)
}
