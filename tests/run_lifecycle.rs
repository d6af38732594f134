//! `supc run` with real processes (fixtures/run/*.sh): supervisord's
//! lifecycle, logs, environment, shutdown and reload.

mod run_common;

use run_common::{HEADER, Scenario, alive, children, log_time, spawned_pids};
use std::time::Duration;

const S: Duration = Duration::from_secs(1);

fn conf(programs: &str) -> String {
    format!("{HEADER}\n{programs}")
}

#[test]
fn long_running_program_reaches_running_after_startsecs() {
    let s = Scenario::new(&conf(
        "[program:long]\ncommand={fixtures}/long.sh\nstartsecs=1\n",
    ));
    let mut r = s.run(&[]);
    r.expect(
        "success: long entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)",
        5 * S,
    );
    let out = r.output();
    let spawned = log_time(&out, "spawned: 'long'", 0).unwrap();
    let running = log_time(&out, "success: long", 0).unwrap();
    assert!(running - spawned >= 1.0, "RUNNING too early:\n{out}");
    assert!(
        out.contains("long | long started"),
        "no prefixed output:\n{out}"
    );
    assert_eq!(r.stop(5 * S).and_then(|s| s.code()), Some(0));
    let out = r.output();
    assert!(
        out.contains("received SIGTERM indicating exit request"),
        "{out}"
    );
    assert!(
        out.contains("stopped: long (terminated by SIGTERM)"),
        "{out}"
    );
    // The main log file has the same lines.
    let log = s.read("supervisord.log");
    assert!(log.contains("INFO spawned: 'long' with pid"), "{log}");
    assert!(
        log.contains("WARN stopped: long (terminated by SIGTERM)"),
        "{log}"
    );
}

#[test]
fn quick_exit_backs_off_then_gives_up() {
    let s = Scenario::new(&conf(
        "[program:quick]\ncommand={fixtures}/exit.sh 1\nstartsecs=1\nstartretries=2\n",
    ));
    let mut r = s.run(&[]);
    r.expect(
        "gave up: quick entered FATAL state, too many start retries too quickly",
        10 * S,
    );
    let out = r.output();
    assert_eq!(spawned_pids(&out, "quick").len(), 3, "{out}");
    assert_eq!(
        out.matches("exited: quick (exit status 1; not expected)")
            .count(),
        3,
        "{out}"
    );
    // The back-off delay grows by a second per attempt.
    let t: Vec<f64> = (0..3)
        .map(|i| log_time(&out, "spawned: 'quick'", i).unwrap())
        .collect();
    assert!((0.9..1.6).contains(&(t[1] - t[0])), "{out}");
    assert!((1.9..2.6).contains(&(t[2] - t[1])), "{out}");
    assert_eq!(r.stop(5 * S).and_then(|s| s.code()), Some(0));
}

#[test]
fn expected_exit_is_not_restarted_and_unexpected_is() {
    let s = Scenario::new(&conf(
        "[program:expected]
command={fixtures}/exit.sh 0 0.2
startsecs=0
autorestart=unexpected

[program:unexpected]
command={fixtures}/exit.sh 3 0.2
startsecs=0
autorestart=unexpected
exitcodes=0,2
",
    ));
    let mut r = s.run(&[]);
    assert!(r.wait_for_count("exited: unexpected (exit status 3; not expected)", 3, 5 * S));
    let out = r.output();
    assert!(
        out.contains("exited: expected (exit status 0; expected)"),
        "{out}"
    );
    assert_eq!(spawned_pids(&out, "expected").len(), 1, "{out}");
    assert!(spawned_pids(&out, "unexpected").len() >= 3, "{out}");
    r.stop(5 * S);
}

#[test]
fn autorestart_true_and_false() {
    let s = Scenario::new(&conf(
        "[program:always]
command={fixtures}/exit.sh 0 0.1
startsecs=0
autorestart=true

[program:never]
command={fixtures}/exit.sh 5 0.1
startsecs=0
autorestart=false

[program:manual]
command={fixtures}/long.sh
autostart=false
",
    ));
    let mut r = s.run(&[]);
    assert!(r.wait_for_count("exited: always (exit status 0; expected)", 3, 5 * S));
    let out = r.output();
    assert_eq!(spawned_pids(&out, "never").len(), 1, "{out}");
    assert!(
        out.contains("exited: never (exit status 5; not expected)"),
        "{out}"
    );
    assert!(spawned_pids(&out, "manual").is_empty(), "{out}");
    r.stop(5 * S);
}

