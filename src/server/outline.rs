//! A document's sections and options with byte ranges, from the lexer
//! (stage 1) alone: what hover, completion, symbols and navigation need to
//! know where the cursor is, available at once on every keystroke and on
//! text supervisord would refuse (half-typed lines are simply not options).

use crate::options::SectionKind;
use crate::source::FileId;
use crate::syntax::{Event, parse_file};
use std::ops::Range;

#[derive(Debug, Clone)]
pub struct Outline {
    pub sections: Vec<SectionInfo>,
}

#[derive(Debug, Clone)]
pub struct SectionInfo {
    pub name: String,
    pub kind: SectionKind,
    /// The name between the brackets.
    pub name_range: Range<usize>,
    /// The header line.
    pub header: Range<usize>,
    /// From the header to the start of the next header (or the end).
    pub full: Range<usize>,
    pub options: Vec<OptionInfo>,
}

#[derive(Debug, Clone)]
pub struct OptionInfo {
    pub key: String,
    pub key_range: Range<usize>,
    /// From the value's start to the end of its last non-empty line.
    pub value_range: Range<usize>,
    /// The joined value, as configparser reads it.
    pub value: String,
}

impl Outline {
    pub fn parse(text: &str) -> Outline {
        let parsed = parse_file(FileId(0), text);
        let mut sections: Vec<SectionInfo> = Vec::new();
        for event in &parsed.events {
            match event {
                Event::Section(h) => {
                    if let Some(last) = sections.last_mut() {
                        last.full.end = h.span.start as usize;
                    }
                    let name = h.name.to_string();
                    sections.push(SectionInfo {
                        kind: SectionKind::of(&name),
                        name,
                        name_range: range(h.name_span),
                        header: range(h.span),
                        full: h.span.start as usize..text.len(),
                        options: Vec::new(),
                    });
                }
                Event::Option(o) => {
                    if let Some(last) = sections.last_mut() {
                        last.options.push(OptionInfo {
                            key: o.key.to_string(),
                            key_range: range(o.key_span),
                            value_range: range(o.value_span()),
                            value: o.value(),
                        });
                    }
                }
            }
        }
        Outline { sections }
    }

    /// The section whose text holds `offset`.
    pub fn section_at(&self, offset: usize) -> Option<&SectionInfo> {
        let i = self.sections.partition_point(|s| s.full.start <= offset);
        self.sections.get(i.checked_sub(1)?)
    }

    /// The option whose key or value holds `offset` (ends inclusive, so a
    /// cursor right after a word still names it).
    pub fn option_at(&self, offset: usize) -> Option<(&SectionInfo, &OptionInfo)> {
        let s = self.section_at(offset)?;
        let o = s.options.iter().find(|o| {
            o.key_range.start <= offset && offset <= o.value_range.end.max(o.key_range.end)
        })?;
        Some((s, o))
    }

    pub fn section(&self, name: &str) -> Option<&SectionInfo> {
        self.sections.iter().find(|s| s.name == name)
    }
}

fn range(span: crate::source::Span) -> Range<usize> {
    span.start as usize..span.end as usize
}

/// What separates the names of a list value: supervisord's commas and
/// blanks, and a YAML list's brackets and quotes.
pub const LIST_SEPS: &[char] = &[',', '[', ']', '"', '\''];

/// The words of a list value with their offsets in `raw`.
pub fn words<'t>(raw: &'t str, seps: &'t [char]) -> impl Iterator<Item = (usize, &'t str)> + 't {
    let is_sep = move |c: char| c.is_whitespace() || seps.contains(&c);
    let mut at = 0;
    raw.split(is_sep).filter_map(move |w| {
        let start = at;
        at += w.len()
            + raw[start + w.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        (!w.is_empty()).then_some((start, w))
    })
}

/// The word of a list value under `offset`: `(start, word)` relative to
/// the text, where words are separated by any of `seps` or whitespace.
pub fn word_at<'t>(text: &'t str, offset: usize, seps: &[char]) -> Option<(usize, &'t str)> {
    let is_sep = |c: char| c.is_whitespace() || seps.contains(&c);
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_sep(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[offset..]
        .find(is_sep)
        .map_or(text.len(), |i| offset + i);
    (start < end).then(|| (start, &text[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sections_options_and_words() {
        let text = "[program:web]\ncommand=run\nnumprocs=2\n[group:g]\nprograms=web, api\n";
        let o = Outline::parse(text);
        assert_eq!(o.sections.len(), 2);
        let at = text.find("run").unwrap();
        let (s, opt) = o.option_at(at).unwrap();
        assert_eq!(
            (s.name.as_str(), opt.key.as_str()),
            ("program:web", "command")
        );
        assert_eq!(o.section_at(text.len()).unwrap().name, "group:g");
        let v = text.find("api").unwrap() + 1;
        let (_, g) = o.option_at(v).unwrap();
        let rel = v - g.value_range.start;
        assert_eq!(word_at(&g.value, rel, &[',']), Some((5, "api")));
    }

    #[test]
    fn words_of_ini_and_yaml_lists() {
        let found: Vec<_> = words("[web, \"api\"]", LIST_SEPS).collect();
        assert_eq!(found, [(1, "web"), (7, "api")]);
        let found: Vec<_> = words("a,b  c", LIST_SEPS).collect();
        assert_eq!(found, [(0, "a"), (2, "b"), (5, "c")]);
    }

    #[test]
    fn half_typed_text_has_no_option_but_keeps_its_section() {
        let o = Outline::parse("[program:x]\ncomm\n[prog");
        assert_eq!(o.sections.len(), 1);
        assert!(o.sections[0].options.is_empty());
    }
}
