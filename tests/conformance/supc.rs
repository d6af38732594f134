//! The supc side: `supc expand --format json` per case, on a few worker
//! threads, in the case directory and the controlled environment.

use std::collections::HashMap;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::cases::{Case, Mode};
use crate::process::{run_captured, tail};

/// The oracle's fixed environment, always first and in this order.
const BASE_ENV: [(&str, &str); 2] = [
    ("HOME", "/nonexistent"),
    ("PATH", "/usr/local/bin:/usr/bin:/bin"),
];
/// One supc run; a hang must not stall the whole suite.
const SUPC_TIMEOUT: Duration = Duration::from_secs(60);

/// supc's answer plus its exit code.
pub(crate) struct SupcAnswer {
    pub(crate) code: i32,
    pub(crate) json: Value,
}

/// Runs supc on every case with a few worker threads; answers in case order.
pub(crate) fn run_supc_all(mode: Mode, cases: &[Case]) -> Vec<Result<SupcAnswer, String>> {
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let next = AtomicUsize::new(0);
    let answers = Mutex::new(HashMap::new());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(index) else { break };
                    let answer = run_supc(case, mode);
                    answers.lock().unwrap().insert(index, answer);
                }
            });
        }
    });
    let mut answers = answers.into_inner().unwrap();
    (0..cases.len())
        .map(|index| answers.remove(&index).expect("every case was run"))
        .collect()
}

fn run_supc(case: &Case, mode: Mode) -> Result<SupcAnswer, String> {
    let run = run_captured(supc_command(case, mode), None, SUPC_TIMEOUT)
        .map_err(|e| format!("cannot run supc: {e}"))?;
    let code = match run.status.and_then(|status| status.code()) {
        Some(code) => code,
        None => return Err(format!("supc {}{}", run.describe_end(), tail(&run.stderr))),
    };
    let json: Value = serde_json::from_slice(&run.stdout).map_err(|e| {
        format!(
            "supc exited with {code} and its stdout is not JSON ({e}){}",
            tail(&run.stderr)
        )
    })?;
    Ok(SupcAnswer { code, json })
}

/// A variable in supc's process environment in portable mode, which must
/// change nothing (portable supc reads only `--env`): an "Available
/// names" message that named it would differ from the oracle's.
const CANARY: (&str, &str) = ("SUPC_CONFORMANCE_CANARY", "runner-value");

/// `supc expand ...` in the case directory with the oracle's controlled
/// environment: the fixed HOME and PATH, then the case's variables.
fn supc_command(case: &Case, mode: Mode) -> Command {
    let base = BASE_ENV.iter().map(|&(k, v)| (k, v));
    let extra = case.env.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let env = base.chain(extra);
    let mut cmd = match mode {
        Mode::Normal => process_env_command(env),
        Mode::Portable => env_args_command(env),
    };
    cmd.current_dir(&case.dir)
        .args(["--host-node-name", &case.host_node_name, &case.config]);
    cmd
}

/// Normal mode reads the process's environment. std's `Command::env` keeps
/// variables in a sorted map, so the child would see them in name order;
/// supervisord's bare `%s` quirk prints the environment in its real order,
/// so the variables are handed to `env -i`, which sets them one by one in
/// the order given.
fn process_env_command<'a>(env: impl Iterator<Item = (&'a str, &'a str)>) -> Command {
    let supc = env!("CARGO_BIN_EXE_supc");
    assert!(
        !supc.contains('='),
        "env(1) would take {supc} for a variable"
    );
    let mut cmd = Command::new("/usr/bin/env");
    cmd.env_clear().arg("-i");
    for (key, value) in env {
        cmd.arg(format!("{key}={value}"));
    }
    cmd.args([supc, "expand", "--format", "json"]);
    cmd
}

/// Portable mode reads only `--env`, in the order given (a later one
/// overrides an earlier one in place, as the oracle's dict does); the
/// process holds only [`CANARY`].
fn env_args_command<'a>(env: impl Iterator<Item = (&'a str, &'a str)>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    cmd.env_clear()
        .env(CANARY.0, CANARY.1)
        .args(["expand", "--format", "json", "--portable"]);
    for (key, value) in env {
        cmd.arg("--env").arg(format!("{key}={value}"));
    }
    cmd
}
