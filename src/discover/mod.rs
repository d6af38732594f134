//! Which files `supc check` looks at: paths named on the command line, and
//! directories walked the way ripgrep walks them (the `ignore` crate).
//!
//! Input: the paths and [`Excludes`]. Output: [`Found`]: candidate files in
//! a stable order, with the entries that could not be read and the ones
//! skipped (and why). A walk asks nothing of a file beyond its directory
//! entry: the reader tells one file reached twice (a symlink, a hard link,
//! a path named twice) by the [`FileKey`] of what it opened. The walk never follows
//! a directory symlink (a cycle would never end and a linked tree would be
//! reported twice), honours `.gitignore`/`.ignore`, and hands on only
//! regular files, so a FIFO or a device in a tree cannot block the check.
//! Whether a file looks like a supervisord config is decided later, from
//! the bytes read once ([`detect`]).

pub mod detect;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::{Path, PathBuf};

/// Directory names never walked unless `--exclude` replaces the list.
pub const DEFAULT_EXCLUDES: &[&str] = &["node_modules", "__pycache__", "venv"];

/// File names a directory walk considers.
fn is_config_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "conf" || e == "ini")
}

/// `--exclude`/`--extend-exclude` globs, gitignore syntax, anchored at a
/// base directory (where `.supc.yaml` is, else the current directory).
#[derive(Clone, Debug)]
pub struct Excludes {
    matcher: Gitignore,
    base: PathBuf,
}

impl Excludes {
    pub fn new(base: &Path, globs: &[String]) -> Result<Excludes, String> {
        let mut b = GitignoreBuilder::new(base);
        for g in globs {
            b.add_line(None, g)
                .map_err(|e| format!("invalid exclude glob {g:?}: {e}"))?;
        }
        let matcher = b.build().map_err(|e| e.to_string())?;
        Ok(Excludes {
            matcher,
            base: base.to_path_buf(),
        })
    }

    /// Whether the path, or a directory above it, is excluded.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = match abs.strip_prefix(&self.base) {
            Ok(r) => r.to_path_buf(),
            // Outside the base: match the globs against its components.
            Err(_) => abs.components().skip(1).collect(),
        };
        if rel.as_os_str().is_empty() {
            return false;
        }
        self.matcher
            .matched_path_or_any_parents(&rel, is_dir)
            .is_ignore()
    }
}

/// A file to read.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// As named or as the walk reached it (for messages).
    pub path: PathBuf,
    /// Named on the command line: checked whatever it looks like (and
    /// asked what it is before it is opened; a walk hands on only regular
    /// files).
    pub explicit: bool,
}

/// A file's identity: its device and inode (one `stat`, where resolving
/// the canonical path reads every link on the way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileKey {
    dev: u64,
    ino: u64,
}

impl FileKey {
    /// The identity of the file at `path` (symlinks followed).
    pub fn of(path: &Path) -> Option<FileKey> {
        std::fs::metadata(path)
            .ok()
            .map(|m| FileKey::from_metadata(&m))
    }

    /// The identity of the file `m` describes.
    pub fn from_metadata(m: &std::fs::Metadata) -> FileKey {
        use std::os::unix::fs::MetadataExt;
        FileKey {
            dev: m.dev(),
            ino: m.ino(),
        }
    }
}

/// An entry the walk could not read.
#[derive(Clone, Debug)]
pub struct Unreadable {
    pub path: PathBuf,
    pub reason: String,
}

/// Why a file was not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// No section header supervisord reads.
    NotSupervisord,
    /// Matched an exclude glob (`--force-exclude` on a named path).
    Excluded,
    /// A FIFO, device or socket met in a walk.
    NotRegular,
}

impl SkipReason {
    pub fn text(self) -> &'static str {
        match self {
            SkipReason::NotSupervisord => "no section header supervisord reads",
            SkipReason::Excluded => "excluded",
            SkipReason::NotRegular => "not a regular file",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    pub candidates: Vec<Candidate>,
    pub unreadable: Vec<Unreadable>,
    pub skipped: Vec<Skipped>,
}

/// How to walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    pub excludes: Excludes,
    /// Apply the excludes (and the supervisord detection) to named paths.
    pub force_exclude: bool,
    /// Honour `.gitignore`, `.ignore` and git's exclude files.
    pub vcs_ignore: bool,
}

/// Finds the files to check under `paths`.
pub fn find(paths: &[PathBuf], opts: &WalkOptions) -> Found {
    let mut found = Found::default();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_dir(p, opts, &mut found),
            Ok(_) if opts.force_exclude && opts.excludes.excludes(p, false) => {
                found.skipped.push(Skipped {
                    path: p.clone(),
                    reason: SkipReason::Excluded,
                });
            }
            // A named file: even a FIFO goes on, to be refused by the
            // reader with a clear error.
            Ok(_) => found.candidates.push(Candidate {
                path: p.clone(),
                explicit: true,
            }),
            Err(e) => found.unreadable.push(Unreadable {
                path: p.clone(),
                reason: io_reason(&e),
            }),
        }
    }
    found
}

