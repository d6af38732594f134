//! `supc ctl [COMMAND ARGS...]`: supervisorctl's commands against a running
//! `supc run` (or supervisord), with supervisorctl's output and exit codes:
//! status, start, stop, restart, tail [-f|-N], pid, signal, clear, avail,
//! reread, update, add, remove, maintail, shutdown, reload, version.
//! The server comes from `-s URL`, else the `[supervisorctl]` section of
//! `-c FILE` (default: `./supervisord.conf`, `./etc/supervisord.conf`,
//! `/etc/supervisord.conf`, `/etc/supervisor/supervisord.conf`).

use crate::run::client::{Client, ClientError};
use crate::run::rpc_interface::{faults, make_namespec, split_namespec};
use crate::run::xmlrpc_codec::{Fault, Value};
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes, as supervisorctl's: 0 ok, 1 a command failed, 2 usage error, \
3 `status`: a process is not running (or a feature is not implemented), 4 `status`: \
unknown process (or insufficient privileges), 5 server API version mismatch, 7 the server \
is not running."
)]
pub struct CtlArgs {
    /// The config file whose [supervisorctl] section names the server.
    #[arg(short = 'c', long = "configuration", value_name = "FILE")]
    config: Option<String>,
    /// The server URL (unix:///path/to.sock or http://host:port).
    #[arg(short = 's', long = "serverurl", value_name = "URL")]
    serverurl: Option<String>,
    /// Username for HTTP basic auth.
    #[arg(short = 'u', long, value_name = "USER")]
    username: Option<String>,
    /// Password for HTTP basic auth.
    #[arg(short = 'p', long, value_name = "PASSWORD")]
    password: Option<String>,
    /// The command and its arguments (default: status).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

/// supervisorctl's `LSBInitExitStatuses` / `LSBStatusExitStatuses`.
const GENERIC: i32 = 1;
const INVALID_ARGS: i32 = 2;
const UNIMPLEMENTED_FEATURE: i32 = 3;
const INSUFFICIENT_PRIVILEGES: i32 = 4;
const NOT_RUNNING: i32 = 7;
const STATUS_NOT_RUNNING: i32 = 3;
const STATUS_UNKNOWN: i32 = 4;

const DEFAULT_CONFIGS: [&str; 4] = [
    "supervisord.conf",
    "etc/supervisord.conf",
    "/etc/supervisord.conf",
    "/etc/supervisor/supervisord.conf",
];

struct Ctl {
    client: Client,
    exitstatus: i32,
    out: String,
}

/// A failed call: the fault, or why there was no answer.
enum CallError {
    Fault(Fault),
    Transport(ClientError),
}

type Res = Result<Value, CallError>;

fn str_of(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

fn int_of(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_int).unwrap_or(0)
}

impl Ctl {
    fn output(&mut self, line: &str) {
        self.out.push_str(line);
        self.out.push('\n');
    }

    fn flush(&mut self) {
        super::print_stdout(&std::mem::take(&mut self.out));
    }

