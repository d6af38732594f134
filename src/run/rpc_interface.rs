//! supervisord's XML-RPC interface (`supervisor/rpcinterface.py` and the
//! `system` namespace of `supervisor/xmlrpc.py`) over the runner: the same
//! methods, arguments, return structs and faults, including the deferred
//! answers of startProcess/stopProcess (which wait for RUNNING or a stopped
//! state) and of the group and "all" variants.

use super::log::{localtime, now};
use super::process::{Proc, ProcessState};
use super::supervisor::Supervisor;
use super::xmlrpc_codec::{Fault, Value};
use crate::model::LogFile as LogSpec;
use std::collections::VecDeque;

/// `supervisor.xmlrpc.Faults`.
pub mod faults {
    pub const UNKNOWN_METHOD: i64 = 1;
    pub const INCORRECT_PARAMETERS: i64 = 2;
    pub const BAD_ARGUMENTS: i64 = 3;
    pub const SIGNATURE_UNSUPPORTED: i64 = 4;
    pub const SHUTDOWN_STATE: i64 = 6;
    pub const BAD_NAME: i64 = 10;
    pub const BAD_SIGNAL: i64 = 11;
    pub const NO_FILE: i64 = 20;
    pub const NOT_EXECUTABLE: i64 = 21;
    pub const FAILED: i64 = 30;
    pub const ABNORMAL_TERMINATION: i64 = 40;
    pub const SPAWN_ERROR: i64 = 50;
    pub const ALREADY_STARTED: i64 = 60;
    pub const NOT_RUNNING: i64 = 70;
    pub const SUCCESS: i64 = 80;
    pub const ALREADY_ADDED: i64 = 90;
    pub const STILL_RUNNING: i64 = 91;
    pub const CANT_REREAD: i64 = 92;

    /// `getFaultDescription`.
    pub fn name(code: i64) -> &'static str {
        match code {
            UNKNOWN_METHOD => "UNKNOWN_METHOD",
            INCORRECT_PARAMETERS => "INCORRECT_PARAMETERS",
            BAD_ARGUMENTS => "BAD_ARGUMENTS",
            SIGNATURE_UNSUPPORTED => "SIGNATURE_UNSUPPORTED",
            SHUTDOWN_STATE => "SHUTDOWN_STATE",
            BAD_NAME => "BAD_NAME",
            BAD_SIGNAL => "BAD_SIGNAL",
            NO_FILE => "NO_FILE",
            NOT_EXECUTABLE => "NOT_EXECUTABLE",
            FAILED => "FAILED",
            ABNORMAL_TERMINATION => "ABNORMAL_TERMINATION",
            SPAWN_ERROR => "SPAWN_ERROR",
            ALREADY_STARTED => "ALREADY_STARTED",
            NOT_RUNNING => "NOT_RUNNING",
            SUCCESS => "SUCCESS",
            ALREADY_ADDED => "ALREADY_ADDED",
            STILL_RUNNING => "STILL_RUNNING",
            CANT_REREAD => "CANT_REREAD",
            _ => "UNKNOWN",
        }
    }
}

use faults::*;

/// supervisord's docstring of a published method (`ns.name`).
fn docstring(method: &str) -> Option<&'static str> {
    match method.split_once('.')? {
        ("system", m) => super::method_docs::system(m),
        (_, m) => super::method_docs::supervisor(m),
    }
}

/// `RPCError(code, extra)`.
pub fn fault(code: i64, extra: Option<&str>) -> Fault {
    let mut text = faults::name(code).to_string();
    if let Some(e) = extra {
        text.push_str(": ");
        text.push_str(e);
    }
    Fault { code, text }
}

/// What a method returns: a value now, or an answer to wait for.
pub enum Outcome {
    Value(Value),
    Deferred(Deferred),
}

type RpcResult = Result<Outcome, Fault>;

fn ok(v: Value) -> RpcResult {
    Ok(Outcome::Value(v))
}

/// The methods of the supervisor namespace: name, signature, summary.
pub const SUPERVISOR_METHODS: &[(&str, &[&str], &str)] = &[
    (
        "addProcessGroup",
        &["boolean", "string"],
        "Update the config for a running process from config file.",
    ),
    (
        "clearAllProcessLogs",
        &["array"],
        "Clear all process log files",
    ),
    ("clearLog", &["boolean"], "Clear the main log."),
    (
        "clearProcessLog",
        &["boolean", "string"],
        "Clear the stdout and stderr logs for the named process and reopen them.",
    ),
    (
        "clearProcessLogs",
        &["boolean", "string"],
        "Clear the stdout and stderr logs for the named process and reopen them.",
    ),
    (
        "getAPIVersion",
        &["string"],
        "Return the version of the RPC API used by supervisord",
    ),
    (
        "getAllConfigInfo",
        &["array"],
        "Get info about all available process configurations. Each struct represents a single process (i.e. groups get flattened).",
    ),
    (
        "getAllProcessInfo",
        &["array"],
        "Get info about all processes",
    ),
    (
        "getIdentification",
        &["string"],
        "Return identifying string of supervisord",
    ),
    ("getPID", &["int"], "Return the PID of supervisord"),
    (
        "getProcessInfo",
        &["struct", "string"],
        "Get info about a process named name",
    ),
    (
        "getState",
        &["struct"],
        "Return current state of supervisord as a struct",
    ),
    (
        "getSupervisorVersion",
        &["string"],
        "Return the version of the supervisor package in use by supervisord",
    ),
    (
        "getVersion",
        &["string"],
        "Return the version of the RPC API used by supervisord",
    ),
    (
        "readLog",
        &["string", "int", "int"],
        "Read length bytes from the main log starting at offset",
    ),
    (
        "readMainLog",
        &["string", "int", "int"],
        "Read length bytes from the main log starting at offset",
    ),
    (
        "readProcessLog",
        &["string", "string", "int", "int"],
        "Read length bytes from name's stdout log starting at offset",
    ),
    (
        "readProcessStderrLog",
        &["string", "string", "int", "int"],
        "Read length bytes from name's stderr log starting at offset",
    ),
    (
        "readProcessStdoutLog",
        &["string", "string", "int", "int"],
        "Read length bytes from name's stdout log starting at offset",
    ),
    ("reloadConfig", &["array"], "Reload the configuration."),
    (
        "removeProcessGroup",
        &["boolean", "string"],
        "Remove a stopped process from the active configuration.",
    ),
    ("restart", &["boolean"], "Restart the supervisor process"),
    (
        "sendProcessStdin",
        &["boolean", "string", "string"],
        "Send a string of chars to the stdin of the process name.",
    ),
    (
        "sendRemoteCommEvent",
        &["boolean", "string", "string"],
        "Send an event that will be received by event listener subprocesses subscribing to the RemoteCommunicationEvent.",
    ),
    ("shutdown", &["boolean"], "Shut down the supervisor process"),
    (
        "signalAllProcesses",
        &["array", "string"],
        "Send a signal to all processes in the process list",
    ),
    (
        "signalProcess",
        &["boolean", "string", "string"],
        "Send an arbitrary UNIX signal to the process named by name",
    ),
    (
        "signalProcessGroup",
        &["array", "string", "string"],
        "Send a signal to all processes in the group named 'name'",
    ),
    (
        "startAllProcesses",
        &["array", "boolean"],
        "Start all processes listed in the configuration file",
    ),
    (
        "startProcess",
        &["boolean", "string", "boolean"],
        "Start a process",
    ),
    (
        "startProcessGroup",
        &["array", "string", "boolean"],
        "Start all processes in the group named 'name'",
    ),
    (
        "stopAllProcesses",
        &["array", "boolean"],
        "Stop all processes in the process list",
    ),
    (
        "stopProcess",
        &["boolean", "string", "boolean"],
        "Stop a process named by name",
    ),
    (
        "stopProcessGroup",
        &["array", "string", "boolean"],
        "Stop all processes in the process group named 'name'",
    ),
    (
        "tailProcessLog",
        &["array", "string", "int", "int"],
        "Provides a more efficient way to tail the (stdout) log than readProcessStdoutLog().",
    ),
    (
        "tailProcessStderrLog",
        &["array", "string", "int", "int"],
        "Provides a more efficient way to tail the (stderr) log than readProcessStderrLog().",
    ),
    (
        "tailProcessStdoutLog",
        &["array", "string", "int", "int"],
        "Provides a more efficient way to tail the (stdout) log than readProcessStdoutLog().",
    ),
];

