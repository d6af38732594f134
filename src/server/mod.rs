//! `supc server`: the Language Server Protocol over stdio.
//!
//! Built on `lsp-server` (the synchronous transport rust-analyzer and
//! `ruff server` use) and `lsp-types`. One event loop owns the [`State`]:
//! it takes the next event (a client message, or a finished check), updates
//! the open buffers or answers a request, and when the earliest debounce
//! deadline passes hands that check to the [`worker`] thread, publishing
//! its diagnostics when it comes back (unless the document was edited
//! meanwhile). Every feature
//! is a pure function of a document, its text and its last [`Analysis`],
//! in a file of its own; a panic in one is caught and answered with the
//! protocol's internal error, so no input can take the server down.
//!
//! [`Analysis`]: analysis::Analysis

mod actions;
pub mod analysis;
mod completion;
mod diagnostics;
mod dispatch;
mod failed;
mod hover;
mod inlay;
mod navigate;
pub mod outline;
mod state;
mod symbols;
#[cfg(test)]
mod tests;
pub mod text;
pub mod uri;
mod worker;
mod workspace;
mod yaml_fix;
mod yaml_outline;
mod yaml_place;

use lsp_server::{Connection, Message};
use state::{ClientOptions, State};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;
use text::Encoding;
use worker::{Event, Worker};

/// Why the server stopped other than by `shutdown` + `exit`.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// `exit` came before `shutdown` (the protocol's exit code 1).
    #[error("exit without shutdown")]
    ExitWithoutShutdown,
}

/// Serves one client on stdin/stdout until it says `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// Serves one client on a connection: initialize, then the event loop.
pub fn serve(connection: &Connection) -> Result<(), ServerError> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| ServerError::Protocol(e.to_string()))?;
    let params: lsp_types::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = negotiate_encoding(&params);
    let options: ClientOptions = params
        .initialization_options
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let result = serde_json::json!({
        "capabilities": dispatch::capabilities(encoding),
        "serverInfo": {"name": "supc", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| ServerError::Protocol(e.to_string()))?;
    let mut state = State::new(workspace_folders(&params), &options, encoding);
    state.inlay_refresh = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.inlay_hint.as_ref())
        .and_then(|i| i.refresh_support)
        .unwrap_or(false);
    event_loop(connection, &mut state)
}

fn event_loop(connection: &Connection, state: &mut State) -> Result<(), ServerError> {
    let (tx, events) = worker::events();
    worker::forward(connection, tx.clone());
    let mut worker = Worker::start(tx);
    let mut shutting_down = false;
    loop {
        if worker.busy().is_none() {
            // A panic finding the main config drops that one check, and
            // the user is told.
            let job = catch_unwind(AssertUnwindSafe(|| state.next_job(Instant::now())));
            match job {
                Ok(Some(job)) => worker.submit(job),
                Ok(None) => {}
                Err(payload) => {
                    dispatch::show_bug(connection, "preparing a check", payload);
                    dispatch::retry_deferred(connection, state, None);
                }
            }
        }
        let Some(event) = next_event(&events, state, &worker) else {
            return Ok(());
        };
        match event {
            Event::Checked(done) => {
                worker.finished();
                dispatch::checked(connection, state, *done);
            }
            Event::Message(Message::Request(req)) if shutting_down => {
                dispatch::refuse_after_shutdown(connection, req);
            }
            Event::Message(Message::Request(req)) if req.method == "shutdown" => {
                // A running check is not waited for: its result is dropped.
                dispatch::reply(connection, lsp_server::Response::new_ok(req.id, ()));
                shutting_down = true;
            }
            Event::Message(Message::Request(req)) => {
                dispatch::request(connection, state, req, worker.busy());
            }
            Event::Message(Message::Notification(n)) if n.method == "exit" => {
                return if shutting_down {
                    Ok(())
                } else {
                    Err(ServerError::ExitWithoutShutdown)
                };
            }
            Event::Message(Message::Notification(n)) => {
                dispatch::notification(connection, state, n);
                // A document closed: its waiting requests get their error.
                dispatch::retry_deferred(connection, state, worker.busy());
            }
            Event::Message(Message::Response(_)) => {}
            Event::Due => {}
            Event::Closed => return Ok(()),
        }
    }
}

/// The next event, or `None` when the event channel is gone: a message,
/// a finished check, or [`Event::Due`] at the earliest debounce deadline
/// when no check runs (while one runs, its result is the next thing due).
fn next_event(
    events: &std::sync::mpsc::Receiver<Event>,
    state: &State,
    worker: &Worker,
) -> Option<Event> {
    let Some(due) = state.next_due().filter(|_| worker.busy().is_none()) else {
        return events.recv().ok();
    };
    match events.recv_timeout(due.saturating_duration_since(Instant::now())) {
        Ok(e) => Some(e),
        Err(RecvTimeoutError::Timeout) => Some(Event::Due),
        Err(RecvTimeoutError::Disconnected) => None,
    }
}

/// UTF-8 when the client offers it (no conversion), else UTF-16.
fn negotiate_encoding(params: &lsp_types::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lsp_types::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

#[allow(deprecated, reason = "root_uri: older clients send only it")]
fn workspace_folders(params: &lsp_types::InitializeParams) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    if out.is_empty() {
        out.extend(params.root_uri.as_ref().and_then(uri::to_path));
    }
    out
}
