//! What `supervisorctl reread` + `update` would do when supervisord, started
//! with one config, finds another in its place.
//!
//! Input: two resolved [`Config`]s (OLD: what supervisord is running, NEW:
//! what it re-reads; resolve NEW on [`reread_host`]). Output: a [`Diff`]:
//! groups added, removed and changed (stopped, removed and re-added, so all
//! their processes restart), the unchanged ones, and the setting changes
//! `update` does not apply.
//!
//! The verdicts follow supervisor 4.3.0 exactly:
//!
//! * `Supervisor.diff_to_active` compares every group config of NEW (all of
//!   them, duplicate names included) with the running group of that name;
//!   the running groups are the *first* group of each name in OLD, because
//!   `add_process_group` ignores later duplicates (spec §6.4). A NEW group
//!   named like a running one is "changed" when it is `!=` to it, so a
//!   config whose duplicate-named groups differ is "changed" even against
//!   itself; `update` then re-adds the first group of that name.
//! * `ProcessGroupConfig.__eq__`: class, name, priority and the process list
//!   *in order*. `[program:x]` and `[group:x]` are the same class, so turning
//!   one into the other with the same processes is no change;
//!   `EventListenerPoolConfig` also compares buffer_size, the event set and
//!   the result handler; `FastCGIGroupConfig` also compares the socket, but
//!   `SocketConfig.__eq__` looks at the URL only (not mode, owner, backlog).
//! * `ProcessConfig.__eq__`: name, uid (not the user string), command,
//!   directory, umask, priority, autostart, autorestart, startsecs,
//!   startretries, the twelve stdout/stderr log options, stopsignal (a
//!   number), stopwaitsecs, stopasgroup, killasgroup, exitcodes (a list, in
//!   order), redirect_stderr, environment (a dict: order does not matter; it
//!   includes `[supervisord] environment`) and serverurl. A value that is
//!   `Automatic` on either side is skipped; the running config's AUTO log
//!   files were replaced by real temporary names at startup, so AUTO → path
//!   is a change and path → AUTO is not.
//! * reread skips `ServerOptions.realize`, so an unknown `[supervisord]
//!   user` does not stop it ([`reread_config`]).
//! * reread keeps the ENV_ expansions of OLD's `[supervisord] environment`
//!   (`environ_expansions` is never cleared), so NEW must be resolved on
//!   [`reread_host`], not on the plain host.
//! * `reloadConfig` re-reads `[supervisord]` into the options object, but
//!   only strip_ansi, identifier and childlogdir take effect from there;
//!   the log, pid file, user, HTTP servers and rpcinterfaces are set up when
//!   supervisord starts or reloads, umask, directory, nodaemon and the
//!   rlimits only when its process first starts. `[supervisorctl]` is read
//!   by supervisorctl itself.
//!
//! Processes are matched by name for the report (the last of duplicate names
//! wins, as in the running group's dict); the verdict uses supervisor's
//! positional comparison.

use crate::diagnostic::Severity;
use crate::host::Host;
use crate::model::{Config, Group, GroupKind, Id, LogFile, Process};
use crate::output::json;
use crate::resolve::Resolution;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

/// Format version of the JSON document.
pub const VERSION: u32 = 1;

/// What happens to a group or a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    /// Stopped, removed and re-added by `update` (every process restarts).
    Changed,
}

/// One option with different values; `null` is an unset value.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct OptionChange {
    /// The option's name (`supc expand --format json` keys; `user` for the
    /// uid).
    pub option: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ProcessChange {
    pub name: String,
    /// The namespec supervisorctl shows (`group:name`, or `name`).
    pub full_name: String,
    pub status: Status,
    /// For a changed process, the options that differ.
    pub options: Vec<OptionChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct GroupChange {
    pub name: String,
    pub status: Status,
    /// `program`, `group`, `eventlistener` or `fcgi-program` (NEW's, or
    /// OLD's for a removed group).
    pub kind: String,
    /// Group-level options that differ (kind, priority, buffer_size, events,
    /// result_handler, socket...).
    pub options: Vec<OptionChange>,
    /// Processes added, removed or changed within a changed group; every
    /// process of an added or removed group.
    pub processes: Vec<ProcessChange>,
    /// Why the group counts as changed when the options above do not say.
    pub notes: Vec<String>,
}

/// When a setting change takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Applies {
    /// As soon as supervisord re-reads the file (`supervisorctl reread`).
    Reread,
    /// At supervisorctl's next run; supervisord does not read it.
    Supervisorctl,
    /// When supervisord restarts: `supervisorctl reload` or a new process.
    Reload,
    /// Only when a new supervisord process starts (`reload` is not enough).
    Start,
}

/// A change `update` does not apply through group changes.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SettingChange {
    /// The config section, e.g. `supervisord`, `inet_http_server`,
    /// `program:web`.
    pub section: String,
    /// The process, for a process option.
    pub process: Option<String>,
    /// The option; `null` when the whole section was added or removed.
    pub option: Option<String>,
    pub old: Value,
    pub new: Value,
    pub applies: Applies,
    pub note: String,
}

