//! `supc run`: supervisord's process lifecycle, without Python.
//!
//! Input: the resolved [`Config`](crate::model::Config) (what
//! [`crate::analyze`] accepted) and [`RunOptions`] (the config path to
//! re-read, the host it was read on, console flags). [`run`] then does what
//! `supervisord -n -c FILE` does, in the foreground, until SIGTERM/SIGINT
//! (or `--exit-with-first`) and returns the exit code:
//!
//! * spawns every program and group process with supervisord's lifecycle
//!   (`process`: states, startsecs, startretries with a back-off growing
//!   by one second, autorestart/exitcodes, stopsignal then SIGKILL after
//!   stopwaitsecs, stopasgroup/killasgroup), starting groups in priority
//!   order and stopping them in reverse;
//! * spawns as supervisord does (`spawn`: shlex split, PATH lookup and the
//!   spawn errors of spec §9, own process group, directory, umask, user,
//!   environment with the `SUPERVISOR_*` variables) and, on Linux, makes
//!   every child die with the runner (`PR_SET_PDEATHSIG`);
//! * writes supervisord's log lines to `[supervisord] logfile` and the
//!   console, and process output to the configured, rotated log files and
//!   to the console with a name prefix (`log`, `dispatch`);
//! * serves supervisord's XML-RPC interface on the configured unix/inet
//!   HTTP servers (`http`, [`rpc`], codec in [`xmlrpc`]) so that the real
//!   supervisorctl, or `supc ctl` ([`client`]), controls it;
//! * on SIGHUP, re-reads the config and applies the difference as
//!   `supervisorctl reread` + `update` do (comparison by [`crate::diff`]).
//!
//! `[fcgi-program:x]` groups get their shared socket on fd 0 (`fcgi`).
//!
//! Deliberate differences: the runner acts when a timer is due or a child
//! exits (supervisord looks once a second, so it starts, restarts and
//! stops groups up to a second later; the order of transitions is the
//! same); SIGHUP applies `reread` + `update` instead of restarting
//! everything (`supervisorctl reload` still does that); strings sent over
//! XML-RPC have XML-invalid control characters replaced (see [`xmlrpc`]);
//! `nodaemon` is ignored (always in the foreground).
//!
//! Not implemented: eventlisteners and events (`[eventlistener:x]` groups
//! are not started, with a warning), the web UI, `capture_maxbytes`
//! (communication events), rpcinterfaces other than supervisor's own.
//! The runner is single-threaded: one poll loop (see `supervisor`).

pub mod client;
mod dispatch;
mod events;
mod fcgi;
mod http;
mod listener;
mod log;
mod method_docs;
mod process;
pub mod rpc;
mod spawn;
mod startup;
mod supervisor;
mod web;
pub mod xmlrpc;

pub use startup::{RunError, run};
pub use supervisor::RunOptions;
