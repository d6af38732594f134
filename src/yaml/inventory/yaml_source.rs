//! Ansible's `yaml` inventory plugin: `group: {hosts, vars, children}`
//! mappings, any group at the top level, host keys that are patterns.
//! Values are read as PyYAML reads them ([`super::yaml11`]).
//!
//! Where the plugin only warns (a top-level group that is not a mapping,
//! a group key other than `hosts`, `vars` and `children`), the entry is
//! skipped with an [`super::InventoryWarning`] at its position, and the
//! rest is read.

use super::yaml_tree::{Kind, Node};
use super::yaml11::{Schema, key_text, to_json};
use super::{Inventory, InventoryWarning, Vars};
use serde_json::Value;
use std::path::Path;

/// Why a text is not read as a YAML inventory.
pub enum NotYaml {
    /// Not YAML, or not a mapping: Ansible goes on to the INI reader.
    TryIni(String),
    /// A YAML inventory Ansible would refuse too, or one supc cannot read.
    Fatal(String),
}

/// One file being read.
struct Source<'a> {
    inv: &'a mut Inventory,
    path: &'a Path,
    schema: Schema,
}

pub fn read(inv: &mut Inventory, path: &Path, text: &str) -> Result<(), NotYaml> {
    let doc =
        super::yaml_tree::parse(text).map_err(|e| NotYaml::TryIni(format!("not YAML: {e}")))?;
    let Kind::Map(top) = &doc.kind else {
        return Err(NotYaml::TryIni(
            "a YAML inventory is a mapping of groups (`all:`)".into(),
        ));
    };
    let schema = Schema::of(text);
    let duplicates = super::vars_files::duplicate_key_warnings(path, &doc, schema);
    let mut src = Source { inv, path, schema };
    let fatal = NotYaml::Fatal;
    for (name, node) in top {
        if src.key(name).map_err(fatal)? == "plugin" {
            let plugin = to_json(node, src.schema).map_or_else(|_| "?".into(), |v| v.to_string());
            return Err(NotYaml::Fatal(format!(
                "this is the configuration of the inventory plugin {plugin}; supc reads only YAML and INI inventories (export one with `ansible-inventory --list -y -i FILE`)"
            )));
        }
    }
    src.inv.warnings.extend(duplicates);
    for (key, node) in top {
        let name = src.key(key).map_err(fatal)?;
        if matches!(node.kind, Kind::Map(_)) || src.is_null(node) {
            src.group(&name, node).map_err(fatal)?;
        } else {
            src.warn(
                key,
                format!("Skipping '{name}' as this is not a valid group definition"),
            );
        }
    }
    Ok(())
}

impl Source<'_> {
    fn key(&self, node: &Node) -> Result<String, String> {
        key_text(node, self.schema)
    }

    fn is_null(&self, node: &Node) -> bool {
        matches!(node.kind, Kind::Scalar { .. })
            && to_json(node, self.schema).is_ok_and(|v| v.is_null())
    }

    fn warn(&mut self, at: &Node, message: String) {
        self.inv.warnings.push(InventoryWarning {
            path: self.path.to_path_buf(),
            line: at.line,
            column: at.col,
            message,
        });
    }

    fn group(&mut self, name: &str, node: &Node) -> Result<usize, String> {
        let g = self.inv.add_group(name);
        let Kind::Map(map) = &node.kind else {
            if self.is_null(node) {
                return Ok(g);
            }
            return Err(format!(
                "group {name}: expected a mapping with hosts, vars or children"
            ));
        };
        for (key_node, value) in map {
            let key = self.key(key_node)?;
            let section = matches!(key.as_str(), "vars" | "children" | "hosts");
            if self.is_null(value) {
                continue;
            }
            let entries = match &value.kind {
                Kind::Map(m) => m.clone(),
                // A string names one entry (`hosts: web1`), as Ansible allows.
                Kind::Scalar { .. } if section && to_json(value, self.schema)?.is_string() => {
                    let null = Node {
                        kind: Kind::Scalar {
                            text: String::new(),
                            plain: true,
                            tag: None,
                        },
                        ..value.clone()
                    };
                    vec![(value.clone(), null)]
                }
                _ if section => return Err(format!("group {name}: `{key}` must be a mapping")),
                _ => {
                    self.warn(
                        key_node,
                        format!("Skipping key ({key}) in group ({name}) as it is not a mapping"),
                    );
                    continue;
                }
            };
            match key.as_str() {
                "vars" => {
                    for (k, v) in &entries {
                        let k = self.key(k)?;
                        self.inv.set_group_var(g, &k, to_json(v, self.schema)?)?;
                    }
                }
                "children" => {
                    for (c, cv) in &entries {
                        let child = self.group(&self.key(c)?, cv)?;
                        self.inv.add_child(g, child)?;
                    }
                }
                "hosts" => {
                    for (pattern, hv) in &entries {
                        self.hosts(g, pattern, hv)?;
                    }
                }
                other => self.warn(
                    key_node,
                    format!(
                        "Skipping unexpected key ({other}) in group ({name}), only \"vars\", \"children\" and \"hosts\" are valid"
                    ),
                ),
            }
        }
        Ok(g)
    }

    fn hosts(&mut self, g: usize, pattern: &Node, vars: &Node) -> Result<(), String> {
        let Value::String(pattern) = to_json(pattern, self.schema)? else {
            return Err(format!(
                "host pattern {} must be a string (enclose numbers in quotes)",
                to_json(pattern, self.schema).map_or_else(|e| e, |v| v.to_string())
            ));
        };
        let expanded = super::expand(&pattern)?;
        let vars = match to_json(vars, self.schema)? {
            Value::Null => Vars::new(),
            Value::Object(m) => m,
            other => {
                return Err(format!(
                    "host {pattern}: expected a mapping of variables, got {other}"
                ));
            }
        };
        for name in &expanded.hosts {
            let h = self.inv.add_host(name, Some(g), expanded.port);
            for (k, v) in &vars {
                self.inv.set_host_var(h, k, v.clone());
            }
        }
        Ok(())
    }
}
