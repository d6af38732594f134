//! `_processes_from_section`: one program-like section → its instances.
//!
//! supervisor keeps one expansion dict per section and mutates it while it
//! builds the instances (`process_num`, `numprocs`, then each instance's
//! `ENV_*`), and some values are expanded with that dict alone while others
//! also get the environment first. [`Scope`] reproduces both, because the
//! dict's key order shows through the bare `%s` quirk.

use super::convert::{
    auto_restart, boolean, byte_size, existing_dirpath_owned, exitcodes, integer, name,
    name_to_uid, octal, signal_name, signal_number,
};
use super::{Raw, Resolver};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::limits;
use crate::model::{
    AutoRestart, InstanceParts, Instances, LogLimits, LogSlot, Process, ProcessCommon, pairs,
    push_pairs,
};
use crate::python::format::{Layers, Lookup, Mapping, Plan, PyValue, Template};
use crate::python::int::PyInt;
use crate::python::repr::repr;
use crate::python::shlex::{kv_pairs, plain_kv_each};
use crate::python::unicode::{strip, upper};
use std::rc::Rc;
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

/// The options whose raw values the instances are made from.
const RAW_KEYS: [&str; 6] = [
    "command",
    "environment",
    STREAM_KEYS[0][0],
    STREAM_KEYS[1][0],
    "directory",
    "process_name",
];

/// Values read once per section ("pre" options).
#[derive(Clone)]
pub(super) struct Pre {
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

/// The options `pre_options` reads, and the numbers of the log streams
/// (see [`PreCache`]).
fn is_pre_key(key: &str) -> bool {
    matches!(
        key,
        "stdout_logfile_backups"
            | "stdout_logfile_maxbytes"
            | "stdout_syslog"
            | "stderr_logfile_backups"
            | "stderr_logfile_maxbytes"
            | "stderr_syslog"
            | "priority"
            | "autostart"
            | "autorestart"
            | "startsecs"
            | "startretries"
            | "stopsignal"
            | "stopwaitsecs"
            | "stopasgroup"
            | "killasgroup"
            | "exitcodes"
            | "redirect_stderr"
            | "numprocs"
            | "numprocs_start"
            | "environment"
            | "stdout_capture_maxbytes"
            | "stdout_events_enabled"
            | "stderr_capture_maxbytes"
            | "stderr_events_enabled"
            | "serverurl"
            | "user"
            | "umask"
            | "process_name"
    )
}

/// The last section's pre options and the values it wrote for them: a
/// section that writes the same (nothing to expand, nothing wrong with
/// them) has the same, and most sections of a big config do. The same
/// goes for its log numbers (`Memo::numbers`), read without error when
/// they are kept.
#[derive(Default)]
pub(super) struct PreCache<'a> {
    written: Vec<(&'a str, &'a str)>,
    scratch: Vec<(&'a str, &'a str)>,
    pre: Option<Pre>,
    numbers: [Option<(PyInt, PyInt, bool)>; 2],
    /// Whether the section being resolved is the one before again.
    hit: bool,
}

/// The raw per-instance options of a section, looked up once.
struct Raws<'r> {
    directory: Option<Prepared<'r>>,
    command: Option<Prepared<'r>>,
    logs: [Option<Prepared<'r>>; 2],
    /// The `environment=` and `process_name=` texts (or defaults).
    environment: Prepared<'r>,
    process_name: Prepared<'r>,
}

/// A raw value and, when it has a `%`, its parsed template (parsed once per
/// section, not looked up again for every instance).
struct Prepared<'r> {
    raw: Raw<'r>,
    template: Option<Rc<Template>>,
}

impl Prepared<'_> {
    fn raw(&self) -> Raw<'_> {
        Raw {
            template: self.template.as_deref(),
            ..self.raw
        }
    }
}

/// What the instance loop carries from one instance to the next.
struct InstanceState<'s> {
    /// supervisor's shared expansion dict of the section.
    common: &'s mut Mapping,
    /// Whether `ENV_*` of the environment must be applied again.
    refresh: &'s mut bool,
    memo: &'s mut Memo,
    arena: &'s mut Arena,
}

/// The strings of a section's instances, before they are shared.
#[derive(Default)]
struct Arena {
    /// Every instance's name, command, directory, log paths and
    /// environment.
    text: String,
    /// The environments' offsets (see `model::push_pairs`).
    ends: Vec<u32>,
    /// Where an environment is expanded before it is split into pairs.
    scratch: String,
}

/// An environment in the arena: the section's own pairs and the
/// instance's environment, `[supervisord] environment` overlaid with them
/// (the same place when `[supervisord]` has none).
#[derive(Clone)]
struct EnvSlot {
    text: Slot,
    ends: Slot,
    merged: (Slot, Slot),
}

/// A string of the section's instances: where it is in the arena.
type Slot = std::ops::Range<usize>;

#[derive(Clone)]
struct DraftLog {
    file: LogSlot,
    limits: Arc<LogLimits>,
}

/// An instance whose strings are still slots of the arena.
struct Draft {
    name: Slot,
    command: Slot,
    directory: Option<Slot>,
    stdout: DraftLog,
    stderr: DraftLog,
    environment: EnvSlot,
}

