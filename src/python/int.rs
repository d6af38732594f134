//! Python integers: `int(str)`, `int(str, 8)` and arbitrary size.
//!
//! supervisord converts numbers with Python's `int()`, which accepts
//! surrounding whitespace, `_` between digits, Unicode decimal digits and
//! integers of any size (up to CPython's 4300-digit conversion limit).

use super::repr::repr_truncated;
use super::unicode::{decimal_value, strip};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::fmt;

/// CPython 3.11's default `sys.get_int_max_str_digits()`.
const MAX_STR_DIGITS: usize = 4300;

/// A Python `int`: machine-sized when it fits, arbitrary otherwise.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyInt(BigOrSmall);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum BigOrSmall {
    Small(i64),
    Big(Box<BigInt>),
}

impl PartialOrd for BigOrSmall {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigOrSmall {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (BigOrSmall::Small(a), BigOrSmall::Small(b)) => a.cmp(b),
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

impl BigOrSmall {
    fn to_big(&self) -> BigInt {
        match self {
            BigOrSmall::Small(v) => BigInt::from(*v),
            BigOrSmall::Big(b) => (**b).clone(),
        }
    }
}

impl From<i64> for PyInt {
    fn from(v: i64) -> Self {
        PyInt(BigOrSmall::Small(v))
    }
}

impl From<BigInt> for PyInt {
    fn from(v: BigInt) -> Self {
        match v.to_i64() {
            Some(s) => PyInt(BigOrSmall::Small(s)),
            None => PyInt(BigOrSmall::Big(Box::new(v))),
        }
    }
}

impl fmt::Display for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BigOrSmall::Small(v) => write!(f, "{v}"),
            BigOrSmall::Big(b) => write!(f, "{b}"),
        }
    }
}

impl PyInt {
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            BigOrSmall::Small(v) => Some(*v),
            BigOrSmall::Big(_) => None,
        }
    }

    pub fn to_big(&self) -> BigInt {
        self.0.to_big()
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, BigOrSmall::Small(0))
    }

    pub fn is_negative(&self) -> bool {
        match &self.0 {
            BigOrSmall::Small(v) => *v < 0,
            BigOrSmall::Big(b) => b.sign() == num_bigint::Sign::Minus,
        }
    }

    /// The value as `f64`, or `None` when Python's `float(int)` overflows.
    pub fn to_f64(&self) -> Option<f64> {
        let f = match &self.0 {
            BigOrSmall::Small(v) => *v as f64,
            BigOrSmall::Big(b) => b.to_f64()?,
        };
        f.is_finite().then_some(f)
    }

    pub fn mul_i64(&self, m: i64) -> PyInt {
        match &self.0 {
            BigOrSmall::Small(v) => match v.checked_mul(m) {
                Some(p) => PyInt::from(p),
                None => PyInt::from(BigInt::from(*v) * m),
            },
            BigOrSmall::Big(b) => PyInt::from((**b).clone() * m),
        }
    }

    /// `self + n`.
    pub fn add_u32(&self, n: u32) -> PyInt {
        match &self.0 {
            BigOrSmall::Small(v) => match v.checked_add(i64::from(n)) {
                Some(s) => PyInt::from(s),
                None => PyInt::from(BigInt::from(*v) + n),
            },
            BigOrSmall::Big(b) => PyInt::from((**b).clone() + n),
        }
    }

    /// Digits in `radix` (2..=16) without sign, lower case.
    pub fn abs_digits(&self, radix: u32) -> String {
        match &self.0 {
            BigOrSmall::Small(v) => {
                let mut n = v.unsigned_abs();
                if n == 0 {
                    return "0".into();
                }
                let mut digits = Vec::new();
                while n > 0 {
                    let d = (n % radix as u64) as u32;
                    digits.push(std::char::from_digit(d, radix).unwrap_or('0'));
                    n /= radix as u64;
                }
                digits.iter().rev().collect()
            }
            BigOrSmall::Big(b) => {
                let mag = b.magnitude();
                if mag.is_zero() {
                    "0".into()
                } else {
                    mag.to_str_radix(radix)
                }
            }
        }
    }
}

/// Why `int()` refused a string; `Display` gives CPython's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntError {
    Invalid { literal: String, base: u32 },
    TooManyDigits(usize),
}

impl fmt::Display for IntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntError::Invalid { literal, base } => write!(
                f,
                "invalid literal for int() with base {base}: {}",
                repr_truncated(literal, 200)
            ),
            IntError::TooManyDigits(n) => write!(
                f,
                "Exceeds the limit ({MAX_STR_DIGITS} digits) for integer string conversion: \
                 value has {n} digits; use sys.set_int_max_str_digits() to increase the limit"
            ),
        }
    }
}

/// Python's `int(s)` (base 10).
/// The decimal digits of `n`, written into the end of `buf` (no allocation,
/// no formatting machinery: the JSON writer and `%d` use it per instance).
pub fn decimal(n: u64, buf: &mut [u8; 20]) -> &str {
    std::str::from_utf8(decimal_digits(n, buf)).unwrap_or_default()
}

