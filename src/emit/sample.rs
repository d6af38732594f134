//! Starting configs for supervisord 4.3.0 (`supc sample`).
//!
//! Input: a [`Base`] (supervisor's own sample, a minimal config, or an
//! annotated config generated from [`crate::options`]), the directory for
//! the socket, main log and pid file, and [`ProgramSpec`]s to append as
//! `[program:x]` stanzas. Output: a [`Sample`], config text that supervisord
//! accepts and `supc check` passes, or a [`SampleError`] naming the input
//! that cannot be written so that supervisord reads it back as meant.
//!
//! Invariants: [`Base::Supervisor`] without programs is byte for byte what
//! `echo_supervisord_conf` prints; every value written goes through the
//! escaping its option needs (`%` once or twice, `docs/semantics.md` §3.4),
//! and nothing written can turn into a comment or a continuation line
//! (§2, §11 there).
//!
//! `sample.conf` is supervisor 4.3.0's `supervisor/skel/sample.conf`, copied
//! verbatim and unmodified (`echo_supervisord_conf` prints that file as it
//! is, final newline included). Supervisor is Copyright (c) Agendaless
//! Consulting and Contributors and is distributed under a BSD-derived
//! license (<http://www.repoze.org/LICENSE.txt>, the `LICENSES.txt` of its
//! distribution), which asks redistributions to keep that notice.

use crate::limits::MAX_NUMPROCS;
use crate::options::{OptionSpec, SectionKind, lookup, options_of};
use crate::python::format::{FormatError, Mapping, PyValue, format};
use crate::python::int::PyInt;
use crate::python::percent::{self, Token};
use crate::python::unicode::is_space;
use std::collections::HashMap;
use std::fmt::Write;

/// supervisor 4.3.0's sample config, exactly as `echo_supervisord_conf`
/// prints it.
pub const SUPERVISOR_SAMPLE: &str = include_str!("sample.conf");

/// Where the socket, logs and pid file go unless told otherwise (as in
/// supervisor's sample).
pub const DEFAULT_DIR: &str = "/tmp";

/// File names the bases use in their directory.
const MAIN_LOG: &str = "supervisord.log";
const PID_FILE: &str = "supervisord.pid";
const SOCKET: &str = "supervisor.sock";
const RPC_FACTORY_KEY: &str = "supervisor.rpcinterface_factory";
const RPC_FACTORY: &str = "supervisor.rpcinterface:make_main_rpcinterface";
/// Longest UNIX socket path that binds everywhere (macOS: 104 with the NUL;
/// Linux: 108).
const MAX_SOCKET_PATH: usize = 103;

/// The config the program stanzas are appended to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// supervisor's own sample, verbatim (it keeps its `/tmp` paths).
    Supervisor,
    /// The smallest config that runs and lets supervisorctl connect.
    Minimal,
    /// Every section and option documented from [`crate::options`].
    Annotated,
}

/// One `[program:NAME]` stanza to append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSpec {
    /// The program name: letters, digits, `_`, `-`, `.`.
    pub name: String,
    /// The command in supervisord syntax (see [`escape_command`]).
    pub command: String,
    /// Instances; 1 or more.
    pub numprocs: i64,
}

/// The text to print, and notes worth telling the user (not errors).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    pub text: String,
    pub notes: Vec<String>,
}

/// An input that cannot be written safely.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("--dir {dir:?}: {why}")]
    Dir { dir: String, why: String },
    #[error("--program {name:?}: {why}")]
    Program { name: String, why: String },
    #[error("--command of program {program:?}: {why}")]
    Command { program: String, why: String },
}

