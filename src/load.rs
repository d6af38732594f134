//! Reading the main file and its `[include]`s into one [`Ini`].
//!
//! Input: a config path and the [`Host`]. Output: a [`Loaded`] config: the
//! [`SourceMap`] of every file read, the merged [`Ini`], supervisord's
//! parse warnings and infos, and diagnostics in the order supervisord would
//! raise them (so the first error is the one supervisord prints). Unlike
//! supervisord, reading goes on after an error where that is safe, so
//! `supc check` can report every problem.

use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::ini::Ini;
use crate::limits;
use crate::python::format::{FormatError, Mapping, format};
use crate::python::path::{abspath, dirname, join};
use crate::python::repr::repr;
use crate::python::{glob, unicode};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::{lex_file, parse_file};
use std::path::Path;

/// The parsed config before supervisord's semantics are applied.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub ini: Ini,
    /// The config path as given (supervisord's `configfile`).
    pub config_path: String,
    /// `%(here)s`: the absolute directory of the main file.
    pub here: String,
    pub main: Option<FileId>,
    /// Read as a conf.d snippet: as if a wrapper config included it.
    pub snippet: bool,
    /// Included files in reading order, with the pattern that matched them.
    pub includes: Vec<IncludedFile>,
    pub parse_warnings: Vec<String>,
    pub parse_infos: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every comment of every file read (suppressions live here).
    pub comments: Vec<crate::syntax::Comment>,
}

#[derive(Debug, Clone)]
pub struct IncludedFile {
    pub path: String,
    pub file: Option<FileId>,
    /// The `files=` value that brought it in.
    pub via: Option<Span>,
}

impl Loaded {
    /// A config of one source with no includes, warnings or diagnostics
    /// (callers add what they need).
    pub fn single(
        sources: SourceMap,
        ini: Ini,
        config_path: &str,
        here: &str,
        main: FileId,
    ) -> Loaded {
        Loaded {
            sources,
            ini,
            config_path: config_path.to_string(),
            here: here.to_string(),
            main: Some(main),
            snippet: false,
            includes: Vec::new(),
            parse_warnings: Vec::new(),
            parse_infos: Vec::new(),
            diagnostics: Vec::new(),
            comments: Vec::new(),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostic::Severity::Error)
    }
}

/// Reads `config_path` (relative to `host.cwd`) and its includes.
///
/// With `snippet`, the file is read the way supervisord reads a conf.d file
/// through a wrapper's `[include]`: `%(here)s` is the file's directory, its
/// own `[include]` is not followed, and `[supervisord]` is optional.
pub fn load(config_path: &str, host: &Host, snippet: bool) -> Loaded {
    let here = dirname(&abspath(config_path, &host.cwd)).to_string();
    let mut loaded = Loaded {
        sources: SourceMap::new(),
        ini: Ini::default(),
        config_path: config_path.to_string(),
        here: here.clone(),
        main: None,
        snippet,
        includes: Vec::new(),
        parse_warnings: Vec::new(),
        parse_infos: Vec::new(),
        diagnostics: Vec::new(),
        comments: Vec::new(),
    };
    let full = abspath(config_path, &host.cwd);
    let path = Path::new(&full);
    if config_path.is_empty() || !path.exists() {
        loaded.diagnostics.push(Diagnostic::error(
            "SUP001",
            format!("could not find config file {config_path}"),
        ));
        return loaded;
    }
    let Some(main) = read_one(&mut loaded, config_path, path) else {
        loaded.diagnostics.push(Diagnostic::error(
            "SUP001",
            format!("could not read config file {config_path}"),
        ));
        return loaded;
    };
    loaded.main = Some(main);
    if snippet {
        loaded.ini.expand_here(&here);
    } else if loaded.ini.has_section("include") {
        process_includes(&mut loaded, host);
    }
    loaded.ini.shrink_to_fit();
    loaded
}

/// One INI text held in memory (`path` names it; `%(here)s` is its
/// directory), read as a whole config without following `[include]`. A
/// text supervisord could not lex gets one error diagnostic.
pub fn from_text(text: &str, name: &str, path: &str) -> Loaded {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(name.into(), path.into(), text.to_string()));
    let parsed = parse_file(id, &sources.get(id).text);
    let mut ini = Ini::default();
    ini.apply_events(parsed.events);
    let unparsable = parsed.missing_header.is_some() || !parsed.bad_lines.is_empty();
    let comments = parsed.comments;
    let here = dirname(&abspath(path, "/")).to_string();
    let mut loaded = Loaded::single(sources, ini, name, &here, id);
    if unparsable {
        loaded.diagnostics.push(Diagnostic::error(
            "SUP004",
            format!("supervisord cannot parse {name}"),
        ));
    }
    loaded.comments = comments;
    loaded
}

