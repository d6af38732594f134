//! The web interface in a real browser: headless Chromium (Debian's
//! `chromium` and `chromium-driver`) driven by selenium from the test venv
//! (`fixtures/run/web_browser.py`). With JavaScript: Stop / Start /
//! Restart change the states in place, the table follows a change made by
//! supervisorctl, the filter hides rows, the tail page follows the log.
//! Without JavaScript: the same links navigate and return with
//! supervisord's messages. Screenshots are written to
//! `target/tmp/web-screenshots/` for a person to look at.

mod run_common;

use run_common::{Scenario, fixtures, oracle_python, supervisorctl};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const S: Duration = Duration::from_secs(1);

fn missing() -> Option<&'static str> {
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("chromium (apt-get install chromium)");
    }
    if !Path::new("/usr/bin/chromedriver").exists() {
        return Some("chromedriver (apt-get install chromium-driver)");
    }
    let selenium = Command::new(oracle_python())
        .args(["-c", "import selenium"])
        .status()
        .is_ok_and(|s| s.success());
    if !selenium {
        return Some("selenium in the test venv (scripts/setup-oracle.sh)");
    }
    None
}

#[test]
fn chromium_drives_the_web_interface() {
    if let Some(what) = missing() {
        eprintln!("SKIPPED chromium_drives_the_web_interface: needs {what}");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sc = Scenario::new(&format!(
        "[supervisord]
logfile={{dir}}/supervisord.log
pidfile={{dir}}/supervisord.pid
childlogdir={{dir}}

[inet_http_server]
port=127.0.0.1:{port}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=http://127.0.0.1:{port}

[program:web]
command=sh -c 'while true; do echo \"tick <b>\"; sleep 0.2; done'
startsecs=1

[program:idle]
command=sleep 1000
startsecs=0
"
    ));
    let mut runner = sc.run(&["--quiet"]);
    runner.expect("success: web", 10 * S);

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = sc.path().join("chromium-profile");
    let mut driver = Command::new(oracle_python())
        .arg(fixtures().join("web_browser.py"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .arg(&shots)
        .arg(&profile)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python");
    let mut stdin = driver.stdin.take().unwrap();
    let stdout = BufReader::new(driver.stdout.take().unwrap());
    let mut said = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap_or_default();
        if line == "READY-FOR-EXTERNAL-STOP" {
            let (code, out) = supervisorctl(&sc.conf, &["stop", "idle"]);
            assert_eq!(code, 0, "{out}");
            stdin.write_all(b"go\n").unwrap();
        }
        said.push(line);
    }
    let st = driver.wait().unwrap();
    assert!(st.success(), "the browser script failed; it said {said:?}");
    assert!(said.contains(&"javascript: ok".to_string()), "{said:?}");
    assert!(said.contains(&"no javascript: ok".to_string()), "{said:?}");
    for png in ["web-status.png", "web-tail.png", "web-nojs.png"] {
        let meta = std::fs::metadata(shots.join(png)).expect(png);
        assert!(meta.len() > 1000, "{png} is empty");
    }
    runner.stop(10 * S);
}
