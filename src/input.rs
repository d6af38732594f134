//! Reading config files from the outside world, safely.
//!
//! supervisord opens whatever a path or an `[include]` glob names. A FIFO
//! then blocks it forever and `/dev/zero` fills memory. supc reads only
//! regular files: anything else is refused before it is opened for reading
//! (and checked again on the open file, in case the path was swapped), and
//! the size bound is enforced while reading, not trusted from `stat`.
//!
//! [`Overlay`] holds texts that stand in for files: an editor's unsaved
//! buffers, standard input, or a file checked `--as` another path. The
//! loader asks [`crate::host::Host::read_config`], which looks there first.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Why a config file could not be read.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    IsDirectory,
    /// A FIFO, socket or device: `kind` names it.
    NotRegular {
        kind: &'static str,
    },
    /// More than `limit` bytes.
    TooLarge {
        limit: u64,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file"),
            ReadError::IsDirectory => f.write_str("is a directory"),
            ReadError::NotRegular { kind } => {
                write!(
                    f,
                    "is a {kind}, not a regular file (supc reads only regular files)"
                )
            }
            ReadError::TooLarge { limit } => {
                write!(f, "is larger than {limit} bytes, the most supc reads")
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// What kind of file `meta` describes, for messages.
fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("directory")
    } else if t.is_fifo() {
        Some("FIFO")
    } else if t.is_socket() {
        Some("socket")
    } else if t.is_char_device() {
        Some("character device")
    } else if t.is_block_device() {
        Some("block device")
    } else {
        Some("special file")
    }
}

fn check(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    match kind_of(meta) {
        None => Ok(()),
        Some("directory") => Err(ReadError::IsDirectory),
        Some(kind) => Err(ReadError::NotRegular { kind }),
    }
}

fn io(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    }
}

/// The size of the regular file at `path` (symlinks followed), or why it
/// is not one. Nothing is opened.
pub fn regular_file_len(path: &Path) -> Result<u64, ReadError> {
    let meta = std::fs::metadata(path).map_err(io)?;
    check(&meta)?;
    Ok(meta.len())
}

/// The bytes of the regular file at `path`, at most `limit` of them.
/// Anything else is refused before it is opened (opening some devices has
/// effects of its own).
pub fn read_config_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    regular_file_len(path)?;
    read_regular(path, limit).map(|(bytes, _)| bytes)
}

/// [`read_config_bytes`] as UTF-8 text (anything else is an error): for
/// every file a user names that is not a config (`.supc.yaml`, `--config`,
/// `--env-file`, a spec, an inventory), so that none of them can hang on
/// a FIFO or fill memory from a device.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_config_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 ({e})"),
        ))
    })
}

/// [`read_config_bytes`] for a path the caller has just found to be a
/// regular file (a directory walk's entry): no second `stat` before the
/// open; what was opened is still checked, and its metadata returned.
pub fn read_regular(path: &Path, limit: u64) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: should the path have become a FIFO since the stat, the
    // open returns at once and the check below refuses it.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(open_flags())
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    check(&meta)?;
    // Room for the whole file and the end-of-file probe: one read for the
    // text and one that returns nothing, where growing from empty takes
    // several.
    let expected = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok((bytes, meta))
}

/// Open without waiting for a FIFO's writer or taking a terminal.
fn open_flags() -> i32 {
    (nix::fcntl::OFlag::O_NONBLOCK | nix::fcntl::OFlag::O_NOCTTY).bits()
}

/// Texts that stand in for files, by absolute path.
#[derive(Clone, Debug, Default)]
pub struct Overlay(Arc<HashMap<String, Arc<str>>>);

impl Overlay {
    /// Puts `text` in place of the file at `abs_path` (an absolute path).
    pub fn insert(&mut self, abs_path: impl Into<String>, text: impl Into<Arc<str>>) {
        Arc::make_mut(&mut self.0).insert(abs_path.into(), text.into());
    }

    pub fn get(&self, abs_path: &str) -> Option<&Arc<str>> {
        self.0.get(abs_path)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.conf");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let e = read_config_bytes(&fifo, 100).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular { kind: "FIFO" }), "{e}");
        let e = read_config_bytes(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: "character device"
                }
            ),
            "{e}"
        );
        let e = read_config_bytes(dir.path(), 100).unwrap_err();
        assert!(matches!(e, ReadError::IsDirectory), "{e}");
        let e = read_config_bytes(&dir.path().join("missing"), 100).unwrap_err();
        assert!(matches!(e, ReadError::NotFound), "{e}");
    }

    #[test]
    fn the_limit_holds_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.conf");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_config_bytes(&f, 10).unwrap(), b"0123456789");
        let e = read_config_bytes(&f, 9).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 9 }), "{e}");
    }

    #[test]
    fn overlay_is_copy_on_write() {
        let mut a = Overlay::default();
        a.insert("/x/a.conf", "one");
        let mut b = a.clone();
        b.insert("/x/a.conf", "two");
        assert_eq!(a.get("/x/a.conf").map(|t| &**t), Some("one"));
        assert_eq!(b.get("/x/a.conf").map(|t| &**t), Some("two"));
    }
}
