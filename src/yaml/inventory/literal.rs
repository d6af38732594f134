//! Values of an INI inventory, as Ansible reads them: Python's
//! `ast.literal_eval` when the text is a Python literal (`8` is an
//! integer, `True` a boolean, `[1, 2]` a list), the text itself otherwise.
//!
//! Only literals exist here (numbers, strings, `True`/`False`/`None`,
//! lists, tuples, sets, dicts); anything else makes the whole value a
//! string, as `literal_eval` raising does in Ansible.

use serde_json::{Map, Value};

/// `literal_eval(text)`, or the text as a string.
pub fn parse_value(text: &str) -> Value {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    match p.expr() {
        Some(v) if p.at_end() => v,
        _ => Value::String(text.to_string()),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

/// Nesting deeper than this is not a value anyone writes on one line.
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b' ' | b'\t' => self.i += 1,
                // A comment ends the expression (Python ignores it).
                b'#' => self.i = self.s.len(),
                _ => break,
            }
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.i == self.s.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Value> {
        self.skip_ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'[' => self.seq(b']'),
            b'(' => self.seq(b')'),
            b'{' => self.dict_or_set(),
            b'\'' | b'"' => self.strings(),
            b'-' | b'+' | b'0'..=b'9' | b'.' => self.number(),
            _ => self.name(),
        }
    }

    fn nested(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn seq(&mut self, close: u8) -> Option<Value> {
        self.nested()?;
        self.i += 1;
        let mut items = Vec::new();
        let mut commas = 0;
        while !self.eat(close) {
            items.push(self.expr()?);
            if self.eat(b',') {
                commas += 1;
            } else if !self.eat(close) {
                return None;
            } else {
                break;
            }
        }
        // `(1)` is the number 1, `(1,)` a tuple.
        if close == b')' && items.len() == 1 && commas == 0 {
            self.depth -= 1;
            return items.pop();
        }
        self.depth -= 1;
        Some(Value::Array(items))
    }

    fn dict_or_set(&mut self) -> Option<Value> {
        self.nested()?;
        self.i += 1;
        let mut map = Map::new();
        let mut set = Vec::new();
        while !self.eat(b'}') {
            let k = self.expr()?;
            if self.eat(b':') {
                if !set.is_empty() {
                    return None;
                }
                let v = self.expr()?;
                map.insert(key_text(&k)?, v);
            } else {
                if !map.is_empty() {
                    return None;
                }
                if !set.contains(&k) {
                    set.push(k);
                }
            }
            if !self.eat(b',') {
                if !self.eat(b'}') {
                    return None;
                }
                break;
            }
        }
        self.depth -= 1;
        Some(if set.is_empty() {
            Value::Object(map)
        } else {
            Value::Array(set)
        })
    }

    /// Adjacent string literals are one string (`'a' 'b'`).
    fn strings(&mut self) -> Option<Value> {
        let mut out = String::new();
        loop {
            self.skip_ws();
            match self.s.get(self.i) {
                Some(&q @ (b'\'' | b'"')) => out.push_str(&self.string(q)?),
                _ => break,
            }
        }
        Some(Value::String(out))
    }

    fn string(&mut self, quote: u8) -> Option<String> {
        let start = self.i + 1;
        let mut j = start;
        let mut bytes = Vec::new();
        loop {
            let c = *self.s.get(j)?;
            match c {
                b'\\' => {
                    let e = *self.s.get(j + 1)?;
                    let mapped = match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        b'0' => 0,
                        b'\\' | b'\'' | b'"' => e,
                        // Python keeps unknown escapes as they are.
                        _ => {
                            bytes.push(b'\\');
                            e
                        }
                    };
                    bytes.push(mapped);
                    j += 2;
                }
                c if c == quote => break,
                c => {
                    bytes.push(c);
                    j += 1;
                }
            }
        }
        self.i = j + 1;
        String::from_utf8(bytes).ok()
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        let mut j = self.i;
        if matches!(self.s.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        while let Some(&c) = self.s.get(j) {
            if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' {
                j += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(&self.s[start..j]).ok()?;
        self.i = j;
        number_value(text)
    }

    fn name(&mut self) -> Option<Value> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_alphanumeric) {
            self.i += 1;
        }
        match &self.s[start..self.i] {
            b"True" => Some(Value::Bool(true)),
            b"False" => Some(Value::Bool(false)),
            b"None" => Some(Value::Null),
            _ => None,
        }
    }
}

/// A dict key as a variable name (Ansible keys are strings; a number key
/// is kept as its text).
fn key_text(k: &Value) -> Option<String> {
    match k {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
        _ => None,
    }
}

fn number_value(text: &str) -> Option<Value> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let clean = body.replace('_', "");
    let radix = match clean.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => Some(16),
        Some("0o") => Some(8),
        Some("0b") => Some(2),
        _ => None,
    };
    let int = match radix {
        Some(r) => i128::from_str_radix(&clean[2..], r).ok(),
        // Python refuses `08` (leading zeros) but accepts `0` and `00`.
        None if clean.len() > 1 && clean.starts_with('0') => {
            clean.bytes().all(|b| b == b'0').then_some(0)
        }
        None => clean.parse::<i128>().ok(),
    };
    if let Some(i) = int {
        let i = if neg { -i } else { i };
        return serde_json::from_str(&i.to_string()).ok();
    }
    let floaty = clean.contains(['.', 'e', 'E']);
    if radix.is_some()
        || !floaty
        || clean
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    let f: f64 = clean.parse().ok()?;
    let f = if neg { -f } else { f };
    serde_json::Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_literals_and_plain_text() {
        assert_eq!(parse_value("8"), json!(8));
        assert_eq!(parse_value("-0x10"), json!(-16));
        assert_eq!(parse_value("1_000"), json!(1000));
        assert_eq!(parse_value("2.5"), json!(2.5));
        assert_eq!(parse_value("True"), json!(true));
        assert_eq!(parse_value("None"), json!(null));
        assert_eq!(parse_value("'a b'"), json!("a b"));
        assert_eq!(
            parse_value("[1, 'x', (2,), {'k': [3]}]"),
            json!([1, "x", [2], {"k": [3]}])
        );
        assert_eq!(parse_value("1 # a comment"), json!(1));
        assert_eq!(parse_value("true"), json!("true"));
        assert_eq!(parse_value("08"), json!("08"));
        assert_eq!(parse_value("{{ base * 2 }}m"), json!("{{ base * 2 }}m"));
        assert_eq!(parse_value("/opt/storm"), json!("/opt/storm"));
        assert_eq!(parse_value("1.2.3"), json!("1.2.3"));
        assert_eq!(parse_value("[1, 2"), json!("[1, 2"));
    }
}
