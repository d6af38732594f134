//! Python's `str % mapping` (printf-style formatting with a dict).
//!
//! supervisord expands every option it reads with `value % expansions`, so
//! supc must accept exactly the specs CPython accepts, produce the same text,
//! and fail with the same message at the same spec. The pieces come from
//! `grammar/percent_format.pest`; this module evaluates them left to right
//! with CPython's argument bookkeeping (one unkeyed spec takes the whole
//! mapping, a second one finds no argument left).

use super::int::PyInt;
use super::repr::{ascii, repr};
use indexmap::IndexMap;
use pest::Parser;
use pest::iterators::Pair;
use std::fmt::Write;
use std::sync::Arc;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/percent_format.pest"]
struct FormatGrammar;

/// A value in the expansion mapping: supervisord only ever puts strings and
/// integers (`process_num`, `numprocs`) there. Strings are shared, because
/// the same values are copied into every instance's mapping.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    Str(Arc<str>),
    Int(PyInt),
}

impl PyValue {
    pub fn str(s: &str) -> PyValue {
        PyValue::Str(Arc::from(s))
    }

    fn repr(&self) -> String {
        match self {
            PyValue::Str(s) => repr(s),
            PyValue::Int(i) => i.to_string(),
        }
    }
}

/// An insertion-ordered dict of expansion names, like the Python dict
/// supervisord builds (its order shows through the bare `%s` quirk).
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    entries: IndexMap<Arc<str>, PyValue, rustc_hash::FxBuildHasher>,
}

impl Mapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// `d[key] = value`: a new key goes last, an existing key keeps its place.
    pub fn set(&mut self, key: impl AsRef<str>, value: PyValue) {
        self.set_full(key.as_ref(), value);
    }

    /// [`Self::set`] that says where the key is (for [`Self::set_at`]).
    pub fn set_full(&mut self, key: &str, value: PyValue) -> usize {
        match self.entries.get_full_mut(key) {
            Some((i, _, slot)) => {
                *slot = value;
                i
            }
            None => self.entries.insert_full(Arc::from(key), value).0,
        }
    }

    /// [`Self::set`] where `index` is most likely `key`'s place.
    pub fn set_at(&mut self, index: usize, key: &str, value: PyValue) {
        match self.entries.get_index_mut(index) {
            Some((k, slot)) if **k == *key => *slot = value,
            _ => self.set(key, value),
        }
    }

    pub fn set_str(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
        self.set_str_full(key.as_ref(), value.as_ref());
    }

    /// [`Self::set_str`] that says where the key is (for
    /// [`Self::set_str_at`]).
    pub fn set_str_full(&mut self, key: &str, value: &str) -> usize {
        match self.entries.get_full_mut(key) {
            Some((i, _, slot)) => {
                set_if_changed(slot, value);
                i
            }
            None => {
                self.entries
                    .insert_full(Arc::from(key), PyValue::str(value))
                    .0
            }
        }
    }

    /// The key at `index` (keys never move: nothing removes one but
    /// [`Self::truncate`]).
    pub fn key_at(&self, index: usize) -> Option<&str> {
        self.entries.get_index(index).map(|(k, _)| &**k)
    }

    /// `d[self.key_at(index)] = value` without looking the key up (the
    /// instance loop sets the same `ENV_*` keys for every instance).
    pub fn set_str_at(&mut self, index: usize, value: &str) {
        if let Some((_, slot)) = self.entries.get_index_mut(index) {
            set_if_changed(slot, value);
        }
    }

    pub fn get(&self, key: &str) -> Option<&PyValue> {
        self.entries.get(key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// `d.update(other)`.
    pub fn update(&mut self, other: &Mapping) {
        for (k, v) in &other.entries {
            match self.entries.get_mut(k) {
                Some(slot) => {
                    if slot != v {
                        *slot = v.clone();
                    }
                }
                None => {
                    self.entries.insert(k.clone(), v.clone());
                }
            }
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(|k| &**k)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every key after the first `len` (the newest ones).
    pub fn truncate(&mut self, len: usize) {
        self.entries.truncate(len);
    }

    /// `repr(d)`.
    pub fn repr(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&repr(k));
            out.push_str(": ");
            out.push_str(&v.repr());
        }
        out.push('}');
        out
    }

    /// The names sorted by code point, as in supervisord's "Available names".
    pub fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.keys().collect();
        names.sort_unstable();
        names
    }
}

/// Sets a string value, keeping the old allocation when the text is the same.
fn set_if_changed(slot: &mut PyValue, value: &str) {
    match slot {
        PyValue::Str(old) if **old == *value => {}
        _ => *slot = PyValue::str(value),
    }
}

/// Where `%(name)s` looks names up: one dict, or supervisord's
/// `dict(list(a.items()) + list(b.items()))` without building it.
pub trait Lookup {
    fn get(&self, key: &str) -> Option<&PyValue>;
    /// [`Self::get`] of a key whose [`key_hash`] is `hash`.
    fn get_hashed(&self, key: &str, hash: u64) -> Option<&PyValue> {
        let _ = hash;
        self.get(key)
    }
    /// The dict itself (for `%s` and error messages; rarely needed).
    fn merged(&self) -> Mapping;
}

/// The hash a [`Mapping`] gives `key` (templates compute their keys' once).
pub fn key_hash(key: &str) -> u64 {
    std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, key)
}

impl Lookup for Mapping {
    fn get(&self, key: &str) -> Option<&PyValue> {
        self.entries.get(key)
    }

    fn get_hashed(&self, key: &str, hash: u64) -> Option<&PyValue> {
        use indexmap::map::RawEntryApiV1;
        self.entries
            .raw_entry_v1()
            .from_hash(hash, |k| **k == *key)
            .map(|(_, v)| v)
    }

    fn merged(&self) -> Mapping {
        self.clone()
    }
}

/// `a` overlaid with `b` (b wins; a's keys keep their order).
pub struct Layers<'a>(pub &'a Mapping, pub &'a Mapping);

impl Lookup for Layers<'_> {
    fn get(&self, key: &str) -> Option<&PyValue> {
        self.1.get(key).or_else(|| self.0.get(key))
    }

    fn get_hashed(&self, key: &str, hash: u64) -> Option<&PyValue> {
        self.1
            .get_hashed(key, hash)
            .or_else(|| self.0.get_hashed(key, hash))
    }

    fn merged(&self) -> Mapping {
        let mut m = self.0.clone();
        m.update(self.1);
        m
    }
}

