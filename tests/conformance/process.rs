//! Running a child process with captured output, fed stdin and a time limit.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub(crate) struct Captured {
    /// None when the process was killed for running too long.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

impl Captured {
    pub(crate) fn describe_end(&self) -> String {
        match self.status {
            None => "timed out and was killed".to_string(),
            Some(status) => format!("ended with {status}"),
        }
    }
}

/// Runs `cmd` with piped stdio, feeding `input` to its stdin, and kills it
/// after `limit`.
pub(crate) fn run_captured(
    mut cmd: Command,
    input: Option<Vec<u8>>,
    limit: Duration,
) -> std::io::Result<Captured> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    // Separate threads for stdin and the two outputs: any of them can fill
    // its pipe while the others wait.
    let feeder = child.stdin.take().zip(input).map(|(mut pipe, data)| {
        thread::spawn(move || {
            // A broken pipe shows up as missing answers instead.
            let _ = pipe.write_all(&data);
        })
    });
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Ok(Captured {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// The last lines of a stderr capture, ready to append to a message.
pub(crate) fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.trim_end().lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(8);
    format!("; stderr:\n        {}", lines[start..].join("\n        "))
}
