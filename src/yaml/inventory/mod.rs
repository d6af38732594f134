//! Ansible inventories, read as `ansible-inventory --list` reads them.
//!
//! Input: one or more inventory sources (`-i`): YAML or INI files, a
//! directory of them, or a `host1,host2,` list. Output: an [`Inventory`]
//! of hosts and groups whose [`Inventory::host_vars`] are each host's
//! variables merged in Ansible's precedence, still untemplated (templates
//! in variables are evaluated lazily when a spec uses them:
//! [`crate::yaml::scope`]).
//!
//! The model follows ansible-core 2.19's `InventoryData`: every group is
//! a child of `all` (directly or not), a host in no group is in
//! `ungrouped`, a group's depth is its longest distance from `all`, and
//! groups are applied in `(depth, ansible_group_priority, name)` order.
//! Variables, lowest first:
//! inventory file group vars (`all`, then the host's groups in that
//! order), `group_vars/all`, `group_vars/<group>` (per source, in source
//! order), inventory file host vars, `host_vars/<host>`.
//!
//! What supc does not read (inventory plugins and scripts, vault) is an
//! [`InventoryError`] naming it, never a silently different inventory;
//! what Ansible skips with a warning is skipped with an
//! [`InventoryWarning`]. YAML is read as Ansible's PyYAML reads it
//! (YAML 1.1 scalars, merge keys: [`yaml11`]).

mod hostpattern;
mod ini_source;
mod literal;
mod vars_files;
mod yaml11;
mod yaml11_scalars;
mod yaml_source;
mod yaml_tree;

pub use hostpattern::{Expanded, expand};
pub use literal::parse_value;
pub use vars_files::read_file as read_vars_file;
pub use yaml11_scalars::python_repr as python_float_repr;

/// A YAML text as Ansible's `from_yaml` reads it (PyYAML, YAML 1.1).
pub fn parse_yaml11(text: &str) -> Result<Value, String> {
    let doc = yaml_tree::parse(text)?;
    yaml11::to_json(&doc, yaml11::Schema::Yaml11)
}

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub type Vars = Map<String, Value>;

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct InventoryError {
    pub path: PathBuf,
    pub message: String,
}