/// What `supervisorctl reread` + `update` would do.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
pub struct Diff {
    /// Added, removed and changed groups, by name.
    pub groups: Vec<GroupChange>,
    /// Running groups `update` leaves alone, by name.
    pub unchanged: Vec<String>,
    /// Changes `update` does not apply: they need `supervisorctl reload` or
    /// a new supervisord process (see `applies`).
    pub requires_restart: Vec<SettingChange>,
    /// Changes that take effect without a restart of supervisord.
    pub applied_without_restart: Vec<SettingChange>,
}

impl Diff {
    /// True when `update` would do nothing and no setting differs.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.requires_restart.is_empty()
            && self.applied_without_restart.is_empty()
    }

    fn count(&self, status: Status) -> usize {
        self.groups.iter().filter(|g| g.status == status).count()
    }

    pub fn summary(&self) -> Summary {
        Summary {
            added: self.count(Status::Added),
            changed: self.count(Status::Changed),
            removed: self.count(Status::Removed),
            unchanged: self.unchanged.len(),
            requires_restart: self.requires_restart.len(),
            applied_without_restart: self.applied_without_restart.len(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub requires_restart: usize,
    pub applied_without_restart: usize,
}

/// `supc diff --format json` when both configs are accepted.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DiffReport {
    /// Format version of this document.
    pub version: u32,
    /// Always true here: both configs are accepted.
    #[schemars(extend("const" = true))]
    pub ok: bool,
    pub old: String,
    pub new: String,
    /// Added, removed and changed groups, by name.
    pub groups: Vec<GroupChange>,
    /// Running groups `update` leaves alone, by name.
    pub unchanged: Vec<String>,
    /// Changes `update` does not apply (see `applies`).
    pub requires_restart: Vec<SettingChange>,
    /// Changes that take effect without a restart of supervisord.
    pub applied_without_restart: Vec<SettingChange>,
    /// Things to know about the comparison itself.
    pub warnings: Vec<String>,
    pub summary: Summary,
}

impl DiffReport {
    pub fn new(old: &str, new: &str, diff: Diff, warnings: Vec<String>) -> DiffReport {
        let summary = diff.summary();
        DiffReport {
            version: VERSION,
            ok: true,
            old: old.to_string(),
            new: new.to_string(),
            groups: diff.groups,
            unchanged: diff.unchanged,
            requires_restart: diff.requires_restart,
            applied_without_restart: diff.applied_without_restart,
            warnings,
            summary,
        }
    }
}

/// Which of the two configs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Old,
    New,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Rejection {
    pub role: Role,
    pub file: String,
    /// What supervisord would print (`supc expand` shows the same).
    pub error: String,
}

/// `supc diff --format json` when a config is rejected.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RejectedReport {
    pub version: u32,
    /// Always false here: a config is unreadable or rejected.
    #[schemars(extend("const" = false))]
    pub ok: bool,
    pub errors: Vec<Rejection>,
}

/// The `supc diff --format json` document (schema:
/// `schemas/diff.schema.json`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum DiffDocument {
    Diff(DiffReport),
    Rejected(RejectedReport),
}

/// The JSON Schema of `supc diff --format json` (committed as
/// `schemas/diff.schema.json`; a test fails when it is stale).
pub fn schema() -> String {
    let schema = schemars::schema_for!(DiffDocument);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Keys supervisord's expansion of a variable changes besides `ENV_*`
/// (home and temp lookups): the reread host leaves them alone.
const HOST_KEYS: [&str; 4] = ["HOME", "TMPDIR", "TEMP", "TMP"];

/// The host supervisord re-reads its config on: `environ_expansions` still
/// holds the `ENV_*` of OLD's `[supervisord] environment`, so NEW's
/// `%(ENV_X)s` sees them even when NEW no longer sets them.
pub fn reread_host(host: &Host, old: &Config) -> Host {
    let mut h = host.clone();
    for (k, v) in &old.supervisord.environment {
        if !HOST_KEYS.contains(&k.as_str()) {
            h.set_env(k, v);
        }
    }
    h
}

/// The NEW config `reloadConfig` accepts: it re-reads the file but skips
/// `ServerOptions.realize`, whose one check is `[supervisord] user`. So a
/// config rejected only for that user is accepted at reread (with no uid).
pub fn reread_config(res: &Resolution) -> Option<&Config> {
    if let Some(c) = &res.config {
        return Some(c);
    }
    let model = res.model();
    let user = model.supervisord.user.as_deref()?;
    let mut errors = res
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error);
    let only = errors.next()?;
    if errors.next().is_some() {
        return None;
    }
    let realize = [
        format!("Invalid user name {user}"),
        format!("Invalid user id {user}"),
        "embedded null byte".to_string(),
    ];
    realize.contains(&only.message).then_some(model)
}

/// A group with its JSON form (the values the report shows).
struct View<'a> {
    group: &'a Group,
    json: &'a Value,
}

impl View<'_> {
    fn process_json(&self, i: usize) -> &Value {
        &self.json["processes"][i]
    }
}

fn views<'a>(config: &'a Config, doc: &'a Value) -> Vec<View<'a>> {
    config
        .groups
        .iter()
        .enumerate()
        .map(|(i, group)| View {
            group,
            json: &doc["groups"][i],
        })
        .collect()
}

/// The Python class of a group config (`==` is false across classes).
fn class(kind: GroupKind) -> u8 {
    match kind {
        GroupKind::Program | GroupKind::Group => 0,
        GroupKind::EventListener => 1,
        GroupKind::FcgiProgram => 2,
    }
}