/// [`decimal`] as ASCII bytes (for a caller that pushes them as chars).
pub fn decimal_digits(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

pub fn parse_int(s: &str) -> Result<PyInt, IntError> {
    // Most config values are a few plain ASCII digits: no sign, space,
    // underscore or other script to look at, and no room to overflow.
    if (1..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        let n = s.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
        return Ok(PyInt::from(n));
    }
    parse_radix(s, 10)
}

/// Python's `int(s, 8)`: an optional `0o` prefix is allowed.
pub fn parse_octal(s: &str) -> Result<PyInt, IntError> {
    parse_radix(s, 8)
}

fn parse_radix(s: &str, radix: u32) -> Result<PyInt, IntError> {
    let invalid = || IntError::Invalid {
        literal: s.to_string(),
        base: radix,
    };
    let body = strip(s);
    let (negative, mut body) = match body.chars().next() {
        Some('-') => (true, &body[1..]),
        Some('+') => (false, &body[1..]),
        _ => (false, body),
    };
    if radix == 8 && (body.starts_with("0o") || body.starts_with("0O")) {
        body = &body[2..];
        // int('0o_7', 8) is valid: an underscore may follow the prefix.
        if let Some(rest) = body.strip_prefix('_') {
            body = rest;
        }
    }
    let mut digits: Vec<u8> = Vec::with_capacity(body.len());
    let mut prev_underscore = true; // no leading underscore
    for c in body.chars() {
        if c == '_' {
            if prev_underscore {
                return Err(invalid());
            }
            prev_underscore = true;
            continue;
        }
        let d = decimal_value(c).ok_or_else(invalid)?;
        if d >= radix {
            return Err(invalid());
        }
        digits.push(d as u8);
        prev_underscore = false;
    }
    if digits.is_empty() || prev_underscore {
        return Err(invalid());
    }
    if radix == 10 && digits.len() > MAX_STR_DIGITS {
        return Err(IntError::TooManyDigits(digits.len()));
    }
    Ok(from_digits(&digits, radix, negative))
}

fn from_digits(digits: &[u8], radix: u32, negative: bool) -> PyInt {
    let mut small: i64 = 0;
    let mut overflow = false;
    for &d in digits {
        match small
            .checked_mul(radix as i64)
            .and_then(|v| v.checked_add(d as i64))
        {
            Some(v) => small = v,
            None => {
                overflow = true;
                break;
            }
        }
    }
    if !overflow {
        return PyInt::from(if negative { -small } else { small });
    }
    let mut big =
        BigInt::from_radix_be(num_bigint::Sign::Plus, digits, radix).unwrap_or_else(BigInt::zero);
    if negative {
        big = -big;
    }
    PyInt::from(big)
}

impl serde::Serialize for PyInt {
    /// A JSON integer of any size (serde_json's `arbitrary_precision`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            BigOrSmall::Small(v) => s.serialize_i64(*v),
            BigOrSmall::Big(b) => match b.to_string().parse::<serde_json::Number>() {
                Ok(n) => n.serialize(s),
                Err(_) => s.serialize_str(&b.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_u32_carries_into_big_ints() {
        assert_eq!(PyInt::from(-3).add_u32(5), PyInt::from(2));
        assert_eq!(
            PyInt::from(i64::MAX).add_u32(1).to_string(),
            "9223372036854775808"
        );
        let big = parse_int("100000000000000000000").unwrap();
        assert_eq!(big.add_u32(7).to_string(), "100000000000000000007");
    }

    #[test]
    fn plain_digits_read_like_the_general_path() {
        // `|`-separated, starting with the empty text.
        let samples = "|0|7|007|10|999|123456789012345678|999999999999999999|9999999999999999999\
                       |99999999999999999999| 1|1 |+1|-1|1_0|\u{663}|0x1";
        for v in samples.split('|') {
            assert_eq!(parse_int(v), parse_radix(v, 10), "int({v:?})");
        }
    }

    fn ok(s: &str) -> String {
        parse_int(s).unwrap().to_string()
    }

    #[test]
    fn python_int_forms() {
        assert_eq!(ok(" \n 5 \n"), "5");
        assert_eq!(ok("+1_0"), "10");
        assert_eq!(ok("-007"), "-7");
        assert_eq!(ok("\u{663}"), "3");
        assert_eq!(
            ok("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
        for bad in ["", "1__0", "_1", "1_", "1.5", "0x10", "1e3", "+", " "] {
            assert!(parse_int(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn messages() {
        assert_eq!(
            parse_int("3\nx").unwrap_err().to_string(),
            "invalid literal for int() with base 10: '3\\nx'"
        );
        let long = "x".repeat(300);
        let msg = parse_int(&long).unwrap_err().to_string();
        assert_eq!(msg.chars().count(), 240);
        assert!(
            parse_int(&"9".repeat(4301))
                .unwrap_err()
                .to_string()
                .contains("value has 4301 digits")
        );
    }

    #[test]
    fn octal() {
        assert_eq!(parse_octal("022").unwrap().to_string(), "18");
        assert_eq!(parse_octal("0o22").unwrap().to_string(), "18");
        assert_eq!(parse_octal("-1").unwrap().to_string(), "-1");
        assert!(parse_octal("8").is_err());
        assert!(parse_octal("").is_err());
    }

    #[test]
    fn ordering_mixes_sizes() {
        let big = parse_int("99999999999999999999").unwrap();
        assert!(PyInt::from(5) < big);
        assert!(big.to_i64().is_none());
        assert_eq!(PyInt::from(-255).abs_digits(16), "ff");
    }
}
