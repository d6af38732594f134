//! The fix loop for one config as `supc check` reads it: each pass lints
//! the texts edited so far (through the [`Host`]'s overlay, so nothing is
//! written while the loop runs) and reports the fixes found in every file
//! of the config, `[include]`d files among them.

use super::Level;
use super::engine::{self, Analysis, FileState, Outcome};
use crate::diagnostic::{Diagnostic, Fix};
use crate::host::Host;
use crate::lint::{LintContext, Settings, lint};
use crate::load::Loaded;
use crate::resolve::Resolution;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `supc check` reports for one config: supervisord's diagnostics,
/// then the selected rules' findings, with the fixes of supervisord's own
/// errors attached.
pub fn diagnostics(
    loaded: &Loaded,
    resolution: &Resolution,
    host: &Host,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diags = resolution.diagnostics.clone();
    if loaded.main.is_some() {
        let cx = LintContext::new(loaded, resolution, host);
        diags.extend(lint(&cx, settings));
    }
    super::core::attach(&mut diags, &loaded.sources);
    diags
}

/// Whether a file's text can be written back as it was read: a regular
/// file on disk whose bytes are the text (not a YAML spec, not text from
/// an editor's overlay, not decoded from invalid UTF-8).
fn editable(path: &Path, text: &str, edited: &BTreeMap<PathBuf, String>) -> bool {
    if crate::yaml::is_yaml_path(&path.to_string_lossy()) {
        return false;
    }
    if let Some(ours) = edited.get(path) {
        return ours == text;
    }
    crate::input::read_config_bytes(path, crate::limits::MAX_FILE_BYTES)
        .is_ok_and(|bytes| bytes == text.as_bytes())
}

/// The name a diff uses: as the user gave it for the main file, relative
/// to the working directory for an included file below it (`patch -p0`
/// ignores absolute names), else absolute.
fn display_name(path: &Path, name: &str, cwd: &str) -> String {
    if !Path::new(name).is_absolute() {
        return name.to_string();
    }
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => name.to_string(),
    }
}

/// One pass: the config read with `edited` in place of those files.
fn analyze(
    path: &str,
    host: &Host,
    settings: &Settings,
    snippet: bool,
    edited: &BTreeMap<PathBuf, String>,
) -> Analysis {
    let mut host = host.clone();
    for (p, text) in edited {
        host.overlay
            .insert(p.to_string_lossy().into_owned(), text.as_str());
    }
    let (loaded, resolution) = crate::analyze(path, &host, snippet);
    let fixes: Vec<Fix> = diagnostics(&loaded, &resolution, &host, settings)
        .into_iter()
        .filter_map(|d| d.fix)
        .collect();
    let files = loaded
        .sources
        .files()
        .map(|(id, f)| FileState {
            id,
            path: f.path.clone(),
            name: display_name(&f.path, &f.name, &host.cwd),
            text: f.text.to_string(),
            editable: editable(&f.path, &f.text, edited),
        })
        .collect();
    Analysis { files, fixes }
}

/// Runs the fix loop on the config at `path` (relative to `host.cwd`).
/// Nothing is written: the caller writes [`Outcome::changed`] (`--fix`) or
/// shows it (`--diff`).
pub fn fix_config(
    path: &str,
    host: &Host,
    settings: &Settings,
    snippet: bool,
    level: Level,
) -> Outcome {
    engine::run(level, |edited| {
        analyze(path, host, settings, snippet, edited)
    })
}

/// Writes every changed file (atomically, keeping its mode).
pub fn write(outcome: &Outcome) -> std::io::Result<()> {
    for c in &outcome.changed {
        super::write::replace_file(&c.path, &c.after)?;
    }
    Ok(())
}

/// The unified diff of every changed file, under the names the user gave
/// (so `patch -p0` run where supc ran applies it).
pub fn diff(outcome: &Outcome) -> String {
    outcome
        .changed
        .iter()
        .map(|c| super::diff::unified(&c.name, &c.before, &c.after))
        .collect()
}