/// Process options `ProcessConfig.__eq__` compares, besides name and uid,
/// under their `supc expand --format json` keys.
const PROCESS_FIELDS: [&str; 29] = [
    "command",
    "directory",
    "umask",
    "priority",
    "autostart",
    "autorestart",
    "startsecs",
    "startretries",
    "stdout_logfile",
    "stdout_capture_maxbytes",
    "stdout_events_enabled",
    "stdout_syslog",
    "stdout_logfile_backups",
    "stdout_logfile_maxbytes",
    "stderr_logfile",
    "stderr_capture_maxbytes",
    "stderr_logfile_backups",
    "stderr_logfile_maxbytes",
    "stderr_events_enabled",
    "stderr_syslog",
    "stopsignal",
    "stopwaitsecs",
    "stopasgroup",
    "killasgroup",
    "exitcodes",
    "redirect_stderr",
    "environment",
    "serverurl",
    "user",
];

/// One differing process option; `counted` when supervisor's `==` sees it.
struct FieldDiff {
    change: OptionChange,
    counted: bool,
}

fn env_map(env: &crate::model::Environment) -> BTreeMap<&str, &str> {
    env.iter().collect()
}

/// Whether the uids differ as supervisor sees them; without resolved ids
/// (portable mode) the user names stand in.
fn uid_differs(old: &Process, new: &Process) -> bool {
    match (old.uid, new.uid) {
        (Some(Id::Known(a)), Some(Id::Known(b))) => a != b,
        (Some(Id::Unknown), _) | (_, Some(Id::Unknown)) => old.user != new.user,
        (a, b) => a != b,
    }
}

/// Every option that differs between two processes (name aside).
fn process_diffs(old: &Process, oj: &Value, new: &Process, nj: &Value) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for key in PROCESS_FIELDS {
        let (a, b) = (&oj[key], &nj[key]);
        let differs = match key {
            "environment" => env_map(&old.environment()) != env_map(&new.environment()),
            "user" => uid_differs(old, new),
            _ => a != b,
        };
        if !differs {
            continue;
        }
        // `Automatic in [new, running]`: skipped when NEW says AUTO; the
        // running side's AUTO is a real file name by now.
        let counted = match key {
            "stdout_logfile" => new.stdout().logfile != LogFile::Auto,
            "stderr_logfile" => new.stderr().logfile != LogFile::Auto,
            _ => true,
        };
        out.push(FieldDiff {
            change: OptionChange {
                option: key.to_string(),
                old: a.clone(),
                new: b.clone(),
            },
            counted,
        });
    }
    out
}

/// `ProcessConfig.__eq__`.
fn process_eq(old: &Process, oj: &Value, new: &Process, nj: &Value) -> bool {
    old.name() == new.name() && process_diffs(old, oj, new, nj).iter().all(|d| !d.counted)
}

/// Group-level keys `__eq__` compares for pools, under their JSON keys.
const LISTENER_FIELDS: [&str; 3] = ["buffer_size", "events", "result_handler"];
/// Socket keys `SocketConfig.__eq__` ignores.
const SOCKET_EXTRAS: [&str; 3] = ["mode", "owner", "backlog"];

/// `new != running` as `diff_to_active` evaluates it.
fn group_eq(running: &View, new: &View) -> bool {
    let (a, b) = (running.group, new.group);
    if class(a.kind) != class(b.kind) || a.name != b.name || a.priority != b.priority {
        return false;
    }
    if a.processes.len() != b.processes.len() {
        return false;
    }
    let procs_eq = a
        .processes
        .iter()
        .zip(&b.processes)
        .enumerate()
        .all(|(i, (pa, pb))| process_eq(pa, running.process_json(i), pb, new.process_json(i)));
    if !procs_eq {
        return false;
    }
    match b.kind {
        GroupKind::EventListener => LISTENER_FIELDS
            .iter()
            .all(|k| running.json[k] == new.json[k]),
        GroupKind::FcgiProgram => running.json["socket"]["url"] == new.json["socket"]["url"],
        _ => true,
    }
}

/// The report-level comparison of a running group with its replacement.
struct GroupReport {
    options: Vec<OptionChange>,
    processes: Vec<ProcessChange>,
    /// Differences `==` does not see, as "requires restart" entries.
    ignored: Vec<SettingChange>,
    /// Whether the report shows a difference `==` sees.
    explained: bool,
}

const AUTO_NOTE: &str = "supervisord skips AUTO log files when it compares \
     process configs, so update keeps the current log file (`supervisorctl \
     remove` + `add` of the group applies it too)";
const SOCKET_NOTE: &str = "supervisord compares FastCGI sockets by URL only, \
     so update keeps the current socket (`supervisorctl remove` + `add` of the \
     group applies it too)";

/// Entries keyed by name, the last of duplicate names winning (a group's
/// process dict); names in first-appearance order.
fn by_name(processes: &[Process]) -> IndexMap<&str, usize> {
    let mut m = IndexMap::new();
    for (i, p) in processes.iter().enumerate() {
        m.insert(p.name(), i);
    }
    m
}

