//! The runner itself (supervisord's `Supervisor` and `runforever`): process
//! groups in priority order, the poll loop over child pipes, the control
//! sockets and a signal self-pipe, reaping, ordered shutdown, SIGHUP as a
//! restart (or, with `--sighup-update`, as `supervisorctl reread` +
//! `update`), the event pools, and `--exit-with-first`.

use super::events::{GlobalSerial, Notice, Notices, Pool, PoolLog, Ticks};
use super::fcgi::SocketManager;
use super::listener::Listener;
use super::log::{Logger, now};
use super::process::{
    AutoLogs, Ctx, Mood, Proc, ProcConf, ProcessState, decode_wait_status, signame,
};
use crate::host::Host;
use crate::model::{Config, Group, GroupKind};
use indexmap::IndexMap;
use nix::libc;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, Ordering};

/// How `supc run` was asked to behave.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The config file (re-read on SIGHUP, reloadConfig and restart).
    pub config_path: String,
    pub snippet: bool,
    /// The environment, host name and directory the config was read with.
    pub host: Host,
    pub color: bool,
    pub quiet: bool,
    pub exit_with_first: bool,
    /// SIGHUP applies `reread` + `update` instead of supervisord's restart.
    pub sighup_update: bool,
}

/// A process group (`ProcessGroup`): processes by name, in config order.
pub struct GroupRt {
    pub config: Group,
    pub processes: IndexMap<String, Proc>,
    /// The event buffer of an `[eventlistener:x]` group.
    pub pool: Option<Pool>,
}

impl GroupRt {
    /// Process names sorted by priority (stable), as `processes.sort()`.
    pub fn sorted_names(&self) -> Vec<String> {
        let mut v: Vec<(&String, &Proc)> = self.processes.iter().collect();
        v.sort_by(|a, b| a.1.conf.model.priority.cmp(&b.1.conf.model.priority));
        v.into_iter().map(|(n, _)| n.clone()).collect()
    }

    /// `stop_all`: in descending priority order.
    pub fn stop_all(&mut self, ctx: &mut Ctx) {
        let mut names = self.sorted_names();
        names.reverse();
        for n in names {
            let p = &mut self.processes[&n];
            match p.state {
                ProcessState::Running | ProcessState::Starting => {
                    p.stop(ctx);
                }
                ProcessState::Backoff => p.give_up(ctx),
                _ => {}
            }
        }
    }

    pub fn unstopped(&self) -> Vec<&Proc> {
        self.processes
            .values()
            .filter(|p| !p.state.is_stopped())
            .collect()
    }
}

/// A pending part of a SIGHUP update: stop a group, remove it once every
/// process is stopped, then add its new config (`changed`) or not
/// (`removed`).
pub struct UpdateOp {
    pub group: String,
    pub readd: bool,
}

pub struct Supervisor {
    pub ctx: Ctx,
    /// `process_groups`: the active groups, by name, first of each name.
    pub groups: IndexMap<String, GroupRt>,
    /// The config as last read (`options.process_group_configs`, settings).
    pub config: Config,
    pub opts: RunOptions,
    pub identifier: String,
    pub childlogdir: String,
    pub(super) stopping: bool,
    pub(super) stop_groups: Option<Vec<String>>,
    lastshutdownreport: f64,
    signals: VecDeque<i32>,
    next_color: usize,
    pub updates: Vec<UpdateOp>,
    pub exit_code: Option<i32>,
    /// Loop again without waiting.
    pub(super) hurry: bool,
    pub(super) ticks: Ticks,
    /// supervisord's `GlobalSerial` (it goes on across restarts).
    pub serial: GlobalSerial,
}

static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe.
        unsafe {
            let saved = *libc::__errno_location();
            libc::write(fd, (&b as *const u8).cast(), 1);
            *libc::__errno_location() = saved;
        }
    }
}

/// Signals that process 1 passes on to every running process (as tini
/// does): the kernel drops signals to process 1 that have no handler,
/// and supervisord gives these no meaning of their own.
pub const FORWARDED_SIGNALS: [i32; 4] =
    [libc::SIGUSR1, libc::SIGWINCH, libc::SIGCONT, libc::SIGPWR];

