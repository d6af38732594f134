//! supervisord's process state machine (`supervisor/process.py`
//! `Subprocess`): spawn, finish, transition, kill, stop, give_up, with the
//! same states, timers, counters and log lines.
//!
//! ```text
//! STOPPED ─spawn─▶ STARTING ─startsecs─▶ RUNNING ─exit─▶ EXITED ─autorestart─▶ STARTING
//!                     │ exits too quickly                     │ stop
//!                     ▼                                        ▼
//!                  BACKOFF ─delay─▶ STARTING            STOPPING ─stopwaitsecs─▶ SIGKILL
//!                     │ backoff > startretries                 │ reaped
//!                     ▼                                        ▼
//!                   FATAL                                   STOPPED
//! ```

use super::dispatch::{Channel, InputDispatcher, Origin, OutputCtx, OutputDispatcher};
use super::events::{ListenerState, Notices};
use super::fcgi::SocketManager;
use super::listener::{Listener, Who};
use super::log::{LogFile, Logger, now};
use super::spawn::{self, ExecError, ExecPlan};
use crate::model::{AutoRestart, LogFile as LogSpec, Process};
use crate::python::int::PyInt;
use indexmap::IndexMap;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcessState {
    Stopped,
    Starting,
    Running,
    Backoff,
    Stopping,
    Exited,
    Fatal,
    Unknown,
}

impl ProcessState {
    pub fn code(self) -> i64 {
        match self {
            ProcessState::Stopped => 0,
            ProcessState::Starting => 10,
            ProcessState::Running => 20,
            ProcessState::Backoff => 30,
            ProcessState::Stopping => 40,
            ProcessState::Exited => 100,
            ProcessState::Fatal => 200,
            ProcessState::Unknown => 1000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProcessState::Stopped => "STOPPED",
            ProcessState::Starting => "STARTING",
            ProcessState::Running => "RUNNING",
            ProcessState::Backoff => "BACKOFF",
            ProcessState::Stopping => "STOPPING",
            ProcessState::Exited => "EXITED",
            ProcessState::Fatal => "FATAL",
            ProcessState::Unknown => "UNKNOWN",
        }
    }

    /// `STOPPED_STATES`.
    pub fn is_stopped(self) -> bool {
        matches!(
            self,
            ProcessState::Stopped
                | ProcessState::Exited
                | ProcessState::Fatal
                | ProcessState::Unknown
        )
    }

    /// `RUNNING_STATES`.
    pub fn is_running(self) -> bool {
        matches!(
            self,
            ProcessState::Running | ProcessState::Backoff | ProcessState::Starting
        )
    }

    /// `SIGNALLABLE_STATES`.
    pub fn is_signallable(self) -> bool {
        matches!(
            self,
            ProcessState::Running | ProcessState::Starting | ProcessState::Stopping
        )
    }
}

/// supervisord's `mood` (`SupervisorStates`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mood {
    Shutdown = -1,
    Restarting = 0,
    Running = 1,
    Fatal = 2,
}

impl Mood {
    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn name(self) -> &'static str {
        match self {
            Mood::Shutdown => "SHUTDOWN",
            Mood::Restarting => "RESTARTING",
            Mood::Running => "RUNNING",
            Mood::Fatal => "FATAL",
        }
    }
}

pub use crate::model::signame;

/// `decode_wait_status`: the exit status (-1 for a signal) and the text.
pub fn decode_wait_status(sts: i32) -> (i64, String) {
    if nix::libc::WIFEXITED(sts) {
        let es = i64::from(nix::libc::WEXITSTATUS(sts) & 0xffff);
        (es, format!("exit status {es}"))
    } else if nix::libc::WIFSIGNALED(sts) {
        let sig = nix::libc::WTERMSIG(sts);
        let mut msg = format!("terminated by {}", signame(sig));
        if nix::libc::WCOREDUMP(sts) {
            msg.push_str(" (core dumped)");
        }
        (-1, msg)
    } else {
        (-1, format!("unknown termination cause 0x{sts:04x}"))
    }
}

fn sat(v: &PyInt) -> i64 {
    v.to_i64()
        .unwrap_or(if v.is_negative() { i64::MIN } else { i64::MAX })
}