fn compare_groups(running: &View, new: &View) -> GroupReport {
    let (a, b) = (running.group, new.group);
    let mut options = Vec::new();
    let mut ignored = Vec::new();
    let mut opt = |option: &str, old: &Value, new: &Value| {
        if old != new {
            options.push(OptionChange {
                option: option.to_string(),
                old: old.clone(),
                new: new.clone(),
            });
        }
    };
    opt(
        "kind",
        &Value::from(a.kind.as_str()),
        &Value::from(b.kind.as_str()),
    );
    opt("priority", &running.json["priority"], &new.json["priority"]);
    let mut explained = class(a.kind) != class(b.kind) || a.priority != b.priority;
    if a.kind == GroupKind::EventListener || b.kind == GroupKind::EventListener {
        for k in LISTENER_FIELDS {
            opt(k, &running.json[k], &new.json[k]);
            explained |= running.json[k] != new.json[k];
        }
    }
    if a.kind == GroupKind::FcgiProgram || b.kind == GroupKind::FcgiProgram {
        let (sa, sb) = (&running.json["socket"], &new.json["socket"]);
        opt("socket", &sa["url"], &sb["url"]);
        explained |= sa["url"] != sb["url"];
        for k in SOCKET_EXTRAS {
            if sa[k] != sb[k] {
                let option = format!("socket_{k}");
                if group_eq(running, new) {
                    ignored.push(SettingChange {
                        section: b.section.to_string(),
                        process: None,
                        option: Some(option),
                        old: sa[k].clone(),
                        new: sb[k].clone(),
                        applies: Applies::Reload,
                        note: SOCKET_NOTE.to_string(),
                    });
                } else {
                    opt(&option, &sa[k], &sb[k]);
                }
            }
        }
    }

    let old_names = by_name(&a.processes);
    let new_names = by_name(&b.processes);
    let mut processes = Vec::new();
    for (&name, &j) in &new_names {
        let pb = &b.processes[j];
        let Some(&i) = old_names.get(name) else {
            explained = true;
            processes.push(ProcessChange {
                name: name.to_string(),
                full_name: pb.full_name(),
                status: Status::Added,
                options: Vec::new(),
            });
            continue;
        };
        let pa = &a.processes[i];
        let diffs = process_diffs(pa, running.process_json(i), pb, new.process_json(j));
        if diffs.is_empty() {
            continue;
        }
        explained |= diffs.iter().any(|d| d.counted);
        for d in diffs.iter().filter(|d| !d.counted) {
            ignored.push(SettingChange {
                section: pb.section.to_string(),
                process: Some(pb.full_name()),
                option: Some(d.change.option.clone()),
                old: d.change.old.clone(),
                new: d.change.new.clone(),
                applies: Applies::Reload,
                note: AUTO_NOTE.to_string(),
            });
        }
        processes.push(ProcessChange {
            name: name.to_string(),
            full_name: pb.full_name(),
            status: Status::Changed,
            options: diffs.into_iter().map(|d| d.change).collect(),
        });
    }
    for (&name, &i) in &old_names {
        if !new_names.contains_key(name) {
            explained = true;
            processes.push(ProcessChange {
                name: name.to_string(),
                full_name: a.processes[i].full_name(),
                status: Status::Removed,
                options: Vec::new(),
            });
        }
    }
    GroupReport {
        options,
        processes,
        ignored,
        explained,
    }
}

fn all_processes(g: &Group, status: Status) -> Vec<ProcessChange> {
    g.processes
        .iter()
        .map(|p| ProcessChange {
            name: p.name().to_string(),
            full_name: p.full_name(),
            status,
            options: Vec::new(),
        })
        .collect()
}

