//! `loglevel=debug`: supervisord's `fd N closed, stopped monitoring ...`
//! lines when a child's pipes close, compared with the real supervisord
//! 4.3.0 (descriptor numbers, object ids and the state at that moment
//! masked: they depend on the machine and on timing): stdout and stderr
//! at the end of their output, stdin when a write to it meets a closed
//! pipe (the bytes `sendProcessStdin` left queued after its EPIPE are
//! written again on the next pass, which closes the dispatcher).

mod run_common;

use run_common::{HEADER, Scenario, xmlrpc_script};
use std::path::Path;
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

const CONFIG: &str = "
[program:x]
command=sh -c 'echo hi; echo oops >&2; sleep 1; exit 0'
startsecs=0
autorestart=false

[program:y]
command=sh -c 'exec 0<&-; touch {dir}/closed; while [ ! -e {dir}/go ]; do sleep 0.1; done'
startsecs=0
autorestart=false
";

/// `supervisor.sendProcessStdin('y', ...)` through the real XML-RPC
/// client: y closed its stdin, so both answer NO_FILE.
fn send_stdin(sock: &Path) {
    let (ok, out) = xmlrpc_script(
        sock,
        "try:\n    p.supervisor.sendProcessStdin('y', 'hello\\n')\n    raise SystemExit('accepted')\n\
         except x.Fault as f:\n    assert f.faultCode == 20, f\n",
    );
    assert!(ok, "sendProcessStdin did not answer NO_FILE: {out}");
}

/// The `fd N closed` lines, masked and sorted.
fn fd_lines(log: &str) -> Vec<String> {
    let mut out: Vec<String> = log
        .lines()
        .filter_map(|l| l.split_once(" DEBG fd ").map(|(_, r)| r))
        .map(|r| {
            let words: Vec<String> = r
                .split(' ')
                .enumerate()
                .map(|(i, w)| {
                    let prev_is_at = i > 0 && r.split(' ').nth(i - 1) == Some("at");
                    if i == 0 || prev_is_at {
                        "N".to_string()
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            let line = words.join(" ");
            // `in state STARTING>` or `RUNNING>`: timing.
            match line.find(" in state ") {
                Some(i) => {
                    let end = line[i + 10..].find('>').map_or(line.len(), |e| i + 10 + e);
                    format!("{}{}", &line[..i + 10], &line[end..])
                }
                None => line,
            }
        })
        .collect();
    out.sort();
    out
}

/// Waits until y has closed its stdin.
fn wait_file(path: &Path) {
    let end = Instant::now() + 15 * S;
    while !path.exists() {
        assert!(Instant::now() < end, "no {}", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_log(sc: &Scenario, needle: &str) {
    let end = Instant::now() + 15 * S;
    while Instant::now() < end {
        if sc.read("supervisord.log").contains(needle) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no {needle:?}:\n{}", sc.read("supervisord.log"));
}

#[test]
fn fd_closed_lines_match_supervisord() {
    let text = format!("{HEADER}{CONFIG}").replacen(
        "[supervisord]\n",
        "[supervisord]\nloglevel=debug\n",
        1,
    );
    let theirs_sc = Scenario::new(&text);
    let mut theirs = theirs_sc.run_supervisord();
    let ours_sc = Scenario::new(&text);
    let mut ours = ours_sc.run(&["--quiet"]);
    for sc in [&theirs_sc, &ours_sc] {
        wait_log(sc, "success: y entered RUNNING state");
        wait_file(&sc.file("closed"));
        send_stdin(&sc.file("s.sock"));
        wait_log(sc, "(stdin)>");
        std::fs::write(sc.file("go"), "").expect("write go");
    }
    for sc in [&theirs_sc, &ours_sc] {
        wait_log(sc, "exited: x (exit status 0; expected)");
        wait_log(sc, "exited: y (exit status 0; expected)");
    }
    std::thread::sleep(Duration::from_millis(300));
    theirs.stop(15 * S);
    ours.stop(15 * S);
    let (t, o) = (
        fd_lines(&theirs_sc.read("supervisord.log")),
        fd_lines(&ours_sc.read("supervisord.log")),
    );
    assert_eq!(t.len(), 5, "{t:#?}");
    assert_eq!(t, o);
}
