//! Stage 2: lexed files → one [`Ini`] (configparser's shared state).
//!
//! Input: [`ParsedFile`]s in the order supervisord reads them (main file,
//! then included files). Output: sections in order of first appearance,
//! each key's winning value with the span of its definition and every
//! definition it overrode, plus `[DEFAULT]`. Duplicate sections merge and
//! later keys win, across files, exactly like `RawConfigParser(strict=False)`.
//!
//! Invariant: values are the joined, stripped strings configparser would
//! return from `get()`; `%(here)s` textual replacement is applied here too,
//! because supervisord applies it to the parser state between file reads.

use crate::source::{FileId, Span};
use crate::syntax::{Event, OptionLine, ParsedFile};
use indexmap::IndexMap;
use std::sync::Arc;

/// Ordered maps with a fast hasher: keys are short and not attacker-chosen
/// in a way that matters for a one-shot config reader.
pub type FastIndexMap<K, V> = IndexMap<K, V, rustc_hash::FxBuildHasher>;

/// Where a value was written.
#[derive(Clone)]
pub struct Definition {
    pub key_span: Span,
    pub value_span: Span,
    /// The whole text of the file the value was read from, whose
    /// `value_span` is the text as written; or, when `own`, the text as
    /// written itself. Most values are one line of the file, and keeping
    /// the file's text instead of a copy per value saves an allocation per
    /// line (and the file's text is kept for diagnostics anyway).
    text: Arc<Shared>,
    own: bool,
    /// The section header it was written under (for `[DEFAULT]` values
    /// copied into a section, the `[DEFAULT]` header).
    pub from_default: bool,
}

impl Definition {
    /// A definition whose text as written is `written` (a value joined from
    /// several lines, or one that is not in a file's text).
    pub fn new(key_span: Span, value_span: Span, written: String) -> Self {
        Self::owning(key_span, value_span, Arc::new(written))
    }

    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    fn owning(key_span: Span, value_span: Span, written: Arc<String>) -> Self {
        Definition {
            key_span,
            value_span,
            text: Arc::new(Shared(written)),
            own: true,
            from_default: false,
        }
    }

    /// A definition whose text as written, `written`, is the part
    /// `value_span` of `file_text` (`None` when it is not).
    fn in_file(
        key_span: Span,
        value_span: Span,
        written: &str,
        file_text: &Arc<Shared>,
    ) -> Option<Self> {
        let whole = &file_text.0;
        let at = (written.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
        let range = value_span.start as usize..value_span.end as usize;
        if at != range.start || written.len() != range.len() || whole.get(range).is_none() {
            return None;
        }
        Some(Definition {
            key_span,
            value_span,
            text: file_text.clone(),
            own: false,
            from_default: false,
        })
    }

    /// The text as written (joined), before `%(here)s` replacement.
    pub fn written(&self) -> &str {
        if self.own {
            &self.text.0
        } else {
            let span = self.value_span;
            // `in_file` checked the range.
            self.text
                .0
                .get(span.start as usize..span.end as usize)
                .unwrap_or_default()
        }
    }
}

impl std::fmt::Debug for Definition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the file's whole text.
        f.debug_struct("Definition")
            .field("key_span", &self.key_span)
            .field("value_span", &self.value_span)
            .field("written", &self.written())
            .field("from_default", &self.from_default)
            .finish()
    }
}

/// A text the definitions read with one [`Applier`] share: each thread
/// that lexes a part of a file holds the file's text through a handle of
/// its own, so no reference count is changed by two cores at once (each
/// such change moves the count's cache line from one core to the other).
#[allow(
    clippy::rc_buffer,
    reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
)]
struct Shared(Arc<String>);

/// A key's winning definition, and what it overrode.
#[derive(Clone, Debug)]
pub struct Entry {
    pub def: Definition,
    /// What few entries have, behind one word: most keys are written once
    /// and keep the text as written as their value.
    rare: Option<Box<Rare>>,
}

#[derive(Clone, Debug, Default)]
struct Rare {
    /// The value when it is not `def.written()` (after `%(here)s`, or for a
    /// value a YAML spec gives in another form than its text).
    value: Option<Arc<str>>,
    /// Earlier definitions of the same key that this one overrode, oldest
    /// first.
    overridden: Vec<Definition>,
}

