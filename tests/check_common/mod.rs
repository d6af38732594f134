//! Runs the real `supc` binary with a deadline: a hang is a failure with
//! a message, never a stuck test run.

#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run gave.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub const DEADLINE: Duration = Duration::from_secs(30);

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check")
}

/// `supc ARGS` in `cwd` without CI variables from the caller.
pub fn supc(args: &[&str], cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("CI");
    cmd
}

/// Runs `cmd` with `stdin` as its input; kills it and fails the test if it
/// is still running after [`DEADLINE`].
pub fn run_bounded(mut cmd: Command, stdin: Option<&[u8]>) -> Ran {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("supc starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = reader(child.stdout.take().expect("stdout piped"));
    let err = reader(child.stderr.take().expect("stderr piped"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("supc did not finish within {DEADLINE:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code(),
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// `supc ARGS` in `cwd`, bounded.
pub fn check(args: &[&str], cwd: &Path) -> Ran {
    run_bounded(supc(args, cwd), None)
}

/// Writes `files` (relative path, text) under `dir`.
pub fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// A minimal main config supervisord accepts.
pub const MAIN: &str = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/true\nuser=nobody\n";

/// The official SARIF schema's `language` pattern has a stray `]` that the
/// validator refuses to compile; supc never writes `language`, so dropping
/// that pattern does not weaken the check. Returns how many were dropped.
pub fn drop_language_patterns(v: &mut serde_json::Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            if map.get("pattern").and_then(|p| p.as_str()) == Some(BROKEN) {
                map.remove("pattern");
                n += 1;
            }
            n + map.values_mut().map(drop_language_patterns).sum::<usize>()
        }
        serde_json::Value::Array(items) => items.iter_mut().map(drop_language_patterns).sum(),
        _ => 0,
    }
}

/// The official SARIF 2.1.0 schema, ready to validate with; `None` (and a
/// SKIPPED line) when `../shared/schemas-external` is absent.
pub fn sarif_schema() -> Option<serde_json::Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas-external/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&p) else {
        eprintln!("SKIPPED SARIF schema validation: needs {}", p.display());
        return None;
    };
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    assert!(drop_language_patterns(&mut schema) > 0);
    Some(schema)
}
