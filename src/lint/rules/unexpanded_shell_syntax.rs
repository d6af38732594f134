//! Shell syntax that supervisord passes on literally: `$VAR`, `${VAR}`,
//! `$(...)`, backticks and `~` (it runs commands without a shell).

use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::diagnostic::{Edit, Fix};
use crate::ini::Definition;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::source::Span;

pub struct UnexpandedShellSyntax;

static META: RuleMeta = RuleMeta {
    code: Code::UnexpandedShellSyntax,
    doc: r#"## What it does
Finds shell syntax in values supervisord hands to a program without a
shell: `$VAR` and `${VAR}` in `command` and `environment`, and `$(...)`,
backticks and `~` in `command`. A command that runs a shell itself
(`sh -c '...'`, `bash -c "..."`) is left alone: that shell expands them.

## Why is this bad?
supervisord splits `command` with `shlex` and `exec`s it directly, and
sets `environment` values as written. Nothing expands `$ADDONS_PATH` or
`~/app`: the program receives the literal text (`--addons-path=$ADDONS_PATH`,
`PYTHONPATH=/opt/lib:$PYTHONPATH`). supervisord's own way to read its
environment is `%(ENV_NAME)s`, expanded when the config is loaded.

## Example
```ini
[program:odoo]
command=/usr/bin/odoo --addons-path=$ADDONS_PATH
environment=PYTHONPATH="/opt/lib:$PYTHONPATH"
```

## Use instead
```ini
[program:odoo]
command=/usr/bin/odoo --addons-path=%(ENV_ADDONS_PATH)s
environment=PYTHONPATH="/opt/lib:%(ENV_PYTHONPATH)s"
```
"#,
};

/// One piece of shell syntax in a written value.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The variable of `$NAME` / `${NAME}`.
    pub var: Option<String>,
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ash", "ksh"];

/// Whether a command runs a shell on a `-c` script.
pub fn runs_shell(command: &str) -> bool {
    let mut words = command.split_whitespace();
    let first = words.next().unwrap_or("");
    let first = if first.rsplit('/').next() == Some("env") {
        words.next().unwrap_or("")
    } else {
        first
    };
    let prog = first
        .trim_matches(['"', '\''])
        .rsplit('/')
        .next()
        .unwrap_or("");
    SHELLS.contains(&prog)
        && words.any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('c'))
}

