//! Helpers shared by the value rules of block A: where each line of a
//! (multi-line) value sits in the source, which inline comment follows it,
//! and how quotes and comment characters read in it.

use crate::ini::Definition;
use crate::lint::LintContext;
use crate::python::unicode::is_space;
use crate::source::Span;

/// One non-empty line of a written value.
#[derive(Clone, Copy, Debug)]
pub struct ValueLine<'a> {
    pub text: &'a str,
    /// Byte offset of the line in `Definition::written`.
    pub at: usize,
    pub span: Span,
}

/// The non-empty lines of a definition, each with its place in the source.
///
/// Continuation lines are the non-blank lines after the key line that are
/// not full-line comments; they pair one to one, in order, with the
/// non-empty lines of the joined value.
pub fn value_lines<'a>(cx: &LintContext<'a>, def: &'a Definition) -> Vec<ValueLine<'a>> {
    let text = &cx.sources().get(def.value_span.file).text;
    let start = def.value_span.start as usize;
    let mut lines = Vec::new();
    let mut at = 0;
    let mut pending = def.written().split('\n').map(|l| {
        let here = at;
        at += l.len() + 1;
        (here, l)
    });
    let Some((_, first)) = pending.next() else {
        return lines;
    };
    if !first.is_empty() {
        let span = Span::new(def.value_span.file, start, start + first.len());
        lines.push(ValueLine {
            text: first,
            at: 0,
            span,
        });
    }
    let end = (def.value_span.end as usize).min(text.len());
    let mut pos = text[start..].find(['\n', '\r']).map_or(end, |i| start + i);
    let mut pending = pending.filter(|(_, l)| !l.is_empty());
    while pos < end {
        pos += if text[pos..].starts_with("\r\n") {
            2
        } else {
            1
        };
        let line_end = text[pos..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let content = line.trim_start_matches(is_space);
        let skip = content.is_empty() || content.starts_with([';', '#']);
        if !skip {
            let Some((at, l)) = pending.next() else { break };
            let s = line_end - content.len();
            if !content.starts_with(l) {
                break;
            }
            let span = Span::new(def.value_span.file, s, s + l.len());
            lines.push(ValueLine { text: l, at, span });
        }
        pos = line_end;
    }
    lines
}

/// The source span of written-value offsets `[start, end)` (`None` when an
/// end falls between lines).
pub fn written_span(lines: &[ValueLine<'_>], start: usize, end: usize) -> Option<Span> {
    let place = |off: usize, is_end: bool| {
        lines.iter().find_map(|l| {
            let len = l.text.len();
            let inside = if is_end {
                off > l.at && off <= l.at + len
            } else {
                off >= l.at && off < l.at + len
            };
            inside.then(|| l.span.start as usize + off - l.at)
        })
    };
    let s = place(start, false)?;
    let e = if end > start { place(end, true)? } else { s };
    Some(Span::new(lines.first()?.span.file, s, e))
}

/// The inline comment on the same physical line right after `span`.
pub fn comment_after(cx: &LintContext<'_>, span: Span) -> Option<Span> {
    let text = &cx.sources().get(span.file).text;
    // Only the first comment after `span` can follow it with nothing but
    // spaces between: a later one has the first in between.
    cx.inline_comment_from(span.file, span.end).filter(|c| {
        text[span.end as usize..c.start as usize]
            .chars()
            .all(|ch| is_space(ch) && ch != '\n' && ch != '\r')
    })
}

/// Whether an inline comment starts between the start of `def`'s value
/// and the end of the line it ends on: without one, nothing of the value
/// was cut off as a comment.
pub fn may_have_inline_comment(cx: &LintContext<'_>, def: &Definition) -> bool {
    let span = def.value_span;
    let text = &cx.sources().get(span.file).text;
    let end = (span.end as usize).min(text.len());
    let line_end = text[end..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| end + i);
    cx.inline_comment_from(span.file, span.start)
        .is_some_and(|c| (c.start as usize) <= line_end)
}

/// The quote still open at the end of `text` (with shell escapes for
/// `command`, none for the other options).
pub fn open_quote(text: &str, escapes: bool) -> Option<char> {
    let mut open = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (open, c) {
            (None | Some('"'), '\\') if escapes => {
                chars.next();
            }
            (None, '\'' | '"') => open = Some(c),
            (Some(q), c) if c == q => open = None,
            _ => {}
        }
    }
    open
}

/// Inserts `ins` before every `;`/`#` that follows whitespace.
pub fn protect(text: &str, ins: &str) -> String {
    let mut out = String::new();
    let mut prev_space = false;
    for c in text.chars() {
        if prev_space && (c == ';' || c == '#') {
            out.push_str(ins);
        }
        out.push(c);
        prev_space = is_space(c);
    }
    out
}

/// Removes the whitespace before every `;`/`#` that follows whitespace.
pub fn tighten(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if (c == ';' || c == '#') && out.ends_with(is_space) {
            out.truncate(out.trim_end_matches(is_space).len());
        }
        out.push(c);
    }
    out
}