/// Reads, decodes, lexes and merges one file. `None` when it cannot be read.
fn read_one(loaded: &mut Loaded, name: &str, path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return None;
    }
    if meta.len() > limits::MAX_FILE_BYTES {
        let file = loaded
            .sources
            .add(SourceFile::new(name.into(), path.into(), String::new()));
        loaded.diagnostics.push(Diagnostic::error(
            "SUP090",
            format!(
                "{name} is {} bytes; supc reads files of at most {} bytes",
                meta.len(),
                limits::MAX_FILE_BYTES
            ),
        ));
        return Some(file);
    }
    let bytes = std::fs::read(path).ok()?;
    let (text, decode_error) = decode(bytes);
    let file = loaded
        .sources
        .add(SourceFile::new(name.into(), path.into(), text));
    let text = &loaded.sources.get(file).text;
    // Each header and option goes into the INI state as it is lexed.
    let mut applier = loaded.ini.applier(|_| true).reading(text);
    let parsed = lex_file(file, text, |e| applier.event(e));
    // Python decodes in 8 KiB chunks as it reads lines: a decode error in an
    // early chunk stops the read before a later header error is found.
    let header_first = match (&parsed.missing_header, &decode_error) {
        (Some(mh), Some(de)) => {
            // The header error needs its whole line (through the newline).
            let line_end = mh.span.end as usize + 1;
            let failing_chunk_start = de.failing_chunk_end.saturating_sub(1) / CHUNK * CHUNK;
            line_end <= failing_chunk_start
        }
        _ => true,
    };
    let mut errors = Vec::new();
    if let Some(de) = &decode_error {
        let at = Span::new(file, de.text_offset, de.text_offset + 3);
        errors.push(
            Diagnostic::error("SUP002", de.message.clone())
                .at(at, "not valid UTF-8")
                .help("supervisord reads configs as UTF-8; re-encode the file"),
        );
    }
    if let Some(mh) = &parsed.missing_header {
        let d = Diagnostic::error(
            "SUP003",
            format!(
                "File contains no section headers.\nfile: {}, line: {}\n{}",
                repr(name),
                mh.line,
                repr(&mh.raw)
            ),
        )
        .at(mh.span, "this line comes before any [section] header");
        let d = if mh.raw.starts_with('\u{feff}') {
            d.help("the file starts with a UTF-8 byte order mark, which supervisord does not strip; save it without BOM")
        } else {
            d
        };
        if header_first {
            errors.insert(0, d);
        } else {
            errors.push(d);
        }
    }
    if !parsed.bad_lines.is_empty() {
        let mut msg = format!("Source contains parsing errors: {}", repr(name));
        for b in &parsed.bad_lines {
            msg.push_str(&format!("\n\t[line {:2}]: {}", b.line, repr(&b.raw)));
        }
        let mut d = Diagnostic::error("SUP004", msg).at(
            parsed.bad_lines[0].span,
            "expected `[section]` or `key = value`",
        );
        for b in &parsed.bad_lines[1..] {
            d = d.related(b.span, "also not a header or option");
        }
        errors.push(d);
    }
    loaded.diagnostics.extend(errors);
    loaded.comments.extend(parsed.comments);
    Some(file)
}

const CHUNK: usize = 8192;

struct DecodeError {
    message: String,
    /// End of the 8 KiB chunk whose decoding failed.
    failing_chunk_end: usize,
    /// Offset of the replacement character in the decoded text.
    text_offset: usize,
}

/// Decodes UTF-8 like Python's text mode would, keeping going past errors
/// (replacement characters) and reporting the first error as Python does:
/// positions count bytes within the decoder's current 8 KiB input.
fn decode(bytes: Vec<u8>) -> (String, Option<DecodeError>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let bytes = e.as_bytes();
            let e = e.utf8_error();
            let start = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let text_offset = String::from_utf8_lossy(&bytes[..start]).len();
            let (len, reason) = match e.error_len() {
                Some(n) => {
                    let lead = bytes[start];
                    let reason = if (0xC2..=0xF4).contains(&lead) {
                        "invalid continuation byte"
                    } else {
                        "invalid start byte"
                    };
                    (n, reason)
                }
                None => (bytes.len() - start, "unexpected end of data"),
            };
            let (pos, failing_chunk_end) = python_position(bytes);
            let message = if len == 1 {
                format!(
                    "'utf-8' codec can't decode byte 0x{:02x} in position {pos}: {reason}",
                    bytes[start]
                )
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {pos}-{}: {reason}",
                    pos + len - 1
                )
            };
            (
                text,
                Some(DecodeError {
                    message,
                    failing_chunk_end,
                    text_offset,
                }),
            )
        }
    }
}

/// Simulates CPython's incremental decoder over 8 KiB chunks (an
/// incomplete sequence at a chunk's end is carried into the next input).
/// Returns the error position within the failing input and the end offset
/// of the chunk whose decoding failed.
fn python_position(bytes: &[u8]) -> (usize, usize) {
    let mut input_start = 0;
    let mut chunk_start = 0;
    while chunk_start < bytes.len() {
        let end = (chunk_start + CHUNK).min(bytes.len());
        match std::str::from_utf8(&bytes[input_start..end]) {
            Ok(_) => input_start = end,
            Err(e) if e.error_len().is_some() || end == bytes.len() => {
                return (e.valid_up_to(), end);
            }
            Err(e) => input_start += e.valid_up_to(),
        }
        chunk_start = end;
    }
    (0, bytes.len())
}

