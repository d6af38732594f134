//! Control characters from config text never reach a terminal or a log raw.
//!
//! A config can hold ESC, BEL or a bidi override; printed as they are they
//! recolour a terminal, ring it, or make a line read differently from what
//! it is. Messages get a visible escape (`\x1b`); source text shown under a
//! finding gets a same-length stand-in so that spans stay valid.

/// Whether `c` must not be printed as it is. Newline and tab are layout.
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every hostile character written as `\xNN` or `\u{NNNN}`.
pub fn escape(text: &str) -> String {
    if !text.chars().any(is_hostile) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_hostile(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// `text` with every hostile character replaced by as many `?` as it has
/// bytes, so byte offsets into it still hold.
pub fn blank(text: &str) -> String {
    if !text.chars().any(is_hostile) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if is_hostile(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_but_not_layout() {
        assert_eq!(escape("a\x1b[31mb\x07"), "a\\x1b[31mb\\x07");
        assert_eq!(escape("line\n\tnext"), "line\n\tnext");
        assert_eq!(escape("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn blank_keeps_byte_offsets() {
        for t in ["a\x1bb", "\u{9b}x", "r\u{202e}l", "\r\n"] {
            assert_eq!(blank(t).len(), t.len(), "{t:?}");
            assert!(!blank(t).chars().any(is_hostile));
        }
    }
}
