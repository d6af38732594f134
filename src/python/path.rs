//! `posixpath` functions with CPython's exact results.

/// `os.path.isabs`.
pub fn isabs(p: &str) -> bool {
    p.starts_with('/')
}

/// `os.path.join(a, b)`.
pub fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_string()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

/// `os.path.split`.
pub fn split(p: &str) -> (&str, &str) {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = p.split_at(i);
    if !head.is_empty() && head.bytes().any(|b| b != b'/') {
        (head.trim_end_matches('/'), tail)
    } else {
        (head, tail)
    }
}

/// `os.path.dirname`.
pub fn dirname(p: &str) -> &str {
    split(p).0
}

/// `os.path.normpath`.
pub fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let initial = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in p.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if initial.is_empty() {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let joined = format!("{initial}{}", parts.join("/"));
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// `os.path.abspath`, against the given current directory.
pub fn abspath(p: &str, cwd: &str) -> String {
    if isabs(p) {
        normpath(p)
    } else {
        normpath(&join(cwd, p))
    }
}

/// How `~name` is resolved: a host lookup, or (portable mode) not at all.
pub trait HomeLookup {
    /// `HOME` (or the running user's home when unset).
    fn own_home(&self) -> Option<String>;
    /// The home directory of a named user, or `None` (unknown user).
    fn user_home(&self, name: &str) -> Option<String>;
}

/// `os.path.expanduser`.
pub fn expanduser(p: &str, homes: &dyn HomeLookup) -> String {
    if !p.starts_with('~') {
        return p.to_string();
    }
    let i = p[1..].find('/').map_or(p.len(), |i| i + 1);
    let home = if i == 1 {
        homes.own_home()
    } else {
        homes.user_home(&p[1..i])
    };
    let Some(home) = home else {
        return p.to_string();
    };
    let joined = format!("{}{}", home.trim_end_matches('/'), &p[i..]);
    if joined.is_empty() {
        "/".into()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("/a/../a//b.sock"), "/a/b.sock");
        assert_eq!(normpath("//x/./y/"), "//x/y");
        assert_eq!(normpath("///x"), "/x");
        assert_eq!(normpath("../a/.."), "..");
        assert_eq!(normpath("/.."), "/");
        assert_eq!(normpath("a/./"), "a");
    }

    #[test]
    fn split_and_join() {
        assert_eq!(dirname("/a/b"), "/a");
        assert_eq!(dirname("/a"), "/");
        assert_eq!(dirname("a"), "");
        assert_eq!(dirname("a//b"), "a");
        assert_eq!(dirname("//b"), "//");
        assert_eq!(join("/x", "y"), "/x/y");
        assert_eq!(join("/x/", "/y"), "/y");
        assert_eq!(abspath("a/../b", "/cwd"), "/cwd/b");
    }

    struct Homes;
    impl HomeLookup for Homes {
        fn own_home(&self) -> Option<String> {
            Some("/home/me/".into())
        }
        fn user_home(&self, name: &str) -> Option<String> {
            (name == "root").then(|| "/root".into())
        }
    }

    #[test]
    fn expanduser_like_python() {
        assert_eq!(expanduser("~/x", &Homes), "/home/me/x");
        assert_eq!(expanduser("~", &Homes), "/home/me");
        assert_eq!(expanduser("~root/y", &Homes), "/root/y");
        assert_eq!(expanduser("~nobody/y", &Homes), "~nobody/y");
        assert_eq!(expanduser("x~", &Homes), "x~");
    }
}