#[test]
fn program_ignoring_sigterm_is_killed_after_stopwaitsecs() {
    let s = Scenario::new(&conf(
        "[program:stubborn]\ncommand={fixtures}/ignore_term.sh\nstartsecs=0\nstopwaitsecs=1\n",
    ));
    let mut r = s.run(&[]);
    r.expect("stubborn | ignoring TERM", 5 * S);
    std::thread::sleep(Duration::from_millis(200));
    let status = r.stop(10 * S);
    let out = r.output();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{out}");
    let pid = spawned_pids(&out, "stubborn")[0];
    assert!(
        out.contains(&format!("killing 'stubborn' ({pid}) with SIGKILL")),
        "{out}"
    );
    assert!(
        out.contains("stopped: stubborn (terminated by SIGKILL)"),
        "{out}"
    );
    let term = log_time(&out, "received SIGTERM", 0).unwrap();
    let kill = log_time(&out, "with SIGKILL", 0).unwrap();
    assert!((0.9..2.0).contains(&(kill - term)), "{out}");
}

#[test]
fn stopasgroup_also_stops_grandchildren() {
    let s = Scenario::new(&conf(
        "[program:family]
command={fixtures}/grandchild.sh {dir}/grandchild.pid
startsecs=0
stopasgroup=true
",
    ));
    let mut r = s.run(&[]);
    let end = std::time::Instant::now() + 5 * S;
    let mut grandchild = 0;
    while std::time::Instant::now() < end {
        if let Ok(p) = s.read("grandchild.pid").trim().parse::<i32>() {
            grandchild = p;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(grandchild > 0 && alive(grandchild), "{}", r.output());
    assert_eq!(r.stop(5 * S).and_then(|s| s.code()), Some(0));
    let end = std::time::Instant::now() + 2 * S;
    while alive(grandchild) && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(grandchild), "grandchild {grandchild} survived");
}

#[test]
fn priorities_order_start_and_stop() {
    let s = Scenario::new(&conf(
        "[program:third]
command={fixtures}/record.sh third {dir}/order
priority=300
startsecs=0

[program:first]
command={fixtures}/record.sh first {dir}/order
priority=100
startsecs=0

[program:second]
command={fixtures}/record.sh second {dir}/order
priority=200
startsecs=0
",
    ));
    let mut r = s.run(&[]);
    assert!(r.wait_for_count("success:", 3, 5 * S), "{}", r.output());
    assert_eq!(r.stop(10 * S).and_then(|s| s.code()), Some(0));
    let out = r.output();
    let spawned: Vec<f64> = ["first", "second", "third"]
        .iter()
        .map(|n| log_time(&out, &format!("spawned: '{n}'"), 0).unwrap())
        .collect();
    assert!(
        spawned[0] <= spawned[1] && spawned[1] <= spawned[2],
        "{out}"
    );
    let pos = |n: &str| out.find(&format!("spawned: '{n}'")).unwrap();
    assert!(
        pos("first") < pos("second") && pos("second") < pos("third"),
        "{out}"
    );
    let stop = |n: &str| out.find(&format!("stopped: {n} ")).unwrap();
    assert!(
        stop("third") < stop("second") && stop("second") < stop("first"),
        "{out}"
    );
    // The spawns are in order but the three run concurrently (supervisord
    // does not wait for one to be RUNNING before starting the next); the
    // stops are one group after the other.
    let order = s.read("order");
    let lines: Vec<&str> = order.lines().collect();
    let mut started = lines[..3].to_vec();
    started.sort();
    assert_eq!(started, ["first", "second", "third"], "{order}");
    assert_eq!(
        lines[3..],
        ["stop third", "stop second", "stop first"],
        "{order}"
    );
}

#[test]
fn log_rotation_keeps_every_line() {
    let s = Scenario::new(&conf(
        "[program:chatty]
command={fixtures}/chatty.sh 12 40
startsecs=0
autorestart=false
stdout_logfile={dir}/chatty.log
stdout_logfile_maxbytes=5KB
stdout_logfile_backups=20
",
    ));
    let mut r = s.run(&["--quiet"]);
    r.expect("exited: chatty (exit status 0; expected)", 10 * S);
    r.stop(5 * S);
    let mut backups = 0;
    while s.file(&format!("chatty.log.{}", backups + 1)).exists() {
        backups += 1;
    }
    assert!(backups >= 3, "only {backups} backups");
    for i in 1..=backups {
        let size = std::fs::metadata(s.file(&format!("chatty.log.{i}")))
            .unwrap()
            .len();
        assert!(size >= 5 * 1024, "chatty.log.{i} rotated at {size} bytes");
    }
    let mut all = String::new();
    for i in (1..=backups).rev() {
        all.push_str(&s.read(&format!("chatty.log.{i}")));
    }
    all.push_str(&s.read("chatty.log"));
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 480);
    for (i, l) in lines.iter().enumerate() {
        assert!(l.starts_with(&format!("line {}: ", i + 1)), "line {i}: {l}");
    }
    // --quiet keeps process output off the console.
    assert!(!r.output().contains("chatty | line"));
}

