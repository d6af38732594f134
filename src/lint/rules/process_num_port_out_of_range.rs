//! A port built from `%(process_num)` that leaves 1–65535 for some instance.

use super::unexpanded_shell_syntax::is_template;
use super::value_text::{value_lines, written_span};
use crate::codes::Code;
use crate::lint::{Findings, LintContext, Rule, RuleMeta, section_runs};

pub struct ProcessNumPortOutOfRange;

static META: RuleMeta = RuleMeta {
    code: Code::ProcessNumPortOutOfRange,
    doc: r#"## What it does
Finds ports written as digits glued to `%(process_num)` (`808%(process_num)d`,
`90%(process_num)02d`) after `:` or a `port` option, in `command` and
`environment`, and works out the port of every instance: it fires when one
of them is not a TCP port (1 to 65535).

## Why is this bad?
The pattern reads like "8080, 8081, ...", but it is string concatenation:
with `numprocs=11` the eleventh instance gets `80810`, with
`numprocs_start=0` and `%(process_num)02d` after `6553` the first gets
`655300`. supervisord starts the process anyway; it fails to bind, or
binds a port nobody expects, only in the instances past the boundary.

## Example
```ini
[program:web]
command=/usr/bin/web -port=808%(process_num)d
process_name=%(program_name)s_%(process_num)d
numprocs=12
```

## Use instead
```ini
[program:web]
command=/usr/bin/web -port=80%(process_num)02d
process_name=%(program_name)s_%(process_num)d
numprocs=12
```
"#,
};

/// A `%(process_num)` conversion: zero-padding width and the spec's end.
struct Conversion {
    zero_width: usize,
    end: usize,
}

/// Parses `%(process_num)[0][width](d|i|u|s)` at `at`.
fn conversion(text: &str, at: usize) -> Option<Conversion> {
    let rest = text[at..].strip_prefix("%(process_num)")?;
    let zero = rest.starts_with('0');
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let width: usize = rest[..digits].parse().unwrap_or(0);
    let conv = rest[digits..].chars().next()?;
    // A width without zero padding pads with spaces: no longer one number.
    if !matches!(conv, 'd' | 'i' | 'u' | 's') || (width > 0 && !zero) {
        return None;
    }
    Some(Conversion {
        zero_width: width,
        end: at + "%(process_num)".len() + digits + 1,
    })
}

/// One port pattern: `prefix` digits, the conversion, `suffix` digits.
pub struct PortPattern {
    pub start: usize,
    pub end: usize,
    prefix: String,
    suffix: String,
    zero_width: usize,
}

impl PortPattern {
    /// The port an instance gets (None when it is not a number at all).
    pub fn port(&self, process_num: i64) -> Option<u64> {
        let n = format!("{process_num:0w$}", w = self.zero_width);
        format!("{}{n}{}", self.prefix, self.suffix).parse().ok()
    }
}

/// Whether the text before a number introduces a port.
fn port_context(before: &str) -> bool {
    let lower = before.to_ascii_lowercase();
    let word = lower
        .trim_end_matches([' ', '=', '"', '\''])
        .rsplit([' ', '\t', ',', '"', '\''])
        .next()
        .unwrap_or("");
    lower.ends_with(':') || word.trim_start_matches('-').ends_with("port") || word == "-p"
}

/// The port patterns of a written value.
pub fn port_patterns(text: &str) -> Vec<PortPattern> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("%(process_num)") {
        let Some(c) = conversion(text, at) else {
            continue;
        };
        let prefix_len = text[..at]
            .bytes()
            .rev()
            .take_while(u8::is_ascii_digit)
            .count();
        let start = at - prefix_len;
        let suffix_len = text[c.end..].bytes().take_while(u8::is_ascii_digit).count();
        let glued = prefix_len + suffix_len > 0;
        if !glued || !port_context(&text[..start]) {
            continue;
        }
        out.push(PortPattern {
            start,
            end: c.end + suffix_len,
            prefix: text[start..at].to_string(),
            suffix: text[c.end..c.end + suffix_len].to_string(),
            zero_width: c.zero_width,
        });
    }
    out
}

fn check_key(cx: &LintContext<'_>, section: &str, key: &str, nums: &[i64], out: &mut Findings) {
    let Some(found) = cx.ini().get(section, key) else {
        return;
    };
    let def = &found.entry.def;
    let written = def.written();
    if is_template(written) || !out.first_time(def.value_span) {
        return;
    }
    let lines = value_lines(cx, def);
    for p in port_patterns(written) {
        let bad = nums.iter().find_map(|&n| {
            let port = p.port(n);
            (!port.is_some_and(|v| (1..=65535).contains(&v))).then_some((n, port))
        });
        let Some((n, port)) = bad else { continue };
        let text = &written[p.start..p.end];
        let port = port.map_or("no number".to_string(), |v| format!("port {v}"));
        let span = written_span(&lines, p.start, p.end).unwrap_or(def.value_span);
        let d = out.report(
            format!(
                "`{text}` in `{key}` of [{section}] gives {port} for process_num {n}: not a TCP port (1-65535)"
            ),
            span,
            "digits glued to process_num",
        );
        d.help = Some(
            "pad the number instead of gluing digits (`80%(process_num)02d`), or lower numprocs"
                .into(),
        );
    }
}

impl Rule for ProcessNumPortOutOfRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        for group in &cx.config().groups {
            for run in section_runs(&group.processes) {
                let nums: Vec<i64> = run
                    .iter()
                    .filter_map(|p| p.process_num().to_i64())
                    .collect();
                let section = &run[0].common.section;
                for key in ["command", "environment"] {
                    check_key(cx, section, key, &nums, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::port_patterns;

    fn ports(text: &str, nums: &[i64]) -> Vec<Vec<Option<u64>>> {
        port_patterns(text)
            .iter()
            .map(|p| nums.iter().map(|&n| p.port(n)).collect())
            .collect()
    }

    #[test]
    fn glued_digits_after_a_port_marker() {
        assert_eq!(
            ports("web -port=808%(process_num)d", &[9, 10]),
            vec![vec![Some(8089), Some(80810)]]
        );
        assert_eq!(
            ports("gunicorn -b 127.0.0.1:80%(process_num)02d", &[0, 99]),
            vec![vec![Some(8000), Some(8099)]]
        );
        assert_eq!(
            ports("PORT=\"9%(process_num)d00\"", &[1]),
            vec![vec![Some(9100)]]
        );
        assert_eq!(ports("app -p 5%(process_num)d", &[0]), vec![vec![Some(50)]]);
    }

    #[test]
    fn other_uses_of_process_num_are_not_ports() {
        assert!(ports("app --worker=%(process_num)d", &[1]).is_empty());
        assert!(ports("app --id=1%(process_num)d", &[1]).is_empty());
        assert!(ports("app --port=%(process_num)d", &[1]).is_empty());
        assert!(ports("app --port=8%(process_num)3d", &[1]).is_empty());
    }
}
