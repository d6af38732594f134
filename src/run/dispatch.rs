//! The pipes of a running child (supervisor's dispatchers): output goes to
//! the child log file (rotated as configured), to syslog, to the main log at
//! debug level, and line by line to the console; input (sendProcessStdin)
//! is buffered and written when the pipe accepts it.
//!
//! With `capture_maxbytes`, output between `<!--XSUPERVISOR:BEGIN-->` and
//! `<!--XSUPERVISOR:END-->` goes to a bounded buffer instead of the log and
//! becomes a `PROCESS_COMMUNICATION_*` event; with `events_enabled`, output
//! becomes `PROCESS_LOG_*` events. An event listener's stdout is the
//! protocol channel: logged, then handed to [`super::listener`].

use super::events::{Notices, as_string};
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
    pub notices: &'a mut Notices,
    /// The process's state and identity, for supervisord's `fd N closed`
    /// debug line (which shows Python's `repr` of the dispatcher).
    pub state: &'static str,
    pub owner: usize,
}

const BEGIN_TOKEN: &[u8] = b"<!--XSUPERVISOR:BEGIN-->";
const END_TOKEN: &[u8] = b"<!--XSUPERVISOR:END-->";

/// The capture log (`handle_boundIO`) and whether it is in use.
pub struct Capture {
    maxbytes: usize,
    buf: Vec<u8>,
    on: bool,
}

impl Capture {
    /// `BoundIO.write`.
    fn write(&mut self, data: &[u8]) {
        if self.buf.len() + data.len() > self.maxbytes {
            let cut = data.len().min(self.buf.len());
            self.buf.drain(..cut);
        }
        self.buf.extend_from_slice(data);
    }
}

/// Who writes to the pipe, for event payloads.
pub struct Origin {
    pub name: String,
    pub group: String,
    pub pid: i32,
}

/// `POutputDispatcher` (or, for an event listener's stdout,
/// `PEventListenerDispatcher`).
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
    origin: Origin,
    /// `stdout_events_enabled` / `stderr_events_enabled`.
    pub events_enabled: bool,
    capture: Option<Capture>,
    /// `output_buffer`: output not yet logged (capture tokens are looked
    /// for in it).
    pending: Vec<u8>,
    /// An event listener's stdout: what it wrote, for the protocol.
    pub protocol: Option<Vec<u8>>,
}

/// `find_prefix_at_end`: the length of the longest end of `hay` that
/// starts `needle` (shorter than `needle`).
fn find_prefix_at_end(hay: &[u8], needle: &[u8]) -> usize {
    let mut l = needle.len() - 1;
    while l > 0 && !hay.ends_with(&needle[..l]) {
        l -= 1;
    }
    l
}

