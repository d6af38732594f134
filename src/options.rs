//! The option table: every section type and option supervisord 4.3.0
//! reads, with its type, default and a one-line description.
//!
//! One source of truth for the lint rules (unknown and misplaced keys),
//! `supc sample --annotated` and the editor schemas.

/// What kind of section a name is, by supervisord's own matching rules
/// (exact names, or `startswith` prefixes, case-sensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Supervisord,
    UnixHttpServer,
    InetHttpServer,
    Supervisorctl,
    Program,
    EventListener,
    FcgiProgram,
    Group,
    RpcInterface,
    CtlPlugin,
    Include,
    Default,
    /// A section supervisord and supervisorctl never read.
    Unknown,
}

impl SectionKind {
    pub fn of(section: &str) -> SectionKind {
        match section {
            "supervisord" => SectionKind::Supervisord,
            "supervisorctl" => SectionKind::Supervisorctl,
            "include" => SectionKind::Include,
            "DEFAULT" => SectionKind::Default,
            s if s.starts_with("unix_http_server") => SectionKind::UnixHttpServer,
            s if s.starts_with("inet_http_server") => SectionKind::InetHttpServer,
            s if s.starts_with("program:") => SectionKind::Program,
            s if s.starts_with("eventlistener:") => SectionKind::EventListener,
            s if s.starts_with("fcgi-program:") => SectionKind::FcgiProgram,
            s if s.starts_with("group:") => SectionKind::Group,
            s if s.starts_with("rpcinterface:") => SectionKind::RpcInterface,
            s if s.starts_with("ctlplugin:") => SectionKind::CtlPlugin,
            _ => SectionKind::Unknown,
        }
    }

    fn bit(self) -> u16 {
        match self {
            SectionKind::Supervisord => S,
            SectionKind::UnixHttpServer => UNIX,
            SectionKind::InetHttpServer => INET,
            SectionKind::Supervisorctl => CTL,
            SectionKind::Program => PROG,
            SectionKind::EventListener => EVT,
            SectionKind::FcgiProgram => FCGI,
            SectionKind::Group => GROUP,
            SectionKind::RpcInterface => RPC,
            SectionKind::CtlPlugin => CTLP,
            SectionKind::Include => INC,
            SectionKind::Default | SectionKind::Unknown => 0,
        }
    }

    /// The header form used in docs: `[program:x]`.
    pub fn header(self) -> &'static str {
        match self {
            SectionKind::Supervisord => "[supervisord]",
            SectionKind::UnixHttpServer => "[unix_http_server]",
            SectionKind::InetHttpServer => "[inet_http_server]",
            SectionKind::Supervisorctl => "[supervisorctl]",
            SectionKind::Program => "[program:x]",
            SectionKind::EventListener => "[eventlistener:x]",
            SectionKind::FcgiProgram => "[fcgi-program:x]",
            SectionKind::Group => "[group:x]",
            SectionKind::RpcInterface => "[rpcinterface:x]",
            SectionKind::CtlPlugin => "[ctlplugin:x]",
            SectionKind::Include => "[include]",
            SectionKind::Default => "[DEFAULT]",
            SectionKind::Unknown => "[?]",
        }
    }

    /// Sections whose every key is passed on (plugin factory arguments).
    pub fn takes_any_key(self) -> bool {
        matches!(self, SectionKind::RpcInterface | SectionKind::CtlPlugin)
    }

    pub fn is_program_like(self) -> bool {
        matches!(
            self,
            SectionKind::Program | SectionKind::EventListener | SectionKind::FcgiProgram
        )
    }

    pub const ALL: &'static [SectionKind] = &[
        SectionKind::Supervisord,
        SectionKind::UnixHttpServer,
        SectionKind::InetHttpServer,
        SectionKind::Supervisorctl,
        SectionKind::Program,
        SectionKind::EventListener,
        SectionKind::FcgiProgram,
        SectionKind::Group,
        SectionKind::RpcInterface,
        SectionKind::CtlPlugin,
        SectionKind::Include,
    ];
}

