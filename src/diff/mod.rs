//! What `supervisorctl reread` + `update` would do when supervisord, started
//! with one config, finds another in its place.
//!
//! Input: two resolved [`Config`]s (OLD: what supervisord is running, NEW:
//! what it re-reads; resolve NEW on [`reread_host`]). Output: a [`Diff`]:
//! groups added, removed and changed (stopped, removed and re-added, so all
//! their processes restart), the unchanged ones, and the setting changes
//! `update` does not apply.
//!
//! Values are compared as typed [`crate::model::Setting`]s read from the
//! model through the field tables of `fields.rs`; the JSON in the report
//! only shows them (`docs/semantics.md` §10).
//!
//! The verdicts follow supervisor 4.3.0 exactly:
//!
//! * `Supervisor.diff_to_active` compares every group config of NEW (all of
//!   them, duplicate names included) with the running group of that name;
//!   the running groups are the *first* group of each name in OLD, because
//!   `add_process_group` ignores later duplicates (`docs/semantics.md` §6.4). A NEW group
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

mod equal;
mod fields;
mod groups;
mod settings;

pub use equal::{
    Difference, first_difference, same_settings, same_supervisorctl, supervisorctl_difference,
};

use crate::diagnostic::Severity;
use crate::host::Host;
use crate::model::{Config, Group};
use crate::resolve::Resolution;
use groups::{all_processes, change_notes, compare_groups, group_eq, sections};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

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

/// What `supervisorctl reread` + `update` would do when supervisord runs
/// `old` and re-reads `new`.
pub fn diff(old: &Config, new: &Config) -> Diff {
    // The running groups: the first of each name (add_process_group).
    let mut running: IndexMap<&str, &Group> = IndexMap::new();
    for g in &old.groups {
        running.entry(g.name.as_ref()).or_insert(g);
    }
    let mut candidates: IndexMap<&str, Vec<&Group>> = IndexMap::new();
    for g in &new.groups {
        candidates.entry(g.name.as_ref()).or_default().push(g);
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
                    first.section
                ));
            }
            out.groups.push(GroupChange {
                name: name.to_string(),
                status: Status::Added,
                kind: first.kind.as_str().to_string(),
                options: Vec::new(),
                processes: all_processes(first, Status::Added),
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
            kind: first.kind.as_str().to_string(),
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
                kind: run.kind.as_str().to_string(),
                options: Vec::new(),
                processes: all_processes(run, Status::Removed),
                notes: Vec::new(),
            });
        }
    }
    out.groups.sort_by(|a, b| a.name.cmp(&b.name));
    out.unchanged.sort();

    for change in settings::settings(old, new) {
        match change.applies {
            Applies::Reload | Applies::Start => out.requires_restart.push(change),
            Applies::Reread | Applies::Supervisorctl => out.applied_without_restart.push(change),
        }
    }
    out
}

/// What the diff modules' tests share: a pinned host and a config text
/// resolved from a scratch file.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::host::Host;
    use crate::model::Config;

    pub fn host() -> Host {
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

    /// The whole config `text`, which supervisord must accept.
    pub fn resolved_on(text: &str, host: &Host) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("supervisord.conf");
        std::fs::write(&path, text).unwrap();
        let (_, res) = crate::analyze(path.to_str().unwrap(), host, false);
        let err = res.first_error().map(|d| d.message.clone());
        res.config.unwrap_or_else(|| panic!("rejected: {err:?}"))
    }

    pub fn resolved(text: &str) -> Config {
        resolved_on(text, &host())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::host;
    use super::*;
    use crate::host::Host;

    /// The reported change of one group.
    fn group<'a>(d: &'a Diff, name: &str) -> &'a GroupChange {
        d.groups
            .iter()
            .find(|g| g.name == name)
            .unwrap_or_else(|| panic!("no group {name} in {d:#?}"))
    }

    /// Resolves config text (a `[supervisord]` section is prepended).
    fn config_on(text: &str, host: &Host) -> Config {
        test_support::resolved_on(&format!("[supervisord]\n{text}"), host)
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
    fn a_changed_stopsignal_is_a_change() {
        let r = d(
            "[program:w]\ncommand=x\nstopsignal=TERM\n",
            "[program:w]\ncommand=x\nstopsignal=SIGKILL\n",
        );
        let opts = &group(&r, "w").processes[0].options;
        assert_eq!(opts.len(), 1, "{opts:#?}");
        assert_eq!(opts[0].option, "stopsignal");
        assert_eq!(
            (&opts[0].old, &opts[0].new),
            (&Value::from("TERM"), &Value::from("KILL"))
        );
    }

    #[test]
    fn fcgi_socket_family_change_is_a_change() {
        let f = "[fcgi-program:f]\ncommand=x\n";
        let r = d(
            &format!("{f}socket=tcp://localhost:9000\n"),
            &format!("{f}socket=tcp://localhost:9001\n"),
        );
        let opts = &group(&r, "f").options;
        assert_eq!(opts[0].option, "socket");
        assert_eq!(opts[0].new, Value::from("tcp://localhost:9001"));
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
        assert_eq!(r.requires_restart[0].old, Value::from(settings::REDACTED));
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
