//! The Python tools the distribution tests drive: finding (or installing)
//! maturin, making a fresh venv, and running a command with a time bound.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A python that can run `python -m maturin`.
pub struct Maturin {
    pub python: PathBuf,
}

impl Maturin {
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.args(["-m", "maturin"]);
        cmd
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The oracle venv's python (`SUPC_ORACLE_PYTHON`, or the one
/// `scripts/setup-oracle.sh` makes).
fn oracle_python() -> PathBuf {
    std::env::var_os("SUPC_ORACLE_PYTHON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-oracle/bin/python"))
}

/// The maturin requirement pinned in tests/requirements/dist.txt.
fn maturin_pin() -> String {
    let list = std::fs::read_to_string(repo().join("tests/requirements/dist.txt")).unwrap();
    list.lines()
        .map(str::trim)
        .find(|line| line.starts_with("maturin=="))
        .expect("tests/requirements/dist.txt pins maturin")
        .to_string()
}

fn has_maturin(python: &Path) -> bool {
    let mut cmd = Command::new(python);
    cmd.args(["-m", "maturin", "--version"]);
    run_bounded(&mut cmd, Duration::from_secs(60)).is_ok_and(|done| done.success)
}

/// maturin from the oracle venv, or installed from PyPI into a scratch venv
/// kept under the target directory. None (after a `SKIPPED` line) only when
/// it cannot be installed.
pub fn maturin() -> Option<Maturin> {
    let oracle = oracle_python();
    if has_maturin(&oracle) {
        return Some(Maturin { python: oracle });
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("maturin-venv");
    let python = venv.join("bin/python");
    if !has_maturin(&python) {
        let base = if oracle.exists() {
            oracle
        } else {
            "python3".into()
        };
        let installed = fresh_venv_quiet(&base, &venv).and_then(|python| {
            let mut pip = Command::new(&python);
            pip.args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(maturin_pin());
            run_bounded(&mut pip, Duration::from_secs(600)).ok()
        });
        if !installed.is_some_and(|done| done.success) {
            eprintln!(
                "SKIPPED wheel and sdist builds: needs maturin (bash scripts/setup-oracle.sh \
                 installs it from tests/requirements/dist.txt; pip could not install {})",
                maturin_pin()
            );
            return None;
        }
    }
    Some(Maturin { python })
}

/// A new venv at `dir` made by `base`'s interpreter, with pip; its python.
/// None, after a `SKIPPED` line, when the venv module cannot make one.
pub fn fresh_venv(base: &Path, dir: &Path) -> Option<PathBuf> {
    let python = fresh_venv_quiet(base, dir);
    if python.is_none() {
        eprintln!(
            "SKIPPED wheel install: needs a python with venv and ensurepip \
             (apt-get install python3-venv)"
        );
    }
    python
}

fn fresh_venv_quiet(base: &Path, dir: &Path) -> Option<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    let mut cmd = Command::new(base);
    cmd.args(["-m", "venv"]).arg(dir);
    let done = run_bounded(&mut cmd, Duration::from_secs(300)).ok()?;
    let python = dir.join("bin/python");
    (done.success && python.exists()).then_some(python)
}

/// What a bounded run left: its exit status and its output as text.
pub struct Finished {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` without stdin, killing it when it outlives `limit`. Err when
/// it cannot be started or was killed.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Result<Finished, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    // Drain both pipes on threads so a chatty build cannot block on a full pipe.
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{cmd:?} took longer than {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Finished {
        success: status.success(),
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    })
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
