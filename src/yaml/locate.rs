//! Where each key and value of a YAML document is written.
//!
//! serde_yaml_ng gives typed values but no positions, so this scans the text
//! once: block mappings by indentation (the form configs are written in),
//! recording for each key path the key's span and its value's span (the
//! rest of the line, or the indented block below the key). A path written
//! in flow style (`{a: 1}`) is not found; callers fall back to the closest
//! enclosing key. Also collects `#` comments (for suppressions and for the
//! rendered INI).

use crate::source::{FileId, Span};
use crate::syntax::Comment;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug)]
pub struct Place {
    pub key: Span,
    pub value: Span,
}

#[derive(Default, Debug)]
pub struct Locator {
    places: HashMap<Vec<String>, Place>,
    pub comments: Vec<Comment>,
    file: Option<FileId>,
}

impl Locator {
    pub fn scan(file: FileId, text: &str) -> Locator {
        let mut loc = Locator {
            file: Some(file),
            ..Locator::default()
        };
        // The keys above this line, by indentation.
        let mut stack: Vec<(usize, String)> = Vec::new();
        // Keys whose value is the block below them, innermost last:
        // (path, key span, indent, value so far).
        let mut open: Vec<(Vec<String>, Span, usize, Option<Span>)> = Vec::new();
        let mut block_scalar: Option<usize> = None;
        let mut offset = 0usize;
        for (lineno, raw) in text.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let indent = line.len() - line.trim_start_matches(' ').len();
            let body = &line[indent..];
            if let Some(bi) = block_scalar {
                if body.is_empty() || indent > bi {
                    if !body.is_empty() {
                        let sp = Span::new(file, start + indent, start + line.len());
                        for (_, _, _, v) in &mut open {
                            *v = Some(v.map_or(sp, |o| o.to(sp)));
                        }
                    }
                    continue;
                }
                block_scalar = None;
            }
            if body.is_empty() {
                continue;
            }
            if body.starts_with('#') {
                if body.starts_with("# yaml-language-server:") {
                    // An editor modeline, not a comment on the config.
                    continue;
                }
                loc.comments.push(Comment {
                    span: Span::new(file, start + indent, start + line.len()),
                    line: lineno as u32 + 1,
                    full_line: true,
                });
                continue;
            }
            if body == "---" || body == "..." {
                continue;
            }
            // Close the block values this line is not part of; extend the
            // others to it.
            let (content, comment) = split_comment(body);
            while let Some((path, key, ind, v)) = open.pop() {
                if indent > ind || (indent == ind && body.starts_with("- ")) {
                    open.push((path, key, ind, v));
                    break;
                }
                loc.close(path, key, v);
            }
            let sp = Span::new(file, start + indent, start + indent + content.len());
            for (_, _, _, v) in &mut open {
                *v = Some(v.map_or(sp, |o| o.to(sp)));
            }
            if let Some(c) = comment {
                let cstart = start + indent + c;
                loc.comments.push(Comment {
                    span: Span::new(file, cstart, start + line.len()),
                    line: lineno as u32 + 1,
                    full_line: false,
                });
            }
            if content.starts_with('-') {
                continue;
            }
            let Some((key, after)) = split_key(content) else {
                continue;
            };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let mut path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
            path.push(key.clone());
            let kstart = start + indent;
            let key_span = Span::new(file, kstart, kstart + key_len(content));
            let value = content[after..].trim();
            if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
                if value.starts_with('|') || value.starts_with('>') {
                    block_scalar = Some(indent);
                }
                open.push((path.clone(), key_span, indent, None));
            } else {
                let vstart =
                    kstart + after + (content[after..].len() - content[after..].trim_start().len());
                loc.places.insert(
                    path.clone(),
                    Place {
                        key: key_span,
                        value: Span::new(file, vstart, vstart + value.len()),
                    },
                );
            }
            stack.push((indent, key));
        }
        while let Some((path, key, _, v)) = open.pop() {
            loc.close(path, key, v);
        }
        loc
    }

    fn close(&mut self, path: Vec<String>, key: Span, value: Option<Span>) {
        let value = value.unwrap_or(Span::new(key.file, key.end as usize, key.end as usize));
        self.places.insert(path, Place { key, value });
    }

    /// The place of `path`, or of its closest enclosing key that was found.
    pub fn find(&self, path: &[&str]) -> Option<Place> {
        let mut p: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        while !p.is_empty() {
            if let Some(pl) = self.places.get(&p) {
                return Some(*pl);
            }
            p.pop();
        }
        None
    }

    /// Like [`find`](Self::find), always giving a span (the file's start
    /// when nothing is found).
    pub fn place(&self, path: &[&str]) -> Place {
        self.find(path).unwrap_or_else(|| {
            let s = Span::new(self.file.unwrap_or(FileId(0)), 0, 0);
            Place { key: s, value: s }
        })
    }
}

