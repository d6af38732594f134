use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};
use crate::model::Process;
use crate::python::shlex::split_command;
use crate::source::Span;
use indexmap::IndexMap;

pub struct SharedPort;

static META: RuleMeta = RuleMeta {
    code: Code::SharedPort,
    doc: r#"## What it does
Finds programs with `numprocs > 1` whose command passes the same listening
port to every instance: `--port 8000`, `--port=8000`, `-p 8000`,
`--bind 0.0.0.0:8000`, `--http :8000`, a bare `0.0.0.0:8000` or `PORT=8000`
(also inside `sh -c '...'`). Only numbers in a port context are considered,
so `--workers 4`, `--timeout 30` or `redis://host:6379` are not reported.

## Why is this bad?
Only one process can listen on a port (unless the program sets
`SO_REUSEPORT` itself). The first instance binds it; the others fail with
"address already in use", and supervisord restarts them until they end in
FATAL.

## Example
```ini
[program:web]
command=uvicorn app:main --port 8000
process_name=%(program_name)s_%(process_num)02d
numprocs=4
```

## Use instead
```ini
[program:web]
command=uvicorn app:main --port 80%(process_num)02d
process_name=%(program_name)s_%(process_num)02d
numprocs=4
```
"#,
};

/// Flags whose next word (or `=value`) is a port number.
const PORT_FLAGS: &str = "--port --http-port --http_port --listen-port --server-port";
/// Flags whose next word (or `=value`) is a listening `host:port`.
const BIND_FLAGS: &str = "--bind -b --listen --http --http-socket --socket";

fn is_flag(flags: &str, word: &str) -> bool {
    flags.split(' ').any(|f| f == word)
}

/// The command's words; words holding a shell script are split again.
fn words(command: &str) -> Vec<String> {
    let split = |s: &str| {
        split_command(s).unwrap_or_else(|_| s.split_whitespace().map(String::from).collect())
    };
    let mut out = Vec::new();
    for w in split(command) {
        if w.contains(char::is_whitespace) {
            out.extend(split(&w));
        } else {
            out.push(w);
        }
    }
    out
}

fn is_port(s: &str) -> bool {
    (1..=5).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && !s.starts_with('0')
        && s.parse::<u32>().is_ok_and(|n| n <= 65535)
}

/// The port of a `host:port` listening address (not a URL or unix socket).
fn addr_port(v: &str) -> Option<&str> {
    let (host, port) = v.rsplit_once(':')?;
    (is_port(port) && !host.contains('/') && !host.starts_with("unix")).then_some(port)
}

/// A port at word `i` in a listening context: (text to show, port).
fn port_at(w: &[String], i: usize) -> Option<(String, String)> {
    let word = w[i].as_str();
    // Every way a word can give a port needs a digit in it.
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let prev = if i > 0 { w[i - 1].as_str() } else { "" };
    let pair = || format!("{prev} {word}");
    if (is_flag(PORT_FLAGS, prev) && is_port(word))
        || (prev == "-p" && is_port(word) && word.parse::<u32>().is_ok_and(|n| n >= 1024))
    {
        return Some((pair(), word.into()));
    }
    if is_flag(BIND_FLAGS, prev) {
        return addr_port(word).map(|p| (pair(), p.into()));
    }
    if let Some((flag, value)) = word.split_once('=') {
        if is_flag(PORT_FLAGS, flag) || flag == "PORT" {
            return is_port(value).then(|| (word.into(), value.into()));
        }
        if is_flag(BIND_FLAGS, flag) {
            return addr_port(value).map(|p| (word.into(), p.into()));
        }
        return None;
    }
    // A bare wildcard address such as `runserver 0.0.0.0:8000`.
    let port = addr_port(word)?;
    let host = &word[..word.len() - port.len() - 1];
    ["", "*", "0.0.0.0", "::", "[::]"]
        .contains(&host)
        .then(|| (word.into(), port.into()))
}

/// The span of `token` inside the written command when it occurs there
/// exactly once, else the whole command.
fn token_span(cx: &LintContext<'_>, span: Span, token: &str) -> Span {
    let text = cx.text(span);
    match text
        .match_indices(token)
        .map(|(i, _)| i)
        .collect::<Vec<_>>()[..]
    {
        [i] => {
            let start = span.start as usize + i;
            Span::new(span.file, start, start + token.len())
        }
        _ => span,
    }
}

/// `8000` → `80%(process_num)02d`.
fn templated(port: &str) -> String {
    if port.len() >= 3 {
        format!("{}%(process_num)02d", &port[..port.len() - 2])
    } else {
        format!("{port}%(process_num)d")
    }
}

impl Rule for SharedPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for g in &cx.config().groups {
            let mut by_section: IndexMap<&str, Vec<&Process>, rustc_hash::FxBuildHasher> =
                IndexMap::default();
            for run in section_runs(&g.processes) {
                by_section
                    .entry(&run[0].section)
                    .or_default()
                    .extend(run.iter());
            }
            for (section, procs) in by_section {
                // fcgi instances share one socket on purpose.
                if procs.len() < 2 || section.starts_with("fcgi-program:") {
                    continue;
                }
                let Some(found) = cx.ini().get(section, "command") else {
                    continue;
                };
                let first = words(procs[0].command());
                let n = first.len();
                // Only a word that is a port in the first instance can be a
                // hit; without one, no other instance needs splitting.
                let ports: Vec<usize> = (0..n).filter(|&i| port_at(&first, i).is_some()).collect();
                if ports.is_empty() {
                    continue;
                }
                let raw = words(found.value);
                let templated_raw = |i: usize| raw.len() == n && raw[i].contains("%(process_num)");
                let candidates: Vec<usize> =
                    ports.into_iter().filter(|&i| !templated_raw(i)).collect();
                if candidates.is_empty() {
                    continue;
                }
                let mut cmds: Vec<Vec<String>> = Vec::with_capacity(procs.len());
                cmds.push(first);
                for p in &procs[1..] {
                    cmds.push(if p.command() == procs[0].command() {
                        cmds[0].clone()
                    } else {
                        words(p.command())
                    });
                }
                if cmds.iter().any(|c| c.len() != n) {
                    continue;
                }
                let same = |i: usize| cmds.iter().all(|c| c[i] == cmds[0][i]);
                let hit = candidates.iter().find_map(|&i| {
                    (same(i) && (i == 0 || same(i - 1)))
                        .then(|| port_at(&cmds[0], i))
                        .flatten()
                });
                let Some((shown, port)) = hit else {
                    continue;
                };
                let at = shown.rfind(&port).unwrap_or(0);
                let fixed = format!(
                    "{}{}{}",
                    &shown[..at],
                    templated(&port),
                    &shown[at + port.len()..]
                );
                let all = match procs.len() {
                    2 => "both instances".to_string(),
                    n => format!("all {n} instances"),
                };
                out.report(
                    format!(
                        "{all} of [{section}] are started with `{shown}`: only one can listen on port {port}, the others will fail to bind it"
                    ),
                    token_span(cx, found.entry.def.value_span, &shown),
                    format!("same port {port} for every instance"),
                )
                .help = Some(format!(
                    "derive the port from the instance number, e.g. `{fixed}`"
                ));
            }
        }
    }
}
