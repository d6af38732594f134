//! Spawning: the command split and looked up as supervisord does
//! (`Subprocess.get_execv_args`, `check_execv_args`; docs/semantics.md §9), pipes, and
//! the fork/exec of `_spawn_as_child`.
//!
//! The child, between `fork` and `execve`: default signal handlers (with
//! SIGPIPE and SIGXFSZ ignored, as a Python parent leaves them), an empty
//! signal mask, its own process group (`setpgrp`), the pipes on 0/1/2 and
//! every other descriptor closed, `user=` applied (setgroups, setgid,
//! setuid), then `prctl(PR_SET_PDEATHSIG, SIGKILL)` so it dies with the
//! runner even when the runner is killed with SIGKILL (set after setuid,
//! which clears it; if the runner is already gone the child exits), then
//! `chdir(directory)`, `umask`, `execve`. Failures are written to the
//! child's stderr with supervisord's wording and the child exits 127.
//! The runner is single-threaded, so the child may allocate.

use crate::python::repr::repr;
use nix::libc;
use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};

/// Why a command cannot be spawned (supervisor's `ProcessException`s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecError {
    /// `BadCommand`: can't parse, empty.
    BadCommand(String),
    /// `NotFound`.
    NotFound(String),
    /// `NotExecutable`: a directory, no x bit.
    NotExecutable(String),
    /// `NoPermission`.
    NoPermission(String),
}

impl ExecError {
    pub fn message(&self) -> &str {
        match self {
            ExecError::BadCommand(m)
            | ExecError::NotFound(m)
            | ExecError::NotExecutable(m)
            | ExecError::NoPermission(m) => m,
        }
    }
}

/// `os.environ["PATH"]` split, or supervisor's default.
fn default_path(runner_env: &[(String, String)]) -> Vec<String> {
    match runner_env.iter().rev().find(|(k, _)| k == "PATH") {
        Some((_, p)) if !p.is_empty() => p.split(':').map(str::to_string).collect(),
        _ => vec!["/bin".into(), "/usr/bin".into(), "/usr/local/bin".into()],
    }
}

/// `get_execv_args`: the file to execute and the argv.
pub fn execv_args(
    command: &str,
    environment: &crate::model::Environment,
    runner_env: &[(String, String)],
) -> Result<(String, Vec<String>), ExecError> {
    let argv = crate::python::shlex::split_command(command).map_err(|e| {
        ExecError::BadCommand(format!("can't parse command {}: {}", repr(command), e))
    })?;
    let Some(program) = argv.first() else {
        return Err(ExecError::BadCommand("command is empty".into()));
    };
    let (filename, st) = if program.contains('/') {
        (program.clone(), std::fs::metadata(program).ok())
    } else {
        let path: Vec<String> = match environment.get("PATH") {
            Some(p) => p.split(':').map(str::to_string).collect(),
            None => default_path(runner_env),
        };
        let mut found = None;
        for dir in &path {
            let candidate = crate::python::path::join(dir, program);
            if let Ok(st) = std::fs::metadata(&candidate) {
                found = Some((candidate, st));
                break;
            }
        }
        match found {
            Some((f, st)) => (f, Some(st)),
            None => (program.clone(), None),
        }
    };
    check_execv_args(&filename, st)?;
    Ok((filename, argv))
}

fn check_execv_args(filename: &str, st: Option<std::fs::Metadata>) -> Result<(), ExecError> {
    use std::os::unix::fs::PermissionsExt;
    let Some(st) = st else {
        return Err(ExecError::NotFound(format!(
            "can't find command {}",
            repr(filename)
        )));
    };
    if st.is_dir() {
        return Err(ExecError::NotExecutable(format!(
            "command at {} is a directory",
            repr(filename)
        )));
    }
    if st.permissions().mode() & 0o111 == 0 {
        return Err(ExecError::NotExecutable(format!(
            "command at {} is not executable",
            repr(filename)
        )));
    }
    let ok = CString::new(filename)
        // SAFETY: access(2) reads the NUL-terminated path we own.
        .map(|c| unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0)
        .unwrap_or(false);
    if !ok {
        return Err(ExecError::NoPermission(format!(
            "no permission to run command {}",
            repr(filename)
        )));
    }
    Ok(())
}

/// What `user=` asks of the child (`drop_privileges`), decided before the
/// fork.
#[derive(Clone, Debug)]
pub enum Privileges {
    /// No `user=`, or already that user.
    Keep,
    Drop {
        uid: u32,
        gid: u32,
        groups: Vec<u32>,
    },
    /// supervisord's message (`Can't drop privilege as nonroot user`, ...).
    Fail(String),
}

