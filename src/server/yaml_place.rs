//! Where the cursor is in a supc.yaml spec: the section kind and option a
//! line's key belongs to (`programs:` → `web:` → `numprocs: 4`), from the
//! spec's outline. Enough for completion to use the same option table as
//! for INI files; the spec's own diagnostics come from the YAML front end
//! with their YAML locations.

use super::outline::Outline;
use crate::options::SectionKind;
use std::ops::Range;

/// A `key: value` line of a spec, placed.
#[derive(Debug, PartialEq, Eq)]
pub struct Place {
    pub kind: SectionKind,
    pub key: String,
    pub key_range: Range<usize>,
    /// The scalar after the colon (quotes removed), if any.
    pub value: String,
    pub value_range: Range<usize>,
}

/// The option whose line holds byte `offset` (from the spec's
/// [`Outline`]: its sections and options, found by indentation).
pub fn place_at(text: &str, offset: usize) -> Option<Place> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let outline = Outline::parse_yaml(text);
    let section = outline.section_at(offset)?;
    let o = section
        .options
        .iter()
        .find(|o| (line_start..=line_end).contains(&o.key_range.start))?;
    // A block value's first line is not the key's.
    let value_range = if o.value_range.start > line_end {
        o.key_range.end..o.key_range.end
    } else {
        o.value_range.start..o.value_range.end.min(line_end)
    };
    Some(Place {
        kind: section.kind,
        key: o.key.clone(),
        key_range: o.key_range.clone(),
        value: o.value.clone(),
        value_range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_keys_by_indentation() {
        let text = "supervisord:\n  loglevel: warn\nprograms:\n  web:\n    numprocs: \"4\"\n";
        let p = place_at(text, text.find("numprocs").unwrap()).unwrap();
        assert_eq!(
            (p.kind, p.key.as_str(), p.value.as_str()),
            (SectionKind::Program, "numprocs", "4")
        );
        let p = place_at(text, text.find("warn").unwrap()).unwrap();
        assert_eq!(
            (p.kind, p.key.as_str()),
            (SectionKind::Supervisord, "loglevel")
        );
        // A program's name is not an option.
        assert_eq!(place_at(text, text.find("web").unwrap()), None);
    }
}
