//! Completion from the line being typed: section kinds after `[`, option
//! names valid in the current section at a key position, enumerated values
//! after `=`, the `%(name)s` keys the option may use after `%(`, and
//! program names inside `[group:x] programs=`.

use super::hover::{accepted, key_doc};
use super::state::{Document, State};
use crate::options::{self, SectionKind};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, Documentation, MarkupContent,
    MarkupKind, Position, Range, TextEdit,
};

pub fn complete(state: &State, doc: &Document, pos: Position) -> Option<CompletionResponse> {
    let text = state.text(doc);
    let offset = doc.index.offset(text, pos, state.encoding);
    let line_start = doc.index.line_start(pos.line as usize);
    let before = text.get(line_start..offset)?;
    let replace = |from: usize| {
        Range::new(
            doc.index.position(text, from, state.encoding),
            doc.index.position(text, offset, state.encoding),
        )
    };
    if doc.is_yaml() {
        return Some(CompletionResponse::Array(yaml(
            text, offset, before, &replace,
        )));
    }
    let section = doc.outline(text).section_at(offset);
    let items = if before.starts_with('[') {
        sections(replace(line_start))
    } else if let Some(eq) = before.find(['=', ':']).filter(|_| !indented(before)) {
        let key = before[..eq].trim().to_lowercase();
        let kind = section.map_or(SectionKind::Unknown, |s| s.kind);
        let value = &before[eq + 1..];
        values(state, doc, kind, &key, value, &|n| replace(offset - n))
    } else if indented(before) || before.trim_start().starts_with([';', '#']) {
        Vec::new()
    } else {
        let kind = section.map_or(SectionKind::Unknown, |s| s.kind);
        let present: Vec<&str> = section
            .map(|s| s.options.iter().map(|o| o.key.as_str()).collect())
            .unwrap_or_default();
        keys(kind, &present, replace(line_start))
    };
    Some(CompletionResponse::Array(items))
}

/// In a supc.yaml spec: option names at a key being typed, enumerated
/// values after `key: `.
fn yaml(
    text: &str,
    offset: usize,
    before: &str,
    replace: &dyn Fn(usize) -> Range,
) -> Vec<CompletionItem> {
    let typed = before.trim_start();
    if typed.contains(':') {
        let Some(place) = super::yaml_place::place_at(text, offset) else {
            return Vec::new();
        };
        let Some(spec) = options::lookup(place.kind, &place.key) else {
            return Vec::new();
        };
        let word = typed.rsplit([':', ' ', '"', '\'']).next().unwrap_or("");
        return accepted(spec)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                item(
                    v,
                    CompletionItemKind::ENUM_MEMBER,
                    replace(word.len()),
                    v.to_string(),
                )
            })
            .collect();
    }
    // Place the half-typed key as if its colon were there.
    let mut probe = String::with_capacity(text.len() + 1);
    probe.push_str(&text[..offset]);
    probe.push(':');
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    probe.push_str(&text[line_end..]);
    let Some(place) = super::yaml_place::place_at(&probe, offset) else {
        return Vec::new();
    };
    options::options_of(place.kind)
        .map(|o| {
            item(
                o.name,
                CompletionItemKind::PROPERTY,
                replace(typed.len()),
                format!("{}: ", o.name),
            )
        })
        .collect()
}

/// A continuation line (or a line being typed inside a value).
fn indented(before: &str) -> bool {
    before.starts_with([' ', '\t'])
}

fn sections(range: Range) -> Vec<CompletionItem> {
    SectionKind::ALL
        .iter()
        .map(|k| {
            let h = k.header();
            // `[program:x]` → insert `[program:` (the user names it).
            let insert = h.strip_suffix("x]").unwrap_or(h);
            CompletionItem {
                label: h.to_string(),
                kind: Some(CompletionItemKind::MODULE),
                filter_text: Some(insert.to_string()),
                text_edit: Some(TextEdit::new(range, insert.to_string()).into()),
                ..Default::default()
            }
        })
        .collect()
}