fn secs(v: &PyInt) -> f64 {
    v.to_f64()
        .unwrap_or(if v.is_negative() { f64::MIN } else { f64::MAX })
}

/// The per-process settings the runner works with, from the model.
#[derive(Clone, Debug)]
pub struct ProcConf {
    /// The resolved config (compared on reread, shown by getAllConfigInfo).
    pub model: Process,
    pub startsecs: f64,
    pub startretries: i64,
    pub stopwaitsecs: f64,
    pub stopsignal: i32,
    pub exitcodes: Vec<i64>,
    pub umask: Option<u32>,
    pub uid: Option<u32>,
    /// The log files after AUTO became a real file (None: no log).
    pub stdout_logfile: Option<String>,
    pub stderr_logfile: Option<String>,
}

/// Where AUTO logs go.
pub struct AutoLogs<'a> {
    pub childlogdir: &'a str,
    pub identifier: &'a str,
}

impl ProcConf {
    /// `ProcessConfig` + `create_autochildlogs`.
    pub fn new(model: &Process, auto: &AutoLogs) -> ProcConf {
        let logfile = |spec: &LogSpec, channel: &str| match spec {
            LogSpec::Auto => {
                super::log::auto_log_name(auto.childlogdir, model.name(), channel, auto.identifier)
            }
            LogSpec::None => None,
            LogSpec::Path(p) => Some(p.to_string()),
        };
        let stdout_logfile = logfile(&model.stdout().logfile, "stdout");
        let stderr_logfile = logfile(&model.stderr().logfile, "stderr");
        ProcConf {
            startsecs: secs(&model.startsecs),
            startretries: sat(&model.startretries),
            stopwaitsecs: secs(&model.stopwaitsecs),
            stopsignal: model.stopsignal.as_raw(),
            exitcodes: model.exitcodes.iter().map(sat).collect(),
            umask: model.umask.as_ref().map(|u| (sat(u) & 0o7777) as u32),
            uid: match model.uid {
                Some(crate::model::Id::Known(u)) => Some(u),
                _ => None,
            },
            stdout_logfile,
            stderr_logfile,
            model: model.clone(),
        }
    }

    pub fn name(&self) -> &str {
        self.model.name()
    }
}

/// What every process shares with the runner.
pub struct Ctx {
    pub logger: Logger,
    pub mood: Mood,
    /// pid -> (group, process).
    pub pidhistory: HashMap<i32, (String, String)>,
    /// supervisord's own environment (`os.environ`).
    pub runner_env: Vec<(String, String)>,
    /// `[supervisord]`'s serverurl for `SUPERVISOR_SERVER_URL`.
    pub serverurl: Option<String>,
    pub strip_ansi: bool,
    pub pid: i32,
    /// Processes that exited on their own: (namespec, exit status, wait
    /// status), for `--exit-with-first`.
    pub exits: Vec<(String, i64, i32)>,
    /// Events for the listener pools.
    pub notices: Notices,
}

impl Ctx {
    /// What a pipe of process `owner` (in state `state`) needs.
    fn output(&mut self, state: ProcessState, owner: usize) -> OutputCtx<'_> {
        OutputCtx {
            logger: &mut self.logger,
            strip_ansi: self.strip_ansi,
            notices: &mut self.notices,
            state: state.name(),
            owner,
        }
    }
}

/// The pipes of a running process.
pub struct ProcIo {
    pub stdout: Option<OutputDispatcher>,
    pub stderr: Option<OutputDispatcher>,
    pub stdin: Option<InputDispatcher>,
}

/// One supervised process (`Subprocess`).
pub struct Proc {
    pub conf: ProcConf,
    pub group: String,
    pub color: usize,
    pub state: ProcessState,
    pub pid: i32,
    pub laststart: f64,
    pub laststop: f64,
    pub laststopreport: f64,
    pub delay: f64,
    pub administrative_stop: bool,
    pub system_stop: bool,
    pub killing: bool,
    pub backoff: i64,
    pub exitstatus: Option<i64>,
    pub spawnerr: Option<String>,
    pub io: Option<ProcIo>,
    /// The group's FastCGI socket, for an fcgi-program.
    pub fcgi: Option<Rc<RefCell<SocketManager>>>,
    /// Whether this process holds a reference to it.
    fcgi_held: bool,
    /// An event listener's protocol state (None for other processes).
    pub listener: Option<Listener>,
}

