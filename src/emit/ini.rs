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

use crate::ini::{Definition, Entry, Section};
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
    /// The absolute directory the rendered file will live in: `%(here)s`
    /// is kept wherever it still means the same directory there.
    out_dir: String,
    /// Keep `[include]` (the file layout is kept, see [`render_files`]).
    keep_include: bool,
}

/// Renders the whole config as one file that will live in `out_dir`.
pub fn render_flat(loaded: &Loaded, out_dir: &str) -> String {
    let e = Emitter::new(loaded, out_dir);
    let mut out = String::new();
    let ini = &loaded.ini;
    if let Some(main) = loaded.main {
        for c in e.preamble(main) {
            out.push_str(&c);
            out.push('\n');
        }
    }
    if let Some(d) = &ini.defaults {
        e.section(&mut out, "DEFAULT", d, SectionKind::Default);
    }
    for (name, section) in &ini.sections {
        if name == "include" && e.here_replaced && !loaded.snippet && !e.keep_include {
            // Its files are inlined below; the section itself would make
            // supervisord look for them next to the rendered file.
            continue;
        }
        e.section(&mut out, name, section, SectionKind::of(name));
    }
    if let Some(main) = loaded.main {
        let trailing = e.trailing(main);
        if !trailing.is_empty() {
            out.push('\n');
            for c in trailing {
                out.push_str(&c);
                out.push('\n');
            }
        }
    }
    out
}

