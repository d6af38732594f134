//! Running the `supc` binary from a test, the same way in every test file
//! that needs only its exit code and output: HOME pinned, `CI` set (plain
//! human output), never GitHub's annotation format.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `supc ARGS` in `cwd`: (exit code, stdout, stderr).
pub fn supc(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/nonexistent")
        .env("CI", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("supc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