fn errname(code: i32) -> String {
    let name = format!("{:?}", nix::errno::Errno::from_raw(code));
    if name == "UnknownErrno" {
        code.to_string()
    } else {
        name
    }
}

impl Proc {
    pub fn new(conf: ProcConf, group: &str, color: usize) -> Proc {
        Proc {
            conf,
            group: group.to_string(),
            color,
            state: ProcessState::Stopped,
            pid: 0,
            laststart: 0.0,
            laststop: 0.0,
            laststopreport: 0.0,
            delay: 0.0,
            administrative_stop: false,
            system_stop: false,
            killing: false,
            backoff: 0,
            exitstatus: None,
            spawnerr: None,
            io: None,
            fcgi: None,
            fcgi_held: false,
            listener: None,
        }
    }

    pub fn name(&self) -> &str {
        self.conf.name()
    }

    /// `group:name`, or `name` when they are equal.
    pub fn namespec(&self) -> String {
        if self.group == self.name() {
            self.name().to_string()
        } else {
            format!("{}:{}", self.group, self.name())
        }
    }

    /// `get_execv_args`.
    pub fn execv_args(&self, ctx: &Ctx) -> Result<(String, Vec<String>), ExecError> {
        spawn::execv_args(
            self.conf.model.command(),
            &self.conf.model.environment(),
            &ctx.runner_env,
        )
    }

    /// `change_state`, with its `PROCESS_STATE_*` event.
    pub fn change_state(&mut self, ctx: &mut Ctx, new: ProcessState) -> bool {
        self.change_state_expected(ctx, new, true)
    }

    fn change_state_expected(&mut self, ctx: &mut Ctx, new: ProcessState, expected: bool) -> bool {
        let old = self.state;
        if new == old {
            return false;
        }
        self.state = new;
        if new == ProcessState::Backoff {
            self.backoff = self.backoff.saturating_add(1);
            self.delay = now() + self.backoff as f64;
        }
        let event = match new {
            ProcessState::Stopped => "PROCESS_STATE_STOPPED",
            ProcessState::Starting => "PROCESS_STATE_STARTING",
            ProcessState::Running => "PROCESS_STATE_RUNNING",
            ProcessState::Backoff => "PROCESS_STATE_BACKOFF",
            ProcessState::Stopping => "PROCESS_STATE_STOPPING",
            ProcessState::Exited => "PROCESS_STATE_EXITED",
            ProcessState::Fatal => "PROCESS_STATE_FATAL",
            ProcessState::Unknown => "PROCESS_STATE_UNKNOWN",
        };
        ctx.notices.notify(event, || {
            let mut s = format!(
                "processname:{} groupname:{} from_state:{}",
                self.name(),
                self.group,
                old.name()
            );
            match new {
                ProcessState::Starting | ProcessState::Backoff => {
                    s.push_str(&format!(" tries:{}", self.backoff));
                }
                ProcessState::Exited => {
                    s.push_str(&format!(
                        " expected:{} pid:{}",
                        i32::from(expected),
                        self.pid
                    ));
                }
                ProcessState::Running | ProcessState::Stopping | ProcessState::Stopped => {
                    s.push_str(&format!(" pid:{}", self.pid));
                }
                _ => {}
            }
            s
        });
        true
    }

    fn record_spawnerr(&mut self, ctx: &mut Ctx, msg: String) {
        ctx.logger.info(&format!("spawnerr: {msg}"));
        self.spawnerr = Some(msg);
    }

