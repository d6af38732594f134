//! Go to definition and find references across the files of one config:
//! `programs=` entries ↔ their `[program:x]` sections, `[include]`
//! patterns → the files they matched, a group → its members. In a
//! supc.yaml spec the same through its outline: a `programs:` list entry,
//! a program's key, `include: files:`; the places come from the check,
//! whose spans point into the YAML.

use super::analysis::Analysis;
use super::diagnostics::Lines;
use super::outline::{LIST_SEPS, SectionInfo, word_at, words};
use super::state::{Document, State};
use crate::options::SectionKind;
use crate::python::glob::Pattern;
use crate::python::path::abspath;
use crate::source::Span;
use lsp_types::{GotoDefinitionResponse, Location, Position, Range};

/// What the cursor names.
enum Target {
    /// A program-like section by its program name.
    Program(String),
    Group(String),
    /// An `[include] files=` pattern.
    Pattern(String),
}

fn target(state: &State, doc: &Document, pos: Position) -> Option<Target> {
    let text = state.text(doc);
    let offset = doc.index.offset(text, pos, state.encoding);
    let outline = doc.outline(text);
    let section = outline.section_at(offset)?;
    if section.header.start <= offset && offset <= section.header.end {
        return header_target(section);
    }
    let (_, opt) = outline.option_at(offset)?;
    if offset < opt.value_range.start {
        return None;
    }
    let raw = text.get(opt.value_range.clone())?;
    let rel = offset - opt.value_range.start;
    match (section.kind, opt.key.as_str()) {
        (SectionKind::Group, "programs") => {
            word_at(raw, rel, LIST_SEPS).map(|(_, w)| Target::Program(w.to_string()))
        }
        (SectionKind::Include, "files") => {
            // A glob may hold brackets, but a YAML list is written in them.
            let seps = if doc.is_yaml() { LIST_SEPS } else { &[] };
            word_at(raw, rel, seps).map(|(_, w)| Target::Pattern(w.to_string()))
        }
        _ => None,
    }
}

fn header_target(section: &SectionInfo) -> Option<Target> {
    let (_, name) = section.name.split_once(':')?;
    match section.kind {
        SectionKind::Group => Some(Target::Group(name.to_string())),
        k if k.is_program_like() => Some(Target::Program(name.to_string())),
        _ => None,
    }
}

pub fn definition(state: &State, doc: &Document, pos: Position) -> Option<GotoDefinitionResponse> {
    let target = target(state, doc, pos)?;
    let a = doc.analysis.as_ref()?;
    let mut lines = Lines::new(&a.loaded.sources, state.encoding);
    let found: Vec<Location> = match &target {
        Target::Program(p) => program_header(a, p)
            .and_then(|s| lines.location(s))
            .into_iter()
            .collect(),
        Target::Group(g) => members(a, g)
            .into_iter()
            .filter_map(|s| lines.location(s))
            .collect(),
        Target::Pattern(p) => included_by_pattern(a, p),
    };
    (!found.is_empty()).then_some(GotoDefinitionResponse::Array(found))
}

pub fn references(
    state: &State,
    doc: &Document,
    pos: Position,
    with_declaration: bool,
) -> Option<Vec<Location>> {
    let target = target(state, doc, pos)?;
    let a = doc.analysis.as_ref()?;
    let mut lines = Lines::new(&a.loaded.sources, state.encoding);
    let mut spans = Vec::new();
    match &target {
        Target::Program(p) => {
            if with_declaration {
                spans.extend(program_header(a, p));
            }
            spans.extend(program_mentions(a, p));
        }
        Target::Group(g) => {
            if with_declaration {
                spans.extend(section_header(a, &format!("group:{g}")));
            }
            spans.extend(members(a, g));
        }
        Target::Pattern(p) => return Some(included_by_pattern(a, p)),
    }
    Some(
        spans
            .into_iter()
            .filter_map(|s| lines.location(s))
            .collect(),
    )
}

fn section_header(a: &Analysis, name: &str) -> Option<Span> {
    a.loaded.ini.section(name)?.headers.first().copied()
}

/// `[program:p]`, `[eventlistener:p]` or `[fcgi-program:p]`.
fn program_header(a: &Analysis, program: &str) -> Option<Span> {
    ["program", "eventlistener", "fcgi-program"]
        .iter()
        .find_map(|k| section_header(a, &format!("{k}:{program}")))
}

/// The headers of the programs a group lists.
fn members(a: &Analysis, group: &str) -> Vec<Span> {
    let Some(entry) = a.loaded.ini.get(&format!("group:{group}"), "programs") else {
        return Vec::new();
    };
    crate::resolve::list_of_strings(entry.value)
        .iter()
        .filter_map(|p| program_header(a, p))
        .collect()
}

/// Every `programs=` word naming `program`, in every group section.
fn program_mentions(a: &Analysis, program: &str) -> Vec<Span> {
    let sources = &a.loaded.sources;
    let mut out = Vec::new();
    for (name, section) in &a.loaded.ini.sections {
        if SectionKind::of(name) != SectionKind::Group {
            continue;
        }
        let Some(entry) = section.entries.get("programs") else {
            continue;
        };
        let span = entry.def.value_span;
        let raw = sources.text(span);
        for (at, word) in words(raw, LIST_SEPS).filter(|(_, w)| *w == program) {
            let start = span.start as usize + at;
            out.push(Span::new(span.file, start, start + word.len()));
        }
    }
    out
}

/// The included files a pattern matched (the start of each file).
fn included_by_pattern(a: &Analysis, pattern: &str) -> Vec<Location> {
    let here = &a.loaded.here;
    let full = abspath(&pattern.replace("%(here)s", here), here);
    let compiled = Pattern::new(&full);
    a.loaded
        .includes
        .iter()
        .filter(|inc| compiled.matches(&inc.path))
        .filter_map(|inc| {
            let uri = super::uri::from_path(std::path::Path::new(&inc.path))?;
            Some(Location::new(uri, Range::default()))
        })
        .collect()
}