const S: u16 = 1;
const UNIX: u16 = 2;
const INET: u16 = 4;
const CTL: u16 = 8;
const PROG: u16 = 16;
const EVT: u16 = 32;
const FCGI: u16 = 64;
const GROUP: u16 = 128;
const RPC: u16 = 256;
const CTLP: u16 = 512;
const INC: u16 = 1024;
const PL: u16 = PROG | EVT | FCGI;

/// The converter supervisord applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Int,
    Bool,
    Bytes,
    Octal,
    Signal,
    ExitCodes,
    KvPairs,
    LogFile,
    Directory,
    FilePath,
    LogLevel,
    AutoRestart,
    NameTemplate,
    Str,
    User,
    UserGroup,
    Address,
    CommaList,
    ImportSpec,
    Command,
    Socket,
    Patterns,
}

impl ValueType {
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Int => "integer (Python int(): `+1_0` is 10)",
            ValueType::Bool => "boolean: true/false, yes/no, on/off, 1/0",
            ValueType::Bytes => "byte size: an integer with optional KB, MB or GB",
            ValueType::Octal => "octal number, e.g. 022",
            ValueType::Signal => "signal name (TERM, HUP, INT, QUIT, KILL, USR1, USR2) or number",
            ValueType::ExitCodes => "comma-separated exit codes 0-255",
            ValueType::KvPairs => "KEY=\"value\" pairs separated by commas",
            ValueType::LogFile => "a path, AUTO, NONE or syslog",
            ValueType::Directory => "an existing directory",
            ValueType::FilePath => "a file path whose directory exists",
            ValueType::LogLevel => "critical, error, warn, info, debug, trace or blather",
            ValueType::AutoRestart => "true, false or unexpected",
            ValueType::NameTemplate => "a name template without spaces, `:` or `/`",
            ValueType::Str => "text",
            ValueType::User => "a user name or uid",
            ValueType::UserGroup => "user or user:group",
            ValueType::Address => "[host:]port",
            ValueType::CommaList => "comma-separated names",
            ValueType::ImportSpec => "a Python import spec, module:attribute",
            ValueType::Command => "a command line (split like a shell, no shell features)",
            ValueType::Socket => "unix:///absolute/path or tcp://host:port",
            ValueType::Patterns => "whitespace-separated glob patterns",
        }
    }
}

/// One option of one or more section types.
#[derive(Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    sections: u16,
    pub ty: ValueType,
    /// The default as supervisord documents it (`None`: unset / required).
    pub default: Option<&'static str>,
    pub doc: &'static str,
}

impl OptionSpec {
    pub fn applies_to(&self, kind: SectionKind) -> bool {
        self.sections & kind.bit() != 0
    }
}

macro_rules! opt {
    ($name:literal, $sections:expr, $ty:ident, $default:expr, $doc:literal) => {
        OptionSpec {
            name: $name,
            sections: $sections,
            ty: ValueType::$ty,
            default: $default,
            doc: $doc,
        }
    };
}

