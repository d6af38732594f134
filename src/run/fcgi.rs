//! The shared listening socket of an `[fcgi-program:x]` group
//! (`SocketManager`): created when the first process needs it, passed to
//! every child as its fd 0, closed when the last process is reaped;
//! supervisord logs `Creating socket URL` / `Closing socket URL` each time.

use crate::model::{FcgiSocket, Id};
use nix::libc;
use std::os::fd::{AsRawFd, OwnedFd};

pub struct SocketManager {
    config: FcgiSocket,
    socket: Option<OwnedFd>,
    refs: usize,
}

fn id(i: Id) -> u32 {
    match i {
        Id::Known(u) => u,
        _ => u32::MAX,
    }
}

impl SocketManager {
    pub fn new(config: FcgiSocket) -> SocketManager {
        SocketManager {
            config,
            socket: None,
            refs: 0,
        }
    }

    pub fn url(&self) -> &str {
        match &self.config {
            FcgiSocket::Unix { url, .. } | FcgiSocket::Inet { url, .. } => url,
        }
    }

    /// `create_and_bind` + `listen`.
    fn create(&self) -> Result<OwnedFd, String> {
        let backlog = match &self.config {
            FcgiSocket::Unix { backlog, .. } | FcgiSocket::Inet { backlog, .. } => backlog
                .as_ref()
                .and_then(|b| b.to_i64())
                .map_or(libc::SOMAXCONN, |b| b as i32),
        };
        let fd: OwnedFd = match &self.config {
            FcgiSocket::Unix {
                path, mode, owner, ..
            } => {
                if std::path::Path::new(path).exists() {
                    let _ = std::fs::remove_file(path);
                }
                let l = std::os::unix::net::UnixListener::bind(path)
                    .map_err(|e| format!("[Errno {}] {e}", e.raw_os_error().unwrap_or(0)))?;
                let cleanup = |msg: String| {
                    let _ = std::fs::remove_file(path);
                    msg
                };
                if let Some((u, g)) = owner {
                    let c = std::ffi::CString::new(path.as_str()).map_err(|e| e.to_string())?;
                    // SAFETY: chown(2) on the socket we just bound.
                    if unsafe { libc::chown(c.as_ptr(), id(*u), id(*g)) } != 0 {
                        let e = std::io::Error::last_os_error();
                        return Err(cleanup(format!(
                            "Could not change ownership of socket file: {e}"
                        )));
                    }
                }
                let mode = mode.to_i64().unwrap_or(0o700) as u32 & 0o7777;
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(
                    |e| cleanup(format!("Could not change permissions of socket file: {e}")),
                )?;
                l.into()
            }
            FcgiSocket::Inet { host, port, .. } => {
                let port = port.to_i64().unwrap_or(0) as u16;
                std::net::TcpListener::bind((host.as_str(), port))
                    .map_err(|e| format!("[Errno {}] {e}", e.raw_os_error().unwrap_or(0)))?
                    .into()
            }
        };
        // SAFETY: listen(2) again sets the configured backlog.
        unsafe {
            libc::listen(fd.as_raw_fd(), backlog);
        }
        Ok(fd)
    }

    /// `get_socket`: the descriptor, creating the socket if needed.
    pub fn acquire(&mut self, logger: &mut super::log::Logger) -> Result<i32, String> {
        if self.refs == 0 || self.socket.is_none() {
            logger.info(&format!("Creating socket {}", self.url()));
            self.socket = Some(self.create()?);
        }
        self.refs += 1;
        Ok(self.socket.as_ref().map_or(-1, |s| s.as_raw_fd()))
    }

    /// Drops one reference; the last one closes the socket.
    pub fn release(&mut self, logger: &mut super::log::Logger) {
        if self.refs == 0 {
            return;
        }
        self.refs -= 1;
        if self.refs == 0 {
            logger.info(&format!("Closing socket {}", self.url()));
            self.socket = None;
        }
    }
}