fn split_once<'a>(data: &'a [u8], token: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    data.windows(token.len())
        .position(|w| w == token)
        .map(|i| (&data[..i], &data[i + token.len()..]))
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
            origin: Origin {
                name: name.to_string(),
                group: String::new(),
                pid: 0,
            },
            events_enabled: false,
            capture: None,
            pending: Vec::new(),
            protocol: None,
        }
    }

    /// Sets who writes (for event payloads), the events and the capture
    /// buffer (`capture_maxbytes`, 0 for none).
    pub fn with_events(mut self, origin: Origin, enabled: bool, capture_maxbytes: usize) -> Self {
        self.origin = origin;
        self.events_enabled = enabled;
        if capture_maxbytes > 0 {
            self.capture = Some(Capture {
                maxbytes: capture_maxbytes,
                buf: Vec::new(),
                on: false,
            });
        }
        self
    }

    /// Makes this an event listener's protocol channel (not echoed).
    pub fn into_listener(mut self) -> Self {
        self.protocol = Some(Vec::new());
        self.echo = false;
        self
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
                if self.protocol.is_some() {
                    self.record_protocol(&data, ctx);
                } else {
                    self.pending.extend_from_slice(&data);
                    self.record_output(ctx);
                }
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
            let class = if self.protocol.is_some() {
                "PEventListenerDispatcher"
            } else {
                "POutputDispatcher"
            };
            let me = (class, self as *const Self as usize);
            log_closed(ctx, self.raw_fd(), me, &self.name, self.channel.as_str());
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

    /// `PEventListenerDispatcher.handle_read_event`: the main log (debug),
    /// the log file, then the protocol.
    fn record_protocol(&mut self, data: &[u8], ctx: &mut OutputCtx) {
        if ctx.logger.level <= DEBG {
            ctx.logger.debug(&format!(
                "{} {} output:\n{}",
                crate::python::repr::repr(&self.name),
                self.channel.as_str(),
                py_bytes_repr(data)
            ));
        }
        if let Some(log) = self.log.as_mut() {
            if ctx.strip_ansi {
                log.write(&strip_escapes(data));
            } else {
                log.write(data);
            }
        }
        if let Some(p) = self.protocol.as_mut() {
            p.extend_from_slice(data);
        }
    }

    /// `record_output`: logs what is pending, switching capture mode at
    /// the tokens.
    fn record_output(&mut self, ctx: &mut OutputCtx) {
        loop {
            let Some(capturing) = self.capture.as_ref().map(|c| c.on) else {
                let data = std::mem::take(&mut self.pending);
                self.record(&data, ctx);
                return;
            };
            let token = if capturing { END_TOKEN } else { BEGIN_TOKEN };
            if self.pending.len() <= token.len() {
                return;
            }
            let data = std::mem::take(&mut self.pending);
            match split_once(&data, token) {
                None => {
                    let keep = find_prefix_at_end(&data, token);
                    let (now, later) = data.split_at(data.len() - keep);
                    self.pending = later.to_vec();
                    self.record(now, ctx);
                    return;
                }
                Some((before, after)) => {
                    self.record(before, ctx);
                    self.toggle_capture(ctx);
                    self.pending = after.to_vec();
                    if after.is_empty() {
                        return;
                    }
                }
            }
        }
    }

    /// `toggle_capturemode`: at the end of a capture, the captured text
    /// becomes a `PROCESS_COMMUNICATION_*` event.
    fn toggle_capture(&mut self, ctx: &mut OutputCtx) {
        let Some(c) = self.capture.as_mut() else {
            return;
        };
        c.on = !c.on;
        if c.on {
            return;
        }
        let data = std::mem::take(&mut c.buf);
        let name = match self.channel {
            Channel::Stdout => "PROCESS_COMMUNICATION_STDOUT",
            Channel::Stderr => "PROCESS_COMMUNICATION_STDERR",
        };
        let o = &self.origin;
        ctx.notices.notify(name, || {
            format!(
                "processname:{} groupname:{} pid:{}\n{}",
                o.name,
                o.group,
                o.pid,
                as_string(&data)
            )
        });
        ctx.logger.debug(&format!(
            "{} {} emitted a comm event",
            crate::python::repr::repr(&self.name),
            self.channel.as_str()
        ));
    }

    /// `_log`: the log file (or the capture buffer), syslog, the main log,
    /// the console, and a `PROCESS_LOG_*` event.
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
        if self.events_enabled {
            let name = match self.channel {
                Channel::Stdout => "PROCESS_LOG_STDOUT",
                Channel::Stderr => "PROCESS_LOG_STDERR",
            };
            let (o, ch) = (&self.origin, self.channel.as_str());
            ctx.notices.notify(name, || {
                format!(
                    "processname:{} groupname:{} pid:{} channel:{ch}\n{}",
                    o.name,
                    o.group,
                    o.pid,
                    as_string(data)
                )
            });
        }
        if let Some(c) = self.capture.as_mut().filter(|c| c.on) {
            c.write(data);
            if ctx.logger.level <= DEBG {
                self.log_to_main(data, ctx);
            }
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
            self.log_to_main(data, ctx);
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

    /// The main log at debug level: `'name' stdout output:\n...`.
    fn log_to_main(&self, data: &[u8], ctx: &mut OutputCtx) {
        let msg = format!(
            "{} {} output:\n{}",
            crate::python::repr::repr(&self.name),
            self.channel.as_str(),
            as_string(data)
        );
        ctx.logger.log(DEBG, &msg);
    }

    pub fn log_mut(&mut self) -> Option<&mut LogFile> {
        self.log.as_mut()
    }

    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}

/// Python's `repr(bytes)`.
pub fn py_bytes_repr(data: &[u8]) -> String {
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

    /// `handle_write_event`: on EPIPE the buffer is dropped and the
    /// dispatcher closed (`close`, which logs at debug level).
    pub fn handle_write(&mut self, ctx: &mut OutputCtx, name: &str) {
        if let Err(nix::errno::Errno::EPIPE) = self.flush() {
            self.buffer.clear();
            if !self.closed {
                let me = ("PInputDispatcher", self as *const Self as usize);
                log_closed(ctx, self.fd.as_raw_fd(), me, name, "stdin");
                self.closed = true;
            }
        }
    }
}

/// `PDispatcher.close`'s debug line, with Python's `repr` of the
/// dispatcher (`me`: its class and identity) and of its process.
fn log_closed(ctx: &mut OutputCtx, fd: i32, me: (&str, usize), name: &str, channel: &str) {
    if ctx.logger.level <= DEBG {
        ctx.logger.debug(&format!(
            "fd {fd} closed, stopped monitoring <{} at {} for <Subprocess at {} with name {name} in state {}> ({channel})>",
            me.0, me.1, ctx.owner, ctx.state
        ));
    }
}