/// Builds the sample: `base` written for `dir`, then one stanza per
/// program. `dir` is not used by [`Base::Supervisor`] itself, only by the
/// program logs appended to it.
pub fn sample(base: Base, dir: &str, programs: &[ProgramSpec]) -> Result<Sample, SampleError> {
    let dir = check_dir(dir)?;
    let mut notes = Vec::new();
    let (mut text, base_dir) = match base {
        Base::Supervisor => (SUPERVISOR_SAMPLE.to_string(), DEFAULT_DIR.to_string()),
        Base::Minimal => (minimal(&dir), dir.clone()),
        Base::Annotated => (annotated(&dir), dir.clone()),
    };
    if base != Base::Supervisor {
        let socket = join(&dir, SOCKET);
        if socket.len() > MAX_SOCKET_PATH {
            notes.push(format!(
                "the socket path {socket} is {} bytes long; UNIX sockets are limited \
                 to about {MAX_SOCKET_PATH}, so supervisord may fail to bind it",
                socket.len()
            ));
        }
    }
    // Every literal file name the config uses, to keep program logs apart.
    let mut taken: HashMap<String, String> = [MAIN_LOG, PID_FILE, SOCKET]
        .iter()
        .map(|f| (join(&base_dir, f), "supervisord itself".to_string()))
        .collect();
    let mut seen = Vec::new();
    for p in programs {
        check_name(&p.name)?;
        if seen.contains(&p.name.as_str()) {
            return Err(SampleError::Program {
                name: p.name.clone(),
                why: "given twice; each program needs its own name".into(),
            });
        }
        seen.push(p.name.as_str());
        if !(1..=MAX_NUMPROCS).contains(&p.numprocs) {
            return Err(SampleError::Program {
                name: p.name.clone(),
                why: format!("--numprocs must be between 1 and {MAX_NUMPROCS}"),
            });
        }
        let command = escape_command(&p.name, &p.command, p.numprocs)?;
        if p.numprocs > 1 && !command.contains("%(process_num)") {
            notes.push(format!(
                "program {}: all {} instances run the same command line; use \
                 %(process_num)d (or %(process_num)02d) in --command to tell them \
                 apart, e.g. for a port",
                p.name, p.numprocs
            ));
        }
        for num in 0..p.numprocs {
            let file = join(&dir, &log_name(&p.name, p.numprocs, num));
            if let Some(owner) = taken.insert(file.clone(), format!("program {}", p.name)) {
                return Err(SampleError::Program {
                    name: p.name.clone(),
                    why: format!(
                        "its log file {file} would also be written by {owner}; \
                         choose another name"
                    ),
                });
            }
        }
        text.push('\n');
        text.push_str(&program_stanza(p, &command, &dir));
    }
    Ok(Sample { text, notes })
}

/// `dir`, checked and without trailing slashes.
fn check_dir(dir: &str) -> Result<String, SampleError> {
    let bad = |why: &str| SampleError::Dir {
        dir: dir.to_string(),
        why: why.to_string(),
    };
    if !dir.starts_with('/') {
        return Err(bad(
            "must be an absolute path (supervisord resolves relative paths against \
             the directory it is started from)",
        ));
    }
    if let Some(why) = unwritable(dir) {
        return Err(bad(&why));
    }
    if dir.contains('%') {
        // Escaping would work, but a `%` in a path is almost always a
        // template mistake; keep the written paths literal.
        return Err(bad(
            "contains %: write the directory literally (no %(name)s expansions)",
        ));
    }
    let trimmed = dir.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/" } else { trimmed }.to_string())
}

