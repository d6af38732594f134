//! The oracle side: `tests/oracle/supervisor_dump.py --batch`, run by the
//! python that has supervisor 4.3.0, answers for every case of a set in one
//! process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::cases::{Case, Mode, repo_root};
use crate::process::{run_captured, tail};

/// The whole batch; the corpus takes a few seconds.
const ORACLE_TIMEOUT: Duration = Duration::from_secs(900);

/// The oracle's JSON document for one case, or why there is none.
pub(crate) type OracleAnswer = Result<Value, String>;

/// The python to run the oracle with; a missing one fails the test.
pub(crate) fn oracle_python() -> PathBuf {
    let (python, origin) = match std::env::var_os("SUPC_ORACLE_PYTHON") {
        Some(path) => (PathBuf::from(path), "SUPC_ORACLE_PYTHON"),
        None => (
            repo_root().join(".venv-oracle/bin/python"),
            "the default location",
        ),
    };
    assert!(
        python.exists(),
        "no oracle python at {} ({origin}); run scripts/setup-oracle.sh \
         (or scripts/test.sh, which runs it) to create it",
        python.display()
    );
    python
}

fn oracle_script() -> PathBuf {
    repo_root().join("tests/oracle/supervisor_dump.py")
}

/// One batch run of the oracle for all cases; answers in case order.
pub(crate) fn ask_oracle(python: &Path, mode: Mode, cases: &[Case]) -> Vec<OracleAnswer> {
    let mut cmd = Command::new(python);
    cmd.arg(oracle_script()).arg("--batch");
    if mode == Mode::Portable {
        cmd.arg("--portable");
    }
    let requests: String = cases.iter().map(oracle_request).collect();
    let run = match run_captured(cmd, Some(requests.into_bytes()), ORACLE_TIMEOUT) {
        Ok(run) => run,
        Err(e) => return vec![Err(format!("cannot run the oracle: {e}")); cases.len()],
    };
    let mut answers: Vec<OracleAnswer> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(oracle_answer)
        .collect();
    // Missing lines mean the oracle died; every unanswered case says why.
    let why = format!(
        "no answer from the oracle ({}){}",
        run.describe_end(),
        tail(&run.stderr)
    );
    answers.resize(cases.len(), Err(why));
    answers
}

/// The batch request line for one case: the case's variables in file order
/// (the oracle puts its fixed HOME and PATH before them).
fn oracle_request(case: &Case) -> String {
    let mut env = Map::new();
    for (key, value) in &case.env {
        env.insert(key.clone(), Value::String(value.clone()));
    }
    let mut request = serde_json::json!({
        "config": case.config,
        "cwd": utf8(&case.dir),
        "env": env,
        "host_node_name": case.host_node_name,
    });
    if let Some(dir) = &case.pythonpath {
        request["pythonpath"] = serde_json::json!([utf8(dir)]);
    }
    format!("{request}\n")
}

fn utf8(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("{} is not UTF-8", path.display()))
}

fn oracle_answer(line: &str) -> OracleAnswer {
    let reply: Value =
        serde_json::from_str(line).map_err(|e| format!("oracle printed non-JSON ({e}): {line}"))?;
    let result = reply.get("result").cloned().unwrap_or(Value::Null);
    match reply.get("status").and_then(Value::as_i64) {
        Some(0 | 1) => Ok(result),
        Some(3) => Err(format!(
            "oracle internal error:\n{}",
            result["internal_error"].as_str().unwrap_or("?")
        )),
        _ => Err(format!("oracle refused the request: {reply}")),
    }
}