impl Entry {
    /// A key's first definition: its value is the text as written.
    pub fn new(key_span: Span, value_span: Span, written: String) -> Self {
        Entry {
            def: Definition::new(key_span, value_span, written),
            rare: None,
        }
    }

    /// A definition whose value is not its text as written.
    pub fn with_value(def: Definition, value: Arc<str>) -> Self {
        let mut entry = Entry { def, rare: None };
        entry.set_value(value);
        entry
    }

    /// The value (configparser's `get()`): the text as written, unless
    /// `%(here)s` replaced part of it.
    pub fn value(&self) -> &str {
        match self.rare.as_ref().and_then(|r| r.value.as_deref()) {
            Some(value) => value,
            None => self.def.written(),
        }
    }

    /// The definitions this one overrode, oldest first.
    pub fn overridden(&self) -> &[Definition] {
        self.rare.as_ref().map_or(&[], |r| &r.overridden)
    }

    fn set_value(&mut self, value: Arc<str>) {
        if *value == *self.def.written() {
            if let Some(r) = &mut self.rare {
                r.value = None;
            }
        } else {
            self.rare.get_or_insert_default().value = Some(value);
        }
    }

    /// A later definition of the key wins: its text is the value.
    fn redefine(&mut self, def: Definition) {
        let old = std::mem::replace(&mut self.def, def);
        let rare = self.rare.get_or_insert_default();
        rare.overridden.push(old);
        rare.value = None;
    }
}

/// An interned key, one pointer wide: keys repeat in every section, so
/// the second indirection costs one allocation per distinct key and saves a
/// word in each entry.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
#[allow(
    clippy::rc_buffer,
    reason = "keys are interned from the `String`s the lexer builds; `Arc<str>` would copy each one"
)]
pub struct Key(Arc<String>);

impl std::ops::Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `str` hashes, so maps of keys are searched by `&str`.
        (**self).hash(state);
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

/// A section's keys and entries in order of first definition.
///
/// A list searched from the front: sections have a few dozen keys at most,
/// and a map's hashes and index would double the size of a large config's
/// parser state. A section with more keys than `Entries::INDEXED` (only a
/// generated or hostile file) also gets an index, so reading stays linear.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    list: Vec<(Key, Entry)>,
    index: Option<Box<rustc_hash::FxHashMap<Key, usize>>>,
}

