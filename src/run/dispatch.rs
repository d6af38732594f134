//! The pipes of a running child (supervisor's dispatchers): output goes to
//! the child log file (rotated as configured), to syslog, to the main log at
//! debug level, and line by line to the console; input (sendProcessStdin)
//! is buffered and written when the pipe accepts it.

use super::log::{DEBG, LogFile, Logger, strip_escapes, syslog};
use std::os::fd::{AsRawFd, OwnedFd};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Stdout,
    Stderr,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Stdout => "stdout",
            Channel::Stderr => "stderr",
        }
    }
}

/// What the output of every process shares.
pub struct OutputCtx<'a> {
    pub logger: &'a mut Logger,
    pub strip_ansi: bool,
}

/// `POutputDispatcher` without the event capture mode.
pub struct OutputDispatcher {
    pub fd: OwnedFd,
    pub channel: Channel,
    pub closed: bool,
    log: Option<LogFile>,
    syslog: bool,
    /// The process name (for the console and the main log).
    name: String,
    color: usize,
    /// Whether output is echoed on the console (not when the log file is
    /// the console already, e.g. `/dev/stdout`).
    echo: bool,
    /// Output since the last newline, for the console.
    partial: Vec<u8>,
}

/// Log file names that are the runner's own stdout or stderr.
pub fn is_console(path: Option<&str>) -> bool {
    matches!(
        path,
        Some(
            "/dev/stdout"
                | "/dev/stderr"
                | "/dev/fd/1"
                | "/dev/fd/2"
                | "/proc/self/fd/1"
                | "/proc/self/fd/2"
        )
    )
}

/// `os.read(fd, 2 << 16)`.
const READ_SIZE: usize = 2 << 16;

pub enum Read {
    Data,
    Eof,
    WouldBlock,
}

impl OutputDispatcher {
    pub fn new(
        fd: OwnedFd,
        channel: Channel,
        log: Option<LogFile>,
        syslog: bool,
        name: &str,
        color: usize,
    ) -> Self {
        let echo = !is_console(log.as_ref().map(|l| l.path.as_str()));
        OutputDispatcher {
            fd,
            channel,
            closed: false,
            log,
            syslog,
            echo,
            name: name.to_string(),
            color,
            partial: Vec::new(),
        }
    }

    fn read_once(&mut self, ctx: &mut OutputCtx) -> Read {
        // One buffer for every pipe: the runner is single-threaded.
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let r = BUF.with_borrow_mut(|buf| {
            buf.resize(READ_SIZE, 0);
            match nix::unistd::read(&self.fd, buf) {
                Ok(n) => Ok(buf[..n].to_vec()),
                Err(e) => Err(e),
            }
        });
        match r {
            Ok(data) if data.is_empty() => {
                self.close(ctx);
                Read::Eof
            }
            Ok(data) => {
                self.record(&data, ctx);
                Read::Data
            }
            Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => Read::WouldBlock,
            Err(_) => {
                self.close(ctx);
                Read::Eof
            }
        }
    }

    /// `handle_read_event`: one read.
    pub fn handle_read(&mut self, ctx: &mut OutputCtx) {
        if !self.closed {
            self.read_once(ctx);
        }
    }

    /// Everything the pipe holds right now (when the process is reaped).
    pub fn drain(&mut self, ctx: &mut OutputCtx) {
        while !self.closed {
            match self.read_once(ctx) {
                Read::Data => continue,
                Read::Eof | Read::WouldBlock => break,
            }
        }
        self.flush_partial(ctx);
    }

    fn close(&mut self, ctx: &mut OutputCtx) {
        if !self.closed {
            self.closed = true;
            self.flush_partial(ctx);
        }
    }

    fn flush_partial(&mut self, ctx: &mut OutputCtx) {
        if !self.partial.is_empty() && self.echo {
            let line = std::mem::take(&mut self.partial);
            ctx.logger
                .console
                .process_line(&self.name, self.color, &line);
        }
    }

    /// `_log`: the log file, syslog, the main log, the console.
    fn record(&mut self, data: &[u8], ctx: &mut OutputCtx) {
        let stripped;
        let data = if ctx.strip_ansi {
            stripped = strip_escapes(data);
            &stripped[..]
        } else {
            data
        };
        if data.is_empty() {
            return;
        }
        if let Some(log) = self.log.as_mut() {
            log.write(data);
        }
        if self.syslog {
            let text = String::from_utf8_lossy(data);
            for line in text.trim_end_matches('\n').split('\n') {
                syslog(&format!("{} {}", self.name, line));
            }
        }
        if ctx.logger.level <= DEBG {
            let text = match std::str::from_utf8(data) {
                Ok(t) => t.to_string(),
                Err(_) => format!("Undecodable: {}", py_bytes_repr(data)),
            };
            let msg = format!(
                "{} {} output:\n{}",
                crate::python::repr::repr(&self.name),
                self.channel.as_str(),
                text
            );
            ctx.logger.log(DEBG, &msg);
        }
        // The console, line by line.
        if !self.echo {
            return;
        }
        let mut rest = data;
        let mut first: Option<Vec<u8>> = None;
        let mut lines: Vec<&[u8]> = Vec::new();
        if let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&rest[..i]);
            first = Some(line);
            rest = &rest[i + 1..];
            while let Some(i) = rest.iter().position(|&b| b == b'\n') {
                lines.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
        }
        if let Some(first) = first.as_deref() {
            lines.insert(0, first);
            ctx.logger
                .console
                .process_lines(&self.name, self.color, &lines);
        }
        self.partial.extend_from_slice(rest);
        // A very long line without a newline is shown in pieces.
        if self.partial.len() > READ_SIZE {
            self.flush_partial(ctx);
        }
    }

    pub fn log_mut(&mut self) -> Option<&mut LogFile> {
        self.log.as_mut()
    }

    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}

/// Python's `repr(bytes)`.
fn py_bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::from("b");
    s.push(quote);
    for &b in data {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b if b as char == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push(quote);
    s
}

/// `PInputDispatcher`.
pub struct InputDispatcher {
    pub fd: OwnedFd,
    pub buffer: Vec<u8>,
    pub closed: bool,
}

impl InputDispatcher {
    pub fn writable(&self) -> bool {
        !self.buffer.is_empty() && !self.closed
    }

    /// `flush`: Err(EPIPE) when the child closed its stdin.
    pub fn flush(&mut self) -> Result<(), nix::errno::Errno> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        match nix::unistd::write(&self.fd, &self.buffer) {
            Ok(n) => {
                self.buffer.drain(..n);
                Ok(())
            }
            Err(nix::errno::Errno::EAGAIN) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `handle_write_event`.
    pub fn handle_write(&mut self) {
        if let Err(nix::errno::Errno::EPIPE) = self.flush() {
            self.buffer.clear();
            self.closed = true;
        }
    }
}
