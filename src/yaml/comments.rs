//! The comments of an INI config carried into its converted YAML: the
//! comment lines right above a section header go above that section's
//! key, those right above an option above the option's key (`;` comments
//! become `#`). Only the main file's comments: what included files say
//! stays in them.

use crate::load::Loaded;
use crate::syntax::Comment;

/// `yaml` (the converted spec's text) with the INI's comments inserted.
pub fn carry(loaded: &Loaded, yaml: &str) -> String {
    let Some(main) = loaded.main else {
        return yaml.to_string();
    };
    let file = loaded.sources.get(main);
    let mut by_line: std::collections::BTreeMap<u32, &Comment> = Default::default();
    for c in loaded
        .comments
        .iter()
        .filter(|c| c.span.file == main && c.full_line)
    {
        by_line.insert(c.line, c);
    }
    let above = |line: u32| -> Vec<String> {
        let mut out = Vec::new();
        let mut l = line;
        while l > 1 {
            let Some(c) = by_line.get(&(l - 1)) else {
                break;
            };
            out.push(yaml_comment(loaded.sources.text(c.span)));
            l -= 1;
        }
        out.reverse();
        out
    };
    let mut lines: Vec<String> = yaml.lines().map(str::to_string).collect();
    // (index of the YAML line, comment lines to put above it)
    let mut inserts: Vec<(usize, Vec<String>)> = Vec::new();
    for (name, section) in &loaded.ini.sections {
        let Some(header) = section.headers.iter().find(|h| h.file == main) else {
            continue;
        };
        let Some(at) = section_line(&lines, name) else {
            continue;
        };
        let header_line = file.line_col(header.start).0 as u32;
        inserts.push((at, above(header_line)));
        let indent = indent_of(&lines[at]) + 2;
        for key in loaded.ini.options(name) {
            let Some(found) = loaded.ini.get(name, key) else {
                continue;
            };
            let span = found.entry.def.key_span;
            if span.file != main {
                continue;
            }
            let kind = crate::options::SectionKind::of(name);
            if !kind.takes_any_key() && crate::options::lookup(kind, key).is_none() {
                let ini_at = key_line(&lines, at, indent, "ini");
                if let Some(k) = ini_at.and_then(|i| key_line(&lines, i, indent + 2, key)) {
                    let mut notes = above(file.line_col(span.start).0 as u32);
                    notes.push(format!(
                        "# `{key}` is not an option of [{name}]: supervisord ignores it (kept from the INI)"
                    ));
                    inserts.push((k, notes));
                }
                continue;
            }
            if let Some(k) = key_line(&lines, at, indent, key) {
                inserts.push((k, above(file.line_col(span.start).0 as u32)));
            }
        }
    }
    inserts.sort_by_key(|i| std::cmp::Reverse(i.0));
    for (at, comments) in inserts {
        if comments.is_empty() {
            continue;
        }
        let pad = " ".repeat(indent_of(&lines[at]));
        for c in comments.into_iter().rev() {
            lines.insert(at, format!("{pad}{c}"));
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn yaml_comment(ini: &str) -> String {
    let text = ini.trim_start_matches([';', '#']).trim_end();
    if text.is_empty() {
        "#".into()
    } else {
        format!("#{text}")
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The YAML line of an INI section: `supervisord:`, or `  web:` under
/// `programs:` for `[program:web]`.
fn section_line(lines: &[String], name: &str) -> Option<usize> {
    let (group, sub) = match name.split_once(':') {
        Some(("program", n)) => ("programs", Some(n)),
        Some(("eventlistener", n)) => ("eventlisteners", Some(n)),
        Some(("fcgi-program", n)) => ("fcgi_programs", Some(n)),
        Some(("group", n)) => ("groups", Some(n)),
        Some(("rpcinterface", n)) => ("rpcinterfaces", Some(n)),
        Some(("ctlplugin", n)) => ("ctlplugins", Some(n)),
        Some(_) => return None,
        None => (name, None),
    };
    let top = lines
        .iter()
        .position(|l| l.trim_end() == format!("{group}:"))?;
    let Some(sub) = sub else {
        return Some(top);
    };
    lines[top + 1..]
        .iter()
        .take_while(|l| l.starts_with(' ') || l.is_empty())
        .position(|l| indent_of(l) == 2 && key_is(l.trim_start(), sub))
        .map(|i| top + 1 + i)
}

fn key_line(lines: &[String], section: usize, indent: usize, key: &str) -> Option<usize> {
    lines[section + 1..]
        .iter()
        .take_while(|l| indent_of(l) >= indent || l.is_empty())
        .position(|l| indent_of(l) == indent && key_is(l.trim_start(), key))
        .map(|i| section + 1 + i)
}

/// Whether a YAML line starts with `key:` (plain or quoted).
fn key_is(line: &str, key: &str) -> bool {
    [
        format!("{key}:"),
        format!("'{key}':"),
        format!("\"{key}\":"),
    ]
    .iter()
    .any(|k| line.starts_with(k.as_str()))
}