    /// The child's environment: supervisord's, the SUPERVISOR_* variables,
    /// then the program's `environment` (which includes `[supervisord]
    /// environment`).
    fn child_env(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let mut env: IndexMap<String, String> = IndexMap::new();
        for (k, v) in &ctx.runner_env {
            env.insert(k.to_string(), v.to_string());
        }
        env.insert("SUPERVISOR_ENABLED".into(), "1".into());
        let serverurl = self.conf.model.serverurl.clone().or(ctx.serverurl.clone());
        if let Some(url) = serverurl.filter(|u| !u.is_empty()) {
            env.insert("SUPERVISOR_SERVER_URL".into(), url);
        }
        env.insert("SUPERVISOR_PROCESS_NAME".into(), self.name().to_string());
        env.insert("SUPERVISOR_GROUP_NAME".into(), self.group.clone());
        for (k, v) in self.conf.model.environment().iter() {
            env.insert(k.to_string(), v.to_string());
        }
        env.into_iter().collect()
    }

    fn open_log(
        path: &Option<String>,
        maxbytes: &PyInt,
        backups: &PyInt,
    ) -> std::io::Result<Option<LogFile>> {
        match path.as_deref() {
            None | Some("") => Ok(None),
            Some(p) => LogFile::open(p, sat(maxbytes), sat(backups)).map(Some),
        }
    }

    /// `spawn`: returns the pid. An fcgi-program takes a reference to its
    /// group's socket first and gives it back when the spawn fails
    /// (`FastCGISubprocess.spawn`).
    pub fn spawn(&mut self, ctx: &mut Ctx) -> Option<i32> {
        let mut sock = None;
        if let Some(m) = self.fcgi.clone() {
            match m.borrow_mut().acquire(&mut ctx.logger) {
                Ok(fd) => {
                    sock = Some(fd);
                    self.fcgi_held = true;
                }
                Err(e) => {
                    let msg = format!(
                        "could not create the FastCGI socket {}: {e}",
                        m.borrow().url()
                    );
                    ctx.logger.critical(&msg);
                }
            }
        }
        let pid = self.spawn_inner(ctx, sock);
        if pid.is_none() {
            self.release_socket(ctx);
        }
        pid
    }

    fn release_socket(&mut self, ctx: &mut Ctx) {
        if std::mem::take(&mut self.fcgi_held)
            && let Some(m) = self.fcgi.as_ref()
        {
            m.borrow_mut().release(&mut ctx.logger);
        }
    }

