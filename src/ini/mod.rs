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
#[derive(Clone, Debug)]
pub struct Definition {
    pub key_span: Span,
    pub value_span: Span,
    /// The text as written (joined), before `%(here)s` replacement. Until
    /// `%(here)s` changes it, the entry's `value` is this same allocation
    /// (and so is every other value of the same text read with it).
    pub written: Arc<str>,
    /// The section header it was written under (for `[DEFAULT]` values
    /// copied into a section, the `[DEFAULT]` header).
    pub from_default: bool,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Arc<str>,
    pub def: Definition,
    /// Earlier definitions of the same key that this one overrode.
    pub overridden: Overridden,
}

impl Entry {
    /// A key's first definition: its value is the text as written.
    pub fn new(key_span: Span, value_span: Span, written: Arc<str>) -> Self {
        Entry {
            value: written.clone(),
            def: Definition {
                key_span,
                value_span,
                written,
                from_default: false,
            },
            overridden: Overridden::default(),
        }
    }
}

/// The definitions an [`Entry`] overrode, oldest first. Almost every key is
/// written once, so an empty list costs one word (a `Vec` costs three in
/// each of a large config's entries).
#[derive(Clone, Debug, Default)]
#[allow(clippy::box_collection)]
pub struct Overridden(Option<Box<Vec<Definition>>>);

impl Overridden {
    pub fn push(&mut self, def: Definition) {
        self.0.get_or_insert_default().push(def);
    }
}

impl std::ops::Deref for Overridden {
    type Target = [Definition];

    fn deref(&self) -> &[Definition] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl<'a> IntoIterator for &'a Overridden {
    type Item = &'a Definition;
    type IntoIter = std::slice::Iter<'a, Definition>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A section; its name is its key in [`Ini::sections`].
#[derive(Clone, Debug)]
pub struct Section {
    /// Every `[name]` header, in reading order.
    pub headers: Vec<Span>,
    /// Keys are interned by the [`Ini`] while it is loaded: thousands of
    /// sections share one `command`.
    pub entries: FastIndexMap<Arc<str>, Entry>,
    /// The file in which the section first appeared.
    pub first_file: FileId,
}

impl Section {
    pub fn new(header: Span) -> Self {
        Section {
            headers: vec![header],
            entries: FastIndexMap::default(),
            first_file: header.file,
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

/// Every key and value text read so far, once: thousands of sections share
/// one `command` key and one `autorestart=true`. Only loading needs it, so
/// [`Ini::shrink_to_fit`] lets it go.
#[derive(Clone, Default)]
struct Strings(rustc_hash::FxHashSet<Arc<str>>);

impl Strings {
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
        let mut current: Option<Target> = None;
        let mut events = events.into_iter();
        while let Some(event) = events.next() {
            match event {
                Event::Section(h) if h.name != "DEFAULT" && !keep(h.name) => current = None,
                Event::Section(h) => {
                    let (target, section) = if h.name == "DEFAULT" {
                        let d = match &mut self.defaults {
                            Some(d) => {
                                d.headers.push(h.name_span);
                                d
                            }
                            None => self.defaults.insert(Section::new(h.name_span)),
                        };
                        (Target::Defaults, d)
                    } else {
                        let index = match self.sections.get_full_mut(h.name) {
                            Some((i, _, s)) => {
                                s.headers.push(h.name_span);
                                i
                            }
                            None => {
                                let section = Section::new(h.name_span);
                                self.sections.insert_full(h.name.to_string(), section).0
                            }
                        };
                        (Target::Section(index), &mut self.sections[index])
                    };
                    // Room for the options under this header, at most one
                    // entry each (growing a map step by step costs more, and
                    // the spare room would go when it is shrunk).
                    let options = events
                        .as_slice()
                        .iter()
                        .take_while(|e| matches!(e, Event::Option(_)))
                        .count();
                    section.entries.reserve_exact(options);
                    current = Some(target);
                }
                Event::Option(opt) => {
                    let section = match current {
                        Some(Target::Defaults) => self.defaults.as_mut(),
                        Some(Target::Section(i)) => self.sections.get_index_mut(i).map(|(_, s)| s),
                        None => None,
                    };
                    if let Some(section) = section {
                        set_option(&mut self.strings, section, opt);
                    }
                }
            }
        }
    }

    /// The shared copy of a key or value text (see [`Section::entries`]).
    pub fn intern(&mut self, text: &str) -> Arc<str> {
        self.strings.get(text)
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
                value: &e.value,
                entry: e,
                inherited: false,
            });
        }
        self.defaults
            .as_ref()
            .and_then(|d| d.entries.get(key))
            .map(|e| Found {
                value: &e.value,
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
        let defaults: Vec<(Arc<str>, Entry)> = self
            .defaults
            .iter()
            .flat_map(|d| &d.entries)
            .filter(|(_, e)| e.value.contains(HERE))
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
                if entry.value.contains(HERE) {
                    entry.value = self.strings.get(&entry.value.replace(HERE, here));
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

fn set_option(strings: &mut Strings, section: &mut Section, opt: OptionLine<'_>) {
    let value_span = opt.value_span();
    let written = strings.get(&opt.joined());
    match section.entries.get_mut(&*opt.key) {
        Some(entry) => {
            let def = Definition {
                key_span: opt.key_span,
                value_span,
                written: written.clone(),
                from_default: false,
            };
            let old = std::mem::replace(&mut entry.def, def);
            entry.overridden.push(old);
            entry.value = written;
        }
        None => {
            let key = strings.get(&opt.key);
            section
                .entries
                .insert(key, Entry::new(opt.key_span, value_span, written));
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
        assert_eq!(&*a.entries["command"].value, "/bin/three");
        assert_eq!(a.entries["command"].overridden.len(), 2);
        assert_eq!(&*a.entries["priority"].value, "3");
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
            &*i.defaults.as_ref().unwrap().entries["log"].value,
            "%(here)s/x"
        );
    }

    #[test]
    fn percent_here_breaks_only_textually() {
        let mut i = ini(&["[a]\nx=%%(here)s\n"]);
        i.expand_here("/c");
        assert_eq!(i.get("a", "x").unwrap().value, "%/c");
    }
}
