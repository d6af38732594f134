//! Differential: the same scenario configs under the real supervisord
//! 4.3.0 (`python -m supervisor.supervisord -n`, the oracle's python) and
//! under `supc run`; the transition log lines (pids and timestamps masked)
//! must be the same. Timing differs by design (supervisord looks at its
//! processes once a second, the runner when something happens), so the
//! scenarios are built so that the sequence does not depend on timing, and
//! lines are compared per process, plus the global order where the
//! scenario defines one (start and stop order).

mod run_common;

use run_common::{HEADER, Runner, Scenario, oracle_python};
use std::process::Command;
use std::time::Duration;

const S: Duration = Duration::from_secs(1);

/// The transition lines of a main log: `LEVEL message`, pids masked.
fn transitions(log: &str) -> Vec<String> {
    const KINDS: [&str; 11] = [
        "Creating socket ",
        "Closing socket ",
        "killing p",
        "spawned: ",
        "success: ",
        "exited: ",
        "gave up: ",
        "stopped: ",
        "spawnerr: ",
        "killing '",
        "received SIGTERM",
    ];
    run_common::log_lines(log)
        .into_iter()
        .filter(|l| {
            let msg = l.split_once(' ').map_or("", |(_, m)| m);
            KINDS.iter().any(|k| msg.starts_with(k))
        })
        .map(|l| mask_pids(&l))
        .collect()
}

fn mask_pids(line: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    for c in line.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            // Exit statuses and seconds are short; pids are not.
            if digits.len() >= 3 && (out.ends_with("pid ") || out.ends_with('(')) {
                out.push_str("PID");
            } else {
                out.push_str(&digits);
            }
            digits.clear();
        }
        out.push(c);
    }
    if !digits.is_empty() {
        if digits.len() >= 3 && out.ends_with("pid ") {
            out.push_str("PID");
        } else {
            out.push_str(&digits);
        }
    }
    out
}

/// The lines about one process.
fn about<'a>(lines: &'a [String], name: &str) -> Vec<&'a String> {
    let needles = [
        format!("'{name}'"),
        format!(": {name} "),
        format!(": {name}"),
    ];
    lines
        .iter()
        .filter(|l| {
            needles[..2].iter().any(|n| l.contains(n.as_str())) || l.ends_with(needles[2].as_str())
        })
        .collect()
}

struct Side {
    scenario: Scenario,
    runner: Runner,
}

impl Side {
    fn supervisord(text: &str) -> Side {
        let scenario = Scenario::new(text);
        let mut cmd = Command::new(oracle_python());
        cmd.args(["-m", "supervisor.supervisord", "-n", "-c"])
            .arg(&scenario.conf);
        let runner = Runner::spawn(cmd, scenario.path());
        Side { scenario, runner }
    }

    fn supc(text: &str) -> Side {
        let scenario = Scenario::new(text);
        let runner = scenario.run(&["--quiet"]);
        Side { scenario, runner }
    }

    fn log(&self) -> String {
        self.scenario.read("supervisord.log")
    }