/// The system namespace.
pub const SYSTEM_METHODS: &[(&str, &[&str], &str)] = &[
    (
        "listMethods",
        &["array"],
        "Return an array listing the available method names",
    ),
    (
        "methodHelp",
        &["string", "string"],
        "Return a string showing the method's documentation",
    ),
    (
        "methodSignature",
        &["array", "string"],
        "Return an array describing the method signature in the form [rtype, ptype, ptype...] where rtype is the return data type of the method, and ptypes are the parameter data types that the method accepts in method argument order.",
    ),
    (
        "multicall",
        &["array", "array"],
        "Process an array of calls, and return an array of results.",
    ),
];

/// The namespaces that answer: the `[rpcinterface:x]` sections using
/// supervisor's main factory (usually just `supervisor`), and `system`.
pub struct Api {
    pub namespaces: Vec<String>,
}

const MAIN_FACTORY: &str = "supervisor.rpcinterface:make_main_rpcinterface";

impl Api {
    pub fn from_config(config: &crate::model::Config) -> Api {
        Api {
            namespaces: config
                .rpcinterfaces
                .iter()
                .filter(|p| p.factory == MAIN_FACTORY)
                .map(|p| p.name.clone())
                .collect(),
        }
    }

    fn all_methods(&self) -> Vec<(String, &'static [&'static str], &'static str)> {
        let mut out = Vec::new();
        for ns in &self.namespaces {
            for (m, sig, doc) in SUPERVISOR_METHODS {
                out.push((format!("{ns}.{m}"), *sig, *doc));
            }
        }
        for (m, sig, doc) in SYSTEM_METHODS {
            out.push((format!("system.{m}"), *sig, *doc));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// `traverse`: calls `namespace.method(*params)`.
    pub fn call(&self, sup: &mut Supervisor, method: &str, params: Vec<Value>) -> RpcResult {
        let parts: Vec<&str> = method.split('.').collect();
        if parts.len() != 2 || parts[1].starts_with('_') {
            return Err(fault(UNKNOWN_METHOD, None));
        }
        let (ns, m) = (parts[0], parts[1]);
        if ns == "system" {
            return self.system(sup, m, params);
        }
        if self.namespaces.iter().any(|n| n == ns) {
            return supervisor_call(sup, m, params);
        }
        Err(fault(UNKNOWN_METHOD, None))
    }

    fn system(&self, sup: &mut Supervisor, m: &str, params: Vec<Value>) -> RpcResult {
        match m {
            "listMethods" => {
                arity(&params, 0, 0)?;
                ok(Value::Array(
                    self.all_methods()
                        .into_iter()
                        .map(|(n, _, _)| Value::Str(n))
                        .collect(),
                ))
            }
            "methodHelp" => {
                arity(&params, 1, 1)?;
                let name = string(&params, 0)?;
                self.all_methods()
                    .into_iter()
                    .find(|(n, _, _)| *n == name)
                    .map(|(n, _, doc)| Outcome::Value(Value::str(docstring(&n).unwrap_or(doc))))
                    .ok_or_else(|| fault(SIGNATURE_UNSUPPORTED, None))
            }
            "methodSignature" => {
                arity(&params, 1, 1)?;
                let name = string(&params, 0)?;
                self.all_methods()
                    .into_iter()
                    .find(|(n, _, _)| *n == name)
                    .map(|(_, sig, _)| {
                        Outcome::Value(Value::Array(sig.iter().map(|s| Value::str(*s)).collect()))
                    })
                    .ok_or_else(|| fault(SIGNATURE_UNSUPPORTED, None))
            }
            "multicall" => {
                arity(&params, 1, 1)?;
                let Value::Array(calls) = &params[0] else {
                    return Err(fault(INCORRECT_PARAMETERS, None));
                };
                let mut multi = Multi {
                    remaining: calls.iter().cloned().collect(),
                    callback: None,
                    results: Vec::new(),
                };
                match multi.poll(self, sup) {
                    Some(Ok(v)) => ok(v),
                    Some(Err(f)) => Err(f),
                    None => Ok(Outcome::Deferred(Deferred::Multi(Box::new(multi)))),
                }
            }
            _ => Err(fault(UNKNOWN_METHOD, None)),
        }
    }
}

fn arity(params: &[Value], min: usize, max: usize) -> Result<(), Fault> {
    if params.len() < min || params.len() > max {
        Err(fault(INCORRECT_PARAMETERS, None))
    } else {
        Ok(())
    }
}

fn string(params: &[Value], i: usize) -> Result<String, Fault> {
    match params.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(Value::Base64(b)) => Ok(String::from_utf8_lossy(b).into_owned()),
        _ => Err(fault(INCORRECT_PARAMETERS, None)),
    }
}

