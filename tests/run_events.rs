//! Event listeners, differential: the same config under the real
//! supervisord 4.3.0 (`python -m supervisor.supervisord -n`) and under
//! `supc run`, driven through the same scripted scenario by the real
//! supervisorctl and XML-RPC (start, crash, backoff, fatal, stop, start,
//! log output events, capture mode, remote communication with a FAIL and
//! its re-send, group remove/add, a listener restart). A listener written
//! for the tests (`fixtures/run/listener_record.py`) records every
//! envelope; the recorded streams must be the same up to pids, serials
//! and timing: events are compared per process (and per event type for
//! the others), in order, since processes run concurrently.

mod run_common;

use run_common::{HEADER, Runner, Scenario, mask_pid, supervisorctl, xmlrpc_script};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

const CONFIG: &str = "
[eventlistener:rec]
command={python} {fixtures}/listener_record.py
events=PROCESS_STATE,PROCESS_LOG,PROCESS_COMMUNICATION,REMOTE_COMMUNICATION,PROCESS_GROUP,SUPERVISOR_STATE_CHANGE
environment=RECORD_FILE=\"{dir}/events.jsonl\",FAIL_ONCE=\"REMOTE_COMMUNICATION\"
buffer_size=100

[eventlistener:ticks]
command={python} {fixtures}/listener_record.py
events=TICK_5
environment=RECORD_FILE=\"{dir}/ticks.jsonl\"

[eventlistener:deaf]
command=sleep 1000
events=PROCESS_STATE
buffer_size=2

[program:ok]
command=sh -c 'echo hello; exec sleep 100'
startsecs=1
stdout_events_enabled=true

[program:crash]
command=sh -c 'exit 3'
startsecs=1
startretries=1

[program:comm]
command=sh -c 'printf \"a<!--XSUPERVISOR:BEGIN-->secret<!--XSUPERVISOR:END-->b\\n\"; exec sleep 100'
stdout_capture_maxbytes=1KB
startsecs=1

[program:later]
command=sleep 100
autostart=false

[program:slowstop]
command=sh -c 'trap \"sleep 1; exit 0\" TERM; while :; do sleep 0.1; done'
startsecs=1
";

struct Side {
    scenario: Scenario,
    runner: Runner,
}

impl Side {
    fn new(supervisord: bool) -> Side {
        let (scenario, runner) = Scenario::start_side(&format!("{HEADER}{CONFIG}"), supervisord);
        Side { scenario, runner }
    }

    fn records(&self, file: &str) -> Vec<Value> {
        self.scenario
            .read(file)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Waits until the recorded events include `eventname` with a payload
    /// containing `needle`, `n` times.
    fn wait_event(&self, eventname: &str, needle: &str, n: usize) {
        let end = Instant::now() + 20 * S;
        while Instant::now() < end {
            let count = self
                .records("events.jsonl")
                .iter()
                .filter(|r| {
                    r["header"]["eventname"] == eventname
                        && r["payload"].as_str().unwrap_or("").contains(needle)
                })
                .count();
            if count >= n {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "no {eventname} {needle:?} (x{n}); recorded:\n{}\nlog:\n{}",
            self.scenario.read("events.jsonl"),
            self.scenario.read("supervisord.log")
        );
    }

    fn ctl(&self, args: &[&str]) -> String {
        supervisorctl(&self.scenario.conf, args).1
    }

    fn remote_comm(&self) {
        let (ok, out) = xmlrpc_script(
            &self.scenario.file("s.sock"),
            "assert p.supervisor.sendRemoteCommEvent('mytype', 'my data') is True\n",
        );
        assert!(ok, "{out}");
    }

    /// The scenario after start-up.
    fn drive(&self) {
        self.wait_event("PROCESS_STATE_FATAL", "processname:crash", 1);
        self.wait_event("PROCESS_STATE_RUNNING", "processname:comm", 1);
        self.wait_event("PROCESS_STATE_RUNNING", "processname:ok", 1);
        self.wait_event("PROCESS_STATE_RUNNING", "processname:slowstop", 1);
        self.remote_comm();
        self.wait_event("REMOTE_COMMUNICATION", "type:mytype", 2);
        assert!(self.ctl(&["stop", "ok"]).contains("ok: stopped"));
        assert!(self.ctl(&["start", "ok"]).contains("ok: started"));
        self.wait_event("PROCESS_STATE_RUNNING", "processname:ok", 2);
        assert!(
            self.ctl(&["remove", "later"])
                .contains("later: removed process group")
        );
        assert!(
            self.ctl(&["add", "later"])
                .contains("later: added process group")
        );
        self.wait_event("PROCESS_GROUP_ADDED", "groupname:later", 2);
        let status = self.ctl(&["status", "rec"]);
        assert!(status.contains("RUNNING"), "{status}");
        assert!(self.ctl(&["restart", "rec"]).contains("rec: started"));
        self.wait_event("PROCESS_STATE_RUNNING", "processname:rec", 2);
    }

    fn stop(&mut self) {
        let st = self.runner.stop(15 * S);
        assert_eq!(
            st.and_then(|s| s.code()),
            Some(0),
            "{}",
            self.scenario.read("supervisord.log")
        );
    }
}

/// The recorded envelopes as streams that do not depend on timing: per
/// process (by `processname:`), else per event name; each entry is
/// `EVENTNAME answer payload` with pids masked. Also checks each header:
/// its fields, `len` = the payload's length, the pool name.
fn streams(records: &[Value], pool: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in records {
        let h = r["header"].as_object().expect("header");
        let keys: Vec<&str> = h.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "ver",
                "server",
                "serial",
                "pool",
                "poolserial",
                "eventname",
                "len"
            ]
        );
        assert_eq!(h["ver"], "3.0");
        assert_eq!(h["server"], "supervisor");
        assert_eq!(h["pool"], pool);
        let payload = r["payload"].as_str().unwrap();
        assert_eq!(
            h["len"].as_str().unwrap().parse::<usize>().unwrap(),
            payload.chars().count()
        );
        let name = h["eventname"].as_str().unwrap();
        let key = payload
            .strip_prefix("processname:")
            .and_then(|p| p.split(' ').next())
            .map_or_else(|| name.to_string(), |p| format!("process {p}"));
        out.entry(key).or_default().push(format!(
            "{name} {} {}",
            r["answer"].as_str().unwrap(),
            mask_pid(payload)
        ));
    }
    out
}

