//! `_processes_from_section`: one program-like section → its instances.
//!
//! supervisor keeps one expansion dict per section and mutates it while it
//! builds the instances (`process_num`, `numprocs`, then each instance's
//! `ENV_*`), and some values are expanded with that dict alone while others
//! also get the environment first. [`Scope`] reproduces both, because the
//! dict's key order shows through the bare `%s` quirk.

use super::Resolver;
use super::convert::{
    auto_restart, boolean, byte_size, existing_dirpath_owned, exitcodes, integer, name,
    name_to_uid, octal, signal_name, signal_number,
};
use crate::diagnostic::Diagnostic;
use crate::limits;
use crate::model::{
    AutoRestart, Environment, LogFile, LogLimits, LogSettings, Process, ProcessCommon,
};
use crate::python::format::{Mapping, PyValue};
use crate::python::int::PyInt;
use crate::python::repr::repr;
use crate::python::shlex::kv_pairs;
use crate::python::unicode::{lower, strip, upper};
use std::sync::Arc;

/// The per-stream option names: `[logfile, backups, maxbytes, syslog]` of
/// stdout (0) and stderr (1).
const STREAM_KEYS: [[&str; 4]; 2] = [
    [
        "stdout_logfile",
        "stdout_logfile_backups",
        "stdout_logfile_maxbytes",
        "stdout_syslog",
    ],
    [
        "stderr_logfile",
        "stderr_logfile_backups",
        "stderr_logfile_maxbytes",
        "stderr_syslog",
    ],
];

/// Stands for `syslog` between reading a log file name and its warning.
const SYSLOG: &str = "\u{0}syslog";

/// Values read once per section ("pre" options).
struct Pre {
    priority: PyInt,
    autostart: bool,
    autorestart: AutoRestart,
    startsecs: PyInt,
    startretries: PyInt,
    stopsignal: u32,
    stopwaitsecs: PyInt,
    stopasgroup: bool,
    killasgroup: bool,
    exitcodes: Vec<PyInt>,
    redirect_stderr: bool,
    numprocs: PyInt,
    numprocs_start: PyInt,
    environment_raw: String,
    stdout_cmax: PyInt,
    stdout_events: bool,
    stderr_cmax: PyInt,
    stderr_events: bool,
    serverurl: Option<String>,
    user: Option<String>,
    uid: Option<crate::model::Id>,
    umask: Option<PyInt>,
    process_name: String,
}

/// Per-instance results that cannot differ between instances because
/// their raw values contain no `%`: computed for the first instance and
/// reused (with the same parse warnings repeated, as supervisord logs them
/// once per instance).
/// What the instance loop carries from one instance to the next.
struct InstanceState<'s> {
    /// supervisor's shared expansion dict of the section.
    common: &'s mut Mapping,
    /// Whether `ENV_*` of the environment must be applied again.
    refresh: &'s mut bool,
    memo: &'s mut Memo,
}

/// A parse warning and where it points.
type LoggedWarning = (String, Option<crate::source::Span>);

#[derive(Default)]
struct Memo {
    environment: Option<Environment>,
    directory: Option<Option<Arc<str>>>,
    command: Option<String>,
    logs: [Option<(LogSettings, Vec<LoggedWarning>)>; 2],
    numbers: [Option<(PyInt, PyInt, bool)>; 2],
    /// The last limits of each stream, shared while they stay the same.
    limits: [Option<Arc<LogLimits>>; 2],
    static_numbers: [bool; 2],
    /// Which of the above may be memoized.
    static_env: bool,
    static_directory: bool,
    static_command: bool,
    static_logs: [bool; 2],
}