/// `'%s' % x` of an argument (a string, a number or a boolean).
fn py_str(params: &[Value], i: usize) -> Result<String, Fault> {
    match params.get(i) {
        Some(Value::Int(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(if *b { "True" } else { "False" }.to_string()),
        _ => string(params, i),
    }
}

/// `int(x)` of an argument.
fn int(params: &[Value], i: usize) -> Result<i64, Fault> {
    match params.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        Some(Value::Bool(b)) => Ok(i64::from(*b)),
        Some(Value::Double(d)) => Ok(d.trunc() as i64),
        Some(Value::Str(s)) => s
            .trim()
            .parse()
            .map_err(|_| fault(INCORRECT_PARAMETERS, None)),
        _ => Err(fault(INCORRECT_PARAMETERS, None)),
    }
}

fn flag(params: &[Value], i: usize) -> bool {
    params.get(i).is_none_or(Value::truthy)
}

/// `split_namespec`: (group, process or None).
pub fn split_namespec(namespec: &str) -> (String, Option<String>) {
    match namespec.split_once(':') {
        Some((g, p)) if p.is_empty() || p == "*" => (g.to_string(), None),
        Some((g, p)) => (g.to_string(), Some(p.to_string())),
        None => (namespec.to_string(), Some(namespec.to_string())),
    }
}

/// `make_namespec`.
pub fn make_namespec(group: &str, name: &str) -> String {
    if group == name {
        name.to_string()
    } else {
        format!("{group}:{name}")
    }
}

/// `_update`: every supervisor method refuses while shutting down.
fn update(sup: &Supervisor) -> Result<(), Fault> {
    if sup.ctx.mood < super::process::Mood::Running {
        Err(fault(SHUTDOWN_STATE, None))
    } else {
        Ok(())
    }
}

/// `_getGroupAndProcess`: (group, Some(process)) or (group, None) for
/// `group:*`.
fn group_and_process(sup: &Supervisor, name: &str) -> Result<(String, Option<String>), Fault> {
    let (g, p) = split_namespec(name);
    let Some(group) = sup.groups.get(&g) else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    match p {
        None => Ok((g, None)),
        Some(p) if group.processes.contains_key(&p) => Ok((g, Some(p))),
        Some(_) => Err(fault(BAD_NAME, Some(name))),
    }
}

/// `_getAllProcesses`: (group, process) pairs by priority, or lexically.
fn all_processes(sup: &Supervisor, lexical: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if lexical {
        let mut groups: Vec<&String> = sup.groups.keys().collect();
        groups.sort();
        for g in groups {
            let mut names: Vec<&String> = sup.groups[g].processes.keys().collect();
            names.sort();
            for n in names {
                out.push((g.clone(), n.clone()));
            }
        }
    } else {
        for g in sup.sorted_groups() {
            for n in sup.groups[&g].sorted_names() {
                out.push((g.clone(), n));
            }
        }
    }
    out
}

fn result_struct(name: &str, group: &str, status: i64, description: &str) -> Value {
    Value::Struct(vec![
        ("name".into(), Value::str(name)),
        ("group".into(), Value::str(group)),
        ("status".into(), Value::Int(status)),
        ("description".into(), Value::str(description)),
    ])
}

/// A deferred answer (`NOT_DONE_YET` until it has one).
pub enum Deferred {
    /// startProcess waiting for RUNNING.
    StartWait {
        name: String,
        group: String,
        process: String,
    },
    /// stopProcess waiting for a stopped state.
    StopWait {
        group: String,
        process: String,
    },
    /// The group and "all" variants (`make_allfunc`).
    All(Box<AllFunc>),
    Multi(Box<Multi>),
}

impl Deferred {
    /// How often supervisord polls it.
    pub fn delay(&self) -> f64 {
        match self {
            Deferred::StopWait { .. } => 0.0,
            _ => 0.05,
        }
    }

    /// The answer, once there is one.
    pub fn poll(&mut self, api: &Api, sup: &mut Supervisor) -> Option<Result<Value, Fault>> {
        match self {
            Deferred::StartWait {
                name,
                group,
                process,
            } => {
                let Some(p) = sup.process_mut(group, process) else {
                    return Some(Err(fault(ABNORMAL_TERMINATION, Some(name))));
                };
                if p.spawnerr.is_some() {
                    return Some(Err(fault(SPAWN_ERROR, Some(name))));
                }
                match p.state {
                    ProcessState::Running => Some(Ok(Value::Bool(true))),
                    ProcessState::Starting => None,
                    _ => Some(Err(fault(ABNORMAL_TERMINATION, Some(name)))),
                }
            }
            Deferred::StopWait { group, process } => {
                let (g, n) = (group.clone(), process.clone());
                let ctx = &mut sup.ctx;
                let p = sup
                    .groups
                    .get_mut(&g)
                    .and_then(|g| g.processes.get_mut(&n))?;
                p.stop_report(ctx);
                if p.state.is_stopped() {
                    Some(Ok(Value::Bool(true)))
                } else {
                    None
                }
            }
            Deferred::All(all) => all.poll(sup),
            Deferred::Multi(m) => m.poll(api, sup),
        }
    }
}

#[derive(Clone, Copy)]
pub enum AllOp {
    Start,
    Stop,
}

/// `make_allfunc` for start and stop.
pub struct AllFunc {
    processes: Vec<(String, String)>,
    op: AllOp,
    wait: bool,
    started: bool,
    callbacks: Vec<(String, String, Deferred)>,
    results: Vec<Value>,
}

impl AllFunc {
    fn new(processes: Vec<(String, String)>, op: AllOp, wait: bool) -> AllFunc {
        AllFunc {
            processes,
            op,
            wait,
            started: false,
            callbacks: Vec::new(),
            results: Vec::new(),
        }
    }

    fn poll(&mut self, sup: &mut Supervisor) -> Option<Result<Value, Fault>> {
        if !self.started {
            self.started = true;
            for (g, n) in self.processes.clone() {
                let Some(p) = sup.groups.get(&g).and_then(|gr| gr.processes.get(&n)) else {
                    continue;
                };
                let running = p.state.is_running();
                let applies = match self.op {
                    AllOp::Start => !running,
                    AllOp::Stop => running,
                };
                if !applies {
                    continue;
                }
                let name = make_namespec(&g, &n);
                let r = match self.op {
                    AllOp::Start => start_process(sup, &name, self.wait),
                    AllOp::Stop => stop_process(sup, &name, self.wait),
                };
                match r {
                    Err(f) => self.results.push(result_struct(&n, &g, f.code, &f.text)),
                    Ok(Outcome::Deferred(d)) => self.callbacks.push((g, n, d)),
                    Ok(Outcome::Value(_)) => {
                        self.results.push(result_struct(&n, &g, SUCCESS, "OK"))
                    }
                }
            }
        }
        if self.callbacks.is_empty() {
            return Some(Ok(Value::Array(std::mem::take(&mut self.results))));
        }
        let api = Api {
            namespaces: Vec::new(),
        };
        let mut i = 0;
        while i < self.callbacks.len() {
            let (g, n, cb) = &mut self.callbacks[i];
            match cb.poll(&api, sup) {
                None => i += 1,
                Some(Err(f)) => {
                    self.results.push(result_struct(n, g, f.code, &f.text));
                    self.callbacks.remove(i);
                }
                Some(Ok(_)) => {
                    self.results.push(result_struct(n, g, SUCCESS, "OK"));
                    self.callbacks.remove(i);
                }
            }
        }
        if self.callbacks.is_empty() {
            Some(Ok(Value::Array(std::mem::take(&mut self.results))))
        } else {
            None
        }
    }
}

/// `system.multicall`.
pub struct Multi {
    remaining: VecDeque<Value>,
    callback: Option<Deferred>,
    results: Vec<Value>,
}

fn fault_struct(f: &Fault) -> Value {
    Value::Struct(vec![
        ("faultCode".into(), Value::Int(f.code)),
        ("faultString".into(), Value::str(f.text.clone())),
    ])
}

impl Multi {
    fn poll(&mut self, api: &Api, sup: &mut Supervisor) -> Option<Result<Value, Fault>> {
        if let Some(cb) = self.callback.as_mut() {
            match cb.poll(api, sup) {
                None => return None,
                Some(r) => {
                    self.results.push(match r {
                        Ok(v) => v,
                        Err(f) => fault_struct(&f),
                    });
                    self.callback = None;
                }
            }
        }
        while self.callback.is_none() {
            let Some(call) = self.remaining.pop_front() else {
                break;
            };
            let name = call
                .get("methodName")
                .and_then(Value::as_str)
                .map(str::to_string);
            let params = match call.get("params") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            let r = match name.as_deref() {
                None => Err(fault(INCORRECT_PARAMETERS, Some("No methodName"))),
                Some("system.multicall") => Err(fault(
                    INCORRECT_PARAMETERS,
                    Some("Recursive system.multicall forbidden"),
                )),
                Some(n) => api.call(sup, n, params),
            };
            match r {
                Ok(Outcome::Value(v)) => self.results.push(v),
                Ok(Outcome::Deferred(d)) => self.callback = Some(d),
                Err(f) => self.results.push(fault_struct(&f)),
            }
        }
        if self.callback.is_some() || !self.remaining.is_empty() {
            None
        } else {
            Some(Ok(Value::Array(std::mem::take(&mut self.results))))
        }
    }
}

fn exec_fault(e: &super::spawn::ExecError) -> Fault {
    match e {
        super::spawn::ExecError::NotFound(m) => fault(NO_FILE, Some(m)),
        other => fault(NOT_EXECUTABLE, Some(other.message())),
    }
}

/// `startProcess`.
pub fn start_process(sup: &mut Supervisor, name: &str, wait: bool) -> RpcResult {
    update(sup)?;
    let (g, p) = group_and_process(sup, name)?;
    let Some(p) = p else {
        return start_process_group(sup, &g, wait);
    };
    {
        let ctx = &sup.ctx;
        let proc = &sup.groups[&g].processes[&p];
        proc.execv_args(ctx).map_err(|e| exec_fault(&e))?;
        if proc.state.is_running() {
            return Err(fault(ALREADY_STARTED, Some(name)));
        }
        if proc.state == ProcessState::Unknown {
            return Err(fault(
                FAILED,
                Some(&format!("{name} is in an unknown process state")),
            ));
        }
    }
    {
        let ctx = &mut sup.ctx;
        let proc = sup.groups[&g].processes.get_mut(&p).expect("checked");
        proc.spawn(ctx);
    }
    sup.reap();
    let ctx = &mut sup.ctx;
    let Some(proc) = sup
        .groups
        .get_mut(&g)
        .and_then(|gr| gr.processes.get_mut(&p))
    else {
        return Err(fault(SPAWN_ERROR, Some(name)));
    };
    if proc.spawnerr.is_some() {
        return Err(fault(SPAWN_ERROR, Some(name)));
    }
    proc.transition(ctx);
    if wait && proc.state != ProcessState::Running {
        return Ok(Outcome::Deferred(Deferred::StartWait {
            name: name.to_string(),
            group: g,
            process: p,
        }));
    }
    ok(Value::Bool(true))
}

/// `startProcessGroup`.
pub fn start_process_group(sup: &mut Supervisor, name: &str, wait: bool) -> RpcResult {
    update(sup)?;
    let Some(group) = sup.groups.get(name) else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    let procs = group
        .sorted_names()
        .into_iter()
        .map(|n| (name.to_string(), n))
        .collect();
    all_deferred(sup, AllFunc::new(procs, AllOp::Start, wait))
}

fn all_deferred(sup: &mut Supervisor, mut all: AllFunc) -> RpcResult {
    match all.poll(sup) {
        Some(Ok(v)) => ok(v),
        Some(Err(f)) => Err(f),
        None => Ok(Outcome::Deferred(Deferred::All(Box::new(all)))),
    }
}

/// `stopProcess`.
pub fn stop_process(sup: &mut Supervisor, name: &str, wait: bool) -> RpcResult {
    update(sup)?;
    let (g, p) = group_and_process(sup, name)?;
    let Some(p) = p else {
        return stop_process_group(sup, &g, wait);
    };
    {
        let ctx = &mut sup.ctx;
        let proc = sup.groups[&g].processes.get_mut(&p).expect("checked");
        if !proc.state.is_running() {
            return Err(fault(NOT_RUNNING, Some(name)));
        }
        if let Some(msg) = proc.stop(ctx) {
            return Err(fault(FAILED, Some(&msg)));
        }
    }
    sup.reap();
    let stopped = sup
        .groups
        .get(&g)
        .and_then(|gr| gr.processes.get(&p))
        .is_none_or(|proc| proc.state.is_stopped());
    if wait && !stopped {
        return Ok(Outcome::Deferred(Deferred::StopWait {
            group: g,
            process: p,
        }));
    }
    ok(Value::Bool(true))
}

/// `stopProcessGroup`.
pub fn stop_process_group(sup: &mut Supervisor, name: &str, wait: bool) -> RpcResult {
    update(sup)?;
    let Some(group) = sup.groups.get(name) else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    let procs = group
        .sorted_names()
        .into_iter()
        .map(|n| (name.to_string(), n))
        .collect();
    all_deferred(sup, AllFunc::new(procs, AllOp::Stop, wait))
}

/// `datatypes.signal_number`, the same converter the config reader uses.
fn signal_number(v: &Value) -> Option<i32> {
    let text = match v {
        Value::Int(n) => n.to_string(),
        Value::Str(s) => s.clone(),
        _ => return None,
    };
    crate::resolve::signal_number(&text)
        .ok()
        .map(crate::model::Signal::as_raw)
}

fn signal_repr(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// `signalProcess`.
fn signal_process(sup: &mut Supervisor, name: &str, sig: &Value) -> RpcResult {
    update(sup)?;
    let (g, p) = group_and_process(sup, name)?;
    let Some(p) = p else {
        return signal_group(sup, &g, sig);
    };
    let Some(signum) = signal_number(sig) else {
        return Err(fault(BAD_SIGNAL, Some(&signal_repr(sig))));
    };
    let ctx = &mut sup.ctx;
    let proc = sup.groups[&g].processes.get_mut(&p).expect("checked");
    if !proc.state.is_signallable() {
        return Err(fault(NOT_RUNNING, Some(name)));
    }
    if let Some(msg) = proc.signal(ctx, signum) {
        return Err(fault(FAILED, Some(&msg)));
    }
    ok(Value::Bool(true))
}

fn signal_all(sup: &mut Supervisor, procs: Vec<(String, String)>, sig: &Value) -> RpcResult {
    let mut results = Vec::new();
    for (g, n) in procs {
        let signallable = sup
            .groups
            .get(&g)
            .and_then(|gr| gr.processes.get(&n))
            .is_some_and(|p| p.state.is_signallable());
        if !signallable {
            continue;
        }
        match signal_process(sup, &make_namespec(&g, &n), sig) {
            Err(f) => results.push(result_struct(&n, &g, f.code, &f.text)),
            Ok(_) => results.push(result_struct(&n, &g, SUCCESS, "OK")),
        }
    }
    ok(Value::Array(results))
}

/// `signalProcessGroup`.
fn signal_group(sup: &mut Supervisor, name: &str, sig: &Value) -> RpcResult {
    update(sup)?;
    let Some(group) = sup.groups.get(name) else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    let procs = group
        .sorted_names()
        .into_iter()
        .map(|n| (name.to_string(), n))
        .collect();
    signal_all(sup, procs, sig)
}

/// `str(datetime.timedelta(seconds=n))`.
fn timedelta(secs: i64) -> String {
    let secs = secs.max(0);
    let days = secs / 86400;
    let rest = secs % 86400;
    let hms = format!("{}:{:02}:{:02}", rest / 3600, (rest % 3600) / 60, rest % 60);
    match days {
        0 => hms,
        1 => format!("1 day, {hms}"),
        d => format!("{d} days, {hms}"),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `strftime('%b %d %I:%M %p')` in local time.
fn stop_time(t: i64) -> String {
    let (_, mo, d, h, mi, _) = localtime(t as f64);
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    let ampm = if h < 12 { "AM" } else { "PM" };
    format!(
        "{} {d:02} {h12:02}:{mi:02} {ampm}",
        MONTHS[(mo as usize).saturating_sub(1) % 12]
    )
}

/// `capped_int`.
fn capped(t: f64) -> i64 {
    (t as i64).clamp(i64::from(i32::MIN), i64::from(i32::MAX))
}

/// `getProcessInfo` for one process.
pub fn process_info(p: &Proc) -> Value {
    let start = capped(p.laststart);
    let stop = capped(p.laststop);
    let t = capped(now());
    let spawnerr = p.spawnerr.clone().unwrap_or_default();
    let description = match p.state {
        ProcessState::Running => {
            // uptime from whole seconds of UTC times.
            format!("pid {}, uptime {}", p.pid, timedelta(t - start))
        }
        ProcessState::Fatal | ProcessState::Backoff => {
            if spawnerr.is_empty() {
                format!("unknown error (try \"tail {}\")", p.name())
            } else {
                spawnerr.clone()
            }
        }
        ProcessState::Stopped | ProcessState::Exited => {
            if start != 0 {
                stop_time(stop)
            } else {
                "Not started".to_string()
            }
        }
        _ => String::new(),
    };
    let stdout = p.conf.stdout_logfile.clone().unwrap_or_default();
    let stderr = p.conf.stderr_logfile.clone().unwrap_or_default();
    Value::Struct(vec![
        ("name".into(), Value::str(p.name())),
        ("group".into(), Value::str(p.group.clone())),
        ("start".into(), Value::Int(start)),
        ("stop".into(), Value::Int(stop)),
        ("now".into(), Value::Int(t)),
        ("state".into(), Value::Int(p.state.code())),
        ("statename".into(), Value::str(p.state.name())),
        ("spawnerr".into(), Value::Str(spawnerr)),
        ("exitstatus".into(), Value::Int(p.exitstatus.unwrap_or(0))),
        ("logfile".into(), Value::str(stdout.clone())),
        ("stdout_logfile".into(), Value::Str(stdout)),
        ("stderr_logfile".into(), Value::Str(stderr)),
        ("pid".into(), Value::Int(i64::from(p.pid))),
        ("description".into(), Value::Str(description)),
    ])
}

/// `readFile`: Err is the fault name (`BAD_ARGUMENTS`, `FAILED`).
pub fn read_file(path: &str, offset: i64, length: i64) -> Result<Vec<u8>, i64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|_| FAILED)?;
    let mut data = Vec::new();
    if offset < 0 {
        if length != 0 {
            return Err(BAD_ARGUMENTS);
        }
        let sz = f.seek(SeekFrom::End(0)).map_err(|_| FAILED)? as i64;
        let pos = (sz - offset.unsigned_abs() as i64).max(0);
        f.seek(SeekFrom::Start(pos as u64)).map_err(|_| FAILED)?;
        f.take(offset.unsigned_abs())
            .read_to_end(&mut data)
            .map_err(|_| FAILED)?;
    } else {
        if length < 0 {
            return Err(BAD_ARGUMENTS);
        }
        f.seek(SeekFrom::Start(offset as u64)).map_err(|_| FAILED)?;
        if length == 0 {
            f.read_to_end(&mut data).map_err(|_| FAILED)?;
        } else {
            f.take(length as u64)
                .read_to_end(&mut data)
                .map_err(|_| FAILED)?;
        }
    }
    Ok(data)
}

/// `tailFile`: [string, offset, overflow].
pub fn tail_file(path: &str, offset: i64, length: i64) -> Value {
    use std::io::{Read, Seek, SeekFrom};
    let fail =
        |offset: i64| Value::Array(vec![Value::str(""), Value::Int(offset), Value::Bool(false)]);
    let Ok(mut f) = std::fs::File::open(path) else {
        return fail(offset);
    };
    let Ok(sz) = f.seek(SeekFrom::End(0)) else {
        return fail(offset);
    };
    let sz = sz as i64;
    let (mut offset, mut length) = (offset, length);
    let mut overflow = false;
    if sz > offset + length {
        overflow = true;
        offset = sz - 1;
    }
    if offset + length > sz {
        if offset > sz - 1 {
            length = 0;
        }
        offset = sz - length;
    }
    offset = offset.max(0);
    length = length.max(0);
    let mut data = Vec::new();
    if length > 0 && f.seek(SeekFrom::Start(offset as u64)).is_ok() {
        let _ = f.take(length as u64).read_to_end(&mut data);
    }
    Value::Array(vec![
        Value::Str(String::from_utf8_lossy(&data).into_owned()),
        Value::Int(sz),
        Value::Bool(overflow),
    ])
}

fn none_or<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or_else(|| Value::str("none"), Into::into)
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

fn sat(v: &crate::python::int::PyInt) -> i64 {
    v.to_i64()
        .unwrap_or(if v.is_negative() { i64::MIN } else { i64::MAX })
}

/// `getAllConfigInfo`.
fn all_config_info(sup: &Supervisor) -> Value {
    let mut out = Vec::new();
    for g in &sup.config.groups {
        let active = sup.groups.get(&*g.name);
        let inuse = active.is_some();
        for p in &g.processes {
            let running = active.and_then(|a| a.processes.get(p.name()));
            let logfile = |spec: &LogSpec, realized: Option<&Option<String>>| match spec {
                LogSpec::Auto => match realized {
                    Some(Some(path)) => Value::str(path.clone()),
                    _ => Value::str("auto"),
                },
                LogSpec::None => Value::str("none"),
                LogSpec::Path(path) => Value::str(path.to_string()),
            };
            let uid = match p.uid {
                Some(crate::model::Id::Known(u)) => Some(i64::from(u)),
                _ => None,
            };
            out.push(Value::Struct(vec![
                ("autostart".into(), Value::Bool(p.autostart)),
                (
                    "directory".into(),
                    none_or(p.directory().map(str::to_string)),
                ),
                ("uid".into(), none_or(uid)),
                ("command".into(), Value::str(p.command().to_string())),
                (
                    "exitcodes".into(),
                    Value::Array(p.exitcodes.iter().map(|c| Value::Int(sat(c))).collect()),
                ),
                ("group".into(), Value::str(g.name.to_string())),
                ("group_prio".into(), Value::Int(sat(&g.priority))),
                ("inuse".into(), Value::Bool(inuse)),
                ("killasgroup".into(), Value::Bool(p.killasgroup)),
                ("name".into(), Value::str(p.name().to_string())),
                ("process_prio".into(), Value::Int(sat(&p.priority))),
                ("redirect_stderr".into(), Value::Bool(p.redirect_stderr)),
                ("startretries".into(), Value::Int(sat(&p.startretries))),
                ("startsecs".into(), Value::Int(sat(&p.startsecs))),
                (
                    "stdout_capture_maxbytes".into(),
                    Value::Int(sat(&p.stdout().capture_maxbytes)),
                ),
                (
                    "stdout_events_enabled".into(),
                    Value::Bool(p.stdout().events_enabled),
                ),
                (
                    "stdout_logfile".into(),
                    logfile(&p.stdout().logfile, running.map(|r| &r.conf.stdout_logfile)),
                ),
                (
                    "stdout_logfile_backups".into(),
                    Value::Int(sat(&p.stdout().backups)),
                ),
                (
                    "stdout_logfile_maxbytes".into(),
                    Value::Int(sat(&p.stdout().maxbytes)),
                ),
                ("stdout_syslog".into(), Value::Bool(p.stdout().syslog)),
                (
                    "stopsignal".into(),
                    Value::Int(i64::from(p.stopsignal.as_raw())),
                ),
                ("stopwaitsecs".into(), Value::Int(sat(&p.stopwaitsecs))),
                (
                    "stderr_capture_maxbytes".into(),
                    Value::Int(sat(&p.stderr().capture_maxbytes)),
                ),
                (
                    "stderr_events_enabled".into(),
                    Value::Bool(p.stderr().events_enabled),
                ),
                (
                    "stderr_logfile".into(),
                    logfile(&p.stderr().logfile, running.map(|r| &r.conf.stderr_logfile)),
                ),
                (
                    "stderr_logfile_backups".into(),
                    Value::Int(sat(&p.stderr().backups)),
                ),
                (
                    "stderr_logfile_maxbytes".into(),
                    Value::Int(sat(&p.stderr().maxbytes)),
                ),
                ("stderr_syslog".into(), Value::Bool(p.stderr().syslog)),
                ("serverurl".into(), none_or(p.serverurl.clone())),
            ]));
        }
    }
    out.sort_by(|a, b| {
        let n = |v: &Value| {
            v.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        n(a).cmp(&n(b))
    });
    Value::Array(out)
}

fn process_log(sup: &Supervisor, name: &str, stderr: bool) -> Result<Option<String>, Fault> {
    let (g, p) = group_and_process(sup, name)?;
    let Some(p) = p else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    let proc = &sup.groups[&g].processes[&p];
    Ok(if stderr {
        proc.conf.stderr_logfile.clone()
    } else {
        proc.conf.stdout_logfile.clone()
    })
}

fn log_exists(path: &Option<String>) -> Option<&str> {
    path.as_deref()
        .filter(|p| !p.is_empty() && std::path::Path::new(p).exists())
}

fn read_log(path: Option<String>, offset: i64, length: i64) -> RpcResult {
    let Some(p) = log_exists(&path) else {
        return Err(fault(NO_FILE, Some(path.as_deref().unwrap_or("None"))));
    };
    match read_file(p, offset, length) {
        Ok(data) => ok(Value::Str(String::from_utf8_lossy(&data).into_owned())),
        Err(code) => Err(fault(code, None)),
    }
}

/// The supervisor namespace.
fn supervisor_call(sup: &mut Supervisor, m: &str, params: Vec<Value>) -> RpcResult {
    let p = &params;
    match m {
        "getAPIVersion" | "getVersion" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(Value::str("3.0"))
        }
        "getSupervisorVersion" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(Value::str("4.3.0"))
        }
        "getIdentification" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(Value::str(sup.identifier.clone()))
        }
        "getState" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(Value::Struct(vec![
                ("statecode".into(), Value::Int(sup.ctx.mood.code())),
                ("statename".into(), Value::str(sup.ctx.mood.name())),
            ]))
        }
        "getPID" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(Value::Int(i64::from(sup.ctx.pid)))
        }
        "readLog" | "readMainLog" => {
            arity(p, 2, 2)?;
            update(sup)?;
            let (offset, length) = (int(p, 0)?, int(p, 1)?);
            let path = sup.ctx.logger.file.as_ref().map(|f| f.path.clone());
            read_log(path, offset, length)
        }
        "clearLog" => {
            arity(p, 0, 0)?;
            update(sup)?;
            let path = sup.ctx.logger.file.as_ref().map(|f| f.path.clone());
            if log_exists(&path).is_none() {
                return Err(fault(NO_FILE, None));
            }
            if let Some(path) = path {
                std::fs::remove_file(&path).map_err(|_| fault(FAILED, None))?;
            }
            sup.ctx.logger.info("reopening log file");
            if let Some(f) = sup.ctx.logger.file.as_mut() {
                f.reopen();
            }
            ok(Value::Bool(true))
        }
        "shutdown" => {
            arity(p, 0, 0)?;
            update(sup)?;
            sup.ctx.mood = super::process::Mood::Shutdown;
            ok(Value::Bool(true))
        }
        "restart" => {
            arity(p, 0, 0)?;
            update(sup)?;
            sup.ctx.mood = super::process::Mood::Restarting;
            ok(Value::Bool(true))
        }
        "reloadConfig" => {
            arity(p, 0, 0)?;
            update(sup)?;
            sup.reread().map_err(|e| fault(CANT_REREAD, Some(&e)))?;
            let (added, changed, removed) = sup.diff_to_active();
            let arr = |v: Vec<String>| Value::Array(v.into_iter().map(Value::Str).collect());
            ok(Value::Array(vec![Value::Array(vec![
                arr(added),
                arr(changed),
                arr(removed),
            ])]))
        }
        "addProcessGroup" => {
            arity(p, 1, 1)?;
            update(sup)?;
            let name = string(p, 0)?;
            let Some(g) = sup.configured_group(&name) else {
                return Err(fault(BAD_NAME, Some(&name)));
            };
            match sup.add_process_group(&g) {
                Ok(true) => {}
                Ok(false) => return Err(fault(ALREADY_ADDED, Some(&name))),
                Err(e) => return Err(fault(FAILED, Some(&e))),
            }
            ok(Value::Bool(true))
        }
        "removeProcessGroup" => {
            arity(p, 1, 1)?;
            update(sup)?;
            let name = string(p, 0)?;
            if !sup.groups.contains_key(&name) {
                return Err(fault(BAD_NAME, Some(&name)));
            }
            if !sup.remove_process_group(&name) {
                return Err(fault(STILL_RUNNING, Some(&name)));
            }
            ok(Value::Bool(true))
        }
        "startProcess" => {
            arity(p, 1, 2)?;
            start_process(sup, &string(p, 0)?, flag(p, 1))
        }
        "startProcessGroup" => {
            arity(p, 1, 2)?;
            start_process_group(sup, &string(p, 0)?, flag(p, 1))
        }
        "startAllProcesses" => {
            arity(p, 0, 1)?;
            update(sup)?;
            let procs = all_processes(sup, false);
            all_deferred(sup, AllFunc::new(procs, AllOp::Start, flag(p, 0)))
        }
        "stopProcess" => {
            arity(p, 1, 2)?;
            stop_process(sup, &string(p, 0)?, flag(p, 1))
        }
        "stopProcessGroup" => {
            arity(p, 1, 2)?;
            stop_process_group(sup, &string(p, 0)?, flag(p, 1))
        }
        "stopAllProcesses" => {
            arity(p, 0, 1)?;
            update(sup)?;
            let procs = all_processes(sup, false);
            all_deferred(sup, AllFunc::new(procs, AllOp::Stop, flag(p, 0)))
        }
        "signalProcess" => {
            arity(p, 2, 2)?;
            signal_process(sup, &string(p, 0)?, &p[1])
        }
        "signalProcessGroup" => {
            arity(p, 2, 2)?;
            signal_group(sup, &string(p, 0)?, &p[1])
        }
        "signalAllProcesses" => {
            arity(p, 1, 1)?;
            let procs = all_processes(sup, false);
            let r = signal_all(sup, procs, &p[0]);
            update(sup)?;
            r
        }
        "getAllConfigInfo" => {
            arity(p, 0, 0)?;
            update(sup)?;
            ok(all_config_info(sup))
        }
        "getProcessInfo" => {
            arity(p, 1, 1)?;
            update(sup)?;
            let name = string(p, 0)?;
            let (g, pr) = group_and_process(sup, &name)?;
            let Some(pr) = pr else {
                return Err(fault(BAD_NAME, Some(&name)));
            };
            ok(process_info(&sup.groups[&g].processes[&pr]))
        }
        "getAllProcessInfo" => {
            arity(p, 0, 0)?;
            update(sup)?;
            let all = all_processes(sup, true);
            ok(Value::Array(
                all.iter()
                    .map(|(g, n)| process_info(&sup.groups[g].processes[n]))
                    .collect(),
            ))
        }
        "readProcessStdoutLog" | "readProcessLog" | "readProcessStderrLog" => {
            arity(p, 3, 3)?;
            update(sup)?;
            let name = string(p, 0)?;
            let (offset, length) = (int(p, 1)?, int(p, 2)?);
            let path = process_log(sup, &name, m == "readProcessStderrLog")?;
            read_log(path, offset, length)
        }
        "tailProcessStdoutLog" | "tailProcessLog" | "tailProcessStderrLog" => {
            arity(p, 3, 3)?;
            update(sup)?;
            let name = string(p, 0)?;
            let (offset, length) = (int(p, 1)?, int(p, 2)?);
            let path = process_log(sup, &name, m == "tailProcessStderrLog")?;
            match log_exists(&path) {
                None => ok(Value::Array(vec![
                    Value::str(""),
                    Value::Int(0),
                    Value::Bool(false),
                ])),
                Some(path) => ok(tail_file(path, offset, length)),
            }
        }
        "clearProcessLogs" | "clearProcessLog" => {
            arity(p, 1, 1)?;
            update(sup)?;
            clear_process_logs(sup, &string(p, 0)?)
        }
        "clearAllProcessLogs" => {
            arity(p, 0, 0)?;
            update(sup)?;
            let mut results = Vec::new();
            for (g, n) in all_processes(sup, false) {
                match clear_process_logs(sup, &make_namespec(&g, &n)) {
                    Err(f) => results.push(result_struct(&n, &g, f.code, &f.text)),
                    Ok(_) => results.push(result_struct(&n, &g, SUCCESS, "OK")),
                }
            }
            ok(Value::Array(results))
        }
        "sendProcessStdin" => {
            arity(p, 2, 2)?;
            update(sup)?;
            let chars = match &p[1] {
                Value::Str(s) => s.as_bytes().to_vec(),
                Value::Base64(b) => b.clone(),
                _ => return Err(fault(INCORRECT_PARAMETERS, None)),
            };
            let name = string(p, 0)?;
            let (g, pr) = group_and_process(sup, &name)?;
            let Some(pr) = pr else {
                return Err(fault(BAD_NAME, Some(&name)));
            };
            let proc = sup.groups[&g].processes.get_mut(&pr).expect("checked");
            if proc.pid == 0 || proc.killing {
                return Err(fault(NOT_RUNNING, Some(&name)));
            }
            let Some(stdin) = proc.io.as_mut().and_then(|io| io.stdin.as_mut()) else {
                return Err(fault(NO_FILE, Some(&name)));
            };
            if stdin.closed {
                return Err(fault(NO_FILE, Some(&name)));
            }
            stdin.buffer.extend_from_slice(&chars);
            // As supervisord, the bytes stay queued: the next pass writes
            // them again and closes the dispatcher (`handle_write_event`).
            if stdin.flush().is_err() {
                return Err(fault(NO_FILE, Some(&name)));
            }
            ok(Value::Bool(true))
        }
        "sendRemoteCommEvent" => {
            arity(p, 2, 2)?;
            let (kind, data) = (py_str(p, 0)?, py_str(p, 1)?);
            sup.notify("REMOTE_COMMUNICATION", || format!("type:{kind}\n{data}"));
            ok(Value::Bool(true))
        }
        _ => Err(fault(UNKNOWN_METHOD, None)),
    }
}

