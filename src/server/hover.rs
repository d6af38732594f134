//! Hover: what supervisord makes of the thing under the cursor.
//!
//! On an option name: its type, default, accepted values and the table's
//! documentation. On a value: what supervisord reads (`1MB` → 1048576,
//! `TERM` → signal 15) and, for a `%(…)` value, what it expands to in each
//! instance. On a program header: the instances' namespecs and their place
//! in the start order, or, for a section supervisord refuses, why it has
//! none. A supc.yaml spec is hovered through its outline, like INI.

use super::outline::{OptionInfo, SectionInfo};
use super::state::{Document, State};
use crate::model::Process;
use crate::options::{self, OptionSpec, SectionKind, ValueType};
use crate::resolve as convert;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};
use std::collections::HashMap;

/// Instances listed at most (a section may have thousands).
const MAX_LISTED: usize = 12;

pub fn hover(state: &State, doc: &Document, pos: Position) -> Option<Hover> {
    let text = state.text(doc);
    let offset = doc.index.offset(text, pos, state.encoding);
    let outline = doc.outline(text);
    let section = outline.section_at(offset)?;
    let (markdown, range) = if section.header.contains(&offset) || section.header.end == offset {
        (header(doc, section)?, section.header.clone())
    } else {
        let (_, opt) = outline.option_at(offset)?;
        if offset <= opt.key_range.end {
            (key_doc(section.kind, &opt.key)?, opt.key_range.clone())
        } else {
            (value_doc(doc, section, opt)?, opt.value_range.clone())
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(
            doc.index
                .range(text, range.start, range.end, state.encoding),
        ),
    })
}

/// Every section's processes in the document's last check (one pass over
/// what may be tens of thousands of instances).
pub fn instances_by_section(doc: &Document) -> HashMap<&str, Vec<&Process>> {
    let mut out: HashMap<&str, Vec<&Process>> = HashMap::new();
    if let Some(a) = &doc.analysis {
        for p in a
            .resolution
            .model()
            .groups
            .iter()
            .flat_map(|g| &g.processes)
        {
            out.entry(&*p.section).or_default().push(p);
        }
    }
    out
}

/// The processes a section expanded to in the document's last check.
pub fn instances<'a>(doc: &'a Document, section: &str) -> Vec<&'a Process> {
    let Some(a) = &doc.analysis else {
        return Vec::new();
    };
    a.resolution
        .model()
        .groups
        .iter()
        .flat_map(|g| &g.processes)
        .filter(|p| &*p.section == section)
        .collect()
}

fn header(doc: &Document, section: &SectionInfo) -> Option<String> {
    let mut out = format!("**[{}]** — {}\n", section.name, kind_title(section.kind));
    if section.kind == SectionKind::Group {
        return Some(out + &group_members(doc, section));
    }
    if !section.kind.is_program_like() {
        return Some(out);
    }
    let procs = instances(doc, &section.name);
    let Some(a) = &doc.analysis else {
        return Some(out);
    };
    if procs.is_empty() {
        out.push('\n');
        out.push_str(&no_instances(a, &section.name));
        return Some(out);
    }
    let first = &procs[..procs.len().min(1)];
    let ex = crate::explain::explain(&a.loaded, a.resolution.model(), &a.host_node_name, first);
    out.push_str(&format!("\n{} instance(s):\n\n", procs.len()));
    for p in procs.iter().take(MAX_LISTED) {
        out.push_str(&format!("- `{}`\n", p.full_name()));
    }
    if procs.len() > MAX_LISTED {
        out.push_str(&format!("- … and {} more\n", procs.len() - MAX_LISTED));
    }
    if let Some(e) = ex.first() {
        let last = e.start_position + procs.len() - 1;
        out.push_str(&format!(
            "\nStart order: {}–{} of {} ({}).\n",
            e.start_position, last, e.start_total, e.group_reason
        ));
    }
    Some(out)
}

/// Why a section has no instances: its error, or a check still to come.
fn no_instances(a: &super::analysis::Analysis, name: &str) -> String {
    match super::failed::error_of(a, name) {
        Some(d) => super::failed::sentence(d),
        None => "No instances yet (the check of this text is pending).\n".into(),
    }
}

fn group_members(doc: &Document, section: &SectionInfo) -> String {
    let Some(a) = &doc.analysis else {
        return String::new();
    };
    let name = section.name.trim_start_matches("group:");
    let members: Vec<String> = a
        .resolution
        .model()
        .groups
        .iter()
        .filter(|g| &*g.name == name)
        .flat_map(|g| &g.processes)
        .map(Process::full_name)
        .collect();
    if members.is_empty() {
        return format!("\n{}", no_instances(a, &section.name));
    }
    let mut out = format!("\n{} process(es):\n\n", members.len());
    for m in members.iter().take(MAX_LISTED) {
        out.push_str(&format!("- `{m}`\n"));
    }
    out
}

