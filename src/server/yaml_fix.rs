//! A finding's fix in a supc.yaml spec. Fixes are written for INI: an
//! edit replaces INI text, and the same characters in a YAML value may
//! mean something else or not parse at all (`%(ENV_HOME)s/app` cannot
//! start a plain scalar). So an edit is offered in a spec only inside an
//! option's value whose YAML text is its INI text, and only in a form the
//! YAML front end is seen to read back as the fixed INI value: the edit
//! as it is, or else the whole value as a double-quoted string. An edit
//! that removes whole lines (an ignored option, an unused suppression) is
//! offered when the spec without them reads as before but for the options
//! written on them. Any other edit is not offered.

use crate::diagnostic::{Diagnostic, Severity};
use crate::host::Host;
use crate::ini::Ini;
use crate::load::Loaded;
use crate::source::Span;

/// The edits of one fix in the spec's terms, or `None` when one of them
/// cannot be written in YAML with the meaning it has in INI.
pub fn adapt(loaded: &Loaded, edits: &[(Span, &str)], host: &Host) -> Option<Vec<(Span, String)>> {
    edits
        .iter()
        .map(|&(span, new)| adapt_one(loaded, span, new, host))
        .collect()
}

fn adapt_one(loaded: &Loaded, span: Span, new: &str, host: &Host) -> Option<(Span, String)> {
    let Some((section, key, value_span, ini_value)) = owner(&loaded.ini, span) else {
        return removes_lines(loaded, span, new, host).then(|| (span, String::new()));
    };
    let file = loaded.sources.get(span.file);
    let target = Target {
        section,
        key,
        expected: String::new(),
        errors: errors(&loaded.diagnostics),
    };
    let written = file
        .text
        .get(value_span.start as usize..value_span.end as usize)?;
    if written != ini_value || new.contains('\n') {
        return None;
    }
    let (from, to) = (
        (span.start - value_span.start) as usize,
        (span.end - value_span.start) as usize,
    );
    let expected = format!("{}{new}{}", written.get(..from)?, written.get(to..)?);
    let quoted = serde_json::to_string(&expected).ok()?;
    let target = Target { expected, ..target };
    [(span, new.to_string()), (value_span, quoted)]
        .into_iter()
        .find(|(at, text)| {
            let mut edited = file.text.to_string();
            edited.replace_range(at.start as usize..at.end as usize, text);
            let reread = crate::yaml::load_text(&file.name, &file.path, edited, host);
            target.met_by(&reread)
        })
}

/// What a fixed spec must read as.
struct Target<'a> {
    section: &'a str,
    key: &'a str,
    expected: String,
    /// Errors before the fix (a fix adds none).
    errors: usize,
}

impl Target<'_> {
    fn met_by(&self, reread: &Loaded) -> bool {
        errors(&reread.diagnostics) <= self.errors
            && reread
                .ini
                .get(self.section, self.key)
                .is_some_and(|found| found.value == self.expected)
    }
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}

/// The section, key, value span and INI value of the option whose value
/// holds `span`.
fn owner(ini: &Ini, span: Span) -> Option<(&str, &str, Span, &str)> {
    ini.sections.iter().find_map(|(name, section)| {
        section.entries.iter().find_map(|(key, entry)| {
            let v = entry.def.value_span;
            let inside = v.file == span.file && v.start <= span.start && span.end <= v.end;
            inside.then(|| (name.as_str(), &**key, v, entry.value()))
        })
    })
}

/// Whether the edit deletes whole lines and the spec without them reads
/// as it did, minus the options whose keys were on them.
fn removes_lines(loaded: &Loaded, span: Span, new: &str, host: &Host) -> bool {
    let file = loaded.sources.get(span.file);
    let (start, end) = (span.start as usize, span.end as usize);
    let whole = new.is_empty()
        && start < end
        && (start == 0 || file.text.as_bytes().get(start - 1) == Some(&b'\n'))
        && (end == file.text.len() || file.text.as_bytes().get(end - 1) == Some(&b'\n'));
    if !whole {
        return false;
    }
    let mut edited = file.text.to_string();
    edited.replace_range(start..end, "");
    let reread = crate::yaml::load_text(&file.name, &file.path, edited, host);
    let gone = |s: Span| s.file == span.file && span.start <= s.start && s.end <= span.end;
    let mut kept = 0;
    for (name, section) in &loaded.ini.sections {
        for (key, entry) in &section.entries {
            let now = reread.ini.get(name, key).map(|f| f.value);
            if gone(entry.def.key_span) {
                if now.is_some() {
                    return false;
                }
            } else if now != Some(entry.value()) {
                return false;
            } else {
                kept += 1;
            }
        }
    }
    let total: usize = reread
        .ini
        .sections
        .values()
        .map(|s| s.entries.iter().len())
        .sum();
    total == kept && errors(&reread.diagnostics) <= errors(&loaded.diagnostics)
}

#[cfg(test)]
mod tests {
    use crate::server::state::{ClientOptions, State};
    use crate::server::text::Encoding;
    use lsp_types::Uri;
    use std::str::FromStr;

    /// The edits the fix of the finding `code` gives in a spec, applied.
    fn fixed(text: &str, code: &str) -> Option<String> {
        let mut state = State::new(Vec::new(), &ClientOptions::default(), Encoding::Utf16);
        let uri = Uri::from_str("file:///supc-test/supc.yaml").unwrap();
        state.open(uri.clone(), 1, text.into());
        state.check(uri.as_str());
        let a = state.docs[uri.as_str()].analysis.as_ref().unwrap();
        let d = a.diagnostics.iter().find(|d| d.code.code() == code)?;
        let fix = crate::server::actions::fix_of(d)?;
        let edits = super::adapt(&a.loaded, &fix.edits, &state.host)?;
        let mut out = text.to_string();
        for (span, new) in edits.iter().rev() {
            out.replace_range(span.start as usize..span.end as usize, new);
        }
        Some(out)
    }

    #[test]
    fn an_ini_edit_that_is_no_plain_scalar_is_quoted() {
        let spec = "supervisord:\n  logfile: /tmp/x.log\nprograms:\n  web:\n    command: /bin/cat\n    directory: ~/app\n";
        let out = fixed(spec, "SUP403").expect("a fix in YAML");
        assert!(
            out.contains("    directory: \"%(ENV_HOME)s/app\"\n"),
            "{out}"
        );
    }

    #[test]
    fn a_line_removal_is_offered_when_the_rest_reads_the_same() {
        let spec = "supervisord:\n  logfile: /tmp/x.log\nprograms:\n  web:\n    command: /bin/cat\n    redirect_stderr: true\n    stderr_logfile: /tmp/err.log\n    # supc: disable=SUP403\n    stopsignal: TERM\n";
        let out = fixed(spec, "SUP119").expect("the ignored option removed");
        assert_eq!(out, spec.replace("    stderr_logfile: /tmp/err.log\n", ""));
        let out = fixed(spec, "SUP405").expect("the unused suppression removed");
        assert_eq!(out, spec.replace("    # supc: disable=SUP403\n", ""));
    }
}