/// Splits `# comment` off a line (a `#` at the start or after whitespace,
/// outside quotes).
fn split_comment(body: &str) -> (&str, Option<usize>) {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && prev_space => return (body[..i].trim_end(), Some(i)),
            None if (c == '"' || c == '\'') && prev_space => quote = Some(c),
            None => {}
        }
        prev_space = c == ' '
            || c == '\t'
            || (c == ':' && quote.is_none())
            || c == ','
            || c == '{'
            || c == '[';
    }
    (body, None)
}

/// `key: value` → (unquoted key, offset of the value).
fn split_key(content: &str) -> Option<(String, usize)> {
    let (key, rest_at) = if let Some(q) = content.chars().next().filter(|c| *c == '"' || *c == '\'')
    {
        let end = content[1..].find(q)? + 1;
        (content[1..end].to_string(), end + 1)
    } else {
        let mut found = None;
        for (i, c) in content.char_indices() {
            if c == ':' {
                let next = content[i + 1..].chars().next();
                if next.is_none() || next == Some(' ') || next == Some('\t') {
                    found = Some(i);
                    break;
                }
            }
        }
        let i = found?;
        (content[..i].trim_end().to_string(), i)
    };
    let rest = &content[rest_at..];
    let colon = rest.find(':')?;
    if !rest[..colon].trim().is_empty() {
        return None;
    }
    Some((key, rest_at + colon + 1))
}

fn key_len(content: &str) -> usize {
    if let Some(q) = content.chars().next().filter(|c| *c == '"' || *c == '\'') {
        return content[1..].find(q).map_or(content.len(), |e| e + 2);
    }
    content
        .char_indices()
        .find(|&(i, c)| {
            c == ':'
                && matches!(
                    content[i + 1..].chars().next(),
                    None | Some(' ') | Some('\t')
                )
        })
        .map_or(content.len(), |(i, _)| content[..i].trim_end().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_block_keys_and_values() {
        let text = "# top\nprograms:\n  web:\n    command: /bin/web  # run\n    exitcodes:\n      - 0\n      - 2\n  other: {command: x}\n";
        let loc = Locator::scan(FileId(0), text);
        let p = loc.find(&["programs", "web", "command"]).unwrap();
        assert_eq!(&text[p.key.start as usize..p.key.end as usize], "command");
        assert_eq!(
            &text[p.value.start as usize..p.value.end as usize],
            "/bin/web"
        );
        let e = loc.find(&["programs", "web", "exitcodes"]).unwrap();
        assert_eq!(
            &text[e.value.start as usize..e.value.end as usize],
            "- 0\n      - 2"
        );
        // A key whose block holds another block is found too.
        let w = loc.find(&["programs", "web"]).unwrap();
        assert_eq!(&text[w.key.start as usize..w.key.end as usize], "web");
        assert!(text[w.value.start as usize..w.value.end as usize].ends_with("- 2"));
        let o = loc.find(&["programs", "other", "command"]).unwrap();
        assert_eq!(&text[o.key.start as usize..o.key.end as usize], "other");
        assert_eq!(loc.comments.len(), 2);
    }
}