fn kind_title(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Program => "a program",
        SectionKind::EventListener => "an event listener pool",
        SectionKind::FcgiProgram => "a FastCGI program",
        SectionKind::Group => "a group of programs",
        SectionKind::Supervisord => "supervisord's own settings",
        SectionKind::Supervisorctl => "supervisorctl's settings",
        SectionKind::UnixHttpServer => "the UNIX-socket XML-RPC server",
        SectionKind::InetHttpServer => "the TCP XML-RPC server",
        SectionKind::RpcInterface => "an XML-RPC interface plugin",
        SectionKind::CtlPlugin => "a supervisorctl plugin",
        SectionKind::Include => "files to include",
        SectionKind::Default => "defaults for every section",
        SectionKind::Unknown => "a section supervisord does not read",
    }
}

/// The table's entry for an option, as Markdown.
pub fn key_doc(kind: SectionKind, key: &str) -> Option<String> {
    let spec = options::lookup(kind, key)?;
    let mut out = format!("**{}** — {}\n\n", spec.name, spec.doc);
    out.push_str(&format!("- type: {}\n", spec.ty.describe()));
    match spec.default {
        Some(d) => out.push_str(&format!("- default: `{d}`\n")),
        None => out.push_str("- default: none\n"),
    }
    if let Some(values) = accepted(spec) {
        out.push_str(&format!("- accepted: {}\n", values.join(", ")));
    }
    Some(out)
}

/// The enumerated values of an option, if it has a closed set.
pub fn accepted(spec: &OptionSpec) -> Option<Vec<&'static str>> {
    Some(match (spec.name, spec.ty) {
        ("events", _) => crate::resolve::EVENT_TYPES.to_vec(),
        (_, ValueType::Bool) => vec!["true", "false"],
        (_, ValueType::AutoRestart) => vec!["true", "false", "unexpected"],
        (_, ValueType::Signal) => vec!["TERM", "HUP", "INT", "QUIT", "KILL", "USR1", "USR2"],
        (_, ValueType::LogLevel) => {
            vec![
                "critical", "error", "warn", "info", "debug", "trace", "blather",
            ]
        }
        _ => return None,
    })
}

fn value_doc(doc: &Document, section: &SectionInfo, opt: &OptionInfo) -> Option<String> {
    let mut out = String::new();
    if let Some(spec) = options::lookup(section.kind, &opt.key)
        && let Some(m) = meaning(spec.ty, &opt.value)
    {
        out.push_str(&format!("`{}` → {m}\n", opt.value));
    }
    if opt.value.contains("%(") {
        out.push_str(&expansions(doc, section, &opt.key));
    }
    (!out.is_empty()).then_some(out)
}

/// What supervisord's converter makes of a value without expansion.
pub fn meaning(ty: ValueType, v: &str) -> Option<String> {
    if v.contains('%') {
        return None;
    }
    let r = match ty {
        ValueType::Bytes => convert::byte_size(v).map(|n| format!("{n} bytes")),
        ValueType::Signal => {
            convert::signal_number(v).map(|s| format!("signal {} (SIG{})", s.number(), s.name()))
        }
        ValueType::Int => convert::integer(v).map(|n| n.to_string()),
        ValueType::Octal => convert::octal(v).map(|n| format!("{n} (decimal)")),
        ValueType::Bool => convert::boolean(v).map(|b| b.to_string()),
        ValueType::AutoRestart => convert::auto_restart(v).map(|a| format!("{a:?}").to_lowercase()),
        ValueType::LogLevel => convert::logging_level(v),
        _ => return None,
    };
    Some(match r {
        Ok(m) => m,
        Err(e) => format!("rejected: {e}"),
    })
}

/// The expanded value in each instance (from the model of the last check).
fn expansions(doc: &Document, section: &SectionInfo, key: &str) -> String {
    let Some(a) = &doc.analysis else {
        return String::new();
    };
    let procs = instances(doc, &section.name);
    if procs.is_empty() {
        if !section.kind.is_program_like() {
            return String::new();
        }
        return super::failed::error_of(a, &section.name)
            .map(|d| format!("Not expanded. {}", super::failed::sentence(d)))
            .unwrap_or_default();
    }
    let shown = &procs[..procs.len().min(MAX_LISTED)];
    let ex = crate::explain::explain(&a.loaded, a.resolution.model(), &a.host_node_name, shown);
    let mut out = String::new();
    for e in &ex {
        if let Some(o) = e.expansions.iter().find(|o| o.key == key) {
            out.push_str(&format!("- `{}`: `{}`\n", e.namespec, o.expanded));
        } else if key == "process_name" {
            out.push_str(&format!("- `{}`\n", e.namespec));
        }
    }
    if procs.len() > shown.len() {
        out.push_str(&format!("- … and {} more\n", procs.len() - shown.len()));
    }
    if out.is_empty() {
        return out;
    }
    format!("Expands to:\n\n{out}")
}