/// Why a value cannot be written on one `key=value` line, if it cannot.
fn unwritable(value: &str) -> Option<String> {
    if value
        .chars()
        .any(|c| (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Some("contains a line break or control character".into());
    }
    let chars: Vec<char> = value.chars().collect();
    for pair in chars.windows(2) {
        if is_space(pair[0]) && matches!(pair[1], ';' | '#') {
            return Some(format!(
                "contains {:?} after whitespace, where supervisord's config parser \
                 starts a comment and cuts the value (quotes do not protect it)",
                pair[1]
            ));
        }
    }
    None
}

fn check_name(name: &str) -> Result<(), SampleError> {
    let ok_first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let ok_rest = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok_first && ok_rest {
        return Ok(());
    }
    Err(SampleError::Program {
        name: name.to_string(),
        why: "use letters, digits, '_', '-' and '.', starting with a letter, digit \
              or '_' (the name becomes part of the section header, process names \
              and log file names)"
            .into(),
    })
}

/// The command as written after `command=`, checked.
///
/// The command is supervisord syntax: `%(process_num)02d`, `%(program_name)s`,
/// `%(ENV_X)s` and the other names of the `command` option expand, and `%%`
/// is a literal `%`. Any other `%` (`date +%s`) is meant literally and is
/// written as `%%` ([`percent::lenient`] reads the command), except a `%(`
/// that is no expansion, kept to be refused. Surrounding whitespace is dropped (supervisord strips
/// values). Refused: a line break or control character, a `;` or `#` after
/// whitespace (supervisord would cut the line there), an empty command, and
/// an expansion supervisord would reject.
pub fn escape_command(program: &str, command: &str, numprocs: i64) -> Result<String, SampleError> {
    let bad = |why: String| SampleError::Command {
        program: program.to_string(),
        why,
    };
    let command = command.trim_matches(is_space);
    if command.is_empty() {
        return Err(bad("is empty".into()));
    }
    if let Some(why) = unwritable(command) {
        let hint = if why.contains("comment") {
            "; write %(here).0s right before the character (it expands to nothing), \
             or move the shell code into a script"
        } else {
            ""
        };
        return Err(bad(format!("{why}{hint}")));
    }
    let mut out = String::with_capacity(command.len() + 8);
    for token in percent::lenient(command) {
        match token {
            Token::Text(t) => out.push_str(t),
            Token::Escape => out.push_str("%%"),
            Token::Expansion(spec) => out.push_str(&command[spec.start..spec.end]),
            // Kept, so that supervisord's reason for refusing it is shown.
            Token::Lone(at) if command[at + 1..].starts_with('(') => out.push('%'),
            Token::Lone(_) => out.push_str("%%"),
        }
    }
    check_expansion(&out, program, numprocs).map_err(bad)?;
    Ok(out)
}

/// Expands `command` the way supervisord does for an instance of `program`
/// (any `ENV_` name counts as set: the environment is the target host's).
fn check_expansion(command: &str, program: &str, numprocs: i64) -> Result<(), String> {
    let mut m = Mapping::new();
    m.set_str("here", "/");
    m.set_str("program_name", program);
    m.set_str("host_node_name", "host");
    m.set_str("group_name", program);
    m.set("process_num", PyValue::Int(PyInt::from(0)));
    m.set("numprocs", PyValue::Int(PyInt::from(numprocs)));
    for _ in 0..=command.matches('%').count() {
        match format(command, &m) {
            Ok(_) => return Ok(()),
            Err(FormatError::MissingKey(k)) if k.starts_with("ENV_") && !m.contains(&k) => {
                m.set_str(k, "");
            }
            Err(FormatError::MissingKey(k)) => {
                return Err(format!(
                    "%({k}) is not a name supervisord expands in command; it knows \
                     group_name, here, host_node_name, numprocs, process_num, \
                     program_name and ENV_<VARIABLE> (write %% for a literal %)"
                ));
            }
            Err(FormatError::Bad(msg)) => {
                return Err(format!(
                    "supervisord cannot expand it: {msg} (write %% for a literal %)"
                ));
            }
            Err(FormatError::TooLong(limit)) => {
                return Err(format!(
                    "it would expand to more than {} MiB, supc's limit",
                    limit >> 20
                ));
            }
        }
    }
    Ok(())
}

/// `dir/file` without doubling the slash of `/`.
fn join(dir: &str, file: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{file}")
    } else {
        format!("{dir}/{file}")
    }
}

/// The log file name of instance `num`, as supervisord expands it.
fn log_name(name: &str, numprocs: i64, num: i64) -> String {
    if numprocs > 1 {
        format!("{name}_{num:02}.log")
    } else {
        format!("{name}.log")
    }
}