impl Resolver<'_> {
    /// Whether an option's raw value (or default) is the same text for
    /// every instance.
    fn is_static(&self, section: &str, key: &str) -> bool {
        self.loaded
            .ini
            .get(section, key)
            .is_none_or(|f| !f.value.contains('%'))
    }

    /// Whether expanding `numprocs` more instances of `section` would pass
    /// supc's limits on the total number of instances or expanded bytes;
    /// counts them in when not.
    fn over_budget(&mut self, section: &str, numprocs: u64) -> Option<String> {
        let per_instance: u64 = [
            "command",
            "environment",
            "stdout_logfile",
            "stderr_logfile",
            "directory",
            "process_name",
        ]
        .iter()
        .filter_map(|k| self.loaded.ini.get(section, k))
        .map(|f| f.value.len() as u64 + 64)
        .sum();
        let processes = self.budget.0 + numprocs;
        let bytes = self
            .budget
            .1
            .saturating_add(per_instance.saturating_mul(numprocs));
        if processes > limits::MAX_TOTAL_PROCESSES as u64 {
            return Some(format!(
                "the config expands to more than {} processes, supc's limit",
                limits::MAX_TOTAL_PROCESSES
            ));
        }
        if bytes > limits::MAX_EXPANDED_BYTES {
            return Some(format!(
                "[{section}] would expand to more than {} MiB of option text over its {numprocs} instances, supc's limit",
                limits::MAX_EXPANDED_BYTES >> 20
            ));
        }
        self.budget = (processes, bytes);
        None
    }

    fn memo_for(&self, section: &str) -> Memo {
        let stream_static = |i: usize| STREAM_KEYS[i].iter().all(|k| self.is_static(section, k));
        let numbers_static = |i: usize| {
            STREAM_KEYS[i][1..]
                .iter()
                .all(|k| self.is_static(section, k))
        };
        Memo {
            static_numbers: [numbers_static(0), numbers_static(1)],
            static_env: self.is_static(section, "environment"),
            static_directory: self.is_static(section, "directory"),
            static_command: self.is_static(section, "command"),
            static_logs: [stream_static(0), stream_static(1)],
            ..Memo::default()
        }
    }

    /// supervisor's `processes_from_section`, with its error suffix.
    pub(super) fn processes_from_section(
        &mut self,
        section: &str,
        group_name: &str,
    ) -> Vec<Process> {
        let file = self
            .loaded
            .ini
            .section(section)
            .map(|s| self.loaded.sources.get(s.first_file).name.clone())
            .unwrap_or_else(|| self.loaded.config_path.clone());
        let saved = self.context.replace(format!(
            " in section {} (file: {})",
            repr(section),
            repr(&file)
        ));
        let out = self.instances(section, group_name).unwrap_or_default();
        self.context = saved;
        self.forget_templates();
        out
    }

    fn instances(&mut self, section: &str, group_name: &str) -> Option<Vec<Process>> {
        let raw_name = section.split_once(':').map_or("", |(_, n)| n);
        let program_name = match name(raw_name) {
            Ok(n) => n,
            Err(m) => {
                let span = self.section_span(section);
                self.error(Diagnostic::error("SUP020", m).at_opt(span, "in this section name"));
                return None;
            }
        };
        let mut common = Mapping::new();
        common.set_str("here", self.loaded.here.clone());
        common.set_str("program_name", program_name.clone());
        common.set_str("host_node_name", self.host.node_name.clone());
        common.set_str("group_name", group_name);
        let pre = self.pre_options(section, &common)?;
        let numprocs = match pre.numprocs.to_i64() {
            Some(n) if n <= limits::MAX_NUMPROCS => n.max(0),
            _ => {
                let got = self.get(section, "numprocs", None, None).ok().flatten();
                let span = got
                    .and_then(|g| g.span)
                    .or_else(|| self.section_span(section));
                self.error(
                    Diagnostic::error(
                        "SUP090",
                        format!(
                            "numprocs={} is above supc's limit of {} processes per section",
                            pre.numprocs,
                            limits::MAX_NUMPROCS
                        ),
                    )
                    .at_opt(span, "too many instances"),
                );
                return None;
            }
        };
        if let Some(reason) = self.over_budget(section, numprocs as u64) {
            let span = self.section_span(section);
            self.error(Diagnostic::error("SUP090", reason).at_opt(span, "too much to expand"));
            return None;
        }
        let mut out = Vec::with_capacity(numprocs as usize);
        let mut num = pre.numprocs_start.clone();
        // The dict the instances share: the same keys as supervisor's after
        // the first instance sets `process_num` and `numprocs` and applies
        // the environment, copied from a template built once.
        let mut common = self.instance_base().clone();
        common.set_str("program_name", &program_name);
        common.set_str("group_name", group_name);
        let mut refresh = false;
        let mut memo = self.memo_for(section);
        let shared = Arc::new(ProcessCommon {
            group: group_name.to_string(),
            section: section.to_string(),
            user: pre.user.clone(),
            uid: pre.uid,
            umask: pre.umask.clone(),
            priority: pre.priority.clone(),
            autostart: pre.autostart,
            autorestart: pre.autorestart,
            startsecs: pre.startsecs.clone(),
            startretries: pre.startretries.clone(),
            stopsignal: signal_name(pre.stopsignal),
            stopwaitsecs: pre.stopwaitsecs.clone(),
            stopasgroup: pre.stopasgroup,
            killasgroup: pre.killasgroup,
            exitcodes: pre.exitcodes.clone(),
            redirect_stderr: pre.redirect_stderr,
            serverurl: pre.serverurl.clone(),
            span: self
                .section_span(section)
                .unwrap_or(crate::source::Span::new(crate::source::FileId(0), 0, 0)),
        });
        for _ in 0..numprocs {
            let mut state = InstanceState {
                common: &mut common,
                refresh: &mut refresh,
                memo: &mut memo,
            };
            if let Some(p) = self.instance(section, &shared, &pre, &num, &mut state) {
                out.push(p);
            }
            num = match num.to_i64().and_then(|n| n.checked_add(1)) {
                Some(n) => PyInt::from(n),
                None => PyInt::from(num.to_big() + 1),
            };
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Some(out)
    }

    /// `{here, program_name, host_node_name, group_name, process_num,
    /// numprocs}` followed by the environment's `ENV_*`, in that order.
    fn instance_base(&mut self) -> &Mapping {
        if self.instance_base.is_none() {
            let mut m = Mapping::new();
            m.set_str("here", &self.loaded.here);
            m.set_str("program_name", "");
            m.set_str("host_node_name", &self.host.node_name);
            m.set_str("group_name", "");
            m.set("process_num", PyValue::Int(PyInt::from(0)));
            m.set("numprocs", PyValue::Int(PyInt::from(0)));
            m.update(&self.environ);
            self.instance_base = Some(m);
        }
        self.instance_base.get_or_insert_default()
    }

    fn pre_options(&mut self, section: &str, common: &Mapping) -> Option<Pre> {
        let c = Some(common);
        let host = self.host;
        let priority = self.read(section, "priority", Some("999"), c, integer);
        let autostart = self.read(section, "autostart", Some("true"), c, boolean);
        let autorestart = self.read(section, "autorestart", Some("unexpected"), c, auto_restart);
        let startsecs = self.read(section, "startsecs", Some("1"), c, integer);
        let startretries = self.read(section, "startretries", Some("3"), c, integer);
        let stopsignal = self.read(section, "stopsignal", Some("TERM"), c, signal_number);
        let stopwaitsecs = self.read(section, "stopwaitsecs", Some("10"), c, integer);
        let stopasgroup = self.read(section, "stopasgroup", Some("false"), c, boolean);
        let kill_default = if stopasgroup.unwrap_or(false) {
            "True"
        } else {
            "False"
        };
        let killasgroup = self.read(section, "killasgroup", Some(kill_default), c, boolean);
        let exitcodes = self.read(section, "exitcodes", Some("0"), c, exitcodes);
        let redirect_stderr = self.read(section, "redirect_stderr", Some("false"), c, boolean);
        let numprocs = self.read(section, "numprocs", Some("1"), c, integer);
        let numprocs_start = self.read(section, "numprocs_start", Some("0"), c, integer);
        let environment_raw = self
            .get(section, "environment", Some(""), None)
            .ok()
            .flatten()
            .map(|g| g.text)
            .unwrap_or_default();
        let stdout_cmax = self.read(section, "stdout_capture_maxbytes", Some("0"), c, byte_size);
        let stdout_events = self.read(section, "stdout_events_enabled", Some("false"), c, boolean);
        let stderr_cmax = self.read(section, "stderr_capture_maxbytes", Some("0"), c, byte_size);
        let stderr_events = self.read(section, "stderr_events_enabled", Some("false"), c, boolean);
        let serverurl = self
            .get(section, "serverurl", None, c)
            .ok()
            .flatten()
            .map(|g| g.text)
            .filter(|s| s.is_empty() || upper(strip(s)) != "AUTO");
        let user_got = self.get(section, "user", None, c).ok().flatten();
        let uid = match &user_got {
            None => None,
            Some(g) => match name_to_uid(&g.text, host) {
                Ok(u) => Some(u),
                Err(m) => {
                    self.value_error(m, Some(g), section);
                    None
                }
            },
        };
        let umask = match self.get(section, "umask", None, c).ok().flatten() {
            None => None,
            Some(g) => match octal(&g.text) {
                Ok(v) => Some(v),
                Err(m) => {
                    self.value_error(m, Some(&g), section);
                    None
                }
            },
        };
        let template_got = self
            .get(section, "process_name", Some("%(program_name)s"), None)
            .ok()
            .flatten();
        let template_text = template_got
            .as_ref()
            .map_or("%(program_name)s".into(), |g| g.text.clone());
        let process_name = match name(&template_text) {
            Ok(n) => n,
            Err(m) => {
                self.value_error(m, template_got.as_ref(), section);
                return None;
            }
        };
        let numprocs_v = numprocs.clone().unwrap_or_else(|| PyInt::from(1));
        if numprocs_v > PyInt::from(1) && !process_name.contains("%(process_num)") {
            let span = template_got.as_ref().and_then(|g| g.span).or_else(|| {
                self.get(section, "numprocs", None, None)
                    .ok()
                    .flatten()
                    .and_then(|g| g.span)
            });
            self.error(
                Diagnostic::error(
                    "SUP028",
                    "%(process_num) must be present within process_name when numprocs > 1",
                )
                .at_opt(span, "needs %(process_num) to tell instances apart")
                .help("e.g. process_name=%(program_name)s_%(process_num)02d"),
            );
            return None;
        }
        let (sag, kag) = (stopasgroup.unwrap_or(false), killasgroup.unwrap_or(false));
        if sag && !kag {
            let span = self
                .get(section, "killasgroup", None, None)
                .ok()
                .flatten()
                .and_then(|g| g.span);
            self.error(
                Diagnostic::error(
                    "SUP029",
                    "Cannot set stopasgroup=true and killasgroup=false",
                )
                .at_opt(
                    span.or_else(|| self.section_span(section)),
                    "contradicts stopasgroup=true",
                ),
            );
            return None;
        }
        Some(Pre {
            priority: priority?,
            autostart: autostart?,
            autorestart: autorestart?,
            startsecs: startsecs?,
            startretries: startretries?,
            stopsignal: stopsignal?,
            stopwaitsecs: stopwaitsecs?,
            stopasgroup: sag,
            killasgroup: killasgroup?,
            exitcodes: exitcodes?,
            redirect_stderr: redirect_stderr?,
            numprocs: numprocs?,
            numprocs_start: numprocs_start?,
            environment_raw,
            stdout_cmax: stdout_cmax?,
            stdout_events: stdout_events?,
            stderr_cmax: stderr_cmax?,
            stderr_events: stderr_events?,
            serverurl,
            user: user_got.map(|g| g.text),
            uid,
            umask,
            process_name,
        })
    }

    /// Bare `expand(value, expansions, label)`: the section dict alone.
    fn bare_expand(
        &mut self,
        text: &str,
        label: &str,
        common: &Mapping,
        section: &str,
        span: Option<crate::source::Span>,
    ) -> Option<String> {
        let raw = super::Raw {
            text,
            span,
            key_span: None,
        };
        self.expand_got(raw, super::Label::Bare(label), common, false, section)
            .ok()
            .flatten()
            .map(|g| g.text)
    }

    fn instance(
        &mut self,
        section: &str,
        shared: &Arc<ProcessCommon>,
        pre: &Pre,
        num: &PyInt,
        state: &mut InstanceState<'_>,
    ) -> Option<Process> {
        let common: &mut Mapping = state.common;
        let refresh: &mut bool = state.refresh;
        let memo: &mut Memo = state.memo;
        common.set("process_num", PyValue::Int(num.clone()));
        common.set("numprocs", PyValue::Int(pre.numprocs.clone()));
        // supervisor re-applies the environment's ENV_* every instance; that
        // only changes something the first time, or when the previous
        // instance's own environment overwrote one of them.
        if *refresh {
            common.update(&self.environ);
        }
        let environment = match &memo.environment {
            Some(env) => env.clone(),
            None => {
                let env = self.instance_environment(section, pre, common)?;
                if memo.static_env {
                    memo.environment = Some(env.clone());
                }
                env
            }
        };
        *refresh = false;
        let mut env_key = String::from("ENV_");
        for (k, v) in environment.iter() {
            env_key.truncate(4);
            env_key.push_str(k);
            let key = env_key.as_str();
            *refresh |= self.environ.contains(key);
            common.set_str(key, v);
        }
        let directory = match &memo.directory {
            Some(d) => d.clone(),
            None => {
                let c = Some(&*common);
                let d = self
                    .get(section, "directory", None, c)
                    .ok()?
                    .map(|g| Arc::<str>::from(g.text));
                if memo.static_directory {
                    memo.directory = Some(d.clone());
                }
                d
            }
        };
        let stdout = self.memo_log(section, 0, common, pre, memo)?;
        let mut stderr = self.memo_log(section, 1, common, pre, memo)?;
        if pre.redirect_stderr {
            if let LogFile::Path(_) = stderr.logfile {
                let span = self
                    .get(section, "stderr_logfile", None, None)
                    .ok()
                    .flatten()
                    .and_then(|g| g.span);
                self.warn(format!(
                    "For [{section}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored"
                ), span, "ignored because redirect_stderr=true");
            }
            stderr.logfile = LogFile::None;
        }
        let c = Some(&*common);
        let command = match memo.command.clone().map(Some).map(Ok).unwrap_or_else(|| {
            self.get(section, "command", None, c)
                .map(|g| g.map(|g| g.text))
        }) {
            Ok(Some(g)) => {
                if memo.static_command && memo.command.is_none() {
                    memo.command = Some(g.clone());
                }
                g
            }
            Ok(None) => {
                let span = self.section_span(section);
                self.error(
                    Diagnostic::error(
                        "SUP030",
                        format!("program section {section} does not specify a command"),
                    )
                    .at_opt(span, "no `command =` in this section"),
                );
                return None;
            }
            Err(()) => return None,
        };
        let name = self.instance_name(section, pre, common)?;
        Some(Process {
            name,
            process_num: num.clone(),
            command,
            directory,
            stdout,
            stderr,
            environment,
            common: shared.clone(),
        })
    }

    /// The instance's own `environment=`, expanded once and tokenized.
    fn instance_environment(
        &mut self,
        section: &str,
        pre: &Pre,
        common: &Mapping,
    ) -> Option<Environment> {
        let span = self.option_span(section, "environment");
        let expanded;
        let text = if pre.environment_raw.contains('%') {
            expanded =
                self.bare_expand(&pre.environment_raw, "environment", common, section, span)?;
            expanded.as_str()
        } else {
            pre.environment_raw.as_str()
        };
        match kv_pairs(text) {
            Ok(p) => Some(Environment::from_pairs(p)),
            Err(m) => {
                let got = super::Got {
                    text: text.to_string(),
                    span,
                    key_span: None,
                };
                self.value_error(m, Some(&got), section);
                None
            }
        }
    }

    /// The expanded process name.
    fn instance_name(&mut self, section: &str, pre: &Pre, common: &Mapping) -> Option<String> {
        if !pre.process_name.contains('%') {
            return Some(pre.process_name.clone());
        }
        let span = self.option_span(section, "process_name");
        self.bare_expand(&pre.process_name, "process_name", common, section, span)
    }

    fn option_span(&self, section: &str, key: &str) -> Option<crate::source::Span> {
        self.loaded
            .ini
            .get(section, key)
            .map(|f| f.entry.def.value_span)
    }

    /// Log settings of one stream (0 stdout, 1 stderr), memoized when the
    /// stream's options do not vary; the warnings are logged again for
    /// every instance, as supervisord does.
    fn memo_log(
        &mut self,
        section: &str,
        i: usize,
        common: &Mapping,
        pre: &Pre,
        memo: &mut Memo,
    ) -> Option<LogSettings> {
        if let Some((settings, warnings)) = &memo.logs[i] {
            for (w, span) in warnings {
                self.warn(w.clone(), *span, "supervisord logs this at startup");
            }
            return Some(settings.clone());
        }
        let before = self.diags.len();
        let settings = self.log_settings(section, i, common, pre, memo)?;
        if memo.static_logs[i] {
            let warnings = self.diags[before..]
                .iter()
                .filter(|d| d.code == "SUP040")
                .map(|d| (d.message.clone(), d.primary.as_ref().map(|l| l.span)))
                .collect();
            memo.logs[i] = Some((settings.clone(), warnings));
        }
        Some(settings)
    }

    /// One stream's settings; `memo` keeps backups, maxbytes and syslog when
    /// they cannot vary between instances, and the last shared limits.
    fn log_settings(
        &mut self,
        section: &str,
        stream: usize,
        common: &Mapping,
        pre: &Pre,
        memo: &mut Memo,
    ) -> Option<LogSettings> {
        let [lf_key, backups_key, maxbytes_key, sy_key] = STREAM_KEYS[stream];
        let c = Some(common);
        let logfile = match self.get(section, lf_key, None, c) {
            Err(()) => return None,
            Ok(None) => LogFile::Auto,
            Ok(Some(g)) => {
                let span = g.span;
                // The second, bare expansion; a text without `%` is kept.
                let text = if g.text.contains('%') {
                    self.bare_expand(&g.text, lf_key, common, section, span)?
                } else {
                    g.text
                };
                // `lower()` never shortens a text, so only short ones can be
                // one of the words.
                let word = if text.len() <= 24 {
                    lower(&text)
                } else {
                    String::new()
                };
                match word.as_str() {
                    "none" | "off" => LogFile::None,
                    "auto" => LogFile::Auto,
                    "syslog" => LogFile::Path(SYSLOG.into()),
                    _ => match existing_dirpath_owned(text, self.host) {
                        Ok(p) => LogFile::Path(p),
                        Err(m) => {
                            let got = super::Got {
                                text: String::new(),
                                span,
                                key_span: None,
                            };
                            self.value_error(m, Some(&got), section);
                            return None;
                        }
                    },
                }
            }
        };
        let (backups, maxbytes, mut syslog) = match memo.numbers[stream].clone() {
            Some(n) => n,
            None => {
                let backups = self.read(section, backups_key, Some("10"), c, integer)?;
                let maxbytes = self.read(section, maxbytes_key, Some("50MB"), c, byte_size)?;
                let syslog = self.read(section, sy_key, Some("False"), c, boolean)?;
                if memo.static_numbers[stream] {
                    memo.numbers[stream] = Some((backups.clone(), maxbytes.clone(), syslog));
                }
                (backups, maxbytes, syslog)
            }
        };
        let logfile = if matches!(&logfile, LogFile::Path(p) if p == SYSLOG) {
            let span = self
                .get(section, lf_key, None, None)
                .ok()
                .flatten()
                .and_then(|g| g.span);
            self.warn(format!(
                "For [{section}], {lf_key}=syslog but this is deprecated and will be removed.  Use {sy_key}=true to enable syslog instead."
            ), span, "deprecated");
            syslog = true;
            LogFile::None
        } else {
            logfile
        };
        if logfile == LogFile::Auto && maxbytes.is_zero() {
            let key = maxbytes_key;
            let span = self
                .get(section, key, None, None)
                .ok()
                .flatten()
                .and_then(|g| g.span)
                .or_else(|| self.section_span(section));
            self.warn(format!(
                "For [{section}], AUTO logging used for {lf_key} without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally"
            ), span, "no rollover");
        }
        let (capture_maxbytes, events_enabled) = if stream == 0 {
            (pre.stdout_cmax.clone(), pre.stdout_events)
        } else {
            (pre.stderr_cmax.clone(), pre.stderr_events)
        };
        let limits = LogLimits {
            maxbytes,
            backups,
            capture_maxbytes,
            events_enabled,
            syslog,
        };
        let last = &mut memo.limits[stream];
        let limits = match last {
            Some(l) if **l == limits => l.clone(),
            _ => last.insert(Arc::new(limits)).clone(),
        };
        Some(LogSettings { logfile, limits })
    }
}
