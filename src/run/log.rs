//! Logging: supervisord's main log (levels, format, rotation), the child
//! log files (`RotatingFileHandler` semantics), AUTO log names, the console
//! (supervisord's lines verbatim, process output with a coloured name
//! prefix) and `strip_ansi`.

use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};

/// supervisor's `LevelsByName`.
pub const CRIT: u8 = 50;
pub const ERRO: u8 = 40;
pub const WARN: u8 = 30;
pub const INFO: u8 = 20;
pub const DEBG: u8 = 10;
pub const TRAC: u8 = 5;
pub const BLAT: u8 = 3;

fn level_name(level: u8) -> &'static str {
    match level {
        CRIT => "CRIT",
        ERRO => "ERRO",
        WARN => "WARN",
        INFO => "INFO",
        DEBG => "DEBG",
        TRAC => "TRAC",
        _ => "BLAT",
    }
}

/// `getLevelNumByDescription` for the `loglevel` values supervisord
/// accepts (anything else, such as `__module__`, logs at info).
pub fn level_by_description(s: &str) -> u8 {
    match s {
        "critical" => CRIT,
        "error" => ERRO,
        "warn" => WARN,
        "debug" => DEBG,
        "trace" => TRAC,
        "blather" => BLAT,
        _ => INFO,
    }
}

/// `time.time()`.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Local time of `t` as (year, month, day, hour, minute, second).
pub fn localtime(t: f64) -> (i32, u32, u32, u32, u32, u32) {
    // The type is inferred from localtime_r's argument: naming `time_t`
    // is deprecated on musl (its width there is changing).
    let secs = t.floor() as _;
    // SAFETY: localtime_r writes into the zeroed struct we own.
    let tm = unsafe {
        let mut tm: nix::libc::tm = std::mem::zeroed();
        nix::libc::localtime_r(&secs, &mut tm);
        tm
    };
    (
        tm.tm_year + 1900,
        (tm.tm_mon + 1) as u32,
        tm.tm_mday as u32,
        tm.tm_hour as u32,
        tm.tm_min as u32,
        tm.tm_sec as u32,
    )
}

/// `%Y-%m-%d %H:%M:%S,mmm`, supervisord's `asctime`.
pub fn asctime(t: f64) -> String {
    let (y, mo, d, h, mi, s) = localtime(t);
    let ms = ((t - t.floor()) * 1000.0) as u32;
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}")
}

/// A log file as supervisor's `FileHandler` / `RotatingFileHandler` writes
/// it: opened for append, every write flushed; with `maxbytes > 0`, after a
/// write that leaves the file at `maxbytes` or more it becomes `NAME.1`
/// (`NAME.1` becomes `NAME.2`, ... up to `backups`) and a new, empty file
/// is started. With `backups <= 0` the file is truncated instead.
pub struct LogFile {
    pub path: String,
    file: Option<File>,
    maxbytes: i64,
    backups: i64,
}

impl LogFile {
    pub fn open(path: &str, maxbytes: i64, backups: i64) -> std::io::Result<LogFile> {
        let file = OpenOptions::new().append(true).create(true).open(path)?;
        Ok(LogFile {
            path: path.to_string(),
            file: Some(file),
            maxbytes,
            backups,
        })
    }

    pub fn write(&mut self, data: &[u8]) {
        let Some(f) = self.file.as_mut() else {
            return;
        };
        let _ = f.write_all(data);
        if self.maxbytes <= 0 {
            return;
        }
        // tell() after an append is the end of the file; pipes and
        // terminals (e.g. /dev/stdout) have none and never rotate.
        match f.stream_position() {
            Ok(pos) if pos as i64 >= self.maxbytes => self.rollover(),
            _ => {}
        }
    }

    fn rollover(&mut self) {
        self.file = None;
        if self.backups > 0 {
            for i in (1..self.backups).rev() {
                let sfn = format!("{}.{}", self.path, i);
                let dfn = format!("{}.{}", self.path, i + 1);
                if std::path::Path::new(&sfn).exists() {
                    remove_and_rename(&sfn, &dfn);
                }
            }
            remove_and_rename(&self.path, &format!("{}.1", self.path));
        }
        self.file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&self.path)
            .ok();
    }

    /// `handler.reopen()`.
    pub fn reopen(&mut self) {
        self.file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
            .ok();
    }

    /// `handler.remove()` + `reopen()`: clearProcessLogs.
    pub fn clear(&mut self) -> std::io::Result<()> {
        self.file = None;
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        self.reopen();
        Ok(())
    }
}

