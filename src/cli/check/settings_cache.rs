//! `.supc.yaml` for each checked file: the nearest one at or above its
//! directory ([`Settings::find`]), with every directory asked once per run
//! and every settings file read and parsed once, however many directories
//! share it (a repository's one `.supc.yaml` serves all its configs).

use crate::lint::Settings;
use crate::report::paths;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Default)]
pub struct SettingsCache {
    /// The nearest `.supc.yaml` at or above each directory asked.
    nearest: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Each settings file, parsed (or why not).
    loaded: Mutex<HashMap<PathBuf, Result<Settings, String>>>,
}

impl SettingsCache {
    /// The settings for files in `dir` (an absolute directory).
    pub fn for_dir(&self, dir: &Path) -> Result<Settings, String> {
        let Some(file) = self.nearest(dir) else {
            return Ok(Settings::default());
        };
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        loaded
            .entry(file.clone())
            .or_insert_with(|| load_settings(&file))
            .clone()
    }

    fn nearest(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.lock_nearest().get(dir) {
            return known.clone();
        }
        let here = dir.join(".supc.yaml");
        let found = if here.is_file() {
            Some(here)
        } else {
            dir.parent().and_then(|up| self.nearest(up))
        };
        self.lock_nearest().insert(dir.to_path_buf(), found.clone());
        found
    }

    fn lock_nearest(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<PathBuf>>> {
        self.nearest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads and parses one settings file; an error names it as the user sees it.
pub fn load_settings(path: &Path) -> Result<Settings, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = paths::display(&path.to_string_lossy(), &cwd);
    let text = crate::input::read_text(path, crate::limits::MAX_FILE_BYTES)
        .map_err(|e| format!("{shown}: {e}"))?;
    Settings::from_yaml(&text).map_err(|e| format!("{shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_file_serves_every_directory_below_it() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(root.path().join("c")).unwrap();
        std::fs::write(root.path().join("a/.supc.yaml"), "ignore: [unknown-key]\n").unwrap();
        let cache = SettingsCache::default();
        let file = Some(root.path().join("a/.supc.yaml"));
        assert_eq!(cache.nearest(&deep), file);
        assert_eq!(cache.nearest(&root.path().join("a")), file);
        assert_ne!(cache.nearest(&root.path().join("c")), file);
        assert!(
            !cache
                .for_dir(&deep)
                .unwrap()
                .enabled(crate::codes::Code::lookup("unknown-key").unwrap())
        );
        assert_eq!(cache.loaded.lock().unwrap().len(), 1);
    }
}
