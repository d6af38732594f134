//! Per-host values: the spec is a minijinja template rendered before the
//! YAML is parsed, with variables from an Ansible YAML inventory (`all`,
//! `children`, `hosts`, `vars`), a `--vars-file` and `--var k=v`.
//!
//! Precedence, lowest first (Ansible's): inventory group vars by depth (`all` first, parents before children, groups of one
//! depth by name), then the host's own vars, then `--vars-file`, then
//! `--var` (extra vars win). Each host also gets `inventory_hostname` and
//! `group_names`. Undefined variables are errors (strict undefined) at the
//! template location.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

pub type Vars = Map<String, Value>;

/// A compiled spec template (or plain text when it uses no template syntax).
pub struct Template {
    env: Option<minijinja::Environment<'static>>,
    pub name: String,
    pub text: String,
}

impl Template {
    /// Compiles `text`; a syntax error is reported at its place in file 0.
    pub fn new(name: &str, text: String) -> Result<Template, Box<Diagnostic>> {
        let templated = text.contains("{{") || text.contains("{%") || text.contains("{#");
        if !templated {
            return Ok(Template {
                env: None,
                name: name.to_string(),
                text,
            });
        }
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template_owned(name.to_string(), text.clone())
            .map_err(|e| template_error(&e, &text))?;
        Ok(Template {
            env: Some(env),
            name: name.to_string(),
            text,
        })
    }

    /// Text used as is, even if it looks like a template (converted YAML).
    pub fn plain(name: &str, text: String) -> Template {
        Template {
            env: None,
            name: name.to_string(),
            text,
        }
    }

    pub fn is_templated(&self) -> bool {
        self.env.is_some()
    }

    /// Renders with `vars`; errors point into the template (file 0).
    pub fn render(&self, vars: &Vars) -> Result<String, Box<Diagnostic>> {
        let Some(env) = &self.env else {
            return Ok(self.text.clone());
        };
        let t = env
            .get_template(&self.name)
            .map_err(|e| template_error(&e, &self.text))?;
        t.render(to_jinja(&Value::Object(vars.clone())))
            .map_err(|e| template_error(&e, &self.text))
    }
}

/// JSON → template value (serde_json's `arbitrary_precision` numbers do
/// not serialize as numbers outside serde_json).
fn to_jinja(v: &Value) -> minijinja::Value {
    match v {
        Value::Null => minijinja::Value::from(()),
        Value::Bool(b) => minijinja::Value::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => minijinja::Value::from(i),
            (None, Some(f)) => minijinja::Value::from(f),
            _ => minijinja::Value::from(n.to_string()),
        },
        Value::String(s) => minijinja::Value::from(s.as_str()),
        Value::Array(a) => minijinja::Value::from(a.iter().map(to_jinja).collect::<Vec<_>>()),
        Value::Object(m) => {
            minijinja::Value::from_pairs(m.iter().map(|(k, v)| (k.as_str(), to_jinja(v))))
        }
    }
}

fn template_error(e: &minijinja::Error, text: &str) -> Box<Diagnostic> {
    let mut msg = e.kind().to_string();
    if let Some(d) = e.detail() {
        msg = format!("{msg}: {d}");
    } else if e.kind() == minijinja::ErrorKind::UndefinedError
        && let Some(name) = e.range().and_then(|r| text.get(r)).map(str::trim)
    {
        // minijinja names the variable only in debug builds; say it always.
        msg = format!("{msg}: `{name}` is undefined");
    }
    let mut d = Diagnostic::error(Code::InvalidSpec, format!("template: {msg}"));
    let span = match (e.range(), e.line()) {
        (Some(r), _) => Some(Span::new(FileId(0), r.start, r.end.max(r.start))),
        (None, Some(line)) => {
            let start: usize = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum();
            let len = text[start.min(text.len())..]
                .find('\n')
                .unwrap_or(text.len() - start.min(text.len()));
            Some(Span::new(FileId(0), start, start + len))
        }
        _ => None,
    };
    if let Some(s) = span {
        d = d.at(s, "here");
    }
    if e.kind() == minijinja::ErrorKind::UndefinedError {
        d = d.help("define it in the inventory (host or group vars), a --vars-file or --var NAME=VALUE, or use `{{ name | default(...) }}`");
    }
    Box::new(d)
}

/// An Ansible YAML inventory, flattened to each host's variables.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Hosts in order of first appearance.
    pub hosts: Vec<String>,
    host_vars: HashMap<String, Vars>,
    host_groups: HashMap<String, BTreeSet<String>>,
    groups: HashMap<String, GroupInfo>,
}

#[derive(Debug, Default)]
struct GroupInfo {
    depth: usize,
    vars: Vars,
}

impl Inventory {
    pub fn parse(text: &str) -> Result<Inventory, String> {
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let mut inv = Inventory::default();
        let Some(top) = doc.as_mapping() else {
            if doc.is_null() {
                return Ok(inv);
            }
            return Err("an inventory is a mapping of groups (`all:`)".into());
        };
        inv.groups.entry("all".into()).or_default();
        for (name, node) in top {
            let name = key_str(name)?;
            let depth = usize::from(name != "all");
            let ancestors: Vec<String> = if name == "all" {
                vec![]
            } else {
                vec!["all".into()]
            };
            inv.walk(&name, node, depth, &ancestors)?;
        }
        Ok(inv)
    }