/// Why `value % mapping` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `KeyError`: the name is not in the mapping.
    MissingKey(String),
    /// Any other error, with CPython's message.
    Bad(String),
    /// The result would be longer than supc's limit (this many bytes);
    /// CPython would build it.
    TooLong(usize),
}

/// Evaluates `template % mapping`.
pub fn format(template: &str, mapping: &dyn Lookup) -> Result<String, FormatError> {
    if !template.contains('%') {
        return Ok(template.to_string());
    }
    Template::parse(template).render(mapping)
}

/// A parsed format string, reusable for every instance of a section.
///
/// The pieces point into one copy of the text, so a template is three
/// allocations (with its `Rc`) however many pieces it has.
#[derive(Debug)]
pub struct Template {
    text: Box<str>,
    pieces: Vec<Piece>,
    /// Length of the literal text, to size the output.
    size_hint: usize,
}

/// `start..end` of the template's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slice {
    start: usize,
    end: usize,
}

impl Slice {
    fn of(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

#[derive(Debug)]
enum Piece {
    Literal(Slice),
    Escape,
    Spec(SpecParts),
    /// A spec cut off by the end of the string.
    Incomplete(SpecParts),
    /// `%(` whose parentheses never close.
    IncompleteKey,
    /// The grammar rejected the string (it accepts everything; defensive).
    Unparsable(String),
}

#[derive(Debug, Default)]
struct SpecParts {
    /// The key and its [`key_hash`].
    key: Option<(Slice, u64)>,
    ljust: bool,
    sign: bool,
    blank: bool,
    alt: bool,
    zero: bool,
    width: Option<Number>,
    /// `Some(None)`: a `.` with no digits (precision 0).
    prec: Option<Option<Number>>,
    /// The conversion character and its index in the template (in chars).
    conv: Option<(char, usize)>,
}

#[derive(Debug)]
enum Number {
    Star,
    /// Digits' value, `None` past CPython's limit ("width too big",
    /// "precision too big", reported when the spec is reached).
    Digits(Option<usize>),
}

const WIDTH_MAX: u128 = i64::MAX as u128;
const PREC_MAX: u128 = i32::MAX as u128;

/// The value of an ASCII digit string, if at most `max`.
fn digits_value(digits: &str, max: u128) -> Option<usize> {
    let mut v: u128 = 0;
    for c in digits.bytes() {
        v = v * 10 + u128::from(c - b'0');
        if v > max {
            return None;
        }
    }
    Some(v as usize)
}

fn number_of(s: &str, max: u128) -> Number {
    if s == "*" {
        Number::Star
    } else {
        Number::Digits(digits_value(s, max))
    }
}

impl Template {
    pub fn parse(template: &str) -> Template {
        Self::parse_common(template).unwrap_or_else(|| Self::parse_by_grammar(template))
    }

    /// Templates made only of literal text, `%%` and complete
    /// `%(key)[flags][width][.precision][length]conversion` specs with a
    /// plain key and digit-only width and precision (what configs write),
    /// parsed directly; `None` for anything else. The grammar's per-parse
    /// setup costs several times the scan itself, and a big config has
    /// thousands of distinct templates. `tests::common_parse_is_the_grammar`
    /// holds this to the grammar's answers.
    fn parse_common(template: &str) -> Option<Template> {
        let bytes = template.as_bytes();
        let mut pieces = Vec::new();
        let mut size_hint = 0;
        let mut i = 0;
        while i < bytes.len() {
            let Some(rel) = template[i..].find('%') else {
                size_hint += bytes.len() - i;
                pieces.push(Piece::Literal(Slice {
                    start: i,
                    end: bytes.len(),
                }));
                break;
            };
            if rel > 0 {
                size_hint += rel;
                pieces.push(Piece::Literal(Slice {
                    start: i,
                    end: i + rel,
                }));
            }
            i += rel + 1;
            match bytes.get(i) {
                Some(b'%') => {
                    pieces.push(Piece::Escape);
                    i += 1;
                    continue;
                }
                Some(b'(') => {}
                _ => return None,
            }
            let close = i + template[i..].find(')')?;
            let key = &template[i + 1..close];
            if key.contains('(') {
                return None;
            }
            let mut parts = SpecParts {
                key: Some((
                    Slice {
                        start: i + 1,
                        end: close,
                    },
                    key_hash(key),
                )),
                ..SpecParts::default()
            };
            i = close + 1;
            while let Some(&c) = bytes.get(i) {
                match c {
                    b'-' => parts.ljust = true,
                    b'+' => parts.sign = true,
                    b' ' => parts.blank = true,
                    b'#' => parts.alt = true,
                    b'0' => parts.zero = true,
                    _ => break,
                }
                i += 1;
            }
            let digits = |from: usize| {
                from + bytes[from..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count()
            };
            let end = digits(i);
            if end > i {
                parts.width = Some(number_of(&template[i..end], WIDTH_MAX));
                i = end;
            }
            if bytes.get(i) == Some(&b'.') {
                let end = digits(i + 1);
                parts.prec =
                    Some((end > i + 1).then(|| number_of(&template[i + 1..end], PREC_MAX)));
                i = end;
            }
            if matches!(bytes.get(i), Some(b'h' | b'l' | b'L')) {
                i += 1;
            }
            // Width and precision stars, and a spec cut off by the end, go to
            // the grammar.
            let conv = template.get(i..)?.chars().next()?;
            if conv == '*' {
                return None;
            }
            parts.conv = Some((conv, template[..i].chars().count()));
            i += conv.len_utf8();
            pieces.push(Piece::Spec(parts));
        }
        Some(Template {
            text: template.into(),
            pieces,
            size_hint,
        })
    }

    /// The template as the grammar (grammar/percent_format.pest) reads it.
    fn parse_by_grammar(template: &str) -> Template {
        let mut pieces = Vec::new();
        let mut size_hint = 0;
        match FormatGrammar::parse(Rule::format, template) {
            Err(e) => pieces.push(Piece::Unparsable(e.to_string())),
            Ok(pairs) => {
                for p in pairs {
                    match p.as_rule() {
                        Rule::literal => {
                            size_hint += p.as_str().len();
                            pieces.push(Piece::Literal(slice(p.as_span())));
                        }
                        Rule::escape => pieces.push(Piece::Escape),
                        Rule::spec => pieces.push(Piece::Spec(spec_parts(p, template))),
                        Rule::incomplete => pieces.push(Piece::Incomplete(spec_parts(p, template))),
                        Rule::incomplete_key => pieces.push(Piece::IncompleteKey),
                        _ => {}
                    }
                }
            }
        }
        Template {
            text: template.into(),
            pieces,
            size_hint,
        }
    }

    /// The text the template was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `%(key)` names the template looks up, in order, without repeats.
    pub fn keys(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for piece in &self.pieces {
            if let Piece::Spec(parts) | Piece::Incomplete(parts) = piece
                && let Some(k) = parts
                    .key
                    .map(|(k, _)| k.of(&self.text))
                    .filter(|k| !out.contains(k))
            {
                out.push(k);
            }
        }
        out
    }

    /// Applies the template to a mapping, with CPython's errors in order.
    pub fn render(&self, mapping: &dyn Lookup) -> Result<String, FormatError> {
        self.render_within(mapping, crate::limits::MAX_VALUE_BYTES)
    }

    /// [`Self::render`] of at most `limit` bytes.
    pub fn render_within(&self, mapping: &dyn Lookup, limit: usize) -> Result<String, FormatError> {
        thread_local! {
            /// Where values are built before they get an exact-size copy
            /// (they are kept per instance, so no slack).
            static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
        }
        let mut out = SCRATCH.take();
        out.clear();
        out.reserve(self.size_hint + 16);
        let mut state = Formatter {
            mapping,
            next_arg: Some(Arg::Mapping),
            out,
            limit,
        };
        let result = self.render_into(&mut state);
        let value = result.map(|()| state.out.as_str().to_string());
        // A huge value's buffer is not kept for the rest of the run.
        if state.out.capacity() <= 1 << 16 {
            SCRATCH.set(state.out);
        }
        value
    }

    /// [`Self::render_within`] that appends to `out` (left as it was on
    /// error).
    pub fn render_append(
        &self,
        mapping: &dyn Lookup,
        out: &mut String,
        limit: usize,
    ) -> Result<(), FormatError> {
        let start = out.len();
        let mut state = Formatter {
            mapping,
            next_arg: Some(Arg::Mapping),
            out: std::mem::take(out),
            limit: start.saturating_add(limit),
        };
        let result = self.render_into(&mut state);
        *out = state.out;
        if result.is_err() {
            out.truncate(start);
        }
        result.map_err(|e| match e {
            FormatError::TooLong(_) => FormatError::TooLong(limit),
            e => e,
        })
    }

    fn render_into(&self, state: &mut Formatter<'_>) -> Result<(), FormatError> {
        for piece in &self.pieces {
            if state.out.len() > state.limit {
                return Err(state.too_long());
            }
            match piece {
                Piece::Literal(t) => state.out.push_str(t.of(&self.text)),
                Piece::Escape => state.out.push('%'),
                Piece::Spec(parts) => state.spec(parts, &self.text)?,
                Piece::Incomplete(parts) => {
                    state.head(parts, &self.text)?;
                    return Err(FormatError::Bad("incomplete format".into()));
                }
                Piece::IncompleteKey => {
                    return Err(FormatError::Bad("incomplete format key".into()));
                }
                Piece::Unparsable(e) => {
                    return Err(FormatError::Bad(format!("unparsable format string: {e}")));
                }
            }
        }
        if state.out.len() > state.limit {
            return Err(state.too_long());
        }
        Ok(())
    }
}

/// A template with every spec already rendered but those of one integer
/// key, the hole: runs of text, and the places where the hole's value goes.
/// A section's instances differ in `process_num` and little else, so
/// their values are planned once and each instance only writes digits.
#[derive(Debug)]
pub struct Plan {
    text: String,
    pieces: Vec<PlanPiece>,
    /// The most a render can write: the text, and per hole its width or
    /// the 20 digits of the largest `u64`.
    most: usize,
}

#[derive(Debug)]
enum PlanPiece {
    Text(Slice),
    /// The hole's value as `plain` writes a non-negative integer.
    Number {
        width: usize,
        zero: bool,
        ljust: bool,
    },
}

/// Widths above this are left to the general path, which checks them
/// against the limits before it writes anything.
const PLAN_WIDTH_MAX: usize = 256;

impl Template {
    /// The plan of this template for `mapping` when only `hole` changes:
    /// `None` when some piece could render differently for another value
    /// of a key `varying` names, or for another value of `hole` than a
    /// plain decimal; when a spec takes the whole mapping (whose text
    /// shows every value) or a star; or when rendering would fail (the
    /// general path then says why).
    pub fn plan(
        &self,
        mapping: &dyn Lookup,
        hole: &str,
        varying: &dyn Fn(&str) -> bool,
    ) -> Option<Plan> {
        let mut state = Formatter {
            mapping,
            next_arg: Some(Arg::Mapping),
            out: String::with_capacity(self.size_hint),
            limit: crate::limits::MAX_VALUE_BYTES,
        };
        let mut pieces = Vec::new();
        let mut run_start = 0;
        // The text written since the last hole, as a piece.
        let flush = |pieces: &mut Vec<PlanPiece>, run_start: usize, end: usize| {
            if end > run_start {
                pieces.push(PlanPiece::Text(Slice {
                    start: run_start,
                    end,
                }));
            }
        };
        for piece in &self.pieces {
            match piece {
                Piece::Literal(t) => state.out.push_str(t.of(&self.text)),
                Piece::Escape => state.out.push('%'),
                Piece::Spec(parts) => {
                    let key = parts.key.map(|(k, _)| k.of(&self.text))?;
                    if key == hole {
                        let number = hole_piece(parts)?;
                        flush(&mut pieces, run_start, state.out.len());
                        pieces.push(number);
                        run_start = state.out.len();
                        continue;
                    }
                    let star = matches!(parts.width, Some(Number::Star))
                        || matches!(parts.prec, Some(Some(Number::Star)));
                    if varying(key) || star {
                        return None;
                    }
                    // A keyed spec reads its own value, whatever came before.
                    state.spec(parts, &self.text).ok()?;
                }
                Piece::Incomplete(_) | Piece::IncompleteKey | Piece::Unparsable(_) => {
                    return None;
                }
            }
            if state.out.len() > state.limit {
                return None;
            }
        }
        flush(&mut pieces, run_start, state.out.len());
        let holes = pieces.iter().map(|p| match p {
            PlanPiece::Number { width, .. } => (*width).max(20),
            PlanPiece::Text(_) => 0,
        });
        Some(Plan {
            most: state.out.len() + holes.sum::<usize>(),
            text: state.out,
            pieces,
        })
    }
}

/// The hole's spec as a [`PlanPiece::Number`], when `Formatter::plain`
/// writes every non-negative integer for it.
fn hole_piece(parts: &SpecParts) -> Option<PlanPiece> {
    let (conv, _) = parts.conv?;
    if parts.prec.is_some() || parts.sign || parts.blank {
        return None;
    }
    let width = match parts.width {
        None => 0,
        Some(Number::Digits(Some(w))) if w <= PLAN_WIDTH_MAX => w,
        Some(_) => return None,
    };
    if !plain_int(conv, width) {
        return None;
    }
    Some(PlanPiece::Number {
        width,
        zero: parts.zero,
        ljust: parts.ljust,
    })
}

impl Plan {
    /// Appends what the template renders to with `hole` set to the integer
    /// `value` (and everything else as planned).
    pub fn render_append(&self, value: u64, out: &mut String) {
        let mut buf = [0u8; 20];
        let digits = crate::python::int::decimal_digits(value, &mut buf);
        out.reserve(self.most);
        for piece in &self.pieces {
            match *piece {
                PlanPiece::Text(t) => out.push_str(t.of(&self.text)),
                PlanPiece::Number { width, zero, ljust } => {
                    push_digits(out, digits, width, zero, ljust);
                }
            }
        }
    }
}

fn slice(span: pest::Span<'_>) -> Slice {
    Slice {
        start: span.start(),
        end: span.end(),
    }
}

fn spec_parts(pair: Pair<'_, Rule>, template: &str) -> SpecParts {
    let mut parts = SpecParts::default();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::mapping_key => {
                // `(` + key + `)`.
                let span = part.as_span();
                let key = part.into_inner().next().map_or(
                    Slice {
                        start: span.start() + 1,
                        end: span.start() + 1,
                    },
                    |k| slice(k.as_span()),
                );
                parts.key = Some((key, key_hash(key.of(template))));
            }
            Rule::flags => {
                for c in part.as_str().chars() {
                    match c {
                        '-' => parts.ljust = true,
                        '+' => parts.sign = true,
                        ' ' => parts.blank = true,
                        '#' => parts.alt = true,
                        _ => parts.zero = true,
                    }
                }
            }
            Rule::width => parts.width = Some(number_of(part.as_str(), WIDTH_MAX)),
            Rule::precision => {
                parts.prec = Some(
                    part.into_inner()
                        .next()
                        .map(|p| number_of(p.as_str(), PREC_MAX)),
                )
            }
            Rule::conversion => {
                let c = part.as_str().chars().next().unwrap_or('?');
                let index = template[..part.as_span().start()].chars().count();
                parts.conv = Some((c, index));
            }
            _ => {}
        }
    }
    parts
}

#[derive(Clone, Copy)]
enum Arg<'m> {
    Mapping,
    Value(&'m PyValue),
}

#[derive(Default)]
struct Spec {
    ljust: bool,
    sign: bool,
    blank: bool,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

struct Formatter<'m> {
    mapping: &'m dyn Lookup,
    /// CPython's `argidx < arglen`: the one argument still available.
    next_arg: Option<Arg<'m>>,
    out: String,
    /// The longest `out` may grow (supc's limit, see `limits`).
    limit: usize,
}

impl<'m> Formatter<'m> {
    fn take_arg(&mut self) -> Result<Arg<'m>, FormatError> {
        self.next_arg
            .take()
            .ok_or_else(|| FormatError::Bad("not enough arguments for format string".into()))
    }