/// `setsignals` through a self-pipe; returns its read end. As process 1
/// (`pid1`) the forwarded signals are caught too.
pub fn set_signals(pid1: bool) -> std::io::Result<OwnedFd> {
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
        .map_err(std::io::Error::from)?;
    SIGNAL_PIPE.store(w.as_raw_fd(), Ordering::Relaxed);
    std::mem::forget(w);
    let forwarded: &[i32] = if pid1 { &FORWARDED_SIGNALS } else { &[] };
    for &sig in super::spawn::HANDLED_SIGNALS.iter().chain(forwarded) {
        // SAFETY: installing a handler that only calls write(2).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
    Ok(r)
}

/// supervisor's own result handler, the only one the runner has.
const DEFAULT_RESULT_HANDLER: &str = "supervisor.dispatchers:default_handler";

/// The pool of an `[eventlistener:x]` group.
fn make_pool(config: &Group) -> Option<Pool> {
    let l = config.listener.as_ref()?;
    let size = l.buffer_size.to_i64().map_or(usize::MAX, |n| {
        usize::try_from(n.max(0)).unwrap_or(usize::MAX)
    });
    Some(Pool::new(&config.name, l.events.clone(), size))
}

impl Supervisor {
    pub fn new(config: Config, opts: RunOptions, logger: Logger) -> Supervisor {
        let s = &config.supervisord;
        let ctx = Ctx {
            logger,
            mood: Mood::Running,
            pidhistory: HashMap::new(),
            runner_env: opts.host.env.clone(),
            serverurl: s.serverurl.clone(),
            strip_ansi: s.strip_ansi,
            pid: std::process::id() as i32,
            exits: Vec::new(),
            notices: Notices::default(),
        };
        Supervisor {
            identifier: s.identifier.clone(),
            childlogdir: s.childlogdir.clone(),
            ctx,
            groups: IndexMap::new(),
            config,
            opts,
            stopping: false,
            stop_groups: None,
            lastshutdownreport: 0.0,
            signals: VecDeque::new(),
            next_color: 0,
            updates: Vec::new(),
            exit_code: None,
            hurry: false,
            ticks: Ticks::default(),
            serial: GlobalSerial::default(),
        }
    }

    /// `add_process_group`: false when a group of that name is active;
    /// Err when an fcgi-program's socket cannot be created.
    pub fn add_process_group(&mut self, config: &Group) -> Result<bool, String> {
        if self.groups.contains_key(&*config.name) {
            return Ok(false);
        }
        // FastCGIProcessGroup: the socket is created (and, unreferenced,
        // closed again) when the group is made, to fail early.
        let fcgi = match (&config.kind, &config.socket) {
            (GroupKind::FcgiProgram, Some(sock)) => {
                let m = Rc::new(RefCell::new(SocketManager::new((**sock).clone())));
                let r = m.borrow_mut().acquire(&mut self.ctx.logger);
                match r {
                    Ok(_) => m.borrow_mut().release(&mut self.ctx.logger),
                    Err(e) => {
                        return Err(format!(
                            "Could not create FastCGI socket {}: {e}",
                            m.borrow().url()
                        ));
                    }
                }
                Some(m)
            }
            _ => None,
        };
        let pool = make_pool(config);
        if let Some(l) = config.listener.as_ref()
            && l.result_handler != DEFAULT_RESULT_HANDLER
        {
            self.ctx.logger.warn(&format!(
                "[{}]: supc run cannot import result_handler {}; it uses {DEFAULT_RESULT_HANDLER}",
                config.section, l.result_handler
            ));
        }
        let auto = AutoLogs {
            childlogdir: &self.childlogdir,
            identifier: &self.identifier,
        };
        let mut processes = IndexMap::new();
        for p in &config.processes {
            let conf = ProcConf::new(p, &auto);
            let mut proc = Proc::new(conf, &config.name, self.next_color);
            proc.fcgi = fcgi.clone();
            if pool.is_some() {
                proc.listener = Some(Listener::new());
            }
            self.next_color += 1;
            processes.insert(p.name().to_string(), proc);
        }
        // The map reserves room for 3 processes at the first insert; most
        // groups hold one, and a process takes about 1 KB.
        processes.shrink_to_fit();
        for p in processes.values() {
            let w = p.name().chars().count();
            if w > self.ctx.logger.console.width {
                self.ctx.logger.console.width = w;
            }
        }
        // Earlier events go to the pools that existed when they happened.
        self.flush_events();
        self.groups.insert(
            config.name.to_string(),
            GroupRt {
                config: config.clone(),
                processes,
                pool,
            },
        );
        self.group_event("PROCESS_GROUP_ADDED", &config.name);
        Ok(true)
    }

    /// `remove_process_group`: false while a process is not stopped.
    pub fn remove_process_group(&mut self, name: &str) -> bool {
        match self.groups.get(name) {
            Some(g) if g.unstopped().is_empty() => {
                self.flush_events();
                self.groups.shift_remove(name);
                self.group_event("PROCESS_GROUP_REMOVED", name);
                true
            }
            _ => false,
        }
    }

    /// A `PROCESS_GROUP_*` event, delivered to the pools of this moment.
    fn group_event(&mut self, event: &'static str, name: &str) {
        self.ctx.notices.listening = self.groups.values().any(|g| g.pool.is_some());
        self.ctx
            .notices
            .notify(event, || format!("groupname:{name}\n"));
        self.flush_events();
    }

    /// `events.notify` for the supervisor's own events.
    pub fn notify(&mut self, event: &'static str, payload: impl FnOnce() -> String) {
        self.ctx.notices.notify(event, payload);
        self.flush_events();
    }

    /// Hands the queued notices to the pools (`_acceptEvent`,
    /// `handle_rejected`).
    pub fn flush_events(&mut self) {
        if self.ctx.notices.queue.is_empty() {
            return;
        }
        let mut log = Vec::new();
        for notice in std::mem::take(&mut self.ctx.notices.queue) {
            match notice {
                Notice::Event(e) => {
                    for g in self.groups.values_mut() {
                        if let Some(pool) = g.pool.as_mut().filter(|p| p.wants(&e)) {
                            pool.accept(e.clone(), false, &mut self.serial, &mut log);
                        }
                    }
                }
                Notice::Rejected { group, event } => {
                    if let Some(pool) = self.groups.get_mut(&group).and_then(|g| g.pool.as_mut()) {
                        pool.accept(event, true, &mut self.serial, &mut log);
                    }
                }
            }
        }
        self.pool_log(log);
    }

    fn pool_log(&mut self, log: Vec<PoolLog>) {
        for l in log {
            match l {
                PoolLog::Debug(m) => self.ctx.logger.debug(&m),
                PoolLog::Error(m) => self.ctx.logger.error(&m),
            }
        }
    }

    /// `EventListenerPool.dispatch`: sends buffered events to READY
    /// listeners until none is left or no listener is ready.
    fn dispatch(&mut self, group: &str) {
        let identifier = self.identifier.clone();
        let Some(g) = self.groups.get_mut(group) else {
            return;
        };
        let Some(pool) = g.pool.as_mut() else {
            return;
        };
        if !g.processes.values().any(Proc::ready_for_event) {
            return;
        }
        let mut log = Vec::new();
        while let Some(event) = pool.buffer.pop_front() {
            let mut sent = false;
            for p in g.processes.values_mut() {
                if !p.ready_for_event() {
                    continue;
                }
                let envelope = pool.envelope(&identifier, &event);
                if p.write(envelope.as_bytes()).is_err() {
                    log.push(PoolLog::Debug(format!(
                        "epipe occurred while sending event {} to listener {}, listener state unchanged",
                        event.serial(),
                        p.name()
                    )));
                    continue;
                }
                log.push(PoolLog::Debug(format!(
                    "event {} sent to listener {}",
                    event.serial(),
                    p.name()
                )));
                if let Some(l) = p.listener.as_mut() {
                    l.state = super::events::ListenerState::Busy;
                    l.event = Some(event.clone());
                }
                sent = true;
                break;
            }
            if !sent {
                pool.accept(event, true, &mut self.serial, &mut log);
                break;
            }
        }
        self.pool_log(log);
    }

    /// Whether a pool has an event and a listener ready for it.
    fn can_dispatch(&self) -> bool {
        self.groups.values().any(|g| {
            g.pool.as_ref().is_some_and(|p| !p.buffer.is_empty())
                && g.processes.values().any(Proc::ready_for_event)
        })
    }

    /// Active group names sorted by priority (stable).
    pub fn sorted_groups(&self) -> Vec<String> {
        let mut v: Vec<(&String, &GroupRt)> = self.groups.iter().collect();
        v.sort_by(|a, b| a.1.config.priority.cmp(&b.1.config.priority));
        v.into_iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn process_mut(&mut self, group: &str, name: &str) -> Option<&mut Proc> {
        self.groups.get_mut(group)?.processes.get_mut(name)
    }

    /// `reap`: every child that has exited.
    pub fn reap(&mut self) {
        for _ in 0..100 {
            let mut sts: libc::c_int = 0;
            // SAFETY: waitpid(2) on any child, without blocking.
            let pid = unsafe { libc::waitpid(-1, &mut sts, libc::WNOHANG) };
            if pid <= 0 {
                let err = std::io::Error::last_os_error().raw_os_error();
                if pid < 0 && err != Some(libc::ECHILD) && err != Some(libc::EINTR) {
                    self.ctx.logger.critical(&format!(
                        "waitpid error {}; a process may not be cleaned up properly",
                        err.unwrap_or(0)
                    ));
                }
                return;
            }
            match self.ctx.pidhistory.remove(&pid) {
                Some((g, n)) => {
                    let ctx = &mut self.ctx;
                    if let Some(p) = self
                        .groups
                        .get_mut(&g)
                        .and_then(|g| g.processes.get_mut(&n))
                    {
                        p.finish(ctx, sts);
                    }
                }
                None => {
                    let (_, msg) = decode_wait_status(sts);
                    self.ctx
                        .logger
                        .info(&format!("reaped unknown pid {pid} ({msg})"));
                }
            }
        }
    }

    pub(super) fn transition_all(&mut self) {
        for g in self.sorted_groups() {
            let ctx = &mut self.ctx;
            if let Some(group) = self.groups.get_mut(&g) {
                for p in group.processes.values_mut() {
                    p.transition(ctx);
                }
            }
            self.flush_events();
            self.dispatch(&g);
        }
    }

    /// `shutdown_report`: the processes not yet stopped.
    pub(super) fn shutdown_report(&mut self) -> usize {
        let unstopped: Vec<String> = self
            .groups
            .values()
            .flat_map(|g| g.unstopped())
            .map(|p| p.name().to_string())
            .collect();
        if !unstopped.is_empty() {
            let t = now();
            if t > self.lastshutdownreport + 3.0 {
                self.ctx
                    .logger
                    .info(&format!("waiting for {} to die", unstopped.join(", ")));
                self.lastshutdownreport = t;
            }
        }
        unstopped.len()
    }

    pub(super) fn stop_groups_phase_1(&mut self) {
        if let Some(name) = self.stop_groups.as_ref().and_then(|s| s.last()).cloned() {
            let ctx = &mut self.ctx;
            if let Some(g) = self.groups.get_mut(&name) {
                g.stop_all(ctx);
            }
        }
    }

    /// Returns true when a group is done (the next one can be stopped at
    /// once; supervisord waits for its next loop, up to a second).
    pub(super) fn stop_groups_phase_2(&mut self) -> bool {
        let Some(stop_groups) = self.stop_groups.as_mut() else {
            return false;
        };
        if let Some(name) = stop_groups.pop() {
            let busy = self
                .groups
                .get(&name)
                .is_some_and(|g| !g.unstopped().is_empty());
            if busy {
                stop_groups.push(name);
            } else {
                return !stop_groups.is_empty();
            }
        }
        false
    }

    pub(super) fn take_signal(&mut self, sig: i32) {
        if !self.signals.contains(&sig) {
            self.signals.push_back(sig);
        }
    }

    /// `handle_signal`: one received signal per loop.
    pub(super) fn handle_signal(&mut self) {
        let Some(sig) = self.signals.pop_front() else {
            return;
        };
        let name = signame(sig);
        match sig {
            libc::SIGTERM | libc::SIGINT | libc::SIGQUIT => {
                self.ctx
                    .logger
                    .warn(&format!("received {name} indicating exit request"));
                self.ctx.mood = Mood::Shutdown;
            }
            libc::SIGHUP => {
                if self.ctx.mood == Mood::Shutdown {
                    self.ctx.logger.warn(&format!(
                        "ignored {name} indicating restart request (shutdown in progress)"
                    ));
                } else if self.opts.sighup_update {
                    self.ctx.logger.warn(&format!(
                        "received {name} indicating update request (reread + update)"
                    ));
                    self.sighup_update();
                } else {
                    self.ctx
                        .logger
                        .warn(&format!("received {name} indicating restart request"));
                    self.ctx.mood = Mood::Restarting;
                }
            }
            libc::SIGCHLD => {
                self.ctx
                    .logger
                    .debug(&format!("received {name} indicating a child quit"));
            }
            libc::SIGUSR2 => {
                self.ctx
                    .logger
                    .info(&format!("received {name} indicating log reopen request"));
                self.reopen_logs();
            }
            s if self.ctx.pid == 1 && FORWARDED_SIGNALS.contains(&s) => {
                self.ctx.logger.info(&format!(
                    "received {name} as process 1: forwarding it to every running process"
                ));
                self.forward(s);
            }
            _ => {
                self.ctx
                    .logger
                    .blather(&format!("received {name} indicating nothing"));
            }
        }
    }

    /// Sends `sig` to every process that has a pid.
    fn forward(&mut self, sig: i32) {
        let ctx = &mut self.ctx;
        for g in self.groups.values_mut() {
            for p in g.processes.values_mut().filter(|p| p.pid != 0) {
                p.signal(ctx, sig);
            }
        }
    }

    fn reopen_logs(&mut self) {
        self.ctx.logger.info("supervisord logreopen");
        if let Some(f) = self.ctx.logger.file.as_mut() {
            f.reopen();
        }
        for g in self.groups.values_mut() {
            for p in g.processes.values_mut() {
                if let Some(io) = p.io.as_mut() {
                    for d in [io.stdout.as_mut(), io.stderr.as_mut()]
                        .into_iter()
                        .flatten()
                    {
                        if let Some(l) = d.log_mut() {
                            l.reopen();
                        }
                    }
                }
            }
        }
    }

    /// Re-reads the config file (`options.process_config`): the new config,
    /// or supervisord's message.
    pub fn reread(&mut self) -> Result<(), String> {
        let host = crate::diff::reread_host(&self.opts.host, &self.config);
        let (_, res) = crate::analyze(&self.opts.config_path, &host, self.opts.snippet);
        match res.config {
            Some(c) => {
                // What supervisord takes from a re-read [supervisord].
                self.identifier = c.supervisord.identifier.clone();
                self.childlogdir = c.supervisord.childlogdir.clone();
                self.ctx.strip_ansi = c.supervisord.strip_ansi;
                self.config = c;
                Ok(())
            }
            None => Err(res
                .first_error()
                .map_or_else(|| "unknown error".to_string(), |d| d.message.clone())),
        }
    }

    /// `diff_to_active`: (added, changed, removed) group names; added and
    /// changed in the order of the config as read, removed in the order of
    /// the active groups.
    pub fn diff_to_active(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut running = self.config.clone();
        running.groups = self.groups.values().map(|g| g.config.clone()).collect();
        let d = crate::diff::diff(&running, &self.config);
        let with = |status: crate::diff::Status| -> Vec<&str> {
            d.groups
                .iter()
                .filter(|g| g.status == status)
                .map(|g| g.name.as_str())
                .collect()
        };
        let (added, changed, removed) = (
            with(crate::diff::Status::Added),
            with(crate::diff::Status::Changed),
            with(crate::diff::Status::Removed),
        );
        let mut new_order: Vec<&str> = Vec::new();
        for g in &self.config.groups {
            if !new_order.contains(&&*g.name) {
                new_order.push(&g.name);
            }
        }
        let pick = |names: &[&str], order: &[&str]| -> Vec<String> {
            order
                .iter()
                .filter(|n| names.contains(n))
                .map(|n| n.to_string())
                .collect()
        };
        let active: Vec<&str> = self.groups.keys().map(String::as_str).collect();
        (
            pick(&added, &new_order),
            pick(&changed, &new_order),
            pick(&removed, &active),
        )
    }

    /// The first group of that name in the config as last read.
    pub fn configured_group(&self, name: &str) -> Option<Group> {
        self.config
            .groups
            .iter()
            .find(|g| *g.name == *name)
            .cloned()
    }

    /// SIGHUP: `supervisorctl reread` + `update`.
    fn sighup_update(&mut self) {
        if let Err(e) = self.reread() {
            self.ctx.logger.error(&format!(
                "could not reread the config, nothing changed: {e}"
            ));
            return;
        }
        let (added, changed, removed) = self.diff_to_active();
        if added.is_empty() && changed.is_empty() && removed.is_empty() {
            self.ctx
                .logger
                .info("config unchanged: no process group to update");
        }
        for (names, readd) in [(removed, false), (changed, true)] {
            for name in names {
                let ctx = &mut self.ctx;
                if let Some(g) = self.groups.get_mut(&name) {
                    g.stop_all(ctx);
                }
                self.updates.push(UpdateOp { group: name, readd });
            }
        }
        for name in added {
            if let Some(g) = self.configured_group(&name) {
                match self.add_process_group(&g) {
                    Ok(_) => self
                        .ctx
                        .logger
                        .info(&format!("{name}: added process group")),
                    Err(e) => self.ctx.logger.error(&e),
                }
            }
        }
        self.progress_updates();
    }

    /// Finishes the SIGHUP updates whose groups have stopped.
    pub(super) fn progress_updates(&mut self) {
        let mut pending = Vec::new();
        for op in std::mem::take(&mut self.updates) {
            if !self.groups.contains_key(&op.group) {
                continue;
            }
            if !self.remove_process_group(&op.group) {
                pending.push(op);
                continue;
            }
            if op.readd {
                if let Some(g) = self.configured_group(&op.group)
                    && let Err(e) = self.add_process_group(&g)
                {
                    self.ctx.logger.error(&e);
                }
                self.ctx
                    .logger
                    .info(&format!("{}: updated process group", op.group));
            } else {
                self.ctx
                    .logger
                    .info(&format!("{}: removed process group", op.group));
            }
        }
        self.updates = pending;
    }

    /// The poll timeout: the next timer, at most a second.
    pub(super) fn timeout_ms(&self, extra: Option<f64>) -> i32 {
        let mut next = now() + 1.0;
        for g in self.groups.values() {
            for p in g.processes.values() {
                if let Some(d) = p.next_deadline(self.ctx.mood) {
                    next = next.min(d);
                }
            }
        }
        if let Some(e) = extra {
            next = next.min(e);
        }
        if self.ctx.notices.listening {
            if self.can_dispatch() {
                return 0;
            }
            next = next.min(self.ticks.next(now()));
        }
        let ms = ((next - now()) * 1000.0).ceil() + 1.0;
        ms.clamp(0.0, 1000.0) as i32
    }

    pub(super) fn check_exit_with_first(&mut self) {
        let exits = std::mem::take(&mut self.ctx.exits);
        if !self.opts.exit_with_first || self.exit_code.is_some() {
            return;
        }
        if let Some((name, es, sts)) = exits.into_iter().next() {
            let code = if es >= 0 {
                es as i32
            } else if libc::WIFSIGNALED(sts) {
                128 + libc::WTERMSIG(sts)
            } else {
                1
            };
            self.ctx.logger.info(&format!(
                "{name} exited with code {code} and --exit-with-first is set: stopping all processes"
            ));
            self.exit_code = Some(code);
            self.ctx.mood = Mood::Shutdown;
        }
    }
}