    fn walk(
        &mut self,
        name: &str,
        node: &serde_yaml::Value,
        depth: usize,
        ancestors: &[String],
    ) -> Result<(), String> {
        let g = self.groups.entry(name.to_string()).or_default();
        g.depth = g.depth.max(depth);
        if node.is_null() {
            return Ok(());
        }
        let Some(map) = node.as_mapping() else {
            return Err(format!(
                "group {name}: expected a mapping with hosts, vars or children"
            ));
        };
        for (k, v) in map {
            match key_str(k)?.as_str() {
                "vars" => {
                    let vars = to_vars(v).map_err(|e| format!("group {name} vars: {e}"))?;
                    let g = self.groups.entry(name.to_string()).or_default();
                    g.vars.extend(vars);
                }
                "hosts" => {
                    let Some(hosts) = v.as_mapping() else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(format!("group {name}: hosts is a mapping of host names"));
                    };
                    for (h, hv) in hosts {
                        let h = key_str(h)?;
                        if !self.host_vars.contains_key(&h) {
                            self.hosts.push(h.clone());
                        }
                        let vars = to_vars(hv).map_err(|e| format!("host {h}: {e}"))?;
                        self.host_vars.entry(h.clone()).or_default().extend(vars);
                        let groups = self.host_groups.entry(h).or_default();
                        groups.insert(name.to_string());
                        groups.extend(ancestors.iter().cloned());
                    }
                }
                "children" => {
                    let Some(children) = v.as_mapping() else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(format!("group {name}: children is a mapping of groups"));
                    };
                    let mut anc = ancestors.to_vec();
                    anc.push(name.to_string());
                    for (c, cv) in children {
                        let c = key_str(c)?;
                        self.walk(&c, cv, depth + 1, &anc)?;
                    }
                }
                other => {
                    return Err(format!(
                        "group {name}: unknown key {other:?} (expected hosts, vars or children)"
                    ));
                }
            }
        }
        Ok(())
    }

    /// A host's variables (without `--vars-file`/`--var`).
    pub fn vars_of(&self, host: &str) -> Option<Vars> {
        let own = self.host_vars.get(host)?;
        let groups = self.host_groups.get(host).cloned().unwrap_or_default();
        let mut ordered: Vec<(usize, &str)> = std::iter::once("all")
            .chain(groups.iter().map(String::as_str).filter(|g| *g != "all"))
            .map(|g| (self.groups.get(g).map_or(0, |i| i.depth), g))
            .collect();
        ordered.sort();
        let mut vars = Vars::new();
        for (_, g) in &ordered {
            if let Some(info) = self.groups.get(*g) {
                for (k, v) in &info.vars {
                    vars.insert(k.clone(), v.clone());
                }
            }
        }
        for (k, v) in own {
            vars.insert(k.clone(), v.clone());
        }
        vars.insert("inventory_hostname".into(), host.into());
        let names: Vec<Value> = groups
            .iter()
            .filter(|g| *g != "all" && *g != "ungrouped")
            .map(|g| Value::from(g.as_str()))
            .collect();
        vars.insert("group_names".into(), Value::Array(names));
        Some(vars)
    }
}

fn key_str(k: &serde_yaml::Value) -> Result<String, String> {
    match k {
        serde_yaml::Value::String(s) => Ok(s.clone()),
        serde_yaml::Value::Number(n) => Ok(n.to_string()),
        serde_yaml::Value::Bool(b) => Ok(b.to_string()),
        _ => Err("keys must be scalars".into()),
    }
}

/// A YAML mapping (or null) as variables.
pub fn to_vars(v: &serde_yaml::Value) -> Result<Vars, String> {
    if v.is_null() {
        return Ok(Vars::new());
    }
    match serde_json::to_value(v).map_err(|e| e.to_string())? {
        Value::Object(m) => Ok(m),
        _ => Err("expected a mapping of variables".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_vars_inherit_and_host_vars_win() {
        let inv = Inventory::parse(
            "all:\n  vars: {a: 1, b: 1, c: 1}\n  children:\n    web:\n      vars: {b: 2, c: 2}\n      hosts:\n        w1: {c: 3}\n        w2:\n",
        )
        .unwrap();
        assert_eq!(inv.hosts, ["w1", "w2"]);
        let v = inv.vars_of("w1").unwrap();
        assert_eq!(
            (v["a"].as_i64(), v["b"].as_i64(), v["c"].as_i64()),
            (Some(1), Some(2), Some(3))
        );
        let v = inv.vars_of("w2").unwrap();
        assert_eq!(v["c"].as_i64(), Some(2));
        assert_eq!(v["group_names"], serde_json::json!(["web"]));
    }

    #[test]
    fn undefined_is_an_error_at_its_place() {
        let t = Template::new("s.yaml", "a: {{ nope }}\n".into()).unwrap();
        let e = t.render(&Vars::new()).unwrap_err();
        let p = e.primary.unwrap().span;
        assert_eq!(&"a: {{ nope }}\n"[p.start as usize..p.end as usize], "nope");
    }
}
