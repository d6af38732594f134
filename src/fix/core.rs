//! Fixes for supervisord's own errors (the `SUP0xx` codes the loader and
//! resolver raise): a UTF-8 byte order mark, and values supervisord
//! refuses that have one obvious spelling it accepts. They are unsafe by
//! nature: supervisord refused the file before and reads it afterwards.

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::source::{SourceMap, Span};

/// The byte order mark as it starts a decoded text.
const BOM: char = '\u{feff}';

/// Values supervisord refuses, the message it refuses them with (its
/// start), and the spelling it accepts.
const SPELLINGS: &[(&str, &str, &str)] = &[
    ("bad logging level name", "warning", "warn"),
    ("bad logging level name", "err", "error"),
    ("bad logging level name", "crit", "critical"),
    ("invalid 'autorestart' value", "always", "true"),
    ("invalid 'autorestart' value", "never", "false"),
];

/// Attaches a fix to each of `diags` that has one and none yet.
pub fn attach(diags: &mut [Diagnostic], sources: &SourceMap) {
    for d in diags.iter_mut().filter(|d| d.fix.is_none()) {
        let Some(span) = d.primary.as_ref().map(|l| l.span) else {
            continue;
        };
        d.fix = match d.code {
            Code::NoSectionHeader => bom(sources, span),
            Code::InvalidValue => spelling(&d.message, sources.text(span), span),
            _ => None,
        };
    }
}

fn bom(sources: &SourceMap, span: Span) -> Option<Fix> {
    let text = &sources.get(span.file).text;
    text.starts_with(BOM).then(|| {
        let mark = Span::new(span.file, 0, BOM.len_utf8());
        Fix::behaviour_changing("remove the UTF-8 byte order mark", vec![Edit::delete(mark)])
    })
}

fn spelling(message: &str, written: &str, span: Span) -> Option<Fix> {
    let (_, _, good) = SPELLINGS
        .iter()
        .find(|(start, bad, _)| message.starts_with(start) && written.eq_ignore_ascii_case(bad))?;
    Some(Fix::behaviour_changing(
        format!("write `{good}`, supervisord's spelling"),
        vec![Edit::replace(span, *good)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, SourceFile};

    fn one(text: &str) -> SourceMap {
        let mut m = SourceMap::new();
        m.add(SourceFile::new(
            "a.conf".into(),
            "/a.conf".into(),
            text.into(),
        ));
        m
    }

    #[test]
    fn spellings_and_bom_get_fixes_others_none() {
        let m = one("\u{feff}[supervisord]\nloglevel=Warning\nx=maybe\n");
        let at = |s: usize, e: usize| Span::new(FileId(0), s, e);
        let mut diags = vec![
            Diagnostic::error(Code::NoSectionHeader, "File contains no section headers.")
                .at(at(0, 3), ""),
            Diagnostic::error(Code::InvalidValue, "bad logging level name 'warning'")
                .at(at(26, 33), ""),
            Diagnostic::error(Code::InvalidValue, "not a valid boolean value: 'maybe'")
                .at(at(36, 41), ""),
        ];
        attach(&mut diags, &m);
        let edits: Vec<_> = diags
            .iter()
            .map(|d| d.fix.as_ref().map(|f| f.edits[0].clone()))
            .collect();
        assert_eq!(edits[0], Some(Edit::delete(at(0, 3))));
        assert_eq!(edits[1], Some(Edit::replace(at(26, 33), "warn")));
        assert_eq!(edits[2], None);
    }
}