    fn wait_log(&self, needle: &str, timeout: Duration) {
        let end = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < end {
            if self.log().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no {needle:?} in:\n{}", self.log());
    }

    fn stop(&mut self) {
        let st = self.runner.stop(10 * S);
        assert_eq!(st.and_then(|s| s.code()), Some(0), "{}", self.log());
    }
}

/// Runs `text` under both, waits for every `ready` line, stops both, and
/// returns their transition lines.
fn both(text: &str, ready: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut theirs = Side::supervisord(text);
    let mut ours = Side::supc(text);
    for side in [&theirs, &ours] {
        for r in ready {
            side.wait_log(r, 15 * S);
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    theirs.stop();
    ours.stop();
    (transitions(&theirs.log()), transitions(&ours.log()))
}

#[test]
fn lifecycle_matches_supervisord() {
    let programs = [
        ("long", "command={fixtures}/long.sh\nstartsecs=1\n"),
        (
            "flip",
            "command={fixtures}/flip.sh {dir}/flipped 1.5\nstartsecs=1\nautorestart=unexpected\n",
        ),
        (
            "quick",
            "command={fixtures}/exit.sh 2 0.2\nstartsecs=3\nstartretries=1\n",
        ),
        ("missing", "command=/nonexistent/program\nstartretries=1\n"),
        (
            "stubborn",
            "command={fixtures}/ignore_term.sh\nstartsecs=0\nstopwaitsecs=1\n",
        ),
        (
            "once",
            "command={fixtures}/exit.sh 0 0.2\nstartsecs=0\nautorestart=false\n",
        ),
        ("manual", "command={fixtures}/long.sh\nautostart=false\n"),
    ];
    let mut text = HEADER.to_string();
    for (name, body) in programs {
        text.push_str(&format!("\n[program:{name}]\n{body}"));
    }
    let (theirs, ours) = both(
        &text,
        &[
            "success: long",
            "exited: flip (exit status 0; expected)",
            "gave up: quick",
            "gave up: missing",
            "exited: once",
        ],
    );
    for (name, _) in programs {
        assert_eq!(
            about(&theirs, name),
            about(&ours, name),
            "{name}\nsupervisord:\n{}\nsupc:\n{}",
            theirs.join("\n"),
            ours.join("\n")
        );
    }
    let spawnerrs = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| l.contains("spawnerr"))
            .cloned()
            .collect()
    };
    assert_eq!(spawnerrs(&theirs), spawnerrs(&ours));
    // The first transition spawns every autostart program in order.
    assert_eq!(theirs[..6], ours[..6], "{theirs:#?}\n{ours:#?}");
    // Sanity: the scenario did what it is about.
    let joined = ours.join("\n");
    for want in [
        "WARN exited: flip (exit status 3; not expected)",
        "INFO exited: flip (exit status 0; expected)",
        "INFO gave up: quick entered FATAL state, too many start retries too quickly",
        "INFO spawnerr: can't find command '/nonexistent/program'",
        "WARN killing 'stubborn' (PID) with SIGKILL",
        "WARN stopped: stubborn (terminated by SIGKILL)",
        "WARN stopped: long (terminated by SIGTERM)",
    ] {
        assert!(joined.contains(want), "no {want:?} in\n{joined}");
    }
}

/// Sorts each run of consecutive `stopped: PREFIX…` lines (one group).
fn sort_group_stops(mut lines: Vec<String>, prefix: &str) -> Vec<String> {
    let needle = format!("stopped: {prefix}");
    let is_g2 = |l: &String| l.contains(&needle);
    let mut i = 0;
    while i < lines.len() {
        if is_g2(&lines[i]) {
            let start = i;
            while i < lines.len() && is_g2(&lines[i]) {
                i += 1;
            }
            lines[start..i].sort();
        } else {
            i += 1;
        }
    }
    lines
}

#[test]
fn priorities_match_supervisord() {
    let text = format!(
        "{HEADER}
[program:p3]
command={{fixtures}}/record.sh p3 {{dir}}/order
priority=300
startsecs=0

[program:p1]
command={{fixtures}}/record.sh p1 {{dir}}/order
priority=100
startsecs=0

[group:g2]
programs=p2a,p2b
priority=200

[program:p2a]
command={{fixtures}}/record.sh p2a {{dir}}/order
priority=20
startsecs=0

[program:p2b]
command={{fixtures}}/record.sh p2b {{dir}}/order
priority=10
startsecs=0
"
    );
    let text = text.replacen("[supervisord]\n", "[supervisord]\nloglevel=debug\n", 1);
    let (theirs, ours) = both(
        &text,
        &["success: p1", "success: p2a", "success: p2b", "success: p3"],
    );
    // The stop signals of one group go out together (in reverse priority
    // order, which the debug lines show); which process is reaped first
    // is a race, so the stopped lines of a group are compared as a set.
    let (theirs, ours) = (sort_group_stops(theirs, "p2"), sort_group_stops(ours, "p2"));
    let killing: Vec<&str> = ours
        .iter()
        .filter(|l| l.contains("killing"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        killing,
        [
            "DEBG killing p3 (pid PID) with signal SIGTERM",
            "DEBG killing p2a (pid PID) with signal SIGTERM",
            "DEBG killing p2b (pid PID) with signal SIGTERM",
            "DEBG killing p1 (pid PID) with signal SIGTERM",
        ]
    );
    assert_eq!(
        theirs,
        ours,
        "supervisord:\n{}\nsupc:\n{}",
        theirs.join("\n"),
        ours.join("\n")
    );
}

#[test]
fn fcgi_program_matches_supervisord() {
    let text = format!(
        "{HEADER}
[fcgi-program:fcgi]
socket=unix://{{dir}}/fcgi.sock
command={{fixtures}}/long.sh
numprocs=2
process_name=%(program_name)s_%(process_num)d
startsecs=0
"
    );
    let (theirs, ours) = both(&text, &["success: fcgi_0", "success: fcgi_1"]);
    let dirless = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .map(|l| match l.find("unix://") {
                Some(i) => format!("{}unix://DIR/fcgi.sock", &l[..i]),
                None => l,
            })
            .collect()
    };
    // Which of the group's processes is reaped first is a race.
    let (theirs, ours) = (
        sort_group_stops(dirless(theirs), "fcgi_"),
        sort_group_stops(dirless(ours), "fcgi_"),
    );
    assert_eq!(
        theirs,
        ours,
        "supervisord:\n{}\nsupc:\n{}",
        theirs.join("\n"),
        ours.join("\n")
    );
    assert_eq!(ours[0], "INFO Creating socket unix://DIR/fcgi.sock");
}
