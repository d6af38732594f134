//! Every feature at every position of awkward texts: no panic, whatever
//! the text (half-typed sections, control bytes, non-ASCII, CR line ends,
//! `%(` without its end) and wherever the cursor is.

use super::state::{ClientOptions, State};
use super::text::Encoding;
use super::{completion, hover, inlay, navigate, symbols};
use lsp_types::{Position, Range, Uri};
use std::str::FromStr;

const TEXTS: &[&str] = &[
    "",
    "[",
    "[program:",
    "[program:x]\ncommand=%(\nnumprocs=%(process_num\n[group:g]\nprograms=,x,,\n",
    "[include]\nfiles= \t*.conf ;x\n[group:é😀]\nprograms=é😀\n[program:é😀]\ncommand=c\n",
    "\u{0}\u{1}=\r[x]\r=\r\n  [y]\n\t=\u{7f}\n[program:a]\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)d\ncommand=a",
    "supervisord:\n  loglevel: \nprograms:\n  w:\n    numpr\n    autorestart: 'x\n  :\n:",
    "[supervisord]\nenvironment=A=\"%(ENV_HOME)s\",\n  B=1\n[program:p]\ncommand=x\nprocess_name=%(process_num)d\nnumprocs=2",
];

#[test]
fn no_feature_panics_anywhere() {
    let cases = TEXTS
        .iter()
        .enumerate()
        .flat_map(|c| [(c, "conf"), (c, "yaml")]);
    for ((i, text), ext) in cases {
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            let mut state = State::new(Vec::new(), &ClientOptions::default(), enc);
            let uri = Uri::from_str(&format!("file:///supc-test/t{i}.{ext}")).unwrap();
            state.open(uri.clone(), 1, text.to_string());
            state.check(uri.as_str());
            let doc = &state.docs[uri.as_str()];
            let _ = symbols::symbols(&state, doc);
            let whole = Range::new(Position::new(0, 0), Position::new(99, 0));
            let _ = inlay::hints(&state, doc, whole);
            let lines = text.split(['\n', '\r']).count() as u32 + 1;
            for line in 0..lines {
                for character in 0..40 {
                    let p = Position::new(line, character);
                    let _ = hover::hover(&state, doc, p);
                    let _ = completion::complete(&state, doc, p);
                    let _ = navigate::definition(&state, doc, p);
                    let _ = navigate::references(&state, doc, p, true);
                }
            }
        }
    }
}

#[test]
fn changes_apply_in_order_whole_text_then_ranges() {
    use lsp_types::{DidChangeTextDocumentParams, TextDocumentContentChangeEvent as Change};
    let mut state = State::new(Vec::new(), &ClientOptions::default(), Encoding::Utf16);
    let uri = Uri::from_str("file:///supc-test/c.conf").unwrap();
    state.open(uri.clone(), 1, "[a]\nx=1\n".into());
    let at = |l0, c0, l1, c1| Some(Range::new(Position::new(l0, c0), Position::new(l1, c1)));
    let change = |range, text: &str| Change {
        range,
        range_length: None,
        text: text.into(),
    };
    super::dispatch::change(
        &mut state,
        DidChangeTextDocumentParams {
            text_document: lsp_types::VersionedTextDocumentIdentifier::new(uri.clone(), 2),
            content_changes: vec![
                change(None, "[é😀]\ny=2\n"),
                change(at(1, 2, 1, 3), "22"),
                change(at(0, 1, 0, 4), "b"),
            ],
        },
    );
    let doc = &state.docs[uri.as_str()];
    assert_eq!((state.text(doc), doc.version), ("[b]\ny=22\n", 2));
}

/// A check that panics (a supc bug) is reported: a message to the user and
/// SUP091 as the document's diagnostic, never silently dropped.
#[test]
fn a_check_that_panicked_is_reported() {
    let (server, client) = lsp_server::Connection::memory();
    let mut state = State::new(Vec::new(), &ClientOptions::default(), Encoding::Utf16);
    let uri = Uri::from_str("file:///supc-test/p.conf").unwrap();
    state.open(uri.clone(), 3, "[program:a]\ncommand=a\n".into());
    let done = |stamp| super::worker::Done {
        key: uri.as_str().to_string(),
        stamp,
        as_of: stamp,
        analysis: Err("boom at the worker".into()),
    };
    let stamp = state.docs[uri.as_str()].stamp;
    super::dispatch::checked(&server, &mut state, done(stamp));
    let sent: Vec<lsp_server::Message> = client.receiver.try_iter().collect();
    let notes: Vec<(String, serde_json::Value)> = sent
        .into_iter()
        .filter_map(|m| match m {
            lsp_server::Message::Notification(n) => Some((n.method, n.params)),
            _ => None,
        })
        .collect();
    let shown = notes
        .iter()
        .find(|(m, _)| m == "window/showMessage")
        .expect("a message to the user");
    let text = shown.1["message"].as_str().unwrap();
    assert!(
        text.contains("boom at the worker") && text.contains("SUP091"),
        "{text}"
    );
    let published = notes
        .iter()
        .find(|(m, _)| m == "textDocument/publishDiagnostics")
        .expect("diagnostics");
    assert_eq!(published.1["version"], 3);
    let diags = published.1["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "SUP091");
    // A panic of a check of an older version says nothing: its document
    // has been edited since, and a newer check is on its way.
    super::dispatch::checked(&server, &mut state, done(stamp.wrapping_sub(1)));
    let later: Vec<lsp_server::Message> = client.receiver.try_iter().collect();
    assert!(
        !later.iter().any(|m| matches!(m, lsp_server::Message::Notification(n) if n.method == "window/showMessage")),
        "{later:?}"
    );
}