fn sections(groups: &[&View]) -> String {
    groups
        .iter()
        .map(|v| format!("[{}]", v.group.section))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(ps: &[Process]) -> String {
    ps.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

/// Why a changed group's report shows nothing (or not everything).
fn change_notes(running: &View, candidates: &[&View], report: &GroupReport) -> Vec<String> {
    let mut notes = Vec::new();
    let first = candidates[0];
    let name = &first.group.name;
    if candidates.len() > 1 {
        if group_eq(running, first) {
            let others: Vec<&View> = candidates[1..]
                .iter()
                .copied()
                .filter(|c| !group_eq(running, c))
                .collect();
            notes.push(format!(
                "{} also define(s) a group named {name} that differs from the running one: \
                 supervisord compares every group of that name, so update restarts {name} \
                 and re-adds it unchanged from [{}]",
                sections(&others),
                first.group.section
            ));
        } else {
            notes.push(format!(
                "several sections define a group named {name} ({}); update re-adds the \
                 first, [{}]",
                sections(candidates),
                first.group.section
            ));
        }
    }
    if !group_eq(running, first) && !report.explained {
        let (a, b) = (&running.group.processes, &first.group.processes);
        let (na, nb) = (by_name(a), by_name(b));
        if na.len() != a.len() || nb.len() != b.len() {
            notes.push(
                "the process lists differ in duplicate process names (a group keeps the \
                 last of each name, but supervisord compares the whole lists)"
                    .to_string(),
            );
        } else {
            notes.push(format!(
                "the processes are in a different order ({} -> {}); supervisord \
                 compares the process lists in order",
                names(a),
                names(b)
            ));
        }
    }
    notes
}

/// What `supervisorctl reread` + `update` would do when supervisord runs
/// `old` and re-reads `new`.
pub fn diff(old: &Config, new: &Config) -> Diff {
    let old_doc = json::config(old);
    let new_doc = json::config(new);
    let old_views = views(old, &old_doc);
    let new_views = views(new, &new_doc);

    // The running groups: the first of each name (add_process_group).
    let mut running: IndexMap<&str, &View> = IndexMap::new();
    for v in &old_views {
        running.entry(v.group.name.as_ref()).or_insert(v);
    }
    let mut candidates: IndexMap<&str, Vec<&View>> = IndexMap::new();
    for v in &new_views {
        candidates.entry(v.group.name.as_ref()).or_default().push(v);
    }

    let mut out = Diff::default();
    for (&name, cands) in &candidates {
        let first = cands[0];
        let Some(&run) = running.get(name) else {
            let mut notes = Vec::new();
            if cands.len() > 1 {
                notes.push(format!(
                    "several sections define a group named {name} ({}); supervisord adds \
                     only the first, [{}]",
                    sections(cands),
                    first.group.section
                ));
            }
            out.groups.push(GroupChange {
                name: name.to_string(),
                status: Status::Added,
                kind: first.group.kind.as_str().to_string(),
                options: Vec::new(),
                processes: all_processes(first.group, Status::Added),
                notes,
            });
            continue;
        };
        let report = compare_groups(run, first);
        if cands.iter().all(|c| group_eq(run, c)) {
            out.unchanged.push(name.to_string());
            out.requires_restart.extend(report.ignored);
            continue;
        }
        let notes = change_notes(run, cands, &report);
        out.groups.push(GroupChange {
            name: name.to_string(),
            status: Status::Changed,
            kind: first.group.kind.as_str().to_string(),
            options: report.options,
            processes: report.processes,
            notes,
        });
    }
    for (&name, run) in &running {
        if !candidates.contains_key(name) {
            out.groups.push(GroupChange {
                name: name.to_string(),
                status: Status::Removed,
                kind: run.group.kind.as_str().to_string(),
                options: Vec::new(),
                processes: all_processes(run.group, Status::Removed),
                notes: Vec::new(),
            });
        }
    }
    out.groups.sort_by(|a, b| a.name.cmp(&b.name));
    out.unchanged.sort();

    for change in settings(&old_doc, &new_doc) {
        match change.applies {
            Applies::Reload | Applies::Start => out.requires_restart.push(change),
            Applies::Reread | Applies::Supervisorctl => out.applied_without_restart.push(change),
        }
    }
    out
}

/// When a `[supervisord]` option applies, and how.
fn supervisord_effect(key: &str) -> (Applies, &'static str) {
    match key {
        "logfile" => (
            Applies::Reload,
            "supervisord keeps writing the old log until then, while `supervisorctl \
             maintail` reads the new path from reread on",
        ),
        "loglevel" => (
            Applies::Reload,
            "the main log keeps its level until then; processes spawned after reread \
             already use the new level to decide whether their output goes to the \
             main log",
        ),
        "pidfile" => (
            Applies::Reload,
            "supervisord writes the pid file when it (re)starts; after reread, its \
             shutdown removes the new path, not the file it wrote",
        ),
        "strip_ansi" => (
            Applies::Reread,
            "to the output of every process, changed or not",
        ),
        "identifier" => (
            Applies::Reread,
            "getIdentification and new AUTO log names use the new value",
        ),
        "childlogdir" => (
            Applies::Reread,
            "AUTO log files of groups added or updated from then on go there; \
             running processes keep theirs",
        ),
        "minfds" => (
            Applies::Start,
            "resource limits are set only when the supervisord process starts, not \
             at `supervisorctl reload`; children spawned after reread close \
             descriptors up to the new value",
        ),
        "minprocs" => (
            Applies::Start,
            "resource limits are set only when the supervisord process starts, not \
             at `supervisorctl reload`",
        ),
        "user" => (
            Applies::Reload,
            "supervisord switches to this user when it starts or reloads, which \
             works only while it still runs as root",
        ),
        "umask" | "directory" | "nodaemon" => (
            Applies::Start,
            "used only when the supervisord process starts and daemonizes, not at \
             `supervisorctl reload`",
        ),
        _ => (
            Applies::Reload,
            "read only when supervisord starts or reloads",
        ),
    }
}

/// `[supervisord]` keys that are not settings of their own: environment
/// reaches every process (and shows there), the others are derived.
const DERIVED_KEYS: [&str; 4] = ["environment", "uid", "gid", "serverurl"];

const REDACTED: &str = "<redacted>";

/// Hides a password value.
fn redact_value(key: &str, v: &Value) -> Value {
    if key == "password" && !v.is_null() {
        Value::from(REDACTED)
    } else {
        v.clone()
    }
}

/// Hides the password of a section object.
fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), redact_value(k, x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Per-key differences of two section objects.
fn object_changes(
    section: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    skip: &[&str],
    effect: impl Fn(&str) -> (Applies, &'static str),
    out: &mut Vec<SettingChange>,
) {
    let mut keys: Vec<&String> = old.keys().collect();
    keys.extend(new.keys().filter(|k| !old.contains_key(*k)));
    for k in keys {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let (a, b) = (
            old.get(k).unwrap_or(&Value::Null),
            new.get(k).unwrap_or(&Value::Null),
        );
        if a != b {
            let (applies, note) = effect(k);
            out.push(SettingChange {
                section: section.to_string(),
                process: None,
                option: Some(k.clone()),
                old: redact_value(k, a),
                new: redact_value(k, b),
                applies,
                note: note.to_string(),
            });
        }
    }
}

fn find<'a>(arr: &'a Value, key: &str, name: &str) -> Option<&'a Value> {
    arr.as_array()?
        .iter()
        .find(|s| s[key].as_str() == Some(name))
}

/// Sections listed in an array, keyed by `key`: the union of names in
/// order, with each side's entry.
fn keyed<'a>(
    old: &'a Value,
    new: &'a Value,
    key: &str,
) -> Vec<(String, Option<&'a Value>, Option<&'a Value>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for side in [old, new] {
        for s in side.as_array().into_iter().flatten() {
            let Some(name) = s[key].as_str() else {
                continue;
            };
            if seen.insert(name.to_string()) {
                out.push((name.to_string(), find(old, key, name), find(new, key, name)));
            }
        }
    }
    out
}