/// One of the sections every base has, with working values.
struct Essential {
    header: &'static str,
    kind: SectionKind,
    /// `(key, value)` lines, values already escaped.
    values: Vec<(&'static str, String)>,
}

/// The four sections supervisord and supervisorctl need, with working
/// values.
fn essentials(dir: &str) -> [Essential; 4] {
    // Each of these values is expanded once (`docs/semantics.md` §3.4); check_dir refuses `%`,
    // so the paths need no escaping.
    let socket = join(dir, SOCKET);
    [
        Essential {
            header: "[unix_http_server]",
            kind: SectionKind::UnixHttpServer,
            values: vec![("file", socket.clone()), ("chmod", "0700".into())],
        },
        Essential {
            header: "[supervisord]",
            kind: SectionKind::Supervisord,
            values: vec![
                ("logfile", join(dir, MAIN_LOG)),
                ("pidfile", join(dir, PID_FILE)),
            ],
        },
        Essential {
            header: "[rpcinterface:supervisor]",
            kind: SectionKind::RpcInterface,
            values: vec![(RPC_FACTORY_KEY, RPC_FACTORY.into())],
        },
        Essential {
            header: "[supervisorctl]",
            kind: SectionKind::Supervisorctl,
            values: vec![("serverurl", format!("unix://{socket}"))],
        },
    ]
}

/// The smallest config that runs and that supervisorctl can talk to.
fn minimal(dir: &str) -> String {
    let mut out = String::from(
        "; A minimal supervisord config: supervisord runs and supervisorctl\n\
         ; connects through the UNIX socket. Written by `supc sample --minimal`.\n",
    );
    for e in essentials(dir) {
        out.push('\n');
        out.push_str(e.header);
        out.push('\n');
        for (k, v) in e.values {
            let _ = writeln!(out, "{k}={v}");
        }
    }
    out
}

/// A ready-to-use `[program:x]` stanza; `command` is already escaped.
fn program_stanza(p: &ProgramSpec, command: &str, dir: &str) -> String {
    let many = p.numprocs > 1;
    let mut out = String::new();
    if many {
        let _ = writeln!(
            out,
            "; {n} processes, {name}_00 to {name}_{last:02}, managed as {name}:*",
            n = p.numprocs,
            name = p.name,
            last = p.numprocs - 1
        );
    }
    let process_name = if many {
        "%(program_name)s_%(process_num)02d"
    } else {
        "%(program_name)s"
    };
    // stdout_logfile is expanded twice: the name has no `%` and the
    // directory none either (check_name, check_dir).
    let logfile = if many {
        join(dir, &format!("{}_%(process_num)02d.log", p.name))
    } else {
        join(dir, &format!("{}.log", p.name))
    };
    let _ = write!(
        out,
        "[program:{name}]\n\
         command={command}\n\
         process_name={process_name}\n\
         numprocs={numprocs}\n\
         autostart=true\n\
         autorestart=true\n\
         startsecs=1\n\
         startretries=3\n\
         stopsignal=TERM\n\
         stopwaitsecs=10\n\
         stopasgroup=true\n\
         killasgroup=true\n\
         redirect_stderr=true\n\
         stdout_logfile={logfile}\n\
         stdout_logfile_maxbytes=50MB\n\
         stdout_logfile_backups=10\n\
         ;directory=/path/to/workdir    ; chdir here before starting\n\
         ;user=nobody                   ; run as this user (supervisord must start as root)\n\
         ;environment=KEY=\"value\"       ; added to the environment; quote the values\n",
        name = p.name,
        numprocs = p.numprocs,
    );
    out
}

const WIDTH: usize = 79;

/// The annotated config: every section kind and option of
/// [`crate::options`], commented out, except the [`essentials`].
fn annotated(dir: &str) -> String {
    let mut out = String::new();
    out.push_str(ANNOTATED_INTRO);
    let essentials = essentials(dir);
    for &kind in SectionKind::ALL {
        let active = essentials.iter().find(|e| e.kind == kind);
        out.push('\n');
        let _ = writeln!(out, ";{}", "=".repeat(WIDTH - 1));
        let _ = writeln!(out, "; {}", kind.header());
        out.push_str(";\n");
        wrap(&mut out, "; ", "; ", section_doc(kind));
        let _ = writeln!(out, ";{}", "=".repeat(WIDTH - 1));
        out.push('\n');
        match active {
            Some(e) => {
                out.push_str(e.header);
                out.push('\n');
            }
            None => {
                let _ = writeln!(out, ";{}", kind.header());
            }
        }
        for opt in options_of(kind) {
            let value = active
                .and_then(|e| e.values.iter().find(|(k, _)| *k == opt.name))
                .map(|(_, v)| v.as_str());
            out.push('\n');
            option_doc(&mut out, kind, opt);
            match value {
                Some(v) => {
                    let _ = writeln!(out, "{}={v}", opt.name);
                }
                None => {
                    let _ = writeln!(out, ";{}={}", opt.name, example_value(kind, opt));
                }
            }
        }
    }
    out
}

fn option_doc(out: &mut String, kind: SectionKind, opt: &OptionSpec) {
    wrap(out, "; ", ";   ", &format!("{}: {}", opt.name, opt.doc));
    wrap(out, ";   values: ", ";     ", opt.ty.describe());
    let default = match default_in(kind, opt) {
        Some(d) if lookup(kind, d).is_some() => format!("the value of {d}"),
        Some(d) => d.to_string(),
        None if kind.is_program_like() && opt.name == "umask" => {
            "none (inherited from supervisord)".to_string()
        }
        None => "none".to_string(),
    };
    wrap(out, ";   default: ", ";     ", &default);
}

/// The default of `opt` in a section of `kind`. The option table has one
/// default per option; these are the ones its docs qualify per kind.
fn default_in(kind: SectionKind, opt: &OptionSpec) -> Option<&'static str> {
    match (kind, opt.name) {
        (k, "umask") if k.is_program_like() => None,
        (k, "serverurl") if k.is_program_like() => Some("AUTO"),
        (SectionKind::EventListener, "priority") => Some("-1"),
        _ => opt.default,
    }
}

