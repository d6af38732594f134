//! Where a rendered line came from in the template, so that a finding in
//! the YAML a template produced is shown at the template's line and column
//! (on `worker1`, a finding in `[program:supervisor]` is at that program's
//! line of `supc.yaml`, not at the line it happened to land on).
//!
//! minijinja keeps no source map, so the template is compiled with an
//! invisible marker (`U+E000 line U+E001`) at the start of each line that
//! is literal text; the rendered text carries the markers of the lines
//! that produced it (a loop body's lines once per iteration), and
//! [`unmark`] strips them, keeping a [`LineMap`]. Lines whose leading
//! whitespace a `-` trims (`{%- …` on the line, `… -%}` before it) and
//! lines inside a tag get no marker, so whitespace control renders exactly
//! as it would without markers; their text is mapped to the line before.

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A template with markers, and where they were inserted.
pub struct Marked {
    pub text: String,
    /// (offset in the original text, length of the marker put there).
    inserts: Vec<(usize, usize)>,
}

impl Marked {
    /// The original offset of an offset in the marked text.
    pub fn original_offset(&self, marked: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.inserts {
            if at + shift + len <= marked {
                shift += len;
            } else {
                break;
            }
        }
        marked.saturating_sub(shift)
    }
}

/// Marks each literal line of `template` (nothing if it already holds a
/// marker character).
pub fn mark(template: &str) -> Marked {
    let mut out = String::with_capacity(template.len() + template.len() / 8);
    let mut inserts = Vec::new();
    if template.contains([OPEN, CLOSE]) {
        return Marked {
            text: template.to_string(),
            inserts,
        };
    }
    let mut inside = false;
    let mut trims_next = false;
    let mut offset = 0;
    for (n, line) in template.split_inclusive('\n').enumerate() {
        let lead = line.trim_start_matches([' ', '\t']);
        let trimmed_here = ["{%-", "{{-", "{#-"].iter().any(|t| lead.starts_with(t));
        if !inside && !trims_next && !trimmed_here {
            let marker = format!("{OPEN}{n}{CLOSE}");
            inserts.push((offset, marker.len()));
            out.push_str(&marker);
        }
        out.push_str(line);
        inside = still_inside(line, inside);
        let end = line.trim_end();
        trims_next = ["-%}", "-}}", "-#}"].iter().any(|t| end.ends_with(t));
        offset += line.len();
    }
    Marked { text: out, inserts }
}

/// Whether a tag (`{{`, `{%`, `{#`) is still open at the end of `line`.
fn still_inside(line: &str, mut inside: bool) -> bool {
    let b = line.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        let pair = (b[i], b[i + 1]);
        if !inside && matches!(pair, (b'{', b'{' | b'%' | b'#')) {
            inside = true;
            i += 2;
        } else if inside && matches!(pair, (b'}' | b'%' | b'#', b'}')) {
            inside = false;
            i += 2;
        } else {
            i += 1;
        }
    }
    inside
}

/// For each stretch of rendered text, the template line it came from.
#[derive(Debug, Default)]
pub struct LineMap {
    /// (offset in the rendered text, 0-based template line), by offset.
    starts: Vec<(usize, usize)>,
}

/// The rendered text without markers, and where each part came from.
pub fn unmark(rendered: &str) -> (String, LineMap) {
    let mut out = String::with_capacity(rendered.len());
    let mut map = LineMap::default();
    let mut rest = rendered;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len_utf8()..];
        let Some(j) = after.find(CLOSE) else {
            rest = after;
            continue;
        };
        if let Ok(line) = after[..j].parse() {
            map.starts.push((out.len(), line));
        }
        rest = &after[j + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    (out, map)
}

impl LineMap {
    /// A span of the rendered text as a span of the template: the same
    /// columns where the line's text is the template's, else the first
    /// `{{ … }}` that the differing text came from.
    pub fn map(
        &self,
        rendered: &str,
        template: &str,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let k = self
            .starts
            .partition_point(|&(off, _)| off <= start)
            .checked_sub(1)?;
        let (r0, line) = self.starts[k];
        let t0: usize = template
            .split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum();
        let tline = template[t0..].split('\n').next().unwrap_or("");
        let rline = rendered[r0..].split('\n').next().unwrap_or("");
        let same = tline
            .bytes()
            .zip(rline.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let col = start - r0;
        if col < same && tline.is_char_boundary(col) {
            let len = (end - start).min(same - col).max(1);
            return Some((t0 + col, (t0 + col + len).min(t0 + tline.len())));
        }
        // After the substitutions: the same text at the end of both lines.
        let tail = tline
            .bytes()
            .rev()
            .zip(rline.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count()
            .min(tline.len().saturating_sub(same));
        let from_end = rline.len().saturating_sub(col);
        if col <= rline.len() && from_end <= tail && from_end > 0 {
            let t = t0 + tline.len() - from_end;
            let len = (end - start).min(from_end).max(1);
            if template.is_char_boundary(t) && template.is_char_boundary(t + len) {
                return Some((t, t + len));
            }
        }
        // The text came from a substitution: point at the expression.
        let from = tline[..same.min(tline.len())]
            .rfind("{{")
            .unwrap_or(same)
            .min(tline.len());
        match tline[from..].find("{{") {
            Some(a) => {
                let a = from + a;
                let b = tline[a..].find("}}").map_or(tline.len(), |x| a + x + 2);
                Some((t0 + a, t0 + b))
            }
            None => Some((t0, t0 + tline.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_lines_map_back_through_conditions_and_loops() {
        let t = "a: 1\n{% if x %}\nb: {{ v }}\n{% endif %}\n{% for i in [1, 2] %}\nc{{ i }}: x\n{% endfor %}\n";
        let m = mark(t);
        let env = minijinja::Environment::new();
        let plain = env
            .render_str(t, minijinja::context! { x => true, v => "long value" })
            .unwrap();
        let marked = env
            .render_str(
                &m.text,
                minijinja::context! { x => true, v => "long value" },
            )
            .unwrap();
        let (text, map) = unmark(&marked);
        assert_eq!(text, plain);
        // `c2: x` (second iteration) is line 6 of the template, column 0.
        let at = text.find("c2").unwrap();
        let (s, _) = map.map(&text, t, at + 4, at + 5).unwrap();
        assert_eq!(&t[s..s + 1], "x");
        // Inside the substituted value: the `{{ v }}` expression.
        let at = text.find("value").unwrap();
        let (s, e) = map.map(&text, t, at, at + 5).unwrap();
        assert_eq!(&t[s..e], "{{ v }}");
    }

    #[test]
    fn whitespace_control_renders_the_same() {
        let t = "a:\n  {%- if true %}\n  b: 1\n  {% endif -%}\n  c: 2\n{{ 'x' }}\n";
        let env = minijinja::Environment::new();
        let plain = env.render_str(t, ()).unwrap();
        let m = mark(t);
        let (text, _) = unmark(&env.render_str(&m.text, ()).unwrap());
        assert_eq!(text, plain);
        assert_eq!(
            m.original_offset(m.text.find("c: 2").unwrap()),
            t.find("c: 2").unwrap()
        );
    }
}