const SERVER_NOTE: &str = "supervisord opens its HTTP servers, and sets its \
     children's SUPERVISOR_SERVER_URL, when it starts or reloads";
const RPC_NOTE: &str = "rpcinterface factories are called when supervisord \
     starts or reloads; reread only imports the new one";
const CTL_NOTE: &str = "supervisorctl reads this section each time it runs; \
     supervisord does not use it";

/// Setting changes outside the groups, with when they apply.
fn settings(old: &Value, new: &Value) -> Vec<SettingChange> {
    let mut out = Vec::new();
    let empty = Map::new();
    let obj = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    object_changes(
        "supervisord",
        &obj(&old["supervisord"]),
        &obj(&new["supervisord"]),
        &DERIVED_KEYS,
        supervisord_effect,
        &mut out,
    );

    let whole = |section: String, a: Option<&Value>, b: Option<&Value>, applies, note: &str| {
        SettingChange {
            section,
            process: None,
            option: None,
            old: a.map_or(Value::Null, redact),
            new: b.map_or(Value::Null, redact),
            applies,
            note: note.to_string(),
        }
    };
    for (section, a, b) in keyed(&old["http_servers"], &new["http_servers"], "section") {
        match (a, b) {
            (Some(a), Some(b)) => object_changes(
                &section,
                &obj(a),
                &obj(b),
                &["section"],
                |_| (Applies::Reload, SERVER_NOTE),
                &mut out,
            ),
            _ => out.push(whole(section, a, b, Applies::Reload, SERVER_NOTE)),
        }
    }
    for (name, a, b) in keyed(&old["rpcinterfaces"], &new["rpcinterfaces"], "name") {
        let section = format!("rpcinterface:{name}");
        match (a, b) {
            (Some(a), Some(b)) => object_changes(
                &section,
                &obj(a),
                &obj(b),
                &["name"],
                |_| (Applies::Reload, RPC_NOTE),
                &mut out,
            ),
            _ => out.push(whole(section, a, b, Applies::Reload, RPC_NOTE)),
        }
    }
    let (ca, cb) = (&old["supervisorctl"], &new["supervisorctl"]);
    let readable = |v: &Value| v.is_object() && v.get("error").is_none();
    if readable(ca) && readable(cb) {
        object_changes(
            "supervisorctl",
            &obj(ca),
            &obj(cb),
            &[],
            |_| (Applies::Supervisorctl, CTL_NOTE),
            &mut out,
        );
    } else if ca != cb {
        out.push(whole(
            "supervisorctl".into(),
            Some(ca),
            Some(cb),
            Applies::Supervisorctl,
            CTL_NOTE,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    /// The reported change of one group.
    fn group<'a>(d: &'a Diff, name: &str) -> &'a GroupChange {
        d.groups
            .iter()
            .find(|g| g.name == name)
            .unwrap_or_else(|| panic!("no group {name} in {d:#?}"))
    }

    fn host() -> Host {
        Host {
            env: vec![
                ("HOME".into(), "/nonexistent".into()),
                ("PATH".into(), "/usr/bin:/bin".into()),
            ],
            node_name: "testhost".into(),
            cwd: "/".into(),
            portable: true,
            overlay: Default::default(),
        }
    }

    /// Resolves config text (a `[supervisord]` section is prepended).
    fn config_on(text: &str, host: &Host) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("supervisord.conf");
        std::fs::write(&path, format!("[supervisord]\n{text}")).unwrap();
        let (_, res) = crate::analyze(path.to_str().unwrap(), host, false);
        let err = res.first_error().map(|d| d.message.clone());
        res.config.unwrap_or_else(|| panic!("rejected: {err:?}"))
    }

    fn config(text: &str) -> Config {
        config_on(text, &host())
    }

    fn d(old: &str, new: &str) -> Diff {
        diff(&config(old), &config(new))
    }

    fn statuses(d: &Diff) -> Vec<(String, Status)> {
        d.groups
            .iter()
            .map(|g| (g.name.clone(), g.status))
            .collect()
    }

    const WEB: &str = "[program:web]\ncommand=/bin/web\n";

    #[test]
    fn identical_configs_do_nothing() {
        let r = d(WEB, WEB);
        assert!(r.is_empty(), "{r:#?}");
        assert_eq!(r.unchanged, ["web"]);
    }

    #[test]
    fn added_removed_changed() {
        let old = "[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\n";
        let new = "[program:a]\ncommand=/bin/a2\n[program:c]\ncommand=/bin/c\n";
        let r = d(old, new);
        assert_eq!(
            statuses(&r),
            [
                ("a".into(), Status::Changed),
                ("b".into(), Status::Removed),
                ("c".into(), Status::Added)
            ]
        );
        let a = group(&r, "a");
        assert_eq!(a.processes.len(), 1);
        assert_eq!(
            a.processes[0].options,
            [OptionChange {
                option: "command".into(),
                old: "/bin/a".into(),
                new: "/bin/a2".into()
            }]
        );
        assert_eq!(r.summary().unchanged, 0);
    }

    #[test]
    fn environment_is_a_dict() {
        let r = d(
            "[program:w]\ncommand=x\nenvironment=A=1,B=2\n",
            "[program:w]\ncommand=x\nenvironment=B=2,A=1\n",
        );
        assert!(r.is_empty(), "{r:#?}");
        let r = d(
            "[program:w]\ncommand=x\nenvironment=A=1\n",
            "[program:w]\ncommand=x\nenvironment=A=2\n",
        );
        assert_eq!(group(&r, "w").processes[0].options[0].option, "environment");
    }

    #[test]
    fn supervisord_environment_reaches_every_process() {
        let r = d(
            "environment=X=1\n[program:w]\ncommand=x\n",
            "environment=X=2\n[program:w]\ncommand=x\n",
        );
        assert_eq!(statuses(&r), [("w".into(), Status::Changed)]);
        assert!(r.requires_restart.is_empty(), "{r:#?}");
    }

    #[test]
    fn exitcodes_are_a_list() {
        let r = d(
            "[program:w]\ncommand=x\nexitcodes=0,2\n",
            "[program:w]\ncommand=x\nexitcodes=2,0\n",
        );
        assert_eq!(statuses(&r), [("w".into(), Status::Changed)]);
    }

    #[test]
    fn numprocs_adds_processes() {
        let p = "[program:w]\ncommand=x\nprocess_name=%(program_name)s_%(process_num)d\n";
        let r = d(&format!("{p}numprocs=2\n"), &format!("{p}numprocs=3\n"));
        let w = group(&r, "w");
        assert_eq!(w.status, Status::Changed);
        assert_eq!(
            w.processes,
            [ProcessChange {
                name: "w_2".into(),
                full_name: "w:w_2".into(),
                status: Status::Added,
                options: vec![]
            }]
        );
    }

    #[test]
    fn group_priority_counts() {
        let r = d(
            "[program:w]\ncommand=x\npriority=5\n",
            "[program:w]\ncommand=x\npriority=6\n",
        );
        let w = group(&r, "w");
        // The homogeneous group's priority and the process's both change.
        assert_eq!(w.options[0].option, "priority");
        assert_eq!(w.processes[0].options[0].option, "priority");
    }

    #[test]
    fn program_to_group_with_the_same_processes_is_no_change() {
        let r = d(WEB, &format!("{WEB}[group:web]\nprograms=web\n"));
        assert!(r.is_empty(), "{r:#?}");
    }

    #[test]
    fn process_order_counts() {
        let progs = "[program:a]\ncommand=a\n[program:b]\ncommand=b\n";
        let r = d(
            &format!("{progs}[group:g]\nprograms=a,b\n"),
            &format!("{progs}[group:g]\nprograms=b,a\n"),
        );
        let g = group(&r, "g");
        assert_eq!(g.status, Status::Changed);
        assert!(g.processes.is_empty());
        assert!(g.notes[0].contains("different order"), "{g:#?}");
    }

    #[test]
    fn membership_change() {
        let progs = "[program:a]\ncommand=a\n[program:b]\ncommand=b\n";
        let r = d(
            &format!("{progs}[group:g]\nprograms=a,b\n"),
            &format!("{progs}[group:g]\nprograms=a\n"),
        );
        assert_eq!(
            statuses(&r),
            [("b".into(), Status::Added), ("g".into(), Status::Changed)]
        );
        assert_eq!(group(&r, "g").processes[0].status, Status::Removed);
    }

    #[test]
    fn auto_logfile_is_skipped_only_on_the_new_side() {
        let path = "[program:w]\ncommand=x\nstdout_logfile=/tmp/w.log\n";
        let auto = "[program:w]\ncommand=x\n";
        // path -> AUTO: supervisord sees no change; reported as not applied.
        let r = d(path, auto);
        assert!(r.groups.is_empty(), "{r:#?}");
        assert_eq!(r.unchanged, ["w"]);
        assert_eq!(r.requires_restart.len(), 1);
        assert_eq!(
            r.requires_restart[0].option.as_deref(),
            Some("stdout_logfile")
        );
        assert_eq!(r.requires_restart[0].process.as_deref(), Some("w"));
        // AUTO -> path: a change.
        let r = d(auto, path);
        assert_eq!(statuses(&r), [("w".into(), Status::Changed)]);
    }

    #[test]
    fn stopsignal_by_name_or_number() {
        let r = d(
            "[program:w]\ncommand=x\nstopsignal=TERM\n",
            "[program:w]\ncommand=x\nstopsignal=15\n",
        );
        assert!(r.is_empty(), "{r:#?}");
    }

    #[test]
    fn user_names_stand_for_uids_in_portable_mode() {
        let r = d(
            "[program:w]\ncommand=x\nuser=alice\n",
            "[program:w]\ncommand=x\nuser=bob\n",
        );
        let w = group(&r, "w");
        assert_eq!(w.processes[0].options[0].option, "user");
    }

    #[test]
    fn eventlistener_events_are_a_set() {
        let l = "[eventlistener:l]\ncommand=x\n";
        let r = d(
            &format!("{l}events=TICK_5,PROCESS_STATE\n"),
            &format!("{l}events=PROCESS_STATE,TICK_5,TICK_5\n"),
        );
        assert!(r.is_empty(), "{r:#?}");
        let r = d(
            &format!("{l}events=TICK_5\n"),
            &format!("{l}events=TICK_5\nbuffer_size=20\n"),
        );
        assert_eq!(group(&r, "l").options[0].option, "buffer_size");
        let r = d(
            &format!("{l}events=TICK_5\n"),
            &format!("{l}events=TICK_5\nresult_handler=a.b:c\n"),
        );
        assert_eq!(group(&r, "l").options[0].option, "result_handler");
    }

    #[test]
    fn kind_changes_across_classes_count() {
        let r = d(
            "[program:x]\ncommand=x\npriority=-1\n",
            "[eventlistener:x]\ncommand=x\nevents=TICK_5\n",
        );
        let x = group(&r, "x");
        assert_eq!(x.status, Status::Changed);
        assert_eq!(x.options[0].option, "kind");
    }

    #[test]
    fn fcgi_sockets_compare_by_url() {
        let f = "[fcgi-program:f]\ncommand=x\n";
        let r = d(
            &format!("{f}socket=unix:///tmp/f.sock\n"),
            &format!("{f}socket=unix:///tmp/f.sock\nsocket_mode=0770\n"),
        );
        assert!(r.groups.is_empty(), "{r:#?}");
        assert_eq!(r.requires_restart[0].option.as_deref(), Some("socket_mode"));
        let r = d(
            &format!("{f}socket=unix:///tmp/f.sock\n"),
            &format!("{f}socket=tcp://localhost:9000\n"),
        );
        assert_eq!(group(&r, "f").options[0].option, "socket");
    }

    #[test]
    fn duplicate_group_names_keep_the_first_running() {
        // [group:x] (built first) beats [program:x] at the same priority:
        // the running x is the group; NEW's program x differs from it, so
        // reread reports x as changed even for an identical file.
        let text = "[program:y]\ncommand=y\n[group:x]\nprograms=y\n[program:x]\ncommand=x\n";
        let r = d(text, text);
        let x = group(&r, "x");
        assert_eq!(x.status, Status::Changed);
        assert!(x.processes.is_empty(), "{x:#?}");
        assert!(x.notes[0].contains("[program:x]"), "{x:#?}");
    }

    #[test]
    fn settings_that_need_a_restart() {
        let r = d(
            "logfile=/tmp/a.log\nstrip_ansi=false\n",
            "logfile=/tmp/b.log\nstrip_ansi=true\n",
        );
        assert!(r.groups.is_empty());
        assert_eq!(r.requires_restart.len(), 1);
        assert_eq!(r.requires_restart[0].option.as_deref(), Some("logfile"));
        assert_eq!(r.requires_restart[0].applies, Applies::Reload);
        assert_eq!(r.applied_without_restart.len(), 1);
        assert_eq!(
            r.applied_without_restart[0].option.as_deref(),
            Some("strip_ansi")
        );
    }

    #[test]
    fn servers_and_passwords() {
        let r = d(
            "[inet_http_server]\nport=127.0.0.1:9001\nusername=u\npassword=a\n",
            "[inet_http_server]\nport=127.0.0.1:9002\nusername=u\npassword=b\n",
        );
        let opts: Vec<_> = r
            .requires_restart
            .iter()
            .map(|c| c.option.clone().unwrap_or_default())
            .collect();
        assert_eq!(opts, ["password", "port"]);
        assert_eq!(r.requires_restart[0].old, Value::from(REDACTED));
        let r = d("", "[unix_http_server]\nfile=/tmp/s.sock\n");
        assert_eq!(r.requires_restart[0].option, None);
        assert_eq!(r.requires_restart[0].section, "unix_http_server");
    }

    #[test]
    fn reread_skips_the_supervisord_user_check() {
        let h = Host {
            portable: false,
            overlay: Default::default(),
            ..host()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("supervisord.conf");
        std::fs::write(
            &path,
            "[supervisord]\nuser=supc-no-such-user\n[program:w]\ncommand=x\n",
        )
        .unwrap();
        let (_, res) = crate::analyze(path.to_str().unwrap(), &h, false);
        assert!(res.config.is_none());
        let c = reread_config(&res).expect("accepted at reread");
        assert_eq!(c.groups.len(), 1);
        // Any other error still rejects it.
        std::fs::write(
            &path,
            "[supervisord]\nuser=supc-no-such-user\n[program:w]\n",
        )
        .unwrap();
        let (_, res) = crate::analyze(path.to_str().unwrap(), &h, false);
        assert!(reread_config(&res).is_none());
    }

    #[test]
    fn reread_keeps_old_supervisord_environment() {
        let old = config("environment=GREETING=hi\n[program:w]\ncommand=echo %(ENV_GREETING)s\n");
        let h = reread_host(&host(), &old);
        let new = config_on("[program:w]\ncommand=echo %(ENV_GREETING)s\n", &h);
        assert_eq!(new.groups[0].processes[0].command(), "echo hi");
        let r = diff(&old, &new);
        let w = group(&r, "w");
        assert_eq!(w.processes[0].options[0].option, "environment");
    }
}
