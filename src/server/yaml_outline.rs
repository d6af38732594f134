//! The [`Outline`] of a supc.yaml spec: its sections (`supervisord:`, each
//! name under `programs:`, `groups:` …) under the INI names the YAML front
//! end gives them (`program:web`), with each option's key and value ranges
//! in the YAML text. Found from indentation alone, like
//! [`yaml_place`](super::yaml_place), so it exists at once on every
//! keystroke and on a spec that does not parse; symbols, inlay hints,
//! hover and navigation then treat a spec as they treat an INI file.
//! Keys written in flow style (`web: {command: x}`) are not options here.

use super::outline::{OptionInfo, Outline, SectionInfo};
use crate::options::SectionKind;
use std::ops::Range;

/// How a top-level key holds sections: itself (`supervisord:`), or one
/// per name below it with this INI prefix (`programs:` → `program:`).
fn top_level(key: &str) -> Option<Option<&'static str>> {
    Some(match key {
        "supervisord" | "unix_http_server" | "inet_http_server" | "supervisorctl" | "include" => {
            None
        }
        "programs" => Some("program:"),
        "eventlisteners" => Some("eventlistener:"),
        "fcgi_programs" => Some("fcgi-program:"),
        "groups" => Some("group:"),
        "rpcinterfaces" => Some("rpcinterface:"),
        "ctlplugins" => Some("ctlplugin:"),
        "more_http_servers" => Some(""),
        _ => return None,
    })
}

/// One content line: its byte range, indentation and text after it.
struct Line<'t> {
    start: usize,
    indent: usize,
    body: &'t str,
}

/// The content lines (not blank, not comments, not inside block scalars).
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut scalar_indent: Option<usize> = None;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = without_comment(&line[indent..]);
        if body.is_empty() || body == "---" || body == "..." {
            continue;
        }
        if scalar_indent.is_some_and(|i| indent > i) {
            continue;
        }
        scalar_indent = None;
        if let Some((_, rest)) = body.split_once(": ").or(body.split_once(':'))
            && matches!(rest.trim().chars().next(), Some('|' | '>'))
        {
            scalar_indent = Some(indent);
        }
        out.push(Line {
            start,
            indent,
            body,
        });
    }
    out
}

/// Whether the line holding `offset` is text of a block scalar (`|`,
/// `>`), where a `#` line would be part of the value, not a comment.
pub fn in_block_scalar(text: &str, offset: usize) -> bool {
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    let body = line.trim_start_matches(' ');
    let content = !body.is_empty() && !body.starts_with('#');
    content && !lines(text).iter().any(|l| l.start == start)
}

/// `body` without a trailing `# comment` (a `#` at the start or after a
/// blank, outside quotes), trimmed.
fn without_comment(body: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_blank = true;
    for (i, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev_blank => return body[..i].trim_end(),
            None => {}
        }
        prev_blank = c == ' ' || c == '\t';
    }
    body.trim_end()
}