impl InventoryError {
    pub fn new(path: &Path, message: impl Into<String>) -> InventoryError {
        InventoryError {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// What Ansible skips with a `[WARNING]` (an unexpected key in a YAML
/// group): the rest of the inventory is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryWarning {
    pub path: PathBuf,
    /// 1-based line and column of the skipped entry.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for InventoryWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// An inventory group.
#[derive(Debug, Default, Clone)]
pub struct Group {
    pub name: String,
    /// Variables from the inventory files (not `group_vars/`).
    pub vars: Vars,
    /// `ansible_group_priority` (not kept as a variable, as in Ansible).
    pub priority: i64,
    pub depth: usize,
    /// Hosts listed in this group itself, in order of addition.
    pub hosts: Vec<usize>,
    pub children: Vec<usize>,
    pub parents: Vec<usize>,
}

/// An inventory host.
#[derive(Debug, Default, Clone)]
pub struct Host {
    pub name: String,
    /// Variables from the inventory files (not `host_vars/`).
    pub vars: Vars,
    /// The groups that list the host itself.
    pub groups: Vec<usize>,
    /// The absolute path of the source where the host first appeared.
    pub source: PathBuf,
}

/// Hosts and groups of every `-i` source, merged.
#[derive(Debug, Default)]
pub struct Inventory {
    pub hosts: Vec<Host>,
    pub groups: Vec<Group>,
    /// What was skipped with a warning, in reading order.
    pub warnings: Vec<InventoryWarning>,
    /// Each source's directory (where `group_vars/` and `host_vars/` are).
    bases: Vec<PathBuf>,
    /// `group_vars/` per base, indexed like `groups`.
    group_files: Vec<Vec<Vars>>,
    /// `host_vars/` per base, indexed like `hosts`.
    host_files: Vec<Vec<Vars>>,
    current: PathBuf,
    /// Name → index (inventories of thousands of hosts).
    host_ix: std::collections::HashMap<String, usize>,
    group_ix: std::collections::HashMap<String, usize>,
}

pub const ALL: usize = 0;
pub const UNGROUPED: usize = 1;

impl Inventory {
    /// Reads every source in order (`cwd` resolves relative paths).
    pub fn load(sources: &[PathBuf], cwd: &Path) -> Result<Inventory, InventoryError> {
        let mut inv = Inventory::default();
        inv.add_group("all");
        inv.add_group("ungrouped");
        inv.add_child(ALL, UNGROUPED)
            .map_err(|m| InventoryError::new(Path::new("."), m))?;
        for source in sources {
            let abs = cwd.join(source);
            inv.read_source(source, &abs)?;
        }
        inv.reconcile()?;
        for base in inv.bases.clone() {
            let (g, h, warnings) = vars_files::read(&base, &inv)?;
            inv.group_files.push(g);
            inv.host_files.push(h);
            inv.warnings.extend(warnings);
        }
        Ok(inv)
    }

    fn read_source(&mut self, given: &Path, abs: &Path) -> Result<(), InventoryError> {
        let text = given.to_string_lossy();
        if !abs.exists() && text.contains(',') {
            // `-i web1,web2,`: Ansible's host_list source.
            self.current = PathBuf::new();
            for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let e = expand(name).map_err(|m| InventoryError::new(given, m))?;
                for h in e.hosts {
                    self.add_host(&h, None, e.port);
                }
            }
            return Ok(());
        }
        let meta = std::fs::metadata(abs)
            .map_err(|e| InventoryError::new(given, format!("cannot read the inventory: {e}")))?;
        if meta.is_dir() {
            self.bases.push(abs.to_path_buf());
            for file in dir_sources(abs)? {
                self.read_file(&file)?;
            }
            return Ok(());
        }
        self.bases
            .push(abs.parent().map_or_else(PathBuf::new, Path::to_path_buf));
        self.read_file(abs)
    }

    fn read_file(&mut self, path: &Path) -> Result<(), InventoryError> {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| InventoryError::new(path, e.to_string()))?;
        if !meta.is_file() {
            return Err(InventoryError::new(path, "not a regular file"));
        }
        if meta.permissions().mode() & 0o111 != 0 {
            return Err(InventoryError::new(
                path,
                "an executable file is an inventory script for Ansible; supc does not run inventory scripts (use `ansible-inventory --list -i FILE --output inv.json` and pass inv.json)",
            ));
        }
        let text = vars_files::read_text(path)?;
        self.current = path.to_path_buf();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let yaml_like = matches!(ext, "yml" | "yaml" | "json" | "");
        if yaml_like {
            match yaml_source::read(self, path, &text) {
                Ok(()) => return Ok(()),
                Err(yaml_source::NotYaml::Fatal(m)) => return Err(InventoryError::new(path, m)),
                Err(yaml_source::NotYaml::TryIni(why))
                    if matches!(ext, "yml" | "yaml" | "json") =>
                {
                    return Err(InventoryError::new(path, why));
                }
                Err(yaml_source::NotYaml::TryIni(_)) => {}
            }
        }
        ini_source::read(self, &text)
            .map_err(|(line, m)| InventoryError::new(path, format!("line {line}: {m}")))
    }

    /// The index of group `name`, added if new.
    pub fn add_group(&mut self, name: &str) -> usize {
        if let Some(i) = self.group_index(name) {
            return i;
        }
        self.group_ix.insert(name.to_string(), self.groups.len());
        self.groups.push(Group {
            name: name.to_string(),
            // Ansible's default priority.
            priority: 1,
            ..Group::default()
        });
        self.groups.len() - 1
    }

    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.group_ix.get(name).copied()
    }

    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.host_ix.get(name).copied()
    }

    /// Makes `child` a child of `parent`; a loop is an error.
    pub fn add_child(&mut self, parent: usize, child: usize) -> Result<(), String> {
        if parent == child || self.ancestors(parent).contains(&child) {
            return Err(format!(
                "adding group '{}' as child to '{}' creates a recursive dependency loop",
                self.groups[child].name, self.groups[parent].name
            ));
        }
        if !self.groups[parent].children.contains(&child) {
            self.groups[parent].children.push(child);
            self.groups[child].parents.push(parent);
        }
        Ok(())
    }

    /// Adds a host (to `group` if given); `port` becomes `ansible_port`.
    pub fn add_host(&mut self, name: &str, group: Option<usize>, port: Option<u16>) -> usize {
        let h = match self.host_index(name) {
            Some(h) => h,
            None => {
                self.host_ix.insert(name.to_string(), self.hosts.len());
                self.hosts.push(Host {
                    name: name.to_string(),
                    source: self.current.clone(),
                    ..Host::default()
                });
                self.hosts.len() - 1
            }
        };
        if let Some(p) = port {
            self.hosts[h].vars.insert("ansible_port".into(), p.into());
        }
        if let Some(g) = group
            && !self.hosts[h].groups.contains(&g)
        {
            self.hosts[h].groups.push(g);
            self.groups[g].hosts.push(h);
        }
        h
    }

    /// Sets a group variable (`ansible_group_priority` sets the priority).
    pub fn set_group_var(&mut self, g: usize, key: &str, value: Value) -> Result<(), String> {
        if key == "ansible_group_priority" {
            self.groups[g].priority = int_of(&value).ok_or_else(|| {
                format!(
                    "ansible_group_priority of group '{}' is not an integer: {value}",
                    self.groups[g].name
                )
            })?;
            return Ok(());
        }
        self.groups[g].vars.insert(key.to_string(), value);
        Ok(())
    }

    pub fn set_host_var(&mut self, h: usize, key: &str, value: Value) {
        self.hosts[h].vars.insert(key.to_string(), value);
    }

    /// Every group `g` is in, directly or not (without `g`).
    pub fn ancestors(&self, g: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut todo = self.groups[g].parents.clone();
        while let Some(p) = todo.pop() {
            if !out.contains(&p) {
                out.push(p);
                todo.extend(self.groups[p].parents.iter().copied());
            }
        }
        out
    }

    /// Ansible's `reconcile_inventory` plus group depths.
    fn reconcile(&mut self) -> Result<(), InventoryError> {
        for g in 2..self.groups.len() {
            if self.groups[g].parents.is_empty() {
                self.add_child(ALL, g)
                    .map_err(|m| InventoryError::new(Path::new("."), m))?;
            }
        }
        for h in 0..self.hosts.len() {
            let groups = self.host_groups(h);
            let others = groups.iter().any(|&g| g != ALL && g != UNGROUPED);
            if others && self.hosts[h].groups.contains(&UNGROUPED) {
                self.groups[UNGROUPED].hosts.retain(|&x| x != h);
                self.hosts[h].groups.retain(|&x| x != UNGROUPED);
            } else if !others && !groups.contains(&UNGROUPED) {
                self.add_host_to(h, UNGROUPED);
            }
        }
        self.compute_depths();
        Ok(())
    }

    fn add_host_to(&mut self, h: usize, g: usize) {
        self.hosts[h].groups.push(g);
        self.groups[g].hosts.push(h);
    }

    /// Depth = the longest path from `all` (Ansible raises a child's depth
    /// to its parent's + 1 whenever a parent is added).
    fn compute_depths(&mut self) {
        let mut depth = vec![0usize; self.groups.len()];
        let mut changed = true;
        // The groups form a DAG (add_child refuses loops), so this ends
        // after at most as many rounds as the longest path.
        while changed {
            changed = false;
            for g in 0..self.groups.len() {
                for &c in &self.groups[g].children {
                    if depth[c] < depth[g] + 1 {
                        depth[c] = depth[g] + 1;
                        changed = true;
                    }
                }
            }
        }
        for (g, d) in depth.into_iter().enumerate() {
            self.groups[g].depth = d;
        }
    }

    /// Every group host `h` is in, directly or through a child group.
    pub fn host_groups(&self, h: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &g in &self.hosts[h].groups {
            for x in std::iter::once(g).chain(self.ancestors(g)) {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
        }
        out
    }

    /// The host's groups other than `all`, in Ansible's `sort_groups` order.
    fn sorted_groups(&self, h: usize) -> Vec<usize> {
        let mut gs: Vec<usize> = self
            .host_groups(h)
            .into_iter()
            .filter(|&g| g != ALL)
            .collect();
        gs.sort_by(|&a, &b| {
            let (a, b) = (&self.groups[a], &self.groups[b]);
            (a.depth, a.priority, &a.name).cmp(&(b.depth, b.priority, &b.name))
        });
        gs
    }

    /// A host's variables in Ansible's precedence, untemplated, without
    /// magic variables (what `ansible-inventory --list` shows).
    pub fn host_vars(&self, h: usize) -> Vars {
        let sorted = self.sorted_groups(h);
        let mut vars = Vars::new();
        let mut put = |from: &Vars| {
            for (k, v) in from {
                vars.insert(k.clone(), v.clone());
            }
        };
        put(&self.groups[ALL].vars);
        for &g in &sorted {
            put(&self.groups[g].vars);
        }
        for files in &self.group_files {
            put(&files[ALL]);
        }
        for files in &self.group_files {
            for &g in &sorted {
                put(&files[g]);
            }
        }
        put(&self.hosts[h].vars);
        for files in &self.host_files {
            put(&files[h]);
        }
        vars
    }

    /// `group_names`: the host's groups but `all`, sorted by name.
    pub fn group_names(&self, h: usize) -> Vec<String> {
        let mut names: Vec<String> = self
            .host_groups(h)
            .into_iter()
            .filter(|&g| g != ALL)
            .map(|g| self.groups[g].name.clone())
            .collect();
        names.sort();
        names
    }

    /// The hosts of group `g` and of its descendants, in Ansible's order
    /// (the group's own hosts, then its children's, level by level).
    pub fn group_hosts(&self, g: usize) -> Vec<usize> {
        let mut order = vec![g];
        let mut i = 0;
        while i < order.len() {
            for &c in &self.groups[order[i]].children {
                if !order.contains(&c) {
                    order.push(c);
                }
            }
            i += 1;
        }
        let mut hosts = Vec::new();
        let mut seen = vec![false; self.hosts.len()];
        for x in order {
            for &h in &self.groups[x].hosts {
                if !std::mem::replace(&mut seen[h], true) {
                    hosts.push(h);
                }
            }
        }
        hosts
    }

    /// The `groups` magic variable: every group's host names.
    pub fn groups_dict(&self) -> Map<String, Value> {
        self.groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let hosts = self
                    .group_hosts(g)
                    .into_iter()
                    .map(|h| Value::String(self.hosts[h].name.clone()))
                    .collect();
                (group.name.clone(), Value::Array(hosts))
            })
            .collect()
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// Extensions Ansible skips when a source is a directory
/// (`INVENTORY_IGNORE_EXTS`).
const IGNORED_EXTS: &[&str] = &[
    ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg",
    ".retry",
];

/// The files of a directory source, sorted, without `group_vars`,
/// `host_vars`, hidden files and ignored extensions.
fn dir_sources(dir: &Path) -> Result<Vec<PathBuf>, InventoryError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InventoryError::new(dir, e.to_string()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| InventoryError::new(dir, e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            || name == "group_vars"
            || name == "host_vars"
            || IGNORED_EXTS.iter().any(|x| name.ends_with(x))
        {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            return Err(InventoryError::new(
                &path,
                "supc does not read nested inventory directories",
            ));
        }
        files.push(path);
    }
    files.sort();
    Ok(files)
}
