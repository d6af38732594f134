//! Python's `shlex`, in the two modes supervisord uses.
//!
//! * `environment=` values go through `shlex.shlex(value)` in non-POSIX mode
//!   (see [`kv_tokens`]): quotes stay in the token, there are no escapes,
//!   `#` starts a comment, and every character that is not a word character
//!   becomes a one-character token. This is why `A=x y` silently loses `y`.
//! * `command=` is split with `shlex.split` (POSIX mode) at spawn time
//!   (see [`split_command`]).

use std::borrow::Cow;

/// `shlex.shlex` word characters plus the `/.+-():` supervisord adds.
fn is_kv_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '.' | '+' | '-' | '(' | ')' | ':')
}

/// The characters shlex splits words at (POSIX mode).
pub fn is_shlex_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A token being read: a slice of the value, until a comment inside a word
/// splices two pieces together (then an owned copy).
struct Token {
    start: usize,
    end: usize,
    spliced: Option<String>,
}

impl Token {
    fn at(start: usize, end: usize) -> Self {
        Token {
            start,
            end,
            spliced: None,
        }
    }

    /// Adds the character at `at..next`.
    fn extend(&mut self, value: &str, at: usize, next: usize) {
        match &mut self.spliced {
            Some(s) => s.push_str(&value[at..next]),
            None if at == self.end => self.end = next,
            None => {
                let mut s = value[self.start..self.end].to_string();
                s.push_str(&value[at..next]);
                self.spliced = Some(s);
            }
        }
    }

    fn finish(self, value: &str) -> Cow<'_, str> {
        match self.spliced {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(&value[self.start..self.end]),
        }
    }
}

/// Tokens of `shlex.shlex(value)` with supervisord's word characters, or
/// `Err("No closing quotation")`.
pub fn kv_tokens(value: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let next_char = |i: &mut usize| -> Option<char> {
        let c = value[*i..].chars().next()?;
        *i += c.len_utf8();
        Some(c)
    };
    // A character pushed back by the word state comes out as a whole token.
    let mut pushback: Option<(usize, usize)> = None;
    loop {
        if let Some((s, e)) = pushback.take() {
            tokens.push(Cow::Borrowed(&value[s..e]));
        }
        let mut token = Token::at(i, i);
        let mut state = ' ';
        loop {
            let at = i;
            let next = next_char(&mut i);
            match state {
                ' ' => match next {
                    None => return Ok(tokens),
                    Some(c) if is_shlex_space(c) => continue,
                    Some('#') => skip_line(value, &mut i),
                    Some(c) if is_kv_word_char(c) => {
                        token = Token::at(at, i);
                        state = 'a';
                    }
                    Some(c @ ('\'' | '"')) => {
                        token = Token::at(at, i);
                        state = c;
                    }
                    Some(_) => {
                        token = Token::at(at, i);
                        break;
                    }
                },
                '\'' | '"' => match next {
                    None => return Err("No closing quotation".into()),
                    Some(c) => {
                        token.extend(value, at, i);
                        if c == state {
                            break;
                        }
                    }
                },
                _ => match next {
                    None => {
                        tokens.push(token.finish(value));
                        return Ok(tokens);
                    }
                    Some(c) if is_shlex_space(c) => break,
                    // Non-POSIX mode stays inside the word after a comment.
                    Some('#') => skip_line(value, &mut i),
                    Some(c) if is_kv_word_char(c) || c == '\'' || c == '"' => {
                        token.extend(value, at, i)
                    }
                    Some(_) => {
                        pushback = Some((at, i));
                        break;
                    }
                },
            }
        }
        tokens.push(token.finish(value));
    }
}

fn skip_line(value: &str, i: &mut usize) {
    match value[*i..].find('\n') {
        Some(n) => *i += n + 1,
        None => *i = value.len(),
    }
}

/// supervisord's `dict_of_key_value_pairs`: the pairs (a repeated key keeps
/// its first place and takes the last value), or why the value was refused,
/// with supervisord's message.
pub fn parse_kv_pairs(value: &str) -> Result<Vec<(String, String)>, String> {
    Ok(kv_pairs(value)?
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// A key and its value, borrowed from the text where possible.
pub type KvPair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// [`parse_kv_pairs`], borrowing from `value` where it can.
pub fn kv_pairs(value: &str) -> Result<Vec<KvPair<'_>>, String> {
    match plain_kv_pairs(value) {
        Some(pairs) => Ok(pairs),
        None => kv_pairs_by_tokens(value),
    }
}

/// [`kv_pairs`] of what configs write, `K=v,K2="v 2",K3='v3'` (keys of
/// word characters; values of word characters, or quoted without quotes
/// inside; `,` between pairs and optionally after the last), read in one
/// pass without tokens; `None` for anything else, including everything
/// that is an error. `tests::plain_pairs_are_the_tokens` holds this to
/// [`kv_pairs_by_tokens`].
fn plain_kv_pairs(value: &str) -> Option<Vec<KvPair<'_>>> {
    let mut pairs = Dict::default();
    plain_kv_each(value, |key, val| {
        pairs.insert(Cow::Borrowed(key), Cow::Borrowed(val));
        true
    })?;
    Some(pairs.pairs)
}

