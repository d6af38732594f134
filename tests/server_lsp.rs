//! `supc server` driven over stdio by a small JSON-RPC client, as an editor
//! drives it: initialize, open, change, every feature, shutdown and exit.
//! Every document is also written to disk with other content where that
//! matters, to show the server checks the buffer, not the file.

#[path = "server_lsp/client.rs"]
mod client;

use client::{Client, at, codes, hover_text, labels, many_programs, pos, uri};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const MAIN: &str = "[supervisord]
logfile=/tmp/supc-lsp.log
pidfile=/tmp/supc-lsp.pid

[program:web]
command=/bin/cat
process_name=%(program_name)s_%(process_num)02d
numprocs=4
stopsignal=TERM
stdout_logfile_maxbytes=1MB
autorestart=unexpected

[group:site]
programs=web,worker

[include]
files=conf.d/*.conf
";

const WORKER: &str = "[program:worker]\ncommand=/bin/cat %(here)s\n";

/// A workspace with the main config and one conf.d snippet on disk.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("conf.d")).unwrap();
    std::fs::write(root.join("supervisord.conf"), MAIN).unwrap();
    std::fs::write(root.join("conf.d/worker.conf"), WORKER).unwrap();
    (dir, root)
}

fn start(root: &Path) -> Client {
    Client::start(root, false).0
}

#[test]
fn lifecycle_and_capabilities() {
    let (_d, root) = workspace();
    let (c, init) = Client::start(&root, false);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "inlayHintProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}");
    }
    assert_eq!(init["serverInfo"]["name"], "supc");
    c.shutdown();
    let (c, init) = Client::start(&root, true);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.shutdown();
}

#[test]
fn diagnostics_follow_the_buffer_not_the_disk() {
    let (_d, root) = workspace();
    let path = root.join("bad.conf");
    // On disk: a valid snippet. In the buffer: two errors.
    std::fs::write(&path, "[program:x]\ncommand=/bin/cat\n").unwrap();
    let text = "[program:x]\ncommand=/bin/cat\nnumprocs=2\nstartsecs=abc\n";
    let u = uri(&path);
    let mut c = start(&root);
    c.open(&u, text);
    let diags = c.diagnostics_where(&u, |d| !d.is_empty());
    assert_eq!(codes(&diags), ["SUP020", "SUP028"]);
    let bad = &diags[0];
    assert_eq!(bad["range"]["start"], json!({"line": 3, "character": 10}));
    assert_eq!(bad["severity"], 1);
    assert_eq!(bad["source"], "supc");
    // An incremental change fixes both.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": u, "version": 2},
            "contentChanges": [
                {"range": {"start": {"line": 3, "character": 10}, "end": {"line": 3, "character": 13}}, "text": "5"},
                {"range": {"start": {"line": 2, "character": 9}, "end": {"line": 2, "character": 10}}, "text": "1"},
            ],
        }),
    );
    c.diagnostics_where(&u, |d| d.is_empty());
    c.shutdown();
}

#[test]
fn inline_suppressions_and_settings_are_honoured() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    // unknown-key (SUP102), a rule on by default, finds the typo.
    let text = format!("{MAIN}[program:api]\ncommand=/bin/cat\nautorestar=true\n");
    let typo = |d: &[Value]| codes(d).contains(&"SUP102".to_string());
    let mut c = start(&root);
    c.open(&u, &text);
    let diags = c.diagnostics_where(&u, typo);
    let found = diags.iter().find(|d| d["code"] == "SUP102").unwrap();
    // "Disable for this line", applied as the client would apply it.
    let action = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": found["range"], "context": {"diagnostics": [found]}}),
    );
    let disable = action
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Disable unknown-key for this line")
        .unwrap_or_else(|| panic!("no disable action in {action}"))
        .clone();
    let edit = &disable["edit"]["changes"][&u][0];
    assert_eq!(edit["newText"], "; supc: disable=unknown-key\n");
    assert_eq!(edit["range"]["start"], pos(&text, "autorestar=", 0));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]}),
    );
    c.diagnostics_where(&u, |d| !typo(d));
    c.shutdown();
    // A .supc.yaml that ignores the rule is honoured too.
    std::fs::write(root.join(".supc.yaml"), "ignore: [SUP102]\n").unwrap();
    let mut c = start(&root);
    c.open(&u, &text);
    let diags = c.diagnostics_where(&u, |_| true);
    assert!(!typo(&diags), "{diags:?}");
    c.shutdown();
}

#[test]
fn hover_explains_options_values_and_programs() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    let mut c = start(&root);
    c.open(&u, MAIN);
    let key = hover_text(&mut c, &u, pos(MAIN, "stopsignal", 2));
    assert!(
        key.contains("**stopsignal**") && key.contains("default: `TERM`"),
        "{key}"
    );
    assert!(key.contains("accepted: TERM, HUP"), "{key}");
    let signal = hover_text(&mut c, &u, pos(MAIN, "=TERM", 2));
    assert!(signal.contains("signal 15 (SIGTERM)"), "{signal}");
    let bytes = hover_text(&mut c, &u, pos(MAIN, "=1MB", 2));
    assert!(bytes.contains("1048576 bytes"), "{bytes}");
    let name = hover_text(&mut c, &u, pos(MAIN, "%(process_num)02d", 3));
    assert!(
        name.contains("`site:web_00`") && name.contains("`site:web_03`"),
        "{name}"
    );
    let header = hover_text(&mut c, &u, pos(MAIN, "[program:web]", 3));
    assert!(
        header.contains("4 instance(s)") && header.contains("`site:web_01`"),
        "{header}"
    );
    assert!(header.contains("Start order: 1–4 of 5"), "{header}");
    c.shutdown();
}

#[test]
fn completion_offers_what_fits_the_place() {
    let (_d, root) = workspace();
    let path = root.join("supervisord.conf");
    let u = uri(&path);
    let text = format!("{MAIN}[program:api]\ncommand=/bin/%(\nautorestart=\nstop\n\n[\n");
    let mut c = start(&root);
    c.open(&u, &text);
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count();
    let complete = |c: &mut Client, line: usize, ch: usize| {
        c.request(
            "textDocument/completion",
            at(&u, json!({"line": line, "character": ch})),
        )
    };
    let sections = labels(&complete(&mut c, line_of("\n[\n") + 1, 1));
    assert!(
        sections.contains(&"[program:x]".to_string())
            && sections.contains(&"[supervisord]".to_string())
    );
    let keys = labels(&complete(&mut c, line_of("stop\n"), 4));
    assert!(keys.contains(&"stopsignal".to_string()) && keys.contains(&"numprocs".to_string()));
    assert!(
        !keys.contains(&"command".to_string()),
        "already set: {keys:?}"
    );
    assert!(
        !keys.contains(&"logfile".to_string()),
        "[supervisord] only: {keys:?}"
    );
    let values = labels(&complete(&mut c, line_of("autorestart=\n"), 12));
    assert_eq!(values, ["true", "false", "unexpected"]);
    let names = labels(&complete(&mut c, line_of("command=/bin/%("), 15));
    assert!(
        names.contains(&"process_num".to_string()) && names.contains(&"here".to_string()),
        "{names:?}"
    );
    let programs = labels(&complete(&mut c, line_of("programs=web,worker"), 13));
    assert!(
        programs.contains(&"worker".to_string()) && programs.contains(&"api".to_string()),
        "{programs:?}"
    );
    c.shutdown();
}

#[test]
fn inlay_hints_list_instances() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    let mut c = start(&root);
    c.open(&u, MAIN);
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 40, "character": 0}}}),
    );
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert_eq!(
        hints[1]["label"],
        "→ site:web_00, site:web_01, site:web_02, site:web_03"
    );
    assert_eq!(hints[1]["position"], pos(MAIN, "numprocs=4", 10));
    c.shutdown();
}

#[test]
fn navigation_between_groups_programs_and_includes() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    let wu = uri(&root.join("conf.d/worker.conf"));
    let mut c = start(&root);
    c.open(&u, MAIN);
    let def = c.request("textDocument/definition", at(&u, pos(MAIN, "worker", 2)));
    assert_eq!(def[0]["uri"], wu.as_str());
    assert_eq!(def[0]["range"]["start"], json!({"line": 0, "character": 1}));
    let inc = c.request(
        "textDocument/definition",
        at(&u, pos(MAIN, "conf.d/*.conf", 3)),
    );
    assert_eq!(inc[0]["uri"], wu.as_str());
    let members = c.request(
        "textDocument/definition",
        at(&u, pos(MAIN, "[group:site]", 3)),
    );
    assert_eq!(members.as_array().unwrap().len(), 2);
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(MAIN, "[program:web]", 3), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 1, "{refs}");
    assert_eq!(refs[0]["range"]["start"], pos(MAIN, "web,worker", 0));
    c.shutdown();
}

#[test]
fn document_symbols_outline_sections() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    let mut c = start(&root);
    c.open(&u, MAIN);
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["supervisord", "program:web", "group:site", "include"]
    );
    assert_eq!(syms[1]["children"].as_array().unwrap().len(), 6);
    c.shutdown();
}

#[test]
fn a_snippet_is_checked_in_the_context_of_its_main_config() {
    let (_d, root) = workspace();
    let wu = uri(&root.join("conf.d/worker.conf"));
    let u = uri(&root.join("supervisord.conf"));
    let mut c = start(&root);
    c.open(&wu, WORKER);
    // In context, worker is a member of group site.
    let h = hover_text(&mut c, &wu, json!({"line": 0, "character": 3}));
    assert!(h.contains("`site:worker`"), "{h}");
    c.open(&u, MAIN);
    c.diagnostics_where(&u, |d| !codes(d).contains(&"SUP025".to_string()));
    // Renaming the program in the (unsaved) snippet breaks the main
    // config's group: the main config is checked again.
    let renamed = WORKER.replace("worker", "wrk");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": wu, "version": 2}, "contentChanges": [{"text": renamed}]}),
    );
    let diags = c.diagnostics_where(&u, |d| codes(d).contains(&"SUP025".to_string()));
    assert!(
        diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("worker"))
    );
    c.shutdown();
}

#[test]
fn a_snippet_nothing_includes_is_checked_as_a_snippet() {
    let (_d, root) = workspace();
    let path = root.join("elsewhere/lonely.conf");
    std::fs::create_dir(root.join("elsewhere")).unwrap();
    let text = "[program:lonely]\ncommand=/bin/cat\nnumprocs=2\n";
    let u = uri(&path);
    let mut c = start(&root);
    c.open(&u, text);
    // Its own error, but no "no [supervisord] section": a snippet has none.
    let diags = c.diagnostics_where(&u, |d| !d.is_empty());
    assert_eq!(codes(&diags), ["SUP028"]);
    c.shutdown();
}

#[test]
fn a_supc_yaml_spec_gets_diagnostics_located_in_the_yaml() {
    let (_d, root) = workspace();
    let path = root.join("supc.yaml");
    // Not on disk at all: only the buffer exists.
    let text = "supervisord:\n  loglevel: warning\nprograms:\n  web:\n    command: /bin/web\n";
    let u = uri(&path);
    let mut c = start(&root);
    c.open(&u, text);
    let diags = c.diagnostics_where(&u, |d| !d.is_empty());
    let bad = diags
        .iter()
        .find(|d| d["code"] == "SUP020")
        .expect("SUP020");
    assert_eq!(bad["range"]["start"], json!({"line": 1, "character": 12}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": text.replace("warning", "warn")}]}),
    );
    c.diagnostics_where(&u, |d| !codes(d).contains(&"SUP020".to_string()));
    // Hover and completion use the option table, as for INI.
    let h = hover_text(&mut c, &u, json!({"line": 1, "character": 4}));
    assert!(h.contains("**loglevel**"), "{h}");
    let typing = format!("{}    numpr\n", text.replace("warning", "warn"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": typing}]}),
    );
    let keys = c.request(
        "textDocument/completion",
        at(&u, json!({"line": 5, "character": 9})),
    );
    let keys = labels(&keys);
    assert!(
        keys.contains(&"numprocs".to_string()) && !keys.contains(&"logfile".to_string()),
        "{keys:?}"
    );
    c.shutdown();
}

#[test]
fn positions_count_utf16_or_utf8_as_negotiated() {
    let (_d, root) = workspace();
    let path = root.join("uni.conf");
    let text = "[program:é😀]\ncommand=/bin/é😀 %(bogus)s\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    // The value ends after "/bin/é😀 %(bogus)s": é is 1 UTF-16 unit and 2
    // bytes, 😀 2 units and 4 bytes.
    for (utf8, col) in [(false, 26), (true, 29)] {
        let (mut c, _) = Client::start(&root, utf8);
        c.open(&u, text);
        let diags = c.diagnostics_where(&u, |d| codes(d).contains(&"SUP010".to_string()));
        let d = diags.iter().find(|d| d["code"] == "SUP010").unwrap();
        assert_eq!(d["range"]["start"], json!({"line": 1, "character": 8}));
        assert_eq!(d["range"]["end"]["character"], col, "utf8={utf8}: {d}");
        // A hover at the same column of the value finds it.
        let h = c.request(
            "textDocument/hover",
            at(&u, json!({"line": 0, "character": 3})),
        );
        assert!(
            h["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("program:é😀")
        );
        c.shutdown();
    }
}

#[test]
fn hostile_input_gives_diagnostics_not_a_crash() {
    let (_d, root) = workspace();
    let mut c = start(&root);
    let cases = [
        ("half.conf", "[prog\ncomm\n[program:x\n=\n".to_string()),
        (
            "ctrl.conf",
            "\u{0}\u{1}\u{7f}[\u{feff}]\n\r\r\n=\t=\n".to_string(),
        ),
        (
            "long.conf",
            format!(
                "[supervisord]
logfile={}
",
                "é".repeat(1 << 19)
            ),
        ),
        ("many.conf", many_programs(2_000)),
        ("empty.conf", String::new()),
    ];
    for (name, text) in &cases {
        let u = uri(&root.join(name));
        c.open(&u, text);
        c.diagnostics_where(&u, |_| true);
        let end = json!({"line": 2, "character": 3});
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
        ] {
            let r = c.call(method, at(&u, end.clone()));
            assert!(r.get("error").is_none(), "{name} {method}: {r}");
        }
        let r = c.call(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
        assert!(r.get("error").is_none(), "{name}: {r}");
    }
    c.shutdown();
}

#[test]
fn closed_documents_and_unknown_methods_get_protocol_errors() {
    let (_d, root) = workspace();
    let u = uri(&root.join("supervisord.conf"));
    let mut c = start(&root);
    c.open(&u, MAIN);
    c.diagnostics_where(&u, |_| true);
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    // Closing clears the document's diagnostics.
    c.diagnostics_where(&u, |d| d.is_empty());
    let r = c.call(
        "textDocument/hover",
        at(&u, json!({"line": 0, "character": 1})),
    );
    assert_eq!(r["error"]["code"], -32803, "{r}");
    let r = c.call("supc/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.call("textDocument/hover", json!({"bogus": 1}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // An unknown notification is ignored; the server still answers.
    c.notify("supc/unknown", json!({}));
    c.shutdown();
    // `exit` without `shutdown`: exit code 1.
    let mut c = start(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

/// A rule's own fix reaches the editor as a quick fix. Needs the branch
/// that attaches fixes to rules (unknown-key's rename to the closest
/// option); un-ignore when it is merged.
#[test]
fn a_rule_fix_is_offered_as_a_quick_fix() {
    let (_d, root) = workspace();
    let path = root.join("typo.conf");
    let text =
        "[supervisord]\nlogfile=/tmp/x.log\n[program:x]\ncommand=/bin/cat\nautorestar=true\n";
    let u = uri(&path);
    let mut c = start(&root);
    c.open(&u, text);
    let diags = c.diagnostics_where(&u, |d| codes(d).contains(&"SUP102".to_string()));
    let typo = diags.iter().find(|d| d["code"] == "SUP102").unwrap();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": typo["range"], "context": {"diagnostics": [typo]}}),
    );
    let quick = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix" && !a["title"].as_str().unwrap().starts_with("Disable"))
        .unwrap_or_else(|| panic!("no fix among {actions}"));
    assert_eq!(quick["edit"]["changes"][&u][0]["newText"], "autorestart");
    c.shutdown();
}
