//! Reading the main file and its `[include]`s into one [`Ini`].
//!
//! Input: a config path and the [`Host`]. Output: a [`Loaded`] config: the
//! [`SourceMap`] of every file read, the merged [`Ini`], supervisord's
//! parse warnings and infos, and diagnostics in the order supervisord would
//! raise them (so the first error is the one supervisord prints). Unlike
//! supervisord, reading goes on after an error where that is safe, so
//! `supc check` can report every problem.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::ini::Ini;
use crate::input::{self, ReadError};
use crate::limits;
use crate::python::format::{FormatError, Mapping, format};
use crate::python::path::{abspath, dirname, join};
use crate::python::repr::repr;
use crate::python::{glob, unicode};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::syntax::{BadLine, Comment, ParsedFile, lex_file, lex_from, parse_file, split_point};
use std::path::Path;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

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
    if config_path.is_empty() || !host.config_exists(&full) {
        loaded.diagnostics.push(Diagnostic::error(
            Code::ConfigUnreadable,
            format!("could not find config file {config_path}"),
        ));
        return loaded;
    }
    let main = match read_one(&mut loaded, host, config_path, path) {
        Ok(main) => main,
        Err(e) => {
            // supervisord's words; where it would block or fill memory
            // instead (a FIFO, a device), supc says why it did not read.
            let why = match e {
                ReadError::NotRegular { .. } => format!(": {e}"),
                _ => String::new(),
            };
            loaded.diagnostics.push(Diagnostic::error(
                Code::ConfigUnreadable,
                format!("could not read config file {config_path}{why}"),
            ));
            return loaded;
        }
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
            Code::ParseError,
            format!("supervisord cannot parse {name}"),
        ));
    }
    loaded.comments = comments;
    loaded
}

/// Reads, decodes, lexes and merges one file (the overlay's text, or the
/// regular file on disk). A file over the size bound is kept empty with a
/// `SUP090` error; what cannot be read at all is the caller's to report.
fn read_one(
    loaded: &mut Loaded,
    host: &Host,
    name: &str,
    path: &Path,
) -> Result<FileId, ReadError> {
    let abs = path.to_string_lossy();
    let len = match host.overlay.get(&abs) {
        Some(text) => text.len() as u64,
        None => input::regular_file_len(path)?,
    };
    if len > limits::MAX_FILE_BYTES {
        return Ok(too_large(loaded, name, path, &format!("{len} bytes")));
    }
    let two_threads =
        len >= PARALLEL_BYTES && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !two_threads {
        return read_lexed(loaded, host, name, path);
    }
    read_on_two_threads(loaded, host, name, path, Part::lex)
}

/// Which half of a large file a worker takes.
#[derive(Clone, Copy)]
enum Half {
    Head,
    Tail,
}

