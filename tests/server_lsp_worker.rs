//! Checks run off the event loop: a request sent while a large document
//! is being checked is answered before that check's diagnostics arrive,
//! rapid edits publish diagnostics only for the newest version, shutdown
//! does not wait for a running check, and a request about a document not
//! checked yet waits for its first check (or its closing).

#[path = "server_lsp/client.rs"]
mod client;

use client::{Client, many_programs, uri};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Programs in the large document: its check takes well over the pauses
/// below, in a debug build and a release one.
const PROGRAMS: usize = 5_000;

/// The large document with `marker` as the command of its last program.
fn large(marker: &str) -> String {
    let mut text = many_programs(PROGRAMS);
    text.push_str(&format!("[program:last]\ncommand={marker}\nstartsecs=x\n"));
    text
}

/// Opens the large document, waits for its first diagnostics, then edits
/// it (version 2) and returns how long the diagnostics of the edit took:
/// what a check takes here. A third of that after an edit, its check is
/// surely running (the message has been read and the debounce is over).
fn opened(c: &mut Client, u: &str) -> Duration {
    c.open(u, &large("/bin/v1"));
    c.diagnostics_where(u, |d| !d.is_empty());
    let t = Instant::now();
    c.change(u, 2, &large("/bin/v2"));
    let p = c.next_publish(u, Instant::now() + client::TIMEOUT);
    assert_eq!(p.expect("diagnostics of version 2")["version"], 2);
    t.elapsed()
}

/// The server in an empty workspace; the large document's URI there.
fn start() -> (tempfile::TempDir, Client, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let u = uri(&root.join("large.conf"));
    let c = Client::start(&root, false).0;
    (dir, c, u)
}

#[test]
fn a_request_during_a_check_is_answered_before_its_diagnostics() {
    let (_d, mut c, u) = start();
    let check = opened(&mut c, &u);
    c.change(&u, 3, &large("/bin/v3"));
    std::thread::sleep(check / 3);
    let t = Instant::now();
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 2}}),
    );
    let latency = t.elapsed();
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|h| h.contains("command")),
        "{hover}"
    );
    assert!(
        !c.has_publish(&u),
        "the diagnostics of the check came before the hover ({latency:?}; a check takes {check:?})"
    );
    let p = c
        .next_publish(&u, Instant::now() + client::TIMEOUT)
        .expect("diagnostics of version 3");
    assert_eq!(p["version"], 3);
    eprintln!("hover during a check: {latency:?} (a check: {check:?})");
    c.shutdown();
}

#[test]
fn rapid_edits_publish_only_the_newest_version() {
    let (_d, mut c, u) = start();
    opened(&mut c, &u);
    // Each pause outlasts the debounce, so a check starts between edits;
    // every one but the last is overtaken by the next edit.
    for v in 3..=7 {
        c.change(&u, v, &large(&format!("/bin/v{v}")));
        std::thread::sleep(Duration::from_millis(40));
    }
    let p = c
        .next_publish(&u, Instant::now() + client::TIMEOUT)
        .expect("diagnostics after the edits");
    assert_eq!(p["version"], 7, "{}", p["version"]);
    // Nothing else comes: the older versions' results were dropped.
    let later = c.next_publish(&u, Instant::now() + Duration::from_millis(500));
    assert_eq!(later.map(|p| p["version"].clone()), None::<Value>);
    c.shutdown();
}

#[test]
fn shutdown_during_a_check_exits_promptly() {
    let (_d, mut c, u) = start();
    let check = opened(&mut c, &u);
    c.change(&u, 3, &large("/bin/v3"));
    std::thread::sleep(check / 3);
    let t = Instant::now();
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r, Value::Null);
    // Answered without finishing the check: its result is never published.
    assert!(
        !c.has_publish(&u),
        "the check ran to its end before shutdown"
    );
    c.notify("exit", Value::Null);
    assert!(c.wait_exit().success());
    let took = t.elapsed();
    eprintln!("shutdown during a check: {took:?} (a check: {check:?})");
    assert!(
        took < check,
        "shutdown and exit took {took:?}; the check of an edit takes {check:?}"
    );
}

#[test]
fn a_request_before_the_first_check_waits_for_it() {
    let (_d, mut c, u) = start();
    let small = u.replace("large.conf", "small.conf");
    let text = "[supervisord]\n[program:web]\ncommand=/bin/cat\n[group:g]\nprograms=web\n";
    c.open(&small, text);
    // Navigation needs the check: answered once it is done.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": small}, "position": {"line": 4, "character": 10}}),
    );
    assert_eq!(def[0]["range"]["start"]["line"], 1, "{def}");
    // A document closed before its first check: its waiting request fails.
    c.open(&u, &large("/bin/v1"));
    let id = c.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 2}}),
    );
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let r = c.response(id, "hover");
    assert_eq!(r["error"]["code"], -32803, "{r}");
    c.shutdown();
}

#[test]
fn a_check_that_read_a_file_edited_since_is_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("conf.d")).unwrap();
    let main = format!(
        "{}[group:g]\nprograms=w\n[include]\nfiles=conf.d/*.conf\n",
        large("/bin/v1")
    );
    let snippet = "[program:w]\ncommand=/bin/cat\n";
    // Named to be checked first when both are due.
    std::fs::write(root.join("a.conf"), &main).unwrap();
    std::fs::write(root.join("conf.d/w.conf"), snippet).unwrap();
    let (a, b) = (uri(&root.join("a.conf")), uri(&root.join("conf.d/w.conf")));
    let mut c = Client::start(&root, false).0;
    c.open(&b, snippet);
    c.open(&a, &main);
    c.diagnostics_where(&a, |d| !d.is_empty());
    c.diagnostics_where(&b, |_| true);
    // An edit of the main config re-checks it, then the snippet.
    let t = Instant::now();
    c.change(&a, 2, &main.replace("/bin/v1", "/bin/v2"));
    c.diagnostics_where(&a, |_| true);
    let check = t.elapsed();
    c.diagnostics_where(&b, |_| true);
    // While the main config is checked, the program it groups is renamed.
    c.change(&a, 3, &main.replace("/bin/v1", "/bin/v3"));
    // Past reading the large message and the debounce: mid-check.
    std::thread::sleep(check / 2);
    c.change(&b, 2, &snippet.replace("[program:w]", "[program:w2]"));
    let p = c
        .next_publish(&a, Instant::now() + client::TIMEOUT)
        .expect("diagnostics of version 3");
    let found = p["diagnostics"].as_array().unwrap();
    assert!(
        client::codes(found).contains(&"SUP025".to_string()),
        "published from the snippet's older text: {found:?}"
    );
    c.shutdown();
}
