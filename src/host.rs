//! What supervisord asks the machine, in one place.
//!
//! In the default mode supc asks the local machine, as supervisord does when
//! it starts. In portable mode (`--portable`) every question that depends on
//! the target host (directories, users, groups, importable plugins) gets the
//! answer the oracle's portable mode gives, so a config can be checked on a
//! CI machine that is not its host; nor are file modes asked then. The
//! environment, the host name and the current directory are inputs, so
//! tests can pin them.

use crate::python::path::HomeLookup;
use nix::unistd::{Gid, Group, Uid, User};

/// Inputs that come from outside the config file.
#[derive(Clone, Debug)]
pub struct Host {
    /// supervisord's environment, in `os.environ` order.
    pub env: Vec<(String, String)>,
    /// `platform.node()`.
    pub node_name: String,
    /// supervisord's working directory.
    pub cwd: String,
    pub portable: bool,
    /// Texts that stand in for files (editor buffers, stdin, `--as`).
    pub overlay: crate::input::Overlay,
}

/// `%(host_node_name)s` of a portable host unless `--host-node-name` gives
/// one: the machine a portable config will run on is not this one.
pub const PORTABLE_NODE_NAME: &str = "localhost";

/// A passwd entry.
#[derive(Clone, Debug)]
pub struct UserInfo {
    pub uid: u32,
    pub gid: u32,
}

impl Host {
    /// The current process's environment, host name and directory. A
    /// portable host reads neither the environment (it starts empty) nor
    /// the machine's name ([`PORTABLE_NODE_NAME`]): only the directory, so
    /// that a check gives the same answer on every CI runner and names
    /// none of its variables.
    pub fn from_process(portable: bool) -> Self {
        let env = if portable {
            Vec::new()
        } else {
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect()
        };
        let node_name = if portable {
            PORTABLE_NODE_NAME.to_string()
        } else {
            nix::sys::utsname::uname()
                .ok()
                .and_then(|u| u.nodename().to_str().map(str::to_string))
                .unwrap_or_default()
        };
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
            .unwrap_or_else(|| "/".into());
        Host {
            env,
            node_name,
            cwd,
            portable,
            overlay: crate::input::Overlay::default(),
        }
    }

    /// The bytes of the config file at `abs_path`: the overlay's text, or
    /// the regular file on disk (see [`crate::input`]).
    pub fn read_config(&self, abs_path: &str) -> Result<Vec<u8>, crate::input::ReadError> {
        match self.overlay.get(abs_path) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => crate::input::read_config_bytes(
                std::path::Path::new(abs_path),
                crate::limits::MAX_FILE_BYTES,
            ),
        }
    }

    /// [`Host::read_config`] as text (invalid UTF-8 is an error).
    pub fn read_config_text(&self, abs_path: &str) -> Result<String, crate::input::ReadError> {
        match self.overlay.get(abs_path) {
            Some(text) => Ok(text.to_string()),
            None => crate::input::read_text(
                std::path::Path::new(abs_path),
                crate::limits::MAX_FILE_BYTES,
            ),
        }
    }

    /// Whether a config file is there to read (in the overlay or on disk,
    /// symlinks followed).
    pub fn config_exists(&self, abs_path: &str) -> bool {
        self.overlay.get(abs_path).is_some() || std::path::Path::new(abs_path).exists()
    }

    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets or overrides a variable; a new one goes last (dict semantics).
    pub fn set_env(&mut self, key: &str, value: &str) {
        match self.env.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.env.push((key.to_string(), value.to_string())),
        }
    }

    /// `os.path.isdir` (always the real filesystem; `''` is not a directory).
    pub fn is_dir(&self, path: &str) -> bool {
        if path.is_empty() {
            return false;
        }
        let full = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{}/{path}", self.cwd)
        };
        std::fs::metadata(full).is_ok_and(|m| m.is_dir())
    }

    /// A file's permission bits; `None` in portable mode (a checkout's
    /// modes come from its umask, not from the target host) or when the
    /// file cannot be asked.
    pub fn file_mode(&self, path: &std::path::Path) -> Option<u32> {
        use std::os::unix::fs::PermissionsExt;
        if self.portable {
            return None;
        }
        Some(std::fs::metadata(path).ok()?.permissions().mode() & 0o7777)
    }

    pub fn user_by_name(&self, name: &str) -> Option<UserInfo> {
        if name.contains('\0') {
            return None;
        }
        User::from_name(name).ok().flatten().map(|u| UserInfo {
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
        })
    }

    pub fn user_by_uid(&self, uid: u32) -> Option<UserInfo> {
        User::from_uid(Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|u| UserInfo {
                uid: u.uid.as_raw(),
                gid: u.gid.as_raw(),
            })
    }

    pub fn group_by_name(&self, name: &str) -> Option<u32> {
        if name.contains('\0') {
            return None;
        }
        Group::from_name(name)
            .ok()
            .flatten()
            .map(|g| g.gid.as_raw())
    }

    pub fn group_exists(&self, gid: u32) -> bool {
        Group::from_gid(Gid::from_raw(gid)).ok().flatten().is_some()
    }

    pub fn getuid(&self) -> u32 {
        Uid::current().as_raw()
    }

    /// Python's `tempfile.gettempdir()` candidates, as the oracle picks:
    /// the first that exists (portable: the first).
    pub fn tempdir(&self) -> String {
        let mut candidates: Vec<String> = ["TMPDIR", "TEMP", "TMP"]
            .iter()
            .filter_map(|k| self.env_var(k))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        candidates.extend(["/tmp", "/var/tmp", "/usr/tmp"].map(String::from));
        for c in &candidates {
            if self.portable || self.is_dir(c) {
                return crate::python::path::abspath(c, &self.cwd);
            }
        }
        self.cwd.clone()
    }
}

impl HomeLookup for Host {
    fn own_home(&self) -> Option<String> {
        match self.env_var("HOME") {
            Some(h) => Some(h.to_string()),
            // Portable: not this machine's passwd entry; `~` stays as
            // Python leaves it for a user it cannot find.
            None if self.portable => None,
            None => User::from_uid(Uid::current())
                .ok()
                .flatten()
                .and_then(|u| u.dir.to_str().map(str::to_string)),
        }
    }

    fn user_home(&self, name: &str) -> Option<String> {
        if self.portable || name.contains('\0') {
            return None;
        }
        User::from_name(name)
            .ok()
            .flatten()
            .and_then(|u| u.dir.to_str().map(str::to_string))
    }
}