impl Draft {
    /// The instance's parts, its log limits as indexes into `limits` (each
    /// distinct `Arc` once, in order of first use).
    fn parts(self, index: u32, limits: &mut Vec<Arc<LogLimits>>) -> InstanceParts {
        let mut log = |l: DraftLog| {
            // Each stream's limits change only when their values do, so a
            // stream's are one of the last two kept (looking further back
            // would be quadratic when they vary with every instance).
            let back = limits
                .iter()
                .rev()
                .take(2)
                .position(|x| Arc::ptr_eq(x, &l.limits));
            let index = match back {
                Some(back) => limits.len() - 1 - back,
                None => {
                    limits.push(l.limits);
                    limits.len() - 1
                }
            };
            (l.file, index)
        };
        InstanceParts {
            index,
            name: self.name,
            command: self.command,
            directory: self.directory,
            logs: [log(self.stdout), log(self.stderr)],
            environment: self.environment.merged,
        }
    }
}

/// Which of the words `logfile_name` treats specially `text` is, compared
/// as Python's `text.lower()` would (only ASCII texts can be one of them:
/// no other character lowercases to ASCII letters of these words).
fn log_word(text: &str) -> Option<&'static str> {
    ["none", "off", "auto", "syslog"]
        .into_iter()
        .find(|w| text.eq_ignore_ascii_case(w))
}

/// `push_pairs(text, ends, kv_pairs(value)?)` for the plain texts of
/// `shlex::plain_kv_each` that set no key twice, without the list in
/// between; `false`, with `text` and `ends` as they were, for any other
/// text. `tests::plain_pairs_are_pushed_as_parsed` holds it to the
/// general path.
fn push_plain_pairs(value: &str, text: &mut String, ends: &mut Vec<u32>) -> bool {
    let (text_start, ends_start) = (text.len(), ends.len());
    let done = plain_kv_each(value, |k, v| {
        let seen = &text[text_start..];
        if pairs(seen, &ends[ends_start..]).any(|(key, _)| key == k) {
            return false;
        }
        for part in [k, v] {
            text.push_str(part);
            // As `push_pairs` writes them.
            ends.push(u32::try_from(text.len() - text_start).unwrap_or(u32::MAX));
        }
        true
    });
    if done.is_none() {
        text.truncate(text_start);
        ends.truncate(ends_start);
    }
    done.is_some()
}

/// A parse warning and where it points.
type LoggedWarning = (String, Option<crate::source::Span>);

#[derive(Default)]
struct Memo {
    environment: Option<EnvSlot>,
    directory: Option<Option<Slot>>,
    command: Option<Slot>,
    logs: [Option<(DraftLog, Vec<LoggedWarning>)>; 2],
    numbers: [Option<(PyInt, PyInt, bool)>; 2],
    /// The limits a stream's last instance got when its file was not
    /// `syslog` (only kept when `numbers` are static).
    limits: [Option<Arc<LogLimits>>; 2],
    static_numbers: [bool; 2],
    /// Where the last instance's `ENV_*` keys are in the dict, in the
    /// order of its environment, and whether each is one of `environ`'s.
    env_keys: Vec<(usize, bool)>,
    /// Where an `ENV_*` key is built before it first goes in the dict.
    env_key: String,
    /// Where `process_num` is in the dict.
    process_num_at: usize,
    /// Which of the above may be memoized.
    static_env: bool,
    static_directory: bool,
    static_command: bool,
    static_logs: [bool; 2],
    /// The plans of the per-instance values (see [`Plan`]), by
    /// [`PlanOf`]; each is made when its value is first expanded.
    plans: [Option<Option<Plan>>; 6],
    /// The instance's `process_num` as a plan's hole takes it: `None`
    /// when it is negative or too big (the general path writes those).
    hole: Option<u64>,
}

/// Which per-instance value a plan is for.
#[derive(Clone, Copy)]
enum PlanOf {
    Command,
    Directory,
    Log(usize),
    ProcessName,
    Environment,
}

impl PlanOf {
    fn index(self) -> usize {
        match self {
            PlanOf::Command => 0,
            PlanOf::Directory => 1,
            PlanOf::Log(stream) => 2 + stream,
            PlanOf::ProcessName => 4,
            PlanOf::Environment => 5,
        }
    }
}

impl<'a> Resolver<'a> {
    /// Whether an option's raw value (or default) is the same text for
    /// every instance.
    fn is_static(&self, section: &str, key: &str) -> bool {
        self.find(section, key)
            .is_none_or(|f| !f.value.contains('%'))
    }

