//! The actions of supervisord's status page (`StatusView.make_callback`):
//! each is an XML-RPC call of supervisor's own interface, and the message
//! shown afterwards (`index.html?message=...`) is supervisord's.

use crate::run::rpc_interface::faults::*;
use crate::run::xmlrpc_codec::{Fault, Value};

/// What the page does for `action=...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Refresh,
    StopAll,
    RestartAll,
    Start(String),
    Stop(String),
    Restart(String),
    ClearLog(String),
}

impl Action {
    /// The action named by the query; None for an unknown action, or one
    /// that needs a process name without one.
    pub fn parse(action: &str, processname: Option<&str>) -> Option<Action> {
        let name = || processname.filter(|n| !n.is_empty()).map(str::to_string);
        Some(match action {
            "refresh" => Action::Refresh,
            "stopall" => Action::StopAll,
            "restartall" => Action::RestartAll,
            "start" => Action::Start(name()?),
            "stop" => Action::Stop(name()?),
            "restart" => Action::Restart(name()?),
            "clearlog" => Action::ClearLog(name()?),
            _ => return None,
        })
    }

    /// The process it acts on.
    pub fn process(&self) -> Option<&str> {
        match self {
            Action::Start(n) | Action::Stop(n) | Action::Restart(n) | Action::ClearLog(n) => {
                Some(n)
            }
            _ => None,
        }
    }

    /// The XML-RPC call that does it (None: nothing to do).
    pub fn call(&self) -> Option<(String, Vec<Value>)> {
        let one = |m: &str, n: &str| Some((format!("supervisor.{m}"), vec![Value::str(n)]));
        let multi = |calls: Vec<(&str, Vec<Value>)>| {
            let calls = calls
                .into_iter()
                .map(|(m, params)| {
                    Value::Struct(vec![
                        ("methodName".into(), Value::str(format!("supervisor.{m}"))),
                        ("params".into(), Value::Array(params)),
                    ])
                })
                .collect();
            Some(("system.multicall".to_string(), vec![Value::Array(calls)]))
        };
        match self {
            Action::Refresh => None,
            Action::StopAll => Some(("supervisor.stopAllProcesses".into(), vec![])),
            Action::RestartAll => multi(vec![
                ("stopAllProcesses", vec![]),
                ("startAllProcesses", vec![]),
            ]),
            Action::Start(n) => one("startProcess", n),
            Action::Stop(n) => one("stopProcess", n),
            Action::Restart(n) => multi(vec![
                ("stopProcess", vec![Value::str(n)]),
                ("startProcess", vec![Value::str(n)]),
            ]),
            Action::ClearLog(n) => one("clearProcessLogs", n),
        }
    }

    /// supervisord's message once the call answered.
    pub fn message(&self, result: Result<Value, Fault>, now: &str) -> String {
        let unexpected = |f: &Fault| format!("unexpected rpc fault [{}] {}", f.code, f.text);
        match (self, result) {
            (Action::Refresh, _) => format!("Page refreshed at {now}"),
            (Action::StopAll, _) => format!("All stopped at {now}"),
            (Action::RestartAll, _) => format!("All restarted at {now}"),
            (Action::Start(n), Ok(_)) => format!("Process {n} started"),
            (Action::Start(n), Err(f)) => {
                let why = match f.code {
                    NO_FILE => "no such file".to_string(),
                    NOT_EXECUTABLE => "file not executable".to_string(),
                    ALREADY_STARTED => "already started".to_string(),
                    SPAWN_ERROR => "spawn error".to_string(),
                    ABNORMAL_TERMINATION => "abnormal termination".to_string(),
                    _ => unexpected(&f),
                };
                format!("ERROR: Process {n}: {why}")
            }
            (Action::Stop(n), Ok(_)) => format!("Process {n} stopped"),
            (Action::Restart(n), _) => format!("Process {n} restarted"),
            (Action::ClearLog(n), Ok(_)) => format!("Log for {n} cleared"),
            (Action::Stop(_) | Action::ClearLog(_), Err(f)) => unexpected(&f),
        }
    }
}

/// Python's `time.ctime()`: `Sun Dec  6 16:26:13 2026`, local time.
pub fn ctime(t: f64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = crate::run::log::localtime(t);
    // Sakamoto's day of the week.
    let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let yy = if mo < 3 { y - 1 } else { y };
    let wd =
        (yy + yy / 4 - yy / 100 + yy / 400 + offsets[(mo - 1) as usize] + d as i32).rem_euclid(7);
    format!(
        "{} {} {d:>2} {h:02}:{mi:02}:{s:02} {y}",
        DAYS[wd as usize],
        MONTHS[(mo - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_need_a_name() {
        assert_eq!(Action::parse("start", None), None);
        assert_eq!(Action::parse("start", Some("")), None);
        assert_eq!(Action::parse("stopall", None), Some(Action::StopAll));
        assert_eq!(Action::parse("explode", Some("x")), None);
    }

    #[test]
    fn messages_are_supervisords() {
        let f = Fault {
            code: ALREADY_STARTED,
            text: "ALREADY_STARTED: web".into(),
        };
        assert_eq!(
            Action::Start("web".into()).message(Err(f), ""),
            "ERROR: Process web: already started"
        );
        assert_eq!(
            Action::Stop("g:web".into()).message(Ok(Value::Bool(true)), ""),
            "Process g:web stopped"
        );
    }

    #[test]
    fn ctime_is_pythons() {
        // 2026-12-06 was a Sunday.
        let s = ctime(1_796_515_200.0 + 12.0 * 3600.0);
        assert!(
            s.starts_with("Sun Dec  6 ") || s.starts_with("Sun Dec  6"),
            "{s}"
        );
        assert!(s.ends_with(" 2026"));
    }
}
