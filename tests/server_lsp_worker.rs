//! Checks run off the event loop: a request sent while a large document
//! is being checked is answered before that check's diagnostics arrive,
//! rapid edits publish diagnostics only for the newest version, and
//! shutdown does not wait for a running check.

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

/// Opens the large document and waits for its first diagnostics; returns
/// how long that first check took.
fn opened(c: &mut Client, u: &str) -> Duration {
    let t = Instant::now();
    c.open(u, &large("/bin/v1"));
    c.diagnostics_where(u, |d| !d.is_empty());
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
    let first = opened(&mut c, &u);
    c.change(&u, 2, &large("/bin/v2"));
    // The check of version 2 starts after the 20 ms debounce.
    std::thread::sleep(Duration::from_millis(60));
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
        "the diagnostics of the check came before the hover ({latency:?}; a check takes {first:?})"
    );
    let p = c
        .next_publish(&u, Instant::now() + client::TIMEOUT)
        .expect("diagnostics of version 2");
    assert_eq!(p["version"], 2);
    eprintln!("hover during a check: {latency:?} (a check: {first:?})");
    c.shutdown();
}

#[test]
fn rapid_edits_publish_only_the_newest_version() {
    let (_d, mut c, u) = start();
    opened(&mut c, &u);
    // Each pause outlasts the debounce, so a check starts between edits;
    // every one but the last is overtaken by the next edit.
    for v in 2..=6 {
        c.change(&u, v, &large(&format!("/bin/v{v}")));
        std::thread::sleep(Duration::from_millis(40));
    }
    let p = c
        .next_publish(&u, Instant::now() + client::TIMEOUT)
        .expect("diagnostics after the edits");
    assert_eq!(p["version"], 6, "{}", p["version"]);
    // Nothing else comes: the older versions' results were dropped.
    let later = c.next_publish(&u, Instant::now() + Duration::from_millis(500));
    assert_eq!(later.map(|p| p["version"].clone()), None::<Value>);
    c.shutdown();
}

#[test]
fn shutdown_during_a_check_exits_promptly() {
    let (_d, mut c, u) = start();
    let first = opened(&mut c, &u);
    c.change(&u, 2, &large("/bin/v2"));
    std::thread::sleep(Duration::from_millis(60));
    let t = Instant::now();
    c.shutdown();
    let took = t.elapsed();
    assert!(
        took < first / 2,
        "shutdown and exit took {took:?}; a check takes {first:?}"
    );
}
