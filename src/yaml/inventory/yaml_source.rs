//! Ansible's `yaml` inventory plugin: `group: {hosts, vars, children}`
//! mappings, any group at the top level, host keys that are patterns.

use super::{Inventory, Vars};
use serde_json::Value;

/// Why a text is not read as a YAML inventory.
pub enum NotYaml {
    /// Not YAML, or not a mapping: Ansible goes on to the INI reader.
    TryIni(String),
    /// A YAML inventory Ansible would refuse too, or one supc cannot read.
    Fatal(String),
}

pub fn read(inv: &mut Inventory, text: &str) -> Result<(), NotYaml> {
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| NotYaml::TryIni(format!("not YAML: {e}")))?;
    let serde_yaml_ng::Value::Mapping(top) = doc else {
        return Err(NotYaml::TryIni(
            "a YAML inventory is a mapping of groups (`all:`)".into(),
        ));
    };
    if top.contains_key("plugin") {
        let name = top.get("plugin").map(to_json).transpose().ok().flatten();
        return Err(NotYaml::Fatal(format!(
            "this is the configuration of the inventory plugin {}; supc reads only YAML and INI inventories (export one with `ansible-inventory --list -y -i FILE`)",
            name.map_or_else(|| "?".into(), |v| v.to_string())
        )));
    }
    for (name, node) in &top {
        let name = key_text(name).map_err(NotYaml::Fatal)?;
        group(inv, &name, node).map_err(NotYaml::Fatal)?;
    }
    Ok(())
}

fn group(inv: &mut Inventory, name: &str, node: &serde_yaml_ng::Value) -> Result<usize, String> {
    let g = inv.add_group(name);
    let serde_yaml_ng::Value::Mapping(map) = node else {
        if node.is_null() {
            return Ok(g);
        }
        return Err(format!(
            "group {name}: expected a mapping with hosts, vars or children"
        ));
    };
    for (key, value) in map {
        let key = key_text(key)?;
        // A string names one entry (`hosts: web1`), as Ansible allows.
        let value = match value {
            serde_yaml_ng::Value::String(s) => {
                let mut m = serde_yaml_ng::Mapping::new();
                m.insert(s.as_str().into(), serde_yaml_ng::Value::Null);
                serde_yaml_ng::Value::Mapping(m)
            }
            v => v.clone(),
        };
        let entries = match &value {
            serde_yaml_ng::Value::Mapping(m) => m.clone(),
            serde_yaml_ng::Value::Null => continue,
            _ => return Err(format!("group {name}: `{key}` must be a mapping")),
        };
        match key.as_str() {
            "vars" => {
                for (k, v) in &entries {
                    let k = key_text(k)?;
                    inv.set_group_var(g, &k, to_json(v)?)?;
                }
            }
            "children" => {
                for (c, cv) in &entries {
                    let child = group(inv, &key_text(c)?, cv)?;
                    inv.add_child(g, child)?;
                }
            }
            "hosts" => {
                for (pattern, hv) in &entries {
                    hosts(inv, g, pattern, hv)?;
                }
            }
            other => {
                return Err(format!(
                    "group {name}: unexpected key `{other}` (Ansible skips it with a warning; supc refuses it: only hosts, vars and children are valid)"
                ));
            }
        }
    }
    Ok(g)
}

fn hosts(
    inv: &mut Inventory,
    g: usize,
    pattern: &serde_yaml_ng::Value,
    vars: &serde_yaml_ng::Value,
) -> Result<(), String> {
    let serde_yaml_ng::Value::String(pattern) = pattern else {
        return Err(format!(
            "host pattern {} must be a string (enclose numbers in quotes)",
            to_json(pattern).map_or_else(|e| e, |v| v.to_string())
        ));
    };
    let expanded = super::expand(pattern)?;
    let vars = match to_json(vars)? {
        Value::Null => Vars::new(),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "host {pattern}: expected a mapping of variables, got {other}"
            ));
        }
    };
    for name in &expanded.hosts {
        let h = inv.add_host(name, Some(g), expanded.port);
        for (k, v) in &vars {
            inv.set_host_var(h, k, v.clone());
        }
    }
    Ok(())
}

pub(super) fn key_text(k: &serde_yaml_ng::Value) -> Result<String, String> {
    match k {
        serde_yaml_ng::Value::String(s) => Ok(s.clone()),
        serde_yaml_ng::Value::Number(n) => Ok(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Ok(if *b { "True" } else { "False" }.into()),
        _ => Err("mapping keys must be scalars".into()),
    }
}

/// YAML → variable value; `!vault` (and any other tag) is refused.
pub(super) fn to_json(v: &serde_yaml_ng::Value) -> Result<Value, String> {
    Ok(match v {
        serde_yaml_ng::Value::Null => Value::Null,
        serde_yaml_ng::Value::Bool(b) => Value::Bool(*b),
        serde_yaml_ng::Value::Number(n) => serde_json::from_str(&n.to_string())
            .map_err(|_| format!("the number {n} has no JSON form"))?,
        serde_yaml_ng::Value::String(s) => Value::String(s.clone()),
        serde_yaml_ng::Value::Sequence(items) => {
            Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?)
        }
        serde_yaml_ng::Value::Mapping(m) => {
            let mut out = Vars::new();
            for (k, v) in m {
                out.insert(key_text(k)?, to_json(v)?);
            }
            Value::Object(out)
        }
        serde_yaml_ng::Value::Tagged(t) if t.tag == "!vault" => {
            return Err(super::vars_files::VAULT.into());
        }
        serde_yaml_ng::Value::Tagged(t) => {
            return Err(format!(
                "the YAML tag {} is an Ansible feature supc does not support",
                t.tag
            ));
        }
    })
}
