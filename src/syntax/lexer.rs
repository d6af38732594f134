//! configparser's `_read`, line by line.

use super::{BadLine, Comment, Event, OptionLine, ParsedFile, SectionHeader, ValueLine, file_span};
use crate::python::unicode::{is_space, lower, lstrip, rstrip};
use crate::source::FileId;
use pest::Parser;
use std::borrow::Cow;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/ini.pest"]
struct IniGrammar;

/// One physical line: `[start, end)` without its terminator.
struct RawLine<'a> {
    text: &'a str,
    start: usize,
    has_newline: bool,
}

/// The first index of byte `a` or `b` in `s`, testing eight bytes at a
/// time (lines are short, so `memchr`'s setup would cost more than the
/// search).
fn find_either(s: &[u8], a: u8, b: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero where the word had the byte searched for; the
    // lowest flagged byte is exact (false flags only follow a true one).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let (fa, fb) = (ONES * u64::from(a), ONES * u64::from(b));
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let found = zero_bytes(w ^ fa) | zero_bytes(w ^ fb);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = chunks.remainder();
    rest.iter().position(|&c| c == a || c == b).map(|i| at + i)
}

/// Splits like Python's universal-newline text mode: `\n`, `\r\n`, `\r`,
/// from `start` (the start of a line).
fn physical_lines(text: &str, start: usize) -> impl Iterator<Item = RawLine<'_>> {
    let bytes = text.as_bytes();
    let mut start = start;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let Some(len) = find_either(&bytes[start..], b'\n', b'\r') else {
            let line = RawLine {
                text: &text[start..],
                start,
                has_newline: false,
            };
            start = bytes.len();
            return Some(line);
        };
        let i = start + len;
        let line = RawLine {
            text: &text[start..i],
            start,
            has_newline: true,
        };
        start = i + if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        Some(line)
    })
}

/// Where configparser's inline-comment search starts the comment.
///
/// CPython looks for each prefix (`;` then `#`) in rounds: round *k* checks
/// the *k*-th occurrence of every prefix and stops after the first round in
/// which some occurrence is at column 0 or follows whitespace. So a valid `#`
/// in round 1 wins over a valid `;` found only in round 2, even when the `;`
/// is further left. Copying the quirk keeps values identical.
fn inline_comment_start(line: &str) -> Option<usize> {
    // Most lines have neither prefix.
    find_either(line.as_bytes(), b';', b'#')?;
    let mut positions: Vec<(u8, Option<usize>)> = vec![(b';', None), (b'#', None)];
    loop {
        let mut best: Option<usize> = None;
        let mut next = Vec::new();
        for &(prefix, last) in &positions {
            let from = last.map_or(0, |i| i + 1);
            let Some(rel) = line
                .as_bytes()
                .get(from..)
                .and_then(|b| b.iter().position(|&c| c == prefix))
            else {
                continue;
            };
            let idx = from + rel;
            next.push((prefix, Some(idx)));
            let after_space = line[..idx].chars().next_back().is_some_and(is_space);
            if idx == 0 || after_space {
                best = Some(best.map_or(idx, |b: usize| b.min(idx)));
            }
        }
        if best.is_some() || next.is_empty() {
            return best;
        }
        positions = next;
    }
}

fn strip_bounds(s: &str) -> (usize, usize) {
    let start = s.len() - lstrip(s).len();
    let end = rstrip(s).len();
    (start, end.max(start))
}

/// What a stripped, comment-free line is, with byte ranges into it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// `[name]trailer` (the name's range; `None` if the grammar gave none).
    Header(Option<std::ops::Range<usize>>),
    Option {
        key: std::ops::Range<usize>,
        value: std::ops::Range<usize>,
    },
    Junk,
}