#[test]
fn backups_zero_truncates_and_few_backups_drop_the_oldest() {
    let s = Scenario::new(&conf(
        "[program:chatty]
command={fixtures}/chatty.sh 12 40
startsecs=0
autorestart=false
stdout_logfile={dir}/chatty.log
stdout_logfile_maxbytes=5KB
stdout_logfile_backups=2
",
    ));
    let mut r = s.run(&["--quiet"]);
    r.expect("exited: chatty", 10 * S);
    r.stop(5 * S);
    assert!(s.file("chatty.log.1").exists());
    assert!(s.file("chatty.log.2").exists());
    assert!(!s.file("chatty.log.3").exists());
    let tail = s.read("chatty.log");
    assert!(
        tail.is_empty()
            || tail.ends_with("line 480: the quick brown fox jumps over the lazy dog\n")
    );
}

#[test]
fn supervisor_variables_and_environment_are_set() {
    let s = Scenario::new(&conf(
        "[group:grp]
programs=envp

[program:envp]
command={fixtures}/env.sh
environment=FOO=\"bar baz\"
directory=/tmp
umask=027
startsecs=0
stdout_logfile={dir}/env.log
",
    ));
    let mut r = s.run(&[]);
    r.expect("envp | umask=", 5 * S);
    let log = s.read("env.log");
    let dir = s.path().to_str().unwrap();
    for want in [
        "FOO=bar baz".to_string(),
        "SUPERVISOR_ENABLED=1".into(),
        "SUPERVISOR_GROUP_NAME=grp".into(),
        "SUPERVISOR_PROCESS_NAME=envp".into(),
        format!("SUPERVISOR_SERVER_URL=unix://{dir}/s.sock"),
        "cwd=/tmp".into(),
        "umask=0027".into(),
    ] {
        assert!(log.lines().any(|l| l == want), "no {want:?} in:\n{log}");
    }
    r.stop(5 * S);
}

#[test]
fn spawn_errors_are_supervisords() {
    let s = Scenario::new(&conf(
        "[program:missing]
command=/nonexistent/program
startretries=1

[program:unparsable]
command=echo 'unclosed
startretries=0

[program:notexec]
command={fixtures}/../run
startretries=0
",
    ));
    let mut r = s.run(&[]);
    r.expect("gave up: missing entered FATAL state", 5 * S);
    r.expect("gave up: unparsable entered FATAL state", 5 * S);
    r.expect("gave up: notexec entered FATAL state", 5 * S);
    let out = r.output();
    assert!(
        out.contains("INFO spawnerr: can't find command '/nonexistent/program'"),
        "{out}"
    );
    assert!(
        out.contains("INFO spawnerr: can't parse command \"echo 'unclosed\": No closing quotation"),
        "{out}"
    );
    assert!(out.contains("is a directory"), "{out}");
    r.stop(5 * S);
}

