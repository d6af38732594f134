//! Protocol conformance of `supc server` under a strict third-party client:
//! runs tests/lsp/ (pytest-lsp; lsprotocol validates every message, and
//! pytest-lsp checks replies against VS Code's, Neovim's and Emacs's
//! capabilities) with the test venv's python (scripts/setup-oracle.sh
//! installs pytest-lsp from tests/requirements/lsp.txt).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv python; a missing one (or one without pytest-lsp) fails the
/// test rather than passing vacuously.
fn venv_python() -> PathBuf {
    let python = std::env::var_os("SUPC_ORACLE_PYTHON")
        .map_or_else(|| repo().join(".venv-oracle/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "no test venv python at {}; run scripts/setup-oracle.sh or set SUPC_ORACLE_PYTHON",
        python.display()
    );
    let has = Command::new(&python)
        .args(["-c", "import pytest_lsp"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has,
        "pytest-lsp missing from {}; run scripts/setup-oracle.sh",
        python.display()
    );
    python
}

#[test]
fn pytest_lsp_suite_passes() {
    let python = venv_python();
    let dir: &Path = &repo().join("tests/lsp");
    let mut child = Command::new(python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "."])
        .current_dir(dir)
        .env("SUPC_BIN", env!("CARGO_BIN_EXE_supc"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pytest starts");
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pytest-lsp suite did not finish in 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "pytest-lsp failed:\n{stdout}\n{stderr}");
    // The suite really ran: 6 tests × 3 client profiles.
    assert!(stdout.contains("18 passed"), "{stdout}");
}
