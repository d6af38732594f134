//! Shared by the `supc run` tests: a config in a fresh temporary directory,
//! the runner started on it with its console captured, waiting for log
//! lines, and a guaranteed kill of the runner (its children die with it:
//! PR_SET_PDEATHSIG).
#![allow(
    dead_code,
    reason = "each `supc run` test uses a different part of these helpers"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo_root().join("fixtures/run")
}

/// A config file in its own temporary directory. In `text`, `{fixtures}`
/// is the fixtures/run directory and `{dir}` the temporary directory.
pub struct Scenario {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl Scenario {
    pub fn new(text: &str) -> Scenario {
        let dir = tempfile::Builder::new()
            .prefix("supc-run-")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let conf = dir.path().join("supervisord.conf");
        let s = Scenario { dir, conf };
        s.write(text);
        s
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn expand(&self, text: &str) -> String {
        text.replace("{fixtures}", fixtures().to_str().unwrap())
            .replace("{dir}", self.path().to_str().unwrap())
    }

    pub fn write(&self, text: &str) {
        std::fs::write(&self.conf, self.expand(text)).expect("write config");
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap_or_default()
    }

    /// Starts the real supervisord 4.3.0 (`-n`) on the config.
    pub fn run_supervisord(&self) -> Runner {
        let mut cmd = Command::new(oracle_python());
        cmd.args(["-m", "supervisor.supervisord", "-n", "-c"])
            .arg(&self.conf);
        Runner::spawn(cmd, self.path())
    }

    /// One side of a differential test: TEXT (`{python}` is the oracle's
    /// python) under `supervisord -n`, or under `supc run --quiet`.
    pub fn start_side(text: &str, supervisord: bool) -> (Scenario, Runner) {
        let python = oracle_python();
        let scenario = Scenario::new(&text.replace("{python}", python.to_str().unwrap()));
        let runner = if supervisord {
            scenario.run_supervisord()
        } else {
            scenario.run(&["--quiet"])
        };
        (scenario, runner)
    }

    /// Starts `supc run` on the config.
    pub fn run(&self, extra: &[&str]) -> Runner {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_supc"));
        cmd.arg("run").arg("--no-color").args(extra).arg(&self.conf);
        Runner::spawn(cmd, self.path())
    }
}

/// A supervisor (supc run or supervisord) with its console captured.
pub struct Runner {
    pub child: Option<Child>,
    pub pid: i32,
    pub console: Arc<Mutex<String>>,
    started: Instant,
}

impl Runner {
    pub fn spawn(mut cmd: Command, cwd: &Path) -> Runner {
        cmd.current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn runner");
        let console = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let console = Arc::clone(&console);
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    console
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Runner {
            pid: child.id() as i32,
            child: Some(child),
            console,
            started: Instant::now(),
        }
    }

    pub fn output(&self) -> String {
        self.console.lock().unwrap().clone()
    }

    /// Waits until the console has `n` lines containing `needle`.
    pub fn wait_for_count(&self, needle: &str, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.output().lines().filter(|l| l.contains(needle)).count() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn wait_for(&self, needle: &str, timeout: Duration) -> bool {
        self.wait_for_count(needle, 1, timeout)
    }

    /// Panics with the console when `needle` does not show up.
    pub fn expect(&self, needle: &str, timeout: Duration) {
        assert!(
            self.wait_for(needle, timeout),
            "no {needle:?} after {:?}; console:\n{}",
            self.started.elapsed(),
            self.output()
        );
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on the runner we started.
        unsafe {
            nix::libc::kill(self.pid, sig);
        }
    }

    /// Waits for the runner to exit; kills it after `timeout`.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        let child = self.child.as_mut()?;
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                // Let the reader threads catch the last lines.
                std::thread::sleep(Duration::from_millis(50));
                self.child = None;
                return Some(st);
            }
            if Instant::now() > end {
                let _ = child.kill();
                let _ = child.wait();
                self.child = None;
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.signal(nix::libc::SIGTERM);
        self.wait(timeout)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Whether a pid is alive (a zombie counts as dead).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .unwrap_or("");
            state != "Z" && state != "X"
        }
        Err(_) => false,
    }
}

/// The children of `pid` (from /proc), with their states.
pub fn children(pid: i32) -> Vec<(i32, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in entries.flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1).and_then(|s| s.parse::<i32>().ok()) == Some(pid) {
            out.push((p, fields[0].to_string()));
        }
    }
    out
}

