//! Applying fixes to one file's text: edits sorted, never overlapping.

use crate::diagnostic::Fix;
use crate::source::FileId;

/// What applying fixes to one text gave.
#[derive(Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// Indexes (into the given fixes) of those applied.
    pub applied: Vec<usize>,
}

/// Whether two byte ranges conflict. Two insertions at one point conflict
/// (their order would be arbitrary); an insertion at the edge of a
/// replacement does not.
fn conflicts(a: (u32, u32), b: (u32, u32)) -> bool {
    if a.0 == a.1 && b.0 == b.1 {
        return a.0 == b.0;
    }
    a.0 < b.1 && b.0 < a.1
        || (a.0 == a.1 && b.0 < a.0 && a.0 < b.1)
        || (b.0 == b.1 && a.0 < b.0 && b.0 < a.1)
}

/// Applies to `text` (the text of `file`) every fix of `fixes` whose edits
/// all lie in `file`, are in bounds on character boundaries, and overlap no
/// edit of a fix applied before it; fixes are taken in order of their first
/// edit. A fix that touches other files is skipped here (the engine applies
/// it only when it is whole in one file).
pub fn apply(text: &str, file: FileId, fixes: &[&Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len())
        .filter(|&i| usable(text, file, fixes[i]))
        .collect();
    order.sort_by_key(|&i| first_start(fixes[i]));
    let mut taken: Vec<(u32, u32, &str)> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let ranges: Vec<(u32, u32, &str)> = fixes[i]
            .edits
            .iter()
            .map(|e| (e.span.start, e.span.end, e.replacement.as_str()))
            .collect();
        let clash = ranges.iter().enumerate().any(|(k, r)| {
            taken.iter().any(|t| conflicts((r.0, r.1), (t.0, t.1)))
                || ranges[..k]
                    .iter()
                    .any(|o| conflicts((r.0, r.1), (o.0, o.1)))
        });
        if !clash {
            taken.extend(ranges);
            applied.push(i);
        }
    }
    taken.sort_by_key(|t| (t.0, t.1));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for (start, end, replacement) in taken {
        out.push_str(&text[at..start as usize]);
        out.push_str(replacement);
        at = end as usize;
    }
    out.push_str(&text[at..]);
    applied.sort_unstable();
    Applied { text: out, applied }
}

fn first_start(fix: &Fix) -> (u32, u32) {
    fix.edits
        .iter()
        .map(|e| (e.span.start, e.span.end))
        .min()
        .unwrap_or((u32::MAX, u32::MAX))
}

/// Every edit in `file`, in bounds, on character boundaries; at least one.
fn usable(text: &str, file: FileId, fix: &Fix) -> bool {
    !fix.edits.is_empty()
        && fix.edits.iter().all(|e| {
            let (s, t) = (e.span.start as usize, e.span.end as usize);
            e.span.file == file
                && s <= t
                && t <= text.len()
                && text.is_char_boundary(s)
                && text.is_char_boundary(t)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::source::Span;

    const F: FileId = FileId(0);

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        Fix::safe(
            "t",
            edits
                .iter()
                .map(|&(s, e, r)| Edit::replace(Span::new(F, s, e), r))
                .collect(),
        )
    }

    #[test]
    fn edits_apply_in_text_order_whatever_the_fix_order() {
        let a = fix(&[(6, 11, "there")]);
        let b = fix(&[(0, 5, "HELLO")]);
        let r = apply("hello world", F, &[&a, &b]);
        assert_eq!(r.text, "HELLO there");
        assert_eq!(r.applied, vec![0, 1]);
    }

    #[test]
    fn an_overlapping_fix_waits_for_the_next_pass() {
        let a = fix(&[(0, 5, "x")]);
        let b = fix(&[(3, 8, "y")]);
        let r = apply("abcdefghij", F, &[&a, &b]);
        assert_eq!(r.text, "xfghij");
        assert_eq!(r.applied, vec![0]);
    }

    #[test]
    fn a_fix_is_whole_or_not_at_all() {
        let a = fix(&[(4, 6, "")]);
        // Its second edit clashes with `a`, so neither of its edits applies.
        let b = fix(&[(5, 7, ""), (7, 8, "Z")]);
        let r = apply("abcdefgh", F, &[&a, &b]);
        assert_eq!(r.text, "abcdgh");
        assert_eq!(r.applied, vec![0]);
    }

    #[test]
    fn two_insertions_at_one_point_conflict_but_touching_edits_do_not() {
        let a = fix(&[(2, 2, "1")]);
        let b = fix(&[(2, 2, "2")]);
        let c = fix(&[(0, 2, "AB")]);
        let r = apply("abcd", F, &[&a, &b, &c]);
        assert_eq!(r.text, "AB1cd");
        assert_eq!(r.applied, vec![0, 2]);
    }

    #[test]
    fn out_of_bounds_other_files_and_split_characters_are_skipped() {
        let other = Fix::safe("t", vec![Edit::delete(Span::new(FileId(1), 0, 1))]);
        let past = fix(&[(3, 9, "")]);
        let split = fix(&[(1, 2, "")]);
        let empty = Fix::safe("t", vec![]);
        let r = apply("é.", F, &[&other, &past, &split, &empty]);
        assert_eq!(r.text, "é.");
        assert!(r.applied.is_empty());
    }
}