#[test]
fn chdir_failure_is_reported_by_the_child() {
    let s = Scenario::new(&conf(
        "[program:nodir]
command={fixtures}/long.sh
directory={dir}/gone
startretries=0
startsecs=1
stderr_logfile={dir}/nodir.err
",
    ));
    std::fs::create_dir(s.file("gone")).unwrap();
    // The directory exists when the config is read, not when spawning.
    let mut r = s.run(&[]);
    std::fs::remove_dir(s.file("gone")).unwrap();
    r.expect("gave up: nodir", 5 * S);
    assert!(
        r.output()
            .contains("exited: nodir (exit status 127; not expected)")
    );
    let err = s.read("nodir.err");
    assert!(
        err.contains(&format!(
            "supervisor: couldn't chdir to {}/gone: ENOENT",
            s.path().display()
        )),
        "{err}"
    );
    assert!(
        err.contains("supervisor: child process was not spawned"),
        "{err}"
    );
    r.stop(5 * S);
}

#[test]
fn exit_with_first_stops_all_and_returns_the_code() {
    let s = Scenario::new(&conf(
        "[program:worker]
command={fixtures}/long.sh
startsecs=0

[program:job]
command={fixtures}/exit.sh 7 0.3
startsecs=0
",
    ));
    let mut r = s.run(&["--exit-with-first"]);
    let status = r.wait(10 * S);
    let out = r.output();
    assert_eq!(status.and_then(|s| s.code()), Some(7), "{out}");
    assert!(
        out.contains("stopped: worker (terminated by SIGTERM)"),
        "{out}"
    );
}

#[test]
fn children_die_with_the_runner_even_on_sigkill() {
    let s = Scenario::new(&conf(
        "[program:orphan]\ncommand={fixtures}/long.sh\nstartsecs=0\n",
    ));
    let mut r = s.run(&[]);
    r.expect("success: orphan", 5 * S);
    let pid = spawned_pids(&r.output(), "orphan")[0];
    assert!(alive(pid));
    r.signal(nix::libc::SIGKILL);
    r.wait(5 * S);
    let end = std::time::Instant::now() + 3 * S;
    while alive(pid) && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(pid), "child {pid} outlived the runner");
}

#[test]
fn exited_children_are_reaped() {
    let s = Scenario::new(&conf(
        "[program:brief]\ncommand={fixtures}/exit.sh 0\nstartsecs=0\nautorestart=false\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)d\n",
    ));
    let mut r = s.run(&[]);
    assert!(
        r.wait_for_count("exited: brief_", 3, 5 * S),
        "{}",
        r.output()
    );
    std::thread::sleep(Duration::from_millis(200));
    let zombies: Vec<_> = children(r.pid)
        .into_iter()
        .filter(|(_, st)| st == "Z")
        .collect();
    assert!(zombies.is_empty(), "zombies: {zombies:?}");
    r.stop(5 * S);
}

#[test]
fn sighup_update_applies_the_config_difference() {
    let s = Scenario::new(&conf(
        "[program:keep]
command={fixtures}/long.sh
startsecs=0

[program:drop]
command={fixtures}/long.sh
startsecs=0

[program:change]
command={fixtures}/long.sh
startsecs=0
",
    ));
    let mut r = s.run(&["--sighup-update"]);
    assert!(r.wait_for_count("success:", 3, 5 * S), "{}", r.output());
    let keep_pid = spawned_pids(&r.output(), "keep")[0];
    s.write(&conf(
        "[program:keep]
command={fixtures}/long.sh
startsecs=0

[program:change]
command={fixtures}/long.sh
startsecs=0
priority=5

[program:added]
command={fixtures}/long.sh
startsecs=0
",
    ));
    r.signal(nix::libc::SIGHUP);
    r.expect("success: added", 5 * S);
    r.expect("change: updated process group", 5 * S);
    r.expect("drop: removed process group", 5 * S);
    let out = r.output();
    assert!(
        out.contains("stopped: drop (terminated by SIGTERM)"),
        "{out}"
    );
    assert_eq!(spawned_pids(&out, "change").len(), 2, "{out}");
    assert_eq!(spawned_pids(&out, "keep"), vec![keep_pid], "{out}");
    assert!(alive(keep_pid));
    r.stop(5 * S);
}

