use super::percent::expansion;
use super::value_text::{
    ValueLine, comment_after, may_have_inline_comment, open_quote, protect, tighten, value_lines,
};
use crate::codes::Code;
use crate::diagnostic::{Label, Severity};
use crate::ini::Definition;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::{SectionKind, ValueType, lookup};
use crate::python::shlex::{parse_kv_pairs, split_command};
use crate::python::unicode::is_space;
use crate::source::Span;

pub struct InlineCommentTruncation;

static META: RuleMeta = RuleMeta {
    code: Code::InlineCommentTruncation,
    doc: r#"## What it does
Finds values that an inline comment cut short: a `;` or `#` after
whitespace starts a comment even inside quotes, so the rest of the line is
dropped. It reports the cut when the value is left with an unclosed quote
(or the comment closes the value's quote), and when a ` #` cuts a file
name that clearly goes on after it.

## Why is this bad?
`command=bash -c 'sleep 1 ; echo hi'` becomes `bash -c 'sleep 1`: the
config loads, and the process then fails at every start with
`No closing quotation`. There is no escape for ` ;` in supervisord's
config format.

## Example
```ini
[program:loop]
command=bash -c 'while true ; do date ; sleep 5 ; done'
```

## Use instead
```ini
[program:loop]
command=bash -c 'while true; do date; sleep 5; done'
```
In options supervisord expands, `%(here).0s` (which expands to nothing)
keeps the space: `bash -c 'a %(here).0s; b'` runs `bash -c 'a ; b'`.
"#,
};

/// A comment that cut a value.
pub struct Cut<'a> {
    pub line: ValueLine<'a>,
    pub comment: Span,
    /// The quote left open at the cut, or `None` for a cut file name.
    pub quote: Option<char>,
}

/// `stdout_logfile=/var/log/app #1.log`: a one-word `#` comment that ends
/// like a file name, after a path whose last part has no extension.
fn cuts_file_name(kind: SectionKind, key: &str, value: &str, comment: &str) -> bool {
    let is_path = lookup(kind, key).is_some_and(|o| {
        matches!(
            o.ty,
            ValueType::LogFile | ValueType::FilePath | ValueType::Directory
        )
    });
    let word = &comment[1..];
    let ext = word.rsplit_once('.').map(|(_, e)| e);
    is_path
        && comment.starts_with('#')
        && word.starts_with(|c: char| c.is_alphanumeric())
        && !word.contains(|c: char| is_space(c) || c == '/')
        && ext.is_some_and(|e| {
            (1..=4).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && !value.rsplit('/').next().unwrap_or("").contains('.')
}

/// Every place where an inline comment cut the value of `def`.
pub fn cuts<'a>(
    cx: &LintContext<'a>,
    kind: SectionKind,
    key: &str,
    def: &'a Definition,
) -> Vec<Cut<'a>> {
    if !may_have_inline_comment(cx, def) {
        return Vec::new();
    }
    let escapes = key == "command";
    let unbalanced = open_quote(def.written(), escapes).is_some();
    let mut out = Vec::new();
    for line in value_lines(cx, def) {
        let Some(comment) = comment_after(cx, line.span) else {
            continue;
        };
        let text = cx.text(comment);
        let before = &def.written()[..line.at + line.text.len()];
        // Quotes mean something only to the command and environment parsers.
        let quoted = matches!(key, "command" | "environment");
        let quote = open_quote(before, escapes).filter(|_| quoted);
        let cut = match quote {
            Some(q) => unbalanced || text.contains(q),
            None => cuts_file_name(kind, key, line.text, text),
        };
        if cut {
            out.push(Cut {
                line,
                comment,
                quote,
            });
        }
    }
    out
}

/// The cut-off text up to where the quote closes and a real comment starts.
fn meant(cx: &LintContext<'_>, cut: &Cut<'_>) -> String {
    let file = &cx.sources().get(cut.comment.file).text;
    let gap = &file[cut.line.span.end as usize..cut.comment.start as usize];
    let rest = cx.text(cut.comment);
    let mut open = cut.quote;
    let mut prev_space = true;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        if i > 0 && open.is_none() && prev_space && (c == ';' || c == '#') {
            end = i;
            break;
        }
        match (open, c) {
            (None, '\'' | '"') => open = Some(c),
            (Some(q), c) if c == q => open = None,
            _ => {}
        }
        prev_space = is_space(c);
    }
    format!("{}{gap}{}", cut.line.text, rest[..end].trim_end())
}

impl Rule for InlineCommentTruncation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, section) in cx.sections() {
            for (key, entry) in &section.entries {
                let key: &str = key;
                let Some(exp) = expansion(kind, key) else {
                    continue;
                };
                if entry.def.from_default {
                    continue;
                }
                for cut in cuts(cx, kind, key, &entry.def) {
                    let kept =
                        entry.def.written()[..cut.line.at + cut.line.text.len()].replace('\n', " ");
                    let dropped = cx.text(cut.comment);
                    let fails = match key {
                        "command" => split_command(entry.value()).is_err(),
                        "environment" => parse_kv_pairs(entry.value()).is_err(),
                        _ => false,
                    };
                    let message = match (cut.quote, fails) {
                        (Some(_), true) if key == "command" => format!(
                            "an inline comment cuts `{key}` of [{name}] inside a quoted string: supervisord runs `{kept}`, which fails to start with `No closing quotation`"
                        ),
                        (Some(_), true) => format!(
                            "an inline comment cuts `{key}` of [{name}] inside a quoted string: supervisord reads `{kept}` and refuses it with `No closing quotation`"
                        ),
                        (Some(_), false) => format!(
                            "an inline comment cuts `{key}` of [{name}] inside a quoted string: supervisord reads `{kept}`"
                        ),
                        (None, _) => format!(
                            "`{dropped}` is read as a comment: supervisord uses `{key}={kept}`"
                        ),
                    };
                    let d = out.report(message, cut.comment, "dropped as a comment");
                    if !fails {
                        d.severity = Severity::Warning;
                    }
                    d.related
                        .push(Label::new(cut.line.span, "supervisord keeps only this"));
                    let mut meant = meant(cx, &cut);
                    if cut.line.at == 0 {
                        meant = format!("{key}={meant}");
                    }
                    let mut fixes = Vec::new();
                    if exp.here {
                        fixes.push(format!("`{}`", protect(&meant, "%(here).0s")));
                    }
                    // Without the space the text changes; fine for a shell
                    // `;`, and for a file name it is one of two guesses.
                    if (key == "command" && dropped.starts_with(';')) || cut.quote.is_none() {
                        fixes.push(format!("`{}`", tighten(&meant)));
                    }
                    d.help = Some(format!(
                        "a `;` or `#` after whitespace always starts a comment; write {}",
                        fixes.join(" or ")
                    ));
                }
            }
        }
    }
}
