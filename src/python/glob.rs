//! Python's `glob.glob(pattern)` (non-recursive) and `fnmatch`.
//!
//! supervisord expands `[include] files` with `glob.glob`; its rules differ
//! from shell globs and from the `glob`/`globset` crates: `*` never matches
//! a leading `.` unless the pattern starts with one, `**` is just `*`, a `[`
//! without a closing `]` is literal, `[!...]` negates, reversed ranges are
//! dropped, and a pattern without magic only checks that the path exists.

use super::path::{join, split};
use std::fs;

/// Results of a glob, unsorted (supervisord sorts them), capped at `limit`.
pub struct GlobResult {
    pub paths: Vec<String>,
    /// More paths matched than `limit`.
    pub truncated: bool,
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `glob.glob(pattern)` for an absolute pattern.
pub fn glob(pattern: &str, limit: usize) -> GlobResult {
    let mut out = Vec::new();
    let mut truncated = false;
    iglob(pattern, false, &mut |p| {
        if out.len() >= limit {
            truncated = true;
            return false;
        }
        out.push(p);
        true
    });
    GlobResult {
        paths: out,
        truncated,
    }
}

/// Calls `emit` per match; `emit` returns false to stop.
fn iglob(pathname: &str, dironly: bool, emit: &mut dyn FnMut(String) -> bool) -> bool {
    let (dirname, basename) = split(pathname);
    if !has_magic(pathname) {
        let found = if basename.is_empty() {
            is_dir(dirname)
        } else {
            fs::symlink_metadata(pathname).is_ok()
        };
        return !found || emit(pathname.to_string());
    }
    if dirname.is_empty() {
        for name in glob1(".", basename, dironly) {
            if !emit(name) {
                return false;
            }
        }
        return true;
    }
    let mut dirs = Vec::new();
    if dirname != pathname && has_magic(dirname) {
        iglob(dirname, true, &mut |d| {
            dirs.push(d);
            true
        });
    } else {
        dirs.push(dirname.to_string());
    }
    for dir in dirs {
        let names = if has_magic(basename) {
            glob1(&dir, basename, dironly)
        } else {
            glob0(&dir, basename)
        };
        for name in names {
            if !emit(join(&dir, &name)) {
                return false;
            }
        }
    }
    true
}

fn is_dir(p: &str) -> bool {
    fs::metadata(if p.is_empty() { "." } else { p }).is_ok_and(|m| m.is_dir())
}

fn glob0(dirname: &str, basename: &str) -> Vec<String> {
    let exists = if basename.is_empty() {
        is_dir(dirname)
    } else {
        fs::symlink_metadata(join(dirname, basename)).is_ok()
    };
    if exists {
        vec![basename.to_string()]
    } else {
        vec![]
    }
}

fn glob1(dirname: &str, pattern: &str, dironly: bool) -> Vec<String> {
    let Ok(entries) = fs::read_dir(if dirname.is_empty() { "." } else { dirname }) else {
        return vec![];
    };
    let matcher = Pattern::new(pattern);
    let hidden_ok = pattern.starts_with('.');
    entries
        .flatten()
        .filter(|e| !dironly || e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| hidden_ok || !n.starts_with('.'))
        .filter(|n| matcher.matches(n))
        .collect()
}

#[derive(Debug)]
enum Token {
    Literal(char),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Never,
}

/// A compiled `fnmatch` pattern (case-sensitive, as on POSIX).
#[derive(Debug)]
pub struct Pattern(Vec<Token>);

impl Pattern {
    /// Compiles like `fnmatch.translate`.
    pub fn new(pat: &str) -> Self {
        let p: Vec<char> = pat.chars().collect();
        let n = p.len();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < n {
            let c = p[i];
            i += 1;
            match c {
                '*' => {
                    if !matches!(tokens.last(), Some(Token::Star)) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => tokens.push(Token::Any),
                '[' => {
                    let mut j = i;
                    if j < n && p[j] == '!' {
                        j += 1;
                    }
                    if j < n && p[j] == ']' {
                        j += 1;
                    }
                    while j < n && p[j] != ']' {
                        j += 1;
                    }
                    if j >= n {
                        tokens.push(Token::Literal('['));
                    } else {
                        tokens.push(class(&p[i..j]));
                        i = j + 1;
                    }
                }
                c => tokens.push(Token::Literal(c)),
            }
        }
        Pattern(tokens)
    }

    pub fn matches(&self, name: &str) -> bool {
        let s: Vec<char> = name.chars().collect();
        match_from(&self.0, &s)
    }
}

/// The body of `[...]` (without brackets) as fnmatch reads it.
fn class(stuff: &[char]) -> Token {
    if stuff.is_empty() {
        return Token::Never;
    }
    if stuff == ['!'] {
        return Token::Any;
    }
    let (negated, body) = match stuff.first() {
        Some('!') => (true, &stuff[1..]),
        _ => (false, stuff),
    };
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < body.len() {
        // `a-b` is a range unless the `-` is the last character.
        if k + 2 < body.len() && body[k + 1] == '-' {
            let (lo, hi) = (body[k], body[k + 2]);
            if lo <= hi {
                ranges.push((lo, hi));
            }
            k += 3;
        } else {
            ranges.push((body[k], body[k]));
            k += 1;
        }
    }
    if ranges.is_empty() && !negated {
        return Token::Never;
    }
    Token::Class { negated, ranges }
}

fn match_from(tokens: &[Token], s: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return s.is_empty();
    };
    match first {
        Token::Star => (0..=s.len()).any(|k| match_from(rest, &s[k..])),
        _ => {
            let Some((&c, tail)) = s.split_first() else {
                return false;
            };
            let ok = match first {
                Token::Literal(l) => *l == c,
                Token::Any => true,
                Token::Class { negated, ranges } => {
                    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                }
                Token::Never | Token::Star => false,
            };
            ok && match_from(rest, tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::new(p).matches(s)
    }

    #[test]
    fn fnmatch_rules() {
        assert!(m("*.conf", "a.conf"));
        assert!(m("**.conf", "a.conf"));
        assert!(!m("*.conf", "a.conf.bak"));
        assert!(m("a?c", "abc"));
        assert!(m("[ab]x", "bx"));
        assert!(m("[!ab]x", "cx"));
        assert!(!m("[!ab]x", "ax"));
        assert!(m("[a-c]", "b"));
        assert!(!m("[c-a]", "b"));
        assert!(m("[a-]", "-"));
        assert!(m("x[", "x["));
        assert!(m("[]]", "]"));
        assert!(m("[!]", "[!]"));
    }
}
