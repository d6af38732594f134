//! `%` expansion for block A rules: which options supervisord expands
//! (§3.4 of the spec), the pieces of a `%` format string, and a masked
//! pass that keeps offsets.

pub use crate::options::{Expansion, expansion};

/// One piece of a `%` format string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// `%%` at this byte offset.
    Escape(usize),
    Spec(Spec),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub start: usize,
    pub end: usize,
    /// The `(key)`, if any.
    pub key: Option<String>,
    /// The conversion character; `None` when the string ends first.
    pub conv: Option<char>,
}

/// The `%` escapes and specs of `s`, left to right, as Python's `%` reads
/// them. Stops after an incomplete spec.
pub fn percent_pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = s[i..].find('%') {
        let start = i + rel;
        if s[start + 1..].starts_with('%') {
            out.push(Piece::Escape(start));
            i = start + 2;
            continue;
        }
        let mut j = start + 1;
        let mut key = None;
        if s[j..].starts_with('(') {
            let mut depth = 0;
            let close = s[j..].char_indices().find_map(|(k, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(j + k)
            });
            let Some(close) = close else {
                out.push(Piece::Spec(Spec {
                    start,
                    end: s.len(),
                    key: None,
                    conv: None,
                }));
                return out;
            };
            key = Some(s[j + 1..close].to_string());
            j = close + 1;
        }
        let rest = &s[j..];
        let skip = rest.len() - rest.trim_start_matches(['#', '0', '-', ' ', '+']).len();
        j += skip;
        j += digits_or_star(&s[j..]);
        if s[j..].starts_with('.') {
            j += 1 + digits_or_star(&s[j + 1..]);
        }
        if s[j..].starts_with(['h', 'l', 'L']) {
            j += 1;
        }
        let conv = s[j..].chars().next();
        let end = j + conv.map_or(0, char::len_utf8);
        out.push(Piece::Spec(Spec {
            start,
            end,
            key,
            conv,
        }));
        if conv.is_none() {
            break;
        }
        i = end;
    }
    out
}

/// One `%` pass with every keyed spec replaced by a one-letter word and
/// `%%` by `%`; `None` for specs that do not name a variable. The map gives
/// the input offset of each output byte (plus one for the end).
pub fn mask_pass(text: &str) -> Option<(String, Vec<usize>)> {
    let mut out = String::new();
    let mut map = Vec::new();
    let mut i = 0;
    for piece in percent_pieces(text) {
        let (start, end, rep) = match piece {
            Piece::Escape(p) => (p, p + 2, "%"),
            Piece::Spec(s) if s.key.is_some() && s.conv.is_some() => (s.start, s.end, "v"),
            Piece::Spec(_) => return None,
        };
        out.push_str(&text[i..start]);
        map.extend(i..start);
        out.push_str(rep);
        map.push(start);
        i = end;
    }
    out.push_str(&text[i..]);
    map.extend(i..=text.len());
    Some((out, map))
}

fn digits_or_star(s: &str) -> usize {
    if s.starts_with('*') {
        1
    } else {
        s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len()
    }
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
    fn pieces() {
        let p = percent_pieces("a %% %(x(y))s % s %-10.2ld %(z");
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
            percent_pieces("%"),
            vec![Piece::Spec(Spec {
                start: 0,
                end: 1,
                key: None,
                conv: None
            })]
        );
    }
}
