//! Where the cursor is in a supc.yaml spec: the section kind and option a
//! line's key belongs to, found from the indentation of the lines above
//! (`programs:` → `web:` → `numprocs: 4`). Enough for hover and completion
//! to use the same option table as for INI files; the spec's own
//! diagnostics come from the YAML front end with their YAML locations.

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

/// The section kind of a top-level key, and the depth of its options
/// (1: directly below it, 2: below a name).
fn kind_of(top: &str) -> Option<(SectionKind, usize)> {
    Some(match top {
        "supervisord" => (SectionKind::Supervisord, 1),
        "unix_http_server" => (SectionKind::UnixHttpServer, 1),
        "inet_http_server" => (SectionKind::InetHttpServer, 1),
        "supervisorctl" => (SectionKind::Supervisorctl, 1),
        "include" => (SectionKind::Include, 1),
        "programs" => (SectionKind::Program, 2),
        "eventlisteners" => (SectionKind::EventListener, 2),
        "fcgi_programs" => (SectionKind::FcgiProgram, 2),
        "groups" => (SectionKind::Group, 2),
        _ => return None,
    })
}

/// `(indent, key, key start, rest start)` of a `key:` line.
fn key_line(line: &str) -> Option<(usize, &str, usize, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let body = &line[indent..];
    let end = body.find(':')?;
    let key = body[..end].trim_end();
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    ok.then_some((indent, key, indent, indent + end + 1))
}

/// The option whose line holds byte `offset`.
pub fn place_at(text: &str, offset: usize) -> Option<Place> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let (indent, key, key_at, rest_at) = key_line(line)?;
    // The keys above with less indentation, nearest first.
    let mut parents = Vec::new();
    let mut want = indent;
    for above in text[..line_start].lines().rev() {
        if want == 0 {
            break;
        }
        if let Some((i, k, _, _)) = key_line(above)
            && i < want
        {
            parents.push(k);
            want = i;
        }
    }
    let top = *parents.last()?;
    let (kind, depth) = kind_of(top)?;
    if parents.len() != depth {
        return None;
    }
    let rest = &line[rest_at..];
    let trimmed = rest.trim();
    let value_at = rest_at + (rest.len() - rest.trim_start().len());
    let value = trimmed.trim_matches(['"', '\'']).to_string();
    Some(Place {
        kind,
        key: key.to_string(),
        key_range: line_start + key_at..line_start + key_at + key.len(),
        value,
        value_range: line_start + value_at..line_start + value_at + trimmed.len(),
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