/// Every option, grouped by section.
pub static OPTIONS: &[OptionSpec] = &[
    // [supervisord]
    opt!(
        "logfile",
        S,
        FilePath,
        Some("$CWD/supervisord.log"),
        "Main log file; `syslog` (lower case) logs to syslog. Relative paths are relative to supervisord's working directory."
    ),
    opt!(
        "logfile_maxbytes",
        S,
        Bytes,
        Some("50MB"),
        "Rotate the main log at this size; 0 means never."
    ),
    opt!(
        "logfile_backups",
        S,
        Int,
        Some("10"),
        "Rotated main logs to keep; 0 keeps none."
    ),
    opt!(
        "loglevel",
        S,
        LogLevel,
        Some("info"),
        "Main log level. `warning` is not accepted: write `warn`."
    ),
    opt!(
        "pidfile",
        S,
        FilePath,
        Some("$CWD/supervisord.pid"),
        "Where supervisord writes its pid."
    ),
    opt!(
        "umask",
        S | PL,
        Octal,
        Some("022"),
        "File creation mask (for programs: none, inherited)."
    ),
    opt!(
        "nodaemon",
        S,
        Bool,
        Some("false"),
        "Stay in the foreground."
    ),
    opt!(
        "silent",
        S,
        Bool,
        Some("false"),
        "Do not log to stdout in the foreground."
    ),
    opt!(
        "minfds",
        S,
        Int,
        Some("1024"),
        "File descriptors supervisord needs before it starts (raises RLIMIT_NOFILE)."
    ),
    opt!(
        "minprocs",
        S,
        Int,
        Some("200"),
        "Processes supervisord needs before it starts (raises RLIMIT_NPROC)."
    ),
    opt!(
        "nocleanup",
        S,
        Bool,
        Some("false"),
        "Keep AUTO child logs from earlier runs."
    ),
    opt!(
        "childlogdir",
        S,
        Directory,
        Some("$TMPDIR"),
        "Where AUTO child logs go."
    ),
    opt!(
        "user",
        S | PL,
        User,
        None,
        "Switch to this user (supervisord must run as root)."
    ),
    opt!(
        "directory",
        S | PL,
        Directory,
        None,
        "chdir here first. For [supervisord] it must exist and `~` is expanded; for programs neither is checked."
    ),
    opt!(
        "strip_ansi",
        S,
        Bool,
        Some("false"),
        "Strip ANSI escape sequences from child logs."
    ),
    opt!(
        "environment",
        S | PL,
        KvPairs,
        None,
        "KEY=\"value\" pairs, comma-separated. Unquoted values are cut at the first space or symbol; always quote."
    ),
    opt!(
        "identifier",
        S,
        Str,
        Some("supervisor"),
        "Identifier of this supervisord for RPC clients."
    ),
    // servers
    opt!(
        "file",
        UNIX,
        FilePath,
        None,
        "Path of the UNIX socket (required). Relative paths are relative to the working directory."
    ),
    opt!(
        "chmod",
        UNIX,
        Octal,
        Some("0700"),
        "Mode of the UNIX socket."
    ),
    opt!(
        "chown",
        UNIX,
        UserGroup,
        None,
        "Owner of the UNIX socket, user or user:group."
    ),
    opt!(
        "port",
        INET,
        Address,
        None,
        "host:port to listen on (required); a bare port or `*:port` listens on all interfaces."
    ),
    opt!(
        "username",
        UNIX | INET | CTL,
        Str,
        None,
        "HTTP basic auth user name; servers need both username and password or neither."
    ),
    opt!(
        "password",
        UNIX | INET | CTL,
        Str,
        None,
        "Password in clear text or `{SHA}` followed by the hex SHA-1 of the password."
    ),
    // [supervisorctl]
    opt!(
        "serverurl",
        CTL | PL,
        Str,
        Some("http://localhost:9001"),
        "URL of the supervisord server: unix:///path or http://host:port (for programs: AUTO)."
    ),
    opt!(
        "prompt",
        CTL,
        Str,
        Some("supervisor"),
        "Interactive prompt."
    ),
    opt!(
        "history_file",
        CTL,
        FilePath,
        None,
        "readline history file."
    ),
    // program-like
    opt!(
        "command",
        PL,
        Command,
        None,
        "The command to run (required). Split like a shell, but no shell features: use `bash -c` for pipes, `$VAR` or `&&`."
    ),
    opt!(
        "process_name",
        PL,
        NameTemplate,
        Some("%(program_name)s"),
        "Name template of each instance; must contain %(process_num) when numprocs > 1."
    ),
    opt!(
        "numprocs",
        PL,
        Int,
        Some("1"),
        "Number of instances; 0 or less disables the section silently."
    ),
    opt!("numprocs_start", PL, Int, Some("0"), "First process_num."),
    opt!(
        "priority",
        PL | GROUP,
        Int,
        Some("999"),
        "Start order: lower starts first and stops last (eventlisteners: -1)."
    ),
    opt!(
        "autostart",
        PL,
        Bool,
        Some("true"),
        "Start when supervisord starts."
    ),
    opt!(
        "startsecs",
        PL,
        Int,
        Some("1"),
        "Seconds a process must stay up to count as started."
    ),
    opt!(
        "startretries",
        PL,
        Int,
        Some("3"),
        "Failed start attempts before FATAL."
    ),
    opt!(
        "autorestart",
        PL,
        AutoRestart,
        Some("unexpected"),
        "Restart after exit: true, false or unexpected (exit code not in exitcodes). `always` is not accepted."
    ),
    opt!(
        "exitcodes",
        PL,
        ExitCodes,
        Some("0"),
        "Expected exit codes for autorestart=unexpected; empty means none is expected."
    ),
    opt!(
        "stopsignal",
        PL,
        Signal,
        Some("TERM"),
        "Signal sent to stop the process."
    ),
    opt!(
        "stopwaitsecs",
        PL,
        Int,
        Some("10"),
        "Seconds to wait after stopsignal before SIGKILL."
    ),
    opt!(
        "stopasgroup",
        PL,
        Bool,
        Some("false"),
        "Send stopsignal to the whole process group (implies killasgroup)."
    ),
    opt!(
        "killasgroup",
        PL,
        Bool,
        Some("stopasgroup"),
        "Send SIGKILL to the whole process group."
    ),
    opt!(
        "redirect_stderr",
        PL,
        Bool,
        Some("false"),
        "Send stderr to the stdout log (not allowed for eventlisteners)."
    ),
    opt!(
        "stdout_logfile",
        PL,
        LogFile,
        Some("AUTO"),
        "stdout log: a path, AUTO, NONE (expanded twice: write %%%% for a literal %)."
    ),
    opt!(
        "stdout_logfile_maxbytes",
        PL,
        Bytes,
        Some("50MB"),
        "Rotate the stdout log at this size; 0 means never."
    ),
    opt!(
        "stdout_logfile_backups",
        PL,
        Int,
        Some("10"),
        "Rotated stdout logs to keep."
    ),
    opt!(
        "stdout_capture_maxbytes",
        PL,
        Bytes,
        Some("0"),
        "Capture-mode buffer size for PROCESS_COMMUNICATION events."
    ),
    opt!(
        "stdout_events_enabled",
        PL,
        Bool,
        Some("false"),
        "Emit PROCESS_LOG_STDOUT events."
    ),
    opt!(
        "stdout_syslog",
        PL,
        Bool,
        Some("false"),
        "Also send stdout to syslog."
    ),
    opt!(
        "stderr_logfile",
        PL,
        LogFile,
        Some("AUTO"),
        "stderr log: a path, AUTO, NONE (ignored with redirect_stderr=true)."
    ),
    opt!(
        "stderr_logfile_maxbytes",
        PL,
        Bytes,
        Some("50MB"),
        "Rotate the stderr log at this size; 0 means never."
    ),
    opt!(
        "stderr_logfile_backups",
        PL,
        Int,
        Some("10"),
        "Rotated stderr logs to keep."
    ),
    opt!(
        "stderr_capture_maxbytes",
        PL,
        Bytes,
        Some("0"),
        "Capture-mode buffer size for stderr."
    ),
    opt!(
        "stderr_events_enabled",
        PL,
        Bool,
        Some("false"),
        "Emit PROCESS_LOG_STDERR events."
    ),
    opt!(
        "stderr_syslog",
        PL,
        Bool,
        Some("false"),
        "Also send stderr to syslog."
    ),
    // eventlistener
    opt!(
        "events",
        EVT,
        CommaList,
        None,
        "Event types to subscribe to (required), e.g. PROCESS_STATE,TICK_60."
    ),
    opt!(
        "buffer_size",
        EVT,
        Int,
        Some("10"),
        "Event queue size (at least 1)."
    ),
    opt!(
        "result_handler",
        EVT,
        ImportSpec,
        Some("supervisor.dispatchers:default_handler"),
        "Import spec of the result handler."
    ),
    // fcgi-program
    opt!(
        "socket",
        FCGI,
        Socket,
        None,
        "The FastCGI socket (required): unix:///absolute/path or tcp://host:port."
    ),
    opt!(
        "socket_backlog",
        FCGI,
        Int,
        None,
        "listen() backlog, 1-65535."
    ),
    opt!(
        "socket_owner",
        FCGI,
        UserGroup,
        None,
        "Owner of a unix socket, user or user:group."
    ),
    opt!(
        "socket_mode",
        FCGI,
        Octal,
        Some("0700"),
        "Mode of a unix socket."
    ),
    // group
    opt!(
        "programs",
        GROUP,
        CommaList,
        None,
        "Comma-separated [program:x] or [fcgi-program:x] names."
    ),
    // plugins and include
    opt!(
        "supervisor.rpcinterface_factory",
        RPC,
        ImportSpec,
        None,
        "Import spec of the RPC interface factory (required); other keys are its arguments."
    ),
    opt!(
        "supervisor.ctl_factory",
        CTLP,
        ImportSpec,
        None,
        "Import spec of the supervisorctl plugin factory (required)."
    ),
    opt!(
        "files",
        INC,
        Patterns,
        None,
        "Glob patterns, separated by whitespace (not commas), relative to the main config's directory."
    ),
];

