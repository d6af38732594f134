//! Every file that takes part in one config, and spans into them.
//!
//! One supervisord config is several files once `[include]` is used, so a
//! [`Span`] names its file and a [`SourceMap`] owns all the texts.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range of a file's (decoded) text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One file's text as supc read it.
#[derive(Debug)]
pub struct SourceFile {
    /// The name supervisord uses for the file in messages: the main file as
    /// given on the command line, included files as absolute paths.
    pub name: String,
    /// Where it was read from.
    pub path: PathBuf,
    /// The decoded text (invalid UTF-8 replaced by U+FFFD; the decode error
    /// itself is reported separately). Shared with the values read from it
    /// ([`crate::ini::Definition`]).
    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    pub text: Arc<String>,
    /// Offsets where lines start, found the first time a location is asked
    /// for (most runs never need one, and the scan costs as much as lexing).
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    pub fn new(name: String, path: PathBuf, text: String) -> Self {
        SourceFile {
            name,
            path,
            text: Arc::new(text),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut line_starts = vec![0u32];
            let bytes = self.text.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                if ends_line {
                    line_starts.push(i as u32 + 1);
                }
            }
            line_starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s <= offset).max(1);
        let start = line_starts[line - 1] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// All files of one config.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> &str {
        self.get(span.file)
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// `name:line:col` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let f = self.get(span.file);
        let (l, c) = f.line_col(span.start);
        format!("{}:{l}:{c}", f.name)
    }

    /// Like [`location`](Self::location), with an absolute name shown
    /// relative to `cwd` when it lies below it (for people, not messages).
    pub fn short_location(&self, span: Span, cwd: &str) -> String {
        let full = self.location(span);
        let prefix = format!("{}/", cwd.trim_end_matches('/'));
        full.strip_prefix(&prefix)
            .map_or(full.clone(), str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_handles_all_newlines() {
        let f = SourceFile::new("x".into(), "x".into(), "a\r\nbé\rc\nd".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (2, 3));
        assert_eq!(f.line_col(7), (3, 1));
        assert_eq!(f.line_col(9), (4, 1));
    }
}
