use super::percent::{expansion, mask_pass};
use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::options::SectionKind;
use crate::python::shlex::parse_kv_pairs;

pub struct EnvironmentTruncated;

static META: RuleMeta = RuleMeta {
    code: Code::EnvironmentTruncated,
    doc: r#"## What it does
Compares each `KEY=value` pair of `environment=` with what supervisord's
tokenizer keeps, and reports the pairs it cuts short or drops.

## Why is this bad?
supervisord splits `environment=` with Python's `shlex` in a mode where
only letters, digits and `_/.+-():` make up a word, and the token after
each value is skipped as the separator, whatever it is. Unquoted values
are cut without any error: `A=x y` gives `x`, `A=$HOME` gives `$`,
`A=~/x` gives `~`, `A=café` gives `caf`, and `A=x#y` gives `x` and drops
the rest of the line as a comment.

## Example
```ini
[program:web]
command=/usr/bin/web
environment=GREETING=hello world,HOME_DIR=$HOME
```

## Use instead
```ini
[program:web]
command=/usr/bin/web
environment=GREETING="hello world",HOME_DIR="/home/web"
```
"#,
};

/// `KEY=value` as the author meant it: bounds in the masked text.
struct Pair {
    start: usize,
    end: usize,
    key_end: usize,
    key: String,
    /// The value without one layer of surrounding quotes.
    value: (usize, usize),
}

/// Splits on `,` and `;` outside quotes; `None` when a part has no `=`.
fn intended(text: &str) -> Option<Vec<Pair>> {
    let mut parts = Vec::new();
    let (mut open, mut from) = (None, 0);
    for (i, c) in text.char_indices() {
        match (open, c) {
            (None, '\'' | '"') => open = Some(c),
            (Some(q), c) if c == q => open = None,
            (None, ',' | ';') => {
                parts.push((from, i));
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push((from, text.len()));
    let trim = |(s, e): (usize, usize)| {
        let t = &text[s..e];
        let s2 = s + (t.len() - t.trim_start().len());
        (s2, s2 + t.trim().len())
    };
    let mut pairs = Vec::new();
    for (s, e) in parts.into_iter().map(trim).filter(|(s, e)| s < e) {
        let eq = s + text[s..e].find('=')?;
        let (vs, ve) = trim((eq + 1, e));
        let v = &text[vs..ve];
        let quoted =
            v.len() >= 2 && (v.starts_with('"') || v.starts_with('\'')) && v.ends_with(&v[..1]);
        let value = if quoted { (vs + 1, ve - 1) } else { (vs, ve) };
        let key = text[s..eq].trim_end();
        pairs.push(Pair {
            start: s,
            end: e,
            key_end: s + key.len(),
            key: key.to_string(),
            value,
        });
    }
    Some(pairs)
}

/// `K="v",...`, or `None` when some value cannot be written safely.
fn safe_form(raw: &str, map: &[usize], pairs: &[Pair]) -> Option<String> {
    let mut out = Vec::new();
    for p in pairs {
        let v = &raw[map[p.value.0]..map[p.value.1]];
        let q = match (v.contains('"'), v.contains('\'')) {
            (false, _) => '"',
            (true, false) => '\'',
            (true, true) => return None,
        };
        // Quote characters at either end are stripped whatever the quoting.
        if v.contains('\n') || v.starts_with(['"', '\'']) || v.ends_with(['"', '\'']) {
            return None;
        }
        let key = &raw[map[p.start]..map[p.key_end]];
        out.push(format!("{key}={q}{v}{q}"));
    }
    Some(out.join(","))
}

fn check_entry(cx: &LintContext<'_>, kind: SectionKind, name: &str, out: &mut Findings) {
    let Some(entry) = cx
        .entry(name, "environment")
        .filter(|e| !e.def.from_default)
    else {
        return;
    };
    let raw = entry.def.written();
    let passes = expansion(kind, "environment").map_or(1, |e| e.passes);
    let Some((mut text, mut map)) = mask_pass(raw) else {
        return;
    };
    if passes == 2 {
        let Some((t2, m2)) = mask_pass(&text) else {
            return;
        };
        map = m2.iter().map(|&i| map[i]).collect();
        text = t2;
    }
    let (Ok(actual), Some(pairs)) = (parse_kv_pairs(&text), intended(&text)) else {
        return;
    };
    let lines = value_lines(cx, &entry.def);
    let help = Some(match safe_form(raw, &map, &pairs) {
        Some(s) => format!("quote every value: `environment={s}`"),
        None => "quote every value with `\"...\"`; supervisord strips quote characters at either end of a value, so a value cannot start or end with one".into(),
    });
    for (i, p) in pairs.iter().enumerate() {
        let meant = &text[p.value.0..p.value.1];
        let kept = actual
            .iter()
            .find(|(k, _)| *k == p.key)
            .map(|(_, v)| v.as_str());
        if kept == Some(meant) || pairs[i + 1..].iter().any(|q| q.key == p.key) {
            continue;
        }
        let written = &raw[map[p.start]..map[p.end]];
        let key = &p.key;
        let message = match kept {
            None => format!("`{written}` is lost: supervisord never sets `{key}`"),
            Some(k) if meant.starts_with(k) => {
                let cut = p.value.0 + k.len();
                let kept = &raw[map[p.value.0]..map[cut]];
                let dropped = &raw[map[cut]..map[p.value.1]];
                format!(
                    "`{written}` is cut short: supervisord sets `{key}` to `{kept}` and silently drops `{dropped}`"
                )
            }
            Some(k) => {
                format!("`{written}` is not read as written: supervisord sets `{key}` to `{k}`")
            }
        };
        let span = written_span(&lines, map[p.start], map[p.end]).unwrap_or(entry.def.value_span);
        let label = match kept {
            None => "never set".to_string(),
            Some(k) => format!("supervisord keeps `{key}={k}`"),
        };
        out.report(message, span, label).help = help.clone();
    }
}

impl Rule for EnvironmentTruncated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for (name, kind, _) in cx.sections() {
            if kind == SectionKind::Supervisord || kind.is_program_like() {
                check_entry(cx, kind, name, out);
            }
        }
    }
}
