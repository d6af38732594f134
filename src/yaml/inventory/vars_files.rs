//! `group_vars/` and `host_vars/` next to an inventory source, found as
//! Ansible's `host_group_vars` plugin finds them: for an entity `NAME`
//! the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that exists;
//! a directory contributes every file in it (recursively, sorted, hidden
//! and `~` files skipped, only those extensions or none), later files
//! overriding earlier ones.

use super::{Inventory, InventoryError, InventoryWarning, Vars};
use std::path::{Path, PathBuf};

pub const VAULT: &str = "Ansible Vault encrypted data is not supported by supc (it has no vault password); use the Ansible module in ansible/ (it renders with the play's variables) or decrypt into a --vars-file";

const EXTENSIONS: &[&str] = &["", ".yml", ".yaml", ".json"];

/// The `group_vars/` (indexed like `inv.groups`) and `host_vars/`
/// (indexed like `inv.hosts`) of one source directory, and what Ansible
/// warns about in them (a key given twice).
pub type BaseVars = (Vec<Vars>, Vec<Vars>, Vec<InventoryWarning>);

pub fn read(base: &Path, inv: &Inventory) -> Result<BaseVars, InventoryError> {
    let mut warnings = Vec::new();
    let mut of = |dir: &str, names: Vec<&str>| {
        names
            .into_iter()
            .map(|name| entity_vars(&base.join(dir), name, &mut warnings))
            .collect::<Result<Vec<Vars>, _>>()
    };
    let groups = of(
        "group_vars",
        inv.groups.iter().map(|g| g.name.as_str()).collect(),
    )?;
    let hosts = of(
        "host_vars",
        inv.hosts.iter().map(|h| h.name.as_str()).collect(),
    )?;
    Ok((groups, hosts, warnings))
}

fn entity_vars(
    dir: &Path,
    name: &str,
    warnings: &mut Vec<InventoryWarning>,
) -> Result<Vars, InventoryError> {
    let mut vars = Vars::new();
    if !dir.is_dir() || name.contains('/') {
        return Ok(vars);
    }
    for file in find_files(dir, name)? {
        for (k, v) in read_file(&file, warnings)? {
            vars.insert(k, v);
        }
    }
    Ok(vars)
}

/// Ansible's `DataLoader.find_vars_files`.
fn find_files(dir: &Path, name: &str) -> Result<Vec<PathBuf>, InventoryError> {
    for ext in EXTENSIONS {
        let path = dir.join(format!("{name}{ext}"));
        if path.is_dir() {
            let mut found = Vec::new();
            dir_files(&path, &mut found, 0)?;
            return Ok(found);
        }
        if path.exists() {
            return Ok(vec![path]);
        }
    }
    Ok(Vec::new())
}

fn dir_files(dir: &Path, found: &mut Vec<PathBuf>, depth: usize) -> Result<(), InventoryError> {
    if depth > 32 {
        return Err(InventoryError::new(
            dir,
            "variable directories nested too deeply (a symlink loop?)",
        ));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| InventoryError::new(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    for name in names {
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = dir.join(&name);
        let ext = Path::new(&name)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()));
        if path.is_dir() && ext.is_none() {
            dir_files(&path, found, depth + 1)?;
        } else if path.is_file() && ext.as_deref().is_none_or(|e| EXTENSIONS.contains(&e)) {
            found.push(path);
        }
    }
    Ok(())
}

/// One vars file (`group_vars/x.yml`, `--vars-file`): a YAML (or JSON)
/// mapping, read as Ansible reads it; empty is no variables. What Ansible
/// warns about (a key given twice) goes to `warnings`.
pub fn read_file(
    path: &Path,
    warnings: &mut Vec<InventoryWarning>,
) -> Result<Vars, InventoryError> {
    let text = read_text(path)?;
    let doc = super::yaml_tree::parse(&text).map_err(|m| InventoryError::new(path, m))?;
    let schema = super::yaml11::Schema::of(&text);
    let vars = super::yaml11::to_json(&doc, schema).map_err(|m| InventoryError::new(path, m))?;
    warnings.extend(duplicate_key_warnings(path, &doc, schema));
    match vars {
        serde_json::Value::Null => Ok(Vars::new()),
        serde_json::Value::Object(m) => Ok(m),
        other => Err(InventoryError::new(
            path,
            format!("invalid vars: expected a mapping, got {other}"),
        )),
    }
}

/// Ansible's warning for a mapping key given twice (the last one is kept).
pub fn duplicate_key_warnings(
    path: &Path,
    doc: &super::yaml_tree::Node,
    schema: super::yaml11::Schema,
) -> Vec<InventoryWarning> {
    super::yaml11::duplicate_keys(doc, schema)
        .into_iter()
        .map(|(line, column, key)| InventoryWarning {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("Found duplicate mapping key '{key}'. Using last defined value only."),
        })
        .collect()
}

/// A file's text, bounded like every config supc reads; vault files are
/// refused by name.
pub fn read_text(path: &Path) -> Result<String, InventoryError> {
    let text = crate::input::read_text(path, crate::limits::MAX_FILE_BYTES)
        .map_err(|e| InventoryError::new(path, e.to_string()))?;
    if text.trim_start().starts_with("$ANSIBLE_VAULT") {
        return Err(InventoryError::new(path, VAULT));
    }
    Ok(text)
}
