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

pub use lexer::{lex_file, lex_from, parse_file, split_point};

use crate::source::{FileId, Span};
use std::borrow::Cow;

/// One file, lexed. Names, keys and values borrow the file's text.
#[derive(Debug, Default)]
pub struct ParsedFile<'a> {
    pub events: Vec<Event<'a>>,
    /// Lines that are neither header nor option (and `=value` lines), in
    /// order: supervisord's "Source contains parsing errors".
    pub bad_lines: Vec<BadLine>,
    /// Content before the first section header: supervisord's
    /// "File contains no section headers." (raised at once).
    pub missing_header: Option<BadLine>,
    /// Every comment (full-line and inline), for suppressions and emitters.
    pub comments: Vec<Comment>,
    /// How many lines were read.
    pub lines: u32,
}

#[derive(Debug, Clone)]
pub enum Event<'a> {
    Section(SectionHeader<'a>),
    Option(OptionLine<'a>),
}

#[derive(Debug, Clone)]
pub struct SectionHeader<'a> {
    /// The name between the first `[` and the last `]`, unstripped.
    pub name: &'a str,
    pub name_span: Span,
    /// The whole header line (without comment).
    pub span: Span,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct OptionLine<'a> {
    /// Lowercased and right-stripped, as configparser's `optionxform`
    /// (borrowed when the key is written in lower case).
    pub key: Cow<'a, str>,
    pub key_span: Span,
    /// The value on the key's line, before joining.
    pub first: ValueLine<'a>,
    /// Every continuation line (blank lines inside the value are empty
    /// strings), before joining; most values have none.
    pub more: Vec<ValueLine<'a>>,
    pub line: u32,
    /// Indentation of the key line, in characters.
    pub indent: usize,
}

#[derive(Debug, Clone)]
pub struct ValueLine<'a> {
    pub text: &'a str,
    pub span: Span,
}

impl<'a> OptionLine<'a> {
    /// The first line, then the continuation lines.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &ValueLine<'a>> {
        std::iter::once(&self.first).chain(&self.more)
    }

    /// configparser's joined value: lines joined by `\n`, right-stripped.
    pub fn value(&self) -> String {
        self.joined().into_owned()
    }

    /// The value when it is its first line as written: no continuation
    /// line but blank ones, which the join's right strip removes.
    pub fn one_line(&self) -> Option<&'a str> {
        self.more
            .iter()
            .all(|l| l.text.is_empty())
            .then_some(self.first.text)
    }

    /// [`Self::value`], borrowing the text of a one-line value.
    pub fn joined(&self) -> Cow<'a, str> {
        if let Some(line) = self.one_line() {
            return Cow::Borrowed(crate::python::unicode::rstrip(line));
        }
        let mut joined = String::with_capacity(self.lines().map(|l| l.text.len() + 1).sum());
        for (i, l) in self.lines().enumerate() {
            if i > 0 {
                joined.push('\n');
            }
            joined.push_str(l.text);
        }
        let kept = crate::python::unicode::rstrip(&joined).len();
        joined.truncate(kept);
        Cow::Owned(joined)
    }

    /// From the start of the value to the end of its last non-empty line.
    pub fn value_span(&self) -> Span {
        let first = self.first.span;
        let last = self
            .lines()
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