    /// Key lookup, flags, width and precision, with their errors in order.
    fn head(&mut self, parts: &SpecParts, text: &str) -> Result<Spec, FormatError> {
        let mut spec = Spec {
            ljust: parts.ljust,
            sign: parts.sign,
            blank: parts.blank,
            alt: parts.alt,
            zero: parts.zero,
            width: None,
            prec: None,
        };
        if let Some((key, hash)) = parts.key {
            let key = key.of(text);
            let mapping = self.mapping;
            match mapping.get_hashed(key, hash) {
                Some(v) => self.next_arg = Some(Arg::Value(v)),
                None => return Err(FormatError::MissingKey(key.to_string())),
            }
        }
        match &parts.width {
            None => {}
            Some(Number::Star) => {
                let w = self.star_arg()?;
                if w < 0 {
                    spec.ljust = true;
                }
                spec.width = Some(w.unsigned_abs() as usize);
            }
            Some(Number::Digits(Some(w))) => spec.width = Some(*w),
            Some(Number::Digits(None)) => return Err(FormatError::Bad("width too big".into())),
        }
        match &parts.prec {
            None => {}
            Some(None) => spec.prec = Some(0),
            Some(Some(Number::Star)) => {
                let v = self.star_arg()?;
                spec.prec = (v >= 0).then_some(v as usize);
            }
            Some(Some(Number::Digits(Some(p)))) => spec.prec = Some(*p),
            Some(Some(Number::Digits(None))) => {
                return Err(FormatError::Bad("precision too big".into()));
            }
        }
        Ok(spec)
    }