    fn call(&self, method: &str, params: &[Value]) -> Res {
        match self.client.call(method, params) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(f)) => Err(CallError::Fault(f)),
            Err(e) => Err(CallError::Transport(e)),
        }
    }

    /// Reports a call error the command does not handle (supervisorctl's
    /// onecmd); returns false.
    fn unexpected(&mut self, e: CallError) -> bool {
        self.exitstatus = GENERIC;
        match e {
            CallError::Transport(ClientError::Http(401)) => {
                self.output("Server requires authentication");
            }
            CallError::Transport(ClientError::NoSuchFile) => {
                let url = self.client.serverurl.clone();
                self.output(&format!("{url} no such file"));
                self.exitstatus = NOT_RUNNING;
            }
            CallError::Transport(ClientError::Refused) => {
                let url = self.client.serverurl.clone();
                self.output(&format!("{url} refused connection"));
                self.exitstatus = INSUFFICIENT_PRIVILEGES;
            }
            CallError::Transport(ClientError::Http(code)) => {
                self.output(&format!("error: HTTP status {code}"));
            }
            CallError::Transport(ClientError::Other(m)) => self.output(&format!("error: {m}")),
            CallError::Fault(f) => self.output(&format!("error: <Fault {}: {:?}>", f.code, f.text)),
        }
        false
    }

    fn upcheck(&mut self) -> bool {
        match self.call("supervisor.getVersion", &[]) {
            Ok(Value::Str(v)) if v == "3.0" => true,
            Ok(v) => {
                let shown = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{v:?}"));
                self.output(&format!(
                    "Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but the remote version is {shown}."
                ));
                self.exitstatus = 5;
                false
            }
            Err(CallError::Fault(f)) if f.code == faults::UNKNOWN_METHOD => {
                self.output("Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).");
                self.exitstatus = UNIMPLEMENTED_FEATURE;
                false
            }
            Err(e) => self.unexpected(e),
        }
    }

    fn set_exit_from_fault(&mut self, code: i64, ignored: Option<i64>) {
        if Some(code) == ignored || code == faults::SUCCESS {
            return;
        }
        self.exitstatus = if matches!(
            code,
            faults::SPAWN_ERROR | faults::ABNORMAL_TERMINATION | faults::NOT_RUNNING
        ) {
            NOT_RUNNING
        } else {
            GENERIC
        };
    }

    fn status(&mut self, names: &[String]) {
        if !self.upcheck() {
            self.exitstatus = STATUS_UNKNOWN;
            return;
        }
        let all = match self.call("supervisor.getAllProcessInfo", &[]) {
            Ok(Value::Array(a)) => a,
            Ok(_) => Vec::new(),
            Err(e) => {
                self.unexpected(e);
                return;
            }
        };
        let matching: Vec<Value> = if names.is_empty() || names.iter().any(|n| n == "all") {
            all
        } else {
            let mut m = Vec::new();
            for name in names {
                let (g, p) = split_namespec(name);
                let found: Vec<&Value> = all
                    .iter()
                    .filter(|i| {
                        str_of(i, "group") == g
                            && p.as_ref().is_none_or(|p| str_of(i, "name") == *p)
                    })
                    .collect();
                if found.is_empty() {
                    match p {
                        None => self.output(&format!("{g}: ERROR (no such group)")),
                        Some(_) => self.output(&format!("{name}: ERROR (no such process)")),
                    }
                    self.exitstatus = STATUS_UNKNOWN;
                }
                m.extend(found.into_iter().cloned());
            }
            m
        };
        let specs: Vec<String> = matching
            .iter()
            .map(|i| make_namespec(&str_of(i, "group"), &str_of(i, "name")))
            .collect();
        let width = specs
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .max(30)
            + 3;
        for (i, spec) in matching.iter().zip(&specs) {
            let line = format!(
                "{spec:<width$}{:<10}{}",
                str_of(i, "statename"),
                str_of(i, "description")
            );
            self.output(&line);
        }
        for i in &matching {
            if matches!(int_of(i, "state"), 0 | 100 | 200 | 1000) {
                self.exitstatus = STATUS_NOT_RUNNING;
            }
        }
    }

    fn start_result(r: &Value) -> String {
        let name = make_namespec(&str_of(r, "group"), &str_of(r, "name"));
        let err = |m: &str| format!("{name}: ERROR ({m})");
        match int_of(r, "status") {
            faults::BAD_NAME => err("no such process"),
            faults::NO_FILE => err("no such file"),
            faults::NOT_EXECUTABLE => err("file is not executable"),
            faults::ALREADY_STARTED => err("already started"),
            faults::SPAWN_ERROR => err("spawn error"),
            faults::ABNORMAL_TERMINATION => err("abnormal termination"),
            faults::SUCCESS => format!("{name}: started"),
            other => format!("{name}: ERROR (unknown result code {other})"),
        }
    }

    fn signal_result(r: &Value, success: &str) -> String {
        let name = make_namespec(&str_of(r, "group"), &str_of(r, "name"));
        let err = |m: &str| format!("{name}: ERROR ({m})");
        match int_of(r, "status") {
            faults::BAD_NAME => err("no such process"),
            faults::BAD_SIGNAL => err("bad signal name"),
            faults::NOT_RUNNING => err("not running"),
            faults::SUCCESS => format!("{name}: {success}"),
            faults::FAILED => str_of(r, "description"),
            other => format!("{name}: ERROR (unknown result code {other})"),
        }
    }

    fn fault_result(f: &Fault, group: &str, name: Option<&str>) -> Value {
        Value::Struct(vec![
            ("status".into(), Value::Int(f.code)),
            ("name".into(), Value::str(name.unwrap_or(""))),
            ("group".into(), Value::str(group)),
            ("description".into(), Value::str(f.text.clone())),
        ])
    }

    fn results(
        &mut self,
        r: Res,
        fmt: fn(&Value) -> String,
        ignored: Option<i64>,
    ) -> Result<(), CallError> {
        let Value::Array(results) = r? else {
            return Ok(());
        };
        for res in &results {
            self.output(&fmt(res));
            self.set_exit_from_fault(int_of(res, "status"), ignored);
        }
        Ok(())
    }

    fn start(&mut self, names: &[String]) {
        if !self.upcheck() {
            return;
        }
        if names.is_empty() {
            self.output("Error: start requires a process name");
            self.exitstatus = INVALID_ARGS;
            return;
        }
        let ignored = Some(faults::ALREADY_STARTED);
        if names.iter().any(|n| n == "all") {
            let r = self.call("supervisor.startAllProcesses", &[]);
            if let Err(e) = self.results(r, Self::start_result, ignored) {
                self.unexpected(e);
            }
            return;
        }
        for name in names {
            let (g, p) = split_namespec(name);
            match p {
                None => {
                    let r = self.call("supervisor.startProcessGroup", &[Value::str(g.clone())]);
                    match self.results(r, Self::start_result, ignored) {
                        Err(CallError::Fault(f)) if f.code == faults::BAD_NAME => {
                            self.output(&format!("{g}: ERROR (no such group)"));
                            self.exitstatus = INVALID_ARGS;
                        }
                        Err(e) => {
                            self.unexpected(e);
                        }
                        Ok(()) => {}
                    }
                }
                Some(p) => self.one_process(
                    "supervisor.startProcess",
                    &[Value::str(name.clone())],
                    (&g, &p, "started"),
                    Self::start_result,
                    ignored,
                ),
            }
        }
    }

    /// One process's start/stop/signal: `group:name: <done>` on success,
    /// else the fault worded as supervisorctl words it, and the exit code.
    fn one_process(
        &mut self,
        method: &str,
        params: &[Value],
        (group, name, done): (&str, &str, &str),
        fmt: impl Fn(&Value) -> String,
        ignored: Option<i64>,
    ) {
        match self.call(method, params) {
            Ok(_) => self.output(&format!("{}: {done}", make_namespec(group, name))),
            Err(CallError::Fault(f)) => {
                let r = Self::fault_result(&f, group, Some(name));
                self.output(&fmt(&r));
                self.set_exit_from_fault(f.code, ignored);
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }

    fn stop(&mut self, names: &[String]) {
        if !self.upcheck() {
            return;
        }
        if names.is_empty() {
            self.output("Error: stop requires a process name");
            self.exitstatus = GENERIC;
            return;
        }
        let ignored = Some(faults::NOT_RUNNING);
        let fmt = |r: &Value| Self::signal_result(r, "stopped");
        if names.iter().any(|n| n == "all") {
            let r = self.call("supervisor.stopAllProcesses", &[]);
            if let Err(e) = self.results(r, fmt, ignored) {
                self.unexpected(e);
            }
            return;
        }
        for name in names {
            let (g, p) = split_namespec(name);
            match p {
                None => {
                    let r = self.call("supervisor.stopProcessGroup", &[Value::str(g.clone())]);
                    match self.results(r, fmt, ignored) {
                        Err(CallError::Fault(f)) if f.code == faults::BAD_NAME => {
                            self.exitstatus = GENERIC;
                            self.output(&format!("{g}: ERROR (no such group)"));
                        }
                        Err(e) => {
                            self.unexpected(e);
                        }
                        Ok(()) => {}
                    }
                }
                Some(p) => self.one_process(
                    "supervisor.stopProcess",
                    &[Value::str(name.clone())],
                    (&g, &p, "stopped"),
                    fmt,
                    ignored,
                ),
            }
        }
    }

    fn signal(&mut self, args: &[String]) {
        if !self.upcheck() {
            return;
        }
        if args.len() < 2 {
            self.output("Error: signal requires a signal name and a process name");
            self.exitstatus = GENERIC;
            return;
        }
        let sig = Value::str(args[0].clone());
        let names = &args[1..];
        let fmt = |r: &Value| Self::signal_result(r, "signalled");
        if names.iter().any(|n| n == "all") {
            let r = self.call("supervisor.signalAllProcesses", &[sig]);
            if let Err(e) = self.results(r, fmt, None) {
                self.unexpected(e);
            }
            return;
        }
        for name in names {
            let (g, p) = split_namespec(name);
            match p {
                None => {
                    let r = self.call(
                        "supervisor.signalProcessGroup",
                        &[Value::str(g.clone()), sig.clone()],
                    );
                    match self.results(r, fmt, None) {
                        Err(CallError::Fault(f)) if f.code == faults::BAD_NAME => {
                            self.output(&format!("{g}: ERROR (no such group)"));
                            self.exitstatus = GENERIC;
                        }
                        Err(e) => {
                            self.unexpected(e);
                        }
                        Ok(()) => {}
                    }
                }
                Some(p) => self.one_process(
                    "supervisor.signalProcess",
                    &[Value::str(name.clone()), sig.clone()],
                    (&g, &p, "signalled"),
                    fmt,
                    None,
                ),
            }
        }
    }

    fn tail(&mut self, args: &[String]) {
        if !self.upcheck() {
            return;
        }
        if args.is_empty() {
            self.output("Error: too few arguments");
            self.exitstatus = GENERIC;
            return;
        }
        if args.len() > 3 {
            self.output("Error: too many arguments");
            self.exitstatus = GENERIC;
            return;
        }
        let mut args = args.to_vec();
        let modifier = if args[0].starts_with('-') {
            Some(args.remove(0))
        } else {
            None
        };
        let (name, channel) = match args.as_slice() {
            [name] => (name.clone(), "stdout".to_string()),
            [name, .., ch] => {
                let ch = ch.to_lowercase();
                if ch != "stdout" && ch != "stderr" {
                    self.output(&format!("Error: bad channel '{ch}'"));
                    self.exitstatus = GENERIC;
                    return;
                }
                (name.clone(), ch)
            }
            [] => {
                self.output("Error: tail requires process name");
                self.exitstatus = GENERIC;
                return;
            }
        };
        let mut bytes = 1600i64;
        if let Some(m) = &modifier {
            let what = &m[1..];
            if what == "f" {
                self.output("==> Press Ctrl-C to exit <==");
                self.flush();
                let path = format!("/logtail/{name}/{channel}");
                let r = self.client.stream(&path, |chunk| {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    if out.write_all(chunk).and_then(|_| out.flush()).is_err() {
                        std::process::exit(0);
                    }
                });
                if let Err(e) = r {
                    let msg = match e {
                        ClientError::Http(code) => format!("Cannot read, status code {code}"),
                        other => format!("Cannot connect, error: {other:?}"),
                    };
                    self.output(&format!("{} {msg}", self.client.serverurl.clone() + &path));
                    self.exitstatus = GENERIC;
                }
                return;
            }
            match what.parse::<i64>() {
                Ok(n) => bytes = n,
                Err(_) => {
                    self.output(&format!("Error: bad argument {m}"));
                    self.exitstatus = GENERIC;
                    return;
                }
            }
        }
        let method = if channel == "stdout" {
            "supervisor.readProcessStdoutLog"
        } else {
            "supervisor.readProcessStderrLog"
        };
        match self.call(
            method,
            &[Value::str(name.clone()), Value::Int(-bytes), Value::Int(0)],
        ) {
            Ok(v) => {
                let text = v.as_str().unwrap_or("").to_string();
                self.output(&text);
            }
            Err(CallError::Fault(f)) => {
                self.exitstatus = GENERIC;
                let why = match f.code {
                    faults::NO_FILE => "no log file",
                    faults::FAILED => "unknown error reading log",
                    faults::BAD_NAME => "no such process name",
                    _ => {
                        self.unexpected(CallError::Fault(f));
                        return;
                    }
                };
                self.output(&format!("{name}: ERROR ({why})"));
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }

    fn maintail(&mut self, args: &[String]) {
        if !self.upcheck() {
            return;
        }
        let mut bytes = 1600i64;
        match args {
            [] => {}
            [a] if a == "-f" => {
                self.output("==> Press Ctrl-C to exit <==");
                self.flush();
                let _ = self.client.stream("/mainlogtail", |chunk| {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    if out.write_all(chunk).and_then(|_| out.flush()).is_err() {
                        std::process::exit(0);
                    }
                });
                return;
            }
            [a] if a.starts_with('-') && a[1..].parse::<i64>().is_ok() => {
                bytes = a[1..].parse().unwrap_or(1600);
            }
            [a] => {
                self.output(&format!("Error: bad argument {a}"));
                self.exitstatus = GENERIC;
                return;
            }
            _ => {
                self.output("Error: too many arguments");
                self.exitstatus = GENERIC;
                return;
            }
        }
        match self.call("supervisor.readLog", &[Value::Int(-bytes), Value::Int(0)]) {
            Ok(v) => {
                let text = v.as_str().unwrap_or("").to_string();
                self.output(&text);
            }
            Err(CallError::Fault(f)) if f.code == faults::NO_FILE => {
                self.exitstatus = GENERIC;
                self.output("supervisord: ERROR (no log file)");
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }

    fn pid(&mut self, names: &[String]) {
        if !self.upcheck() {
            return;
        }
        if names.is_empty() {
            match self.call("supervisor.getPID", &[]) {
                Ok(v) => {
                    let pid = v.as_int().unwrap_or(0);
                    self.output(&pid.to_string());
                }
                Err(e) => {
                    self.unexpected(e);
                }
            }
        } else if names.iter().any(|n| n == "all") {
            match self.call("supervisor.getAllProcessInfo", &[]) {
                Ok(Value::Array(a)) => {
                    for i in a {
                        self.output(&int_of(&i, "pid").to_string());
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    self.unexpected(e);
                }
            }
        } else {
            for name in names {
                match self.call("supervisor.getProcessInfo", &[Value::str(name.clone())]) {
                    Ok(i) => {
                        let pid = int_of(&i, "pid");
                        self.output(&pid.to_string());
                        if pid == 0 {
                            self.exitstatus = NOT_RUNNING;
                        }
                    }
                    Err(CallError::Fault(f)) if f.code == faults::BAD_NAME => {
                        self.exitstatus = GENERIC;
                        self.output(&format!("No such process {name}"));
                    }
                    Err(e) => {
                        self.unexpected(e);
                    }
                }
            }
        }
    }

    fn clear(&mut self, names: &[String]) {
        if !self.upcheck() {
            return;
        }
        if names.is_empty() {
            self.output("Error: clear requires a process name");
            self.exitstatus = GENERIC;
            return;
        }
        let fmt = |r: &Value| Self::signal_result(r, "cleared");
        if names.iter().any(|n| n == "all") {
            let r = self.call("supervisor.clearAllProcessLogs", &[]);
            if let Err(e) = self.results(r, fmt, None) {
                self.unexpected(e);
            }
            return;
        }
        for name in names {
            let (g, p) = split_namespec(name);
            match self.call("supervisor.clearProcessLogs", &[Value::str(name.clone())]) {
                Ok(_) => self.output(&format!(
                    "{}: cleared",
                    make_namespec(&g, p.as_deref().unwrap_or(""))
                )),
                Err(CallError::Fault(f)) => {
                    let r = Self::fault_result(&f, &g, p.as_deref());
                    self.output(&fmt(&r));
                    self.set_exit_from_fault(f.code, None);
                }
                Err(e) => {
                    self.unexpected(e);
                }
            }
        }
    }

    fn avail(&mut self) {
        match self.call("supervisor.getAllConfigInfo", &[]) {
            Ok(Value::Array(infos)) => {
                for i in infos {
                    let name = make_namespec(&str_of(&i, "group"), &str_of(&i, "name"));
                    let inuse = if i.get("inuse").is_some_and(Value::truthy) {
                        "in use"
                    } else {
                        "avail"
                    };
                    let auto = if i.get("autostart").is_some_and(Value::truthy) {
                        "auto"
                    } else {
                        "manual"
                    };
                    let prio = format!(
                        "{}:{}",
                        int_of(&i, "group_prio"),
                        int_of(&i, "process_prio")
                    );
                    self.output(&format!("{name:<32} {inuse:<9} {auto:<9} {prio}"));
                }
            }
            Ok(_) => {}
            Err(CallError::Fault(f)) if f.code == faults::SHUTDOWN_STATE => {
                self.exitstatus = GENERIC;
                self.output("ERROR: supervisor shutting down");
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }

    /// reloadConfig: (added, changed, removed), or None after reporting.
    fn reload_config(&mut self, shutting: &str) -> Option<[Vec<String>; 3]> {
        match self.call("supervisor.reloadConfig", &[]) {
            Ok(Value::Array(outer)) => {
                let Some(Value::Array(inner)) = outer.first() else {
                    return Some([Vec::new(), Vec::new(), Vec::new()]);
                };
                let list = |i: usize| match inner.get(i) {
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                Some([list(0), list(1), list(2)])
            }
            Ok(_) => Some([Vec::new(), Vec::new(), Vec::new()]),
            Err(CallError::Fault(f)) if f.code == faults::SHUTDOWN_STATE => {
                self.exitstatus = GENERIC;
                self.output(shutting);
                None
            }
            Err(CallError::Fault(f)) if f.code == faults::CANT_REREAD => {
                self.exitstatus = GENERIC;
                self.output(&format!("ERROR: {}", f.text));
                None
            }
            Err(e) => {
                self.unexpected(e);
                None
            }
        }
    }

    fn reread(&mut self) {
        let Some([added, changed, removed]) = self.reload_config("ERROR: supervisor shutting down")
        else {
            return;
        };
        let mut changes: Vec<(String, &str)> = Vec::new();
        for (names, what) in [
            (added, "available"),
            (changed, "changed"),
            (removed, "disappeared"),
        ] {
            for n in names {
                changes.retain(|(c, _)| *c != n);
                changes.push((n, what));
            }
        }
        if changes.is_empty() {
            self.output("No config updates to processes");
        }
        changes.sort();
        for (n, what) in changes {
            self.output(&format!("{n}: {what}"));
        }
    }

    fn update(&mut self, args: &[String]) {
        let Some([added, changed, removed]) = self.reload_config("ERROR: already shutting down")
        else {
            return;
        };
        let mut valid: Vec<&String> = args.iter().collect();
        if valid.iter().any(|n| *n == "all") {
            valid.clear();
        }
        if !valid.is_empty() {
            let mut groups: Vec<String> = match self.call("supervisor.getAllProcessInfo", &[]) {
                Ok(Value::Array(a)) => a.iter().map(|i| str_of(i, "group")).collect(),
                _ => Vec::new(),
            };
            groups.extend(added.iter().cloned());
            for g in &valid {
                if !groups.contains(g) {
                    self.output(&format!("ERROR: no such group: {g}"));
                    self.exitstatus = GENERIC;
                }
            }
        }
        let wanted = |g: &String| valid.is_empty() || valid.contains(&g);
        for g in removed.iter().filter(|g| wanted(g)) {
            let results = self.call("supervisor.stopProcessGroup", &[Value::str(g.clone())]);
            self.output(&format!("{g}: stopped"));
            let failed = matches!(&results, Ok(Value::Array(a)) if a.iter().any(|r| int_of(r, "status") == faults::FAILED));
            if failed {
                self.output(&format!("{g}: has problems; not removing"));
                self.exitstatus = GENERIC;
                continue;
            }
            let _ = self.call("supervisor.removeProcessGroup", &[Value::str(g.clone())]);
            self.output(&format!("{g}: removed process group"));
        }
        for g in changed.iter().filter(|g| wanted(g)) {
            let _ = self.call("supervisor.stopProcessGroup", &[Value::str(g.clone())]);
            self.output(&format!("{g}: stopped"));
            let _ = self.call("supervisor.removeProcessGroup", &[Value::str(g.clone())]);
            let _ = self.call("supervisor.addProcessGroup", &[Value::str(g.clone())]);
            self.output(&format!("{g}: updated process group"));
        }
        for g in added.iter().filter(|g| wanted(g)) {
            let _ = self.call("supervisor.addProcessGroup", &[Value::str(g.clone())]);
            self.output(&format!("{g}: added process group"));
        }
    }

    fn add_remove(&mut self, names: &[String], add: bool) {
        for name in names {
            let method = if add {
                "supervisor.addProcessGroup"
            } else {
                "supervisor.removeProcessGroup"
            };
            match self.call(method, &[Value::str(name.clone())]) {
                Ok(_) if add => self.output(&format!("{name}: added process group")),
                Ok(_) => self.output(&format!("{name}: removed process group")),
                Err(CallError::Fault(f)) => {
                    let msg = match f.code {
                        faults::SHUTDOWN_STATE => {
                            self.exitstatus = GENERIC;
                            "ERROR: shutting down".to_string()
                        }
                        faults::ALREADY_ADDED => "ERROR: process group already active".into(),
                        faults::STILL_RUNNING => {
                            self.exitstatus = GENERIC;
                            format!("ERROR: process/group still running: {name}")
                        }
                        faults::BAD_NAME => {
                            self.exitstatus = GENERIC;
                            format!("ERROR: no such process/group: {name}")
                        }
                        _ => {
                            self.unexpected(CallError::Fault(f));
                            continue;
                        }
                    };
                    self.output(&msg);
                }
                Err(e) => {
                    self.unexpected(e);
                }
            }
        }
    }

    fn simple(&mut self, method: &str, done: &str) {
        match self.call(method, &[]) {
            Ok(_) => self.output(done),
            Err(CallError::Fault(f)) if f.code == faults::SHUTDOWN_STATE => {
                if method == "supervisor.restart" {
                    self.exitstatus = GENERIC;
                }
                self.output("ERROR: already shutting down");
            }
            Err(CallError::Transport(ClientError::NoSuchFile))
                if method == "supervisor.shutdown" =>
            {
                self.exitstatus = GENERIC;
                let url = self.client.serverurl.clone();
                self.output(&format!("ERROR: {url} no such file (already shut down?)"));
            }
            Err(CallError::Transport(ClientError::Refused)) if method == "supervisor.shutdown" => {
                self.exitstatus = GENERIC;
                let url = self.client.serverurl.clone();
                self.output(&format!(
                    "ERROR: {url} refused connection (already shut down?)"
                ));
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }

    fn version(&mut self) {
        if !self.upcheck() {
            return;
        }
        match self.call("supervisor.getSupervisorVersion", &[]) {
            Ok(v) => {
                let s = v.as_str().unwrap_or("").to_string();
                self.output(&s);
            }
            Err(e) => {
                self.unexpected(e);
            }
        }
    }
}

fn client(args: &CtlArgs) -> Result<Client, String> {
    let mut url = None;
    let mut username = None;
    let mut password = None;
    let config = args.config.clone().or_else(|| {
        if args.serverurl.is_some() {
            None
        } else {
            DEFAULT_CONFIGS
                .iter()
                .find(|p| std::path::Path::new(p).exists())
                .map(|p| p.to_string())
        }
    });
    if let Some(path) = config {
        let host = crate::host::Host::from_process(false);
        let (loaded, res) = crate::analyze(&path, &host, false);
        if loaded.main.is_none() {
            let msg = res.first_error().map_or("", |d| d.message.as_str());
            return Err(msg.to_string());
        }
        let ctl = res
            .config
            .as_ref()
            .and_then(|c| c.supervisorctl.clone())
            .or_else(|| res.first_error().map(|d| Err(d.message.clone())));
        match ctl {
            Some(Ok(s)) => {
                url = Some(s.serverurl);
                username = s.username;
                password = s.password;
            }
            Some(Err(msg)) => return Err(msg),
            None => {}
        }
    }
    Ok(Client {
        serverurl: args
            .serverurl
            .clone()
            .or(url)
            .unwrap_or_else(|| "http://localhost:9001".to_string()),
        username: args.username.clone().or(username),
        password: args.password.clone().or(password),
    })
}

pub fn run(args: &CtlArgs) -> i32 {
    let client = match client(args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("Error: {msg}");
            return 2;
        }
    };
    let mut ctl = Ctl {
        client,
        exitstatus: 0,
        out: String::new(),
    };
    let (cmd, rest) = match args.command.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("status", &[][..]),
    };
    match cmd {
        "status" => ctl.status(rest),
        "start" => ctl.start(rest),
        "stop" => ctl.stop(rest),
        "restart" => {
            if ctl.upcheck() {
                if rest.is_empty() {
                    ctl.output("Error: restart requires a process name");
                    ctl.exitstatus = GENERIC;
                } else {
                    ctl.stop(rest);
                    ctl.start(rest);
                }
            }
        }
        "signal" => ctl.signal(rest),
        "tail" => ctl.tail(rest),
        "maintail" => ctl.maintail(rest),
        "pid" => ctl.pid(rest),
        "clear" => ctl.clear(rest),
        "avail" if rest.is_empty() => ctl.avail(),
        "reread" if rest.is_empty() => ctl.reread(),
        "update" => ctl.update(rest),
        "add" => ctl.add_remove(rest, true),
        "remove" => ctl.add_remove(rest, false),
        "shutdown" if rest.is_empty() => ctl.simple("supervisor.shutdown", "Shut down"),
        "reload" if rest.is_empty() => ctl.simple("supervisor.restart", "Restarted supervisord"),
        "version" => ctl.version(),
        "avail" | "reread" | "shutdown" | "reload" => {
            ctl.output(&format!("Error: {cmd} accepts no arguments"));
            ctl.exitstatus = GENERIC;
        }
        other => {
            ctl.output(&format!("*** Unknown syntax: {}", args.command.join(" ")));
            let _ = other;
            ctl.exitstatus = GENERIC;
        }
    }
    ctl.flush();
    ctl.exitstatus
}