fn remove_and_rename(sfn: &str, dfn: &str) {
    if std::path::Path::new(dfn).exists() {
        let _ = std::fs::remove_file(dfn);
    }
    let _ = std::fs::rename(sfn, dfn);
}

/// `syslog.syslog(msg)`.
pub fn syslog(msg: &str) {
    let Ok(c) = std::ffi::CString::new(msg.replace('\0', "")) else {
        return;
    };
    // SAFETY: a constant format string and a valid C string.
    unsafe {
        nix::libc::syslog(nix::libc::LOG_INFO, c"%s".as_ptr(), c.as_ptr());
    }
}

const COLORS: [&str; 6] = ["36", "33", "32", "35", "34", "31"];

/// The terminal: supervisord's own log lines as supervisord prints them
/// with `-n`, and each line of process output as `name | line`.
pub struct Console {
    /// Colour the process names.
    pub color: bool,
    /// Do not echo process output.
    pub quiet: bool,
    /// Do not print supervisord's log lines (`silent=true`).
    pub silent: bool,
    /// Width of the name column.
    pub width: usize,
}

impl Console {
    fn out(&self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    }

    pub fn runner_line(&self, line: &str) {
        if !self.silent {
            self.out(line.as_bytes());
        }
    }

    /// One line of output from process `name` (without its newline).
    pub fn process_line(&self, name: &str, color: usize, line: &[u8]) {
        self.process_lines(name, color, &[line]);
    }

    /// Lines of output from process `name`, in one write.
    pub fn process_lines(&self, name: &str, color: usize, lines: &[&[u8]]) {
        if self.quiet || lines.is_empty() {
            return;
        }
        let prefix = if self.color {
            let c = COLORS[color % COLORS.len()];
            format!("\x1b[{c}m{name:<w$} |\x1b[0m ", w = self.width)
        } else {
            format!("{name:<w$} | ", w = self.width)
        };
        let size: usize = lines.iter().map(|l| l.len() + prefix.len() + 1).sum();
        let mut buf = Vec::with_capacity(size);
        for line in lines {
            buf.extend_from_slice(prefix.as_bytes());
            buf.extend_from_slice(line);
            buf.push(b'\n');
        }
        self.out(&buf);
    }
}

/// supervisord's main logger: the console and `[supervisord] logfile`.
pub struct Logger {
    pub level: u8,
    pub console: Console,
    pub file: Option<LogFile>,
    pub syslog: bool,
}

impl Logger {
    /// A logger that writes nothing (unit tests).
    #[cfg(test)]
    pub fn quiet() -> Logger {
        Logger {
            level: CRIT + 1,
            console: Console {
                color: false,
                quiet: true,
                silent: true,
                width: 0,
            },
            file: None,
            syslog: false,
        }
    }

    pub fn log(&mut self, level: u8, msg: &str) {
        if level < self.level {
            return;
        }
        let line = format!("{} {} {}\n", asctime(now()), level_name(level), msg);
        self.console.runner_line(&line);
        if let Some(f) = self.file.as_mut() {
            f.write(line.as_bytes());
        }
        if self.syslog {
            for l in format!("{} {}", level_name(level), msg)
                .trim_end_matches('\n')
                .split('\n')
            {
                syslog(l);
            }
        }
    }

    /// A line supervisord writes straight to stderr, not through its
    /// logger (`Unlinking stale socket ...`).
    pub fn stderr_line(&self, msg: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{msg}");
    }

    pub fn critical(&mut self, msg: &str) {
        self.log(CRIT, msg);
    }
    pub fn error(&mut self, msg: &str) {
        self.log(ERRO, msg);
    }
    pub fn warn(&mut self, msg: &str) {
        self.log(WARN, msg);
    }
    pub fn info(&mut self, msg: &str) {
        self.log(INFO, msg);
    }
    pub fn debug(&mut self, msg: &str) {
        self.log(DEBG, msg);
    }
    pub fn blather(&mut self, msg: &str) {
        self.log(BLAT, msg);
    }
}