/// Renders every file of the config on its own, keeping the layout: the
/// main file and each included file (paths relative to the main file's
/// directory), each normalized like [`render_flat`] but with its own
/// sections and values as written, so `[include]` and `%(here)s` keep
/// their meaning when the tree is written under another directory.
pub fn render_files(loaded: &Loaded) -> Result<Vec<(String, String)>, String> {
    let Some(main) = loaded.main else {
        return Err("the config could not be read".into());
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut files = vec![main];
    files.extend(loaded.includes.iter().filter_map(|i| i.file));
    for file in files {
        let src = loaded.sources.get(file);
        let rel = if file == main {
            crate::python::path::split(&src.name).1.to_string()
        } else {
            let abs = crate::python::path::abspath(&src.name, "/");
            match abs.strip_prefix(&format!("{}/", loaded.here.trim_end_matches('/'))) {
                Some(r) => r.to_string(),
                None => {
                    return Err(format!(
                        "{abs} is outside the config's directory {}; --keep-includes cannot keep that layout (render without it to inline the file)",
                        loaded.here
                    ));
                }
            }
        };
        if out.iter().any(|(r, _)| *r == rel) {
            continue;
        }
        out.push((rel, render_one_file(&src.name, &src.path, &src.text)));
    }
    Ok(out)
}

/// One file on its own, as if it were the whole config.
fn render_one_file(name: &str, path: &std::path::Path, text: &str) -> String {
    let single = crate::load::from_text(text, name, &path.to_string_lossy());
    let id = single.main.unwrap_or(FileId(0));
    let here = single.here.clone();
    let mut e = Emitter::new(&single, &here);
    e.keep_include = true;
    // Values stay as written: nothing was replaced in this file's reading.
    e.here_replaced = false;
    let mut out = String::new();
    for c in e.preamble(id) {
        out.push_str(&c);
        out.push('\n');
    }
    if let Some(d) = &single.ini.defaults {
        e.section(&mut out, "DEFAULT", d, SectionKind::Default);
    }
    for (name, section) in &single.ini.sections {
        e.section(&mut out, name, section, SectionKind::of(name));
    }
    let trailing = e.trailing(id);
    if !trailing.is_empty() {
        out.push('\n');
        for c in trailing {
            out.push_str(&c);
            out.push('\n');
        }
    }
    out
}

impl<'a> Emitter<'a> {
    fn new(loaded: &'a Loaded, out_dir: &str) -> Self {
        let here_replaced =
            loaded.snippet || (loaded.main.is_some() && loaded.ini.has_section("include"));
        let mut e = Emitter {
            loaded,
            comments: HashMap::new(),
            here_replaced,
            name_sources: loaded.includes.iter().any(|i| i.file.is_some()),
            out_dir: out_dir.trim_end_matches('/').to_string(),
            keep_include: false,
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
                for d in std::iter::once(&e.def).chain(e.overridden()) {
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
            .map(|c| {
                (
                    c.line as usize,
                    self.loaded.sources.text(c.span).trim_end().to_string(),
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, t)| t).collect()
    }

    /// Full-line comments of the main file after its last header or key.
    fn trailing(&self, main: FileId) -> Vec<String> {
        let ini = &self.loaded.ini;
        let last = ini
            .defaults
            .iter()
            .chain(ini.sections.values())
            .flat_map(|s| {
                let keys = s
                    .entries
                    .values()
                    .flat_map(|e| std::iter::once(&e.def).chain(e.overridden()))
                    .map(|d| d.value_span);
                s.headers.iter().copied().chain(keys).collect::<Vec<_>>()
            })
            .filter(|sp| sp.file == main)
            .map(|sp| self.loaded.sources.get(main).line_col(sp.end).0)
            .max()
            .unwrap_or(0);
        if last == 0 {
            // No header or key at all: the preamble already holds them.
            return Vec::new();
        }
        let mut out: Vec<(u32, String)> = self
            .loaded
            .comments
            .iter()
            .filter(|c| c.span.file == main && c.full_line && c.line as usize > last)
            .map(|c| {
                (
                    c.line,
                    self.loaded.sources.text(c.span).trim_end().to_string(),
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, t)| t).collect()
    }

    fn section(&self, out: &mut String, name: &str, section: &Section, kind: SectionKind) {
        if !out.is_empty() {
            out.push('\n');
        }
        let client_only = matches!(kind, SectionKind::Supervisorctl | SectionKind::CtlPlugin);
        if client_only
            && !section
                .headers
                .iter()
                .any(|h| Some(h.file) == self.loaded.main)
        {
            // supervisorctl reads the main file only: a client section from
            // an included file never reached it.
            out.push_str(&format!(
                "; supervisorctl does not read included files: [{name}] is kept as a comment\n",
            ));
            out.push_str(&format!(";[{name}]\n"));
            for (key, entry) in ordered(section, kind) {
                out.push_str(&format!(";{key}={}\n", entry.value().replace('\n', " ")));
            }
            return;
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
        out.push_str(name);
        out.push(']');
        if let Some(i) = attached.and_then(|a| a.inline.as_ref()) {
            out.push(' ');
            out.push_str(i);
        }
        out.push('\n');
        for (key, entry) in ordered(section, kind) {
            // A [DEFAULT] value supervisord copied in (for `%(here)s`) only
            // matters where the section reads that key.
            if entry.def.from_default
                && !kind.takes_any_key()
                && kind != SectionKind::Unknown
                && crate::options::lookup(kind, key).is_none()
            {
                continue;
            }
            if client_only {
                self.client_entry(out, key, entry);
            } else {
                let value = self.value(kind, key, entry);
                self.entry(out, key, &value, &entry.def);
            }
        }
    }

    /// supervisorctl sees only the main file's definitions of a key.
    fn client_entry(&self, out: &mut String, key: &str, entry: &Entry) {
        let main = self.loaded.main;
        let defs: Vec<&Definition> = entry
            .overridden()
            .iter()
            .chain(std::iter::once(&entry.def))
            .collect();
        let in_main = defs
            .iter()
            .rev()
            .find(|d| Some(d.key_span.file) == main && !d.from_default);
        match in_main {
            Some(d) => {
                let value = if self.loaded.here == self.out_dir {
                    d.written().to_string()
                } else {
                    replace_here(
                        d.written(),
                        &self.loaded.here,
                        here_escape(SectionKind::Supervisorctl, key),
                    )
                };
                self.entry(out, key, &value, d);
            }
            None if entry.def.from_default => {}
            None => {
                out.push_str(&format!(
                    "; supervisorctl does not read included files: {key}={}\n",
                    entry.value().replace('\n', " ")
                ));
            }
        }
    }

    fn entry(&self, out: &mut String, key: &str, value: &str, def: &Definition) {
        let attached = self
            .comments
            .get(&(def.key_span.file, self.line(def.key_span)));
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
    fn value(&self, kind: SectionKind, key: &str, entry: &Entry) -> String {
        let value = entry.value();
        let escape = here_escape(kind, key);
        // [DEFAULT] never gets the textual replacement (supervisord copies
        // its values into sections instead), so it is treated like a config
        // without [include].
        if self.here_replaced && kind != SectionKind::Default {
            // supervisord replaced `%(here)s` with the defining file's
            // directory; where that is the output's directory and the
            // replacement was plain, the written form says the same thing.
            let def = &entry.def;
            let dir = self.dir_of(def.key_span.file);
            let plain = !def.written().contains("%%(here)s")
                && def.written().replace("%(here)s", &dir) == *value;
            let keep = escape.is_some() && !def.from_default && key != "process_name";
            if keep && plain && dir == self.out_dir {
                return def.written().to_string();
            }
            return value.to_string();
        }
        // process_name is checked for `/` before it is expanded, so a
        // literal directory would make it invalid: it keeps `%(here)s`.
        if key == "process_name" || self.loaded.here == self.out_dir {
            return value.to_string();
        }
        replace_here(value, &self.loaded.here, escape)
    }

    /// The absolute directory of a file, as supervisord computes `here`.
    fn dir_of(&self, file: FileId) -> String {
        if Some(file) == self.loaded.main {
            return self.loaded.here.clone();
        }
        // Included paths are absolute (joined to `here` by the glob);
        // supervisord normalizes them before taking the directory.
        let path = self
            .loaded
            .sources
            .get(file)
            .path
            .to_string_lossy()
            .into_owned();
        crate::python::path::dirname(&crate::python::path::abspath(&path, "/")).to_string()
    }
}

/// How a literal directory must be escaped where `%(here)s` stood: `None`
/// when the option cannot use `here` (it stays, and fails the same way).
fn here_escape(kind: SectionKind, key: &str) -> Option<&'static str> {
    // A [DEFAULT] value is read by every section: escape it as an option
    // expanded once.
    let e = if kind == SectionKind::Default {
        crate::options::Expansion {
            passes: 1,
            here: true,
        }
    } else {
        crate::options::expansion(kind, key)?
    };
    e.here.then_some(if e.passes == 2 { "%%%%" } else { "%%" })
}

/// Replaces each `%(here)s` spec (not the text inside an escaped `%%(here)s`)
/// with the escaped directory.
fn replace_here(value: &str, here: &str, escape: Option<&str>) -> String {
    let Some(pct) = escape.filter(|_| value.contains("%(here)s")) else {
        return value.to_string();
    };
    let dir = here.replace('%', pct);
    let mut out = String::with_capacity(value.len() + dir.len());
    let mut rest = value;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix("%%") {
            out.push_str("%%");
            rest = t;
        } else if let Some(t) = tail.strip_prefix("%(here)s") {
            out.push_str(&dir);
            rest = t;
        } else {
            out.push('%');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Program-like sections in the order of supervisor's own sample.
const PROGRAM_ORDER: &[&str] = &[
    "command",
    "process_name",
    "numprocs",
    "numprocs_start",
    "events",
    "buffer_size",
    "result_handler",
    "socket",
    "socket_backlog",
    "socket_owner",
    "socket_mode",
    "directory",
    "umask",
    "priority",
    "autostart",
    "startsecs",
    "startretries",
    "autorestart",
    "exitcodes",
    "stopsignal",
    "stopwaitsecs",
    "stopasgroup",
    "killasgroup",
    "user",
    "redirect_stderr",
    "stdout_logfile",
    "stdout_logfile_maxbytes",
    "stdout_logfile_backups",
    "stdout_capture_maxbytes",
    "stdout_events_enabled",
    "stdout_syslog",
    "stderr_logfile",
    "stderr_logfile_maxbytes",
    "stderr_logfile_backups",
    "stderr_capture_maxbytes",
    "stderr_events_enabled",
    "stderr_syslog",
    "environment",
    "serverurl",
];

/// Keys in canonical order (the sample's for programs, else the option
/// table's), then unknown keys as written.
fn ordered(section: &Section, kind: SectionKind) -> Vec<(&str, &Entry)> {
    let rank = |key: &str| {
        if kind.is_program_like() {
            return PROGRAM_ORDER
                .iter()
                .position(|k| *k == key)
                .unwrap_or(usize::MAX);
        }
        OPTIONS
            .iter()
            .position(|o| o.name == key && (o.applies_to(kind) || kind == SectionKind::Default))
            .unwrap_or(usize::MAX)
    };
    let mut keys: Vec<(usize, usize, &str, &Entry)> = section
        .entries
        .iter()
        .enumerate()
        .map(|(i, (k, e))| (rank(k), i, &**k, e))
        .collect();
    keys.sort_by_key(|&(r, i, _, _)| (r, i));
    keys.into_iter().map(|(_, _, k, e)| (k, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::render_flat;
    use crate::host::Host;

    fn render_in(files: &[(&str, &str)], out_dir: &str) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        // A directory name with `%` shows the escaping.
        let base = dir.path().join("app%1");
        for (name, text) in files {
            let path = base.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let host = Host {
            env: vec![],
            node_name: "h".into(),
            cwd: base.to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        };
        let loaded = crate::load::load("supervisord.conf", &host, false);
        let out = if out_dir.is_empty() {
            host.cwd.clone()
        } else {
            out_dir.to_string()
        };
        (render_flat(&loaded, &out), host.cwd)
    }

    #[test]
    fn here_is_resolved_for_a_file_elsewhere() {
        let conf = "[supervisord]\n[program:a]\ncommand=%(here)s/run\nstdout_logfile=%(here)s/a.log\nprocess_name=%(program_name)s\n";
        let (text, here) = render_in(&[("supervisord.conf", conf)], "/elsewhere");
        let once = here.replace('%', "%%");
        let twice = here.replace('%', "%%%%");
        assert!(text.contains(&format!("command={once}/run\n")), "{text}");
        assert!(
            text.contains(&format!("stdout_logfile={twice}/a.log\n")),
            "{text}"
        );
        // Beside the original, `%(here)s` still means the same directory.
        let (same, _) = render_in(&[("supervisord.conf", conf)], "");
        assert!(same.contains("command=%(here)s/run\n"), "{same}");
    }

    #[test]
    fn included_files_keep_their_own_directory() {
        let main = "[supervisord]\n[include]\nfiles=conf.d/*.conf\n";
        let inc = "[program:w]\ncommand=%(here)s/w\n";
        let (text, here) = render_in(&[("supervisord.conf", main), ("conf.d/w.conf", inc)], "");
        // supervisord replaced `%(here)s` as text, without escaping.
        assert!(
            text.contains(&format!("command={here}/conf.d/w\n")),
            "{text}"
        );
        assert!(!text.contains("[include]"), "{text}");
        assert!(text.contains("; from "), "{text}");
    }
}