    fn spawn_inner(&mut self, ctx: &mut Ctx, sock: Option<i32>) -> Option<i32> {
        let name = self.name().to_string();
        if self.fcgi.is_some() && sock.is_none() {
            self.laststart = now();
            self.change_state(ctx, ProcessState::Starting);
            self.record_spawnerr(
                ctx,
                format!("could not create the FastCGI socket for '{name}'"),
            );
            self.change_state(ctx, ProcessState::Backoff);
            return None;
        }
        if self.pid != 0 {
            ctx.logger
                .warn(&format!("process '{name}' already running"));
            return None;
        }
        self.killing = false;
        self.spawnerr = None;
        self.exitstatus = None;
        self.system_stop = false;
        self.administrative_stop = false;
        self.laststart = now();
        if !matches!(
            self.state,
            ProcessState::Exited
                | ProcessState::Fatal
                | ProcessState::Backoff
                | ProcessState::Stopped
        ) {
            ctx.logger.critical(&format!(
                "Assertion failed for {name}: {} not in EXITED FATAL BACKOFF STOPPED",
                self.state.name()
            ));
            return None;
        }
        self.change_state(ctx, ProcessState::Starting);

        let (filename, argv) = match self.execv_args(ctx) {
            Ok(x) => x,
            Err(e) => {
                self.record_spawnerr(ctx, e.message().to_string());
                self.change_state(ctx, ProcessState::Backoff);
                return None;
            }
        };

        // make_dispatchers: pipes and log files.
        let m = &self.conf.model;
        // An event listener always gets its own stderr pipe: stderr mixed
        // into stdout would break the protocol.
        let use_stderr = !m.redirect_stderr || self.listener.is_some();
        let made = spawn::make_pipes(use_stderr).and_then(|pipes| {
            let out = Self::open_log(
                &self.conf.stdout_logfile,
                &m.stdout().maxbytes,
                &m.stdout().backups,
            )?;
            let err = if !use_stderr {
                None
            } else {
                Self::open_log(
                    &self.conf.stderr_logfile,
                    &m.stderr().maxbytes,
                    &m.stderr().backups,
                )?
            };
            Ok((pipes, out, err))
        });
        let (pipes, out_log, err_log) = match made {
            Ok(x) => x,
            Err(e) => {
                let code = e.raw_os_error().unwrap_or(0);
                let msg = if code == nix::libc::EMFILE {
                    format!("too many open files to spawn '{name}'")
                } else {
                    format!(
                        "unknown error making dispatchers for '{name}': {}",
                        errname(code)
                    )
                };
                self.record_spawnerr(ctx, msg);
                self.change_state(ctx, ProcessState::Backoff);
                return None;
            }
        };

        let plan = ExecPlan {
            filename,
            argv,
            env: self.child_env(ctx),
            directory: self.conf.model.directory().map(str::to_string),
            umask: self.conf.umask,
            uid: self.conf.uid,
            privileges: spawn::privileges(self.conf.uid),
        };
        let pid = match spawn::fork_exec(&plan, &pipes, sock, ctx.pid) {
            Ok(pid) => pid,
            Err(code) => {
                let msg = if code == nix::libc::EAGAIN {
                    format!("Too many processes in process table to spawn '{name}'")
                } else {
                    format!("unknown error during fork for '{name}': {}", errname(code))
                };
                self.record_spawnerr(ctx, msg);
                self.change_state(ctx, ProcessState::Backoff);
                return None;
            }
        };

        // Parent: close the child's ends, keep ours.
        let spawn::Pipes {
            stdin,
            stdout,
            stderr,
            ..
        } = pipes;
        let m = &self.conf.model;
        let origin = || Origin {
            name: name.clone(),
            group: self.group.clone(),
            pid,
        };
        let capture = |v: &PyInt| usize::try_from(sat(v).max(0)).unwrap_or(usize::MAX);
        let out = OutputDispatcher::new(
            stdout,
            Channel::Stdout,
            out_log,
            m.stdout().syslog,
            &name,
            self.color,
        );
        let out = if self.listener.is_some() {
            out.into_listener()
        } else {
            out.with_events(
                origin(),
                m.stdout().events_enabled,
                capture(&m.stdout().capture_maxbytes),
            )
        };
        self.io = Some(ProcIo {
            stdout: Some(out),
            stderr: stderr.map(|fd| {
                OutputDispatcher::new(
                    fd,
                    Channel::Stderr,
                    err_log,
                    m.stderr().syslog,
                    &name,
                    self.color,
                )
                .with_events(
                    origin(),
                    m.stderr().events_enabled,
                    capture(&m.stderr().capture_maxbytes),
                )
            }),
            stdin: Some(InputDispatcher {
                fd: stdin,
                buffer: Vec::new(),
                // A FastCGI child's fd 0 is the socket.
                closed: sock.is_some(),
            }),
        });
        self.pid = pid;
        if self.listener.is_some() {
            self.listener = Some(Listener::new());
        }
        ctx.logger
            .info(&format!("spawned: '{name}' with pid {pid}"));
        self.spawnerr = None;
        self.delay = now() + self.conf.startsecs;
        ctx.pidhistory
            .insert(pid, (self.group.clone(), name.clone()));
        Some(pid)
    }

    /// `_check_and_adjust_for_system_clock_rollback`.
    fn adjust_clock(&mut self, t: f64) {
        match self.state {
            ProcessState::Starting => {
                if t < self.laststart {
                    self.laststart = t;
                }
                if self.delay > 0.0 && t < self.delay - self.conf.startsecs {
                    self.delay = t + self.conf.startsecs;
                }
            }
            ProcessState::Running
                if t > self.laststart && t < self.laststart + self.conf.startsecs =>
            {
                self.laststart = t - self.conf.startsecs;
            }
            ProcessState::Stopping => {
                if t < self.laststopreport {
                    self.laststopreport = t;
                }
                if self.delay > 0.0 && t < self.delay - self.conf.stopwaitsecs {
                    self.delay = t + self.conf.stopwaitsecs;
                }
            }
            ProcessState::Backoff if self.delay > 0.0 && t < self.delay - self.backoff as f64 => {
                self.delay = t + self.backoff as f64;
            }
            _ => {}
        }
    }

