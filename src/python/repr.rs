//! `repr()` and `ascii()` of Python strings, which supervisord's messages
//! embed (`invalid literal for int() with base 10: '<repr>'`).

use super::unicode::is_printable;
use std::fmt::Write;

/// Python's `repr(s)` for a `str`.
pub fn repr(s: &str) -> String {
    quote(s, false)
}

/// Python's `ascii(s)`: `repr` with every non-ASCII character escaped.
pub fn ascii(s: &str) -> String {
    quote(s, true)
}

/// `%.200R`: the repr cut to 200 characters, as CPython's `int()` error does.
pub fn repr_truncated(s: &str, max_chars: usize) -> String {
    let r = repr(s);
    match r.char_indices().nth(max_chars) {
        Some((idx, _)) => r[..idx].to_string(),
        None => r,
    }
}

fn quote(s: &str, ascii_only: bool) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x7f => out.push(c),
            c if !ascii_only && is_printable(c) => out.push(c),
            c => {
                let cp = c as u32;
                let _ = if cp <= 0xff {
                    write!(out, "\\x{cp:02x}")
                } else if cp <= 0xffff {
                    write!(out, "\\u{cp:04x}")
                } else {
                    write!(out, "\\U{cp:08x}")
                };
            }
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python() {
        assert_eq!(repr("a"), "'a'");
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr("'\""), "'\\'\"'");
        assert_eq!(repr("a\nb\t\u{1}"), "'a\\nb\\t\\x01'");
        assert_eq!(repr("\u{feff}[x]\n"), "'\\ufeff[x]\\n'");
        assert_eq!(repr("café\u{a0}"), "'café\\xa0'");
        assert_eq!(ascii("café"), "'caf\\xe9'");
        assert_eq!(repr("\u{1F600}"), "'\u{1F600}'");
        assert_eq!(repr("\u{E0001}"), "'\\U000e0001'");
    }

    #[test]
    fn truncation_counts_chars() {
        assert_eq!(repr_truncated("abcdef", 3), "'ab");
        assert_eq!(repr_truncated("ab", 200), "'ab'");
    }
}
