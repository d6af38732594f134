//! Where conformance cases come from: the fixture directories, the shared
//! corpus, their `case.env` / `corpus.env` and `host_node_name` files, and
//! the `SUPC_CONFORMANCE_FILTER` selection.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

const DEFAULT_HOST_NODE_NAME: &str = "testhost";

/// supervisord's own behaviour, or `--portable` (no host lookups).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mode {
    Normal,
    Portable,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Normal => "normal",
            Mode::Portable => "portable",
        })
    }
}

/// One config to check, with the inputs both parties get.
pub(crate) struct Case {
    /// `fixtures/<dir>` or `corpus/<dir>`: what the filter and reports use.
    pub(crate) label: String,
    pub(crate) dir: PathBuf,
    /// The config path handed to both parties, relative to `dir`.
    pub(crate) config: String,
    /// Variables on top of the fixed HOME and PATH, in file order.
    pub(crate) env: Vec<(String, String)>,
    pub(crate) host_node_name: String,
    /// The case's `pythonpath/` directory, if any: plugin modules that the
    /// oracle may import, standing for packages installed on the host.
    /// supc never imports Python, so only the oracle gets it.
    pub(crate) pythonpath: Option<PathBuf>,
}

pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixture_cases() -> Vec<Case> {
    let root = repo_root().join("fixtures").join("conformance");
    make_dangling_symlink(&root.join("001-missing-config-dangling-symlink"));
    let cases: Vec<Case> = case_dirs(&root)
        .into_iter()
        .map(|dir| fixture_case(&dir))
        .collect();
    assert!(
        !cases.is_empty(),
        "no conformance cases in {}",
        root.display()
    );
    cases
}

/// A dangling symlink cannot be committed and packaged (`cargo package`
/// refuses it), so the case's `supervisord.conf -> no-such-target.conf` is
/// made here; the case directory's `.gitignore` keeps it out of git.
fn make_dangling_symlink(case_dir: &Path) {
    let link = case_dir.join("supervisord.conf");
    match std::os::unix::fs::symlink("no-such-target.conf", &link) {
        // Both modes' tests make it; the second finds it there.
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            panic!("cannot make {}: {e}", link.display())
        }
        _ => {}
    }
}

fn fixture_case(dir: &Path) -> Case {
    // Only its presence is required: a case may test a dangling symlink or a
    // directory standing where the config should be.
    let conf = dir.join("supervisord.conf");
    assert!(
        fs::symlink_metadata(&conf).is_ok(),
        "{} is missing",
        conf.display()
    );
    let env_file = dir.join("case.env");
    let host_file = dir.join("host_node_name");
    Case {
        label: format!("fixtures/{}", dir_name(dir)),
        dir: dir.to_path_buf(),
        config: "supervisord.conf".into(),
        env: if env_file.exists() {
            read_env_file(&env_file)
        } else {
            Vec::new()
        },
        host_node_name: if host_file.exists() {
            read_host_node_name(&host_file)
        } else {
            DEFAULT_HOST_NODE_NAME.to_string()
        },
        pythonpath: plugin_dir(dir),
    }
}

/// The corpus cases, or None when there is no corpus to test.
pub(crate) fn corpus_cases() -> Option<Vec<Case>> {
    let chosen = std::env::var_os("SUPC_CORPUS_DIR").filter(|dir| !dir.is_empty());
    let (root, explicit) = match chosen {
        Some(dir) => (PathBuf::from(dir), true),
        None => (repo_root().join("../shared/corpus/cases"), false),
    };
    if !root.is_dir() {
        // An explicitly requested corpus that is not there is an error.
        assert!(
            !explicit,
            "SUPC_CORPUS_DIR={} is not a directory",
            root.display()
        );
        println!("note: no corpus at {}, corpus set skipped", root.display());
        return None;
    }
    let env_file = root.join("corpus.env");
    let env = if env_file.exists() {
        read_env_file(&env_file)
    } else {
        println!(
            "note: {} not found, corpus runs without it",
            env_file.display()
        );
        Vec::new()
    };
    let cases = case_dirs(&root)
        .into_iter()
        .filter(|dir| fs::symlink_metadata(dir.join("supervisord.conf")).is_ok())
        .map(|dir| Case {
            label: format!("corpus/{}", dir_name(&dir)),
            config: "supervisord.conf".into(),
            env: env.clone(),
            pythonpath: plugin_dir(&dir),
            dir,
            host_node_name: DEFAULT_HOST_NODE_NAME.to_string(),
        })
        .collect();
    Some(cases)
}

fn plugin_dir(case_dir: &Path) -> Option<PathBuf> {
    Some(case_dir.join("pythonpath")).filter(|dir| dir.is_dir())
}

/// Sub-directories of `root`, sorted, hidden ones left out.
fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let entries =
        fs::read_dir(root).unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()));
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir() && !dir_name(path).starts_with('.'))
        .collect();
    dirs.sort();
    dirs
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `KEY=VALUE` lines; blank lines and `#` comments are skipped. The value is
/// everything after the first `=`, untrimmed.
fn read_env_file(path: &Path) -> Vec<(String, String)> {
    let text = read_text(path);
    let mut pairs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}:{}: expected KEY=VALUE", path.display(), number + 1));
        // Keys go on an `env` command line (see `supc_command`).
        assert!(
            !key.is_empty() && !key.starts_with('-') && !key.contains('\0'),
            "{}:{}: bad variable name {key:?}",
            path.display(),
            number + 1
        );
        pairs.push((key.to_string(), value.to_string()));
    }
    pairs
}

fn read_host_node_name(path: &Path) -> String {
    let text = read_text(path);
    let mut lines = text.lines();
    let name = lines.next().unwrap_or("").to_string();
    assert!(
        lines.next().is_none(),
        "{} must hold a single line",
        path.display()
    );
    name
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Keeps the cases selected by `SUPC_CONFORMANCE_FILTER`.
pub(crate) fn filtered(cases: Vec<Case>) -> Vec<Case> {
    match std::env::var("SUPC_CONFORMANCE_FILTER") {
        Ok(needle) if !needle.is_empty() => cases
            .into_iter()
            .filter(|case| case.label.contains(&needle))
            .collect(),
        _ => cases,
    }
}
