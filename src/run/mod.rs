//! `supc run`: supervisord's process lifecycle, without Python.
//!
//! Input: the resolved [`Config`](crate::model::Config) (what
//! [`crate::analyze`] accepted) and [`RunOptions`] (the config path to
//! re-read, the host it was read on, console flags). [`run`] then does what
//! `supervisord -n -c FILE` does, in the foreground, until SIGTERM/SIGINT
//! (or `--exit-with-first`) and returns the exit code, or a [`RunError`]:
//!
//! * `startup`: supervisord's `main` (uid, rlimits, logger, groups,
//!   servers, pidfile), run again from the start on a restart (SIGHUP,
//!   `supervisorctl reload`) with the config read anew;
//! * `event_loop`: the poll loop, which owns the state (`supervisor`) and
//!   the servers (`http`); the servers send what a request asks as a
//!   typed message (`exchange`), which the loop answers against the state
//!   (`execute`): the servers do not see the state, nor the state the
//!   servers;
//! * `supervisor` and `process`: groups in priority order and
//!   supervisord's process state machine (startsecs, startretries with a
//!   growing back-off, autorestart/exitcodes, stopsignal then SIGKILL,
//!   stopasgroup/killasgroup), ordered shutdown, `--sighup-update`;
//! * `spawn`: shlex split, PATH lookup, docs/semantics.md §9's spawn errors, own
//!   process group, directory, umask, user, `SUPERVISOR_*` environment,
//!   `PR_SET_PDEATHSIG`;
//! * `log` and `dispatch`: supervisord's main log (the one logger of the
//!   runner) and process output to rotated log files, syslog and the
//!   console, capture mode;
//! * `events` and `listener`: event pools of `[eventlistener:x]` groups,
//!   every event type supervisord emits, the listener protocol;
//! * `http` with [`rpc_interface`] (supervisor's and the system
//!   namespace's methods, `method_docs` for their docstrings) over
//!   [`xmlrpc_codec`], and `web`, the web interface, so that the real
//!   supervisorctl, a browser or `supc ctl` ([`client`]) control it;
//! * `fcgi`: the shared socket of `[fcgi-program:x]` groups on fd 0.
//!
//! Deliberate differences (see the README's runner section): the runner
//! acts when a timer is due or a child exits (supervisord looks once a
//! second); strings sent over XML-RPC have XML-invalid control
//! characters replaced; a rejected event goes back only to its own pool;
//! only supervisor's default `result_handler` runs; `nodaemon` is ignored
//! (always in the foreground); as process 1 it forwards USR1, WINCH,
//! CONT and PWR to every running process. The runner is single-threaded.

pub mod client;
mod dispatch;
mod event_loop;
mod events;
mod exchange;
mod execute;
mod fcgi;
mod http;
mod listener;
mod log;
mod method_docs;
mod process;
pub mod rpc_interface;
mod spawn;
mod startup;
mod supervisor;
mod web;
pub mod xmlrpc_codec;

pub use startup::{RunError, run};
pub use supervisor::RunOptions;