    fn star_arg(&mut self) -> Result<i64, FormatError> {
        match self.take_arg()? {
            Arg::Value(PyValue::Int(i)) => i.to_i64().ok_or_else(|| {
                FormatError::Bad("Python int too large to convert to C ssize_t".into())
            }),
            _ => Err(FormatError::Bad("* wants int".into())),
        }
    }

    fn too_long(&self) -> FormatError {
        FormatError::TooLong(self.limit)
    }

    fn spec(&mut self, parts: &SpecParts, text: &str) -> Result<(), FormatError> {
        let spec = self.head(parts, text)?;
        let arg = self.take_arg()?;
        let Some((conv, index)) = parts.conv else {
            return Ok(());
        };
        // A width or (numeric) precision is that many characters, made
        // before anything else could stop it.
        let room = self.limit.saturating_sub(self.out.len());
        let prec = if matches!(conv, 's' | 'r' | 'a') {
            0
        } else {
            spec.prec.unwrap_or(0)
        };
        if spec.width.unwrap_or(0).max(prec) > room {
            return Err(self.too_long());
        }
        if self.plain(&spec, conv, arg) {
            return Ok(());
        }
        let (text, numeric) = match conv {
            's' | 'r' | 'a' => (self.stringish(arg, conv), false),
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => (integer(arg, conv, &spec)?, true),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => (float(arg, conv, &spec)?, true),
            'c' => (character(arg)?.to_string(), false),
            other => {
                let shown = if (' '..='~').contains(&other) {
                    other
                } else {
                    '?'
                };
                return Err(FormatError::Bad(format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {index}",
                    other as u32
                )));
            }
        };
        output(&mut self.out, &spec, conv, &text, numeric);
        Ok(())
    }

    /// What configs write almost always, `%(name)s` of a string and
    /// `%(name)d`/`%(name)02d`/`%(name)s` of a non-negative integer, written
    /// straight to the output; `false` for everything else (the general
    /// path handles it, with the same result).
    fn plain(&mut self, spec: &Spec, conv: char, arg: Arg<'_>) -> bool {
        if spec.prec.is_some() || spec.sign || spec.blank {
            return false;
        }
        match (conv, arg) {
            ('s', Arg::Value(PyValue::Str(s))) if spec.width.is_none() => {
                self.out.push_str(s);
                true
            }
            (_, Arg::Value(PyValue::Int(i))) => {
                let width = spec.width.unwrap_or(0);
                let Some(v) = i.to_i64().filter(|v| *v >= 0) else {
                    return false;
                };
                if !plain_int(conv, width) {
                    return false;
                }
                let mut buf = [0u8; 20];
                let digits = crate::python::int::decimal_digits(v as u64, &mut buf);
                // `width` is within the limit (checked by `spec`).
                self.out.reserve(width.max(digits.len()));
                push_digits(&mut self.out, digits, width, spec.zero, spec.ljust);
                true
            }
            _ => false,
        }
    }

    fn stringish(&self, arg: Arg<'_>, conv: char) -> String {
        match (arg, conv) {
            (Arg::Mapping, _) => self.mapping.merged().repr(),
            (Arg::Value(PyValue::Str(s)), 's') => s.to_string(),
            (Arg::Value(PyValue::Str(s)), 'r') => repr(s),
            (Arg::Value(PyValue::Str(s)), _) => ascii(s),
            (Arg::Value(PyValue::Int(i)), _) => i.to_string(),
        }
    }
}