/// The pairs `plain_kv_pairs` reads, in the order they are written and
/// before a repeated key replaces the value of the first, handed to `each`
/// (which may stop the scan with `false`); `None` when the text is not
/// plain or `each` stopped it. Lets the resolver write the pairs where it
/// keeps them, without a list in between.
pub fn plain_kv_each<'v>(
    value: &'v str,
    mut each: impl FnMut(&'v str, &'v str) -> bool,
) -> Option<()> {
    let bytes = value.as_bytes();
    let word_end = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|&&b| b.is_ascii() && is_kv_word_char(b as char))
            .count()
    };
    let mut i = 0;
    while i < bytes.len() {
        let key_end = word_end(i);
        if key_end == i || bytes.get(key_end) != Some(&b'=') {
            return None;
        }
        let key = &value[i..key_end];
        let start = key_end + 1;
        let (val, end) = match bytes.get(start) {
            Some(&q @ (b'"' | b'\'')) => {
                let len = bytes[start + 1..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\'')?;
                if bytes[start + 1 + len] != q {
                    return None;
                }
                (&value[start + 1..start + 1 + len], start + len + 2)
            }
            _ => {
                let end = word_end(start);
                if end == start {
                    return None;
                }
                (&value[start..end], end)
            }
        };
        match bytes.get(end) {
            None => i = end,
            Some(b',') => i = end + 1,
            Some(_) => return None,
        }
        if !each(key, val) {
            return None;
        }
    }
    Some(())
}

/// [`kv_pairs`] the way supervisord reads them: shlex tokens, then
/// `key = value` four tokens at a time.
/// Pairs in the order of a Python dict: a repeated key keeps its first
/// place and takes the new value. Past a few keys the places are looked up
/// in an index (a linear search is faster for the usual few), so a huge
/// environment stays linear.
#[derive(Default)]
struct Dict<'a> {
    pairs: Vec<KvPair<'a>>,
    index: std::collections::HashMap<Cow<'a, str>, usize>,
}

impl<'a> Dict<'a> {
    const INDEX_FROM: usize = 16;

    fn insert(&mut self, key: Cow<'a, str>, val: Cow<'a, str>) {
        if self.pairs.len() >= Self::INDEX_FROM && self.index.is_empty() {
            let places = self.pairs.iter().enumerate();
            self.index = places.map(|(j, (k, _))| (k.clone(), j)).collect();
        }
        let found = if self.index.is_empty() {
            self.pairs.iter().position(|(k, _)| *k == key)
        } else {
            self.index.get(&key).copied()
        };
        match found {
            Some(j) => self.pairs[j].1 = val,
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.clone(), self.pairs.len());
                }
                self.pairs.push((key, val));
            }
        }
    }
}

fn kv_pairs_by_tokens(value: &str) -> Result<Vec<KvPair<'_>>, String> {
    let tokens = kv_tokens(value)?;
    let mut pairs = Dict::default();
    let mut i = 0;
    while i < tokens.len() {
        if i + 3 > tokens.len() || tokens[i + 1] != "=" {
            return Err(format!(
                "Unexpected end of key/value pairs in value '{value}'"
            ));
        }
        let key = tokens[i].clone();
        let val = match &tokens[i + 2] {
            Cow::Borrowed(t) => Cow::Borrowed(t.trim_matches(|c| c == '\'' || c == '"')),
            Cow::Owned(t) => Cow::Owned(t.trim_matches(|c| c == '\'' || c == '"').to_string()),
        };
        pairs.insert(key, val);
        i += 4;
    }
    Ok(pairs.pairs)
}