/// `key: rest` of a line: the key and where its value starts in `body`.
fn key_of(body: &str) -> Option<(&str, usize)> {
    let end = body.find(':')?;
    let after = &body[end + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let key = body[..end].trim_end().trim_matches(['"', '\'']);
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let value_at = end + 1 + (after.len() - after.trim_start().len());
    ok.then_some((key, value_at))
}

/// Where the scan is: the open section, its option depth, and the option
/// whose block value the next deeper lines extend.
#[derive(Default)]
struct Scan {
    sections: Vec<SectionInfo>,
    /// Keys above the current line, `(indent, key)`.
    stack: Vec<(usize, String)>,
    /// The open section's indentation and the depth of its options.
    open: Option<(usize, usize)>,
    /// The open option's indentation (its value may be the block below).
    option: Option<usize>,
}

impl Outline {
    /// The outline of a supc.yaml spec's text.
    pub fn parse_yaml(text: &str) -> Outline {
        let mut scan = Scan::default();
        for line in lines(text) {
            scan.line(&line);
        }
        Outline {
            sections: scan.sections,
        }
    }
}

impl Scan {
    fn line(&mut self, line: &Line<'_>) {
        let end = line.start + line.indent + line.body.len();
        if self.open.is_some_and(|(i, _)| line.indent <= i) {
            self.open = None;
            self.option = None;
        }
        if let Some(s) = self.open.and(self.sections.last_mut()) {
            s.full.end = end;
        }
        if self.option.is_some_and(|i| line.indent > i) {
            self.extend_option(line, end);
            return;
        }
        self.option = None;
        while self.stack.last().is_some_and(|(i, _)| *i >= line.indent) {
            self.stack.pop();
        }
        let Some((key, value_at)) = key_of(line.body) else {
            return;
        };
        let key_start = line.start + line.indent;
        let colon = line.body.find(':').unwrap_or(0);
        let key_range = key_start..key_start + line.body[..colon].trim_end().len();
        let depth = self.stack.len();
        self.stack.push((line.indent, key.to_string()));
        match self.open {
            // `ini:` holds options written as INI text, one level deeper.
            Some((_, d)) if depth == d && key == "ini" => {}
            Some((_, d)) if depth == d || (depth == d + 1 && self.is_under_ini(d)) => {
                let value = &line.body[value_at..];
                let value_start = key_start + value_at;
                if let Some(s) = self.sections.last_mut() {
                    s.options.push(OptionInfo {
                        key: key.to_string(),
                        key_range,
                        value_range: value_start..value_start + value.len(),
                        value: unquote(value).to_string(),
                    });
                }
                self.option = Some(line.indent);
            }
            Some(_) => {}
            None => self.maybe_open(depth, key, key_range, line, end),
        }
    }

    /// Whether the key above the current one (at option depth `d`) is `ini:`.
    fn is_under_ini(&self, d: usize) -> bool {
        self.stack.len() >= 2 && self.stack.len() - 2 == d && self.stack[d].1 == "ini"
    }

    fn maybe_open(
        &mut self,
        depth: usize,
        key: &str,
        key_range: Range<usize>,
        line: &Line<'_>,
        end: usize,
    ) {
        let name = match (depth, self.stack.first().and_then(|(_, k)| top_level(k))) {
            (0, Some(None)) => key.to_string(),
            (1, Some(Some(prefix))) => format!("{prefix}{key}"),
            _ => return,
        };
        self.sections.push(SectionInfo {
            kind: SectionKind::of(&name),
            name,
            name_range: key_range,
            header: line.start + line.indent..end,
            full: line.start + line.indent..end,
            options: Vec::new(),
        });
        self.open = Some((line.indent, depth + 1));
    }

    /// A deeper line continues the open option's value (a block list).
    fn extend_option(&mut self, line: &Line<'_>, end: usize) {
        let Some(o) = self.sections.last_mut().and_then(|s| s.options.last_mut()) else {
            return;
        };
        if o.value_range.is_empty() {
            o.value_range.start = line.start + line.indent;
        }
        o.value_range.end = end;
        let item = line.body.strip_prefix('-').map_or(line.body, str::trim);
        if !o.value.is_empty() {
            o.value.push(',');
        }
        o.value.push_str(unquote(item));
    }
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "supervisord:\n  loglevel: warn  # quiet\nprograms:\n  web:\n    command: /bin/web\n    numprocs: \"4\"\n    environment:\n      A: b\n  api:\n    command: |\n      /bin/api\n      --flag: x\n    ini:\n      startsecs: '5'\ngroups:\n  site:\n    programs:\n      - web\n      - api\n";

    fn names(o: &Outline) -> Vec<(&str, Vec<&str>)> {
        o.sections
            .iter()
            .map(|s| {
                let keys = s.options.iter().map(|o| o.key.as_str()).collect();
                (s.name.as_str(), keys)
            })
            .collect()
    }

    #[test]
    fn sections_get_their_ini_names_and_options() {
        let o = Outline::parse_yaml(SPEC);
        assert_eq!(
            names(&o),
            [
                ("supervisord", vec!["loglevel"]),
                ("program:web", vec!["command", "numprocs", "environment"]),
                ("program:api", vec!["command", "startsecs"]),
                ("group:site", vec!["programs"]),
            ]
        );
        let web = &o.sections[1];
        assert_eq!(&SPEC[web.name_range.clone()], "web");
        assert_eq!(SPEC[web.full.clone()].lines().count(), 5);
        let numprocs = &web.options[1];
        assert_eq!(&SPEC[numprocs.value_range.clone()], "\"4\"");
        assert_eq!(numprocs.value, "4");
        assert_eq!(o.sections[0].options[0].value, "warn");
        let programs = &o.sections[3].options[0];
        assert_eq!(programs.value, "web,api");
        assert_eq!(&SPEC[programs.value_range.clone()], "- web\n      - api");
    }

    #[test]
    fn block_scalar_lines_are_known() {
        let at = |needle: &str| SPEC.find(needle).unwrap();
        assert!(in_block_scalar(SPEC, at("--flag")));
        assert!(!in_block_scalar(SPEC, at("command: |")));
        assert!(!in_block_scalar(SPEC, at("- web")));
    }

    #[test]
    fn half_typed_and_unknown_keys_are_skipped() {
        let o = Outline::parse_yaml("programs:\n  web:\n    comm\nextra:\n  x: 1\n");
        assert_eq!(names(&o), [("program:web", vec![])]);
    }
}
