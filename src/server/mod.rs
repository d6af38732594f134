//! `supc server`: the Language Server Protocol over stdio.
//!
//! Built on `lsp-server` (the synchronous transport rust-analyzer and
//! `ruff server` use) and `lsp-types`. One event loop owns the [`State`]:
//! it reads a message, updates the open buffers or answers a request, and
//! when no message arrives before the earliest debounce deadline it runs
//! the checks that are due and publishes their diagnostics. Every feature
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
mod workspace;
mod yaml_fix;
mod yaml_outline;
mod yaml_place;

use lsp_server::{Connection, Message};
use state::{ClientOptions, State};
use std::time::Instant;
use text::Encoding;

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
    event_loop(connection, &mut state)
}

fn event_loop(connection: &Connection, state: &mut State) -> Result<(), ServerError> {
    loop {
        // Overdue checks run before the next message, so a client that
        // never pauses still gets diagnostics.
        if state.next_due().is_some_and(|due| due <= Instant::now()) {
            dispatch::run_due_checks(connection, state);
        }
        let message = match state.next_due() {
            Some(due) => {
                let wait = due.saturating_duration_since(Instant::now());
                match connection.receiver.recv_timeout(wait) {
                    Ok(m) => Some(m),
                    Err(e) if e.is_timeout() => None,
                    Err(_) => return Ok(()),
                }
            }
            None => match connection.receiver.recv() {
                Ok(m) => Some(m),
                Err(_) => return Ok(()),
            },
        };
        match message {
            None => dispatch::run_due_checks(connection, state),
            Some(Message::Request(req)) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| ServerError::Protocol(e.to_string()))?
                {
                    return Ok(());
                }
                dispatch::request(connection, state, req);
            }
            Some(Message::Notification(n)) => {
                if !dispatch::notification(connection, state, n) {
                    return Err(ServerError::ExitWithoutShutdown);
                }
            }
            Some(Message::Response(_)) => {}
        }
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