/// `stripEscapes`: drops everything from `ESC [` to the next terminator.
pub fn strip_escapes(s: &[u8]) -> Vec<u8> {
    const TERMINATORS: &[u8] = b"HfABCDRsuJKhlpm";
    let mut result = Vec::with_capacity(s.len());
    let mut show = true;
    let mut i = 0;
    while i < s.len() {
        if !show && TERMINATORS.contains(&s[i]) {
            show = true;
        } else if show {
            match find(&s[i..], b"\x1b[") {
                None => {
                    result.extend_from_slice(&s[i..]);
                    return result;
                }
                Some(n) => {
                    result.extend_from_slice(&s[i..i + n]);
                    i += n;
                    show = false;
                }
            }
        }
        i += 1;
    }
    result
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `tempfile.mkstemp(suffix='.log', prefix=..., dir=childlogdir)`: the
/// AUTO log file name `<name>-<channel>---<identifier>-XXXXXXXX.log`,
/// created empty.
pub fn auto_log_name(dir: &str, name: &str, channel: &str, identifier: &str) -> Option<String> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut seed = {
        let mut b = [0u8; 8];
        if let Ok(mut f) = File::open("/dev/urandom") {
            let _ = std::io::Read::read_exact(&mut f, &mut b);
        }
        u64::from_le_bytes(b) ^ (now() * 1e6) as u64 ^ u64::from(std::process::id())
    };
    for _ in 0..100 {
        let mut rand = String::new();
        for _ in 0..8 {
            // xorshift
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            rand.push(CHARS[(seed % CHARS.len() as u64) as usize] as char);
        }
        let path =
            crate::python::path::join(dir, &format!("{name}-{channel}---{identifier}-{rand}.log"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode_600()
            .open(&path)
        {
            Ok(_) => return Some(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return None,
        }
    }
    None
}

trait Mode600 {
    fn mode_600(&mut self) -> &mut Self;
}

impl Mode600 for OpenOptions {
    fn mode_600(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600)
    }
}

/// `clear_autochildlogdir`: removes old AUTO logs of this identifier
/// (`.+?---<identifier>-\S+\.log\.{0,1}\d{0,4}` matched at the start).
/// Returns the warnings supervisord would log.
pub fn clear_auto_child_logs(dir: &str, identifier: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        warnings.push("Could not clear childlog dir".to_string());
        return warnings;
    };
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if auto_log_matches(&name, identifier) {
            let path = crate::python::path::join(dir, &name);
            if std::fs::remove_file(&path).is_err() {
                warnings.push(format!(
                    "Failed to clean up {}",
                    crate::python::repr::repr(&path)
                ));
            }
        }
    }
    warnings
}

/// `re.match(r'.+?---%s-\S+\.log\.{0,1}\d{0,4}' % identifier, name)`.
fn auto_log_matches(name: &str, identifier: &str) -> bool {
    let marker = format!("---{identifier}-");
    // `.+?` needs at least one character before the marker.
    let mut start = 1;
    while start <= name.len() {
        let Some(pos) = name.get(start..).and_then(|s| s.find(&marker)) else {
            return false;
        };
        let at = start + pos;
        let rest = &name[at + marker.len()..];
        // `\S+\.log`: some non-space characters, then `.log`.
        let nonspace: usize = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(rest.len(), |(i, _)| i);
        let run = &rest[..nonspace];
        // Any `.log` preceded by at least one character inside the run.
        if run
            .match_indices(".log")
            .any(|(i, _)| i >= 1 && i + 4 <= run.len())
        {
            return true;
        }
        start = at + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi_like_supervisor() {
        assert_eq!(strip_escapes(b"a\x1b[31mred\x1b[0m b"), b"ared b");
        assert_eq!(strip_escapes(b"plain"), b"plain");
        assert_eq!(strip_escapes(b"x\x1b[1;2"), b"x");
    }

    #[test]
    fn auto_log_pattern() {
        assert!(auto_log_matches(
            "a-stdout---supervisor-abc123.log",
            "supervisor"
        ));
        assert!(auto_log_matches(
            "a-stdout---supervisor-abc123.log.1",
            "supervisor"
        ));
        assert!(!auto_log_matches("---supervisor-abc.log", "supervisor"));
        assert!(!auto_log_matches("a-stdout---other-abc.log", "supervisor"));
    }

    #[test]
    fn rotation_names_backups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        let p = path.to_str().unwrap();
        let mut f = LogFile::open(p, 10, 2).unwrap();
        for _ in 0..4 {
            f.write(b"0123456789ab\n");
        }
        assert!(std::path::Path::new(&format!("{p}.1")).exists());
        assert!(std::path::Path::new(&format!("{p}.2")).exists());
        assert!(!std::path::Path::new(&format!("{p}.3")).exists());
        assert_eq!(std::fs::read(p).unwrap(), b"");
    }
}