/// What a worker made of its half.
enum Lexed {
    Head(Result<Read, ReadError>),
    Tail(Option<LexedPart>),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// [`read_one`] for a large file, on two workers (`parallel::map_with`):
/// one reads the file, sends what follows a split point near the middle
/// to the other, which lexes it with `lex_tail`, and lexes the head. Both
/// start before the file is read: a thread started on an idle core can
/// take milliseconds to run, and the read hides that. A worker that
/// panics is an internal error (`SUP091`), never a half silently lost.
fn read_on_two_threads(
    loaded: &mut Loaded,
    host: &Host,
    name: &str,
    path: &Path,
    lex_tail: fn(Part) -> LexedPart,
) -> Result<FileId, ReadError> {
    let (tx, rx) = std::sync::mpsc::channel::<Part>();
    let (tx, rx) = (Mutex::new(Some(tx)), Mutex::new(rx));
    let target = Mutex::new(&mut *loaded);
    let halves = crate::parallel::map_with(&[Half::Head, Half::Tail], 2, |half| match half {
        Half::Head => {
            // Taken first: should the head panic, the sender is dropped
            // with it and the tail worker stops waiting.
            let tx = lock(&tx).take();
            Lexed::Head(read_head(&mut lock(&target), host, name, path, tx))
        }
        Half::Tail => Lexed::Tail(lock(&rx).recv().ok().map(lex_tail)),
    });
    let (mut head, mut tail) = (None, None);
    match halves {
        Ok(halves) => {
            for half in halves {
                match half {
                    Lexed::Head(h) => head = Some(h),
                    Lexed::Tail(t) => tail = t,
                }
            }
        }
        Err(panicked) => return Ok(internal_error(loaded, name, path, &panicked)),
    }
    match head {
        Some(Ok(Read::Lexed(head))) => Ok(finish(loaded, name, head, tail)),
        Some(Ok(Read::TooLarge(file))) => Ok(file),
        Some(Err(e)) => Err(e),
        // `map_with` gives every item's result or an error.
        None => Ok(file_in_error(
            loaded,
            name,
            path,
            "the file was not read".into(),
        )),
    }
}

/// An empty file in place of one a worker failed on.
fn internal_error(
    loaded: &mut Loaded,
    name: &str,
    path: &Path,
    panicked: &crate::parallel::WorkerPanicked,
) -> FileId {
    file_in_error(loaded, name, path, format!("{name}: {panicked}"))
}

fn file_in_error(loaded: &mut Loaded, name: &str, path: &Path, message: String) -> FileId {
    let file = loaded
        .sources
        .add(SourceFile::new(name.into(), path.into(), String::new()));
    loaded
        .diagnostics
        .push(Diagnostic::error(Code::InternalError, message));
    file
}

/// An empty file in place of one over [`limits::MAX_FILE_BYTES`].
fn too_large(loaded: &mut Loaded, name: &str, path: &Path, size: &str) -> FileId {
    let file = loaded
        .sources
        .add(SourceFile::new(name.into(), path.into(), String::new()));
    loaded.diagnostics.push(Diagnostic::error(
        Code::SupcLimit,
        format!(
            "{name} is {size}; supc reads files of at most {} bytes",
            limits::MAX_FILE_BYTES
        ),
    ));
    file
}

/// Files at least this large are lexed on two threads.
const PARALLEL_BYTES: u64 = 256 * 1024;

/// The end of a file, from a line [`split_point`] found, lexed on its own.
struct Part {
    file: FileId,
    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    text: Arc<String>,
    start: usize,
}

/// A [`Part`] lexed into an INI state of its own (it starts with a
/// header, so there is no missing header).
struct LexedPart {
    ini: Ini,
    bad_lines: Vec<BadLine>,
    comments: Vec<Comment>,
    lines: u32,
}

impl Part {
    fn lex(self) -> LexedPart {
        let mut ini = Ini::default();
        let mut applier = ini.applier(|_| true).reading(&self.text);
        let parsed = lex_from(self.file, &self.text, self.start, |e| applier.event(e));
        LexedPart {
            ini,
            bad_lines: parsed.bad_lines,
            comments: parsed.comments,
            lines: parsed.lines,
        }
    }
}

/// Lexes `text[..upto]` into `ini`, each header and option going into
/// the INI state as it is lexed.
#[allow(
    clippy::rc_buffer,
    reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
)]
fn lex_head<'t>(ini: &mut Ini, file: FileId, text: &'t Arc<String>, upto: usize) -> ParsedFile<'t> {
    let mut applier = ini.applier(|_| true).reading(text);
    lex_file(file, &text[..upto], |e| applier.event(e))
}

/// Merges the tail lexed on its own after the head, as if the whole text
/// had been lexed in one pass.
fn merge_tail(ini: &mut Ini, parsed: &mut ParsedFile<'_>, part: LexedPart) {
    ini.merge(part.ini);
    let before = parsed.lines;
    let shift = |line: &mut u32| *line = line.saturating_add(before);
    parsed
        .bad_lines
        .extend(part.bad_lines.into_iter().map(|mut b| {
            shift(&mut b.line);
            b
        }));
    parsed
        .comments
        .extend(part.comments.into_iter().map(|mut c| {
            shift(&mut c.line);
            c
        }));
    parsed.lines = before.saturating_add(part.lines);
}

