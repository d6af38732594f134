//! Real event listeners from PyPI (superlance 2.0.0, installed into the
//! test venv from `tests/requirements/runner.txt`) under `supc run`:
//! crashmail mails about an unexpected exit (through a fake sendmail that
//! records the mail), memmon restarts a process over its memory limit,
//! httpok restarts a process whose HTTP check fails, fatalmailbatch mails
//! a batch of FATAL processes to an SMTP server run by the test.

mod run_common;

use run_common::{HEADER, Runner, Scenario, fixtures, oracle_python, spawned_pids};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

/// The venv's `bin/` (where pip put superlance's scripts).
fn venv_bin() -> PathBuf {
    let python = oracle_python();
    let bin = python.parent().expect("bin").to_path_buf();
    assert!(
        bin.join("crashmail").exists(),
        "superlance is not installed in {}; run scripts/setup-oracle.sh",
        bin.display()
    );
    bin
}

fn start(config: &str) -> (Scenario, Runner) {
    let text = format!("{HEADER}{config}")
        .replace("{bin}", venv_bin().to_str().unwrap())
        .replace(
            "{sendmail}",
            fixtures().join("sendmail.sh").to_str().unwrap(),
        );
    let scenario = Scenario::new(&text);
    let runner = scenario.run(&["--quiet"]);
    (scenario, runner)
}

fn wait_until(
    what: &str,
    timeout: Duration,
    mut f: impl FnMut() -> bool,
    log: impl Fn() -> String,
) {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not happen within {timeout:?}; log:\n{}", log());
}

#[test]
fn crashmail_mails_an_unexpected_exit() {
    let (sc, mut runner) = start(
        "
[program:dies]
command=sh -c 'sleep 2; exit 7'
startsecs=1
autorestart=false

[eventlistener:crashmail]
command={bin}/crashmail -p dies -m ops@example.com -s {sendmail}
events=PROCESS_STATE_EXITED
environment=MAIL_FILE=\"{dir}/mail.txt\"
",
    );
    wait_until(
        "crashmail's mail",
        20 * S,
        || sc.read("mail.txt").contains("exited unexpectedly"),
        || sc.read("supervisord.log"),
    );
    let mail = sc.read("mail.txt");
    assert!(mail.contains("To: ops@example.com"), "{mail}");
    assert!(
        mail.contains("Process dies in group dies exited unexpectedly (pid "),
        "{mail}"
    );
    assert!(mail.contains("from state RUNNING"), "{mail}");
    runner.stop(15 * S);
}

#[test]
fn memmon_restarts_a_process_over_its_limit() {
    let (sc, mut runner) = start(
        "
[program:hog]
command={python} -c 'import time; x = bytearray(40 * 1024 * 1024); x[::4096] = b\"x\" * len(x[::4096]); time.sleep(1000)'
startsecs=1

[eventlistener:memmon]
command={bin}/memmon -p hog=10MB
events=TICK_5
"
        .replace("{python}", oracle_python().to_str().unwrap())
        .as_str(),
    );
    wait_until(
        "a restart of hog",
        25 * S,
        || spawned_pids(&runner.output(), "hog").len() >= 2,
        || sc.read("supervisord.log"),
    );
    let log = sc.read("supervisord.log");
    assert!(
        log.contains("stopped: hog (terminated by SIGTERM)"),
        "{log}"
    );
    runner.stop(15 * S);
}

#[test]
fn httpok_restarts_a_process_whose_check_fails() {
    // A port nobody listens on: the check is refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (sc, mut runner) = start(&format!(
        "
[program:web]
command=sleep 1000
startsecs=1

[eventlistener:httpok]
command={{bin}}/httpok -p web -t 2 http://127.0.0.1:{port}/
events=TICK_5
"
    ));
    wait_until(
        "a restart of web",
        25 * S,
        || spawned_pids(&runner.output(), "web").len() >= 2,
        || sc.read("supervisord.log"),
    );
    let log = sc.read("supervisord.log");
    assert!(
        log.contains("stopped: web (terminated by SIGTERM)"),
        "{log}"
    );
    runner.stop(15 * S);
}

/// A minimal SMTP server on 127.0.0.1 that keeps every message body.
fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&mails);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(10 * S));
            let mut out = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let _ = out.write_all(b"220 localhost ESMTP test\r\n");
            let mut line = String::new();
            let mut data: Option<String> = None;
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(body) = data.as_mut() {
                    if line == ".\r\n" {
                        kept.lock().unwrap().push(data.take().unwrap());
                        let _ = out.write_all(b"250 queued\r\n");
                    } else {
                        body.push_str(&line);
                    }
                } else {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 localhost\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = out.write_all(b"221 bye\r\n");
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = out.write_all(reply);
                }
                line.clear();
            }
        }
    });
    (port, mails)
}

#[test]
fn fatalmailbatch_mails_fatal_processes() {
    let (port, mails) = smtp_sink();
    let (sc, mut runner) = start(&format!(
        "
[program:fatal]
command=sh -c 'exit 1'
startsecs=1
startretries=0

[eventlistener:fatalmailbatch]
command={{bin}}/fatalmailbatch -t ops@example.com -f supc@example.com -H 127.0.0.1:{port} -e TICK_5 -i 0.05
events=PROCESS_STATE,TICK_5
"
    ));
    wait_until(
        "fatalmailbatch's mail",
        30 * S,
        || !mails.lock().unwrap().is_empty(),
        || sc.read("supervisord.log"),
    );
    let mail = mails.lock().unwrap()[0].clone();
    assert!(mail.contains("To: ops@example.com"), "{mail}");
    assert!(
        mail.contains("Process fatal:fatal failed to start too many times"),
        "{mail}"
    );
    runner.stop(15 * S);
}
