//! Which main config includes a file: the include graph of the workspace.
//!
//! A conf.d snippet means something only inside the config that includes
//! it (its `%(here)s`, the `[supervisord]` it runs under, the groups that
//! name its programs), so the server checks it in that context when it can
//! find one. Candidates are the `*.conf`/`*.ini` files under the workspace
//! folders (or, with none, the snippet's grandparent directory, where
//! `/etc/supervisor/supervisord.conf` sits above `conf.d/`) that have an
//! `[include]` section; each is loaded (not resolved) and its included
//! files recorded. The graph is rebuilt when a file with `[include]`
//! changes.

use crate::host::Host;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bounds on the scan, so a huge folder (a home directory) costs little.
const MAX_DEPTH: usize = 6;
const MAX_ENTRIES: usize = 20_000;
const MAX_CANDIDATE_BYTES: u64 = 4 << 20;

#[derive(Debug, Default)]
pub struct Workspace {
    pub folders: Vec<PathBuf>,
    /// included file → the main configs that include it (scan order).
    includers: Option<HashMap<PathBuf, Vec<PathBuf>>>,
}

impl Workspace {
    pub fn new(folders: Vec<PathBuf>) -> Self {
        Workspace {
            folders,
            includers: None,
        }
    }

    /// Forgets the graph (a file with `[include]` changed).
    pub fn invalidate(&mut self) {
        self.includers = None;
    }

    /// The first main config found that includes `path`.
    pub fn main_config_for(&mut self, path: &Path, host: &Host) -> Option<PathBuf> {
        if self.includers.is_none() {
            let mut roots = self.folders.clone();
            if roots.is_empty() {
                roots.extend(path.parent().and_then(Path::parent).map(Path::to_path_buf));
            }
            self.includers = Some(scan(&roots, host));
        }
        let found = self.includers.as_ref()?.get(path)?;
        found.iter().find(|m| m.as_path() != path).cloned()
    }
}

/// A text with a line starting `[include]`, the mark of a main config.
pub fn has_include(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("[include]"))
}

/// A text with neither `[supervisord]` nor `[include]`: a conf.d snippet
/// (the rule `supc check` applies).
pub fn looks_like_snippet(text: &str) -> bool {
    !text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("[supervisord]") || l.starts_with("[include]")
    })
}

fn scan(roots: &[PathBuf], host: &Host) -> HashMap<PathBuf, Vec<PathBuf>> {
    let mut candidates = Vec::new();
    let mut budget = MAX_ENTRIES;
    for r in roots {
        walk(r, 0, &mut budget, &mut candidates);
    }
    candidates.sort();
    let mut graph: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for main in candidates {
        let text = match host.overlay.get(&main.to_string_lossy()) {
            Some(t) => t.to_string(),
            None => read_small(&main).unwrap_or_default(),
        };
        if !has_include(&text) {
            continue;
        }
        let loaded = super::analysis::load_only(&main, host);
        for inc in &loaded.includes {
            let p = PathBuf::from(&inc.path);
            graph.entry(p).or_default().push(main.clone());
        }
    }
    graph
}

fn read_small(path: &Path) -> Option<String> {
    crate::input::read_config_bytes(path, MAX_CANDIDATE_BYTES)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn walk(dir: &Path, depth: usize, budget: &mut usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        // Symlinked directories are not followed (no cycles).
        if kind.is_dir() {
            let skip = name.starts_with('.') || matches!(&*name, "target" | "node_modules");
            if !skip && depth < MAX_DEPTH {
                walk(&path, depth + 1, budget, out);
            }
        } else if name.ends_with(".conf") || name.ends_with(".ini") {
            out.push(path);
        }
    }
}