fn ident(s: &str) -> usize {
    s.char_indices()
        .take_while(|&(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
        .count()
}

/// Length of `rest` up to and with the `close` after `from` (all of it
/// when there is none).
fn closing(rest: &str, from: usize, close: char) -> usize {
    rest[from..]
        .find(close)
        .map_or(rest.len(), |i| from + i + 1)
}

/// Shell syntax in `text`; `command` adds `$(`, backticks and `~`.
pub fn scan(text: &str, command: bool) -> Vec<Found> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let escaped = i > 0 && b[i - 1] == b'\\';
        let found = if escaped {
            None
        } else if let Some(r) = rest.strip_prefix("${") {
            let n = ident(r);
            (n > 0 && r[n..].starts_with('}')).then(|| (n + 3, Some(r[..n].to_string())))
        } else if let Some(r) = rest.strip_prefix('$') {
            let n = ident(r);
            if n > 0 {
                Some((n + 1, Some(r[..n].to_string())))
            } else {
                (command && r.starts_with('(')).then(|| (closing(rest, 2, ')'), None))
            }
        } else if command && b[i] == b'`' {
            Some((closing(rest, 1, '`'), None))
        } else if command && b[i] == b'~' {
            let word_start = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'=' | b':');
            let next = b.get(i + 1);
            (word_start && next.is_none_or(|c| matches!(c, b'/' | b' ' | b'\t')))
                .then_some((1, None))
        } else {
            None
        };
        match found {
            Some((len, var)) => {
                out.push(Found {
                    start: i,
                    end: i + len,
                    var,
                });
                i += len;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

/// A value of a template another tool fills in (Jinja, ERB).
pub fn is_template(value: &str) -> bool {
    ["{{", "{%", "<%"].iter().any(|t| value.contains(t))
}

/// A config that is itself a shell template (`envsubst`, a heredoc): `${`
/// in section names or in values that never reach a program.
fn shell_template(cx: &LintContext<'_>) -> bool {
    cx.sections().any(|(name, _, section)| {
        name.contains('$')
            || section.entries.iter().any(|(key, e)| {
                !matches!(&key[..], "command" | "environment") && e.def.written().contains("${")
            })
    })
}

fn check_value(
    cx: &LintContext<'_>,
    section: &str,
    key: &str,
    def: &Definition,
    env_fix: bool,
    out: &mut Findings,
) {
    let written = def.written();
    let command = key == "command";
    if command && runs_shell(written) || is_template(written) {
        return;
    }
    let found = scan(written, command);
    let Some(first) = found.first() else { return };
    if !out.first_time(def.value_span) {
        return;
    }
    let lines = value_lines(cx, def);
    let span_of = |f: &Found| written_span(&lines, f.start, f.end);
    let at: Span = span_of(first).unwrap_or(def.value_span);
    let shown: Vec<String> = found
        .iter()
        .map(|f| match &written[f.start..f.end] {
            t if t.contains('`') => format!("\"{t}\""),
            t => format!("`{t}`"),
        })
        .collect();
    let d = out.report(
        format!(
            "supervisord does not run `{key}` of [{section}] through a shell, so {} reach{} the program literally",
            shown.join(", "),
            if shown.len() == 1 { "es" } else { "" }
        ),
        at,
        "not expanded",
    );
    d.help = Some(if !command {
        "write `%(ENV_NAME)s` to use supervisord's environment".into()
    } else if found.iter().any(|f| f.var.is_some()) {
        "write `%(ENV_NAME)s` to use supervisord's environment, or run the command through `sh -c '...'`".into()
    } else {
        "use an absolute path (supervisord expands `%(ENV_HOME)s`), or run the command through `sh -c '...'`".into()
    });
    if !env_fix {
        return;
    }
    // `$NAME` -> `%(ENV_NAME)s`, for variables supervisord's environment
    // has (expanding one it lacks is an error at load time).
    let edits: Vec<Edit> = found
        .iter()
        .filter_map(|f| {
            let var = f.var.as_ref()?;
            cx.host.env_var(var)?;
            let span = span_of(f)?;
            (cx.text(span) == &written[f.start..f.end])
                .then(|| Edit::replace(span, format!("%(ENV_{var})s")))
        })
        .collect();
    if !edits.is_empty() {
        d.fix = Some(Fix::behaviour_changing(
            "use supervisord's `%(ENV_...)s` expansion",
            edits,
        ));
    }
}

impl Rule for UnexpandedShellSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        if shell_template(cx) {
            return;
        }
        for (name, kind, _) in cx.sections() {
            let program = kind.is_program_like();
            if !program && kind != SectionKind::Supervisord {
                continue;
            }
            let keys: &[&str] = if program {
                &["command", "environment"]
            } else {
                &["environment"]
            };
            for key in keys {
                if let Some(found) = cx.ini().get(name, key) {
                    check_value(cx, name, key, &found.entry.def, program, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, command: bool) -> Vec<(&str, Option<String>)> {
        scan(text, command)
            .into_iter()
            .map(|f| (&text[f.start..f.end], f.var))
            .collect()
    }

    #[test]
    fn finds_variables_substitutions_and_tildes() {
        assert_eq!(
            shown("odoo --addons=$ADDONS ${HOME}/x `date` $(id) ~/a b~c", true),
            vec![
                ("$ADDONS", Some("ADDONS".into())),
                ("${HOME}", Some("HOME".into())),
                ("`date`", None),
                ("$(id)", None),
                ("~", None),
            ]
        );
        assert_eq!(
            shown("A=\"x:$P\",B=~/y,C=$1 $$", false),
            vec![("$P", Some("P".into()))]
        );
        assert!(shown("%(ENV_X)s 100$ %(here)s \\$HOME", true).is_empty());
    }

    #[test]
    fn shells_expand_their_own_scripts() {
        assert!(runs_shell("/bin/sh -c 'exec x $Y'"));
        assert!(runs_shell("bash -lc \"x $Y\""));
        assert!(runs_shell("/usr/bin/env bash -c 'x'"));
        assert!(!runs_shell("/usr/bin/odoo --x=$Y"));
        assert!(!runs_shell("bash script.sh $Y"));
    }
}
