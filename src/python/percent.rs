//! Where the `%` specs of a string are, as Python's `str % mapping` reads
//! it: the one scanner every stage that looks at `%` uses (lint, the INI
//! emitter, the YAML front-end).
//!
//! The reference is the grammar (`grammar/percent_format.pest`), which
//! [`super::format`] evaluates; this scanner answers the questions the other
//! stages ask (where is each spec, what key and conversion does it have)
//! without the grammar's per-parse setup, and
//! `format::tests::scanner_is_the_grammar` holds it to the grammar's
//! answers. Each stage's own use of it (the YAML front-end's reading and
//! escaping, `supc sample`'s escaping of a command) is held to the grammar
//! by `tests/percent_callers.rs`.

/// One piece of a `%` format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// `%%` at this byte offset.
    Escape(usize),
    Spec(Spec),
}

/// A `%` spec: `%` + optional `(key)` + flags + width + precision + length
/// + conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub start: usize,
    pub end: usize,
    /// The `(key)`, if any.
    pub key: Option<String>,
    /// The conversion character; `None` when the string ends first.
    pub conv: Option<char>,
    /// Whether the width or precision is `*` (which takes a value from a
    /// tuple, so never works with a mapping).
    pub star: bool,
}

/// The conversions Python's `%` formats.
const CONVERSIONS: &str = "diouxXeEfFgGcrsa";

impl Spec {
    /// A complete `%(key)…` spec with a conversion Python formats and no
    /// `*`: what supervisord expands without an error (if the key exists).
    pub fn is_expansion(&self) -> bool {
        self.key.is_some() && !self.star && self.conv.is_some_and(|c| CONVERSIONS.contains(c))
    }
}

fn digits_or_star(s: &str) -> usize {
    if s.starts_with('*') {
        1
    } else {
        s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len()
    }
}

/// The end of the `(key)` that opens at `open`, parentheses balanced.
fn key_end(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return Some(open + k);
        }
    }
    None
}

/// The spec that starts with the `%` at `start` (which must not be the
/// first of a `%%`). A spec cut off by the end of the string has no
/// conversion and ends there.
pub fn spec_at(s: &str, start: usize) -> Spec {
    let mut j = start + 1;
    let mut key = None;
    if s[j..].starts_with('(') {
        let Some(close) = key_end(s, j) else {
            return Spec {
                start,
                end: s.len(),
                key: None,
                conv: None,
                star: false,
            };
        };
        key = Some(s[j + 1..close].to_string());
        j = close + 1;
    }
    let rest = &s[j..];
    j += rest.len() - rest.trim_start_matches(['#', '0', '-', ' ', '+']).len();
    let mut star = s[j..].starts_with('*');
    j += digits_or_star(&s[j..]);
    if s[j..].starts_with('.') {
        star |= s[j + 1..].starts_with('*');
        j += 1 + digits_or_star(&s[j + 1..]);
    }
    if s[j..].starts_with(['h', 'l', 'L']) {
        j += 1;
    }
    let conv = s[j..].chars().next();
    Spec {
        start,
        end: j + conv.map_or(0, char::len_utf8),
        key,
        conv,
        star,
    }
}

/// The piece that starts at the first `%` at or after byte `from`: a
/// `%%` escape or the spec it opens.
pub fn next_piece(s: &str, from: usize) -> Option<Piece> {
    let start = from + s.get(from..)?.find('%')?;
    Some(if s[start + 1..].starts_with('%') {
        Piece::Escape(start)
    } else {
        Piece::Spec(spec_at(s, start))
    })
}

/// The `%` escapes and specs of `s`, left to right, as Python's `%` reads
/// them. Stops after an incomplete spec.
pub fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(piece) = next_piece(s, i) {
        let complete = match &piece {
            Piece::Escape(at) => {
                i = at + 2;
                true
            }
            Piece::Spec(spec) => {
                i = spec.end;
                spec.conv.is_some()
            }
        };
        out.push(piece);
        if !complete {
            break;
        }
    }
    out
}

