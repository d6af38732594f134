//! Group and process comparison: supervisor's `ProcessGroupConfig.__eq__`
//! and `ProcessConfig.__eq__` for the verdict, per option for the report.

use super::fields::{self, LISTENER_FIELDS, PROCESS_FIELDS, SOCKET_EXTRAS};
use super::{Applies, OptionChange, ProcessChange, SettingChange, Status};
use crate::model::{Group, GroupKind, LogFile, Process, Setting, opt_text};
use indexmap::IndexMap;

/// The Python class of a group config (`==` is false across classes).
fn class(kind: GroupKind) -> u8 {
    match kind {
        GroupKind::Program | GroupKind::Group => 0,
        GroupKind::EventListener => 1,
        GroupKind::FcgiProgram => 2,
    }
}

/// One differing process option; `counted` when supervisor's `==` sees it.
struct FieldDiff {
    change: OptionChange,
    counted: bool,
}

fn change(option: &str, old: &Setting<'_>, new: &Setting<'_>) -> OptionChange {
    OptionChange {
        option: option.to_string(),
        old: old.to_json(),
        new: new.to_json(),
    }
}

/// Every option that differs between two processes (name aside).
fn process_diffs(old: &Process, new: &Process) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for (key, get) in PROCESS_FIELDS {
        let (a, b) = (get(old), get(new));
        if a == b {
            continue;
        }
        // `Automatic in [new, running]`: skipped when NEW says AUTO; the
        // running side's AUTO is a real file name by now.
        let counted = !matches!(b, Setting::LogFile(LogFile::Auto));
        out.push(FieldDiff {
            change: change(key, &a, &b),
            counted,
        });
    }
    if fields::uid_differs(old, new) {
        out.push(FieldDiff {
            change: change("user", &opt_text(&old.user), &opt_text(&new.user)),
            counted: true,
        });
    }
    out
}

/// `ProcessConfig.__eq__`.
fn process_eq(old: &Process, new: &Process) -> bool {
    old.name() == new.name() && process_diffs(old, new).iter().all(|d| !d.counted)
}

/// `new != running` as `diff_to_active` evaluates it.
pub(super) fn group_eq(a: &Group, b: &Group) -> bool {
    if class(a.kind) != class(b.kind) || a.name != b.name || a.priority != b.priority {
        return false;
    }
    if a.processes.len() != b.processes.len() {
        return false;
    }
    if !a
        .processes
        .iter()
        .zip(&b.processes)
        .all(|(pa, pb)| process_eq(pa, pb))
    {
        return false;
    }
    match b.kind {
        GroupKind::EventListener => LISTENER_FIELDS.iter().all(|(_, get)| get(a) == get(b)),
        GroupKind::FcgiProgram => fields::socket(a) == fields::socket(b),
        _ => true,
    }
}

/// The report-level comparison of a running group with its replacement.
pub(super) struct GroupReport {
    pub options: Vec<OptionChange>,
    pub processes: Vec<ProcessChange>,
    /// Differences `==` does not see, as "requires restart" entries.
    pub ignored: Vec<SettingChange>,
    /// Whether the report shows a difference `==` sees.
    pub explained: bool,
}

const AUTO_NOTE: &str = "supervisord skips AUTO log files when it compares \
     process configs, so update keeps the current log file (`supervisorctl \
     remove` + `add` of the group applies it too)";
const SOCKET_NOTE: &str = "supervisord compares FastCGI sockets by URL only, \
     so update keeps the current socket (`supervisorctl remove` + `add` of the \
     group applies it too)";

/// Entries keyed by name, the last of duplicate names winning (a group's
/// process dict); names in first-appearance order.
pub(super) fn by_name(processes: &[Process]) -> IndexMap<&str, usize> {
    let mut m = IndexMap::new();
    for (i, p) in processes.iter().enumerate() {
        m.insert(p.name(), i);
    }
    m
}