fn process_includes(loaded: &mut Loaded, host: &Host) {
    let here = loaded.here.clone();
    loaded.ini.expand_here(&here);
    let Some(found) = loaded.ini.get("include", "files") else {
        let span = loaded.ini.section("include").map(|s| s.headers[0]);
        loaded.diagnostics.push(
            Diagnostic::error(
                "SUP005",
                ".ini file has [include] section, but no files setting",
            )
            .at_opt(span, "this [include] has no `files =`"),
        );
        return;
    };
    let raw = found.value.to_string();
    let via = found.entry.def.value_span;
    let mut mapping = Mapping::new();
    mapping.set_str("here", here.clone());
    mapping.set_str("host_node_name", host.node_name.clone());
    for (k, v) in &host.env {
        mapping.set_str(format!("ENV_{k}"), v.clone());
    }
    let files = match format(&raw, &mapping) {
        Ok(f) => f,
        Err(e) => {
            loaded
                .diagnostics
                .push(format_error(&raw, "include.files", &e, &mapping).at(via, "in this value"));
            return;
        }
    };
    let mut total = 0usize;
    for pattern in unicode::split_whitespace(&files) {
        let joined = join(&here, pattern);
        let result = glob::glob(&joined, limits::MAX_INCLUDED_FILES + 1);
        if result.paths.is_empty() {
            let msg = format!("No file matches via include \"{joined}\"");
            loaded.diagnostics.push(
                Diagnostic::warning("SUP040", msg.clone()).at(via, "this pattern matches no file"),
            );
            loaded.parse_warnings.push(msg);
            continue;
        }
        let mut paths = result.paths;
        paths.sort();
        for path in paths {
            total += 1;
            if total > limits::MAX_INCLUDED_FILES {
                loaded.diagnostics.push(
                    Diagnostic::error(
                        "SUP090",
                        format!(
                            "the [include] patterns match more than {} files; supc stops there",
                            limits::MAX_INCLUDED_FILES
                        ),
                    )
                    .at(via, "these patterns"),
                );
                return;
            }
            loaded
                .parse_infos
                .push(format!("Included extra file \"{path}\" during parsing"));
            let file = read_one(loaded, &path, Path::new(&path));
            loaded.includes.push(IncludedFile {
                path: path.clone(),
                file,
                via: Some(via),
            });
            let incdir = dirname(&abspath(&path, &host.cwd)).to_string();
            loaded.ini.expand_here(&incdir);
        }
    }
}

/// supervisord's wording for a failed `%` expansion.
pub fn format_error(value: &str, label: &str, err: &FormatError, mapping: &Mapping) -> Diagnostic {
    match err {
        FormatError::MissingKey(name) => Diagnostic::error(
            "SUP010",
            format!(
                "Format string {} for {} contains names ({}) which cannot be expanded. Available names: {}",
                repr(value),
                repr(label),
                repr(name),
                mapping.sorted_names().join(", ")
            ),
        )
        .help(format!(
            "`%({name})s` is not available in this option; write `%%` for a literal percent sign"
        )),
        FormatError::Bad(msg) => Diagnostic::error(
            "SUP011",
            format!(
                "Format string {} for {} is badly formatted: {msg}",
                repr(value),
                repr(label)
            ),
        )
        .help("supervisord expands `%(name)s`; write `%%` for a literal percent sign"),
        FormatError::TooLong(_) => Diagnostic::error(
            "SUP090",
            format!(
                "Format string {} for {} would expand to more than supc's limits ({} MiB for one value, {} MiB for all instances)",
                repr(value),
                repr(label),
                crate::limits::MAX_VALUE_BYTES >> 20,
                crate::limits::MAX_EXPANDED_BYTES >> 20
            ),
        )
        .help("a width or precision this large is almost certainly a typo"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_messages_like_python() {
        let (_, e) = decode(b"[a]\nx=caf\xe9!\n".to_vec());
        assert_eq!(
            e.unwrap().message,
            "'utf-8' codec can't decode byte 0xe9 in position 9: invalid continuation byte"
        );
        let (_, e) = decode(b"\x80".to_vec());
        assert_eq!(
            e.unwrap().message,
            "'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte"
        );
        let (_, e) = decode(b"ab\xe2\x82".to_vec());
        assert_eq!(
            e.unwrap().message,
            "'utf-8' codec can't decode bytes in position 2-3: unexpected end of data"
        );
    }

    #[test]
    fn positions_are_relative_to_the_chunk() {
        let mut bytes = vec![b'a'; 10000];
        bytes[9000] = 0xff;
        assert_eq!(python_position(&bytes), (9000 - 8192, 10000));
        // A sequence cut by the chunk boundary is carried into the next input.
        let mut bytes = vec![b'a'; 10000];
        bytes[8191] = 0xc3;
        bytes[8192] = 0x41;
        assert_eq!(python_position(&bytes).0, 0);
    }
}