/// One part of a text read leniently (see [`lenient`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text without `%`.
    Text(&'a str),
    /// `%%`.
    Escape,
    /// A `%(key)…` spec supervisord expands ([`Spec::is_expansion`]).
    Expansion(Spec),
    /// A `%` at this byte offset that starts neither: a literal `%`.
    Lone(usize),
}

/// The reading of texts written by people rather than for Python's `%`
/// (supc.yaml strings, `supc sample --command`): `%%` and the
/// `%(key)…` expansions are what Python reads there, and any other `%` is
/// a literal `%`, after which reading goes on. Concatenated, the tokens
/// are the text.
pub fn lenient(s: &str) -> impl Iterator<Item = Token<'_>> {
    let mut i = 0;
    let mut queued: Option<Token<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(t) = queued.take() {
            return Some(t);
        }
        let Some(piece) = next_piece(s, i) else {
            let rest = &s[i..];
            i = s.len();
            return (!rest.is_empty()).then_some(Token::Text(rest));
        };
        let (start, token, next) = match piece {
            Piece::Escape(at) => (at, Token::Escape, at + 2),
            Piece::Spec(spec) if spec.is_expansion() => {
                let (start, end) = (spec.start, spec.end);
                (start, Token::Expansion(spec), end)
            }
            Piece::Spec(spec) => (spec.start, Token::Lone(spec.start), spec.start + 1),
        };
        let before = &s[i..start];
        i = next;
        if before.is_empty() {
            Some(token)
        } else {
            queued = Some(token);
            Some(Token::Text(before))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(p: &Piece) -> (Option<&str>, Option<char>) {
        match p {
            Piece::Spec(s) => (s.key.as_deref(), s.conv),
            Piece::Escape(_) => (None, Some('%')),
        }
    }

    #[test]
    fn pieces_in_order() {
        let p = pieces("a %% %(x(y))s % s %-10.2ld %(z");
        let got: Vec<_> = p.iter().map(spec).collect();
        assert_eq!(
            got,
            vec![
                (None, Some('%')),
                (Some("x(y)"), Some('s')),
                (None, Some('s')),
                (None, Some('d')),
                (None, None),
            ]
        );
        assert_eq!(
            pieces("%"),
            vec![Piece::Spec(Spec {
                start: 0,
                end: 1,
                key: None,
                conv: None,
                star: false,
            })]
        );
    }

    #[test]
    fn lenient_reading() {
        let spec = |s: &str, start: usize| Token::Expansion(spec_at(s, start));
        let t = "a%%b%(x)02dc%sd%(y)z%";
        let got: Vec<_> = lenient(t).collect();
        assert_eq!(
            got,
            vec![
                Token::Text("a"),
                Token::Escape,
                Token::Text("b"),
                spec(t, 4),
                Token::Text("c"),
                Token::Lone(12),
                Token::Text("sd"),
                Token::Lone(15),
                Token::Text("(y)z"),
                Token::Lone(20),
            ]
        );
        // Reading goes on after a `%` whose spec is cut off.
        let t = "%(a%(b)s";
        let got: Vec<_> = lenient(t).collect();
        assert_eq!(got, vec![Token::Lone(0), Token::Text("(a"), spec(t, 3)]);
        assert_eq!(lenient("").count(), 0);
    }

    #[test]
    fn expansions() {
        let at = |s: &str| spec_at(s, 0);
        assert!(at("%(a)s").is_expansion());
        assert!(at("%(process_num)02d").is_expansion());
        assert!(!at("%(a)*d").is_expansion());
        assert!(!at("%(a).*d").is_expansion());
        assert!(!at("%(a)z").is_expansion());
        assert!(!at("%(a)").is_expansion());
        assert!(!at("%5s").is_expansion());
        assert_eq!(at("%(a(b)c)s").key.as_deref(), Some("a(b)c"));
        assert_eq!(at("%(a(b)s").end, 7);
    }
}
