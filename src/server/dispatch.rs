//! Routing: which method runs which feature, and the protocol's errors
//! (`MethodNotFound` for an unknown method, `RequestFailed` for a request
//! about a document that is not open, `InvalidParams`, and
//! `InternalError` when a feature panics, which is caught here).

use super::state::{Document, State};
use super::text::Encoding;
use super::worker::Done;
use super::{actions, completion, diagnostics, hover, inlay, navigate, symbols};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub fn capabilities(encoding: Encoding) -> Value {
    let position_encoding = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf16 => "utf-16",
    };
    json!({
        "positionEncoding": position_encoding,
        "textDocumentSync": {"openClose": true, "change": 2, "save": {"includeText": false}},
        "hoverProvider": true,
        "completionProvider": {"triggerCharacters": ["[", "=", "(", ",", ":"]},
        "inlayHintProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "documentSymbolProvider": true,
        "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll"]},
    })
}

/// Answers one request (never more than one response, always one), or
/// keeps it until its document's first check is done (`running`: the
/// document being checked).
pub fn request(connection: &Connection, state: &mut State, req: Request, running: Option<&str>) {
    let key = req
        .params
        .pointer("/textDocument/uri")
        .and_then(Value::as_str);
    if key.is_some_and(|k| state.awaits_first_check(k, running)) {
        state.deferred.push(req);
        return;
    }
    let id = req.id.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| route(state, req)));
    let response = match outcome {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
        Err(payload) => Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            format!(
                "supc server: internal error (a bug; the server keeps running): {}",
                crate::parallel::panic_message(payload)
            ),
        ),
    };
    send(connection, Message::Response(response));
}

type Answer = Result<Value, (ErrorCode, String)>;

fn route(state: &mut State, req: Request) -> Answer {
    use lsp::request::*;
    match req.method.as_str() {
        HoverRequest::METHOD => on_doc(
            state,
            req,
            |p: lsp::HoverParams| p.text_document_position_params,
            |s, d, p| hover::hover(s, d, p.position),
        ),
        Completion::METHOD => on_doc(
            state,
            req,
            |p: lsp::CompletionParams| p.text_document_position,
            |s, d, p| completion::complete(s, d, p.position),
        ),
        GotoDefinition::METHOD => on_doc(
            state,
            req,
            |p: lsp::GotoDefinitionParams| p.text_document_position_params,
            |s, d, p| navigate::definition(s, d, p.position),
        ),
        References::METHOD => {
            let params: lsp::ReferenceParams = parse(&req)?;
            let with_decl = params.context.include_declaration;
            on_doc(
                state,
                req,
                |p: lsp::ReferenceParams| p.text_document_position,
                move |s, d, p| navigate::references(s, d, p.position, with_decl),
            )
        }
        DocumentSymbolRequest::METHOD => {
            let p: lsp::DocumentSymbolParams = parse(&req)?;
            with_doc(state, &p.text_document.uri, symbols::symbols)
        }
        InlayHintRequest::METHOD => {
            let p: lsp::InlayHintParams = parse(&req)?;
            with_doc(state, &p.text_document.uri, |s, d| {
                inlay::hints(s, d, p.range)
            })
        }
        CodeActionRequest::METHOD => {
            let p: lsp::CodeActionParams = parse(&req)?;
            with_doc(state, &p.text_document.uri, |s, d| {
                actions::actions(s, d, p.range, &p.context)
            })
        }
        _ => Err((
            ErrorCode::MethodNotFound,
            format!("unknown method {}", req.method),
        )),
    }
}

