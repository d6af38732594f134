//! `%` expansion for block A rules: which options supervisord expands
//! (`docs/semantics.md` §3.4), the pieces of a `%` format string
//! (the scanner of [`crate::python::percent`]), and a masked pass that
//! keeps offsets.

pub use crate::options::{Expansion, expansion};

pub use crate::python::percent::{Piece, Spec, pieces as percent_pieces};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_pass_keeps_offsets() {
        let (out, map) = mask_pass("a%%b%(x)sc").unwrap();
        assert_eq!(out, "a%bvc");
        assert_eq!(map, [0, 1, 3, 4, 9, 10]);
        assert_eq!(mask_pass("%s"), None);
    }
}