/// Every group listing `user` as a member (`grp.getgrall()`).
fn supplementary_groups(user: &str) -> Vec<u32> {
    let mut out = Vec::new();
    // SAFETY: single-threaded use of the getgrent iteration.
    unsafe {
        libc::setgrent();
        loop {
            let g = libc::getgrent();
            if g.is_null() {
                break;
            }
            let mut mem = (*g).gr_mem;
            while !mem.is_null() && !(*mem).is_null() {
                if std::ffi::CStr::from_ptr(*mem).to_bytes() == user.as_bytes() {
                    out.push((*g).gr_gid);
                    break;
                }
                mem = mem.add(1);
            }
        }
        libc::endgrent();
    }
    out
}

/// `drop_privileges(uid)`, up to the point where the child acts.
pub fn privileges(uid: Option<u32>) -> Privileges {
    let Some(uid) = uid else {
        return Privileges::Keep;
    };
    let Ok(Some(user)) = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) else {
        return Privileges::Fail(format!("Can't find uid {uid}"));
    };
    let current = nix::unistd::getuid().as_raw();
    if current == uid {
        return Privileges::Keep;
    }
    if current != 0 {
        return Privileges::Fail("Can't drop privilege as nonroot user".into());
    }
    let gid = user.gid.as_raw();
    let mut groups = vec![gid];
    groups.extend(supplementary_groups(&user.name));
    Privileges::Drop { uid, gid, groups }
}

/// The pipes of one child: parent ends non-blocking, all close-on-exec.
pub struct Pipes {
    pub stdin: OwnedFd,
    pub stdout: OwnedFd,
    pub stderr: Option<OwnedFd>,
    pub child_stdin: OwnedFd,
    pub child_stdout: OwnedFd,
    pub child_stderr: Option<OwnedFd>,
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(std::io::Error::from)
}

fn set_nonblocking(fd: &OwnedFd) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// `make_pipes(stderr)`.
pub fn make_pipes(stderr: bool) -> std::io::Result<Pipes> {
    let (child_stdin, stdin) = pipe()?;
    let (stdout, child_stdout) = pipe()?;
    let (err_r, err_w) = if stderr {
        let (r, w) = pipe()?;
        (Some(r), Some(w))
    } else {
        (None, None)
    };
    set_nonblocking(&stdin);
    set_nonblocking(&stdout);
    if let Some(r) = &err_r {
        set_nonblocking(r);
    }
    Ok(Pipes {
        stdin,
        stdout,
        stderr: err_r,
        child_stdin,
        child_stdout,
        child_stderr: err_w,
    })
}

/// Everything the child needs, prepared before the fork.
pub struct ExecPlan {
    pub filename: String,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub directory: Option<String>,
    pub umask: Option<u32>,
    pub uid: Option<u32>,
    pub privileges: Privileges,
}

/// A C string, or the message Python's `ValueError` gives.
fn cstr(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| "embedded null byte".to_string())
}

fn errno_name(e: i32) -> String {
    let name = format!("{:?}", nix::errno::Errno::from_raw(e));
    if name == "UnknownErrno" {
        e.to_string()
    } else {
        name
    }
}

fn write_stderr(msg: &str) {
    let b = msg.as_bytes();
    // SAFETY: writing a buffer we own to fd 2.
    unsafe {
        libc::write(2, b.as_ptr().cast(), b.len());
    }
}

/// Signals the runner handles; the child puts them back to default.
pub const HANDLED_SIGNALS: [i32; 6] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGHUP,
    libc::SIGCHLD,
    libc::SIGUSR2,
];