/// The line's shape by the grammar (grammar/ini.pest), the reference.
fn shape_by_grammar(line: &str) -> Shape {
    let Some(pair) = IniGrammar::parse(Rule::line, line)
        .ok()
        .and_then(|mut p| p.next())
    else {
        // The grammar accepts every non-empty line; stay total anyway.
        return Shape::Junk;
    };
    let range = |p: &pest::iterators::Pair<'_, Rule>| p.as_span().start()..p.as_span().end();
    match pair.as_rule() {
        Rule::header => Shape::Header(
            pair.into_inner()
                .find(|p| p.as_rule() == Rule::header_name)
                .map(|p| range(&p)),
        ),
        Rule::option => {
            let (mut key, mut value) = (0..0, 0..0);
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::key => key = range(&p),
                    Rule::value => value = range(&p),
                    _ => {}
                }
            }
            Shape::Option { key, value }
        }
        _ => Shape::Junk,
    }
}

/// The line's shape, decided directly for the common cases because the
/// grammar's per-line setup costs far more than the split itself on configs
/// of 100,000 lines: a line that does not start with `[` can only be an
/// option (split at the first `=` or `:`) or junk, and `[` with a later `]`
/// is a header; other `[` lines go to the grammar.
/// `tests::fast_shape_is_the_grammar` holds the two to the same answers.
fn shape(line: &str) -> Shape {
    if line.starts_with('[') {
        // `[name]trailer`: the name runs to the last `]`.
        return match line.rfind(']') {
            Some(end) if end > 1 => Shape::Header(Some(1..end)),
            _ => shape_by_grammar(line),
        };
    }
    match find_either(line.as_bytes(), b'=', b':') {
        Some(d) => Shape::Option {
            key: 0..d,
            value: d + 1..line.len(),
        },
        None => Shape::Junk,
    }
}

/// configparser's `optionxform` (`str.lower()`), borrowing a key that is
/// already lower case.
fn optionxform(key: &str) -> Cow<'_, str> {
    // One pass over the key: most are ASCII lower case already.
    if !key.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(lower(key))
    }
}

/// Lexes one file. `file` is the id its spans will carry.
pub fn parse_file(file: FileId, text: &str) -> ParsedFile<'_> {
    let mut events = Vec::new();
    let mut out = lex_file(file, text, |e| events.push(e));
    out.events = events;
    out
}