impl Entries {
    const INDEXED: usize = 32;

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => {
                // Keys of one length often differ in their first or last
                // byte: test those before comparing the whole text.
                let key = key.as_bytes();
                let (first, last) = (key.first(), key.last());
                self.list.iter().position(|(k, _)| {
                    let k = k.as_bytes();
                    k.len() == key.len() && k.first() == first && k.last() == last && k == key
                })
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.position(key).map(|i| &self.list[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.position(key).map(|i| &mut self.list[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key`'s entry, in its place if it has one (else last); returns
    /// the entry it replaced.
    pub fn insert(&mut self, key: Key, entry: Entry) -> Option<Entry> {
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.list[i].1, entry));
        }
        self.push(key, entry);
        None
    }

    /// Adds the entry of a key it does not have.
    fn push(&mut self, key: Key, entry: Entry) {
        let i = self.list.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), i);
        } else if i == Self::INDEXED {
            let index = self.list.iter().enumerate();
            let mut index: rustc_hash::FxHashMap<_, _> =
                index.map(|(i, (k, _))| (k.clone(), i)).collect();
            index.insert(key.clone(), i);
            self.index = Some(Box::new(index));
        }
        self.list.push((key, entry));
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &Entry)> + ExactSizeIterator {
        self.list.iter().map(|(k, e)| (k, e))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.list.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.list.iter().map(|(_, e)| e)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Entry> + ExactSizeIterator {
        self.list.iter_mut().map(|(_, e)| e)
    }

    fn reserve_exact(&mut self, additional: usize) {
        self.list.reserve_exact(additional);
    }

    fn shrink_to_fit(&mut self) {
        self.list.shrink_to_fit();
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = (&'a Key, &'a Entry);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, Entry)>,
        fn(&'a (Key, Entry)) -> (&'a Key, &'a Entry),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter().map(|(k, e)| (k, e))
    }
}

impl std::ops::Index<&str> for Entries {
    type Output = Entry;

    /// The entry of `key`; panics if there is none (tests only).
    fn index(&self, key: &str) -> &Entry {
        match self.get(key) {
            Some(e) => e,
            None => panic!("no entry {key:?}"),
        }
    }
}

/// A section; its name is its key in [`Ini::sections`].
#[derive(Clone, Debug)]
pub struct Section {
    /// Every `[name]` header, in reading order.
    pub headers: Vec<Span>,
    /// Keys are interned by the [`Ini`] while it is loaded: thousands of
    /// sections share one `command`.
    pub entries: Entries,
    /// The file in which the section first appeared.
    pub first_file: FileId,
}

impl Section {
    pub fn new(header: Span) -> Self {
        Section {
            headers: vec![header],
            entries: Entries::default(),
            first_file: header.file,
        }
    }

    /// The same section read later on (see [`Ini::merge`]).
    fn absorb(&mut self, later: Section) {
        self.headers.extend(later.headers);
        for (key, entry) in later.entries.list {
            match self.entries.position(&key) {
                Some(i) => {
                    let into = &mut self.entries.list[i].1;
                    let Entry { def, rare } = entry;
                    for old in rare.map(|r| r.overridden).unwrap_or_default() {
                        into.redefine(old);
                    }
                    into.redefine(def);
                }
                None => self.entries.push(key, entry),
            }
        }
    }
}

/// configparser's state after reading some files.
#[derive(Clone, Debug, Default)]
pub struct Ini {
    pub defaults: Option<Section>,
    pub sections: FastIndexMap<String, Section>,
    strings: Strings,
}

/// Every key and every value text not in a file's text (joined from
/// several lines, or changed by `%(here)s`) read so far, once: thousands of
/// sections share one `command` key. Keys and joined texts share a set.
/// Only loading needs it, so [`Ini::shrink_to_fit`] lets it go.
#[derive(Clone, Default)]
struct Strings(rustc_hash::FxHashSet<Arc<str>>, rustc_hash::FxHashSet<Key>);

impl Strings {
    fn key(&mut self, text: &str) -> Key {
        match self.1.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let key = Key(Arc::new(text.to_string()));
                self.1.insert(key.clone());
                key
            }
        }
    }

    fn get(&mut self, text: &str) -> Arc<str> {
        match self.0.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(text);
                self.0.insert(shared.clone());
                shared
            }
        }
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Strings({} interned)", self.0.len())
    }
}

/// A value found by [`Ini::get`]: from the section itself or `[DEFAULT]`.
#[derive(Clone, Copy, Debug)]
pub struct Found<'a> {
    pub value: &'a str,
    pub entry: &'a Entry,
    pub inherited: bool,
}

impl Ini {
    /// Applies one file's events (`RawConfigParser._read` + the join).
    pub fn apply(&mut self, parsed: &ParsedFile<'_>) {
        self.apply_events(parsed.events.clone());
    }

    /// [`Self::apply`], taking the events.
    pub fn apply_events(&mut self, events: Vec<Event<'_>>) {
        self.apply_sections(events, |_| true);
    }

    /// [`Self::apply_events`] for `[DEFAULT]` and the sections `keep`
    /// accepts: the others are left out, as if they were not written.
    pub fn apply_sections(&mut self, events: Vec<Event<'_>>, keep: impl Fn(&str) -> bool) {
        let mut applier = self.applier(keep);
        for event in events {
            applier.event(event);
        }
    }

    /// Applies events one at a time as the lexer hands them over
    /// ([`crate::syntax::lex_file`]), like [`Self::apply_sections`].
    pub fn applier<K: Fn(&str) -> bool>(&mut self, keep: K) -> Applier<'_, K> {
        Applier {
            ini: self,
            keep,
            file_text: None,
            current: None,
            last_len: 0,
            like_so_far: false,
        }
    }

    /// The shared copy of a key or value text (see [`Section::entries`]).
    pub fn intern(&mut self, text: &str) -> Key {
        self.strings.key(text)
    }

    /// Gives back what the maps grew beyond their final size and the
    /// interned texts' index, once loading is done (a config of thousands of
    /// sections keeps its parser state while it is resolved). Texts read
    /// later are still correct, only no longer shared with earlier ones.
    pub fn shrink_to_fit(&mut self) {
        self.strings = Strings::default();
        self.sections.shrink_to_fit();
        for s in self.sections.values_mut() {
            s.entries.shrink_to_fit();
        }
    }

    /// Applies what `later` read, as if its events had been applied to
    /// this state (a file lexed in parts: [`crate::syntax::split_point`]).
    /// Sections new here come after the others in `later`'s order, a
    /// section in both gets `later`'s headers after its own, and each of
    /// `later`'s keys wins with all its definitions in order. `later` must
    /// come straight from an [`Applier`] (no `%(here)s` replaced yet).
    pub fn merge(&mut self, later: Ini) {
        if let Some(d) = later.defaults {
            match &mut self.defaults {
                Some(into) => into.absorb(d),
                None => self.defaults = Some(d),
            }
        }
        self.sections.reserve(later.sections.len());
        for (name, section) in later.sections {
            match self.sections.get_mut(name.as_str()) {
                Some(into) => into.absorb(section),
                None => {
                    self.sections.insert(name, section);
                }
            }
        }
    }

    pub fn has_section(&self, name: &str) -> bool {
        self.sections.contains_key(name)
    }

    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.get(name)
    }

    /// `parser.get(section, option)`: the section's value, else `[DEFAULT]`'s.
    pub fn get(&self, section: &str, key: &str) -> Option<Found<'_>> {
        self.get_in(self.sections.get(section), key)
    }

    /// [`Self::get`] in a section already looked up (`None`: not there).
    pub fn get_in<'s>(&'s self, section: Option<&'s Section>, key: &str) -> Option<Found<'s>> {
        if let Some(e) = section.and_then(|s| s.entries.get(key)) {
            return Some(Found {
                value: e.value(),
                entry: e,
                inherited: false,
            });
        }
        self.defaults
            .as_ref()
            .and_then(|d| d.entries.get(key))
            .map(|e| Found {
                value: e.value(),
                entry: e,
                inherited: true,
            })
    }

    /// `parser.options(section)`: the section's keys, then `[DEFAULT]`'s.
    pub fn options(&self, section: &str) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .sections
            .get(section)
            .map(|s| s.entries.keys().map(|k| &**k).collect())
            .unwrap_or_default();
        if let Some(d) = &self.defaults {
            for k in d.entries.keys() {
                if !keys.contains(&&**k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// supervisord's `expand_here`: replaces the literal text `%(here)s` in
    /// every value of every section (including values a section inherits
    /// from `[DEFAULT]`, which are thereby copied into it).
    pub fn expand_here(&mut self, here: &str) {
        const HERE: &str = "%(here)s";
        let defaults: Vec<(Key, Entry)> = self
            .defaults
            .iter()
            .flat_map(|d| &d.entries)
            .filter(|(_, e)| e.value().contains(HERE))
            .map(|(k, e)| (k.clone(), e.clone()))
            .collect();
        for section in self.sections.values_mut() {
            for (key, entry) in &defaults {
                if !section.entries.contains_key(key) {
                    let mut copy = entry.clone();
                    copy.def.from_default = true;
                    section.entries.insert(key.clone(), copy);
                }
            }
            for entry in section.entries.values_mut() {
                if entry.value().contains(HERE) {
                    let value = self.strings.get(&entry.value().replace(HERE, here));
                    entry.set_value(value);
                }
            }
        }
    }
}

/// Applies a file's events in order (see [`Ini::applier`]).
pub struct Applier<'i, K> {
    ini: &'i mut Ini,
    keep: K,
    /// The text of the file the events are lexed from, if it is shared.
    file_text: Option<Arc<Shared>>,
    current: Option<Target>,
    /// Options applied under the last header: the room a new section gets,
    /// up to [`Entries::INDEXED`] (the sections of a large config tend to be
    /// alike; what is left over goes in [`Ini::shrink_to_fit`]).
    last_len: usize,
    /// The current section is new, and its keys so far are the first keys
    /// of the section before it in the map (see [`set_option`]).
    like_so_far: bool,
}

impl<K: Fn(&str) -> bool> Applier<'_, K> {
    /// Events lexed from `file_text` (the whole text of one file): a value
    /// written on one line of it keeps a reference to it instead of a copy.
    #[allow(
        clippy::rc_buffer,
        reason = "a file's text is read into a `String` and shared as is (`SourceFile::text`); `Arc<str>` would copy it"
    )]
    pub fn reading(mut self, file_text: &Arc<String>) -> Self {
        self.file_text = Some(Arc::new(Shared(file_text.clone())));
        self
    }

    /// `RawConfigParser._read` for one header or (joined) option.
    pub fn event(&mut self, event: Event<'_>) {
        let ini = &mut *self.ini;
        match event {
            Event::Section(h) if h.name != "DEFAULT" && !(self.keep)(h.name) => {
                self.current = None;
            }
            Event::Section(h) => {
                self.like_so_far = false;
                let target = if h.name == "DEFAULT" {
                    match &mut ini.defaults {
                        Some(d) => d.headers.push(h.name_span),
                        None => ini.defaults = Some(Section::new(h.name_span)),
                    }
                    Target::Defaults
                } else {
                    match ini.sections.get_full_mut(h.name) {
                        Some((i, _, s)) => {
                            s.headers.push(h.name_span);
                            Target::Section(i)
                        }
                        None => {
                            let mut section = Section::new(h.name_span);
                            section
                                .entries
                                .reserve_exact(self.last_len.min(Entries::INDEXED));
                            self.like_so_far = true;
                            Target::Section(ini.sections.insert_full(h.name.to_string(), section).0)
                        }
                    }
                };
                self.current = Some(target);
                self.last_len = 0;
            }
            Event::Option(opt) => {
                // The section before it in the map (usually the one read
                // before it, with the same keys in the same order, in a
                // large config) tells the key to share without a look-up.
                let (section, like) = match self.current {
                    Some(Target::Defaults) => (ini.defaults.as_mut(), None),
                    Some(Target::Section(i)) => {
                        match ini.sections.as_mut_slice().split_at_mut_checked(i) {
                            Some((before, from)) => (
                                from.get_index_mut(0).map(|(_, s)| s),
                                before.last().map(|(_, s)| s),
                            ),
                            None => (None, None),
                        }
                    }
                    None => (None, None),
                };
                if let Some(section) = section {
                    let file_text = self.file_text.as_ref();
                    let like = like.map(|l| (l, &mut self.like_so_far));
                    set_option(&mut ini.strings, file_text, section, like, opt);
                    self.last_len += 1;
                }
            }
        }
    }
}

enum Target {
    Defaults,
    /// The index in [`Ini::sections`].
    Section(usize),
}

fn set_option(
    strings: &mut Strings,
    file_text: Option<&Arc<Shared>>,
    section: &mut Section,
    like: Option<(&Section, &mut bool)>,
    opt: OptionLine<'_>,
) {
    let value_span = opt.value_span();
    let in_file = match (
        file_text,
        opt.one_line().map(crate::python::unicode::rstrip),
    ) {
        (Some(file_text), Some(written)) => {
            Definition::in_file(opt.key_span, value_span, written, file_text)
        }
        _ => None,
    };
    let def = in_file.unwrap_or_else(|| {
        let written = strings.key(&opt.joined()).0;
        Definition::owning(opt.key_span, value_span, written)
    });
    let entry = Entry { def, rare: None };
    // A section alike to the one before it (as in large generated
    // configs) takes that section's key at the same place, so the key
    // is shared without an interner look-up; and while all its keys so
    // far are that section's first keys, which differ from the one at
    // this place, the key is new here without a search.
    let n = section.entries.len();
    let (same, so_far) = match like {
        Some((like, so_far)) => {
            let same = like.entries.list.get(n).map(|(k, _)| k);
            (same.filter(|k| ***k == *opt.key), Some(so_far))
        }
        None => (None, None),
    };
    if let (Some(key), Some(true)) = (same, so_far.as_deref()) {
        section.entries.push(key.clone(), entry);
        return;
    }
    match section.entries.position(&opt.key) {
        Some(i) => section.entries.list[i].1.redefine(entry.def),
        None => {
            let key = match same {
                Some(key) => key.clone(),
                None => {
                    if let Some(so_far) = so_far {
                        *so_far = false;
                    }
                    strings.key(&opt.key)
                }
            };
            section.entries.push(key, entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_file;

    fn ini(files: &[&str]) -> Ini {
        let mut ini = Ini::default();
        for (i, text) in files.iter().enumerate() {
            ini.apply(&parse_file(FileId(i as u32), text));
        }
        ini
    }

    #[test]
    fn duplicates_merge_last_wins() {
        let i = ini(&[
            "[program:a]\ncommand=/bin/one\npriority=3\n[program:a]\ncommand=/bin/two\n",
            "[program:a]\ncommand=/bin/three\n",
        ]);
        let a = i.section("program:a").unwrap();
        assert_eq!(a.entries["command"].value(), "/bin/three");
        assert_eq!(a.entries["command"].overridden().len(), 2);
        assert_eq!(a.entries["priority"].value(), "3");
        assert_eq!(a.headers.len(), 3);
        assert_eq!(a.first_file, FileId(0));
    }

    #[test]
    fn default_inheritance_and_here() {
        let mut i = ini(&["[DEFAULT]\nlog=%(here)s/x\nprio=5\n[program:a]\n"]);
        assert_eq!(i.get("program:a", "prio").unwrap().value, "5");
        assert!(i.get("program:a", "prio").unwrap().inherited);
        i.expand_here("/etc");
        assert_eq!(i.get("program:a", "log").unwrap().value, "/etc/x");
        assert!(!i.get("program:a", "log").unwrap().inherited);
        assert_eq!(
            i.defaults.as_ref().unwrap().entries["log"].value(),
            "%(here)s/x"
        );
    }

    #[test]
    fn one_line_values_are_parts_of_the_file_text() {
        let text = Arc::new("[a]\nx = one \ny=two\n  more\nz=three\n\n\n[b]\nx=one\n".to_string());
        let mut i = Ini::default();
        let mut applier = i.applier(|_| true).reading(&text);
        crate::syntax::lex_file(FileId(0), &text, |e| applier.event(e));
        let a = &i.section("a").unwrap().entries;
        assert_eq!(a["x"].value(), "one");
        assert!(!a["x"].def.own && Arc::ptr_eq(&a["x"].def.text.0, &text));
        assert_eq!(a["y"].value(), "two\nmore");
        assert!(a["y"].def.own);
        // Blank lines after a value are continuation lines the join strips.
        assert_eq!(a["z"].value(), "three");
        assert!(!a["z"].def.own);
        assert_eq!(i.get("b", "x").unwrap().value, "one");
        // Events of another text than the one named are copied.
        let other = Arc::new(text.to_string());
        let mut j = Ini::default();
        let mut applier = j.applier(|_| true).reading(&other);
        crate::syntax::lex_file(FileId(0), &text, |e| applier.event(e));
        assert!(j.section("a").unwrap().entries["x"].def.own);
        assert_eq!(j.get("a", "z").unwrap().value, "three");
    }

    #[test]
    fn alike_sections_share_keys_and_keep_redefinitions() {
        let i = ini(&[
            "[a]\nx=1\ny=2\nz=3\n[b]\nx=1\ny=2\nx=9\nz=3\n[c]\nx=1\nq=2\ny=5\ny=6\n[d]\nq=1\nx=2\n[e]\nq=1\nq=2\nx=3\n[f]\nx=1\nx=2\n",
        ]);
        let keys = |name: &str| -> Vec<String> {
            let s = i.section(name).unwrap();
            s.entries
                .iter()
                .map(|(k, e)| format!("{k}={}/{}", e.value(), e.overridden().len()))
                .collect()
        };
        assert_eq!(keys("b"), ["x=9/1", "y=2/0", "z=3/0"]);
        assert_eq!(keys("c"), ["x=1/0", "q=2/0", "y=6/1"]);
        assert_eq!(keys("d"), ["q=1/0", "x=2/0"]);
        assert_eq!(keys("e"), ["q=2/1", "x=3/0"]);
        // `x` is the key at its place in [e], but [f]'s keys so far are
        // not [e]'s first keys: it is searched for, and found.
        assert_eq!(keys("f"), ["x=2/1"]);
        let key = |s: &str, k: &str| {
            i.section(s)
                .unwrap()
                .entries
                .keys()
                .find(|x| **x == *k)
                .unwrap()
                .0
                .clone()
        };
        assert!(Arc::ptr_eq(&key("a", "z"), &key("b", "z")));
        assert!(Arc::ptr_eq(&key("a", "x"), &key("e", "x")));
    }

    #[test]
    fn entries_stay_small() {
        // 200,000 of them in a config of 20,000 programs.
        assert!(std::mem::size_of::<(Key, Entry)>() <= 56);
    }

    #[test]
    fn percent_here_breaks_only_textually() {
        let mut i = ini(&["[a]\nx=%%(here)s\n"]);
        i.expand_here("/c");
        assert_eq!(i.get("a", "x").unwrap().value, "%/c");
    }
}
