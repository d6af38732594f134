//! Ansible's `ini` inventory plugin: `[group]` host lines with inline
//! `key=value` variables, `[group:vars]` and `[group:children]`; values
//! are Python literals where they parse as one ([`super::parse_value`]).

use super::Inventory;

/// Reads an INI inventory; an error carries its 1-based line number.
pub fn read(inv: &mut Inventory, text: &str) -> Result<(), (usize, String)> {
    let mut group = super::UNGROUPED;
    let mut state = State::Hosts;
    // Groups named in [x:vars] or [x:children] before they are defined.
    let mut pending: Vec<Pending> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let lineno = n + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some((name, kind)) = section(line) {
            state = match kind {
                None | Some("hosts") => State::Hosts,
                Some("vars") => State::Vars,
                Some("children") => State::Children,
                Some(other) => {
                    return Err((
                        lineno,
                        format!("section [{name}:{other}] has unknown type: {other}"),
                    ));
                }
            };
            let known = inv.group_index(name).is_some();
            group = inv.add_group(name);
            if !known && state == State::Vars && !pending.iter().any(|p| p.group == group) {
                pending.push(Pending {
                    group,
                    line: lineno,
                    parents: vec![],
                });
            }
            if state != State::Vars {
                // Declared now: a pending [x:vars] is satisfied, pending
                // [p:children] entries become real children.
                if let Some(i) = pending.iter().position(|p| p.group == group) {
                    let p = pending.remove(i);
                    for parent in p.parents {
                        inv.add_child(parent, group).map_err(|m| (lineno, m))?;
                    }
                }
            }
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            return Err((
                lineno,
                format!(
                    "invalid section entry: '{line}' (no spaces or other invalid characters are allowed in a section name)"
                ),
            ));
        }
        match state {
            State::Hosts => host_line(inv, group, line).map_err(|m| (lineno, m))?,
            State::Vars => {
                let Some((k, v)) = line.split_once('=') else {
                    return Err((lineno, format!("expected key=value, got: {line}")));
                };
                inv.set_group_var(group, k.trim(), super::parse_value(v.trim()))
                    .map_err(|m| (lineno, m))?;
            }
            State::Children => {
                let child = child_name(line)
                    .ok_or((lineno, format!("expected group name, got: {line}")))?;
                match inv.group_index(child) {
                    Some(c) => inv.add_child(group, c).map_err(|m| (lineno, m))?,
                    None => {
                        let c = inv.add_group(child);
                        match pending.iter_mut().find(|p| p.group == c) {
                            Some(p) => p.parents.push(group),
                            None => pending.push(Pending {
                                group: c,
                                line: lineno,
                                parents: vec![group],
                            }),
                        }
                    }
                }
            }
        }
    }
    if let Some(p) = pending.first() {
        let name = &inv.groups[p.group].name;
        let msg = match p.parents.last() {
            None => format!("section [{name}:vars] not valid for undefined group '{name}'"),
            Some(&parent) => format!(
                "section [{}:children] includes undefined group '{name}'",
                inv.groups[parent].name
            ),
        };
        return Err((p.line, msg));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Hosts,
    Vars,
    Children,
}

struct Pending {
    group: usize,
    line: usize,
    parents: Vec<usize>,
}

/// `[name]` or `[name:kind]`, optionally followed by a `#` comment.
fn section(line: &str) -> Option<(&str, Option<&str>)> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let after = rest[close + 1..].trim_start();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let inner = &rest[..close];
    let (name, kind) = match inner.split_once(':') {
        Some((n, k)) => (n, Some(k)),
        None => (inner, None),
    };
    let word =
        |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_whitespace() || c == ':' || c == ']');
    let kind_ok =
        kind.is_none_or(|k| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'));
    (word(name) && kind_ok).then_some((name, kind))
}

fn child_name(line: &str) -> Option<&str> {
    let name = line.split('#').next()?.trim();
    (!name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == ':' || c == ']'))
        .then_some(name)
}

/// `pattern k=v k2='v 2' # comment`.
fn host_line(inv: &mut Inventory, group: usize, line: &str) -> Result<(), String> {
    let tokens = crate::python::shlex::split_command(&strip_comment(line))
        .map_err(|e| format!("error parsing host definition '{line}': {e}"))?;
    let Some((pattern, vars)) = tokens.split_first() else {
        return Ok(());
    };
    let expanded = super::expand(pattern)?;
    if expanded.hosts.iter().any(|h| h.trim() == "---") {
        return Err(format!(
            "invalid host pattern '{pattern}': '---' is normally a sign this is a YAML file"
        ));
    }
    let mut parsed = Vec::new();
    for t in vars {
        let Some((k, v)) = t.split_once('=') else {
            return Err(format!(
                "expected key=value host variable assignment, got: {t}"
            ));
        };
        parsed.push((k.to_string(), super::parse_value(v)));
    }
    for name in &expanded.hosts {
        let h = inv.add_host(name, Some(group), expanded.port);
        for (k, v) in &parsed {
            inv.set_host_var(h, k, v.clone());
        }
    }
    Ok(())
}

/// The line up to a `#` outside quotes (`shlex` with `comments=True`).
fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') => break,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (q, '\\') if q != Some('\'') => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inv(text: &str) -> Inventory {
        let mut i = Inventory::default();
        i.add_group("all");
        i.add_group("ungrouped");
        read(&mut i, text).unwrap();
        i
    }

    #[test]
    fn hosts_vars_children_and_literals() {
        let i = inv(
            "[web]\nweb[1:2] heap=512 name='a b' # c\n[web:vars]\nbase = 2\n[dc:children]\nweb\n",
        );
        assert_eq!(i.hosts.len(), 2);
        assert_eq!(i.hosts[1].vars["heap"], json!(512));
        assert_eq!(i.hosts[1].vars["name"], json!("a b"));
        let web = i.group_index("web").unwrap();
        assert_eq!(i.groups[web].vars["base"], json!(2));
        let dc = i.group_index("dc").unwrap();
        assert_eq!(i.groups[dc].children, [web]);
    }

    #[test]
    fn children_before_their_group_and_undefined_groups() {
        let i = inv("[dc:children]\nweb\n[web]\nw1\n");
        let web = i.group_index("web").unwrap();
        assert_eq!(i.groups[web].parents, [i.group_index("dc").unwrap()]);
        let mut j = Inventory::default();
        j.add_group("all");
        j.add_group("ungrouped");
        let e = read(&mut j, "[x:vars]\na=1\n").unwrap_err();
        assert_eq!(e.0, 1);
        assert!(e.1.contains("undefined group 'x'"), "{}", e.1);
    }
}
