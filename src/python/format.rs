//! Python's `str % mapping` (printf-style formatting with a dict).
//!
//! supervisord expands every option it reads with `value % expansions`, so
//! supc must accept exactly the specs CPython accepts, produce the same text,
//! and fail with the same message at the same spec. The pieces come from
//! `grammar/percent_format.pest`; this module evaluates them left to right
//! with CPython's argument bookkeeping (one unkeyed spec takes the whole
//! mapping, a second one finds no argument left).

use super::int::PyInt;
use super::repr::{ascii, repr};
use indexmap::IndexMap;
use pest::Parser;
use pest::iterators::Pair;
use std::fmt::Write;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/percent_format.pest"]
struct FormatGrammar;

/// A value in the expansion mapping: supervisord only ever puts strings and
/// integers (`process_num`, `numprocs`) there.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    Str(String),
    Int(PyInt),
}

impl PyValue {
    fn repr(&self) -> String {
        match self {
            PyValue::Str(s) => repr(s),
            PyValue::Int(i) => i.to_string(),
        }
    }
}

/// An insertion-ordered dict of expansion names, like the Python dict
/// supervisord builds (its order shows through the bare `%s` quirk).
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    entries: IndexMap<String, PyValue>,
}

impl Mapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// `d[key] = value`: a new key goes last, an existing key keeps its place.
    pub fn set(&mut self, key: impl Into<String>, value: PyValue) {
        self.entries.insert(key.into(), value);
    }

    pub fn set_str(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.set(key, PyValue::Str(value.into()));
    }

    pub fn get(&self, key: &str) -> Option<&PyValue> {
        self.entries.get(key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// `d.update(other)`.
    pub fn update(&mut self, other: &Mapping) {
        for (k, v) in &other.entries {
            self.entries.insert(k.clone(), v.clone());
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &PyValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `repr(d)`.
    pub fn repr(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&repr(k));
            out.push_str(": ");
            out.push_str(&v.repr());
        }
        out.push('}');
        out
    }

    /// The names sorted by code point, as in supervisord's "Available names".
    pub fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.keys().collect();
        names.sort_unstable();
        names
    }
}

/// Why `value % mapping` failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `KeyError`: the name is not in the mapping.
    MissingKey(String),
    /// Any other error, with CPython's message.
    Bad(String),
}

/// Evaluates `template % mapping`.
pub fn format(template: &str, mapping: &Mapping) -> Result<String, FormatError> {
    if !template.contains('%') {
        return Ok(template.to_string());
    }
    let pieces = FormatGrammar::parse(Rule::format, template)
        .map_err(|e| FormatError::Bad(format!("unparsable format string: {e}")))?;
    let mut state = Formatter {
        mapping,
        next_arg: Some(Arg::Mapping),
        out: String::with_capacity(template.len() + 16),
    };
    for piece in pieces {
        match piece.as_rule() {
            Rule::literal => state.out.push_str(piece.as_str()),
            Rule::escape => state.out.push('%'),
            Rule::spec => state.spec(piece, template)?,
            Rule::incomplete => {
                state.head(&mut Spec::default(), piece)?;
                return Err(FormatError::Bad("incomplete format".into()));
            }
            Rule::incomplete_key => {
                return Err(FormatError::Bad("incomplete format key".into()));
            }
            _ => {}
        }
    }
    Ok(state.out)
}

#[derive(Clone, Copy)]
enum Arg<'m> {
    Mapping,
    Value(&'m PyValue),
}

#[derive(Default)]
struct Spec {
    ljust: bool,
    sign: bool,
    blank: bool,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

struct Formatter<'m> {
    mapping: &'m Mapping,
    /// CPython's `argidx < arglen`: the one argument still available.
    next_arg: Option<Arg<'m>>,
    out: String,
}

const WIDTH_MAX: u128 = i64::MAX as u128;
const PREC_MAX: u128 = i32::MAX as u128;