/// How supervisord expands an option's value with `%` (`docs/semantics.md` §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// 2 for `stdout_logfile`, `stderr_logfile` (program-like sections) and
    /// `[supervisord] environment`, which are expanded twice; else 1.
    pub passes: u8,
    /// Whether `%(here)s` is among the names the option may use.
    pub here: bool,
}

/// How `key` is expanded in a section of `kind`; `None` when supervisord
/// never expands it (unknown keys, unknown sections, `[DEFAULT]` itself).
pub fn expansion(kind: SectionKind, key: &str) -> Option<Expansion> {
    if !kind.takes_any_key() && lookup(kind, key).is_none() {
        return None;
    }
    let passes = match kind {
        SectionKind::Supervisord if key == "environment" => 2,
        k if k.is_program_like() && matches!(key, "stdout_logfile" | "stderr_logfile") => 2,
        _ => 1,
    };
    let here = match kind {
        SectionKind::InetHttpServer | SectionKind::RpcInterface | SectionKind::CtlPlugin => false,
        SectionKind::UnixHttpServer => key == "file",
        SectionKind::Supervisorctl => matches!(key, "serverurl" | "history_file"),
        _ => true,
    };
    Some(Expansion { passes, here })
}

/// The option `key` as read in a section of `kind`.
pub fn lookup(kind: SectionKind, key: &str) -> Option<&'static OptionSpec> {
    // Lint rules ask for every option of every section: by name first.
    static BY_NAME: std::sync::OnceLock<rustc_hash::FxHashMap<&str, Vec<&OptionSpec>>> =
        std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut m: rustc_hash::FxHashMap<&str, Vec<&OptionSpec>> = Default::default();
        for o in OPTIONS {
            m.entry(o.name).or_default().push(o);
        }
        m
    });
    by_name
        .get(key)?
        .iter()
        .copied()
        .find(|o| o.applies_to(kind))
}

