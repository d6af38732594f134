//! `supc server` on a supc.yaml spec: document symbols, inlay hints,
//! definition and references, and code actions (fixes and the spec's own
//! `# supc: disable=` comment), with positions in the YAML buffer.

#[path = "server_lsp/client.rs"]
mod client;

use client::{Client, at, codes, pos, uri};
use serde_json::{Value, json};
use std::path::PathBuf;

const SPEC: &str = "supervisord:
  logfile: /tmp/supc-lsp.log
  pidfile: /tmp/supc-lsp.pid
  loglevel: Warning
programs:
  web:
    command: /bin/cat
    process_name: \"%(program_name)s_%(process_num)02d\"
    numprocs: 4
    directory: ~/app
groups:
  site:
    programs:
      - web
      - worker
include:
  files: [conf.d/*.conf]
";

const WORKER: &str = "[program:worker]\ncommand=/bin/cat\n";

/// A workspace with a spec (in the buffer only) including a conf.d file.
fn workspace() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("conf.d")).unwrap();
    std::fs::write(root.join("conf.d/worker.conf"), WORKER).unwrap();
    let u = uri(&root.join("supc.yaml"));
    (dir, root, u)
}

/// The server with the spec open and checked.
fn started(root: &std::path::Path, u: &str) -> (Client, Vec<Value>) {
    let mut c = Client::start(root, false).0;
    c.open(u, SPEC);
    let diags = c.diagnostics_where(u, |d| !d.is_empty());
    (c, diags)
}

fn range_of(text: &str, needle: &str) -> Value {
    json!({"start": pos(text, needle, 0), "end": pos(text, needle, needle.len())})
}

#[test]
fn symbols_outline_the_spec() {
    let (_d, root, u) = workspace();
    let (mut c, _) = started(&root, &u);
    let list = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let list = list.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["supervisord", "program:web", "group:site", "include"]
    );
    let web = &list[1];
    assert_eq!(web["selectionRange"], range_of(SPEC, "web"));
    assert_eq!(web["range"]["start"], pos(SPEC, "  web:", 2));
    assert_eq!(web["range"]["end"], pos(SPEC, "~/app", 5));
    let keys: Vec<&str> = web["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["command", "process_name", "numprocs", "directory"]);
    assert_eq!(web["children"][2]["detail"], "4");
    c.shutdown();
}

#[test]
fn inlay_hints_list_a_spec_programs_instances() {
    let (_d, root, u) = workspace();
    let (mut c, _) = started(&root, &u);
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 17, "character": 0}}}),
    );
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 2, "{hints:?}");
    let label = "→ site:web_00, site:web_01, site:web_02, site:web_03";
    assert_eq!(hints[0]["label"], label);
    assert_eq!(hints[0]["position"], pos(SPEC, "02d\"\n", 4));
    assert_eq!(hints[1]["position"], pos(SPEC, "numprocs: 4", 11));
    c.shutdown();
}

#[test]
fn definition_and_references_between_groups_programs_and_includes() {
    let (_d, root, u) = workspace();
    let (mut c, _) = started(&root, &u);
    // A group's entry → the program's mapping in the spec.
    let def = c.request("textDocument/definition", at(&u, pos(SPEC, "- web", 3)));
    assert_eq!(def[0]["uri"], u);
    assert_eq!(def[0]["range"], range_of(SPEC, "web"));
    // … or the section of the included INI file.
    let def = c.request("textDocument/definition", at(&u, pos(SPEC, "- worker", 4)));
    let worker = uri(&root.join("conf.d/worker.conf"));
    assert_eq!(def[0]["uri"], worker);
    assert_eq!(def[0]["range"]["start"]["line"], 0);
    // A program → the groups that list it.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(SPEC, "web:", 1), "context": {"includeDeclaration": false}}),
    );
    let listed = json!({"start": pos(SPEC, "- web", 2), "end": pos(SPEC, "- web", 5)});
    assert_eq!(refs, json!([{"uri": u, "range": listed}]));
    // An include pattern → the files it matched.
    let def = c.request("textDocument/definition", at(&u, pos(SPEC, "conf.d/*", 3)));
    assert_eq!(def[0]["uri"], worker);
    c.shutdown();
}

fn action<'a>(list: &'a Value, title_starts: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(title_starts))
        .unwrap_or_else(|| panic!("no {title_starts:?} among {list}"))
}

fn actions_for(c: &mut Client, u: &str, d: &Value) -> Value {
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": d["range"], "context": {"diagnostics": [d]}}),
    )
}

#[test]
fn code_actions_fix_and_suppress_in_the_spec_syntax() {
    let (_d, root, u) = workspace();
    let (mut c, diags) = started(&root, &u);
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {diags:?}"))
            .clone()
    };
    // supervisord's spelling, a plain scalar as in INI.
    let level = find("SUP020");
    let list = actions_for(&mut c, &u, &level);
    let fix = action(&list, "write `warn`");
    assert_eq!(
        fix["edit"]["changes"][&u],
        json!([{"range": range_of(SPEC, "Warning"), "newText": "warn"}])
    );
    // `%(ENV_HOME)s` cannot start a plain scalar: the value is quoted.
    let tilde = find("SUP403");
    let list = actions_for(&mut c, &u, &tilde);
    let fix = action(&list, "write `%(ENV_HOME)s`");
    assert_eq!(
        fix["edit"]["changes"][&u],
        json!([{"range": range_of(SPEC, "~/app"), "newText": "\"%(ENV_HOME)s/app\""}])
    );
    // Disabling writes a YAML comment above, indented as the line, and
    // the YAML front end honours it.
    let disable = action(&list, "Disable");
    let edit = &disable["edit"]["changes"][&u][0];
    let line = pos(SPEC, "    directory", 0)["line"].clone();
    assert_eq!(
        edit["range"]["start"],
        json!({"line": line, "character": 0})
    );
    let comment = edit["newText"].as_str().unwrap();
    assert_eq!(comment, "    # supc: disable=tilde-in-program-directory\n");
    let suppressed = SPEC.replace("    directory:", &format!("{comment}    directory:"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": suppressed}]}),
    );
    let after = c.diagnostics_where(&u, |d| !codes(d).contains(&"SUP403".to_string()));
    assert!(codes(&after).contains(&"SUP020".to_string()), "{after:?}");
    c.shutdown();
}

#[test]
fn fix_all_applies_the_safe_fixes_of_a_spec() {
    let (_d, root, u) = workspace();
    let spec = SPEC.replace(
        "    directory: ~/app\n",
        "    redirect_stderr: true\n    stderr_logfile: /tmp/err.log\n",
    );
    let mut c = Client::start(&root, false).0;
    c.open(&u, &spec);
    c.diagnostics_where(&u, |d| codes(d).contains(&"SUP119".to_string()));
    let list = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let all = action(&list, "Fix all");
    let line = pos(&spec, "    stderr_logfile", 0)["line"]
        .as_u64()
        .unwrap();
    assert_eq!(
        all["edit"]["changes"][&u],
        json!([{"range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}}, "newText": ""}])
    );
    c.shutdown();
}

#[test]
fn spec_positions_count_utf16_or_utf8_as_negotiated() {
    let (_d, root, u) = workspace();
    let spec = "supervisord:\n  logfile: /tmp/é.log\nprograms:\n  web:\n    command: /bin/cat\n    numprocs: 2\n    process_name: \"é😀_%(process_num)d\"\n";
    let line = "    process_name: \"é😀_%(process_num)d\"";
    for (utf8, end) in [(false, line.encode_utf16().count()), (true, line.len())] {
        let mut c = Client::start(&root, utf8).0;
        c.open(&u, spec);
        c.diagnostics_where(&u, |_| true);
        let hints = c.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
        );
        assert_eq!(hints[1]["position"], json!({"line": 6, "character": end}));
        assert_eq!(hints[1]["label"], "→ web:é😀_0, web:é😀_1");
        let symbols = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
        let name = &symbols[1]["children"][2];
        assert_eq!(name["range"]["end"], json!({"line": 6, "character": end}));
        c.shutdown();
    }
}

#[test]
fn a_refused_spec_program_says_why_on_hover_and_gets_no_hint() {
    let (_d, root, u) = workspace();
    let spec = SPEC.replace("\"%(program_name)s_%(process_num)02d\"", "web");
    let mut c = Client::start(&root, false).0;
    c.open(&u, &spec);
    c.diagnostics_where(&u, |d| codes(d).contains(&"SUP028".to_string()));
    let h = client::hover_text(&mut c, &u, pos(&spec, "web:", 1));
    assert!(
        h.contains(
            "No instances: supervisord refuses this section: %(process_num) must be present"
        ),
        "{h}"
    );
    let h = client::hover_text(&mut c, &u, pos(&spec, "numprocs", 1));
    assert!(h.contains("**numprocs**"), "{h}");
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 17, "character": 0}}}),
    );
    assert_eq!(hints, json!([]));
    c.shutdown();
}

#[test]
fn no_comment_is_written_into_a_block_scalar() {
    let (_d, root, u) = workspace();
    let spec = SPEC.replace("directory: ~/app", "directory: >-\n      ~/app");
    let mut c = Client::start(&root, false).0;
    c.open(&u, &spec);
    let diags = c.diagnostics_where(&u, |d| codes(d).contains(&"SUP403".to_string()));
    let tilde = diags.iter().find(|d| d["code"] == "SUP403").unwrap();
    let list = actions_for(&mut c, &u, tilde);
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Disable")),
        "{titles:?}"
    );
    // The fix itself reads back right inside the block.
    let fix = action(&list, "write `%(ENV_HOME)s`");
    assert_eq!(
        fix["edit"]["changes"][&u],
        json!([{"range": range_of(&spec, "~"), "newText": "%(ENV_HOME)s"}])
    );
    c.shutdown();
}