/// A file read and its head lexed into the INI state ([`read_head`]).
struct Head {
    file: FileId,
    /// What lexing the head found (its events went into the INI state).
    parsed: ParsedFile<'static>,
    decode_error: Option<DecodeError>,
}

/// What [`read_head`] did with a file.
enum Read {
    /// It grew past the size bound since it was measured: kept empty.
    TooLarge(FileId),
    Lexed(Head),
}

/// Reads and decodes the file and lexes it into `loaded.ini`: all of it,
/// or, given `tail` and a split point, the part before the split, sending
/// the rest to `tail`.
fn read_head(
    loaded: &mut Loaded,
    host: &Host,
    name: &str,
    path: &Path,
    tail: Option<Sender<Part>>,
) -> Result<Read, ReadError> {
    let bytes = match host.read_config(&path.to_string_lossy()) {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge { limit }) => {
            let size = format!("more than {limit} bytes");
            return Ok(Read::TooLarge(too_large(loaded, name, path, &size)));
        }
        Err(e) => return Err(e),
    };
    let (text, decode_error) = decode(bytes);
    let file = loaded
        .sources
        .add(SourceFile::new(name.into(), path.into(), text));
    let text = &loaded.sources.get(file).text;
    // The split is near the middle: the two threads get about the same
    // work.
    let sent = tail.and_then(|tx| {
        let start = split_point(text, text.len() / 2)?;
        let part = Part {
            file,
            text: text.clone(),
            start,
        };
        tx.send(part).ok().map(|()| start)
    });
    let parsed = lex_head(&mut loaded.ini, file, text, sent.unwrap_or(text.len()));
    if sent.is_some() {
        // Room for the other part's sections (about as many, from near the
        // middle), made while the tail may still be lexed.
        loaded.ini.sections.reserve(loaded.ini.sections.len());
    }
    let parsed = ParsedFile {
        events: Vec::new(),
        bad_lines: parsed.bad_lines,
        missing_header: parsed.missing_header,
        comments: parsed.comments,
        lines: parsed.lines,
    };
    Ok(Read::Lexed(Head {
        file,
        parsed,
        decode_error,
    }))
}

/// [`read_one`] after the checks, on this thread.
fn read_lexed(
    loaded: &mut Loaded,
    host: &Host,
    name: &str,
    path: &Path,
) -> Result<FileId, ReadError> {
    Ok(match read_head(loaded, host, name, path, None)? {
        Read::TooLarge(file) => file,
        Read::Lexed(head) => finish(loaded, name, head, None),
    })
}

