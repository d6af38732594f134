//! The real supervisorctl (supervisor 4.3.0, from the oracle's venv)
//! driving `supc run`, and `supc ctl` giving the same answers.

mod run_common;

use run_common::{HEADER, Scenario, mask, oracle_python, supc_ctl, supervisorctl};
use std::process::Command;
use std::time::Duration;

const S: Duration = Duration::from_secs(1);

const PROGRAMS: &str = "
[program:web]
command={fixtures}/long.sh
startsecs=0
stdout_logfile={dir}/web.log
stderr_logfile=NONE

[group:workers]
programs=w1,w2

[program:w1]
command={fixtures}/long.sh
startsecs=0

[program:w2]
command={fixtures}/long.sh
startsecs=0

[program:idle]
command={fixtures}/long.sh
autostart=false
startsecs=0

[program:broken]
command={fixtures}/exit.sh 3
startsecs=1
startretries=0
";

fn started() -> (Scenario, run_common::Runner) {
    let s = Scenario::new(&format!("{HEADER}{PROGRAMS}"));
    let r = s.run(&[]);
    assert!(r.wait_for_count("success:", 3, 5 * S), "{}", r.output());
    r.expect("gave up: broken", 5 * S);
    (s, r)
}

#[test]
fn status_start_stop_restart_tail() {
    let (s, mut r) = started();
    let ctl = |args: &[&str]| supervisorctl(&s.conf, args);

    let (code, out) = ctl(&["status"]);
    assert_eq!(
        mask(&out),
        "broken                           FATAL     Exited too quickly (process log may have details)
idle                             STOPPED   Not started
web                              RUNNING   pid N, uptime T
workers:w1                       RUNNING   pid N, uptime T
workers:w2                       RUNNING   pid N, uptime T
"
    );
    assert_eq!(code, 3, "a stopped process makes status exit 3");

    assert_eq!(ctl(&["status", "workers:*"]).1.lines().count(), 2);
    assert_eq!(
        ctl(&["status", "nope"]),
        (4, "nope: ERROR (no such process)\n".to_string())
    );

    assert_eq!(
        ctl(&["stop", "workers:w1"]),
        (0, "workers:w1: stopped\n".into())
    );
    let (_, out) = ctl(&["stop", "workers:*"]);
    assert_eq!(out, "workers:w2: stopped\n");
    let (_, out) = ctl(&["start", "workers:*"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(lines, vec!["workers:w1: started", "workers:w2: started"]);
    assert_eq!(
        ctl(&["start", "web"]),
        (0, "web: ERROR (already started)\n".into())
    );
    assert_eq!(ctl(&["start", "idle"]), (0, "idle: started\n".into()));
    assert_eq!(
        ctl(&["restart", "web"]),
        (0, "web: stopped\nweb: started\n".into())
    );
    assert_eq!(ctl(&["start", "broken"]).1, "broken: ERROR (spawn error)\n");
    assert_eq!(ctl(&["start", "nope"]).1, "nope: ERROR (no such process)\n");
    assert_eq!(ctl(&["stop", "nope:*"]).1, "nope: ERROR (no such group)\n");

    let (_, out) = ctl(&["tail", "web"]);
    assert_eq!(out, "long started\nlong started\n\n");
    let (code, out) = ctl(&["tail", "web", "stderr"]);
    assert_eq!((code, out.as_str()), (1, "web: ERROR (no log file)\n"));
    assert_eq!(ctl(&["tail", "idle", "stderr"]), (0, "\n".into()));
    let (code, out) = ctl(&["pid"]);
    assert_eq!((code, out.trim().parse::<i32>().ok()), (0, Some(r.pid)));

    let (_, out) = ctl(&["stop", "all"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "idle: stopped",
            "web: stopped",
            "workers:w1: stopped",
            "workers:w2: stopped"
        ]
    );
    let (_, out) = ctl(&["status", "all"]);
    assert!(out.lines().all(|l| !l.contains("RUNNING")), "{out}");
    let (_, out) = ctl(&["start", "all"]);
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(out.contains("broken: ERROR (spawn error)"), "{out}");

    assert_eq!(ctl(&["shutdown"]), (0, "Shut down\n".into()));
    assert_eq!(r.wait(5 * S).and_then(|s| s.code()), Some(0));
    assert!(!s.file("s.sock").exists(), "the socket is removed");
}

#[test]
fn tail_follow_streams_new_output() {
    let s = Scenario::new(&format!(
        "{HEADER}
[program:chatty]
command={{fixtures}}/chatty.sh 40 1
startsecs=0
autorestart=false
stdout_logfile={{dir}}/chatty.log
"
    ));
    let mut r = s.run(&["--quiet"]);
    r.expect("spawned: 'chatty'", 5 * S);
    std::thread::sleep(Duration::from_millis(300));
    let mut follow = Command::new(oracle_python())
        .args(["-m", "supervisor.supervisorctl", "-c"])
        .arg(&s.conf)
        .args(["tail", "-f", "chatty"])
        .stdout(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    r.expect("exited: chatty", 10 * S);
    std::thread::sleep(Duration::from_millis(500));
    let _ = follow.kill();
    let out = follow.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("==> Press Ctrl-C to exit <=="), "{text}");
    assert!(text.contains("line 40: "), "{text}");
    r.stop(5 * S);
}

#[test]
fn inet_server_with_basic_auth() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let text = format!(
        "[supervisord]
logfile={{dir}}/supervisord.log
pidfile={{dir}}/supervisord.pid

[inet_http_server]
port=127.0.0.1:{port}
username=user
password={{SHA}}40bd001563085fc35165329ea1ff5c5ecbdbbeef

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=http://127.0.0.1:{port}
username=user
password=123

[program:web]
command={{fixtures}}/long.sh
startsecs=0
"
    );
    let s = Scenario::new(&text);
    let mut r = s.run(&[]);
    r.expect("success: web", 5 * S);
    let (code, out) = supervisorctl(&s.conf, &["status", "web"]);
    assert_eq!(
        (code, mask(&out)),
        (
            0,
            "web                              RUNNING   pid N, uptime T\n".into()
        )
    );
    let (_, out) = supervisorctl(&s.conf, &["-p", "wrong", "status"]);
    assert!(out.contains("Server requires authentication"), "{out}");
    let (_, out) = supc_ctl(&s.conf, &["status", "web"]);
    assert_eq!(
        mask(&out),
        "web                              RUNNING   pid N, uptime T\n"
    );
    let (_, out) = supc_ctl(&s.conf, &["-p", "wrong", "status"]);
    assert_eq!(out, "Server requires authentication\n");
    r.stop(5 * S);
}

#[test]
fn unknown_methods_are_faults() {
    let (s, mut r) = started();
    let script = format!(
        "import xmlrpc.client
from supervisor.xmlrpc import SupervisorTransport
t = SupervisorTransport(None, None, 'unix://{}/s.sock')
p = xmlrpc.client.ServerProxy('http://127.0.0.1', transport=t)
for call in (lambda: p.supervisor.nope(), lambda: p.supervisor._update('x'),
             lambda: p.nope.getState(), lambda: p.supervisor.getProcessInfo(),
             lambda: p.supervisor.getProcessInfo('zz'),
             lambda: p.supervisor.signalProcess('web', 'NOPE')):
    try:
        call()
    except xmlrpc.client.Fault as e:
        print(e.faultCode, e.faultString)
print(p.supervisor.getState())
print(sorted(p.supervisor.getProcessInfo('web').keys()))
print(len(p.system.listMethods()), p.system.methodSignature('supervisor.startProcess'))
print(p.system.multicall([{{'methodName': 'supervisor.getAPIVersion'}}, {{'methodName': 'x.y'}}]))
",
        s.path().display()
    );
    let out = Command::new(oracle_python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1 UNKNOWN_METHOD
1 UNKNOWN_METHOD
1 UNKNOWN_METHOD
2 INCORRECT_PARAMETERS
10 BAD_NAME: zz
11 BAD_SIGNAL: NOPE
{'statecode': 1, 'statename': 'RUNNING'}
['description', 'exitstatus', 'group', 'logfile', 'name', 'now', 'pid', 'spawnerr', 'start', 'state', 'statename', 'stderr_logfile', 'stdout_logfile', 'stop']
41 ['boolean', 'string', 'boolean']
['3.0', {'faultCode': 1, 'faultString': 'UNKNOWN_METHOD'}]
",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    r.stop(5 * S);
}

#[test]
fn missing_rpcinterface_is_reported_like_supervisord() {
    let s = Scenario::new(
        "[supervisord]
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid

[unix_http_server]
file={dir}/s.sock

[supervisorctl]
serverurl=unix://{dir}/s.sock

[program:web]
command={fixtures}/long.sh
startsecs=0
",
    );
    let mut r = s.run(&[]);
    r.expect("success: web", 5 * S);
    let (code, out) = supervisorctl(&s.conf, &["status"]);
    assert_eq!(code, 4);
    assert!(
        out.starts_with("Sorry, supervisord responded but did not recognize"),
        "{out}"
    );
    r.stop(5 * S);
}

#[test]
fn supc_ctl_answers_like_supervisorctl() {
    let (s, mut r) = started();
    // Commands that change nothing.
    for args in [
        &["status"][..],
        &["status", "workers:*", "web"],
        &["status", "nope", "nope:*"],
        &["tail", "web"],
        &["tail", "-5", "web"],
        &["tail", "web", "stderr"],
        &["tail", "nope"],
        &["signal", "HUP", "nope"],
        &["signal", "NOPE", "web"],
        &["pid", "nope"],
        &["pid", "web"],
        &["avail"],
        &["reread"],
        &["version"],
        &["maintail", "-300"],
        &["start"],
    ] {
        let theirs = supervisorctl(&s.conf, args);
        let ours = supc_ctl(&s.conf, args);
        let (t, o) = (mask(&theirs.1), mask(&ours.1));
        if args == ["start"] {
            // supervisorctl adds its help text.
            assert!(t.starts_with(&o), "{args:?}: {t} / {o}");
            assert_eq!(theirs.0, ours.0, "{args:?}");
        } else {
            assert_eq!((theirs.0, t), (ours.0, o), "{args:?}");
        }
    }
    // A sequence that ends where it started, run by each.
    let sequence: &[&[&str]] = &[
        &["stop", "workers:w1"],
        &["stop", "workers:w1"],
        &["start", "workers:w1"],
        &["start", "web"],
        &["start", "broken"],
        &["start", "nope"],
        &["stop", "nope:*"],
        &["signal", "CONT", "workers:*"],
        &["restart", "web"],
    ];
    let theirs: Vec<(i32, String)> = sequence
        .iter()
        .map(|a| supervisorctl(&s.conf, a))
        .map(|(c, o)| (c, mask(&o)))
        .collect();
    let ours: Vec<(i32, String)> = sequence
        .iter()
        .map(|a| supc_ctl(&s.conf, a))
        .map(|(c, o)| (c, mask(&o)))
        .collect();
    for ((a, t), o) in sequence.iter().zip(&theirs).zip(&ours) {
        assert_eq!(t, o, "{a:?}");
    }
    r.stop(5 * S);
}

#[test]
fn reread_update_and_reload() {
    let (s, mut r) = started();
    let ctl = |args: &[&str]| supervisorctl(&s.conf, args);
    let web_pid = run_common::spawned_pids(&r.output(), "web")[0];
    let text = format!("{HEADER}{PROGRAMS}")
        .replace("[program:idle]", "[program:idle2]")
        .replace(
            "[group:workers]\nprograms=w1,w2",
            "[group:workers]\nprograms=w1",
        );
    s.write(&text);
    // w2 leaves the group and becomes a program of its own.
    let changes = "idle: disappeared\nidle2: available\nw2: available\nworkers: changed\n";
    assert_eq!(ctl(&["reread"]).1, changes);
    assert_eq!(supc_ctl(&s.conf, &["reread"]).1, changes);
    let (_, update) = ctl(&["update"]);
    let mut lines: Vec<&str> = update.lines().collect();
    // Added groups come in supervisord's group order; compare as a set.
    lines[4..].sort();
    assert_eq!(
        lines,
        [
            "idle: stopped",
            "idle: removed process group",
            "workers: stopped",
            "workers: updated process group",
            "idle2: added process group",
            "w2: added process group",
        ]
    );
    assert!(
        r.wait_for_count("spawned: 'w2'", 2, 5 * S),
        "{}",
        r.output()
    );
    let (_, out) = ctl(&["status"]);
    assert!(
        out.contains("idle2                            STOPPED   Not started"),
        "{out}"
    );
    assert!(out.contains("\nw2 "), "{out}");
    assert!(
        out.contains("workers:w1 ") && !out.contains("workers:w2"),
        "{out}"
    );
    assert_eq!(run_common::spawned_pids(&r.output(), "web"), vec![web_pid]);

    assert_eq!(ctl(&["reload"]).1, "Restarted supervisord\n");
    assert!(
        r.wait_for_count("spawned: 'web'", 2, 5 * S),
        "{}",
        r.output()
    );
    let (_, out) = ctl(&["status", "web"]);
    assert!(out.contains("RUNNING"), "{out}");
    r.stop(5 * S);
}

#[test]
fn supc_ctl_without_a_server_fails_like_supervisorctl() {
    let s = Scenario::new(&format!("{HEADER}{PROGRAMS}"));
    for args in [&["status"][..], &["stop", "web"], &["tail", "web"]] {
        let theirs = supervisorctl(&s.conf, args);
        let ours = supc_ctl(&s.conf, args);
        assert_eq!(theirs, ours, "{args:?}");
    }
}