fn keys(kind: SectionKind, present: &[&str], range: Range) -> Vec<CompletionItem> {
    options::options_of(kind)
        .filter(|o| !present.contains(&o.name))
        .map(|o| CompletionItem {
            label: o.name.to_string(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(o.ty.describe().to_string()),
            documentation: key_doc(kind, o.name).map(markdown),
            filter_text: Some(o.name.to_string()),
            text_edit: Some(TextEdit::new(range, format!("{}=", o.name)).into()),
            ..Default::default()
        })
        .collect()
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

/// Completions inside a value; `replace(n)` is the range of the last `n`
/// bytes before the cursor.
fn values(
    state: &State,
    doc: &Document,
    kind: SectionKind,
    key: &str,
    value: &str,
    replace: &dyn Fn(usize) -> Range,
) -> Vec<CompletionItem> {
    if let Some(open) = value.rfind("%(")
        && !value[open..].contains(')')
    {
        let typed = value.len() - open - 2;
        return expansion_names(state, kind, key)
            .into_iter()
            .map(|n| {
                item(
                    &n,
                    CompletionItemKind::VARIABLE,
                    replace(typed),
                    format!("{n})s"),
                )
            })
            .collect();
    }
    let word = value.rsplit([',', ' ', '\t']).next().unwrap_or("");
    let typed = word.len();
    if kind == SectionKind::Group && key == "programs" {
        return program_names(state, doc)
            .into_iter()
            .map(|n| item(&n, CompletionItemKind::REFERENCE, replace(typed), n.clone()))
            .collect();
    }
    let Some(spec) = options::lookup(kind, key) else {
        return Vec::new();
    };
    accepted(spec)
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            item(
                v,
                CompletionItemKind::ENUM_MEMBER,
                replace(typed),
                v.to_string(),
            )
        })
        .collect()
}

fn item(label: &str, kind: CompletionItemKind, range: Range, insert: String) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        text_edit: Some(TextEdit::new(range, insert).into()),
        ..Default::default()
    }
}

/// The names `%(…)` may use in `key` of a section of `kind` (docs/semantics.md §3.4).
pub fn expansion_names(state: &State, kind: SectionKind, key: &str) -> Vec<String> {
    let Some(exp) = options::expansion(kind, key) else {
        return Vec::new();
    };
    let mut names: Vec<&str> = Vec::new();
    if exp.here {
        names.push("here");
    }
    let program_read = kind.is_program_like() && !GROUP_LEVEL.contains(&key);
    let with_num = program_read && !WITHOUT_NUM.contains(&key);
    if program_read {
        names.extend(["program_name", "group_name", "host_node_name"]);
    } else if matches!(kind, SectionKind::Include) {
        names.push("host_node_name");
    } else if kind == SectionKind::FcgiProgram && key == "socket" {
        names.push("program_name");
    }
    if with_num {
        names.extend(["process_num", "numprocs"]);
    }
    let mut out: Vec<String> = names.into_iter().map(String::from).collect();
    out.extend(state.host.env.iter().map(|(k, _)| format!("ENV_{k}")));
    out
}

/// Program-like options read at group level (H and ENV only, §3.4).
const GROUP_LEVEL: &[&str] = &[
    "priority",
    "buffer_size",
    "events",
    "result_handler",
    "socket",
    "socket_backlog",
    "socket_owner",
    "socket_mode",
];

/// Program-like options read without `process_num`/`numprocs` (§3.4).
const WITHOUT_NUM: &[&str] = &[
    "autostart",
    "autorestart",
    "startsecs",
    "startretries",
    "stopsignal",
    "stopwaitsecs",
    "stopasgroup",
    "killasgroup",
    "exitcodes",
    "redirect_stderr",
    "numprocs",
    "numprocs_start",
    "stdout_capture_maxbytes",
    "stderr_capture_maxbytes",
    "stdout_events_enabled",
    "stderr_events_enabled",
    "serverurl",
    "user",
    "umask",
];

/// `[program:x]` names of the document and of its last check.
fn program_names(state: &State, doc: &Document) -> Vec<String> {
    let mut names: Vec<String> = doc
        .outline(state.text(doc))
        .sections
        .iter()
        .filter(|s| s.kind.is_program_like())
        .map(|s| s.name.clone())
        .collect();
    if let Some(a) = &doc.analysis {
        names.extend(a.loaded.ini.sections.keys().cloned());
    }
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| options::SectionKind::of(n).is_program_like())
        .filter_map(|n| n.split_once(':').map(|(_, p)| p.to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}
