//! `supc explain`: how each process came about.
//!
//! Input: a [`Loaded`] config and its resolved [`Config`]. Output:
//! [`Explanation`]s, one per matching process: the namespec to use with
//! supervisorctl, the section and file (and the `[include]` that brought the
//! file in), the name template and its expansion, every option whose value
//! uses `%(...)` as written and as expanded with each variable's value and
//! origin, the group and why, the place in the start order, and anything a
//! user would not expect.

use crate::load::Loaded;
use crate::model::{Config, GroupKind, LogFile, Process};
use crate::python::glob::Pattern;
use crate::source::SourceMap;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct Explanation {
    /// What `supervisorctl` accepts: `group:name`, or `name` when equal.
    pub namespec: String,
    pub name: String,
    pub group: String,
    /// The section that defines the process, e.g. `program:web`.
    pub section: String,
    /// `file:line` of the section header.
    pub defined_at: String,
    /// How that file was read: `None` for the main file.
    pub included_by: Option<String>,
    pub name_template: String,
    pub process_num: String,
    /// `numprocs_start + index = process_num`.
    pub process_num_origin: String,
    pub group_reason: String,
    /// 1-based position in supervisord's start order.
    pub start_position: usize,
    pub start_total: usize,
    pub start_reason: String,
    /// Options whose value uses `%(...)`.
    pub expansions: Vec<ExpandedOption>,
    /// Things a user would not expect.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExpandedOption {
    pub key: String,
    pub written: String,
    pub expanded: String,
    pub variables: Vec<Variable>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Variable {
    pub name: String,
    pub value: String,
    pub origin: String,
}

/// Why a query names no process, and the names that come closest.
#[derive(Debug)]
pub struct NotFound {
    pub query: String,
    /// E.g. `[program:weedvolume] has numprocs=4, numprocs_start=1 →
    /// weedvolume_01 … weedvolume_04`, when the closest name is one
    /// instance of several.
    pub why: Option<String>,
    /// Namespecs, best first.
    pub closest: Vec<String>,
}

/// The processes the queries name, or why the first that names none does
/// not.
pub fn select<'c>(config: &'c Config, queries: &[String]) -> Result<Vec<&'c Process>, NotFound> {
    let all: Vec<&Process> = config.groups.iter().flat_map(|g| &g.processes).collect();
    if queries.is_empty() {
        return Ok(all);
    }
    let mut out: Vec<&Process> = Vec::new();
    for q in queries {
        let matched: Vec<&Process> = all.iter().copied().filter(|p| matches(p, q)).collect();
        if matched.is_empty() {
            return Err(not_found(&all, q));
        }
        for p in matched {
            if !out.iter().any(|o| std::ptr::eq(*o, p)) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// Ranks every process by how close its name is to `q`: fewest edits
/// (to the name or the namespec), then the longest shared prefix (a
/// typo at the end of `weedvolume_05` is closer to `weedvolume_04` than
/// to `seedvolume_05`), then start order.
fn not_found(all: &[&Process], q: &str) -> NotFound {
    let prefix = |a: &str| a.chars().zip(q.chars()).take_while(|(x, y)| x == y).count();
    let wanted = trailing_number(q);
    let mut ranked: Vec<(usize, std::cmp::Reverse<usize>, u64, usize, &Process)> = all
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let full = p.full_name();
            let d = crate::options::edit_distance(q, p.name())
                .min(crate::options::edit_distance(q, &full));
            // Among equally close names, the nearest instance number.
            let gap = match (wanted, trailing_number(p.name())) {
                (Some(a), Some(b)) => a.abs_diff(b),
                _ => u64::MAX,
            };
            (
                d,
                std::cmp::Reverse(prefix(p.name()).max(prefix(&full))),
                gap,
                i,
                *p,
            )
        })
        .collect();
    ranked.sort_by_key(|r| (r.0, r.1, r.2, r.3));
    let mut closest: Vec<String> = Vec::new();
    for r in &ranked {
        let n = r.4.full_name();
        if !closest.contains(&n) {
            closest.push(n);
        }
        if closest.len() == 3 {
            break;
        }
    }
    let why = ranked.first().and_then(|best| instances_note(all, best.4));
    NotFound {
        query: q.to_string(),
        why,
        closest,
    }
}

/// The number a name ends with (`weedvolume_05` → 5).
fn trailing_number(name: &str) -> Option<u64> {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    name[name.len() - digits..].parse().ok()
}

/// `[program:x] has numprocs=N, numprocs_start=S → first … last` for a
/// process whose section makes several.
fn instances_note(all: &[&Process], p: &Process) -> Option<String> {
    let siblings: Vec<&&Process> = all.iter().filter(|o| o.section == p.section).collect();
    if siblings.len() < 2 {
        return None;
    }
    let (first, last) = (siblings.first()?, siblings.last()?);
    Some(format!(
        "[{}] has numprocs={}, numprocs_start={} → process_num {}..{}: {} … {}",
        p.section,
        siblings.len(),
        p.common.numprocs_start,
        first.process_num(),
        last.process_num(),
        first.full_name(),
        last.full_name()
    ))
}

