//! Unified diffs of a file before and after its fixes, in the form
//! `patch -p0` and `git apply` read (`--- name` / `+++ name`, three lines
//! of context, `\ No newline at end of file` where it applies).

/// One line's fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Keep,
    Remove,
    Add,
}

/// The most cells the line-matching table may have; past it, the changed
/// middle of the file is shown as removed and added whole (still a correct
/// patch, only a larger one).
const MAX_CELLS: usize = 4_000_000;

/// Lines of `text`, each with its `\n` when it has one.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The edit script from `a` to `b`, as (op, index into a or b).
fn script(a: &[&str], b: &[&str]) -> Vec<(Op, usize)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = (a.iter().rev().zip(b.iter().rev()))
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<(Op, usize)> = (0..prefix).map(|i| (Op::Keep, i)).collect();
    out.extend(middle(am, bm).into_iter().map(|(op, i)| (op, prefix + i)));
    out.extend((a.len() - suffix..a.len()).map(|i| (Op::Keep, i)));
    out
}

/// A longest-common-subsequence script for the changed middle.
fn middle(a: &[&str], b: &[&str]) -> Vec<(Op, usize)> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS || n == 0 || m == 0 {
        let mut out: Vec<(Op, usize)> = (0..n).map(|i| (Op::Remove, i)).collect();
        out.extend((0..m).map(|j| (Op::Add, j)));
        return out;
    }
    // lcs[i][j]: common lines of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push((Op::Keep, i));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
            out.push((Op::Remove, i));
            i += 1;
        } else {
            out.push((Op::Add, j));
            j += 1;
        }
    }
    out
}

/// Context lines around each change.
const CONTEXT: usize = 3;

/// The unified diff turning `old` into `new`, both named `name`; empty when
/// they are equal.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let (a, b) = (lines(old), lines(new));
    let ops = script(&a, &b);
    let mut out = format!("--- {name}\n+++ {name}\n");
    for (lo, hi) in hunks(&ops) {
        write_hunk(&mut out, &ops[lo..hi], &a, &b, position(&ops[..lo]));
    }
    out
}

/// (line in old, line in new) reached after `ops`, 0-based.
fn position(ops: &[(Op, usize)]) -> (usize, usize) {
    let removed_or_kept = ops.iter().filter(|(o, _)| *o != Op::Add).count();
    let added_or_kept = ops.iter().filter(|(o, _)| *o != Op::Remove).count();
    (removed_or_kept, added_or_kept)
}

/// Ranges of `ops` making up each hunk: every change with up to
/// [`CONTEXT`] kept lines either side, merged when they touch.
fn hunks(ops: &[(Op, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (k, (op, _)) in ops.iter().enumerate() {
        if *op == Op::Keep {
            continue;
        }
        let lo = k.saturating_sub(CONTEXT);
        let hi = (k + 1 + CONTEXT).min(ops.len());
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = hi,
            _ => out.push((lo, hi)),
        }
    }
    out
}

fn write_hunk(
    out: &mut String,
    ops: &[(Op, usize)],
    a: &[&str],
    b: &[&str],
    (old_at, new_at): (usize, usize),
) {
    let (old_n, new_n) = position(ops);
    // An empty side is numbered after the line before it.
    let start = |at: usize, n: usize| if n == 0 { at } else { at + 1 };
    out.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        start(old_at, old_n),
        old_n,
        start(new_at, new_n),
        new_n
    ));
    for &(op, i) in ops {
        let (mark, line) = match op {
            Op::Keep => (' ', a[i]),
            Op::Remove => ('-', a[i]),
            Op::Add => ('+', b[i]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(unified("a.conf", "x\n", "x\n"), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let new = "1\n2\n3\n4\nFIVE\n6\n7\n8\n";
        assert_eq!(
            unified("a.conf", old, new),
            "--- a.conf\n+++ a.conf\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn a_removed_first_line_and_a_missing_final_newline() {
        assert_eq!(
            unified("a.conf", "x\ny", "y"),
            "--- a.conf\n+++ a.conf\n@@ -1,2 +1,1 @@\n-x\n y\n\\ No newline at end of file\n"
        );
        assert_eq!(
            unified("a.conf", "", "x\n"),
            "--- a.conf\n+++ a.conf\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .map(|i| match i {
                2 => "two\n".to_string(),
                19 => "nineteen\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        let d = unified("f", &old, &new);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
    }
}
