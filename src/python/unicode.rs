//! CPython's answers to the Unicode questions supervisord's parser asks.
//!
//! Rust's `char::is_whitespace` and CPython's `str.isspace` disagree (for
//! example on U+001C..U+001F), and Rust has no `isprintable`, so the tables
//! are generated from CPython 3.11 by `scripts/gen_pyunicode.py`.

#[rustfmt::skip]
#[path = "unicode_tables.rs"]
mod tables;

/// `str.isspace()` for one character.
pub fn is_space(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return matches!(cp, 0x09..=0x0D | 0x1C..=0x20);
    }
    tables::SPACE.binary_search(&cp).is_ok()
}

/// `str.isprintable()` for one character (decides `repr()` escaping).
pub fn is_printable(c: char) -> bool {
    let cp = c as u32;
    if (0x20..0x7F).contains(&cp) {
        return true;
    }
    let ranges = tables::NON_PRINTABLE;
    let idx = ranges.partition_point(|&(_, end)| end < cp);
    !(idx < ranges.len() && ranges[idx].0 <= cp)
}

/// The decimal value of a Unicode decimal digit (category Nd), as `int()`
/// accepts them.
pub fn decimal_value(c: char) -> Option<u32> {
    let cp = c as u32;
    if c.is_ascii_digit() {
        return Some(cp - '0' as u32);
    }
    if cp < 0x80 {
        return None;
    }
    let zeros = tables::DECIMAL_ZEROS;
    let idx = zeros.partition_point(|&z| z <= cp);
    if idx == 0 {
        return None;
    }
    let zero = zeros[idx - 1];
    (cp - zero < 10).then_some(cp - zero)
}

/// `str.strip()`: trims CPython whitespace on both sides.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    // Most texts end in a character that is ASCII and not a space.
    match s.as_bytes().last() {
        Some(&b) if b < 0x80 && !is_space(b as char) => s,
        _ => s.trim_end_matches(is_space),
    }
}

/// `str.lstrip()`.
pub fn lstrip(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(&b) if b < 0x80 && !is_space(b as char) => s,
        _ => s.trim_start_matches(is_space),
    }
}

/// `str.lower()`.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// `str.upper()`.
pub fn upper(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        s.to_uppercase()
    }
}

/// `str.split()` with no argument: split on runs of whitespace.
pub fn split_whitespace(s: &str) -> Vec<&str> {
    s.split(is_space).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_matches_cpython_not_rust() {
        assert!(is_space('\u{1c}'));
        assert!(is_space('\u{a0}'));
        assert!(!is_space('\u{200b}'));
        assert!(!is_space('\u{feff}'));
    }

    #[test]
    fn printable() {
        assert!(is_printable('a'));
        assert!(is_printable('é'));
        assert!(!is_printable('\u{a0}'));
        assert!(!is_printable('\n'));
        assert!(!is_printable('\u{feff}'));
    }

    #[test]
    fn decimal_digits() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('\u{663}'), Some(3));
        assert_eq!(decimal_value('x'), None);
        assert_eq!(decimal_value('\u{b2}'), None);
    }
}