/// Whether `Formatter::plain` writes a non-negative integer for a spec with
/// this conversion and width (and no sign, blank or precision): as
/// digits padded to the width.
fn plain_int(conv: char, width: usize) -> bool {
    matches!(conv, 'd' | 'i' | 'u') || (conv == 's' && width == 0)
}

/// ASCII `digits` padded to `width`: on the left with zeros (`zero`) or
/// spaces, or on the right with spaces (`ljust`, which wins over `zero`).
fn push_digits(out: &mut String, digits: &[u8], width: usize, zero: bool, ljust: bool) {
    let pad = width.saturating_sub(digits.len());
    if !ljust {
        push_n(out, if zero { '0' } else { ' ' }, pad);
    }
    // Pushed as ASCII chars: no UTF-8 check needed.
    for &d in digits {
        out.push(char::from(d));
    }
    if ljust {
        push_n(out, ' ', pad);
    }
}

/// `n` copies of an ASCII `fill`.
fn push_n(out: &mut String, fill: char, n: usize) {
    for _ in 0..n {
        out.push(fill);
    }
}

fn type_name(arg: Arg<'_>) -> &'static str {
    match arg {
        Arg::Mapping => "dict",
        Arg::Value(PyValue::Str(_)) => "str",
        Arg::Value(PyValue::Int(_)) => "int",
    }
}

fn integer(arg: Arg<'_>, conv: char, spec: &Spec) -> Result<String, FormatError> {
    let Arg::Value(PyValue::Int(i)) = arg else {
        let what = if matches!(conv, 'o' | 'x' | 'X') {
            "an integer"
        } else {
            "a real number"
        };
        return Err(FormatError::Bad(format!(
            "%{conv} format: {what} is required, not {}",
            type_name(arg)
        )));
    };
    let (radix, prefix) = match conv {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = i.abs_digits(radix);
    if conv == 'X' {
        digits = digits.to_ascii_uppercase();
    }
    if let Some(p) = spec.prec
        && p > digits.len()
    {
        digits = "0".repeat(p - digits.len()) + &digits;
    }
    let mut s = String::new();
    if i.is_negative() {
        s.push('-');
    }
    if spec.alt {
        s.push_str(prefix);
    }
    s.push_str(&digits);
    Ok(s)
}

fn float(arg: Arg<'_>, conv: char, spec: &Spec) -> Result<String, FormatError> {
    let x = match arg {
        Arg::Value(PyValue::Int(i)) => i
            .to_f64()
            .ok_or_else(|| FormatError::Bad("int too large to convert to float".into()))?,
        other => {
            return Err(FormatError::Bad(format!(
                "must be real number, not {}",
                type_name(other)
            )));
        }
    };
    let prec = spec.prec.unwrap_or(6);
    let s = match conv.to_ascii_lowercase() {
        'f' => format!("{x:.prec$}"),
        'e' => exp_format(x, prec),
        _ => general_format(x, prec, spec.alt),
    };
    let s = if spec.alt && conv.eq_ignore_ascii_case(&'f') && prec == 0 {
        s + "."
    } else if spec.alt && conv.eq_ignore_ascii_case(&'e') && prec == 0 {
        s.replacen('e', ".e", 1)
    } else {
        s
    };
    Ok(if conv.is_ascii_uppercase() {
        s.to_ascii_uppercase()
    } else {
        s
    })
}

/// C's `%.{prec}e`: mantissa, then `e`, sign and at least two digits.
fn exp_format(x: f64, prec: usize) -> String {
    let s = format!("{x:.prec$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// C's `%g`: `%e` or `%f` by exponent, trailing zeros removed unless `#`.
fn general_format(x: f64, prec: usize, alt: bool) -> String {
    let p = prec.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let exp: i64 = sci
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let mut s = if exp >= -4 && exp < p as i64 {
        let decimals = (p as i64 - 1 - exp).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        exp_format(x, p - 1)
    };
    if !alt {
        s = strip_fraction_zeros(&s);
    } else if !s.contains('.') {
        match s.find('e') {
            Some(i) => s.insert(i, '.'),
            None => s.push('.'),
        }
    }
    s
}

fn strip_fraction_zeros(s: &str) -> String {
    let (num, exp) = match s.find('e') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let num = if num.contains('.') {
        num.trim_end_matches('0').trim_end_matches('.')
    } else {
        num
    };
    format!("{num}{exp}")
}

fn character(arg: Arg<'_>) -> Result<char, FormatError> {
    match arg {
        Arg::Value(PyValue::Str(s)) if s.chars().count() == 1 => {
            Ok(s.chars().next().unwrap_or(' '))
        }
        Arg::Value(PyValue::Int(i)) => {
            let cp = i
                .to_i64()
                .filter(|v| (0..=0x10FFFF).contains(v))
                .ok_or_else(|| FormatError::Bad("%c arg not in range(0x110000)".into()))?;
            // A lone surrogate cannot live in a Rust string; see README
            // "Compatibility".
            Ok(char::from_u32(cp as u32).unwrap_or('\u{FFFD}'))
        }
        _ => Err(FormatError::Bad("%c requires int or char".into())),
    }
}

/// CPython's `unicode_format_arg_output`: sign, `0x` prefix, padding.
fn output(out: &mut String, spec: &Spec, conv: char, text: &str, numeric: bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut len = chars.len();
    let width = spec.width.unwrap_or(0);
    if matches!(conv, 's' | 'r' | 'a')
        && let Some(p) = spec.prec
    {
        len = len.min(p);
    }
    let mut idx = 0;
    let mut sign_char = None;
    if numeric {
        match chars.first() {
            Some(&c @ ('-' | '+')) => {
                sign_char = Some(c);
                len -= 1;
                idx = 1;
            }
            _ if spec.sign => sign_char = Some('+'),
            _ if spec.blank => sign_char = Some(' '),
            _ => {}
        }
    }
    let fill = if numeric && spec.zero && !spec.ljust {
        '0'
    } else {
        ' '
    };
    let mut width = width.max(len);
    if let Some(s) = sign_char {
        if fill != ' ' {
            out.push(s);
        }
        if width > len {
            width -= 1;
        }
    }
    let has_prefix = spec.alt && matches!(conv, 'x' | 'X' | 'o');
    if has_prefix {
        if fill != ' ' {
            out.extend(&chars[idx..idx + 2]);
            idx += 2;
        }
        width = width.saturating_sub(2);
        len -= 2;
    }
    if width > len && !spec.ljust {
        out.extend(std::iter::repeat_n(fill, width - len));
        width = len;
    }
    if fill == ' ' {
        if let Some(s) = sign_char {
            out.push(s);
        }
        if has_prefix {
            out.extend(&chars[idx..idx + 2]);
            idx += 2;
        }
    }
    out.extend(&chars[idx..idx + len]);
    if width > len {
        let _ = write!(out, "{:width$}", "", width = width - len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> Mapping {
        let mut m = Mapping::new();
        m.set_str("s", "ab");
        m.set("n", PyValue::Int(PyInt::from(5)));
        m.set("m", PyValue::Int(PyInt::from(-3)));
        m
    }

    fn f(t: &str) -> String {
        match format(t, &mapping()) {
            Ok(s) => s,
            Err(FormatError::MissingKey(k)) => format!("KeyError {k}"),
            Err(FormatError::Bad(m)) => format!("!! {m}"),
            Err(FormatError::TooLong(n)) => format!("TooLong {n}"),
        }
    }

    #[test]
    fn results_stop_at_the_limit() {
        let m = mapping();
        let within = |t: &str, limit: usize| Template::parse(t).render_within(&m, limit);
        assert_eq!(within("%(s)5s", 5), Ok("   ab".to_string()));
        assert_eq!(within("%(s)6s", 5), Err(FormatError::TooLong(5)));
        assert_eq!(within("%(n).6d", 5), Err(FormatError::TooLong(5)));
        assert_eq!(within("%(s).9s", 5), Ok("ab".to_string()));
        assert_eq!(within("%(s)s%(s)s%(s)s", 5), Err(FormatError::TooLong(5)));
        assert_eq!(within("abcdef", 5), Err(FormatError::TooLong(5)));
        // A width is refused before anything is built.
        assert_eq!(
            within("%(s)3000000000000s", 1 << 20),
            Err(FormatError::TooLong(1 << 20))
        );
        // Appending counts only what is appended, and leaves `out` as it was.
        let mut out = String::from("0123456789");
        let t = Template::parse("%(s)4s");
        assert_eq!(
            t.render_append(&m, &mut out, 3),
            Err(FormatError::TooLong(3))
        );
        assert_eq!(out, "0123456789");
        assert_eq!(t.render_append(&m, &mut out, 4), Ok(()));
        assert_eq!(out, "0123456789  ab");
    }

    #[test]
    fn conversions_match_cpython() {
        let cases = [
            ("%(s)s-%(n)02d", "ab-05"),
            ("%(n)-05d|", "5    |"),
            ("%(m)05d", "-0003"),
            ("%(m)+5d", "   -3"),
            ("%(n)#o", "0o5"),
            ("%(n)#10x", "       0x5"),
            ("%(n)#010x", "0x00000005"),
            ("%(m)#010X", "-0X0000003"),
            ("%(n).3x", "005"),
            ("%(m).3d", "-003"),
            ("%(n) d", " 5"),
            ("%(n)+.2f", "+5.00"),
            ("%(n)010.3e", "05.000e+00"),
            ("%(n)g", "5"),
            ("%(n)#g", "5.00000"),
            ("%(n)10r", "         5"),
            ("%(s)-6r|", "'ab'  |"),
            ("%(s).1r", "'"),
            ("%(n)05s", "    5"),
            ("%(s).0s", ""),
            ("100%%", "100%"),
            ("%(n)ld", "5"),
        ];
        for (t, want) in cases {
            assert_eq!(f(t), want, "{t}");
        }
    }

    /// The grammar's pieces in [`super::super::percent`]'s terms.
    fn grammar_pieces(t: &str) -> Vec<crate::python::percent::Piece> {
        use crate::python::percent::{Piece as P, Spec as S};
        let pairs = FormatGrammar::parse(Rule::format, t).expect("every input parses");
        let mut out = Vec::new();
        for p in pairs {
            let span = p.as_span();
            let (start, end) = (span.start(), span.end());
            let rule = p.as_rule();
            let mut spec = S {
                start,
                end,
                key: None,
                conv: None,
                star: false,
            };
            match rule {
                Rule::escape => {
                    out.push(P::Escape(start));
                    continue;
                }
                Rule::spec | Rule::incomplete | Rule::incomplete_key => {}
                _ => continue,
            }
            for inner in p.into_inner().flatten() {
                match inner.as_rule() {
                    Rule::key => spec.key = Some(inner.as_str().to_string()),
                    Rule::conversion => spec.conv = inner.as_str().chars().next(),
                    Rule::width | Rule::prec_value => spec.star |= inner.as_str() == "*",
                    _ => {}
                }
            }
            out.push(P::Spec(spec));
        }
        out
    }

    #[test]
    fn scanner_is_the_grammar_on_examples() {
        for t in [
            "a %% %(x(y))s % s %-10.2ld %(z",
            "%",
            "%(a)",
            "%(a",
            "%.*s %*d",
            "%(\u{e9})\u{e9}",
        ] {
            assert_eq!(crate::python::percent::pieces(t), grammar_pieces(t), "{t}");
        }
    }

    proptest::proptest! {
        /// The scanner the other stages use finds what the grammar finds.
        #[test]
        fn scanner_is_the_grammar(
            t in "([a-z\u{e9}]{0,2}(%%|%(\\([a-z()]{0,4}\\))?[-+ #0]{0,2}[0-9*]{0,2}(\\.[0-9*]{0,2})?[hlL]?[a-z%*(\u{e9}]?)){0,4}[%(]{0,2}"
        ) {
            proptest::prop_assert_eq!(crate::python::percent::pieces(&t), grammar_pieces(&t));
        }

        #[test]
        fn scanner_is_the_grammar_on_any_text(t in "[%()a-z0-9.*hlL#+ -]{0,14}") {
            proptest::prop_assert_eq!(crate::python::percent::pieces(&t), grammar_pieces(&t));
        }

        #[test]
        fn common_parse_is_the_grammar(t in "[%()a-z0-9.*hlL#+ -]{0,14}") {
            if let Some(fast) = Template::parse_common(&t) {
                let slow = Template::parse_by_grammar(&t);
                proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            }
        }

        /// Mostly well-formed specs, so the direct path is taken often.
        #[test]
        fn common_parse_is_the_grammar_on_specs(
            t in "([a-z\u{e9}]{0,3}(%%|%\\([a-z_()]{0,4}\\)[-+ #0]{0,2}[0-9*]{0,2}(\\.[0-9*]{0,2})?[hlL]?[a-z%*\u{e9}]?)){0,3}[a-z%(]{0,2}"
        ) {
            let slow = Template::parse_by_grammar(&t);
            if let Some(fast) = Template::parse_common(&t) {
                proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            }
        }
    }

    #[test]
    fn common_parse_takes_config_templates() {
        for t in [
            "/usr/bin/w --id 3 %(process_num)02d",
            "%(program_name)s_%(process_num)s",
            "%(here)s/../log/%(ENV_HOME)s.%(n)-5.2ld 100%%",
            "\u{e9}%(k)s\u{fc}%(k)\u{e9}",
        ] {
            let fast = Template::parse_common(t).expect("common");
            assert_eq!(
                format!("{fast:?}"),
                format!("{:?}", Template::parse_by_grammar(t))
            );
        }
        for t in ["%s", "%(a)*d", "%(a(b))s", "%(a)5", "50%", "%(a"] {
            assert!(Template::parse_common(t).is_none(), "{t}");
        }
    }

    /// The fast path for `s`/`d` (`Formatter::plain`), against CPython 3.11.
    #[test]
    fn plain_path_matches_cpython() {
        let mut m = Mapping::new();
        m.set("z", PyValue::Int(PyInt::from(0)));
        m.set("n", PyValue::Int(PyInt::from(42)));
        m.set("big", PyValue::Int(PyInt::from(123456)));
        m.set("m", PyValue::Int(PyInt::from(-3)));
        m.set(
            "h",
            PyValue::Int(crate::python::int::parse_int("100000000000000000000").unwrap()),
        );
        m.set_str("s", "ab");
        let cases = [
            ("%(z)d", "0"),
            ("%(n)02d", "42"),
            ("%(z)02d", "00"),
            ("%(n)5d", "   42"),
            ("%(n)-5d|", "42   |"),
            ("%(big)05d", "123456"),
            ("%(n)s", "42"),
            ("%(m)d", "-3"),
            ("%(n)-05d|", "42   |"),
            ("%(n)#3d", " 42"),
            (
                "%(h)s|%(h)03i|%(h)u",
                "100000000000000000000|100000000000000000000|100000000000000000000",
            ),
            ("%(s)s%(s)-s%(s)05s", "abab   ab"),
        ];
        for (t, want) in cases {
            assert_eq!(format(t, &m).unwrap(), want, "{t}");
        }
    }

    #[test]
    fn errors_match_cpython() {
        let cases = [
            ("%(s)i", "!! %i format: a real number is required, not str"),
            ("%(s)o", "!! %o format: an integer is required, not str"),
            ("%(s)c", "!! %c requires int or char"),
            ("%(m)c", "!! %c arg not in range(0x110000)"),
            ("%(n)*d", "!! not enough arguments for format string"),
            ("%(s)*d", "!! * wants int"),
            ("%(s)", "!! incomplete format"),
            ("%(zz)", "KeyError zz"),
            ("%(s", "!! incomplete format key"),
            ("%s %s", "!! not enough arguments for format string"),
            (
                "%(n)z",
                "!! unsupported format character 'z' (0x7a) at index 4",
            ),
            ("%(s)s %z", "!! not enough arguments for format string"),
            (
                "%5%",
                "!! unsupported format character '%' (0x25) at index 2",
            ),
            ("%d", "!! %d format: a real number is required, not dict"),
            ("e%f", "!! must be real number, not dict"),
            ("%", "!! incomplete format"),
            ("%(a(b)c)s", "KeyError a(b)c"),
        ];
        for (t, want) in cases {
            assert_eq!(f(t), want, "{t}");
        }
    }

    /// The mapping of `plan_is_the_general_render` with `p` set to `n`.
    fn with_hole(n: u64) -> Mapping {
        let mut m = mapping();
        m.set("p", PyValue::Int(PyInt::from(n as i64)));
        m.set_str("ENV_V", "v%");
        m
    }

    /// Templates of literal runs, `%%` and specs over the keys of
    /// [`with_hole`] (and a missing one), mostly well-formed.
    fn plan_templates() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let spec = (
            prop_oneof![
                4 => Just("(p)"),
                1 => Just("(s)"),
                1 => Just("(n)"),
                1 => Just("(m)"),
                1 => Just("(ENV_V)"),
                1 => Just("(x)"),
                1 => Just(""),
            ],
            prop_oneof![3 => Just(String::new()), 2 => Just("0".to_string()), 2 => "[-+ #0]{1,2}"],
            prop_oneof![
                3 => Just(String::new()),
                3 => "[1-9]",
                1 => "[0-9]{2,3}",
                1 => Just("*".to_string())
            ],
            prop_oneof![4 => Just(String::new()), 1 => "\\.[0-9]{0,2}"],
            proptest::sample::select(vec![
                "d", "d", "d", "s", "s", "i", "u", "x", "r", "c", "f", "",
            ]),
        )
            .prop_map(|(key, flags, width, prec, conv)| {
                format!("%{key}{flags}{width}{prec}{conv}")
            });
        let piece = prop_oneof![2 => "[a-z/ \u{e9}]{1,3}", 1 => Just("%%".to_string()), 3 => spec];
        proptest::collection::vec(piece, 0..5).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        /// A plan renders what the template renders, for every value of
        /// its hole, or there is no plan; keys named varying are never
        /// planned.
        #[test]
        fn plan_is_the_general_render(
            t in plan_templates(),
            values in proptest::collection::vec(0u64..100_000, 1..4),
        ) {
            let template = Template::parse(&t);
            let varying = |k: &str| k.starts_with("ENV_");
            let Some(plan) = template.plan(&with_hole(values[0]), "p", &varying) else {
                return Ok(());
            };
            proptest::prop_assert!(!template.keys().iter().any(|k| varying(k)), "{}", &t);
            for n in values {
                let mut planned = String::from("before");
                plan.render_append(n, &mut planned);
                let general = template.render(&with_hole(n)).map(|r| format!("before{r}"));
                proptest::prop_assert_eq!(Ok(planned), general, "{} with p={}", &t, n);
            }
        }
    }

    #[test]
    fn config_templates_are_planned() {
        let varying = |k: &str| k.starts_with("ENV_");
        let cases = [
            ("/w --id %(n)d --shard %(p)02d", 7, "/w --id 5 --shard 07"),
            ("%(s)s_%(p)d", 12, "ab_12"),
            ("/l/%(s)s-%(p)-4d|%(p)s|%(p)4i", 3, "/l/ab-3   |3|   3"),
            ("100%% %(m)05d %(p)u", 0, "100% -0003 0"),
            ("%(p)06d %(p)-d", 42, "000042 42"),
        ];
        for (t, n, want) in cases {
            let plan = Template::parse(t)
                .plan(&with_hole(1), "p", &varying)
                .unwrap_or_else(|| panic!("no plan for {t}"));
            let mut out = String::new();
            plan.render_append(n, &mut out);
            assert_eq!(out, want, "{t}");
        }
        // What could render differently for another instance, or fails.
        for t in [
            "%(ENV_V)s %(p)d",
            "%s %(p)d",
            "%(p)+d",
            "%(p).2d",
            "%(p)x",
            "%(p)5s",
            "%(p)*d",
            "%(p)300d",
            "%(zz)s %(p)d",
            "%(p)",
        ] {
            assert!(
                Template::parse(t)
                    .plan(&with_hole(1), "p", &varying)
                    .is_none(),
                "{t}"
            );
        }
    }

    /// A key's precomputed hash finds it as a plain lookup does.
    #[test]
    fn hashed_lookup_is_lookup() {
        let mut top = mapping();
        top.set_str("t\u{e9}", "x");
        let base = mapping();
        let layers = Layers(&base, &top);
        for key in ["s", "n", "m", "t\u{e9}", "", "missing"] {
            let hash = key_hash(key);
            assert_eq!(top.get_hashed(key, hash), Lookup::get(&top, key), "{key}");
            assert_eq!(layers.get_hashed(key, hash), layers.get(key), "{key}");
        }
    }

    /// Setting by index is setting by key: same values, same order.
    #[test]
    fn set_at_is_set() {
        let (mut by_key, mut by_index) = (mapping(), mapping());
        let a = by_index.set_str_full("ENV_A", "1");
        let b = by_index.set_str_full("ENV_B", "x");
        by_key.set_str("ENV_A", "1");
        by_key.set_str("ENV_B", "x");
        assert_eq!(by_index.key_at(a), Some("ENV_A"));
        assert_eq!(by_index.key_at(b), Some("ENV_B"));
        assert_eq!(by_index.key_at(99), None);
        for (i, k, v) in [(b, "ENV_B", "y"), (a, "ENV_A", "1"), (a, "ENV_A", "")] {
            by_key.set_str(k, v);
            by_index.set_str_at(i, v);
            assert_eq!(by_index.repr(), by_key.repr());
        }
        assert_eq!(by_index.set_str_full("s", "ab"), 0);
        assert_eq!(by_index.repr(), by_key.repr());
        let n = PyValue::Int(PyInt::from(7));
        assert_eq!(by_index.set_full("n", n.clone()), 1);
        by_key.set("n", n.clone());
        by_key.set("new", n.clone());
        // A wrong place sets by key.
        by_index.set_at(0, "n", PyValue::Int(PyInt::from(9)));
        by_index.set_at(1, "n", n.clone());
        by_index.set_at(0, "new", n);
        by_key.set("n", PyValue::Int(PyInt::from(9)));
        by_key.set("n", PyValue::Int(PyInt::from(7)));
        assert_eq!(by_index.repr(), by_key.repr());
        assert_eq!(
            by_key.repr(),
            "{'s': 'ab', 'n': 7, 'm': -3, 'ENV_A': '', 'ENV_B': 'y', 'new': 7}"
        );
    }

    #[test]
    fn keys_in_order() {
        let t = Template::parse("%(a)s %%(b)s %(c)02d %(a)r %(d(e))s");
        assert_eq!(t.keys(), ["a", "c", "d(e)"]);
    }

    #[test]
    fn bare_s_dumps_the_mapping() {
        assert_eq!(f("x %s"), "x {'s': 'ab', 'n': 5, 'm': -3}");
    }
}