/// [`parse_file`], handing each event to `sink` in order instead of
/// collecting them (the returned file's `events` is empty). An option is
/// handed over once its last continuation line is read.
pub fn lex_file<'a>(file: FileId, text: &'a str, sink: impl FnMut(Event<'a>)) -> ParsedFile<'a> {
    lex_from(file, text, 0, sink)
}

/// The offset of the first line at or after `from` (but not at 0) that is
/// a section header whatever comes before it, if there is one.
///
/// Such a line starts with `[` and has no indentation (so it never
/// continues a value), and the comment-free rest makes it a header. The
/// lexer leaves the same state after a header whatever came before it
/// (in a section, no open option, indentation 0), so lexing the text
/// before the line and [`lex_from`] the line on give the one-pass events,
/// bad lines and comments; only line numbers restart at 1.
pub fn split_point(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from.max(1);
    while at < bytes.len() {
        let newline = find_either(bytes.get(at - 1..)?, b'\n', b'\r')?;
        let line = at + newline;
        if bytes.get(line) == Some(&b'[') && is_header(text.get(line..)?) {
            return Some(line);
        }
        at = line + 1;
    }
    None
}

/// Whether the line at the start of `rest` lexes as a section header.
fn is_header(rest: &str) -> bool {
    let end = find_either(rest.as_bytes(), b'\n', b'\r').unwrap_or(rest.len());
    let line = &rest[..end];
    let content = &line[..inline_comment_start(line).unwrap_or(line.len())];
    let (vs, ve) = strip_bounds(content);
    vs == 0 && matches!(shape(&content[..ve]), Shape::Header(_))
}

/// [`lex_file`] from `start`, the start of a line: spans are offsets in
/// `text`, line numbers count from 1 at `start`.
pub fn lex_from<'a>(
    file: FileId,
    text: &'a str,
    start: usize,
    mut sink: impl FnMut(Event<'a>),
) -> ParsedFile<'a> {
    let mut out = ParsedFile::default();
    let mut in_section = false;
    // The option that continuation lines extend, not yet handed over.
    let mut current: Option<OptionLine<'a>> = None;
    let mut indent_level: usize = 0;
    for (idx, raw) in physical_lines(text, start).enumerate() {
        let lineno = idx as u32 + 1;
        out.lines = lineno;
        let line = raw.text;
        let full_line = {
            let t = lstrip(line);
            t.starts_with('#') || t.starts_with(';')
        };
        let comment_start = if full_line {
            Some(0)
        } else {
            inline_comment_start(line)
        };
        if let Some(cs) = comment_start {
            let cs = if full_line {
                line.len() - lstrip(line).len()
            } else {
                cs
            };
            out.comments.push(Comment {
                span: file_span(file, raw.start + cs, raw.start + line.len()),
                line: lineno,
                full_line,
            });
        }
        let content = &line[..comment_start.unwrap_or(line.len())];
        let (vs, ve) = strip_bounds(content);
        let value = &content[vs..ve];
        if value.is_empty() {
            // A truly blank line (no comment) becomes an empty value line.
            if comment_start.is_none()
                && let Some(opt) = &mut current
            {
                let at = raw.start + line.len();
                opt.more.push(ValueLine {
                    text: "",
                    span: file_span(file, at, at),
                });
            }
            continue;
        }
        let cur_indent = line.chars().take_while(|&c| is_space(c)).count();
        let vspan = file_span(file, raw.start + vs, raw.start + ve);
        if in_section && current.is_some() && cur_indent > indent_level {
            if let Some(opt) = &mut current {
                opt.more.push(ValueLine {
                    text: value,
                    span: vspan,
                });
            }
            continue;
        }
        indent_level = cur_indent;
        let bad = |raw: &RawLine<'_>| BadLine {
            line: lineno,
            raw: format!("{}{}", raw.text, if raw.has_newline { "\n" } else { "" }),
            span: vspan,
        };
        let base = raw.start + vs;
        match shape(value) {
            Shape::Header(name) => {
                let (name, ns) = name.map_or(("", vspan), |r| {
                    (
                        &value[r.clone()],
                        file_span(file, base + r.start, base + r.end),
                    )
                });
                if let Some(opt) = current.take() {
                    sink(Event::Option(opt));
                }
                sink(Event::Section(SectionHeader {
                    name,
                    name_span: ns,
                    span: vspan,
                    line: lineno,
                }));
                in_section = true;
            }
            _ if !in_section => {
                if out.missing_header.is_none() {
                    out.missing_header = Some(bad(&raw));
                }
            }
            Shape::Option { key, value: val } => {
                let k = &value[key.clone()];
                let v = &value[val.clone()];
                let key_text = rstrip(k);
                let kspan = file_span(file, base + key.start, base + key.start + key_text.len());
                if key_text.is_empty() {
                    out.bad_lines.push(bad(&raw));
                }
                let (lvs, lve) = strip_bounds(v);
                let value_span = file_span(file, base + val.start + lvs, base + val.start + lve);
                if let Some(opt) = current.take() {
                    sink(Event::Option(opt));
                }
                let opt = OptionLine {
                    key: optionxform(key_text),
                    key_span: kspan,
                    first: ValueLine {
                        text: &v[lvs..lve],
                        span: value_span,
                    },
                    more: Vec::new(),
                    line: lineno,
                    indent: cur_indent,
                };
                // configparser keeps `optname` falsy for an empty key, so no
                // continuation attaches to it.
                if key_text.is_empty() {
                    sink(Event::Option(opt));
                } else {
                    current = Some(opt);
                }
            }
            Shape::Junk => out.bad_lines.push(bad(&raw)),
        }
    }
    if let Some(opt) = current {
        sink(Event::Option(opt));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        parse_file(FileId(0), text)
            .events
            .iter()
            .map(|e| match e {
                Event::Option(o) => (o.key.to_string(), o.value()),
                Event::Section(s) => ("[]".into(), s.name.to_string()),
            })
            .collect()
    }

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.into(), v.into())
    }

    proptest::proptest! {
        #[test]
        fn fast_shape_is_the_grammar(line in "[\\[\\]=: a-z;#\\t\u{e9}]{1,12}") {
            proptest::prop_assert_eq!(shape(&line), shape_by_grammar(&line));
        }
    }

    proptest::proptest! {
        #[test]
        fn find_either_is_position(s in proptest::collection::vec(proptest::sample::select(b"ab=:\n\r\x80\xff".to_vec()), 0..40)) {
            let expect = s.iter().position(|&c| c == b'=' || c == b':');
            proptest::prop_assert_eq!(find_either(&s, b'=', b':'), expect);
        }
    }

    #[test]
    fn fast_shape_cases() {
        for line in [
            "a=b",
            "a:b=c",
            "=x",
            ":",
            "a",
            "ab c",
            "k = v ]",
            "x[y]=1",
            "\u{e9}=\u{e9}",
        ] {
            assert_eq!(shape(line), shape_by_grammar(line), "{line:?}");
        }
    }

    #[test]
    fn inline_comments_need_whitespace() {
        assert_eq!(inline_comment_start("a;b ;c"), Some(4));
        assert_eq!(inline_comment_start("=;x"), None);
        assert_eq!(inline_comment_start("a\t#b"), Some(2));
        assert_eq!(inline_comment_start("a\u{a0};b"), Some(3));
        // Round 1 finds the valid `#`; the valid `;` is only the 2nd `;`.
        assert_eq!(inline_comment_start("x=a;b c ;d e #f"), Some(13));
    }

    #[test]
    fn continuation_and_blank_lines() {
        let v = values("[p]\ncommand=/bin/echo\n   first\n  ; comment\n   second\n");
        assert_eq!(v[1], kv("command", "/bin/echo\nfirst\nsecond"));
        let v = values("[p]\ncommand=/bin/echo\n\n   continued\n");
        assert_eq!(v[1], kv("command", "/bin/echo\n\ncontinued"));
        let v = values("[p]\ncommand=\n  /bin/cat\n  -u\n\n\n");
        assert_eq!(v[1], kv("command", "\n/bin/cat\n-u"));
    }

    #[test]
    fn swallowed_header() {
        let v = values("[program:a]\ncommand=/bin/a\n  [program:b]\ncommand=/bin/b\n");
        assert_eq!(
            v,
            vec![
                kv("[]", "program:a"),
                kv("command", "/bin/a\n[program:b]"),
                kv("command", "/bin/b")
            ]
        );
    }

    #[test]
    fn headers_and_keys() {
        let v = values("[program:a]b] junk\nCOMMAND : /bin/cat\na:b=c\n");
        assert_eq!(
            v,
            vec![
                kv("[]", "program:a]b"),
                kv("command", "/bin/cat"),
                kv("a", "b=c")
            ]
        );
    }

    #[test]
    fn bad_lines_and_missing_header() {
        let p = parse_file(FileId(0), "[a]\njunk\n=x\n[]\n");
        let lines: Vec<u32> = p.bad_lines.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
        assert_eq!(p.bad_lines[0].raw, "junk\n");
        let p = parse_file(FileId(0), "\u{feff}[supervisord]\n");
        assert_eq!(p.missing_header.unwrap().raw, "\u{feff}[supervisord]\n");
    }

    #[test]
    fn crlf_and_lone_cr() {
        let v = values("[a]\r\nx=1\ry=2\r\n");
        assert_eq!(v, vec![kv("[]", "a"), kv("x", "1"), kv("y", "2")]);
    }
}