/// Forks and executes; returns the child's pid, or the fork's errno.
/// `stdin`: a descriptor for fd 0 instead of the stdin pipe (the FastCGI
/// socket).
pub fn fork_exec(
    plan: &ExecPlan,
    pipes: &Pipes,
    stdin: Option<i32>,
    parent: i32,
) -> Result<i32, i32> {
    // Prepare what can fail before the fork.
    let filename = cstr(&plan.filename);
    let argv: Result<Vec<CString>, String> = plan.argv.iter().map(|a| cstr(a)).collect();
    let envp: Result<Vec<CString>, String> = plan
        .env
        .iter()
        .map(|(k, v)| cstr(&format!("{k}={v}")))
        .collect();
    let cwd = plan.directory.as_deref().map(cstr);
    let argv_ptrs: Vec<*const libc::c_char> = match &argv {
        Ok(a) => a
            .iter()
            .map(|c| c.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect(),
        Err(_) => vec![std::ptr::null()],
    };
    let envp_ptrs: Vec<*const libc::c_char> = match &envp {
        Ok(a) => a
            .iter()
            .map(|c| c.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect(),
        Err(_) => vec![std::ptr::null()],
    };
    let stdin = stdin.unwrap_or(pipes.child_stdin.as_raw_fd());
    let stdout = pipes.child_stdout.as_raw_fd();
    let stderr = pipes
        .child_stderr
        .as_ref()
        .map_or(stdout, |f| f.as_raw_fd());

    // Block signals across the fork so no handler runs in the child.
    // SAFETY: sigset_t is plain data; all zeroes is a valid (empty) set.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: plain libc calls on sigsets we own; fork in a
    // single-threaded process.
    let pid = unsafe {
        libc::sigfillset(&mut all);
        libc::sigprocmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::fork();
        if pid != 0 {
            let err = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
            libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            if pid < 0 {
                return Err(err);
            }
            pid
        } else {
            0
        }
    };
    if pid > 0 {
        return Ok(pid);
    }

    // Child.
    // SAFETY: we are the only thread of the child; every call below is a
    // plain system call (or formats a message on the way to _exit).
    unsafe {
        for sig in HANDLED_SIGNALS {
            libc::signal(sig, libc::SIG_DFL);
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        libc::setpgid(0, 0);
        libc::dup2(stdin, 0);
        libc::dup2(stdout, 1);
        libc::dup2(stderr, 2);
        if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) != 0 {
            for fd in 3..1024 {
                libc::close(fd);
            }
        }
        child_body(
            plan, &filename, &argv, &envp, cwd, &argv_ptrs, &envp_ptrs, parent,
        );
        write_stderr("supervisor: child process was not spawned\n");
        libc::_exit(127);
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "everything the child uses after fork is prepared before it and passed in as built"
)]
unsafe fn child_body(
    plan: &ExecPlan,
    filename: &Result<CString, String>,
    argv: &Result<Vec<CString>, String>,
    envp: &Result<Vec<CString>, String>,
    cwd: Option<Result<CString, String>>,
    argv_ptrs: &[*const libc::c_char],
    envp_ptrs: &[*const libc::c_char],
    parent: i32,
) {
    // SAFETY: the caller is the freshly forked, single-threaded child;
    // every call is a plain system call on data prepared before the fork,
    // and the pointer arrays are NUL-terminated and outlive the exec.
    unsafe {
        match &plan.privileges {
            Privileges::Keep => {}
            Privileges::Fail(msg) => {
                let uid = plan.uid.map_or("None".to_string(), |u| u.to_string());
                write_stderr(&format!("supervisor: couldn't setuid to {uid}: {msg}\n"));
                return;
            }
            Privileges::Drop { uid, gid, groups } => {
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0 {
                    let uid = plan.uid.unwrap_or(*uid);
                    write_stderr(&format!(
                        "supervisor: couldn't setuid to {uid}: Could not set groups of effective user\n"
                    ));
                    return;
                }
                if libc::setgid(*gid) != 0 {
                    write_stderr(&format!(
                        "supervisor: couldn't setuid to {uid}: Could not set group id of effective user\n"
                    ));
                    return;
                }
                if libc::setuid(*uid) != 0 {
                    return;
                }
            }
        }
        // Die with the runner (cleared by setuid, hence here).
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        );
        if libc::getppid() != parent {
            libc::_exit(127);
        }
        if let Some(cwd) = cwd {
            let dir = plan.directory.as_deref().unwrap_or("");
            let rc = match &cwd {
                Ok(c) => libc::chdir(c.as_ptr()),
                Err(_) => {
                    *libc::__errno_location() = libc::EINVAL;
                    -1
                }
            };
            if rc != 0 {
                let e = *libc::__errno_location();
                write_stderr(&format!(
                    "supervisor: couldn't chdir to {dir}: {}\n",
                    errno_name(e)
                ));
                return;
            }
        }
        if let Some(mask) = plan.umask {
            libc::umask(mask as libc::mode_t);
        }
        let argv0 = plan.argv.first().map_or("", String::as_str);
        let (Ok(f), Ok(_), Ok(_)) = (filename, argv, envp) else {
            write_stderr(&format!(
                "supervisor: couldn't exec {}: <class 'ValueError'>, embedded null byte\n",
                plan.filename
            ));
            return;
        };
        libc::execve(f.as_ptr(), argv_ptrs.as_ptr(), envp_ptrs.as_ptr());
        let e = *libc::__errno_location();
        write_stderr(&format!(
            "supervisor: couldn't exec {argv0}: {}\n",
            errno_name(e)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lookup_messages() {
        let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
        assert_eq!(
            execv_args("", &crate::model::Environment::default(), &env).unwrap_err(),
            ExecError::BadCommand("command is empty".into())
        );
        assert_eq!(
            execv_args("'a", &crate::model::Environment::default(), &env).unwrap_err(),
            ExecError::BadCommand("can't parse command \"'a\": No closing quotation".into())
        );
        assert_eq!(
            execv_args(
                "no-such-cmd-xyz",
                &crate::model::Environment::default(),
                &env
            )
            .unwrap_err(),
            ExecError::NotFound("can't find command 'no-such-cmd-xyz'".into())
        );
        assert_eq!(
            execv_args("/tmp", &crate::model::Environment::default(), &env).unwrap_err(),
            ExecError::NotExecutable("command at '/tmp' is a directory".into())
        );
        let (f, argv) = execv_args(
            "sh -c 'echo hi'",
            &crate::model::Environment::default(),
            &env,
        )
        .unwrap();
        assert!(f.ends_with("/sh"));
        assert_eq!(argv, vec!["sh", "-c", "echo hi"]);
    }
}