/// Walks `root` on every core (a walk is mostly `stat`s and directory
/// reads, which the threads overlap), then puts what it found in path
/// order: the order of a depth-first walk with sorted siblings, the same
/// on every run.
fn walk_dir(root: &Path, opts: &WalkOptions, found: &mut Found) {
    let excludes = opts.excludes.clone();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(false)
        .git_ignore(opts.vcs_ignore)
        .git_global(opts.vcs_ignore)
        .git_exclude(opts.vcs_ignore)
        .ignore(opts.vcs_ignore)
        .parents(opts.vcs_ignore)
        .require_git(false)
        .threads(crate::parallel::cores())
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            e.depth() == 0 || !excludes.excludes(e.path(), is_dir)
        })
        .build_parallel();
    let here = std::sync::Mutex::new(Found::default());
    walker.run(|| {
        Box::new(|entry| {
            let mut here = here.lock().unwrap_or_else(|e| e.into_inner());
            match entry {
                Ok(e) => visit(e, &mut here),
                Err(err) => here.unreadable.push(unreadable(err, root)),
            }
            ignore::WalkState::Continue
        })
    });
    let mut here = here.into_inner().unwrap_or_else(|e| e.into_inner());
    here.candidates.sort_by(|a, b| a.path.cmp(&b.path));
    here.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    here.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    found.candidates.append(&mut here.candidates);
    found.unreadable.append(&mut here.unreadable);
    found.skipped.append(&mut here.skipped);
}

fn visit(e: ignore::DirEntry, found: &mut Found) {
    let Some(ft) = e.file_type() else { return };
    if ft.is_dir() || !is_config_name(e.path()) {
        return;
    }
    // A symlink to a file is read through; one to a directory is not
    // walked (the walker does not follow it) and is not a file either.
    let regular = if ft.is_symlink() {
        match std::fs::metadata(e.path()) {
            Ok(m) if m.is_dir() => return,
            Ok(m) => m.is_file(),
            Err(err) => {
                found.unreadable.push(Unreadable {
                    path: e.path().to_path_buf(),
                    reason: io_reason(&err),
                });
                return;
            }
        }
    } else {
        ft.is_file()
    };
    // `./a.conf` from a walk of `.` is shown as `a.conf`.
    let path = e.path().strip_prefix(".").unwrap_or(e.path());
    if regular {
        found.candidates.push(Candidate {
            path: path.to_path_buf(),
            explicit: false,
        });
    } else {
        found.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: SkipReason::NotRegular,
        });
    }
}

/// The entry an `ignore` error is about, and why.
fn unreadable(err: ignore::Error, root: &Path) -> Unreadable {
    let mut path = None;
    let mut cur = &err;
    loop {
        match cur {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                cur = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                cur = err
            }
            _ => break,
        }
    }
    let reason = match cur {
        ignore::Error::Io(e) => io_reason(e),
        other => other.to_string(),
    };
    Unreadable {
        path: path.unwrap_or_else(|| root.to_path_buf()),
        reason,
    }
}

/// An I/O error as a short reason, without the OS error number.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parallel walk gives the order of a depth-first walk with sorted
    /// siblings (the order `names` lists them in), on every run.
    #[test]
    fn a_walk_is_in_path_order() {
        let root = tempfile::tempdir().unwrap();
        let names = [
            "a.conf",
            "b/a.conf",
            "b/c/z.ini",
            "b/d.conf",
            "b.conf",
            "c/x.conf",
            "c0.ini",
        ];
        for n in names {
            let p = root.path().join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let opts = WalkOptions {
            excludes: Excludes::new(root.path(), &[]).unwrap(),
            force_exclude: false,
            vcs_ignore: true,
        };
        for _ in 0..5 {
            let found = find(&[root.path().to_path_buf()], &opts);
            let got: Vec<String> = found
                .candidates
                .iter()
                .map(|c| {
                    c.path
                        .strip_prefix(root.path())
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect();
            assert_eq!(got, names);
        }
    }

    #[test]
    fn excludes_match_names_anywhere_and_anchored_paths() {
        let base = Path::new("/repo");
        let ex = Excludes::new(base, &["nginx".into(), "/docker/*.ini".into()]).unwrap();
        assert!(ex.excludes(Path::new("/repo/a/nginx/x.conf"), false));
        assert!(ex.excludes(Path::new("/repo/docker/php.ini"), false));
        assert!(!ex.excludes(Path::new("/repo/sub/docker/php.ini"), false));
        assert!(!ex.excludes(Path::new("/repo/supervisord.conf"), false));
        assert!(!ex.excludes(Path::new("/repo"), true));
    }
}