fn parse<P: DeserializeOwned>(req: &Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(req.params.clone())
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

/// A request at a position in a document.
fn on_doc<P: DeserializeOwned, R: Serialize>(
    state: &mut State,
    req: Request,
    at: impl FnOnce(P) -> lsp::TextDocumentPositionParams,
    f: impl FnOnce(&State, &Document, &lsp::TextDocumentPositionParams) -> R,
) -> Answer {
    let p = at(parse(&req)?);
    with_doc(state, &p.text_document.uri, |s, d| f(s, d, &p))
}

/// Runs `f` on an open document, with its last analysis.
fn with_doc<R: Serialize>(
    state: &mut State,
    uri: &lsp::Uri,
    f: impl FnOnce(&State, &Document) -> R,
) -> Answer {
    let key = uri.as_str();
    let Some(doc) = state.docs.get(key) else {
        return Err((
            ErrorCode::RequestFailed,
            format!("document not open: {key}"),
        ));
    };
    serde_json::to_value(f(state, doc)).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// Handles one notification (`exit` is the event loop's).
pub fn notification(connection: &Connection, state: &mut State, n: Notification) {
    use lsp::notification::*;
    let method = n.method.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| match method.as_str() {
        DidOpenTextDocument::METHOD => {
            if let Ok(p) = n.extract::<lsp::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
            {
                let d = p.text_document;
                state.open(d.uri, d.version, d.text);
            }
        }
        DidChangeTextDocument::METHOD => {
            if let Ok(p) =
                n.extract::<lsp::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
            {
                change(state, p);
            }
        }
        DidCloseTextDocument::METHOD => {
            if let Ok(p) =
                n.extract::<lsp::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                && let Some(uri) = state.close(p.text_document.uri.as_str())
            {
                publish(connection, uri, None, Vec::new());
            }
        }
        DidSaveTextDocument::METHOD => {
            if let Ok(p) = n.extract::<lsp::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                && let Some(path) = super::uri::to_path(&p.text_document.uri)
            {
                state.file_changed(&path);
            }
        }
        DidChangeWatchedFiles::METHOD => {
            if let Ok(p) =
                n.extract::<lsp::DidChangeWatchedFilesParams>(DidChangeWatchedFiles::METHOD)
            {
                for path in p.changes.iter().filter_map(|c| super::uri::to_path(&c.uri)) {
                    state.file_changed(&path);
                }
            }
        }
        _ => {}
    }));
    // A panic here leaves the state as it was (the next edit repairs it),
    // and the user is told.
    if let Err(payload) = outcome {
        show_bug(connection, &format!("handling {method}"), payload);
    }
}

/// Tells the user of a panic (a supc bug) the server survived: WHAT it
/// was doing and what the panic said.
pub fn show_bug(connection: &Connection, what: &str, payload: Box<dyn std::any::Any + Send>) {
    let params = lsp::ShowMessageParams {
        typ: lsp::MessageType::ERROR,
        message: format!(
            "supc server: internal error while {what} (a bug; the server keeps running): {}",
            crate::parallel::panic_message(payload)
        ),
    };
    let n = Notification::new("window/showMessage".into(), params);
    send(connection, Message::Notification(n));
}

/// Applies full or incremental changes in order. A ranged change is
/// placed with the document's line index, or one of the text as changed
/// so far (never built for a full-text change).
pub(super) fn change(state: &mut State, p: lsp::DidChangeTextDocumentParams) {
    let key = p.text_document.uri.as_str();
    let Some(doc) = state.docs.get(key) else {
        return;
    };
    let enc = state.encoding;
    // `None`: still the document's text.
    let mut text: Option<String> = None;
    for c in p.content_changes {
        let Some(r) = c.range else {
            text = Some(c.text);
            continue;
        };
        let (start, end) = {
            let current = text.as_deref().unwrap_or(state.text(doc));
            let built;
            let index = match &text {
                Some(t) => {
                    built = super::text::LineIndex::new(t);
                    &built
                }
                None => &doc.index,
            };
            let start = index.offset(current, r.start, enc);
            (start, index.offset(current, r.end, enc).max(start))
        };
        let mut t = text.take().unwrap_or_else(|| state.text(doc).to_string());
        t.replace_range(start..end, &c.text);
        text = Some(t);
    }
    let text = text.unwrap_or_else(|| state.text(doc).to_string());
    state.replace(key, p.text_document.version, text);
}

