//! The runner's layering, read from its sources: the HTTP/XML-RPC layer
//! (`src/run/http.rs`) and the web interface (`src/run/web/`) talk to the
//! supervisor state only through the event loop's messages
//! (`src/run/exchange.rs`), so they never name the state
//! (`Supervisor`, the `supervisor` module); and the state
//! (`src/run/supervisor.rs`) names no server (`http`, `web`, `Servers`,
//! the exchange). Comments and string literals do not count.

use std::path::{Path, PathBuf};

fn run_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/run")
}

/// The code of a Rust source, without comments, string and char
/// literals (each replaced by a space).
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
            continue;
        }
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
            continue;
        }
        // A char literal ('x' or '\x'), not a lifetime.
        if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            i += if next == Some('\\') { 4 } else { 3 };
            while i < chars.len() && chars[i - 1] != '\'' {
                i += 1;
            }
            out.push(' ');
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The identifiers of the code (and the `a::b` paths they form).
fn words(code: &str) -> Vec<String> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let parts: Vec<String> = w
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            parts
        })
        .collect()
}

fn names_any(path: &Path, forbidden: &[&str]) -> Vec<String> {
    let src = std::fs::read_to_string(path).expect("read a source");
    words(&code_only(&src))
        .into_iter()
        .filter(|w| forbidden.contains(&w.as_str()))
        .map(|w| format!("{}: {w}", path.display()))
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read a source directory") {
        let p = e.expect("an entry").path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

#[test]
fn servers_do_not_name_the_state() {
    let mut files = vec![run_dir().join("http.rs")];
    files.extend(rust_files(&run_dir().join("web")));
    assert!(files.len() > 1);
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| names_any(f, &["Supervisor", "supervisor", "execute", "Executor"]))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_state_does_not_name_the_servers() {
    let found = names_any(
        &run_dir().join("supervisor.rs"),
        &[
            "http", "web", "Servers", "exchange", "Exchange", "execute", "Executor",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_reader_sees_names_in_code_only() {
    let src = "use super::supervisor::Supervisor; // web\nlet s = \"http\"; let c = '\"'; fn f<'a>(x: &'a Web) {}";
    let w = words(&code_only(src));
    assert!(w.contains(&"Supervisor".to_string()) && w.contains(&"supervisor".to_string()));
    assert!(w.contains(&"Web".to_string()) && w.contains(&"a".to_string()));
    assert!(!w.contains(&"web".to_string()) && !w.contains(&"http".to_string()));
}
