//! supervisord's `main`: the startup (uid, rlimits, logger, auto child
//! log cleanup, process groups, HTTP servers, pidfile), the event loop,
//! the cleanup, and again from the start after a restart (SIGHUP or
//! `supervisorctl reload`) with the config read anew, as supervisord's
//! `while 1: options.realize(); go(options)` does. A config that no
//! longer reads at a restart ends the runner with supervisord's usage
//! error (exit 2).

use super::events::GlobalSerial;
use super::http::Servers;
use super::log::{self, LogFile, Logger};
use super::rpc_interface::Api;
use super::supervisor::{RunOptions, Supervisor, set_signals};
use crate::model::Config;
use nix::libc;
use std::os::fd::OwnedFd;

/// Why the runner could not run (the CLI prints `Error: MESSAGE`, and for
/// a config error supervisord's `For help, use ... -h` line; exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The config file no longer reads (at a restart).
    #[error("{0}")]
    Config(String),
    /// Startup failed: uid, rlimits, log file, HTTP servers, signals.
    #[error("{0}")]
    Startup(String),
}

/// How one pass of `main` ended.
enum Pass {
    Exit(i32),
    Restart,
}

/// What carries over from one pass to the next.
struct Carry {
    first: bool,
    serial: GlobalSerial,
}

/// Runs the config until the runner is told to exit; returns the exit
/// code.
pub fn run(config: Config, opts: RunOptions) -> Result<i32, RunError> {
    let sigpipe = set_signals(std::process::id() == 1)
        .map_err(|e| RunError::Startup(format!("cannot set up signal handling: {e}")))?;
    let mut carry = Carry {
        first: true,
        serial: GlobalSerial::default(),
    };
    let mut config = config;
    loop {
        match run_pass(config.clone(), &opts, &sigpipe, &mut carry)? {
            Pass::Exit(code) => return Ok(code),
            Pass::Restart => {
                config = reread(&opts, &config)?;
                carry.first = false;
            }
        }
    }
}

/// `options.realize` again: the config file as it is now.
fn reread(opts: &RunOptions, old: &Config) -> Result<Config, RunError> {
    let host = crate::diff::reread_host(&opts.host, old);
    let (_, res) = crate::analyze(&opts.config_path, &host, opts.snippet);
    res.config.clone().ok_or_else(|| {
        RunError::Config(
            res.first_error()
                .map_or_else(|| "unknown error".to_string(), |d| d.message.clone()),
        )
    })
}

/// `make_logger`: the main log file (or syslog) and the console.
fn make_logger(config: &Config, opts: &RunOptions) -> Result<Logger, RunError> {
    let s = &config.supervisord;
    let console = log::Console {
        color: opts.color,
        quiet: opts.quiet,
        silent: s.silent,
        width: 0,
    };
    let (file, syslog) = if s.logfile == "syslog" {
        (None, true)
    } else {
        let f = LogFile::open(
            &s.logfile,
            s.logfile_maxbytes.to_i64().unwrap_or(i64::MAX),
            s.logfile_backups.to_i64().unwrap_or(i64::MAX),
        )
        .map_err(|e| {
            RunError::Startup(format!("could not open the log file {}: {e}", s.logfile))
        })?;
        (Some(f), false)
    };
    Ok(Logger {
        level: log::level_by_description(&s.loglevel),
        console,
        file,
        syslog,
    })
}

/// `set_uid_or_exit` (the uid is dropped once; later passes only repeat
/// the message) and, on the first pass, `set_rlimits_or_exit`.
fn privileges(
    config: &Config,
    first: bool,
    criticals: &mut Vec<String>,
    infos: &mut Vec<String>,
) -> Result<(), RunError> {
    match config.supervisord.uid {
        Some(crate::model::Id::Known(uid)) => {
            if first {
                drop_runner_privileges(uid).map_err(RunError::Startup)?;
            }
            infos.push(format!("Set uid to user {uid} succeeded"));
        }
        _ => {
            if nix::unistd::getuid().is_root() {
                criticals.push("Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.".to_string());
            }
        }
    }
    if first {
        set_rlimits(config, infos).map_err(RunError::Startup)?;
    }
    Ok(())
}