    /// `stop`: an administrative stop.
    pub fn stop(&mut self, ctx: &mut Ctx) -> Option<String> {
        self.administrative_stop = true;
        self.laststopreport = 0.0;
        self.kill(ctx, self.conf.stopsignal)
    }

    /// `stop_report`: "waiting for x to stop", every 2 seconds.
    pub fn stop_report(&mut self, ctx: &mut Ctx) {
        if self.state == ProcessState::Stopping {
            let t = now();
            self.adjust_clock(t);
            if t > self.laststopreport + 2.0 {
                ctx.logger
                    .info(&format!("waiting for {} to stop", self.name()));
                self.laststopreport = t;
            }
        }
    }

    /// `give_up`: BACKOFF -> FATAL.
    pub fn give_up(&mut self, ctx: &mut Ctx) {
        self.delay = 0.0;
        self.backoff = 0;
        self.system_stop = true;
        self.change_state(ctx, ProcessState::Fatal);
    }

    /// `kill`: None when the signal was sent (or the process was in
    /// BACKOFF), else the error message.
    pub fn kill(&mut self, ctx: &mut Ctx, sig: i32) -> Option<String> {
        let t = now();
        let name = self.name().to_string();
        if self.state == ProcessState::Backoff {
            ctx.logger.debug(&format!(
                "Attempted to kill {name}, which is in BACKOFF state."
            ));
            self.change_state(ctx, ProcessState::Stopped);
            return None;
        }
        if self.pid == 0 {
            let msg = format!(
                "attempted to kill {name} with sig {} but it wasn't running",
                signame(sig)
            );
            ctx.logger.debug(&msg);
            return Some(msg);
        }
        let as_group = if self.state == ProcessState::Stopping {
            self.conf.model.killasgroup
        } else {
            self.conf.model.stopasgroup
        };
        ctx.logger.debug(&format!(
            "killing {name} (pid {}) {}with signal {}",
            self.pid,
            if as_group { "process group " } else { "" },
            signame(sig)
        ));
        self.killing = true;
        self.delay = t + self.conf.stopwaitsecs;
        self.change_state(ctx, ProcessState::Stopping);
        let target = if as_group { -self.pid } else { self.pid };
        // SAFETY: kill(2) with a pid we spawned (or its group).
        let rc = unsafe { nix::libc::kill(target, sig) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(nix::libc::ESRCH) {
                ctx.logger.debug(&format!(
                    "unable to signal {name} (pid {}), it probably just exited on its own: [Errno 3] No such process",
                    self.pid
                ));
                return None;
            }
            let msg = format!("unknown problem killing {name} ({}):{err}", self.pid);
            ctx.logger.critical(&msg);
            self.change_state(ctx, ProcessState::Unknown);
            self.killing = false;
            self.delay = 0.0;
            return Some(msg);
        }
        None
    }

    /// `signal`: send a signal without intending to stop.
    pub fn signal(&mut self, ctx: &mut Ctx, sig: i32) -> Option<String> {
        let name = self.name().to_string();
        if self.pid == 0 {
            let msg = format!(
                "attempted to send {name} sig {} but it wasn't running",
                signame(sig)
            );
            ctx.logger.debug(&msg);
            return Some(msg);
        }
        ctx.logger.debug(&format!(
            "sending {name} (pid {}) sig {}",
            self.pid,
            signame(sig)
        ));
        // SAFETY: kill(2) with a pid we spawned.
        let rc = unsafe { nix::libc::kill(self.pid, sig) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(nix::libc::ESRCH) {
                ctx.logger.debug(&format!(
                    "unable to signal {name} (pid {}), it probably just now exited on its own: [Errno 3] No such process",
                    self.pid
                ));
                return None;
            }
            let msg = format!("unknown problem sending sig {name} ({}):{err}", self.pid);
            ctx.logger.critical(&msg);
            self.change_state(ctx, ProcessState::Unknown);
            return Some(msg);
        }
        None
    }

