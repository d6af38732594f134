//! A real editor: Neovim's built-in LSP client (headless) opens the
//! pytest-lsp fixture with `supc server` and must receive diagnostics and
//! a hover (scripts/nvim-lsp-check.lua). Needs `nvim` (`apt-get install
//! neovim`); without it the test says SKIPPED and returns.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn neovim_receives_diagnostics_and_hover() {
    let has_nvim = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_nvim {
        eprintln!("SKIPPED neovim LSP client test: needs nvim (apt-get install neovim)");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = repo.join("scripts/nvim-lsp-check.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("SUPC_BIN", env!("CARGO_BIN_EXE_supc"))
        .env(
            "SUPC_FIXTURE",
            repo.join("tests/lsp/workspace/supervisord.conf"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "nvim-lsp-check failed:\n{log}");
    assert!(log.contains("nvim-lsp-check: OK"), "{log}");
    assert!(log.contains("hover: **numprocs**"), "{log}");
}