/// The pid in `spawned: 'NAME' with pid N` lines, in order.
pub fn spawned_pids(console: &str, name: &str) -> Vec<i32> {
    let prefix = format!("spawned: '{name}' with pid ");
    console
        .lines()
        .filter_map(|l| {
            l.split_once(&prefix)
                .map(|(_, p)| p.trim().parse().unwrap_or(0))
        })
        .collect()
}

/// supervisord's log lines (`DATE TIME LEVEL message`) without date and
/// time: `LEVEL message`.
pub fn log_lines(console: &str) -> Vec<String> {
    console
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, ' ');
            let (d, t, rest) = (it.next()?, it.next()?, it.next()?);
            (d.len() == 10 && d.as_bytes()[4] == b'-' && t.contains(',')).then(|| rest.to_string())
        })
        .collect()
}

/// The time (seconds since midnight) of the first log line containing
/// `needle`, after `skip` earlier matches.
pub fn log_time(console: &str, needle: &str, skip: usize) -> Option<f64> {
    let line = console.lines().filter(|l| l.contains(needle)).nth(skip)?;
    let t = line.split(' ').nth(1)?;
    let (hms, ms) = t.split_once(',')?;
    let mut parts = hms.split(':').map(|x| x.parse::<f64>().unwrap_or(0.0));
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    Some(h * 3600.0 + m * 60.0 + s + ms.parse::<f64>().ok()? / 1000.0)
}

/// The `[supervisord]` and control sections every scenario uses.
pub const HEADER: &str = "[supervisord]
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid
childlogdir={dir}

[unix_http_server]
file={dir}/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{dir}/s.sock
";

/// The python with supervisor 4.3.0 (`SUPC_ORACLE_PYTHON`, or the
/// repository's `.venv-oracle`); a missing one fails the test.
pub fn oracle_python() -> PathBuf {
    let python = std::env::var_os("SUPC_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-oracle/bin/python"));
    assert!(
        python.exists(),
        "no oracle python at {}; run scripts/setup-oracle.sh (or scripts/test.sh)",
        python.display()
    );
    python
}

/// The real supervisorctl (`python -m supervisor.supervisorctl ARGS`):
/// (exit code, stdout + stderr).
pub fn supervisorctl(conf: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(oracle_python())
        .args(["-m", "supervisor.supervisorctl", "-c"])
        .arg(conf)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run supervisorctl");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// `supc ctl -c CONF ARGS`: (exit code, stdout + stderr).
pub fn supc_ctl(conf: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(["ctl", "-c"])
        .arg(conf)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run supc ctl");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Masks what changes from run to run: pids, uptimes, stop times.
pub fn mask(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if let Some(i) = l.find("pid ") {
            let end = l[i + 4..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(l.len(), |e| i + 4 + e);
            l.replace_range(i + 4..end, "N");
        }
        if let Some(i) = l.find("uptime ") {
            l.truncate(i + 7);
            l.push('T');
        }
        if l.split_whitespace().count() >= 4 && (l.ends_with(" AM") || l.ends_with(" PM")) {
            let cut = l.len() - 15;
            l.truncate(cut);
            l.push_str("DATE");
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Runs `body` in the oracle's python with `p`, an XML-RPC proxy of the
/// supervisor listening on the unix socket `sock` (supervisor's own
/// transport), and `x`, the `xmlrpc.client` module: (success, stdout +
/// stderr).
pub fn xmlrpc_script(sock: &Path, body: &str) -> (bool, String) {
    let script = format!(
        "from supervisor.xmlrpc import SupervisorTransport\n\
         import xmlrpc.client as x\n\
         t = SupervisorTransport(None, None, 'unix://{}')\n\
         p = x.ServerProxy('http://127.0.0.1', transport=t)\n\
         {body}",
        sock.display()
    );
    let out = Command::new(oracle_python())
        .args(["-c", &script])
        .stdin(Stdio::null())
        .output()
        .expect("run python");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `pid:N` masked (in an event's payload).
pub fn mask_pid(payload: &str) -> String {
    mask_number_after(payload, "pid:")
}

/// TEXT with the number after each MARKER replaced by `N`.
pub fn mask_number_after(text: &str, marker: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let end = i + marker.len();
        out.push_str(&rest[..end]);
        rest = rest[end..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('N');
    }
    out.push_str(rest);
    out
}
