//! Removing and adding back an event listener group, differential: the
//! same config under the real supervisord 4.3.0 (`-n`) and under `supc
//! run`, driven by the real supervisorctl. `remove` of the running
//! listener is refused, `stop` then `remove` drops it, `add` brings it
//! back; the supervisorctl transcript (`avail` and `status` between the
//! steps), what a second listener records about the group
//! (PROCESS_GROUP_REMOVED/ADDED and the listener's state changes) and
//! what the listener itself receives (an event before the removal, none
//! while it is gone, one after it is back) must be the same.

mod run_common;

use run_common::{HEADER, Runner, Scenario, mask, mask_pid, supervisorctl, xmlrpc_script};
use serde_json::Value;
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

const CONFIG: &str = "
[eventlistener:rec]
command={python} {fixtures}/listener_record.py
events=PROCESS_STATE,PROCESS_GROUP
environment=RECORD_FILE=\"{dir}/rec.jsonl\"

[eventlistener:target]
command={python} {fixtures}/listener_record.py
events=REMOTE_COMMUNICATION
environment=RECORD_FILE=\"{dir}/target.jsonl\"

[program:idle]
command=sleep 100
startsecs=0
";

/// What one supervisor did in the scenario.
#[derive(Debug, PartialEq)]
struct Observed {
    /// Each supervisorctl command and its masked output.
    transcript: Vec<String>,
    /// What `rec` recorded about the `target` group, in order.
    about_target: Vec<String>,
    /// What `target` received, in order.
    received: Vec<String>,
}

struct Side {
    scenario: Scenario,
    runner: Runner,
    transcript: Vec<String>,
}

impl Side {
    fn new(supervisord: bool) -> Side {
        let (scenario, runner) = Scenario::start_side(&format!("{HEADER}{CONFIG}"), supervisord);
        Side {
            scenario,
            runner,
            transcript: Vec::new(),
        }
    }

    /// `EVENTNAME payload` of each recorded envelope (pids masked).
    fn events(&self, file: &str) -> Vec<String> {
        self.scenario
            .read(file)
            .lines()
            .map(|l| {
                let r: Value = serde_json::from_str(l).expect("a JSON line");
                let name = r["header"]["eventname"].as_str().unwrap_or("");
                format!("{name} {}", mask_pid(r["payload"].as_str().unwrap_or("")))
            })
            .collect()
    }

    /// Waits until `file` holds `n` events containing `needle`.
    fn wait_events(&self, file: &str, needle: &str, n: usize) {
        let end = Instant::now() + 20 * S;
        while Instant::now() < end {
            if self
                .events(file)
                .iter()
                .filter(|e| e.contains(needle))
                .count()
                >= n
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "no {needle:?} (x{n}) in {file}:\n{}\nlog:\n{}",
            self.scenario.read(file),
            self.scenario.read("supervisord.log")
        );
    }

    fn ctl(&mut self, args: &[&str]) -> String {
        let (code, out) = supervisorctl(&self.scenario.conf, args);
        let out = mask(&out);
        self.transcript
            .push(format!("$ {} (exit {code})\n{out}", args.join(" ")));
        out
    }

    fn remote_comm(&self, data: &str) {
        let (ok, out) = xmlrpc_script(
            &self.scenario.file("s.sock"),
            &format!("assert p.supervisor.sendRemoteCommEvent('t', '{data}') is True\n"),
        );
        assert!(ok, "{out}");
    }

    fn drive(mut self) -> Observed {
        let running = "PROCESS_STATE_RUNNING processname:target";
        self.wait_events("rec.jsonl", running, 1);
        self.wait_events("rec.jsonl", "PROCESS_STATE_RUNNING processname:idle", 1);
        self.remote_comm("before");
        self.wait_events("target.jsonl", "before", 1);
        self.ctl(&["remove", "target"]);
        self.ctl(&["stop", "target"]);
        self.ctl(&["remove", "target"]);
        self.wait_events("rec.jsonl", "PROCESS_GROUP_REMOVED groupname:target", 1);
        self.ctl(&["avail"]);
        self.ctl(&["status"]);
        self.remote_comm("while removed");
        self.ctl(&["add", "target"]);
        self.wait_events("rec.jsonl", "PROCESS_GROUP_ADDED groupname:target", 1);
        self.wait_events("rec.jsonl", running, 2);
        self.ctl(&["avail"]);
        self.ctl(&["status"]);
        self.remote_comm("after");
        self.wait_events("target.jsonl", "after", 1);
        // Anything late would show in the comparison.
        std::thread::sleep(Duration::from_millis(300));
        let observed = Observed {
            transcript: std::mem::take(&mut self.transcript),
            about_target: self
                .events("rec.jsonl")
                .into_iter()
                .filter(|e| e.contains("groupname:target"))
                .collect(),
            received: self.events("target.jsonl"),
        };
        let st = self.runner.stop(15 * S);
        assert_eq!(
            st.and_then(|s| s.code()),
            Some(0),
            "{}",
            self.scenario.read("supervisord.log")
        );
        observed
    }
}

#[test]
fn listener_group_remove_and_add_match_supervisord() {
    let theirs = Side::new(true).drive();
    let ours = Side::new(false).drive();
    assert_eq!(theirs, ours);
    // The scenario did what it was written for.
    let transcript = ours.transcript.concat();
    for needle in [
        "ERROR: process/group still running: target",
        "target: stopped",
        "target: removed process group",
        "target: added process group",
    ] {
        assert!(transcript.contains(needle), "{needle:?}:\n{transcript}");
    }
    assert_eq!(
        ours.received,
        [
            "REMOTE_COMMUNICATION type:t\nbefore",
            "REMOTE_COMMUNICATION type:t\nafter"
        ]
    );
    let kinds: Vec<&str> = ours
        .about_target
        .iter()
        .map(|e| e.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        [
            "PROCESS_GROUP_ADDED",
            "PROCESS_STATE_STARTING",
            "PROCESS_STATE_RUNNING",
            "PROCESS_STATE_STOPPING",
            "PROCESS_STATE_STOPPED",
            "PROCESS_GROUP_REMOVED",
            "PROCESS_GROUP_ADDED",
            "PROCESS_STATE_STARTING",
            "PROCESS_STATE_RUNNING",
        ],
        "{:#?}",
        ours.about_target
    );
}
