//! Paths as findings show them: relative to the current directory when
//! the file lies under it, the same in every format, so one file is never
//! reported under two names (an include is found by its absolute path, the
//! file named on the command line by a relative one).

use std::path::{Component, Path, PathBuf};

/// `path` lexically normalised (`.` dropped, `a/..` folded).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How `path` is shown to someone working in `cwd`.
pub fn display(path: &str, cwd: &Path) -> String {
    let p = Path::new(path);
    let abs = normalise(&if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    });
    match abs.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => abs.to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_under_cwd_absolute_elsewhere() {
        let cwd = Path::new("/repo");
        assert_eq!(display("/repo/conf.d/a.conf", cwd), "conf.d/a.conf");
        assert_eq!(display("./conf.d/a.conf", cwd), "conf.d/a.conf");
        assert_eq!(display("conf.d/../b.conf", cwd), "b.conf");
        assert_eq!(
            display("/etc/supervisord.conf", cwd),
            "/etc/supervisord.conf"
        );
        assert_eq!(display("../x.conf", cwd), "/x.conf");
    }
}