/// `shlex.split(command)` (POSIX mode, comments off), or CPython's message.
pub fn split_command(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if is_shlex_space(c) => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(n) => word.push(n),
                    None => return Err("No escaped character".into()),
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => word.push(n),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\')) => word.push(n),
                            Some(n) => {
                                word.push('\\');
                                word.push(n);
                            }
                            None => return Err("No closing quotation".into()),
                        },
                        Some(n) => word.push(n),
                        None => return Err("No closing quotation".into()),
                    }
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(v: &str) -> String {
        match parse_kv_pairs(v) {
            Ok(p) => p
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("|"),
            Err(e) => format!("ERR {e}"),
        }
    }

    /// Tokens as CPython 3.11's shlex gives them, including a comment that
    /// splices a word and non-ASCII one-character tokens.
    #[test]
    fn tokens_like_cpython() {
        let cases: [(&str, &[&str]); 3] = [
            ("A=x#c\ny,B=2", &["A", "=", "xy", ",", "B", "=", "2"]),
            (
                "A=\u{e9}#c\n\u{fc},B=\"q#\" # z\nC=3",
                &[
                    "A", "=", "\u{e9}", "\u{fc}", ",", "B", "=", "\"q#\"", "C", "=", "3",
                ],
            ),
            ("A='x y' ,B", &["A", "=", "'x y'", ",", "B"]),
        ];
        for (input, want) in cases {
            assert_eq!(kv_tokens(input).unwrap(), want, "{input:?}");
        }
    }

    #[test]
    fn spec_table() {
        let cases = [
            ("A=1,B=2", "A=1|B=2"),
            ("A=1;B=2", "A=1|B=2"),
            (" A = 1 , B = 2 ", "A=1|B=2"),
            ("A=1,B=2,", "A=1|B=2"),
            ("A=\"x,y\",B=2", "A=x,y|B=2"),
            ("A='x y'", "A=x y"),
            ("A=x y", "A=x"),
            ("A=1 x B=2", "A=1|B=2"),
            ("A=\"\"", "A="),
            ("A=$HOME", "A=$"),
            ("A=~/x", "A=~"),
            ("A=café", "A=caf"),
            ("A=\"café\"", "A=café"),
            ("A=x#y", "A=x"),
            ("A=http://x:80/p?q=1", "A=http://x:80/p|q=1"),
            ("A==\"x\"", "A=="),
            ("A=x\"y\"", "A=x\"y"),
            ("\"A\"=1", "\"A\"=1"),
            ("A=\"a\\\"b\"", "A=a\\"),
            ("A=1,\nB=2", "A=1|B=2"),
        ];
        for (input, want) in cases {
            assert_eq!(kv(input), want, "{input:?}");
        }
        for bad in [
            "A=1 B=2",
            "A=x y,B=2",
            "A=",
            "A=,B=2",
            "A=1,,B=2",
            "A=1,B",
            "A=x@y",
            "A={x}",
            "A=a=b",
            "A=1\nB=2",
        ] {
            assert!(kv(bad).starts_with("ERR Unexpected end"), "{bad:?}");
        }
        assert_eq!(kv("A='x"), "ERR No closing quotation");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Whatever the direct scanner reads, it reads as the tokens do.
        #[test]
        fn plain_pairs_are_the_tokens(v in "[AB_1=,\"' ;#.:()\n\u{e9}x]{0,16}") {
            if let Some(fast) = plain_kv_pairs(&v) {
                proptest::prop_assert_eq!(Ok(fast), kv_pairs_by_tokens(&v));
            }
        }

        /// Mostly well-formed pairs, so the scanner answers often.
        #[test]
        fn plain_pairs_are_the_tokens_on_pairs(
            v in "([A-Z_]{0,2}[a-z1 ]?=(\"[a-z ,=#'\u{e9}]{0,3}\"?|'[a-z \"]{0,3}'|[a-z0-9/.:\"#]{0,3})[,; ]?){0,4}"
        ) {
            let slow = kv_pairs_by_tokens(&v);
            if let Some(fast) = plain_kv_pairs(&v) {
                proptest::prop_assert_eq!(Ok(fast), slow);
            }
        }
    }

    /// Past the index threshold, repeats still keep the first place and
    /// take the last value, in both readers, as a Python dict does.
    #[test]
    fn many_keys_keep_dict_order() {
        let keys: Vec<String> = (0..60).map(|i| format!("K{}", i % 40)).collect();
        let value: String = (keys.iter().enumerate())
            .map(|(i, k)| format!("{k}=v{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut expected: Vec<(String, String)> = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            match expected.iter_mut().find(|(e, _)| e == k) {
                Some(slot) => slot.1 = format!("v{i}"),
                None => expected.push((k.clone(), format!("v{i}"))),
            }
        }
        let as_strings = |p: Vec<KvPair<'_>>| -> Vec<(String, String)> {
            p.into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        let plain = plain_kv_pairs(&value).expect("plain pairs");
        assert_eq!(as_strings(plain), expected);
        // A newline makes the plain scanner give way to the tokens.
        let with_newlines = value.replace(',', ",\n");
        let tokens = kv_pairs_by_tokens(&with_newlines).unwrap();
        assert_eq!(as_strings(tokens), expected);
        assert_eq!(expected.len(), 40);
        assert_eq!(expected[3], ("K3".into(), "v43".into()));
    }

    #[test]
    fn plain_pairs_take_config_values() {
        for v in [
            "",
            "A=1",
            "A=\"1\",B=\"x y #z\"",
            "A='x,y',B=/usr/bin:/bin,C=\"\",",
            "HOME=/home/u,A=1,HOME=\"\u{e9}\"",
        ] {
            let fast = plain_kv_pairs(v).expect("plain");
            assert_eq!(Ok(fast), kv_pairs_by_tokens(v), "{v:?}");
        }
        for v in [
            "A=1 ",
            " A=1",
            "A=1;B=2",
            "A=\"x'\"",
            "A=x\"y\"",
            "A=",
            "A=1,,B=2",
            "A=caf\u{e9}",
        ] {
            assert!(plain_kv_pairs(v).is_none(), "{v:?}");
        }
    }

    #[test]
    fn posix_split() {
        assert_eq!(
            split_command("a 'b c' \"d\\\"e\" f\\ g").unwrap(),
            ["a", "b c", "d\"e", "f g"]
        );
        assert_eq!(split_command("").unwrap(), Vec::<String>::new());
        assert_eq!(
            split_command("bash -c 'x").unwrap_err(),
            "No closing quotation"
        );
    }
}