/// `clearProcessLogs`: only a running process has open logs to clear.
fn clear_process_logs(sup: &mut Supervisor, name: &str) -> RpcResult {
    let (g, p) = group_and_process(sup, name)?;
    let Some(p) = p else {
        return Err(fault(BAD_NAME, Some(name)));
    };
    let proc = sup.groups[&g].processes.get_mut(&p).expect("checked");
    if let Some(io) = proc.io.as_mut() {
        for d in [io.stdout.as_mut(), io.stderr.as_mut()]
            .into_iter()
            .flatten()
        {
            if let Some(l) = d.log_mut() {
                l.clear().map_err(|_| fault(FAILED, Some(name)))?;
            }
        }
    }
    ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespecs() {
        assert_eq!(split_namespec("a"), ("a".into(), Some("a".into())));
        assert_eq!(split_namespec("g:*"), ("g".into(), None));
        assert_eq!(split_namespec("g:"), ("g".into(), None));
        assert_eq!(split_namespec("g:a:b"), ("g".into(), Some("a:b".into())));
        assert_eq!(make_namespec("a", "a"), "a");
        assert_eq!(make_namespec("g", "a"), "g:a");
    }

    #[test]
    fn uptime_like_timedelta() {
        assert_eq!(timedelta(5), "0:00:05");
        assert_eq!(timedelta(3725), "1:02:05");
        assert_eq!(timedelta(86400 + 5), "1 day, 0:00:05");
        assert_eq!(timedelta(2 * 86400), "2 days, 0:00:00");
    }

    #[test]
    fn signals() {
        assert_eq!(signal_number(&Value::str("HUP")), Some(1));
        assert_eq!(signal_number(&Value::str("sigusr1")), Some(10));
        assert_eq!(signal_number(&Value::str("9")), Some(9));
        assert_eq!(signal_number(&Value::str("35")), None);
        assert_eq!(signal_number(&Value::str("foo")), None);
    }

    #[test]
    fn tail_semantics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l");
        std::fs::write(&path, b"0123456789").unwrap();
        let p = path.to_str().unwrap();
        assert_eq!(
            tail_file(p, 0, 4),
            Value::Array(vec![Value::str("6789"), Value::Int(10), Value::Bool(true)])
        );
        assert_eq!(
            tail_file(p, 10, 4),
            Value::Array(vec![Value::str(""), Value::Int(10), Value::Bool(false)])
        );
        assert_eq!(read_file(p, -3, 0).unwrap(), b"789");
        assert_eq!(read_file(p, 2, 3).unwrap(), b"234");
        assert_eq!(read_file(p, -3, 1), Err(BAD_ARGUMENTS));
    }
}
