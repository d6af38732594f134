//! `supc render`: the merged config written back as native INI.
//!
//! Input: a [`Loaded`] config (the merged [`Ini`] with every definition's
//! span, and the comments of every file). Output: text that supervisord
//! reads to the same model. Each value is written as supervisord stored it
//! (already valid for its reader), with these changes for the new place:
//!
//! * Flattened output has no `[include]`, so supervisord's textual
//!   `%(here)s` replacement no longer happens there: values are taken after
//!   that replacement, and in a config without `[include]` the expansion
//!   `%(here)s` is replaced by the config's directory (escaped, `%%%%` where
//!   the option is expanded twice), because the rendered file lives
//!   elsewhere. Options that cannot use `here` keep it (they fail the same).
//! * `[supervisorctl]` and `[ctlplugin:x]` are read by supervisorctl from
//!   the main file only: definitions from included files are kept as
//!   comments.
//! * Keys follow the option table's order; sections keep supervisord's order
//!   (it decides group order and which error comes first).
//! * Comment lines directly above a header or key, and inline comments, are
//!   kept with it; each section from several files is headed by a comment
//!   naming its sources.

use crate::ini::{Definition, Entry, Ini, Section};
use crate::load::Loaded;
use crate::options::{OPTIONS, SectionKind};
use crate::source::{FileId, Span};
use std::collections::HashMap;

/// Comments attached to a line: the full-line block above it, and the
/// inline comment on it.
#[derive(Default)]
struct Attached {
    above: Vec<String>,
    inline: Option<String>,
}

struct Emitter<'a> {
    loaded: &'a Loaded,
    /// `(file, line)` of headers and keys → their comments.
    comments: HashMap<(FileId, usize), Attached>,
    /// Whether `%(here)s` was replaced as text (main file had `[include]`,
    /// or a snippet read as included).
    here_replaced: bool,
    /// More than one file took part: name each section's sources.
    name_sources: bool,
}

/// Renders the whole config as one file.
pub fn render_flat(loaded: &Loaded) -> String {
    let e = Emitter::new(loaded);
    let mut out = String::new();
    let ini = &loaded.ini;
    if let Some(main) = loaded.main {
        for c in e.preamble(main) {
            out.push_str(&c);
            out.push('\n');
        }
    }
    if let Some(d) = &ini.defaults {
        e.section(&mut out, d, SectionKind::Default);
    }
    for (name, section) in &ini.sections {
        if name == "include" && e.here_replaced && !loaded.snippet {
            // Its files are inlined below; the section itself would make
            // supervisord look for them next to the rendered file.
            continue;
        }
        e.section(&mut out, section, SectionKind::of(name));
    }
    out
}