/// The namespec supervisorctl needs when `typed` names a process by its
/// bare name inside a group of another name (`weedvolume_03` →
/// `weed:weedvolume_03`).
pub fn namespec_note(p: &Process, typed: &str) -> Option<String> {
    let full = p.full_name();
    (typed == p.name() && full != typed).then(|| {
        format!(
            "supervisorctl needs `{full}`: `{typed}` is in group `{}`, and `supervisorctl {{start,stop,status}} {typed}` names a group, which does not exist",
            p.group
        )
    })
}

/// What users type: `web_03`, `web:web_03`, `web:*`, `web:`, a program
/// name, or a glob.
fn matches(p: &Process, q: &str) -> bool {
    if let Some(group) = q.strip_suffix(":*").or_else(|| q.strip_suffix(':')) {
        return *p.group == *group;
    }
    let program = p.section.split_once(':').map_or("", |(_, n)| n.trim());
    if q.contains(['*', '?', '[']) {
        let pat = Pattern::new(q);
        return pat.matches(&p.full_name()) || pat.matches(p.name());
    }
    p.full_name() == q || p.name() == q || program == q || *p.group == *q
}

/// Explains the given processes.
pub fn explain(
    loaded: &Loaded,
    config: &Config,
    host_node_name: &str,
    processes: &[&Process],
) -> Vec<Explanation> {
    let order: Vec<&Process> = config.groups.iter().flat_map(|g| &g.processes).collect();
    processes
        .iter()
        .map(|p| one(loaded, config, host_node_name, p, &order))
        .collect()
}

fn one(
    loaded: &Loaded,
    config: &Config,
    node: &str,
    p: &Process,
    order: &[&Process],
) -> Explanation {
    let sources = &loaded.sources;
    let ini = &loaded.ini;
    let section = ini.section(&p.section);
    let header = section.map(|s| s.headers[0]);
    let defined_at = header.map_or_else(String::new, |h| sources.location(h));
    let included_by = header.and_then(|h| {
        (Some(h.file) != loaded.main).then(|| {
            let via = loaded
                .includes
                .iter()
                .find(|i| i.file == Some(h.file))
                .and_then(|i| i.via);
            match via {
                Some(v) => format!("[include] files= at {}", sources.location(v)),
                None => "[include]".to_string(),
            }
        })
    });
    let get = |key: &str| {
        ini.get(&p.section, key)
            .map(|f| f.entry.def.written().to_string())
    };
    let name_template = get("process_name").unwrap_or_else(|| "%(program_name)s".into());
    let process_num_origin = format!(
        "numprocs_start {} + index {} = {}",
        p.numprocs_start,
        p.index(),
        p.process_num()
    );
    let group = config
        .groups
        .iter()
        .find(|g| g.processes.iter().any(|q| std::ptr::eq(q, p)));
    let group_reason = match group.map(|g| g.kind) {
        Some(GroupKind::Group) => format!(
            "listed in [{}] programs= ({})",
            group.map_or("", |g| &*g.section),
            group.map_or(String::new(), |g| sources.location(g.span))
        ),
        Some(GroupKind::EventListener) => "its own event listener pool".into(),
        _ => format!("its own group (named after [{}])", p.section),
    };
    let position = order.iter().position(|q| std::ptr::eq(*q, p)).unwrap_or(0);
    let start_reason = match group {
        Some(g) => format!(
            "groups start by priority, then by name as a string: group {:?} has priority {}; inside it, processes start in the order listed",
            g.name, g.priority
        ),
        None => String::new(),
    };
    Explanation {
        namespec: p.full_name(),
        name: p.name().to_string(),
        group: p.group.to_string(),
        section: p.section.to_string(),
        defined_at,
        included_by,
        name_template: name_template.clone(),
        process_num: p.process_num().to_string(),
        process_num_origin,
        group_reason,
        start_position: position + 1,
        start_total: order.len(),
        start_reason,
        expansions: expansions(loaded, config, node, p, sources),
        notes: notes(config, p),
    }
}

/// The expanded value of an option as the model holds it.
fn expanded_value(p: &Process, key: &str) -> Option<String> {
    let log = |l: &LogFile| match l {
        LogFile::Auto => "AUTO".to_string(),
        LogFile::None => "NONE".to_string(),
        LogFile::Path(s) => s.to_string(),
    };
    Some(match key {
        "command" => p.command().to_string(),
        "directory" => p.directory().unwrap_or_default().to_string(),
        "process_name" => p.name().to_string(),
        "stdout_logfile" => log(&p.stdout().logfile),
        "stderr_logfile" => log(&p.stderr().logfile),
        "environment" => p
            .environment()
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect::<Vec<_>>()
            .join(","),
        "user" => p.user.clone().unwrap_or_default(),
        "serverurl" => p.serverurl.clone().unwrap_or_default(),
        _ => return None,
    })
}

