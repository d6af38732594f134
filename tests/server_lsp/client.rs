//! A small JSON-RPC client that drives `supc server` over stdio, as an
//! editor does: Content-Length framing, requests matched to responses by
//! id, notifications kept in arrival order. Every wait is bounded.

#![allow(dead_code, reason = "each test binary uses a part of these helpers")]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications (and server requests) not yet taken.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts the server and initializes it (`utf8`: offer UTF-8).
    pub fn start(root: &Path, utf8: bool) -> (Client, Value) {
        Self::start_with(root, utf8, json!({}))
    }

    /// [`start`](Self::start), the client also declaring `workspace`
    /// capabilities.
    pub fn start_with(root: &Path, utf8: bool, workspace: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_supc"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("supc server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming: rx,
            pending: Vec::new(),
            next_id: 1,
        };
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let root_uri = uri(root);
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
                "capabilities": {"general": {"positionEncodings": encodings}, "workspace": workspace},
                "initializationOptions": {"debounceMs": 20, "portable": true, "env": {"HOME": "/home/editor"}},
            }),
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole response (with `result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id, method)
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The response to request `id` (keeping what arrives before it).
    pub fn response(&mut self, id: i64, method: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no response to {method}"));
            if v.get("id") == Some(&json!(id)) && v.get("method").is_none() {
                return v;
            }
            self.pending.push(v);
        }
    }

    /// The result of a request that must succeed.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let wait = deadline.saturating_duration_since(Instant::now());
        self.incoming.recv_timeout(wait).ok()
    }

    /// The next `publishDiagnostics` for `uri` (its params), if one
    /// arrives by the deadline.
    pub fn next_publish(&mut self, uri: &str, deadline: Instant) -> Option<Value> {
        loop {
            if let Some(i) = self.pending.iter().position(|v| is_diags_for(v, uri)) {
                return Some(self.pending.remove(i)["params"].clone());
            }
            let v = self.recv(deadline)?;
            self.pending.push(v);
        }
    }

    /// The next request the server sends of `method` (bounded wait).
    pub fn server_request(&mut self, method: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let at = self
                .pending
                .iter()
                .position(|v| v["method"] == method && v.get("id").is_some());
            if let Some(i) = at {
                return self.pending.remove(i);
            }
            let v = self
                .recv(deadline)
                .unwrap_or_else(|| panic!("no {method} request"));
            self.pending.push(v);
        }
    }

    /// Whether a `publishDiagnostics` for `uri` has arrived and not been
    /// taken.
    pub fn has_publish(&self, uri: &str) -> bool {
        self.pending.iter().any(|v| is_diags_for(v, uri))
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// The next `publishDiagnostics` for `uri` that satisfies `accept`.
    pub fn diagnostics_where(
        &mut self,
        uri: &str,
        accept: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        loop {
            let found = self.pending.iter().position(|v| is_diags_for(v, uri));
            let v = match found {
                Some(i) => self.pending.remove(i),
                None => match self.recv(deadline) {
                    Some(v) if is_diags_for(&v, uri) => v,
                    Some(v) => {
                        self.pending.push(v);
                        continue;
                    }
                    None => panic!("no matching diagnostics for {uri}; saw {seen:#?}"),
                },
            };
            let list = v["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if accept(&list) {
                return list;
            }
            seen.push(list);
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "supervisord", "version": 1, "text": text}}),
        );
    }

    /// Ends the session as an editor does; the server must exit 0.
    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.wait_exit();
        assert!(status.success(), "server exit status {status}");
    }

    /// The server's exit status (bounded wait).
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_diags_for(v: &Value, uri: &str) -> bool {
    v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length:") {
            len = n.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file://` URI of a path (these tests' paths need no escaping but
/// spaces, which they avoid).
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

// Helpers shared by the server tests.

pub fn pos(text: &str, needle: &str, delta: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
        + delta;
    let line = text[..at].matches('\n').count();
    let col = text[..at]
        .rsplit('\n')
        .next()
        .unwrap()
        .encode_utf16()
        .count();
    json!({"line": line, "character": col})
}

pub fn at(u: &str, p: Value) -> Value {
    json!({"textDocument": {"uri": u}, "position": p})
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn hover_text(c: &mut Client, u: &str, p: Value) -> String {
    let h = c.request("textDocument/hover", at(u, p));
    h["contents"]["value"].as_str().unwrap_or("").to_string()
}

pub fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

/// `n` programs of two instances each, under a `[supervisord]`.
pub fn many_programs(n: usize) -> String {
    let mut s = String::from("[supervisord]\n");
    for i in 0..n {
        s.push_str(&format!("[program:p{i}]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n"));
    }
    s
}