    /// Reads what the pipes hold (`drain`).
    pub fn drain(&mut self, ctx: &mut Ctx) {
        let (state, owner) = (self.state, self as *const Proc as usize);
        if let Some(io) = self.io.as_mut() {
            let mut out = ctx.output(state, owner);
            if let Some(d) = io.stdout.as_mut() {
                d.drain(&mut out);
            }
            if let Some(d) = io.stderr.as_mut() {
                d.drain(&mut out);
            }
        }
        self.feed_listener(ctx);
    }

    /// Hands what a listener wrote on stdout to its protocol state.
    fn feed_listener(&mut self, ctx: &mut Ctx) {
        let Some(l) = self.listener.as_mut() else {
            return;
        };
        let Some(data) = self
            .io
            .as_mut()
            .and_then(|io| io.stdout.as_mut())
            .and_then(|d| d.protocol.as_mut())
            .map(std::mem::take)
        else {
            return;
        };
        if data.is_empty() {
            return;
        }
        let who = Who {
            name: self.conf.name(),
            group: &self.group,
        };
        l.feed(&data, &who, &mut ctx.logger, &mut ctx.notices);
    }

    /// Whether the pool may send this process an event.
    pub fn ready_for_event(&self) -> bool {
        self.state == ProcessState::Running
            && self
                .listener
                .as_ref()
                .is_some_and(|l| l.state == ListenerState::Ready)
    }

    /// `write`: queues bytes on stdin and flushes; Err (EPIPE) when the
    /// process or its stdin is gone.
    pub fn write(&mut self, data: &[u8]) -> Result<(), ()> {
        if self.pid == 0 || self.killing {
            return Err(());
        }
        let Some(stdin) = self.io.as_mut().and_then(|io| io.stdin.as_mut()) else {
            return Err(());
        };
        if stdin.closed {
            return Err(());
        }
        stdin.buffer.extend_from_slice(data);
        stdin.flush().map_err(|_| ())
    }

    /// The stdin pipe is writable: writes what is queued.
    pub fn handle_write(&mut self, ctx: &mut Ctx) {
        let (state, owner) = (self.state, self as *const Proc as usize);
        let name = self.conf.name();
        if let Some(stdin) = self.io.as_mut().and_then(|io| io.stdin.as_mut()) {
            stdin.handle_write(&mut ctx.output(state, owner), name);
        }
    }

    /// One read on a readable pipe.
    pub fn handle_read(&mut self, ctx: &mut Ctx, fd: i32) {
        let (state, owner) = (self.state, self as *const Proc as usize);
        if let Some(io) = self.io.as_mut() {
            let mut out = ctx.output(state, owner);
            for d in [io.stdout.as_mut(), io.stderr.as_mut()]
                .into_iter()
                .flatten()
            {
                if d.raw_fd() == fd {
                    d.handle_read(&mut out);
                }
            }
        }
        self.feed_listener(ctx);
    }

    /// `finish`: the process was reaped with wait status `sts`.
    pub fn finish(&mut self, ctx: &mut Ctx, sts: i32) {
        self.drain(ctx);
        let (es, msg) = decode_wait_status(sts);
        let t = now();
        self.adjust_clock(t);
        self.laststop = t;
        let name = self.name().to_string();
        let too_quickly = if t > self.laststart {
            t - self.laststart < self.conf.startsecs
        } else {
            ctx.logger.warn(&format!(
                "process '{name}' ({}) laststart time is in the future, don't know how long process was running so assuming it did not exit too quickly",
                self.pid
            ));
            false
        };
        let exit_expected = self.conf.exitcodes.contains(&es);
        if self.killing {
            self.killing = false;
            self.delay = 0.0;
            self.exitstatus = Some(es);
            let msg = format!("stopped: {name} ({msg})");
            self.change_state(ctx, ProcessState::Stopped);
            if exit_expected {
                ctx.logger.info(&msg);
            } else {
                ctx.logger.warn(&msg);
            }
        } else if too_quickly {
            self.exitstatus = None;
            self.spawnerr = Some("Exited too quickly (process log may have details)".into());
            let msg = format!("exited: {name} ({msg}; not expected)");
            self.change_state(ctx, ProcessState::Backoff);
            ctx.logger.warn(&msg);
            ctx.exits.push((self.namespec(), es, sts));
        } else {
            self.delay = 0.0;
            self.backoff = 0;
            self.exitstatus = Some(es);
            if self.state == ProcessState::Starting {
                self.change_state(ctx, ProcessState::Running);
            }
            if exit_expected {
                let msg = format!("exited: {name} ({msg}; expected)");
                self.change_state_expected(ctx, ProcessState::Exited, true);
                ctx.logger.info(&msg);
            } else {
                self.spawnerr = Some(format!("Bad exit code {es}"));
                let msg = format!("exited: {name} ({msg}; not expected)");
                self.change_state_expected(ctx, ProcessState::Exited, false);
                ctx.logger.warn(&msg);
            }
            ctx.exits.push((self.namespec(), es, sts));
        }
        self.pid = 0;
        self.io = None;
        self.release_socket(ctx);
        // A listener that dies while busy gives its event back.
        if let Some(e) = self.listener.as_mut().and_then(|l| l.event.take()) {
            ctx.notices.reject(&self.group, e);
        }
    }

