//! A section supervisord refuses still gets hover (its options' entries and
//! what supervisord reads, and on its header why it has no instances) and
//! no inlay hint that could be wrong: none for it, none for a section whose
//! naming options changed since the last check.

#[path = "server_lsp/client.rs"]
mod client;

use client::{Client, codes, hover_text, pos, uri};
use serde_json::json;

const TEXT: &str = "[supervisord]
logfile=/tmp/supc-lsp.log

[program:web]
command=/bin/cat
numprocs=3
process_name=web
stopsignal=TERM
stdout_logfile=/tmp/%(program_name)s_%(process_num)d.log

[program:ok]
command=/bin/cat
numprocs=2
process_name=%(program_name)s_%(process_num)d
";

fn hints(c: &mut Client, u: &str) -> Vec<(u64, String)> {
    let list = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 30, "character": 0}}}),
    );
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let line = h["position"]["line"].as_u64().unwrap();
            (line, h["label"].as_str().unwrap().to_string())
        })
        .collect()
}

fn started() -> (tempfile::TempDir, Client, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let u = uri(&root.join("supervisord.conf"));
    let mut c = Client::start(&root, false).0;
    c.open(&u, TEXT);
    c.diagnostics_where(&u, |d| codes(d).contains(&"SUP028".to_string()));
    (dir, c, u)
}

#[test]
fn a_refused_section_still_gets_hover() {
    let (_d, mut c, u) = started();
    let h = hover_text(&mut c, &u, pos(TEXT, "numprocs=3", 2));
    assert!(
        h.contains("**numprocs**") && h.contains("- default: `1`"),
        "{h}"
    );
    let h = hover_text(&mut c, &u, pos(TEXT, "TERM", 1));
    assert!(h.contains("signal 15"), "{h}");
    let h = hover_text(&mut c, &u, pos(TEXT, "[program:web]", 3));
    let why = "No instances: supervisord refuses this section: %(process_num) must be present within process_name when numprocs > 1 in section 'program:web'";
    assert!(h.contains(why) && h.ends_with("(SUP028).\n"), "{h}");
    let h = hover_text(
        &mut c,
        &u,
        pos(TEXT, "%(program_name)s_%(process_num)d.log", 3),
    );
    assert!(h.starts_with("Not expanded. No instances:"), "{h}");
    // The section that resolves lists its instances.
    let h = hover_text(&mut c, &u, pos(TEXT, "[program:ok]", 3));
    assert!(h.contains("- `ok:ok_0`"), "{h}");
    c.shutdown();
}

#[test]
fn inlay_hints_are_never_stale_or_wrong() {
    let (_d, mut c, u) = started();
    let ok = pos(TEXT, "numprocs=2", 0)["line"].as_u64().unwrap();
    let names = "→ ok:ok_0, ok:ok_1".to_string();
    // None for the refused section, both for the other.
    assert_eq!(hints(&mut c, &u), [(ok, names.clone()), (ok + 1, names)]);
    // Right after an edit of a naming option, until its check is done.
    let edited = TEXT.replace("numprocs=2", "numprocs=5");
    c.change(&u, 2, &edited);
    assert_eq!(hints(&mut c, &u), Vec::<(u64, String)>::new());
    c.diagnostics_where(&u, |_| true);
    let five = "→ ok:ok_0, ok:ok_1, ok:ok_2 … ok:ok_4 (5)".to_string();
    assert_eq!(hints(&mut c, &u), [(ok, five.clone()), (ok + 1, five)]);
    c.shutdown();
}

#[test]
fn a_client_that_can_refresh_inlay_hints_is_told_to_after_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let u = uri(&root.join("supervisord.conf"));
    let caps = json!({"inlayHint": {"refreshSupport": true}});
    let mut c = Client::start_with(&root, false, caps).0;
    c.open(&u, TEXT);
    c.diagnostics_where(&u, |_| true);
    let refresh = c.server_request("workspace/inlayHint/refresh");
    c.send(&json!({"jsonrpc": "2.0", "id": refresh["id"], "result": null}));
    c.change(&u, 2, &TEXT.replace("numprocs=2", "numprocs=5"));
    c.diagnostics_where(&u, |_| true);
    c.server_request("workspace/inlayHint/refresh");
    let ok = pos(TEXT, "numprocs=2", 0)["line"].as_u64().unwrap();
    let five = "→ ok:ok_0, ok:ok_1, ok:ok_2 … ok:ok_4 (5)".to_string();
    assert_eq!(hints(&mut c, &u), [(ok, five.clone()), (ok + 1, five)]);
    c.shutdown();
}
