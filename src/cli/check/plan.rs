//! `supc check`'s flags validated once into a [`Plan`]: rule names known,
//! exclude globs compiled, the format and colour decided. A mistake here is
//! a usage error (exit 2) before any file is read.

use super::args::{CheckArgs, Color, Format};
use crate::diagnostic::Severity;
use crate::discover::detect::Mode;
use crate::discover::{DEFAULT_EXCLUDES, Excludes, WalkOptions};
use crate::lint::Settings;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub struct Plan {
    pub paths: Vec<PathBuf>,
    pub walk: WalkOptions,
    pub mode: Option<Mode>,
    pub as_path: Option<PathBuf>,
    pub stdin_filename: Option<PathBuf>,
    pub format: Format,
    pub color: bool,
    pub cwd: PathBuf,
    /// `--config FILE`, read and checked.
    pub settings_file: Option<Settings>,
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
}

pub fn plan(args: &CheckArgs) -> Result<Plan, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
    // `/dev/stdin` is standard input too: read once, as `-` (opened as a
    // path it would be a pipe, which is no regular file).
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| {
            if p == Path::new("/dev/stdin") || p == Path::new("/dev/fd/0") {
                PathBuf::from("-")
            } else {
                p.clone()
            }
        })
        .collect();
    let stdin = paths.iter().any(|p| p == Path::new("-"));
    if stdin && paths.len() > 1 {
        return Err("`-` (standard input) must be the only path".into());
    }
    if args.stdin_filename.is_some() && !stdin {
        return Err("--stdin-filename names standard input: give `-` as the path".into());
    }
    if args.as_path.is_some() && (paths.len() != 1 || paths[0].is_dir()) {
        return Err("--as checks one file: give exactly one file (or `-`)".into());
    }
    if let Some(p) = paths.iter().find(|p| p.as_os_str().is_empty()) {
        return Err(format!("empty path {p:?}"));
    }
    for list in [&args.select, &args.extend_select, &args.ignore] {
        crate::lint::settings::check_names(list)?;
    }
    let found = args.config.clone().or_else(|| Settings::find(&cwd));
    let base = found
        .as_deref()
        .map_or_else(|| cwd.clone(), |p| parent(p, &cwd));
    let base_settings = match &found {
        Some(p) => super::settings_cache::load_settings(p)?,
        None => Settings::default(),
    };
    let settings_file = args.config.is_some().then(|| base_settings.clone());
    let walk = WalkOptions {
        excludes: excludes(args, &base_settings, &base)?,
        force_exclude: args.force_exclude,
        vcs_ignore: !args.no_ignore,
    };
    let format = args.format.unwrap_or(
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        },
    );
    Ok(Plan {
        paths,
        walk,
        mode: args.mode.forced(),
        as_path: args.as_path.clone(),
        stdin_filename: args.stdin_filename.clone(),
        format,
        color: color(args),
        cwd,
        settings_file,
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(Severity::from),
    })
}

fn parent(file: &Path, cwd: &Path) -> PathBuf {
    let abs = cwd.join(file);
    abs.parent()
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
}

/// `--exclude` replaces the settings' `exclude`, which replaces the
/// defaults; both `extend-exclude` lists add to the result.
fn excludes(args: &CheckArgs, settings: &Settings, base: &Path) -> Result<Excludes, String> {
    let mut globs: Vec<String> = if !args.exclude.is_empty() {
        args.exclude.clone()
    } else if let Some(e) = &settings.exclude {
        e.clone()
    } else {
        DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect()
    };
    globs.extend(settings.extend_exclude.iter().cloned());
    globs.extend(args.extend_exclude.iter().cloned());
    Excludes::new(base, &globs)
}

/// Colour on a terminal unless `NO_COLOR` is set; `--color` decides
/// otherwise. A report written to a file is never coloured under auto.
fn color(args: &CheckArgs) -> bool {
    match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output_file.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