impl<'m> Formatter<'m> {
    fn take_arg(&mut self) -> Result<Arg<'m>, FormatError> {
        self.next_arg
            .take()
            .ok_or_else(|| FormatError::Bad("not enough arguments for format string".into()))
    }

    /// Key lookup, flags, width and precision, with their errors in order.
    fn head(&mut self, spec: &mut Spec, pair: Pair<'_, Rule>) -> Result<(), FormatError> {
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::mapping_key => {
                    let key = part.into_inner().next().map(|k| k.as_str()).unwrap_or("");
                    match self.mapping.get(key) {
                        Some(v) => self.next_arg = Some(Arg::Value(v)),
                        None => return Err(FormatError::MissingKey(key.to_string())),
                    }
                }
                Rule::flags => {
                    for c in part.as_str().chars() {
                        match c {
                            '-' => spec.ljust = true,
                            '+' => spec.sign = true,
                            ' ' => spec.blank = true,
                            '#' => spec.alt = true,
                            _ => spec.zero = true,
                        }
                    }
                }
                Rule::width => {
                    if part.as_str() == "*" {
                        let w = self.star_arg()?;
                        if w < 0 {
                            spec.ljust = true;
                        }
                        spec.width = Some(w.unsigned_abs() as usize);
                    } else {
                        spec.width = Some(number(part.as_str(), WIDTH_MAX, "width too big")?);
                    }
                }
                Rule::precision => {
                    spec.prec = Some(0);
                    if let Some(p) = part.into_inner().next() {
                        if p.as_str() == "*" {
                            let v = self.star_arg()?;
                            spec.prec = (v >= 0).then_some(v as usize);
                        } else {
                            spec.prec = Some(number(p.as_str(), PREC_MAX, "precision too big")?);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn star_arg(&mut self) -> Result<i64, FormatError> {
        match self.take_arg()? {
            Arg::Value(PyValue::Int(i)) => i.to_i64().ok_or_else(|| {
                FormatError::Bad("Python int too large to convert to C ssize_t".into())
            }),
            _ => Err(FormatError::Bad("* wants int".into())),
        }
    }

    fn spec(&mut self, pair: Pair<'_, Rule>, template: &str) -> Result<(), FormatError> {
        let mut spec = Spec::default();
        let conv_pair = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::conversion);
        self.head(&mut spec, pair)?;
        let arg = self.take_arg()?;
        let Some(conv_pair) = conv_pair else {
            return Ok(());
        };
        let conv = conv_pair.as_str().chars().next().unwrap_or('?');
        let (text, numeric) = match conv {
            's' | 'r' | 'a' => (self.stringish(arg, conv), false),
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => (integer(arg, conv, &spec)?, true),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => (float(arg, conv, &spec)?, true),
            'c' => (character(arg)?.to_string(), false),
            other => {
                let index = template[..conv_pair.as_span().start()].chars().count();
                let shown = if (' '..='~').contains(&other) {
                    other
                } else {
                    '?'
                };
                return Err(FormatError::Bad(format!(
                    "unsupported format character '{shown}' (0x{:x}) at index {index}",
                    other as u32
                )));
            }
        };
        output(&mut self.out, &spec, conv, &text, numeric);
        Ok(())
    }

    fn stringish(&self, arg: Arg<'_>, conv: char) -> String {
        match (arg, conv) {
            (Arg::Mapping, _) => self.mapping.repr(),
            (Arg::Value(PyValue::Str(s)), 's') => s.clone(),
            (Arg::Value(PyValue::Str(s)), 'r') => repr(s),
            (Arg::Value(PyValue::Str(s)), _) => ascii(s),
            (Arg::Value(PyValue::Int(i)), _) => i.to_string(),
        }
    }
}

fn number(digits: &str, max: u128, msg: &str) -> Result<usize, FormatError> {
    let mut v: u128 = 0;
    for c in digits.bytes() {
        v = v * 10 + u128::from(c - b'0');
        if v > max {
            return Err(FormatError::Bad(msg.into()));
        }
    }
    Ok(v as usize)
}

fn type_name(arg: Arg<'_>) -> &'static str {
    match arg {
        Arg::Mapping => "dict",
        Arg::Value(PyValue::Str(_)) => "str",
        Arg::Value(PyValue::Int(_)) => "int",
    }
}

fn integer(arg: Arg<'_>, conv: char, spec: &Spec) -> Result<String, FormatError> {
    let Arg::Value(PyValue::Int(i)) = arg else {
        let what = if matches!(conv, 'o' | 'x' | 'X') {
            "an integer"
        } else {
            "a real number"
        };
        return Err(FormatError::Bad(format!(
            "%{conv} format: {what} is required, not {}",
            type_name(arg)
        )));
    };
    let (radix, prefix) = match conv {
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        _ => (10, ""),
    };
    let mut digits = i.abs_digits(radix);
    if conv == 'X' {
        digits = digits.to_ascii_uppercase();
    }
    if let Some(p) = spec.prec
        && p > digits.len()
    {
        digits = "0".repeat(p - digits.len()) + &digits;
    }
    let mut s = String::new();
    if i.is_negative() {
        s.push('-');
    }
    if spec.alt {
        s.push_str(prefix);
    }
    s.push_str(&digits);
    Ok(s)
}

fn float(arg: Arg<'_>, conv: char, spec: &Spec) -> Result<String, FormatError> {
    let x = match arg {
        Arg::Value(PyValue::Int(i)) => i
            .to_f64()
            .ok_or_else(|| FormatError::Bad("int too large to convert to float".into()))?,
        other => {
            return Err(FormatError::Bad(format!(
                "must be real number, not {}",
                type_name(other)
            )));
        }
    };
    let prec = spec.prec.unwrap_or(6);
    let s = match conv.to_ascii_lowercase() {
        'f' => format!("{x:.prec$}"),
        'e' => exp_format(x, prec),
        _ => general_format(x, prec, spec.alt),
    };
    let s = if spec.alt && conv.eq_ignore_ascii_case(&'f') && prec == 0 {
        s + "."
    } else if spec.alt && conv.eq_ignore_ascii_case(&'e') && prec == 0 {
        s.replacen('e', ".e", 1)
    } else {
        s
    };
    Ok(if conv.is_ascii_uppercase() {
        s.to_ascii_uppercase()
    } else {
        s
    })
}

/// C's `%.{prec}e`: mantissa, then `e`, sign and at least two digits.
fn exp_format(x: f64, prec: usize) -> String {
    let s = format!("{x:.prec$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// C's `%g`: `%e` or `%f` by exponent, trailing zeros removed unless `#`.
fn general_format(x: f64, prec: usize, alt: bool) -> String {
    let p = prec.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let exp: i64 = sci
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let mut s = if exp >= -4 && exp < p as i64 {
        let decimals = (p as i64 - 1 - exp).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        exp_format(x, p - 1)
    };
    if !alt {
        s = strip_fraction_zeros(&s);
    } else if !s.contains('.') {
        match s.find('e') {
            Some(i) => s.insert(i, '.'),
            None => s.push('.'),
        }
    }
    s
}

fn strip_fraction_zeros(s: &str) -> String {
    let (num, exp) = match s.find('e') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let num = if num.contains('.') {
        num.trim_end_matches('0').trim_end_matches('.')
    } else {
        num
    };
    format!("{num}{exp}")
}

fn character(arg: Arg<'_>) -> Result<char, FormatError> {
    match arg {
        Arg::Value(PyValue::Str(s)) if s.chars().count() == 1 => {
            Ok(s.chars().next().unwrap_or(' '))
        }
        Arg::Value(PyValue::Int(i)) => {
            let cp = i
                .to_i64()
                .filter(|v| (0..=0x10FFFF).contains(v))
                .ok_or_else(|| FormatError::Bad("%c arg not in range(0x110000)".into()))?;
            // A lone surrogate cannot live in a Rust string; see README
            // "Compatibility".
            Ok(char::from_u32(cp as u32).unwrap_or('\u{FFFD}'))
        }
        _ => Err(FormatError::Bad("%c requires int or char".into())),
    }
}

/// CPython's `unicode_format_arg_output`: sign, `0x` prefix, padding.
fn output(out: &mut String, spec: &Spec, conv: char, text: &str, numeric: bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut len = chars.len();
    let width = spec.width.unwrap_or(0);
    if matches!(conv, 's' | 'r' | 'a')
        && let Some(p) = spec.prec
    {
        len = len.min(p);
    }
    let mut idx = 0;
    let mut sign_char = None;
    if numeric {
        match chars.first() {
            Some(&c @ ('-' | '+')) => {
                sign_char = Some(c);
                len -= 1;
                idx = 1;
            }
            _ if spec.sign => sign_char = Some('+'),
            _ if spec.blank => sign_char = Some(' '),
            _ => {}
        }
    }
    let fill = if numeric && spec.zero && !spec.ljust {
        '0'
    } else {
        ' '
    };
    let mut width = width.max(len);
    if let Some(s) = sign_char {
        if fill != ' ' {
            out.push(s);
        }
        if width > len {
            width -= 1;
        }
    }
    let has_prefix = spec.alt && matches!(conv, 'x' | 'X' | 'o');
    if has_prefix {
        if fill != ' ' {
            out.extend(&chars[idx..idx + 2]);
            idx += 2;
        }
        width = width.saturating_sub(2);
        len -= 2;
    }
    if width > len && !spec.ljust {
        out.extend(std::iter::repeat_n(fill, width - len));
        width = len;
    }
    if fill == ' ' {
        if let Some(s) = sign_char {
            out.push(s);
        }
        if has_prefix {
            out.extend(&chars[idx..idx + 2]);
            idx += 2;
        }
    }
    out.extend(&chars[idx..idx + len]);
    if width > len {
        let _ = write!(out, "{:width$}", "", width = width - len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> Mapping {
        let mut m = Mapping::new();
        m.set_str("s", "ab");
        m.set("n", PyValue::Int(PyInt::from(5)));
        m.set("m", PyValue::Int(PyInt::from(-3)));
        m
    }

    fn f(t: &str) -> String {
        match format(t, &mapping()) {
            Ok(s) => s,
            Err(FormatError::MissingKey(k)) => format!("KeyError {k}"),
            Err(FormatError::Bad(m)) => format!("!! {m}"),
        }
    }

    #[test]
    fn conversions_match_cpython() {
        let cases = [
            ("%(s)s-%(n)02d", "ab-05"),
            ("%(n)-05d|", "5    |"),
            ("%(m)05d", "-0003"),
            ("%(m)+5d", "   -3"),
            ("%(n)#o", "0o5"),
            ("%(n)#10x", "       0x5"),
            ("%(n)#010x", "0x00000005"),
            ("%(m)#010X", "-0X0000003"),
            ("%(n).3x", "005"),
            ("%(m).3d", "-003"),
            ("%(n) d", " 5"),
            ("%(n)+.2f", "+5.00"),
            ("%(n)010.3e", "05.000e+00"),
            ("%(n)g", "5"),
            ("%(n)#g", "5.00000"),
            ("%(n)10r", "         5"),
            ("%(s)-6r|", "'ab'  |"),
            ("%(s).1r", "'"),
            ("%(n)05s", "    5"),
            ("%(s).0s", ""),
            ("100%%", "100%"),
            ("%(n)ld", "5"),
        ];
        for (t, want) in cases {
            assert_eq!(f(t), want, "{t}");
        }
    }

    #[test]
    fn errors_match_cpython() {
        let cases = [
            ("%(s)i", "!! %i format: a real number is required, not str"),
            ("%(s)o", "!! %o format: an integer is required, not str"),
            ("%(s)c", "!! %c requires int or char"),
            ("%(m)c", "!! %c arg not in range(0x110000)"),
            ("%(n)*d", "!! not enough arguments for format string"),
            ("%(s)*d", "!! * wants int"),
            ("%(s)", "!! incomplete format"),
            ("%(zz)", "KeyError zz"),
            ("%(s", "!! incomplete format key"),
            ("%s %s", "!! not enough arguments for format string"),
            (
                "%(n)z",
                "!! unsupported format character 'z' (0x7a) at index 4",
            ),
            ("%(s)s %z", "!! not enough arguments for format string"),
            (
                "%5%",
                "!! unsupported format character '%' (0x25) at index 2",
            ),
            ("%d", "!! %d format: a real number is required, not dict"),
            ("e%f", "!! must be real number, not dict"),
            ("%", "!! incomplete format"),
            ("%(a(b)c)s", "KeyError a(b)c"),
        ];
        for (t, want) in cases {
            assert_eq!(f(t), want, "{t}");
        }
    }

    #[test]
    fn bare_s_dumps_the_mapping() {
        assert_eq!(f("x %s"), "x {'s': 'ab', 'n': 5, 'm': -3}");
    }
}
