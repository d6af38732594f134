//! The catalogue of every diagnostic code supc can emit: supervisord's own
//! errors and warnings (`SUP0xx`), the YAML front-end's (`YAML0xx`) and
//! every lint rule (`SUP1xx` and up).
//!
//! One table below is the only place a code, its name, default severity,
//! category and summary are written. The macro turns it into the [`Code`]
//! enum, so the rest of supc names codes as variants (`Code::InvalidValue`):
//! a typo is a compile error, and control flow never compares code strings.
//! Strings appear only at the edges: [`Code::lookup`] reads what a user
//! typed (`--select`, `.supc.yaml`, `supc: disable=`), and [`Code::code`] /
//! [`Code::name`] are what reports print.

use crate::diagnostic::Severity;

/// What a code is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// supervisord's own errors and warnings, with its exact message text.
    Supervisord,
    /// The supc.yaml front-end (spec and template errors).
    Spec,
    Correctness,
    Portability,
    Security,
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Supervisord => "supervisord",
            Category::Spec => "spec",
            Category::Correctness => "correctness",
            Category::Portability => "portability",
            Category::Security => "security",
            Category::Style => "style",
        }
    }
}

macro_rules! catalogue {
    ($($variant:ident = ($code:literal, $name:literal, $severity:ident, $category:ident, $on:literal, $summary:literal),)*) => {
        /// Every diagnostic code, in catalogue order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, e.g. `SUP102`.
            pub const fn code(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The kebab-case name, e.g. `unknown-key`.
            pub const fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity a finding has unless settings re-grade it.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            pub const fn category(self) -> Category {
                match self { $(Code::$variant => Category::$category,)* }
            }

            /// Whether the code is reported without being selected
            /// (opt-in rules are off until `--select` names them).
            pub const fn enabled_by_default(self) -> bool {
                match self { $(Code::$variant => $on,)* }
            }

            /// One line, for tables and SARIF's shortDescription.
            pub const fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

catalogue! {
    ConfigUnreadable = ("SUP001", "config-unreadable", Error, Supervisord, true, "The config file does not exist or cannot be read"),
    InvalidUtf8 = ("SUP002", "invalid-utf8", Error, Supervisord, true, "The file is not valid UTF-8; supervisord refuses it"),
    NoSectionHeader = ("SUP003", "no-section-header", Error, Supervisord, true, "Content before the first [section] header (often a UTF-8 BOM)"),
    ParseError = ("SUP004", "parse-error", Error, Supervisord, true, "Lines that are neither a [section] header nor key=value"),
    IncludeWithoutFiles = ("SUP005", "include-without-files", Error, Supervisord, true, "[include] without a files= setting"),
    NoSupervisordSection = ("SUP006", "no-supervisord-section", Error, Supervisord, true, "No [supervisord] section after includes"),
    UnknownExpansion = ("SUP010", "unknown-expansion", Error, Supervisord, true, "%(name)s names a variable this option cannot use"),
    BadFormat = ("SUP011", "bad-format", Error, Supervisord, true, "A % format that Python cannot apply (double % for a literal)"),
    InvalidValue = ("SUP020", "invalid-value", Error, Supervisord, true, "A value supervisord's converters refuse"),
    PluginWithoutFactory = ("SUP021", "plugin-without-factory", Error, Supervisord, true, "A plugin section without its factory key"),
    RelativePluginModule = ("SUP022", "relative-plugin-module", Error, Supervisord, true, "A relative plugin module: supervisord crashes"),
    IncompleteAuth = ("SUP023", "incomplete-auth", Error, Supervisord, true, "A server with username but no password, or the reverse"),
    ServerWithoutAddress = ("SUP024", "server-without-address", Error, Supervisord, true, "A server section without port= or file="),
    UnknownGroupMember = ("SUP025", "unknown-group-member", Error, Supervisord, true, "[group:x] programs= names a program that does not exist"),
    EventlistenerWithoutEvents = ("SUP026", "eventlistener-without-events", Error, Supervisord, true, "An eventlistener without events="),
    FcgiWithoutSocket = ("SUP027", "fcgi-without-socket", Error, Supervisord, true, "An fcgi-program without socket="),
    NumprocsWithoutProcessNum = ("SUP028", "numprocs-without-process-num", Error, Supervisord, true, "numprocs > 1 without %(process_num) in process_name"),
    StopasgroupWithoutKillasgroup = ("SUP029", "stopasgroup-without-killasgroup", Error, Supervisord, true, "stopasgroup=true with killasgroup=false"),
    MissingCommand = ("SUP030", "missing-command", Error, Supervisord, true, "A program section without command="),
    SupervisordWarning = ("SUP040", "supervisord-warning", Warning, Supervisord, true, "A warning supervisord logs at startup"),
    IncludeMatchesNothing = ("SUP041", "include-matches-nothing", Warning, Supervisord, true, "An [include] pattern that matches no file (often a host-only path in CI)"),
    SupcLimit = ("SUP090", "supc-limit", Error, Supervisord, true, "Input beyond a bound supc keeps (README: Compatibility)"),
    InternalError = ("SUP091", "internal-error", Error, Supervisord, true, "A supc bug: a worker thread panicked, so its part of the work is missing"),
    InvalidYaml = ("YAML001", "invalid-yaml", Error, Spec, true, "The spec is not YAML of the supc.yaml shape (syntax, unknown key or wrong type)"),
    NoIniForm = ("YAML002", "no-ini-form", Error, Spec, true, "A value that has no INI form supervisord could read"),
    InvalidSpec = ("YAML003", "invalid-spec", Error, Spec, true, "A spec error: a bad section or option name, an option given twice, a template error"),
    RenderMismatch = ("YAML004", "render-mismatch", Error, Spec, true, "The rendered INI would not mean what the spec says (a supc bug): nothing is written"),
    UnknownSection = ("SUP101", "unknown-section", Warning, Correctness, true, "A section supervisord never reads (typo, wrong case, spaces in the brackets)"),
    UnknownKey = ("SUP102", "unknown-key", Warning, Correctness, true, "A key no section type reads (usually a typo)"),
    MisplacedKey = ("SUP103", "misplaced-key", Warning, Correctness, true, "A key that is valid only in another section type"),
    DuplicateSection = ("SUP104", "duplicate-section", Warning, Correctness, true, "A section header that appears more than once (same file or across includes)"),
    DuplicateKey = ("SUP105", "duplicate-key", Warning, Correctness, true, "A key set more than once in one section; the last value wins silently"),
    InlineCommentTruncation = ("SUP106", "inline-comment-truncation", Error, Correctness, true, "A ` ;` or ` #` inside a value starts a comment, even inside quotes"),
    SwallowedSectionHeader = ("SUP107", "swallowed-section-header", Error, Correctness, true, "An indented `[section]` line that became part of the previous value"),
    EnvironmentTruncated = ("SUP108", "environment-truncated", Warning, Correctness, true, "An `environment=` entry that supervisord's tokenizer truncates or drops"),
    BarePercentS = ("SUP109", "bare-percent-s", Error, Correctness, true, "An unkeyed `%s` that expands to every variable, environment included"),
    DoubleExpansionEscape = ("SUP110", "double-expansion-escape", Warning, Correctness, true, "A `%%` in an option that is expanded twice (log file names, [supervisord] environment)"),
    EscapedProcessNum = ("SUP111", "escaped-process-num", Error, Correctness, true, "A process_name that passes the numprocs check but gives every instance the same name"),
    SharedLogFile = ("SUP112", "shared-log-file", Error, Correctness, true, "Several processes write (and rotate) the same log file"),
    SharedPort = ("SUP113", "shared-port", Warning, Correctness, true, "numprocs instances whose commands all listen on the same port"),
    NumprocsNotPositive = ("SUP114", "numprocs-not-positive", Warning, Correctness, true, "numprocs <= 0 silently defines no process"),
    ProgramInMultipleGroups = ("SUP115", "program-in-multiple-groups", Warning, Correctness, true, "A program listed in several [group:x] sections runs once per group"),
    DuplicateGroupName = ("SUP116", "duplicate-group-name", Error, Correctness, true, "Two sections define the same group name; all but one are dropped"),
    FcgiInGroup = ("SUP117", "fcgi-in-group", Error, Correctness, true, "An [fcgi-program:x] in a [group:y] loses its FastCGI socket"),
    DuplicateProcessName = ("SUP118", "duplicate-process-name", Error, Correctness, true, "Two processes with the same name in one group; only the last runs"),
    RedirectStderrWithStderrLogfile = ("SUP119", "redirect-stderr-with-stderr-logfile", Warning, Correctness, true, "stderr_logfile is ignored when redirect_stderr=true"),
    KillasgroupWithoutStopasgroup = ("SUP120", "killasgroup-without-stopasgroup", Info, Correctness, true, "killasgroup=true alone: a normal stop leaves child processes running"),
    EmptyExitcodes = ("SUP121", "empty-exitcodes", Warning, Correctness, true, "`exitcodes=` is empty, so every exit is unexpected and restarts the process"),
    NegativeValue = ("SUP122", "negative-value", Warning, Correctness, true, "A negative number supervisord accepts where it makes no sense"),
    RelativePath = ("SUP125", "relative-path", Warning, Correctness, true, "A relative log, pid, socket or directory path (resolved against the cwd)"),
    RelativeCommandWithDirectory = ("SUP126", "relative-command-with-directory", Error, Correctness, true, "`command=./x` with `directory=`: the path is looked up from supervisord's cwd"),
    UnparsableCommand = ("SUP127", "unparsable-command", Error, Correctness, true, "`command` is empty or cannot be split (unbalanced quotes): found only at spawn"),
    UnexpandedShellSyntax = ("SUP128", "unexpanded-shell-syntax", Warning, Correctness, true, "`$VAR`, `${VAR}`, `~` or backticks in a command or environment: supervisord never expands them"),
    StdoutAndStderrInOneFile = ("SUP129", "stdout-and-stderr-in-one-file", Warning, Correctness, true, "A process whose stdout_logfile and stderr_logfile are the same file"),
    DeviceLogfileRotation = ("SUP130", "device-logfile-rotation", Warning, Correctness, true, "A log file on /dev/stdout, /dev/stderr or /proc/self/fd/N without maxbytes=0"),
    PidfileDevNull = ("SUP131", "pidfile-dev-null", Error, Correctness, true, "`pidfile=/dev/null`: supervisord deletes the pidfile when it exits"),
    NumprocsFromEnvironment = ("SUP132", "numprocs-from-environment", Warning, Correctness, true, "`numprocs` from the environment without `%(process_num)` in `process_name`"),
    RelativeProgramDirectory = ("SUP133", "relative-program-directory", Warning, Correctness, true, "A program `directory=` that is relative: it depends on supervisord's own working directory"),
    RemovedLogKeys = ("SUP134", "removed-log-keys", Warning, Correctness, true, "Supervisor 2's `logfile`, `log_stdout`, `log_stderr` in a program, ignored since 3.0"),
    ProcessNumPortOutOfRange = ("SUP135", "process-num-port-out-of-range", Warning, Correctness, true, "A port made of digits glued to %(process_num) that leaves 1-65535 for some instance"),
    MissingRpcinterface = ("SUP201", "missing-rpcinterface", Warning, Correctness, true, "An HTTP server without [rpcinterface:supervisor]: supervisorctl cannot control anything"),
    ServerurlMismatch = ("SUP202", "serverurl-mismatch", Warning, Correctness, true, "[supervisorctl] serverurl matches none of the configured servers"),
    CredentialsMismatch = ("SUP203", "credentials-mismatch", Warning, Correctness, true, "[supervisorctl] username/password differ from those of its server"),
    DuplicateServerAddress = ("SUP204", "duplicate-server-address", Error, Correctness, true, "Two HTTP servers on the same port or socket file"),
    DuplicateFcgiSocket = ("SUP205", "duplicate-fcgi-socket", Error, Correctness, true, "Two [fcgi-program:x] sections with the same socket"),
    NoServerSection = ("SUP206", "no-server-section", Warning, Correctness, true, "No [unix_http_server] or [inet_http_server]: supervisorctl cannot connect"),
    DefaultLeaksIntoPlugin = ("SUP207", "default-leaks-into-plugin", Error, Correctness, true, "Keys ([DEFAULT] or extra) passed to make_main_rpcinterface, which takes none"),
    InetServerWithoutAuth = ("SUP301", "inet-server-without-auth", Error, Security, true, "[inet_http_server] reachable from the network without username/password"),
    PlaintextPassword = ("SUP302", "plaintext-password", Warning, Security, true, "A server password in plain text instead of the {SHA} form"),
    SocketWritableByOthers = ("SUP303", "socket-writable-by-others", Warning, Security, true, "A unix socket that other users (group or world) may write to"),
    RunsAsRoot = ("SUP304", "runs-as-root", Info, Security, false, "No user= anywhere: started as root, every program runs as root"),
    WorldReadableCredentials = ("SUP305", "world-readable-credentials", Warning, Security, true, "A config file holding a password is readable by every user"),
    IncludeCommaSeparated = ("SUP402", "include-comma-separated", Warning, Style, true, "`[include] files=a.conf,b.conf`: commas do not separate patterns"),
    TildeInProgramDirectory = ("SUP403", "tilde-in-program-directory", Warning, Portability, true, "A program `directory=` starting with `~`, which supervisord does not expand"),
    EventlistenerProcessPriority = ("SUP404", "eventlistener-process-priority", Info, Style, false, "An eventlistener without priority= has pool priority -1 but process priority 999"),
    UnusedSuppression = ("SUP405", "unused-suppression", Info, Style, true, "A `supc: disable` comment that suppresses nothing"),
}

impl Code {
    /// A lint rule's code (its documentation is the rule's own); the
    /// others are supervisord's diagnostics and the YAML front-end's.
    pub const fn is_lint(self) -> bool {
        !matches!(self.category(), Category::Supervisord | Category::Spec)
    }

    /// The code named by `s`: a code or a name, in any case.
    pub fn lookup(s: &str) -> Option<Code> {
        let s = s.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(s) || c.name().eq_ignore_ascii_case(s))
    }

    /// The code or name closest to a mistyped one, spelt as the catalogue
    /// spells it, for "did you mean".
    pub fn closest(s: &str) -> Option<&'static str> {
        let lower = s.trim().to_ascii_lowercase();
        let limit = (lower.len() / 3).max(2);
        Code::ALL
            .iter()
            .flat_map(|c| [c.name(), c.code()])
            .map(|k| {
                (
                    crate::options::edit_distance(&lower, &k.to_ascii_lowercase()),
                    k,
                )
            })
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.code()), "duplicate code {c}");
            assert!(seen.insert(c.name()), "duplicate name {}", c.name());
            let (prefix, digits) = c.code().split_at(c.code().len() - 3);
            assert!(prefix == "SUP" || prefix == "YAML", "{c}");
            assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{c}");
            assert!(
                c.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                c.name()
            );
            assert_eq!(prefix == "YAML", c.category() == Category::Spec, "{c}");
            assert_eq!(
                digits.starts_with('0') && prefix == "SUP",
                c.category() == Category::Supervisord,
                "{c}"
            );
        }
    }

    #[test]
    fn lookup_takes_codes_and_names_in_any_case() {
        assert_eq!(Code::lookup("sup020"), Some(Code::InvalidValue));
        assert_eq!(Code::lookup("Unknown-Key"), Some(Code::UnknownKey));
        assert_eq!(Code::lookup("nope"), None);
        assert_eq!(Code::closest("unknwon-key"), Some("unknown-key"));
        assert_eq!(Code::closest("SUP10"), Some("SUP010"));
        assert_eq!(Code::closest("zzzzzzzzzzzz"), None);
    }
}