/// The value after `;key=`: the default, or for a default that is another
/// option's value (`killasgroup`), that option's default.
fn example_value(kind: SectionKind, opt: &OptionSpec) -> &'static str {
    match default_in(kind, opt) {
        Some(d) => match lookup(kind, d) {
            Some(other) => default_in(kind, other).unwrap_or(""),
            None => d,
        },
        None => "",
    }
}

/// Appends `text` as comment lines of at most [`WIDTH`] columns (a word
/// longer than that gets a line of its own).
fn wrap(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

const ANNOTATED_INTRO: &str = "\
; supervisord 4.3.0 configuration: every section and option, annotated.
; Written by `supc sample --annotated` from supc's option table.
;
; Each option shows what it does, the values it accepts and its default,
; then a commented-out line \";key=default\": remove the \";\" to set it.
; Four sections are active, with working values: [unix_http_server],
; [supervisord], [rpcinterface:supervisor] and [supervisorctl]. This file
; runs as it is; uncomment and edit the rest as needed.
;
; Syntax reminders:
;  - \"%(name)s\" expands a variable (which ones depends on the option, for
;    example %(here)s, the directory of this file, or %(ENV_HOME)s); write
;    \"%%\" for a literal \"%\" (\"%%%%\" in stdout_logfile, stderr_logfile and
;    [supervisord] environment, which are expanded twice).
;  - \";\" or \"#\" after whitespace starts a comment, even inside a value and
;    inside quotes: \"command=bash -c 'a ; b'\" runs \"bash -c 'a\".
;  - A line indented more than the key line continues the previous value.
;  - Section names are case-sensitive; keys are not.
;  - Keys of a [DEFAULT] section are inherited by every section, plugin
;    sections included: avoid it.
";