#[test]
fn rejected_config_exits_2_with_supervisords_message() {
    let s = Scenario::new("[supervisord]\nloglevel=warning\n");
    let mut r = s.run(&[]);
    let status = r.wait(5 * S);
    assert_eq!(status.and_then(|s| s.code()), Some(2));
    assert!(
        r.output()
            .contains("Error: bad logging level name 'warning'\nFor help, use supc run -h\n"),
        "{}",
        r.output()
    );
}

#[test]
fn fcgi_program_gets_the_socket_on_stdin() {
    let s = Scenario::new(&conf(
        "[fcgi-program:fcgi]
socket=unix://{dir}/fcgi.sock
command=sh -c 'stat -L -c %%F /dev/stdin; exec sleep 1000'
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=0
",
    ));
    let mut r = s.run(&[]);
    assert!(r.wait_for_count("| socket", 2, 5 * S), "{}", r.output());
    let out = r.output();
    assert_eq!(
        out.matches(&format!(
            "Creating socket unix://{}/fcgi.sock",
            s.path().display()
        ))
        .count(),
        2,
        "{out}"
    );
    assert!(s.file("fcgi.sock").exists());
    r.stop(5 * S);
    let out = r.output();
    assert!(
        out.contains(&format!(
            "Closing socket unix://{}/fcgi.sock",
            s.path().display()
        )),
        "{out}"
    );
}

#[test]
fn a_listener_that_breaks_the_protocol_is_unknown() {
    let s = Scenario::new(&conf(
        "[eventlistener:ev]
command=sh -c 'echo nonsense; exec sleep 100'
events=PROCESS_STATE

[program:web]
command={fixtures}/long.sh
startsecs=0
",
    ));
    let mut r = s.run(&[]);
    r.expect("spawned: 'ev'", 5 * S);
    r.expect(
        "WARN ev: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol",
        5 * S,
    );
    r.expect("success: web", 5 * S);
    r.stop(5 * S);
}

#[test]
fn user_is_applied_when_running_as_root() {
    if !nix::unistd::getuid().is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let s = Scenario::new(&conf(
        "[program:who]
command=sh -c 'id -un; exec sleep 1000'
user=nobody
startsecs=0
",
    ));
    let mut r = s.run(&[]);
    r.expect("who | nobody", 5 * S);
    r.stop(5 * S);
}

#[test]
fn console_log_files_are_not_echoed_twice() {
    let s = Scenario::new(&conf(
        "[program:direct]
command=sh -c 'echo straight to the console; exec sleep 1000'
startsecs=0
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
",
    ));
    let mut r = s.run(&[]);
    r.expect("straight to the console", 5 * S);
    std::thread::sleep(Duration::from_millis(200));
    let out = r.output();
    assert_eq!(out.matches("straight to the console").count(), 1, "{out}");
    assert!(!out.contains("direct | "), "{out}");
    r.stop(5 * S);
}

#[test]
fn control_socket_in_use_or_stale() {
    let s = Scenario::new(&conf(
        "[program:web]\ncommand={fixtures}/long.sh\nstartsecs=0\n",
    ));
    let mut first = s.run(&[]);
    first.expect("success: web", 5 * S);
    let mut second = s.run(&[]);
    assert_eq!(second.wait(5 * S).and_then(|s| s.code()), Some(2));
    assert!(
        second.output().contains("Error: Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord."),
        "{}",
        second.output()
    );
    // A runner killed with SIGKILL leaves its socket file behind.
    first.signal(nix::libc::SIGKILL);
    first.wait(5 * S);
    assert!(s.file("s.sock").exists());
    let mut third = s.run(&[]);
    third.expect("success: web", 5 * S);
    assert!(
        third.output().contains("Unlinking stale socket"),
        "{}",
        third.output()
    );
    assert_eq!(third.stop(5 * S).and_then(|s| s.code()), Some(0));
}