/// Every section kind that reads `key`.
pub fn kinds_reading(key: &str) -> Vec<SectionKind> {
    SectionKind::ALL
        .iter()
        .copied()
        .filter(|k| OPTIONS.iter().any(|o| o.name == key && o.applies_to(*k)))
        .collect()
}

/// Options read by a section kind, in table order.
pub fn options_of(kind: SectionKind) -> impl Iterator<Item = &'static OptionSpec> {
    OPTIONS.iter().filter(move |o| o.applies_to(kind))
}

/// The closest candidate by edit distance, if close enough to suggest.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let max = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_supervisord_matching() {
        assert_eq!(
            SectionKind::of("inet_http_server_old"),
            SectionKind::InetHttpServer
        );
        assert_eq!(SectionKind::of("Program:x"), SectionKind::Unknown);
        assert_eq!(SectionKind::of(" program:x "), SectionKind::Unknown);
    }

    #[test]
    fn lookups() {
        assert!(lookup(SectionKind::Program, "command").is_some());
        assert!(lookup(SectionKind::Program, "socket").is_none());
        assert_eq!(kinds_reading("socket"), vec![SectionKind::FcgiProgram]);
        assert_eq!(closest("comand", ["command", "directory"]), Some("command"));
        assert_eq!(closest("zzzzzz", ["command"]), None);
    }
}