impl<'a> Emitter<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let here_replaced = loaded.snippet || (loaded.main.is_some() && loaded.ini.has_section("include"));
        let mut e = Emitter {
            loaded,
            comments: HashMap::new(),
            here_replaced,
            name_sources: loaded.includes.iter().any(|i| i.file.is_some()),
        };
        e.attach_comments();
        e
    }

    fn line(&self, span: Span) -> usize {
        self.loaded.sources.get(span.file).line_col(span.start).0
    }

    /// Attaches each comment to the header or key it sits on or directly
    /// above (a run of full-line comments with no blank line in between).
    fn attach_comments(&mut self) {
        let mut anchors: HashMap<(FileId, usize), ()> = HashMap::new();
        let ini = &self.loaded.ini;
        let sections = ini.defaults.iter().chain(ini.sections.values());
        for s in sections {
            for h in &s.headers {
                anchors.insert((h.file, self.line(*h)), ());
            }
            for e in s.entries.values() {
                for d in std::iter::once(&e.def).chain(&e.overridden) {
                    anchors.insert((d.key_span.file, self.line(d.key_span)), ());
                }
            }
        }
        let mut by_line: HashMap<(FileId, usize), (bool, String)> = HashMap::new();
        for c in &self.loaded.comments {
            let text = self.loaded.sources.text(c.span).trim_end().to_string();
            by_line.insert((c.span.file, c.line as usize), (c.full_line, text));
        }
        let mut attached: HashMap<(FileId, usize), Attached> = HashMap::new();
        for &(file, line) in anchors.keys() {
            let mut a = Attached::default();
            if let Some((false, text)) = by_line.get(&(file, line)) {
                a.inline = Some(text.clone());
            }
            let mut l = line;
            while l > 1 {
                match by_line.get(&(file, l - 1)) {
                    Some((true, text)) if !anchors.contains_key(&(file, l - 1)) => {
                        a.above.insert(0, text.clone());
                        l -= 1;
                    }
                    _ => break,
                }
            }
            if !a.above.is_empty() || a.inline.is_some() {
                attached.insert((file, line), a);
            }
        }
        self.comments = attached;
    }

    /// Comments at the top of the main file, before its first header, that
    /// are not attached to that header.
    fn preamble(&self, main: FileId) -> Vec<String> {
        let first_header = self
            .loaded
            .ini
            .defaults
            .iter()
            .chain(self.loaded.ini.sections.values())
            .flat_map(|s| s.headers.iter())
            .filter(|h| h.file == main)
            .map(|h| self.line(*h))
            .min()
            .unwrap_or(usize::MAX);
        let attached_first = self
            .comments
            .get(&(main, first_header))
            .map_or(0, |a| a.above.len());
        let limit = first_header.saturating_sub(attached_first);
        let mut out: Vec<(usize, String)> = self
            .loaded
            .comments
            .iter()
            .filter(|c| c.span.file == main && c.full_line && (c.line as usize) < limit)
            .map(|c| (c.line as usize, self.loaded.sources.text(c.span).trim_end().to_string()))
            .collect();
        out.sort();
        out.into_iter().map(|(_, t)| t).collect()
    }

    fn section(&self, out: &mut String, section: &Section, kind: SectionKind) {
        if !out.is_empty() {
            out.push('\n');
        }
        if self.name_sources {
            let places: Vec<String> = section
                .headers
                .iter()
                .map(|h| self.loaded.sources.location(*h))
                .map(|l| l.rsplit_once(':').map_or(l.clone(), |(a, _)| a.to_string()))
                .collect();
            out.push_str(&format!("; from {}\n", places.join(", ")));
        }
        let first = section.headers[0];
        let attached = self.comments.get(&(first.file, self.line(first)));
        for c in attached.iter().flat_map(|a| &a.above) {
            out.push_str(c);
            out.push('\n');
        }
        out.push('[');
        out.push_str(&section.name);
        out.push(']');
        if let Some(i) = attached.and_then(|a| a.inline.as_ref()) {
            out.push(' ');
            out.push_str(i);
        }
        out.push('\n');
        let client_only = matches!(kind, SectionKind::Supervisorctl | SectionKind::CtlPlugin);
        for (key, entry) in ordered(section, kind) {
            if client_only {
                self.client_entry(out, key, entry);
            } else {
                let value = self.value(&section.name, kind, key, &entry.value);
                self.entry(out, key, &value, &entry.def);
            }
        }
    }

    /// supervisorctl sees only the main file's definitions of a key.
    fn client_entry(&self, out: &mut String, key: &str, entry: &Entry) {
        let main = self.loaded.main;
        let defs: Vec<&Definition> = entry.overridden.iter().chain(std::iter::once(&entry.def)).collect();
        let in_main = defs.iter().rev().find(|d| Some(d.key_span.file) == main && !d.from_default);
        match in_main {
            Some(d) => {
                let value = replace_here(&d.written, &self.loaded.here, here_escape(SectionKind::Supervisorctl, key));
                self.entry(out, key, &value, d);
            }
            None if entry.def.from_default => {}
            None => {
                out.push_str(&format!(
                    "; supervisorctl does not read included files: {key}={}\n",
                    entry.value.replace('\n', " ")
                ));
            }
        }
    }

    fn entry(&self, out: &mut String, key: &str, value: &str, def: &Definition) {
        let attached = self.comments.get(&(def.key_span.file, self.line(def.key_span)));
        for c in attached.iter().flat_map(|a| &a.above) {
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(key);
        out.push('=');
        let mut lines = value.split('\n');
        out.push_str(lines.next().unwrap_or(""));
        for l in lines {
            // Continuation lines must be indented more than the key; an
            // indented blank line keeps a blank line inside the value.
            out.push_str("\n    ");
            out.push_str(l);
        }
        if let Some(i) = attached.and_then(|a| a.inline.as_ref()) {
            out.push(' ');
            out.push_str(i);
        }
        out.push('\n');
    }

    /// The value to write for a key of a section supervisord reads.
    fn value(&self, section: &str, kind: SectionKind, key: &str, value: &str) -> String {
        if self.here_replaced {
            return value.to_string();
        }
        let _ = section;
        match here_escape(kind, key) {
            Some(_) => replace_here(value, &self.loaded.here, here_escape(kind, key)),
            None => value.to_string(),
        }
    }
}

/// How a literal directory must be escaped where `%(here)s` stood: `None`
/// when the option cannot use `here` (it stays, and fails the same way).
fn here_escape(kind: SectionKind, key: &str) -> Option<&'static str> {
    use SectionKind::*;
    let unavailable = match kind {
        InetHttpServer | RpcInterface | CtlPlugin => true,
        UnixHttpServer => key != "file",
        Supervisorctl => !matches!(key, "serverurl" | "history_file"),
        _ => false,
    };
    if unavailable {
        return None;
    }
    let twice = (kind == Supervisord && key == "environment")
        || (kind.is_program_like() && matches!(key, "stdout_logfile" | "stderr_logfile"));
    Some(if twice { "%%%%" } else { "%%" })
}

fn replace_here(value: &str, here: &str, escape: Option<&str>) -> String {
    match escape {
        Some(pct) if value.contains("%(here)s") => value.replace("%(here)s", &here.replace('%', pct)),
        _ => value.to_string(),
    }
}

/// Keys in the option table's order, then unknown keys as written.
fn ordered(section: &Section, kind: SectionKind) -> Vec<(&str, &Entry)> {
    let rank = |key: &str| {
        OPTIONS
            .iter()
            .position(|o| o.name == key && (o.applies_to(kind) || kind == SectionKind::Default))
            .unwrap_or(usize::MAX)
    };
    let mut keys: Vec<(usize, usize, &str, &Entry)> = section
        .entries
        .iter()
        .enumerate()
        .map(|(i, (k, e))| (rank(k), i, k.as_str(), e))
        .collect();
    keys.sort_by_key(|&(r, i, _, _)| (r, i));
    keys.into_iter().map(|(_, _, k, e)| (k, e)).collect()
}

/// The merged config as a [`Loaded`] whose sections came from `ini` (for
/// tests of the emitter on hand-built input).
pub fn ini_of(loaded: &Loaded) -> &Ini {
    &loaded.ini
}