    /// `transition`: what time and the mood make happen.
    pub fn transition(&mut self, ctx: &mut Ctx) {
        let t = now();
        let state = self.state;
        self.adjust_clock(t);
        if ctx.mood > Mood::Restarting {
            match state {
                ProcessState::Exited => {
                    let restart = match self.conf.model.autorestart {
                        AutoRestart::Always => true,
                        AutoRestart::Unexpected => self
                            .exitstatus
                            .is_none_or(|es| !self.conf.exitcodes.contains(&es)),
                        AutoRestart::Never => false,
                    };
                    if restart {
                        self.spawn(ctx);
                    }
                }
                ProcessState::Stopped if self.laststart == 0.0 && self.conf.model.autostart => {
                    self.spawn(ctx);
                }
                ProcessState::Backoff
                    if self.backoff <= self.conf.startretries && t > self.delay =>
                {
                    self.spawn(ctx);
                }
                _ => {}
            }
        }
        let name = self.name().to_string();
        if state == ProcessState::Starting && t - self.laststart > self.conf.startsecs {
            self.delay = 0.0;
            self.backoff = 0;
            if self.state == ProcessState::Starting {
                self.change_state(ctx, ProcessState::Running);
                ctx.logger.info(&format!(
                    "success: {name} entered RUNNING state, process has stayed up for > than {} seconds (startsecs)",
                    self.conf.model.startsecs
                ));
            }
        }
        if state == ProcessState::Backoff {
            if self.backoff > self.conf.startretries && self.state == ProcessState::Backoff {
                self.give_up(ctx);
                ctx.logger.info(&format!(
                    "gave up: {name} entered FATAL state, too many start retries too quickly"
                ));
            }
        } else if state == ProcessState::Stopping && self.state == ProcessState::Stopping {
            let time_left = self.delay - t;
            if time_left <= 0.0 {
                ctx.logger
                    .warn(&format!("killing '{name}' ({}) with SIGKILL", self.pid));
                self.kill(ctx, nix::libc::SIGKILL);
            }
        }
    }

    /// When `transition` next has something to do (for the poll timeout).
    /// supervisord only looks once a second; the runner acts on time, so a
    /// process starts (or restarts) at once instead of up to a second later.
    pub fn next_deadline(&self, mood: Mood) -> Option<f64> {
        let active = mood > Mood::Restarting;
        match self.state {
            ProcessState::Starting => Some(self.laststart + self.conf.startsecs),
            ProcessState::Backoff if active => Some(self.delay),
            ProcessState::Backoff => None,
            ProcessState::Stopping => Some(self.delay),
            ProcessState::Stopped
                if active && self.laststart == 0.0 && self.conf.model.autostart =>
            {
                Some(0.0)
            }
            ProcessState::Exited if active => match self.conf.model.autorestart {
                AutoRestart::Always => Some(0.0),
                AutoRestart::Unexpected
                    if self
                        .exitstatus
                        .is_none_or(|es| !self.conf.exitcodes.contains(&es)) =>
                {
                    Some(0.0)
                }
                _ => None,
            },
            _ => None,
        }
    }
}