/// The paragraph that introduces a section kind.
fn section_doc(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Supervisord => {
            "Settings of supervisord itself; the only required section. Values may \
             use %(here)s and %(ENV_X)s."
        }
        SectionKind::UnixHttpServer => {
            "An HTTP server on a UNIX domain socket: how supervisorctl usually talks \
             to supervisord. Every section whose name starts with unix_http_server \
             is one. Keep the socket out of directories that are cleaned \
             periodically: without it supervisorctl cannot connect."
        }
        SectionKind::InetHttpServer => {
            "An HTTP server on a TCP port, for supervisorctl and the web interface. \
             It has no encryption and no authentication unless username and \
             password are set: bind it to 127.0.0.1 or a trusted network, never to \
             the internet. Every section whose name starts with inet_http_server is \
             one."
        }
        SectionKind::Supervisorctl => {
            "How supervisorctl connects; supervisord ignores this section. serverurl \
             must point at one of the server sections (unix:// for \
             [unix_http_server], http:// for [inet_http_server]), with the same \
             username and password."
        }
        SectionKind::Program => {
            "A program supervisord starts and keeps running; x is its name. With \
             numprocs above 1 it runs several instances, named by process_name. Values \
             may use %(program_name)s, %(group_name)s, %(host_node_name)s, \
             %(here)s and %(ENV_X)s; command, directory, environment, process_name \
             and the log options also %(process_num)d and %(numprocs)d."
        }
        SectionKind::EventListener => {
            "A pool of processes that receive supervisord's events on stdin (the \
             event listener protocol). It takes the [program:x] options, except \
             redirect_stderr=true, plus events, buffer_size and result_handler. It \
             cannot be a member of a [group:x]."
        }
        SectionKind::FcgiProgram => {
            "A FastCGI program: supervisord opens the socket and shares it with \
             every instance. It takes the [program:x] options plus the socket ones; \
             inside a [group:x] it loses its socket and runs as a plain program."
        }
        SectionKind::Group => {
            "Programs managed together as x:*. Without a group each program is its \
             own group; a program listed in a group no longer forms its own."
        }
        SectionKind::RpcInterface => {
            "An XML-RPC interface. [rpcinterface:supervisor] with the main factory \
             must stay for supervisorctl and the web interface to work. Other keys \
             are passed to the factory as arguments; the main one takes none."
        }
        SectionKind::CtlPlugin => {
            "A supervisorctl plugin (supervisord ignores it). Other keys are passed \
             to the factory as arguments."
        }
        SectionKind::Include => {
            "More config files to read: glob patterns separated by whitespace, \
             relative to this file's directory. Their sections are merged into this \
             file's (later keys win); [include] sections in included files are \
             ignored."
        }
        SectionKind::Default | SectionKind::Unknown => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(name: &str, command: &str, numprocs: i64) -> ProgramSpec {
        ProgramSpec {
            name: name.into(),
            command: command.into(),
            numprocs,
        }
    }

    #[test]
    fn the_default_is_supervisor_s_sample() {
        let s = sample(Base::Supervisor, DEFAULT_DIR, &[]).unwrap();
        assert_eq!(s.text, SUPERVISOR_SAMPLE);
        assert!(s.notes.is_empty());
        assert!(SUPERVISOR_SAMPLE.ends_with("*.ini\n"));
    }

    #[test]
    fn percent_signs() {
        let e = |c: &str| escape_command("web", c, 2);
        assert_eq!(e("date +%s").unwrap(), "date +%%s");
        assert_eq!(e("a %% b %").unwrap(), "a %% b %%");
        assert_eq!(
            e("web --port 80%(process_num)02d").unwrap(),
            "web --port 80%(process_num)02d"
        );
        assert_eq!(e("x %(ENV_HOME)s").unwrap(), "x %(ENV_HOME)s");
        assert!(e("x %(nope)s").is_err());
        assert!(e("x %(ENV_PORT)d").is_err());
        assert!(e("x %(program_name").is_err());
        assert_eq!(e("  /bin/cat  ").unwrap(), "/bin/cat");
    }

    #[test]
    fn refused_commands() {
        for c in [
            "bash -c 'a ; b'",
            "a #b",
            "a\t;b",
            "a\u{a0};b",
            "a\nb",
            "a\rb",
            "",
            "   ",
        ] {
            assert!(escape_command("p", c, 1).is_err(), "{c:?}");
        }
        assert_eq!(escape_command("p", ";a#b", 1).unwrap(), ";a#b");
    }

    #[test]
    fn names_dirs_and_collisions() {
        let ok = |p: &[ProgramSpec]| sample(Base::Minimal, "/tmp", p);
        assert!(ok(&[prog("a:b", "x", 1)]).is_err());
        assert!(ok(&[prog("", "x", 1)]).is_err());
        assert!(ok(&[prog("a", "x", 0)]).is_err());
        assert!(ok(&[prog("a", "x", 1), prog("a", "y", 1)]).is_err());
        assert!(ok(&[prog("a", "x", 2), prog("a_01", "y", 1)]).is_err());
        assert!(ok(&[prog("supervisord", "x", 1)]).is_err());
        assert!(sample(Base::Minimal, "tmp", &[]).is_err());
        assert!(sample(Base::Minimal, "/a ;b", &[]).is_err());
        let s = sample(Base::Minimal, "/srv/sup//", &[]).unwrap();
        assert!(
            s.text
                .contains("serverurl=unix:///srv/sup/supervisor.sock\n")
        );
        let s = sample(Base::Minimal, "/", &[]).unwrap();
        assert!(s.text.contains("file=/supervisor.sock\n"));
    }

    #[test]
    fn notes() {
        let s = sample(Base::Supervisor, "/tmp", &[prog("w", "w --port 80", 2)]).unwrap();
        assert_eq!(s.notes.len(), 1);
        let long = format!("/{}", "d".repeat(120));
        assert_eq!(sample(Base::Minimal, &long, &[]).unwrap().notes.len(), 1);
    }

    #[test]
    fn annotated_covers_every_option_and_section() {
        let text = annotated("/tmp");
        for &kind in SectionKind::ALL {
            assert!(text.contains(kind.header()), "{kind:?}");
            for opt in options_of(kind) {
                assert!(text.contains(&format!("{}=", opt.name)), "{}", opt.name);
            }
        }
        for line in text.lines() {
            assert!(
                line.chars().count() <= WIDTH || !line.contains(' '),
                "{line}"
            );
            assert!(!line.starts_with(char::is_whitespace), "{line}");
        }
    }
}
