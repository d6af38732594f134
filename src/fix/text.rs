//! Spans that fixes edit: whole lines, a line's indentation, the point
//! after a line. Rules find what is wrong; these helpers find the text an
//! edit must cover so that the file still reads line by line afterwards.

use crate::diagnostic::Edit;
use crate::source::Span;

/// Offset where the line holding `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// Offset just past the line holding `at` (past its `\n`, or the end).
pub fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The lines `span` touches, newline included: deleting it removes them.
pub fn whole_lines(text: &str, span: Span) -> Span {
    // The line of the span's last character (of its start when empty).
    let last = if span.end > span.start {
        span.end as usize - 1
    } else {
        span.start as usize
    };
    Span::new(
        span.file,
        line_start(text, span.start as usize),
        line_end(text, last),
    )
}

/// The whitespace between the start of `span`'s line and `span`.
pub fn indentation(text: &str, span: Span) -> Span {
    Span::new(
        span.file,
        line_start(text, span.start as usize),
        span.start as usize,
    )
}

/// An edit adding `line` (without its newline) after the line holding the
/// end of `span`.
pub fn add_line_after(text: &str, span: Span, line: &str) -> Edit {
    let end = line_end(
        text,
        (span.end as usize)
            .saturating_sub(1)
            .max(span.start as usize),
    );
    let at = Span::new(span.file, end, end);
    if end == text.len() && !text.ends_with('\n') {
        Edit::replace(at, format!("\n{line}"))
    } else {
        Edit::replace(at, format!("{line}\n"))
    }
}

/// `span` widened to the spaces and tabs before it on its line.
pub fn with_leading_blanks(text: &str, span: Span) -> Span {
    let before = &text[..span.start as usize];
    let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
    Span {
        start: span.start - blanks as u32,
        ..span
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    const F: FileId = FileId(0);

    #[test]
    fn whole_lines_take_the_newline() {
        let t = "a=1\nb=2\nc=3";
        let s = whole_lines(t, Span::new(F, 4, 7));
        assert_eq!(&t[s.start as usize..s.end as usize], "b=2\n");
        let s = whole_lines(t, Span::new(F, 8, 11));
        assert_eq!(&t[s.start as usize..s.end as usize], "c=3");
        // A value continued on the next line goes with it.
        let t = "a=1\n  2\nb=3\n";
        let s = whole_lines(t, Span::new(F, 0, 7));
        assert_eq!(&t[s.start as usize..s.end as usize], "a=1\n  2\n");
    }

    #[test]
    fn added_lines_follow_the_line_and_keep_the_file_ending() {
        let e = add_line_after("a=1\nb=2", Span::new(F, 0, 1), "x=0");
        assert_eq!((e.span.start, e.replacement.as_str()), (4, "x=0\n"));
        let e = add_line_after("a=1", Span::new(F, 0, 3), "x=0");
        assert_eq!((e.span.start, e.replacement.as_str()), (3, "\nx=0"));
    }

    #[test]
    fn indentation_and_leading_blanks() {
        let t = "x\n  [a]\nv=1 ; c";
        let s = indentation(t, Span::new(F, 4, 7));
        assert_eq!((s.start, s.end), (2, 4));
        let s = with_leading_blanks(t, Span::new(F, 12, 15));
        assert_eq!(&t[s.start as usize..s.end as usize], " ; c");
    }
}
