//! `supc run` as process 1 of a new PID namespace (`unshare --pid
//! --fork`, as in a container): orphans it adopts are reaped (no zombie
//! stays), signals supervisord gives no meaning are forwarded to every
//! running process, and SIGTERM stops everything cleanly.

mod run_common;

use run_common::{HEADER, Runner, Scenario, children};
use std::process::Command;
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

const CONFIG: &str = "
[program:orphans]
command=sh -c 'while true; do (sleep 0.1 &); sleep 0.3; done'
startsecs=0

[program:usr1]
command=sh -c 'trap \"echo got >> {dir}/usr1.txt\" USR1; while true; do sleep 0.1; done'
startsecs=0
";

/// Whether this machine lets us make a PID namespace.
fn unshare_works() -> bool {
    Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

/// The runner's pid (outside the namespace): unshare's only child.
fn runner_pid(unshare: i32) -> i32 {
    let end = Instant::now() + 10 * S;
    while Instant::now() < end {
        if let Some((p, _)) = children(unshare).first() {
            return *p;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("unshare has no child");
}

#[test]
fn as_process_1_it_reaps_orphans_and_forwards_signals() {
    if !unshare_works() {
        eprintln!(
            "SKIPPED as_process_1_it_reaps_orphans_and_forwards_signals: needs unshare --pid (root, util-linux)"
        );
        return;
    }
    let sc = Scenario::new(&format!("{HEADER}{CONFIG}"));
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--kill-child"])
        .arg(env!("CARGO_BIN_EXE_supc"))
        .args(["run", "--no-color", "--quiet"])
        .arg(&sc.conf);
    let mut r = Runner::spawn(cmd, sc.path());
    r.expect("success: usr1", 10 * S);
    let pid = runner_pid(r.pid);
    // It knows it is process 1.
    assert!(
        r.wait_for("supervisord started with pid 1", 5 * S),
        "{}",
        r.output()
    );

    // Orphans (the sleeps of finished subshells) are adopted and reaped.
    assert!(
        r.wait_for_count("reaped unknown pid", 3, 10 * S),
        "{}",
        r.output()
    );
    for _ in 0..10 {
        let zombies: Vec<i32> = children(pid)
            .into_iter()
            .filter(|(_, st)| st == "Z")
            .map(|(p, _)| p)
            .collect();
        // A zombie may exist for the instant between exit and reaping;
        // none may stay.
        if zombies.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let still: Vec<i32> = children(pid)
            .into_iter()
            .filter(|(p, st)| st == "Z" && zombies.contains(p))
            .map(|(p, _)| p)
            .collect();
        assert!(still.is_empty(), "zombies stay: {still:?}");
    }

    // SIGUSR1 goes on to the processes.
    // SAFETY: kill(2) on the runner this test started.
    unsafe {
        nix::libc::kill(pid, nix::libc::SIGUSR1);
    }
    let end = Instant::now() + 10 * S;
    while !sc.read("usr1.txt").contains("got") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(sc.read("usr1.txt").contains("got"), "{}", r.output());
    assert!(r.output().contains("received SIGUSR1 as process 1"));

    // SIGTERM to process 1 stops everything and exits 0.
    // SAFETY: as above.
    unsafe {
        nix::libc::kill(pid, nix::libc::SIGTERM);
    }
    let st = r.wait(15 * S);
    assert_eq!(st.and_then(|s| s.code()), Some(0), "{}", r.output());
    assert!(r.output().contains("stopped: usr1"), "{}", r.output());
}
