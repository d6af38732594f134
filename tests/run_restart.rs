//! SIGHUP and `supervisorctl reload` restart everything as supervisord
//! does (stop all, read the config again, start all, the startup lines
//! written to the main log again), and a config that no longer reads ends
//! the runner with supervisord's usage error (exit 2). Compared with the
//! real supervisord 4.3.0 (`python -m supervisor.supervisord -n`).

mod run_common;

use run_common::{HEADER, Runner, Scenario, log_lines, mask_number_after, supervisorctl};
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

const CONFIG: &str = "
[program:one]
command=sleep 100
startsecs=0

[program:two]
command=sleep 100
startsecs=0
priority=5
";

struct Side {
    scenario: Scenario,
    runner: Runner,
}

impl Side {
    fn log(&self) -> String {
        self.scenario.read("supervisord.log")
    }

    fn wait_count(&self, needle: &str, n: usize) {
        let end = Instant::now() + 20 * S;
        while Instant::now() < end {
            if self.log().matches(needle).count() >= n {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no {n} x {needle:?} in:\n{}", self.log());
    }

    /// The main log without times, pids masked.
    fn lines(&self) -> Vec<String> {
        log_lines(&self.log())
            .iter()
            .map(|l| mask_number_after(l, "pid "))
            .collect()
    }
}

fn both(text: &str) -> [Side; 2] {
    [true, false].map(|supervisord| {
        let (scenario, runner) = Scenario::start_side(text, supervisord);
        Side { scenario, runner }
    })
}

/// Both sides restarted (every process started twice, the startup lines
/// written twice) and their main logs read the same.
fn restarted_alike(sides: &[Side; 2]) {
    for side in sides {
        side.wait_count("success: two", 2);
        side.wait_count("supervisord started with pid", 2);
    }
    std::thread::sleep(Duration::from_millis(300));
    let [theirs, ours] = sides;
    assert_eq!(
        theirs.lines(),
        ours.lines(),
        "supervisord:\n{}\nsupc:\n{}",
        theirs.log(),
        ours.log()
    );
}

#[test]
fn sighup_restarts_like_supervisord() {
    let text = format!("{HEADER}{CONFIG}");
    let mut sides = both(&text);
    for side in &sides {
        side.wait_count("success: two", 1);
        side.runner.signal(nix::libc::SIGHUP);
    }
    restarted_alike(&sides);
    let [theirs, ours] = &mut sides;
    assert!(
        ours.log()
            .contains("WARN received SIGHUP indicating restart request")
    );
    for side in [theirs, ours] {
        let st = side.runner.stop(15 * S);
        assert_eq!(st.and_then(|s| s.code()), Some(0));
    }
}

#[test]
fn reload_writes_the_startup_lines_again() {
    let text = format!("{HEADER}{CONFIG}");
    let mut sides = both(&text);
    for side in &sides {
        side.wait_count("success: two", 1);
        let (code, out) = supervisorctl(&side.scenario.conf, &["reload"]);
        assert_eq!(code, 0, "{out}");
    }
    restarted_alike(&sides);
    let [theirs, ours] = &mut sides;
    let startup = ours
        .lines()
        .iter()
        .filter(|l| l.contains("RPC interface 'supervisor' initialized"))
        .count();
    assert_eq!(startup, 2);
    for side in [theirs, ours] {
        side.runner.stop(15 * S);
    }
}

#[test]
fn a_broken_config_at_restart_exits_2_like_supervisord() {
    let text = format!("{HEADER}{CONFIG}");
    let mut sides = both(&text);
    for side in &sides {
        side.wait_count("success: two", 1);
        side.scenario.write(&format!(
            "{HEADER}{CONFIG}\n[program:bad]\nautostart=true\n"
        ));
        side.runner.signal(nix::libc::SIGHUP);
    }
    let mut errors = Vec::new();
    for side in &mut sides {
        let st = side.runner.wait(20 * S);
        assert_eq!(st.and_then(|s| s.code()), Some(2), "{}", side.log());
        let out = side.runner.output();
        let error: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("Error: ") || l.starts_with("For help, use "))
            .collect();
        assert_eq!(error.len(), 2, "{out}");
        assert!(error[1].ends_with(" -h"), "{out}");
        errors.push(error[0].replace(side.scenario.path().to_str().unwrap(), "{dir}"));
    }
    assert_eq!(errors[0], errors[1]);
}
