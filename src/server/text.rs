//! Byte offsets ↔ LSP positions for one document's text.
//!
//! supc's spans are byte offsets into a file's text; LSP positions are a
//! line and a column counted in UTF-16 code units (the default) or in bytes
//! (UTF-8, when the client offers it). Lines end at `\n`, `\r\n` or a lone
//! `\r`, as both configparser and the protocol count them. A position past
//! the end of its line or of the text is clamped, never an error: clients
//! send stale positions while the user types.

use lsp_types::{Position, Range};

/// How columns are counted, as negotiated at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0u32];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    /// The byte range of line `line` without its terminator.
    fn line_range(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line] as usize;
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.len as usize, |&s| s as usize);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        (start, end)
    }

    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let (start, end) = self.line_range(text, line);
        let prefix = &text[start..offset.min(end).max(start)];
        Position::new(line as u32, units(prefix, enc))
    }

    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> Range {
        Range::new(
            self.position(text, start, enc),
            self.position(text, end, enc),
        )
    }

    /// The byte offset of a position (clamped to its line and the text).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(_) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let (start, end) = self.line_range(text, pos.line as usize);
        let mut counted = 0u32;
        for (i, c) in text[start..end].char_indices() {
            if counted >= pos.character {
                return start + i;
            }
            counted += match enc {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
            };
        }
        end
    }

    /// The byte offset where line `line` starts (clamped).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line)
            .map_or(self.len as usize, |&s| s as usize)
    }
}

fn units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "a=é😀x\r\nb\rc";
        let ix = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(ix.position(text, x, Encoding::Utf16), Position::new(0, 5));
        assert_eq!(ix.position(text, x, Encoding::Utf8), Position::new(0, 8));
        assert_eq!(ix.offset(text, Position::new(0, 5), Encoding::Utf16), x);
        assert_eq!(ix.offset(text, Position::new(0, 8), Encoding::Utf8), x);
        assert_eq!(
            ix.position(text, text.len(), Encoding::Utf16),
            Position::new(2, 1)
        );
        assert_eq!(
            ix.offset(text, Position::new(1, 0), Encoding::Utf16),
            text.find('b').unwrap()
        );
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(ix.offset(text, Position::new(9, 0), Encoding::Utf16), 5);
        // Inside a surrogate pair: the character's start.
        let t = "😀";
        assert_eq!(
            LineIndex::new(t).offset(t, Position::new(0, 1), Encoding::Utf16),
            4
        );
    }
}
