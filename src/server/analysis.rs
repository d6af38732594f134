//! One run of the `supc check` pipeline for the server: load, resolve and
//! lint a root config with the editor's unsaved buffers in place of the
//! files on disk, keeping the loaded config and model for the other
//! features (hover, inlay hints, navigation).

use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::lint::{LintContext, Settings, lint};
use crate::load::Loaded;
use crate::resolve::Resolution;
use std::path::{Path, PathBuf};

/// What one check of a root config found.
#[derive(Debug)]
pub struct Analysis {
    /// The file checked: the document itself, or the main config that
    /// includes it.
    pub root: PathBuf,
    pub loaded: Loaded,
    pub resolution: Resolution,
    /// Load, resolve and lint findings, as `supc check` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// A problem with the settings file, to tell the user once.
    pub settings_error: Option<String>,
    /// `%(host_node_name)s` of the check (for explanations).
    pub host_node_name: String,
}

impl Analysis {
    /// Whether the file at `path` took part in this check.
    pub fn reads(&self, path: &Path) -> bool {
        self.loaded.sources.files().any(|(_, f)| f.path == path)
    }
}

/// Checks `root` as `supc check` does, reading open buffers (the host's
/// overlay) instead of the disk.
pub fn analyze(root: &Path, snippet: bool, host: &Host) -> Analysis {
    let path = root.to_string_lossy().into_owned();
    let (loaded, resolution) = crate::analyze(&path, host, snippet);
    let (settings, settings_error) = settings_for(root, host);
    let mut diagnostics = resolution.diagnostics.clone();
    if loaded.main.is_some() {
        let cx = LintContext::new(&loaded, &resolution, host);
        diagnostics.extend(lint(&cx, &settings));
    }
    // The fixes supervisord's own errors get (`Warning` → `warn`).
    crate::fix::core::attach(&mut diagnostics, &loaded.sources);
    Analysis {
        root: root.to_path_buf(),
        loaded,
        resolution,
        diagnostics,
        settings_error,
        host_node_name: host.node_name.clone(),
    }
}

/// The nearest `.supc.yaml` above `root` (an open buffer of it wins).
fn settings_for(root: &Path, host: &Host) -> (Settings, Option<String>) {
    let Some(path) = Settings::find(root) else {
        return (Settings::default(), None);
    };
    let parsed = host
        .read_config_text(&path.to_string_lossy())
        .map_err(|e| e.to_string())
        .and_then(|t| Settings::from_yaml(&t));
    match parsed {
        Ok(s) => (s, None),
        Err(e) => (
            Settings::default(),
            Some(format!("{}: {e}", path.display())),
        ),
    }
}

/// Loads `main` and its includes without resolving (for the include graph).
pub fn load_only(main: &Path, host: &Host) -> Loaded {
    crate::load::load(&main.to_string_lossy(), host, false)
}