/// One pass of supervisord's `main` + `run`.
fn run_pass(
    config: Config,
    opts: &RunOptions,
    sigpipe: &OwnedFd,
    carry: &mut Carry,
) -> Result<Pass, RunError> {
    let s = config.supervisord.clone();
    let mut criticals = Vec::new();
    let mut infos = Vec::new();
    privileges(&config, carry.first, &mut criticals, &mut infos)?;
    let logger = make_logger(&config, opts)?;
    let parse_warnings = config.parse_warnings.clone();
    let parse_infos = config.parse_infos.clone();
    let mut sup = Supervisor::new(config, opts.clone(), logger);
    sup.serial = std::mem::take(&mut carry.serial);
    for m in &criticals {
        sup.ctx.logger.critical(m);
    }
    for m in &parse_warnings {
        sup.ctx.logger.warn(m);
    }
    for m in parse_infos.iter().chain(&infos) {
        sup.ctx.logger.info(m);
    }
    if !s.nocleanup {
        for w in log::clear_auto_child_logs(&s.childlogdir, &s.identifier) {
            sup.ctx.logger.warn(&w);
        }
    }
    let groups = sup.config.groups.clone();
    for g in &groups {
        sup.add_process_group(g).map_err(RunError::Startup)?;
    }
    drop(groups);
    // Growing by doubling left up to half the map unused.
    sup.groups.shrink_to_fit();
    let api = Api::from_config(&sup.config);
    let mut servers = Servers::open(&sup.config, &api.namespaces, &mut sup.ctx.logger)
        .map_err(RunError::Startup)?;
    let pid = std::process::id();
    let wrote_pidfile = match std::fs::write(&s.pidfile, format!("{pid}\n")) {
        Ok(()) => {
            sup.ctx
                .logger
                .info(&format!("supervisord started with pid {pid}"));
            true
        }
        Err(_) => {
            sup.ctx
                .logger
                .critical(&format!("could not write pidfile {}", s.pidfile));
            false
        }
    };

    super::event_loop::run(&mut sup, &api, sigpipe, &mut servers);

    servers.cleanup();
    if wrote_pidfile {
        let _ = std::fs::remove_file(&s.pidfile);
    }
    // Anything still around (nothing should be) is reaped.
    sup.reap();
    carry.serial = std::mem::take(&mut sup.serial);
    if sup.ctx.mood == super::process::Mood::Restarting && sup.exit_code.is_none() {
        return Ok(Pass::Restart);
    }
    Ok(Pass::Exit(sup.exit_code.unwrap_or(0)))
}

/// `set_rlimits_or_exit`: raises the soft limits to minfds/minprocs.
fn set_rlimits(config: &Config, infos: &mut Vec<String>) -> Result<(), String> {
    let s = &config.supervisord;
    let limits = [
        (
            libc::RLIMIT_NOFILE,
            "RLIMIT_NOFILE",
            &s.minfds,
            "The minimum number of file descriptors required to run this process is %(min_limit)s as per the \"minfds\" command-line argument or config file setting. The current environment will only allow you to open %(hard)s file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.",
        ),
        (
            libc::RLIMIT_NPROC,
            "RLIMIT_NPROC",
            &s.minprocs,
            "The minimum number of available processes required to run this program is %(min_limit)s as per the \"minprocs\" command-line argument or config file setting. The current environment will only allow you to open %(hard)s processes.  Either raise the number of usable processes in your environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.",
        ),
    ];
    for (res, name, min, msg) in limits {
        let Some(min) = min.to_i64() else { continue };
        let mut rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit into a struct we own.
        if unsafe { libc::getrlimit(res, &mut rl) } != 0 {
            continue;
        }
        let soft = rl.rlim_cur;
        let mut hard = rl.rlim_max;
        let min_u = min.max(0) as libc::rlim_t;
        if soft != libc::RLIM_INFINITY && soft < min_u {
            if hard != libc::RLIM_INFINITY && hard < min_u {
                hard = min_u;
            }
            let new = libc::rlimit {
                rlim_cur: min_u,
                rlim_max: hard,
            };
            // SAFETY: setrlimit with a struct we own.
            if unsafe { libc::setrlimit(res, &new) } == 0 {
                infos.push(format!("Increased {name} limit to {min}"));
            } else {
                return Err(msg
                    .replace("%(min_limit)s", &min.to_string())
                    .replace("%(hard)s", &hard.to_string()));
            }
        }
    }
    Ok(())
}

/// `drop_privileges` for the runner itself (`[supervisord] user`).
fn drop_runner_privileges(uid: u32) -> Result<(), String> {
    match super::spawn::privileges(Some(uid)) {
        super::spawn::Privileges::Keep => Ok(()),
        super::spawn::Privileges::Fail(m) => Err(m),
        super::spawn::Privileges::Drop { uid, gid, groups } => {
            let groups: Vec<nix::unistd::Gid> =
                groups.into_iter().map(nix::unistd::Gid::from_raw).collect();
            nix::unistd::setgroups(&groups)
                .map_err(|_| "Could not set groups of effective user".to_string())?;
            nix::unistd::setgid(nix::unistd::Gid::from_raw(gid))
                .map_err(|_| "Could not set group id of effective user".to_string())?;
            nix::unistd::setuid(nix::unistd::Uid::from_raw(uid))
                .map_err(|e| format!("Could not set user id: {e}"))?;
            Ok(())
        }
    }
}
