//! `--env-file`: dotenv files as docker compose reads them.
//!
//! One `KEY=VALUE` per line; blank lines and lines starting with `#` are
//! skipped; `export ` before a key is allowed. A value in single quotes is
//! taken as it is; in double quotes, `\n`, `\t`, `\\` and `\"` are
//! unescaped and the value may span lines; unquoted, a ` #` starts a
//! comment and surrounding blanks are dropped. `${VAR}` interpolation is
//! not done (supc never asks the machine for a value).

use std::path::Path;

/// The pairs of one `--env-file`, read while the arguments are parsed.
#[derive(Clone, Debug)]
pub struct EnvFile(pub Vec<(String, String)>);

/// The pairs of a dotenv file, in order.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = crate::input::read_text(path, crate::limits::MAX_FILE_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|(line, msg)| format!("{}:{line}: {msg}", path.display()))
}

/// Parses dotenv text; an error names its 1-based line.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let line = lines[i].trim_start();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, raw)) = line.split_once('=') else {
            return Err((n, format!("expected KEY=VALUE, got {line:?}")));
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err((n, format!("invalid variable name {key:?}")));
        }
        let raw = raw.trim_start();
        let value = if let Some(body) = raw.strip_prefix('\'') {
            match body.find('\'') {
                Some(end) => body[..end].to_string(),
                None => return Err((n, "unterminated single quote".into())),
            }
        } else if let Some(body) = raw.strip_prefix('"') {
            let mut joined = body.to_string();
            loop {
                if let Some(end) = closing_quote(&joined) {
                    joined.truncate(end);
                    break unescape(&joined);
                }
                let Some(next) = lines.get(i) else {
                    return Err((n, "unterminated double quote".into()));
                };
                joined.push('\n');
                joined.push_str(next);
                i += 1;
            }
        } else {
            let v = match raw.find(" #") {
                Some(c) => &raw[..c],
                None => raw,
            };
            v.trim_end().to_string()
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

/// The byte index of the first `"` not escaped by a backslash.
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text).unwrap()
    }

    #[test]
    fn compose_dotenv_rules() {
        let got = pairs(
            "# comment\n\nA=1\nexport B = two words \nC='raw $x \\n'\nD=\"a\\nb \\\"q\\\"\"\nE=v # note\nF=\nG=\"multi\nline\"\n",
        );
        let want = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "raw $x \\n"),
            ("D", "a\nb \"q\""),
            ("E", "v"),
            ("F", ""),
            ("G", "multi\nline"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("A=1\nnope\n").unwrap_err().0, 2);
        assert_eq!(parse("A='x\n").unwrap_err().0, 1);
        assert_eq!(parse("A=\"x\n").unwrap_err().0, 1);
    }
}