/// Merges the tail, if it was lexed apart, and reports what supervisord
/// would say of the file's text.
fn finish(loaded: &mut Loaded, name: &str, head: Head, tail: Option<LexedPart>) -> FileId {
    let Head {
        file,
        mut parsed,
        decode_error,
    } = head;
    if let Some(part) = tail {
        merge_tail(&mut loaded.ini, &mut parsed, part);
    }
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
            Diagnostic::error(Code::InvalidUtf8, de.message.clone())
                .at(at, "not valid UTF-8")
                .help("supervisord reads configs as UTF-8; re-encode the file"),
        );
    }
    if let Some(mh) = &parsed.missing_header {
        let d = Diagnostic::error(
            Code::NoSectionHeader,
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
        let mut d = Diagnostic::error(Code::ParseError, msg).at(
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
    file
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
                Code::IncludeWithoutFiles,
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
                Diagnostic::warning(Code::IncludeMatchesNothing, msg.clone())
                    .at(via, "this pattern matches no file"),
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
                        Code::SupcLimit,
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
            // configparser skips an include it cannot open; one that would
            // block supervisord or fill its memory is an error here.
            let file = match read_one(loaded, host, &path, Path::new(&path)) {
                Ok(file) => Some(file),
                Err(e @ ReadError::NotRegular { .. }) => {
                    loaded.diagnostics.push(
                        Diagnostic::error(
                            Code::ConfigUnreadable,
                            format!("could not read included file {path}: {e}"),
                        )
                        .at(via, "included here"),
                    );
                    None
                }
                Err(_) => None,
            };
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
            Code::UnknownExpansion,
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
            Code::BadFormat,
            format!(
                "Format string {} for {} is badly formatted: {msg}",
                repr(value),
                repr(label)
            ),
        )
        .help("supervisord expands `%(name)s`; write `%%` for a literal percent sign"),
        FormatError::TooLong(_) => Diagnostic::error(
            Code::SupcLimit,
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
    use proptest::prelude::*;

    /// Everything a lexed file leaves: the INI state (in order, with spans
    /// and every definition) and the lexer's bad lines and comments.
    fn dump(ini: &Ini, parsed: &ParsedFile<'_>) -> String {
        let mut out = String::new();
        let sections = ini.defaults.iter().map(|d| ("[DEFAULT]", d));
        let sections = sections.chain(ini.sections.iter().map(|(n, s)| (n.as_str(), s)));
        for (name, s) in sections {
            out.push_str(&format!("{name} {:?} {:?}\n", s.headers, s.first_file));
            for (k, e) in &s.entries {
                out.push_str(&format!(
                    "  {k}={:?} {:?} {:?}\n",
                    e.value(),
                    e.def,
                    e.overridden()
                ));
            }
        }
        out.push_str(&format!(
            "{:?}\n{:?}\n{:?}\n{}\n",
            parsed.bad_lines, parsed.missing_header, parsed.comments, parsed.lines
        ));
        out
    }

    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    fn one_pass(text: &Arc<String>) -> String {
        let mut ini = Ini::default();
        let parsed = lex_head(&mut ini, FileId(1), text, text.len());
        dump(&ini, &parsed)
    }

    /// Lexed in two parts at `split`, the second into an INI state of its
    /// own, then merged.
    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    fn two_parts(text: &Arc<String>, split: usize) -> String {
        let mut ini = Ini::default();
        let mut parsed = lex_head(&mut ini, FileId(1), text, split);
        let part = Part {
            file: FileId(1),
            text: text.clone(),
            start: split,
        };
        merge_tail(&mut ini, &mut parsed, part.lex());
        dump(&ini, &parsed)
    }

    fn every_split(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(p) = split_point(text, at) {
            out.push(p);
            at = p + 1;
        }
        out
    }

    fn line() -> impl Strategy<Value = String> {
        let pieces = [
            "[a]",
            "[b]",
            "[DEFAULT]",
            " [a]",
            "\t[b]",
            "\u{c}[a]",
            "[a] ;c",
            "[b]#x",
            "[a]]",
            "[]",
            "[x",
            "[a=b",
            "[ a ]",
            "k=v",
            "k = v2",
            "K : v",
            "x=1",
            "=v",
            "  cont",
            "\tmore",
            "",
            "  ",
            ";c",
            "#c",
            " ;c",
            "k=v ;c",
            "junk",
            "\u{e9}=1",
            "\u{feff}[a]",
            "k=[a]",
            "[c]",
            "[d]",
            "y=2",
            "x=3",
        ];
        prop::sample::select(pieces.to_vec()).prop_map(str::to_string)
    }

    fn text() -> impl Strategy<Value = String> {
        let newline = prop::sample::select(vec!["\n", "\n", "\r\n", "\r"]);
        (
            prop::collection::vec((line(), newline), 0..24),
            any::<bool>(),
        )
            .prop_map(|(lines, end)| {
                let mut s = String::new();
                for (l, n) in lines {
                    s.push_str(&l);
                    s.push_str(n);
                }
                if !end {
                    s.pop();
                }
                s
            })
    }

    proptest! {
        #[test]
        fn lexing_in_two_parts_is_one_pass(text in text()) {
            let text = Arc::new(text);
            let expect = one_pass(&text);
            for split in every_split(&text) {
                prop_assert_eq!(&two_parts(&text, split), &expect, "split at {}", split);
            }
        }
    }

    #[test]
    fn split_points() {
        // Indented (continuation) and form-fed lines are not headers.
        let t = "[a]\nx=1\n  [b]\n\u{c}[b]\n[c]\n";
        assert_eq!(every_split(t), vec![t.find("[c]").unwrap()]);
        // Blank lines inside a value do not end it, a header does.
        let t = "[a]\nx=1\n\n[b]\n";
        assert_eq!(every_split(t), vec![9]);
        assert_eq!(every_split("[a]\r\nx=1\r\n[b]\r\n"), vec![10]);
        assert_eq!(every_split("[a]\rx=1\r[b]\r"), vec![8]);
        // Not at the start of the file, and only lines the lexer reads as
        // headers.
        assert_eq!(every_split("[a]\n"), Vec::<usize>::new());
        assert_eq!(every_split("x=1\ny=2\n"), Vec::<usize>::new());
        assert_eq!(
            every_split("[a]\n[]\n[x\n[a=b\n;[c]\n"),
            Vec::<usize>::new()
        );
        assert_eq!(every_split("x=1\ny=2\n[z] ;c"), vec![8]);
        assert_eq!(split_point("[a]\n[b]\n[c]\n", 5), Some(8));
        assert_eq!(split_point("[a]\n[b]\n", 100), None);
        // A split after headerless lines keeps the missing-header error
        // and the line numbers.
        let text = Arc::new("x=1\r\njunk\r[a]\nk=v\n  c\n[a]\nk=w ;c\n=z\n".to_string());
        for split in every_split(&text) {
            assert_eq!(two_parts(&text, split), one_pass(&text));
        }
    }

    /// A file large enough to be lexed on two threads, in a directory
    /// that is the host's working directory.
    fn big_file() -> (tempfile::TempDir, std::path::PathBuf, Host) {
        let mut text = String::from("[DEFAULT]\nd=1\n");
        for i in 0..6000 {
            text.push_str(&format!(
                "[program:p{}]\r\ncommand=/bin/x {i}\n  --more ;c\n\nnumprocs=2\njunk {i}\n; c\n",
                i % 4000
            ));
        }
        assert!(text.len() as u64 > PARALLEL_BYTES);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.conf");
        std::fs::write(&path, &text).unwrap();
        let host = Host {
            env: Vec::new(),
            node_name: "h".into(),
            cwd: dir.path().to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        };
        (dir, path, host)
    }

    /// A [`Loaded`] with nothing read yet.
    fn nothing_read(host: &Host) -> Loaded {
        let mut l = load("big.conf", host, false);
        l.sources = SourceMap::new();
        l.ini = Ini::default();
        l.diagnostics.clear();
        l.comments.clear();
        l
    }

    fn show(l: &Loaded) -> String {
        let parsed = ParsedFile::default();
        format!(
            "{}{:?}{:?}",
            dump(&l.ini, &parsed),
            l.diagnostics,
            l.comments
        )
    }

    #[test]
    fn a_big_file_reads_like_one_pass() {
        let (_dir, path, host) = big_file();
        let whole = load("big.conf", &host, false);
        let mut one = nothing_read(&host);
        read_lexed(&mut one, &host, "big.conf", &path).unwrap();
        one.ini.shrink_to_fit();
        let mut two = nothing_read(&host);
        read_on_two_threads(&mut two, &host, "big.conf", &path, Part::lex).unwrap();
        two.ini.shrink_to_fit();
        assert!(one.has_errors());
        assert_eq!(show(&two), show(&one));
        assert_eq!(show(&whole), show(&one));
    }

    /// The tail's worker panics: the file is an internal error, not read
    /// without its second half.
    #[test]
    fn a_panicking_half_is_an_internal_error() {
        fn fails(_: Part) -> LexedPart {
            panic!("lexing the tail failed")
        }
        let (_dir, path, host) = big_file();
        let mut l = nothing_read(&host);
        read_on_two_threads(&mut l, &host, "big.conf", &path, fails).unwrap();
        let d = l.diagnostics.last().expect("a diagnostic");
        assert_eq!(d.code, Code::InternalError);
        assert!(
            d.message.contains("lexing the tail failed"),
            "{}",
            d.message
        );
        assert!(l.has_errors());
    }

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