/// Group-level options that differ; whether one of them counts for `==`.
fn group_options(
    a: &Group,
    b: &Group,
    ignored: &mut Vec<SettingChange>,
) -> (Vec<OptionChange>, bool) {
    let mut options = Vec::new();
    let mut opt = |option: &str, old: Setting<'_>, new: Setting<'_>| {
        let differs = old != new;
        if differs {
            options.push(change(option, &old, &new));
        }
        differs
    };
    opt(
        "kind",
        Setting::Text(a.kind.as_str()),
        Setting::Text(b.kind.as_str()),
    );
    let mut explained = class(a.kind) != class(b.kind);
    explained |= opt(
        "priority",
        Setting::Int(&a.priority),
        Setting::Int(&b.priority),
    );
    let listener = |g: &Group| g.kind == GroupKind::EventListener;
    if listener(a) || listener(b) {
        for (key, get) in LISTENER_FIELDS {
            explained |= opt(key, get(a), get(b));
        }
    }
    let fcgi = |g: &Group| g.kind == GroupKind::FcgiProgram;
    if fcgi(a) || fcgi(b) {
        explained |= opt("socket", fields::socket(a), fields::socket(b));
        for (key, get) in SOCKET_EXTRAS {
            let (old, new) = (get(a), get(b));
            if old == new {
                continue;
            }
            if group_eq(a, b) {
                ignored.push(SettingChange {
                    section: b.section.to_string(),
                    process: None,
                    option: Some(key.to_string()),
                    old: old.to_json(),
                    new: new.to_json(),
                    applies: Applies::Reload,
                    note: SOCKET_NOTE.to_string(),
                });
            } else {
                opt(key, old, new);
            }
        }
    }
    (options, explained)
}

fn process_change(p: &Process, status: Status, options: Vec<OptionChange>) -> ProcessChange {
    ProcessChange {
        name: p.name().to_string(),
        full_name: p.full_name(),
        status,
        options,
    }
}

pub(super) fn compare_groups(a: &Group, b: &Group) -> GroupReport {
    let mut ignored = Vec::new();
    let (options, mut explained) = group_options(a, b, &mut ignored);
    let old_names = by_name(&a.processes);
    let new_names = by_name(&b.processes);
    let mut processes = Vec::new();
    for (&name, &j) in &new_names {
        let pb = &b.processes[j];
        let Some(&i) = old_names.get(name) else {
            explained = true;
            processes.push(process_change(pb, Status::Added, Vec::new()));
            continue;
        };
        let diffs = process_diffs(&a.processes[i], pb);
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
        let options = diffs.into_iter().map(|d| d.change).collect();
        processes.push(process_change(pb, Status::Changed, options));
    }
    for (&name, &i) in &old_names {
        if !new_names.contains_key(name) {
            explained = true;
            processes.push(process_change(&a.processes[i], Status::Removed, Vec::new()));
        }
    }
    GroupReport {
        options,
        processes,
        ignored,
        explained,
    }
}

pub(super) fn all_processes(g: &Group, status: Status) -> Vec<ProcessChange> {
    g.processes
        .iter()
        .map(|p| process_change(p, status, Vec::new()))
        .collect()
}

pub(super) fn sections(groups: &[&Group]) -> String {
    groups
        .iter()
        .map(|g| format!("[{}]", g.section))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(ps: &[Process]) -> String {
    ps.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

/// Why a changed group's report shows nothing (or not everything).
pub(super) fn change_notes(
    running: &Group,
    candidates: &[&Group],
    report: &GroupReport,
) -> Vec<String> {
    let mut notes = Vec::new();
    let first = candidates[0];
    let name = &first.name;
    if candidates.len() > 1 {
        if group_eq(running, first) {
            let others: Vec<&Group> = candidates[1..]
                .iter()
                .copied()
                .filter(|c| !group_eq(running, c))
                .collect();
            notes.push(format!(
                "{} also define(s) a group named {name} that differs from the running one: \
                 supervisord compares every group of that name, so update restarts {name} \
                 and re-adds it unchanged from [{}]",
                sections(&others),
                first.section
            ));
        } else {
            notes.push(format!(
                "several sections define a group named {name} ({}); update re-adds the \
                 first, [{}]",
                sections(candidates),
                first.section
            ));
        }
    }
    if !group_eq(running, first) && !report.explained {
        let (a, b) = (&running.processes, &first.processes);
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
