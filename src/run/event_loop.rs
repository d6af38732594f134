//! The event loop (supervisord's `runforever`): one poll over the signal
//! self-pipe, the child pipes and the HTTP servers; then the processes'
//! transitions, reaping, signals, ticks and the deferred answers. It owns
//! the two sides for the time of a pass: the state ([`Supervisor`], which
//! knows nothing of HTTP) and the servers ([`Servers`], which own no
//! state and never see it): the servers send their requests as messages
//! ([`super::exchange`]), which the loop answers ([`Executor`]).

use super::execute::{Executor, Waiting};
use super::http::Servers;
use super::log::now;
use super::process::Mood;
use super::rpc_interface::Api;
use super::supervisor::Supervisor;
use nix::libc;
use std::os::fd::{AsRawFd, OwnedFd};

/// `runforever`: until every process is stopped after a shutdown or
/// restart request.
pub fn run(sup: &mut Supervisor, api: &Api, sigpipe: &OwnedFd, servers: &mut Servers) {
    let mut waiting = Waiting::default();
    sup.notify("SUPERVISOR_STATE_CHANGE_RUNNING", String::new);
    loop {
        if sup.ctx.mood < Mood::Running {
            if !sup.stopping {
                sup.stopping = true;
                sup.stop_groups = Some(sup.sorted_groups());
                sup.notify("SUPERVISOR_STATE_CHANGE_STOPPING", String::new);
            }
            sup.stop_groups_phase_1();
            if sup.shutdown_report() == 0 {
                break;
            }
        }
        let mut polled = Polled::new(sup, sigpipe);
        servers.poll_fds(&mut polled.fds);
        let timeout = if std::mem::take(&mut sup.hurry) {
            0
        } else {
            sup.timeout_ms(servers.next_deadline())
        };
        let fds = &mut polled.fds;
        // SAFETY: poll(2) over a vector we own.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n > 0 {
            read_signals(sup, sigpipe, polled.fds[0].revents);
            polled.handle_pipes(sup);
        }
        let ex = &mut Executor {
            sup: &mut *sup,
            api,
            waiting: &mut waiting,
        };
        if n > 0 {
            servers.handle_events(&polled.fds[polled.http_start..], ex);
        }
        after_poll(ex, servers);
    }
}

/// What happens on every pass, after the poll (supervisord's order).
fn after_poll(ex: &mut Executor, servers: &mut Servers) {
    let sup = &mut *ex.sup;
    sup.transition_all();
    sup.reap();
    sup.handle_signal();
    sup.ticks.tick(now(), &mut sup.ctx.notices);
    sup.flush_events();
    sup.check_exit_with_first();
    servers.run_deferred(ex);
    let sup = &mut *ex.sup;
    if !sup.updates.is_empty() {
        sup.progress_updates();
    }
    if sup.ctx.mood < Mood::Running {
        sup.hurry = sup.stop_groups_phase_2();
    }
}

/// The signals the handler wrote to the self-pipe.
fn read_signals(sup: &mut Supervisor, sigpipe: &OwnedFd, revents: i16) {
    if revents == 0 {
        return;
    }
    let mut buf = [0u8; 64];
    while let Ok(k) = nix::unistd::read(sigpipe, &mut buf) {
        if k == 0 {
            break;
        }
        for &b in &buf[..k] {
            sup.take_signal(i32::from(b));
        }
    }
}

/// The descriptors of one poll: the signal pipe, the child pipes (with
/// the process each belongs to, by position: the groups do not change
/// before the pipes are handled), then the servers'.
struct Polled {
    fds: Vec<libc::pollfd>,
    owners: Vec<(usize, usize)>,
    http_start: usize,
}

impl Polled {
    fn new(sup: &Supervisor, sigpipe: &OwnedFd) -> Polled {
        let pollfd = |fd, events| libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        let mut fds = vec![pollfd(sigpipe.as_raw_fd(), libc::POLLIN)];
        let mut owners = vec![(0, 0)];
        for (gi, g) in sup.groups.values().enumerate() {
            for (pi, p) in g.processes.values().enumerate() {
                let Some(io) = p.io.as_ref() else { continue };
                for d in [io.stdout.as_ref(), io.stderr.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter(|d| !d.closed)
                {
                    fds.push(pollfd(d.raw_fd(), libc::POLLIN));
                    owners.push((gi, pi));
                }
                if let Some(i) = io.stdin.as_ref().filter(|i| i.writable()) {
                    fds.push(pollfd(i.fd.as_raw_fd(), libc::POLLOUT));
                    owners.push((gi, pi));
                }
            }
        }
        let http_start = fds.len();
        Polled {
            fds,
            owners,
            http_start,
        }
    }

    /// Reads and writes the child pipes that are ready.
    fn handle_pipes(&self, sup: &mut Supervisor) {
        for (k, pfd) in self.fds.iter().enumerate().take(self.http_start).skip(1) {
            if pfd.revents == 0 {
                continue;
            }
            let (gi, pi) = self.owners[k];
            let ctx = &mut sup.ctx;
            let Some((_, proc)) = sup
                .groups
                .get_index_mut(gi)
                .and_then(|(_, g)| g.processes.get_index_mut(pi))
            else {
                continue;
            };
            if pfd.events & libc::POLLOUT != 0 {
                proc.handle_write(ctx);
            } else {
                proc.handle_read(ctx, pfd.fd);
            }
        }
    }
}