fn expansions(
    loaded: &Loaded,
    config: &Config,
    node: &str,
    p: &Process,
    sources: &SourceMap,
) -> Vec<ExpandedOption> {
    let Some(section) = loaded.ini.section(&p.section) else {
        return Vec::new();
    };
    let mut keys: Vec<&str> = section.entries.keys().map(|k| &**k).collect();
    if !keys.contains(&"process_name") {
        keys.push("process_name");
    }
    let mut out = Vec::new();
    for key in keys {
        let written = match section.entries.get(key) {
            Some(e) => e.def.written().to_string(),
            None => "%(program_name)s".to_string(),
        };
        if !written.contains("%(") {
            continue;
        }
        let Some(expanded) = expanded_value(p, key) else {
            continue;
        };
        let file = section
            .entries
            .get(key)
            .map_or(section.first_file, |e| e.def.key_span.file);
        let template = crate::python::format::Template::parse(&written);
        let variables = template
            .keys()
            .into_iter()
            .map(|name| variable(loaded, config, node, p, name, file, sources))
            .collect();
        out.push(ExpandedOption {
            key: key.to_string(),
            written,
            expanded,
            variables,
        });
    }
    out
}

fn variable(
    loaded: &Loaded,
    config: &Config,
    node: &str,
    p: &Process,
    name: &str,
    file: crate::source::FileId,
    sources: &SourceMap,
) -> Variable {
    let program = p
        .section
        .split_once(':')
        .map_or("", |(_, n)| n.trim())
        .to_string();
    let (value, origin) = match name {
        "here" => {
            let f = sources.get(file);
            if Some(file) == loaded.main {
                (loaded.here.clone(), format!("the directory of {}", f.name))
            } else {
                let dir = crate::python::path::dirname(&f.name).to_string();
                (
                    dir,
                    format!(
                        "the directory of {} (replaced as text because of [include])",
                        f.name
                    ),
                )
            }
        }
        "program_name" => (program, format!("the name in [{}]", p.section)),
        "group_name" => (
            p.group.to_string(),
            "the group the process is expanded into".into(),
        ),
        "process_num" => (
            p.process_num().to_string(),
            "numprocs_start + the instance's index".into(),
        ),
        "numprocs" => (
            loaded
                .ini
                .get(&p.section, "numprocs")
                .map_or("1".into(), |f| f.value.trim().to_string()),
            "numprocs of the section".into(),
        ),
        "host_node_name" => (
            node.to_string(),
            "the host's node name (platform.node(), or --host-node-name)".into(),
        ),
        n if n.starts_with("ENV_") => {
            let var = &n[4..];
            let own = p.environment().get(var).map(str::to_string);
            let global = config.supervisord.environment.iter().any(|(k, _)| k == var);
            let origin = if loaded
                .ini
                .get(&p.section, "environment")
                .is_some_and(|f| f.value.contains(var))
            {
                "the program's environment="
            } else if global {
                "[supervisord] environment="
            } else {
                "supervisord's own environment"
            };
            (own.unwrap_or_default(), origin.into())
        }
        _ => (String::new(), "unknown".into()),
    };
    Variable {
        name: name.to_string(),
        value,
        origin,
    }
}

fn notes(config: &Config, p: &Process) -> Vec<String> {
    let mut out = Vec::new();
    let others = || {
        config
            .groups
            .iter()
            .flat_map(|g| g.processes.iter())
            .filter(move |q| !std::ptr::eq(*q, p))
    };
    for (stream, log) in [
        ("stdout", &p.stdout().logfile),
        ("stderr", &p.stderr().logfile),
    ] {
        if let LogFile::Path(path) = log {
            let sharing: Vec<String> = others()
                .filter(|q| q.stdout().logfile == *log || q.stderr().logfile == *log)
                .map(Process::full_name)
                .collect();
            if !sharing.is_empty() {
                out.push(format!(
                    "its {stream} log {path} is shared with {}",
                    sharing.join(", ")
                ));
            }
        }
    }
    let same: Vec<&Process> = others()
        .filter(|q| q.group == p.group && q.name() == p.name())
        .collect();
    if !same.is_empty() {
        out.push(format!(
            "another process in group {:?} has the same name; supervisord keeps only the last one",
            p.group
        ));
    }
    let groups_named: Vec<_> = config.groups.iter().filter(|g| g.name == p.group).collect();
    if groups_named.len() > 1 && !groups_named[0].processes.iter().any(|q| std::ptr::eq(q, p)) {
        out.push(format!(
            "another group is also named {:?} and comes first; supervisord drops this one at startup",
            p.group
        ));
    }
    let in_groups: Vec<&str> = config
        .groups
        .iter()
        .filter(|g| g.processes.iter().any(|q| q.section == p.section))
        .map(|g| &*g.name)
        .collect();
    if in_groups.len() > 1 {
        out.push(format!(
            "[{}] runs in several groups: {}",
            p.section,
            in_groups.join(", ")
        ));
    }
    out
}

/// The JSON Schema of `supc explain --format json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Vec<Explanation>);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