/// A check finished: publishes it if it is still wanted, then answers
/// the requests that were waiting for it.
pub fn checked(connection: &Connection, state: &mut State, done: Done) {
    let key = done.key.clone();
    if let Err(message) = &done.analysis {
        report_internal_error(connection, state, &done, message);
    }
    if state.install(done) {
        publish_analysis(connection, state, &key);
        if state.inlay_refresh {
            refresh_inlay_hints(connection, state);
        }
    }
    retry_deferred(connection, state, None);
}

/// A check that panicked (a supc bug): the user is told, in a message and
/// as the document's one diagnostic (`SUP091`, internal-error), rather than
/// left with the findings of an older version as if they were current.
fn report_internal_error(connection: &Connection, state: &State, done: &Done, message: &str) {
    let Some(doc) = state.docs.get(&done.key).filter(|d| d.stamp == done.stamp) else {
        return;
    };
    let code = crate::codes::Code::InternalError;
    let text = format!(
        "supc could not check {}: internal error ({} {}): {message}; please report it",
        doc.path.display(),
        code.code(),
        code.name()
    );
    let params = lsp::ShowMessageParams {
        typ: lsp::MessageType::ERROR,
        message: text.clone(),
    };
    let n = Notification::new("window/showMessage".into(), params);
    send(connection, Message::Notification(n));
    let diagnostic = lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String(code.code().to_string())),
        source: Some("supc".into()),
        message: text,
        ..Default::default()
    };
    publish(
        connection,
        doc.uri.clone(),
        Some(doc.version),
        vec![diagnostic],
    );
}

/// Asks the client to request inlay hints again (they may have appeared:
/// none are given while a check is pending). Its answer, an empty
/// response, is dropped by the loop.
fn refresh_inlay_hints(connection: &Connection, state: &mut State) {
    state.sent += 1;
    let id = lsp_server::RequestId::from(format!("supc-{}", state.sent));
    let r = Request::new(id, "workspace/inlayHint/refresh".into(), ());
    send(connection, Message::Request(r));
}

/// Answers the requests that no longer wait (their document was checked
/// or closed); the others wait on.
pub fn retry_deferred(connection: &Connection, state: &mut State, running: Option<&str>) {
    for req in std::mem::take(&mut state.deferred) {
        request(connection, state, req, running);
    }
}

fn publish_analysis(connection: &Connection, state: &State, key: &str) {
    let Some(doc) = state.docs.get(key) else {
        return;
    };
    let Some(analysis) = &doc.analysis else {
        return;
    };
    if let Some(e) = &analysis.settings_error {
        let params = lsp::LogMessageParams {
            typ: lsp::MessageType::WARNING,
            message: format!("supc: settings ignored: {e}"),
        };
        let n = Notification::new("window/logMessage".into(), params);
        send(connection, Message::Notification(n));
    }
    let diags = diagnostics::for_document(doc, analysis, state.encoding);
    publish(connection, doc.uri.clone(), Some(doc.version), diags);
}

fn publish(
    connection: &Connection,
    uri: lsp::Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
) {
    let params = lsp::PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    let n = Notification::new("textDocument/publishDiagnostics".into(), params);
    send(connection, Message::Notification(n));
}

pub fn reply(connection: &Connection, response: Response) {
    send(connection, Message::Response(response));
}

/// After `shutdown` the protocol allows only `exit`.
pub fn refuse_after_shutdown(connection: &Connection, req: Request) {
    let message = format!("{} after shutdown", req.method);
    reply(
        connection,
        Response::new_err(req.id, ErrorCode::InvalidRequest as i32, message),
    );
}

fn send(connection: &Connection, message: Message) {
    // A closed output means the client is gone; the read side ends the loop.
    let _ = connection.sender.send(message);
}