/// Serials grow by one per event; a re-sent event keeps its serials.
fn check_serials(records: &[Value]) {
    let mut last: Option<(u64, u64)> = None;
    for r in records {
        let n = |k: &str| r["header"][k].as_str().unwrap().parse::<u64>().unwrap();
        let (serial, pool) = (n("serial"), n("poolserial"));
        if let Some((ls, lp)) = last {
            assert!(serial > ls || (serial == ls && pool == lp), "{records:#?}");
        }
        last = Some((serial, pool));
    }
}

#[test]
fn listener_streams_match_supervisord() {
    let mut theirs = Side::new(true);
    let mut ours = Side::new(false);
    theirs.drive();
    ours.drive();
    // A tick for the tick listener (5 s slices).
    for side in [&theirs, &ours] {
        let end = Instant::now() + 12 * S;
        let ticked = || {
            side.records("ticks.jsonl")
                .iter()
                .any(|r| r["header"]["eventname"] == "TICK_5")
        };
        while !ticked() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    // What happens during shutdown depends on timing (which listener is
    // still running): the streams are compared up to here.
    std::thread::sleep(Duration::from_millis(300));
    let (t, o) = (theirs.records("events.jsonl"), ours.records("events.jsonl"));
    theirs.stop();
    ours.stop();
    // slowstop takes a second to stop, so the listener (stopped last,
    // priority -1) has time to take SUPERVISOR_STATE_CHANGE_STOPPING.
    let stopping = |side: &Side| {
        side.records("events.jsonl")
            .iter()
            .any(|r| r["header"]["eventname"] == "SUPERVISOR_STATE_CHANGE_STOPPING")
    };
    assert!(stopping(&theirs) && stopping(&ours));

    check_serials(&o);
    let (ts, os) = (streams(&t, "rec"), streams(&o, "rec"));
    assert_eq!(ts, os, "supervisord:\n{ts:#?}\nsupc:\n{os:#?}");
    // The scenario produced what it was written for.
    let all: Vec<&String> = os.values().flatten().collect();
    for needle in [
        "PROCESS_STATE_BACKOFF OK processname:crash groupname:crash from_state:STARTING tries:2",
        "PROCESS_STATE_FATAL OK processname:crash",
        "PROCESS_COMMUNICATION_STDOUT OK processname:comm groupname:comm pid:N\nsecret",
        "PROCESS_LOG_STDOUT OK processname:ok groupname:ok pid:N channel:stdout\nhello\n",
        "REMOTE_COMMUNICATION FAIL type:mytype\nmy data",
        "REMOTE_COMMUNICATION OK type:mytype\nmy data",
        "PROCESS_GROUP_REMOVED OK groupname:later\n",
        "SUPERVISOR_STATE_CHANGE_RUNNING OK ",
        "PROCESS_STATE_EXITED",
    ] {
        if needle == "PROCESS_STATE_EXITED" {
            // crash exits too quickly: BACKOFF, never EXITED.
            assert!(!all.iter().any(|e| e.starts_with(needle)));
            continue;
        }
        assert!(all.iter().any(|e| e.starts_with(needle)), "{needle:?}");
    }

    // Ticks: same header and payload form, `when` on a 5 s boundary.
    // supervisord also hands the rejected REMOTE_COMMUNICATION to the
    // tick pool (its `handle_rejected` compares processes by priority, and
    // every listener has priority -1); supc by design re-buffers a
    // rejected event only in the pool whose listener rejected it.
    for (side, leak) in [(&theirs, true), (&ours, false)] {
        let ticks = side.records("ticks.jsonl");
        let (tick, other): (Vec<&Value>, Vec<&Value>) = ticks
            .iter()
            .partition(|r| r["header"]["eventname"] == "TICK_5");
        let leaked: Vec<&str> = other
            .iter()
            .map(|r| r["header"]["eventname"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if leak { &["REMOTE_COMMUNICATION"] } else { &[] };
        assert_eq!(leaked, expected, "{ticks:#?}");
        assert!(!tick.is_empty(), "no TICK_5: {ticks:#?}");
        let when: u64 = tick[0]["payload"].as_str().unwrap()["when:".len()..]
            .parse()
            .unwrap();
        assert_eq!(when % 5, 0);
    }

    // A listener that never says READY: its pool of 2 overflows, with
    // supervisord's log line, in both.
    for side in [&theirs, &ours] {
        let log = side.scenario.read("supervisord.log");
        assert!(
            log.contains("ERRO pool deaf event buffer overflowed, discarding event "),
            "{log}"
        );
    }
}