    /// Whether expanding `numprocs` more instances of `section` would pass
    /// supc's limits on the total number of instances or expanded bytes;
    /// counts them in when not.
    /// Also returns the estimate and the raw values' length per instance
    /// (a guess at what an instance's strings take); `raws` are those of
    /// [`RAW_KEYS`].
    fn over_budget(
        &mut self,
        section: &str,
        numprocs: u64,
        raws: &[Option<Raw<'_>>; 6],
    ) -> Result<(u64, u64), String> {
        let raw: u64 = raws.iter().flatten().map(|r| r.text.len() as u64).sum();
        let per_instance = raw + 6 * 64;
        let processes = self.budget.0 + numprocs;
        let estimate = per_instance.saturating_mul(numprocs);
        let bytes = self.budget.1.saturating_add(estimate);
        if processes > limits::MAX_TOTAL_PROCESSES as u64 {
            return Err(format!(
                "the config expands to more than {} processes, supc's limit",
                limits::MAX_TOTAL_PROCESSES
            ));
        }
        if bytes > limits::MAX_EXPANDED_BYTES {
            return Err(format!(
                "[{section}] would expand to more than {} MiB of option text over its {numprocs} instances, supc's limit",
                limits::MAX_EXPANDED_BYTES >> 20
            ));
        }
        self.budget = (processes, bytes);
        Ok((estimate, raw))
    }

    /// How much more text an instance of the section being expanded may
    /// add to its `arena` (supc's limits on one value and on all).
    pub(super) fn room(&self, arena: &str) -> usize {
        let used = self.expanded_before.saturating_add(arena.len() as u64);
        let left = limits::MAX_EXPANDED_BYTES.saturating_sub(used);
        left.min(limits::MAX_VALUE_BYTES as u64) as usize
    }

    /// `raw` with its template, if it has one.
    fn prepare<'r>(&mut self, raw: Raw<'r>) -> Prepared<'r> {
        let template = raw.text.contains('%').then(|| self.template(raw.text));
        Prepared { raw, template }
    }

    /// The raw value of an option as written (after `%(here)s`).
    fn raw(&self, section: &str, key: &str) -> Option<Raw<'a>> {
        self.find(section, key).map(|f| Raw {
            text: f.value,
            span: Some(f.entry.def.value_span),
            key_span: Some(f.entry.def.key_span),
            template: None,
        })
    }

    /// What may be memoized (a raw value is the same text for every
    /// instance when it has no template), and the log numbers of the
    /// section before when it had the same options (see [`PreCache`]).
    fn memo_for(&self, section: &str, raws: &Raws<'_>) -> Memo {
        // A section that is the one before again has none of its pre
        // options to expand, these included (see `shared_pre_options`).
        let numbers_static = [0, 1].map(|i| {
            self.pre_cache.hit
                || STREAM_KEYS[i][1..]
                    .iter()
                    .all(|k| self.is_static(section, k))
        });
        let fixed = |p: &Option<Prepared<'_>>| p.as_ref().is_none_or(|p| p.template.is_none());
        let cache = &self.pre_cache;
        let numbers = [0, 1].map(|i| {
            cache
                .numbers
                .get(i)
                .cloned()
                .flatten()
                .filter(|_| cache.hit && numbers_static[i])
        });
        Memo {
            numbers,
            static_numbers: numbers_static,
            static_env: raws.environment.template.is_none(),
            static_directory: fixed(&raws.directory),
            static_command: fixed(&raws.command),
            static_logs: [0, 1].map(|i| numbers_static[i] && fixed(&raws.logs[i])),
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
                self.error(
                    Diagnostic::error(Code::InvalidValue, m).at_opt(span, "in this section name"),
                );
                return None;
            }
        };
        let pre = self.shared_pre_options(section, &program_name, group_name)?;
        let numprocs = match pre.numprocs.to_i64() {
            Some(n) if n <= limits::MAX_NUMPROCS => n.max(0),
            _ => {
                let got = self.get(section, "numprocs", None, None).ok().flatten();
                let span = got
                    .and_then(|g| g.span)
                    .or_else(|| self.section_span(section));
                self.error(
                    Diagnostic::error(
                        Code::SupcLimit,
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
        let found = RAW_KEYS.map(|key| self.raw(section, key));
        let (estimate, raw_bytes) = match self.over_budget(section, numprocs as u64, &found) {
            Ok(got) => got,
            Err(reason) => {
                let span = self.section_span(section);
                self.error(
                    Diagnostic::error(Code::SupcLimit, reason).at_opt(span, "too much to expand"),
                );
                return None;
            }
        };
        // What the sections before this one expanded to.
        self.expanded_before = self.budget.1.saturating_sub(estimate);
        let mut parts = Vec::with_capacity(numprocs as usize);
        let mut limits = Vec::new();
        // Room for what the instances will most likely write (growing a
        // section's text step by step copies it several times).
        let hint = raw_bytes.saturating_mul(numprocs as u64).min(1 << 20);
        let mut arena = Arena {
            text: String::with_capacity(hint as usize),
            ..Arena::default()
        };
        // The dict the instances share: the same keys as supervisor's after
        // the first instance sets `process_num` and `numprocs` and applies
        // the environment.
        let mut common = self.instance_dict();
        common.set_str("program_name", &program_name);
        common.set_str("group_name", group_name);
        let mut refresh = false;
        let [
            command,
            environment,
            stdout,
            stderr,
            directory,
            process_name,
        ] = found;
        let bare = |text, raw: Option<Raw<'_>>| Raw {
            text,
            span: raw.and_then(|r| r.span),
            key_span: None,
            template: None,
        };
        let (environment, process_name) = (
            bare(pre.environment_raw.as_str(), environment),
            bare(pre.process_name.as_str(), process_name),
        );
        let raws = Raws {
            directory: directory.map(|r| self.prepare(r)),
            command: command.map(|r| self.prepare(r)),
            logs: [
                stdout.map(|r| self.prepare(r)),
                stderr.map(|r| self.prepare(r)),
            ],
            environment: self.prepare(environment),
            process_name: self.prepare(process_name),
        };
        let mut memo = self.memo_for(section, &raws);
        // Both are in the dict already (`instance_dict`), so setting them
        // moves nothing; nothing but this sets them.
        memo.process_num_at =
            common.set_full("process_num", PyValue::Int(pre.numprocs_start.clone()));
        common.set("numprocs", PyValue::Int(pre.numprocs.clone()));
        // `numprocs` is at most `limits::MAX_NUMPROCS`, so an index fits.
        for index in 0..numprocs as u32 {
            let num = pre.numprocs_start.add_u32(index);
            let mut state = InstanceState {
                common: &mut common,
                refresh: &mut refresh,
                memo: &mut memo,
                arena: &mut arena,
            };
            if let Some(d) = self.instance(section, &pre, &raws, &num, &mut state) {
                parts.push(d.parts(index, &mut limits));
            }
            if parts.len() == 1 {
                // The other instances' environments most likely have as
                // many pairs.
                let more = arena
                    .ends
                    .len()
                    .saturating_mul((numprocs as usize).saturating_sub(1));
                arena.ends.reserve(more.min(1 << 16));
            }
        }
        self.instance_dict_back(common, refresh);
        if self.pre_cache.pre.is_some() {
            // The cache describes this section: the next one like it reads
            // the same numbers.
            self.pre_cache.numbers = memo.numbers;
        }
        // Count what the instances really took where the estimate was low
        // (a width like `%(process_num)9999d`).
        let actual = (arena.text.len() + 4 * arena.ends.len()) as u64;
        self.budget.1 = self.expanded_before + actual.max(estimate);
        // The budget (`limits::MAX_EXPANDED_BYTES`) keeps a section's text
        // far below the 4 GiB `Instances` can hold.
        let instances = Instances::new(arena.text, arena.ends, limits)?;
        let shared = Arc::new(ProcessCommon {
            group: group_name.into(),
            numprocs_start: pre.numprocs_start.clone(),
            section: section.into(),
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
            instances,
        });
        // Not collected in place: that would keep the parts' larger
        // allocation for the whole run. Every part's ranges are where the
        // loop above wrote into the text, so each makes a process.
        let n = parts.len();
        let mut out = Vec::with_capacity(n);
        out.extend(parts.into_iter().filter_map(|p| Process::new(&shared, p)));
        debug_assert_eq!(out.len(), n);
        out.sort_by(|a, b| a.name().cmp(b.name()));
        Some(out)
    }

    /// supervisor's `common_expansions` before a section names itself:
    /// `{here, program_name, host_node_name, group_name}` in that order.
    fn common_expansions(&self) -> Mapping {
        let mut m = Mapping::new();
        m.set_str("here", &self.loaded.here);
        m.set_str("program_name", "");
        m.set_str("host_node_name", &self.host.node_name);
        m.set_str("group_name", "");
        m
    }

    /// The dict a section's instances start from: `{here, program_name,
    /// host_node_name, group_name, process_num, numprocs}` followed by the
    /// environment's `ENV_*`, in that order. One dict serves every section
    /// of this thread: [`Self::instance_dict_back`] undoes what a section
    /// did to it.
    fn instance_dict(&mut self) -> Mapping {
        match self.instance_base.take() {
            Some(m) => m,
            None => {
                let mut m = self.common_expansions();
                m.set("process_num", PyValue::Int(PyInt::from(0)));
                m.set("numprocs", PyValue::Int(PyInt::from(0)));
                m.update(&self.environ);
                m
            }
        }
    }

    /// Takes back the dict of [`Self::instance_dict`] after a section:
    /// forgets the `ENV_*` names its environments added and restores the
    /// ones they overwrote (`refresh`, as the instance loop tracks it).
    fn instance_dict_back(&mut self, mut m: Mapping, refresh: bool) {
        // The six names above, then the environment.
        m.truncate(6 + self.environ.len());
        if refresh {
            m.update(&self.environ);
        }
        self.instance_base = Some(m);
    }

    /// [`Self::pre_options`], or the last section's when this one writes
    /// the same values for them (see [`PreCache`]).
    fn shared_pre_options(
        &mut self,
        section: &str,
        program_name: &str,
        group_name: &str,
    ) -> Option<Pre> {
        let ini: &'a crate::ini::Ini = &self.loaded.ini;
        let mut cache = std::mem::take(&mut self.pre_cache);
        cache.scratch.clear();
        // Values with `%` expand differently in every section (but these
        // two are read as written).
        let expanded =
            |k: &str, v: &str| !matches!(k, "environment" | "process_name") && v.contains('%');
        let mut plain = self.fast_paths;
        match ini.section(section) {
            Some(s) => {
                for (k, e) in s.entries.iter() {
                    let (k, v): (&'a str, &'a str) = (k, e.value());
                    if is_pre_key(k) {
                        plain &= !expanded(k, v);
                        cache.scratch.push((k, v));
                    }
                }
            }
            None => plain = false,
        }
        if let Some(d) = &ini.defaults {
            plain &= d
                .entries
                .iter()
                .all(|(k, e)| !is_pre_key(k) || !expanded(k, e.value()));
        }
        if plain
            && cache.scratch == cache.written
            && let Some(pre) = &cache.pre
        {
            let pre = pre.clone();
            cache.hit = true;
            self.pre_cache = cache;
            return Some(pre);
        }
        cache.hit = false;
        cache.numbers = [None, None];
        // supervisor's `common_expansions`; one dict serves every section.
        let mut common = self
            .section_base
            .take()
            .unwrap_or_else(|| self.common_expansions());
        common.set_str("program_name", program_name);
        common.set_str("group_name", group_name);
        let before = self.diags.len();
        let pre = self.pre_options(section, &common);
        self.section_base = Some(common);
        cache.pre = None;
        if plain
            && self.diags.len() == before
            && let Some(p) = &pre
        {
            cache.pre = Some(p.clone());
            std::mem::swap(&mut cache.written, &mut cache.scratch);
        }
        self.pre_cache = cache;
        pre
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
                    Code::NumprocsWithoutProcessNum,
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
                    Code::StopasgroupWithoutKillasgroup,
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

    fn instance(
        &mut self,
        section: &str,
        pre: &Pre,
        raws: &Raws<'_>,
        num: &PyInt,
        state: &mut InstanceState<'_>,
    ) -> Option<Draft> {
        let common: &mut Mapping = state.common;
        let refresh: &mut bool = state.refresh;
        let memo: &mut Memo = state.memo;
        let arena: &mut Arena = state.arena;
        // `numprocs` is the same for every instance (set before the loop).
        common.set_at(
            memo.process_num_at,
            "process_num",
            PyValue::Int(num.clone()),
        );
        memo.hole = num
            .to_i64()
            .and_then(|n| u64::try_from(n).ok())
            .filter(|_| self.fast_paths);
        // supervisor re-applies the environment's ENV_* every instance; that
        // only changes something the first time, or when the previous
        // instance's own environment overwrote one of them.
        if *refresh {
            common.update(&self.environ);
        }
        let environment = match &memo.environment {
            Some(env) => env.clone(),
            None => {
                let env = self.instance_environment(section, raws, common, memo, arena)?;
                if memo.static_env {
                    memo.environment = Some(env.clone());
                }
                env
            }
        };
        *refresh = false;
        let env_text = &arena.text[environment.text.clone()];
        let env_ends = &arena.ends[environment.ends.clone()];
        for (j, (k, v)) in pairs(env_text, env_ends).enumerate() {
            // Instances mostly set the keys the one before set, in the same
            // order: their places are known (and checked).
            let known = memo.env_keys.get(j).copied().filter(|&(index, _)| {
                self.fast_paths
                    && common.key_at(index).and_then(|n| n.strip_prefix("ENV_")) == Some(k)
            });
            let (index, in_environ) = match known {
                Some((index, in_environ)) => {
                    common.set_str_at(index, v);
                    (index, in_environ)
                }
                None => {
                    let key = &mut memo.env_key;
                    key.clear();
                    key.push_str("ENV_");
                    key.push_str(k);
                    let index = common.set_str_full(key, v);
                    (index, self.environ.contains(key))
                }
            };
            *refresh |= in_environ;
            match memo.env_keys.get_mut(j) {
                Some(slot) => *slot = (index, in_environ),
                None => memo.env_keys.push((index, in_environ)),
            }
        }
        let directory = match &memo.directory {
            Some(d) => d.clone(),
            None => {
                let d = match &raws.directory {
                    None => None,
                    Some(p) => {
                        let label = super::Label::Option(section, "directory");
                        let text = &mut arena.text;
                        let which = PlanOf::Directory;
                        Some(
                            self.expand_instance(
                                p, which, memo, label, common, true, section, text,
                            )
                            .ok()?,
                        )
                    }
                };
                if memo.static_directory {
                    memo.directory = Some(d.clone());
                }
                d
            }
        };
        let text = &mut arena.text;
        let stdout = self.memo_log(section, 0, common, pre, raws, memo, text)?;
        let mut stderr = self.memo_log(section, 1, common, pre, raws, memo, text)?;
        if pre.redirect_stderr {
            if let LogSlot::Path(_) = stderr.file {
                let span = raws.logs[1].as_ref().and_then(|p| p.raw.span);
                self.warn(format!(
                    "For [{section}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored"
                ), span, "ignored because redirect_stderr=true");
            }
            stderr.file = LogSlot::None;
        }
        let command = match (&memo.command, &raws.command) {
            (Some(slot), _) => slot.clone(),
            (None, Some(p)) => {
                let label = super::Label::Option(section, "command");
                let which = PlanOf::Command;
                let slot = self
                    .expand_instance(p, which, memo, label, common, true, section, text)
                    .ok()?;
                if memo.static_command {
                    memo.command = Some(slot.clone());
                }
                slot
            }
            (None, None) => {
                let span = self.section_span(section);
                self.error(
                    Diagnostic::error(
                        Code::MissingCommand,
                        format!("program section {section} does not specify a command"),
                    )
                    .at_opt(span, "no `command =` in this section"),
                );
                return None;
            }
        };
        let label = super::Label::Bare("process_name");
        let (p, which) = (&raws.process_name, PlanOf::ProcessName);
        let name = self
            .expand_instance(p, which, memo, label, common, false, section, text)
            .ok()?;
        Some(Draft {
            name,
            command,
            directory,
            stdout,
            stderr,
            environment,
        })
    }

    /// The instance's own `environment=`, expanded and tokenized into the
    /// arena.
    fn instance_environment(
        &mut self,
        section: &str,
        raws: &Raws<'_>,
        common: &Mapping,
        memo: &mut Memo,
        arena: &mut Arena,
    ) -> Option<EnvSlot> {
        let raw = raws.environment.raw();
        let span = raw.span;
        let mut scratch = std::mem::take(&mut arena.scratch);
        scratch.clear();
        let text = if raw.template.is_some() {
            let label = super::Label::Bare("environment");
            let (p, which) = (&raws.environment, PlanOf::Environment);
            self.expand_instance(p, which, memo, label, common, false, section, &mut scratch)
                .ok()?;
            scratch.as_str()
        } else {
            raw.text
        };
        let (text_start, ends_start) = (arena.text.len(), arena.ends.len());
        let parsed = if self.fast_paths && push_plain_pairs(text, &mut arena.text, &mut arena.ends)
        {
            Ok(())
        } else {
            kv_pairs(text).map(|p| push_pairs(&mut arena.text, &mut arena.ends, p))
        };
        let slot = match parsed {
            Ok(()) => {
                let own = (text_start..arena.text.len(), ends_start..arena.ends.len());
                let merged = if self.base_env.is_empty() {
                    own.clone()
                } else {
                    // supervisord starts from its own environment and
                    // updates it with the program's.
                    let mut merged: Vec<(&str, &str)> = self
                        .base_env
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let (text, ends) = (&arena.text, &arena.ends);
                    for (k, v) in pairs(&text[own.0.clone()], &ends[own.1.clone()]) {
                        match merged.iter_mut().find(|(mk, _)| *mk == k) {
                            Some(slot) => slot.1 = v,
                            None => merged.push((k, v)),
                        }
                    }
                    let (mut more, mut more_ends) = (String::new(), Vec::new());
                    push_pairs(&mut more, &mut more_ends, merged);
                    let (text_start, ends_start) = (arena.text.len(), arena.ends.len());
                    arena.text.push_str(&more);
                    arena.ends.extend_from_slice(&more_ends);
                    (text_start..arena.text.len(), ends_start..arena.ends.len())
                };
                Some(EnvSlot {
                    text: own.0,
                    ends: own.1,
                    merged,
                })
            }
            Err(m) => {
                let got = super::Got {
                    text: text.to_string(),
                    span,
                    key_span: None,
                };
                self.value_error(m, Some(&got), section);
                None
            }
        };
        arena.scratch = scratch;
        slot
    }

    /// [`Self::expand_into`] of one of a section's per-instance values,
    /// through its plan when it has one: the instances of a section expand
    /// the same values with the same dict but for `process_num` (and the
    /// `ENV_*` names of an environment that has something to expand), so
    /// everything else is rendered once, for the first instance.
    #[allow(clippy::too_many_arguments)]
    fn expand_instance(
        &mut self,
        p: &Prepared<'_>,
        which: PlanOf,
        memo: &mut Memo,
        label: super::Label<'_>,
        common: &Mapping,
        with_environ: bool,
        section: &str,
        out: &mut String,
    ) -> Result<std::ops::Range<usize>, ()> {
        if let (Some(template), Some(n)) = (&p.template, memo.hole) {
            let static_env = memo.static_env;
            let plan = memo.plans[which.index()].get_or_insert_with(|| {
                let layers = Layers(&self.environ, common);
                let lookup: &dyn Lookup = if with_environ { &layers } else { common };
                // With nothing to expand, the environment sets the same
                // `ENV_*` values for every instance.
                let varying = |k: &str| !static_env && k.starts_with("ENV_");
                template.plan(lookup, "process_num", &varying)
            });
            if let Some(plan) = plan {
                let (start, limit) = (out.len(), self.room(out));
                plan.render_append(n, out);
                if out.len() - start <= limit {
                    return Ok(start..out.len());
                }
                // Too long: the general path says so.
                out.truncate(start);
            }
        }
        self.expand_into(p.raw(), label, common, with_environ, section, out)
    }

    /// Log settings of one stream (0 stdout, 1 stderr), memoized when the
    /// stream's options do not vary; the warnings are logged again for
    /// every instance, as supervisord does.
    #[allow(clippy::too_many_arguments)]
    fn memo_log(
        &mut self,
        section: &str,
        i: usize,
        common: &Mapping,
        pre: &Pre,
        raws: &Raws<'_>,
        memo: &mut Memo,
        arena: &mut String,
    ) -> Option<DraftLog> {
        if let Some((log, warnings)) = &memo.logs[i] {
            for (w, span) in warnings {
                self.warn(w.clone(), *span, "supervisord logs this at startup");
            }
            return Some(log.clone());
        }
        let before = self.diags.len();
        let log = self.log_settings(section, i, common, pre, raws, memo, arena)?;
        if memo.static_logs[i] {
            let warnings = self.diags[before..]
                .iter()
                .filter(|d| d.code == Code::SupervisordWarning)
                .map(|d| (d.message.clone(), d.primary.as_ref().map(|l| l.span)))
                .collect();
            memo.logs[i] = Some((log.clone(), warnings));
        }
        Some(log)
    }

    /// One stream's settings; `memo` keeps backups, maxbytes and syslog when
    /// they cannot vary between instances, and the last shared limits.
    #[allow(clippy::too_many_arguments)]
    fn log_settings(
        &mut self,
        section: &str,
        stream: usize,
        common: &Mapping,
        pre: &Pre,
        raws: &Raws<'_>,
        memo: &mut Memo,
        arena: &mut String,
    ) -> Option<DraftLog> {
        let [lf_key, backups_key, maxbytes_key, sy_key] = STREAM_KEYS[stream];
        let c = Some(common);
        let mut syslog_word = false;
        let file = match &raws.logs[stream] {
            None => LogSlot::Auto,
            Some(p) => {
                let raw = p.raw();
                let label = super::Label::Option(section, lf_key);
                let which = PlanOf::Log(stream);
                let mut slot = self
                    .expand_instance(p, which, memo, label, common, true, section, arena)
                    .ok()?;
                // The second, bare expansion; a text without `%` is kept.
                if arena[slot.clone()].contains('%') {
                    let first = arena[slot.clone()].to_string();
                    arena.truncate(slot.start);
                    let again = super::Raw {
                        text: &first,
                        span: raw.span,
                        key_span: None,
                        template: None,
                    };
                    let label = super::Label::Bare(lf_key);
                    slot = self
                        .expand_into(again, label, common, false, section, arena)
                        .ok()?;
                }
                let text = &arena[slot.clone()];
                match log_word(text) {
                    Some(word) => {
                        arena.truncate(slot.start);
                        match word {
                            "auto" => LogSlot::Auto,
                            "syslog" => {
                                syslog_word = true;
                                LogSlot::None
                            }
                            _ => LogSlot::None,
                        }
                    }
                    // `existing_dirpath`: only `~` changes the text, and
                    // portable mode checks no directory.
                    None if self.host.portable && !text.starts_with('~') => LogSlot::Path(slot),
                    None => match existing_dirpath_owned(text.to_string(), self.host) {
                        Ok(p) => {
                            if p != arena[slot.clone()] {
                                arena.truncate(slot.start);
                                arena.push_str(&p);
                                slot = slot.start..arena.len();
                            }
                            LogSlot::Path(slot)
                        }
                        Err(m) => {
                            let got = super::Got {
                                text: String::new(),
                                span: raw.span,
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
        if syslog_word {
            let span = raws.logs[stream].as_ref().and_then(|p| p.raw.span);
            self.warn(format!(
                "For [{section}], {lf_key}=syslog but this is deprecated and will be removed.  Use {sy_key}=true to enable syslog instead."
            ), span, "deprecated");
            syslog = true;
        }
        if matches!(file, LogSlot::Auto) && maxbytes.is_zero() {
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
        // The same values as the instance before: the limits that are
        // still the last ones made (the general path below would find them
        // equal and share them).
        if !syslog_word
            && self.fast_paths
            && let (Some(kept), Some(last)) = (&memo.limits[stream], &self.log_limits[stream])
            && Arc::ptr_eq(kept, last)
        {
            return Some(DraftLog {
                file,
                limits: kept.clone(),
            });
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
        let last = &mut self.log_limits[stream];
        let limits = match last {
            Some(l) if **l == limits => l.clone(),
            _ => last.insert(Arc::new(limits)).clone(),
        };
        if !syslog_word && memo.static_numbers[stream] {
            memo.limits[stream] = Some(limits.clone());
        }
        Some(DraftLog { file, limits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    proptest::proptest! {
        #[test]
        fn plain_pairs_are_pushed_as_parsed(
            v in "([AB_1]{0,2}=(\"[AB 1,=]{0,3}\"|'[AB1]{0,2}'|[AB_1]{0,2}),?){0,4}[AB=\"' ,]{0,2}"
        ) {
            let (mut text, mut ends) = (String::from("before"), vec![7]);
            let direct = push_plain_pairs(&v, &mut text, &mut ends);
            let (mut want_text, mut want_ends) = (String::from("before"), vec![7]);
            if direct {
                let p = kv_pairs(&v).map_err(proptest::test_runner::TestCaseError::fail)?;
                push_pairs(&mut want_text, &mut want_ends, p);
            }
            proptest::prop_assert_eq!((text, ends), (want_text, want_ends));
        }
    }

    /// `is_pre_key` is what `PreCache` compares: every option a program
    /// section has is read once per section (`pre_options` and the log
    /// numbers) or per instance (`RAW_KEYS`; `environment` and
    /// `process_name` are both), so a new option must be put in one of the
    /// two lists, or a section differing from the one before only in it
    /// could wrongly share that section's settings.
    #[test]
    fn every_program_option_is_pre_or_raw() {
        for o in crate::options::options_of(crate::options::SectionKind::Program) {
            assert!(
                is_pre_key(o.name) || RAW_KEYS.contains(&o.name),
                "{}",
                o.name
            );
        }
    }

    #[test]
    fn plain_pairs_leave_the_rest_to_the_parser() {
        for v in ["A=1,A=2", "A=1,B", "A=\"1", "A=1 B=2", "A=\"x\"y"] {
            let (mut text, mut ends) = (String::from("x"), vec![1]);
            assert!(!push_plain_pairs(v, &mut text, &mut ends), "{v}");
            assert_eq!((text.as_str(), ends.as_slice()), ("x", &[1][..]), "{v}");
        }
        let (mut text, mut ends) = (String::new(), Vec::new());
        assert!(push_plain_pairs("A=1,B=\"x y\",", &mut text, &mut ends));
        assert_eq!(
            (text.as_str(), ends.as_slice()),
            ("A1Bx y", &[1, 2, 3, 6][..])
        );
    }

    /// Environments, log settings and warnings that take the instance
    /// loop's shortcuts and that leave them.
    fn shortcut_config() -> String {
        let mut s = String::from("[supervisord]\n");
        let sections = [
            "environment=A=\"1\",B=\"%(process_num)s\"\nstdout_logfile=/l/%(process_num)s",
            "environment=HOME=\"/h%(process_num)s\",B=2\ncommand=/w %(ENV_HOME)s %(ENV_B)s",
            "environment=K%(process_num)s=\"x\",B=\"%(ENV_B)s\"\ncommand=/w %(ENV_B)s %(ENV_K1)s",
            "environment=A=1,A=%(process_num)s\nstdout_logfile=syslog\nstderr_logfile_maxbytes=0",
            "environment=A=\"x y\"\" z\",C='%(process_num)s'\nstdout_logfile=/l/%(process_num)s.%(ENV_C)s",
            "environment=A=%(process_num)s\nstdout_logfile=/l/%%(process_num)s\nredirect_stderr=true\nstderr_logfile=/e",
            "environment=%(process_num)s\n",
            "environment=K%(process_num)s=\"v%(process_num)s\",B=1\ncommand=/w %s",
            "command=/w %s\nenvironment=A=\"%(process_num)s\"",
            "stdout_logfile_maxbytes=%(process_num)s\nstdout_logfile=/l/%(process_num)s",
            // Pre options the section before has too, or not quite.
            "stdout_logfile_maxbytes=%(process_num)s\nstdout_logfile=/l/%(process_num)s",
            "autostart=maybe\nnumprocs_start=2",
            "autostart=maybe\nnumprocs_start=2",
            "umask=8",
            "umask=8",
            "numprocs_start=2\nstopsignal=KILL\nuser=nobody",
            "numprocs_start=2\nstopsignal=KILL\nuser=nobody",
            "numprocs_start=3\nstopsignal=KILL\nuser=nobody",
            "numprocs_start=3\nstopsignal=KILL\nuser=%(program_name)s",
            "numprocs_start=3\nstopsignal=KILL\nuser=%(program_name)s",
            "priority=%(group_name)s",
            "priority=%(group_name)s",
            "process_name=%(program_name)s_%(process_num)d_%(group_name)s\nenvironment=X=%(program_name)s",
            "process_name=%(program_name)s_%(process_num)d_%(group_name)s\nenvironment=X=%(program_name)s",
            "process_name=%(program_name)s\nnumprocs=1",
            "process_name=%(program_name)s\nnumprocs=1",
            "numprocs=2",
            "stdout_logfile_maxbytes=1KB\nstderr_syslog=true",
            "stdout_logfile_maxbytes=1KB\nstderr_syslog=true",
            "stdout_logfile_maxbytes=0\nstderr_syslog=true",
            "stdout_logfile_maxbytes=0\nstderr_syslog=true",
            "stdout_logfile_maxbytes=0\nstderr_syslog=maybe",
            "stdout_logfile_maxbytes=0\nstderr_syslog=maybe",
            "stdout_logfile_backups=%(program_name)s",
            "stdout_logfile_backups=%(program_name)s",
            // Values with plans, and values whose instances must not share
            // one.
            "numprocs_start=-2\nprocess_name=%(program_name)s_%(process_num)03d",
            "numprocs_start=99999999999999999999\ndirectory=/d/%(process_num)d",
            "process_name=%(program_name)s_%(process_num)5s\ncommand=/w %(process_num)-4d|",
            "environment=A=\"%(process_num)s\"\ncommand=/w %(ENV_A)s %(process_num)d",
            "environment=A=\"1\"\ncommand=/w %(ENV_A)s %(process_num)d",
            "environment=HOME=\"/x\"\ncommand=/w %(ENV_HOME)s_%(process_num)d\ndirectory=%(ENV_HOME)s",
            "stdout_logfile=/l/%%(program_name)s_%(process_num)d\nstderr_logfile=/l/%(group_name)s.%(process_num)02d",
            "environment=A=\"%(program_name)s-%(process_num)02d\",B=%(host_node_name)s",
            "command=/w %(nokey)s %(process_num)d",
            "command=/w %(process_num)d %(numprocs)d %(here)s\nstdout_logfile=AUTO",
            "process_name=x%(process_num)9999999999d",
        ];
        for (i, extra) in sections.iter().enumerate() {
            s.push_str(&format!(
                "[program:p{i}]\ncommand=/w %(process_num)d\nnumprocs=4\nprocess_name=%(program_name)s_%(process_num)d\n{extra}\n"
            ));
        }
        s
    }

    fn outcome(text: &str, fast_paths: bool) -> (String, Vec<String>, Vec<String>) {
        let host = Host {
            env: vec![("HOME".into(), "/root".into())],
            node_name: "node".into(),
            cwd: "/".into(),
            portable: true,
            overlay: Default::default(),
        };
        let loaded = crate::load::from_text(text, "supervisord.conf", "/etc/supervisord.conf");
        let mut r = Resolver::new(&loaded, &host);
        r.fast_paths = fast_paths;
        r.diags.extend(loaded.diagnostics.iter().cloned());
        let config = r.run();
        let diags = r.diags.iter().map(super::super::diagnostic_line).collect();
        (format!("{:?}", config.groups), diags, config.parse_warnings)
    }

    /// The shortcuts change nothing: same instances, same diagnostics in
    /// the same order.
    #[test]
    fn shortcuts_are_the_general_path() {
        let text = shortcut_config();
        let fast = outcome(&text, true);
        assert!(fast.0.contains("/h3"), "{}", fast.0);
        assert!(
            fast.1.iter().any(|d| d.contains("Unexpected end")),
            "{:?}",
            fast.1
        );
        assert!(
            fast.2.iter().any(|w| w.contains("AUTO logging")),
            "{:?}",
            fast.2
        );
        assert_eq!(fast, outcome(&text, false));
    }
}
