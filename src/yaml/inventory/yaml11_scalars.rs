//! Plain YAML scalars as PyYAML's `SafeConstructor` resolves them (the
//! YAML 1.1 rules listed in [`super::yaml11`]), and floats printed as
//! Python prints them, since a variable's JSON text is what
//! `ansible-inventory --list` and `to_json` show.

use fancy_regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid constant pattern")
}

static INT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
    )
});
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    )
});
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)$",
    )
});

fn matches(re: &Regex, text: &str) -> bool {
    re.is_match(text).unwrap_or(false)
}

/// A plain scalar through PyYAML's implicit resolvers.
pub fn plain_scalar(text: &str) -> Result<Value, String> {
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::Bool(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Value::Bool(false)
        }
        t if matches(&INT, t) => int(t)?,
        t if matches(&FLOAT, t) => float(t)?,
        t if matches(&TIMESTAMP, t) => Value::String(timestamp(t)?),
        t => Value::String(t.into()),
    })
}

/// `(negative, text without sign and `_`)`.
fn sign(text: &str) -> (bool, String) {
    let clean = text.replace('_', "");
    match clean.strip_prefix('-') {
        Some(rest) => (true, rest.into()),
        None => (false, clean.trim_start_matches('+').into()),
    }
}

fn int(text: &str) -> Result<Value, String> {
    use num_bigint::BigInt;
    let (neg, v) = sign(text);
    let parse = |digits: &str, radix| {
        BigInt::parse_bytes(digits.as_bytes(), radix)
            .ok_or_else(|| format!("{text} is not a valid integer"))
    };
    let n = if v == "0" {
        BigInt::from(0)
    } else if let Some(d) = v.strip_prefix("0b") {
        parse(d, 2)?
    } else if let Some(d) = v.strip_prefix("0x") {
        parse(d, 16)?
    } else if v.starts_with('0') {
        parse(&v, 8)?
    } else if v.contains(':') {
        let mut n = BigInt::from(0);
        for part in v.split(':') {
            n = n * 60 + parse(part, 10)?;
        }
        n
    } else {
        parse(&v, 10)?
    };
    let n = if neg { -n } else { n };
    serde_json::from_str(&n.to_string()).map_err(|e| e.to_string())
}

fn float(text: &str) -> Result<Value, String> {
    let (neg, v) = sign(text);
    let v = v.to_ascii_lowercase();
    let bad = |_| format!("{text} is not a valid float");
    let f = if v == ".inf" || v == ".nan" {
        return Err(format!(
            "the float {text} (Ansible reads it as infinity or NaN) has no JSON form; quote it"
        ));
    } else if v.contains(':') {
        let mut f = 0.0;
        for part in v.split(':') {
            f = f * 60.0 + part.parse::<f64>().map_err(bad)?;
        }
        f
    } else {
        // Rust reads `5.`, `.5` and `1.0e+3` as Python does.
        v.parse::<f64>().map_err(bad)?
    };
    let f = if neg { -f } else { f };
    serde_json::from_str(&python_repr(f)).map_err(|e| e.to_string())
}

/// Python's `repr(float)`: the shortest digits, positional for
/// `1e-4 <= |f| < 1e16` (with `.0` when integral), else `1e+16`.
pub fn python_repr(f: f64) -> String {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let decpt = exp + 1;
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    if !(-3..=16).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let n = digits.len() as i32;
    let body = if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// A timestamp as `isoformat()` gives it (a bare date is unchanged).
/// A date or time Python's `datetime` refuses fails the read, as in Ansible.
fn timestamp(text: &str) -> Result<String, String> {
    let Ok(Some(c)) = TIMESTAMP.captures(text) else {
        return Ok(text.into());
    };
    let num = |i: usize| {
        c.get(i)
            .map_or(0, |m| m.as_str().parse::<u32>().unwrap_or(0))
    };
    let Some(year) = c.get(1) else {
        let part = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
        check_date(text, part(0..4), part(5..7), part(8..10))?;
        return Ok(text.into());
    };
    check_date(text, num(1), num(2), num(3))?;
    if num(4) > 23 || num(5) > 59 || num(6) > 59 {
        return Err(format!(
            "{text} is not a valid time (quote it to keep the text)"
        ));
    }
    let mut out = format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}",
        year.as_str(),
        num(2),
        num(3),
        num(4),
        num(5),
        num(6)
    );
    let mut fraction: String = c
        .get(7)
        .map_or("", |m| m.as_str())
        .chars()
        .take(6)
        .collect();
    while fraction.len() < 6 {
        fraction.push('0');
    }
    if fraction != "000000" {
        out.push('.');
        out.push_str(&fraction);
    }
    match c.get(8).map(|m| m.as_str()) {
        None => {}
        Some("Z") => out.push_str("+00:00"),
        Some(_) => {
            let (h, m) = (num(10), num(11));
            let sign = if c.get(9).map(|m| m.as_str()) == Some("-") && (h, m) != (0, 0) {
                '-'
            } else {
                '+'
            };
            out.push_str(&format!("{sign}{h:02}:{m:02}"));
        }
    }
    Ok(out)
}

fn check_date(text: &str, year: u32, month: u32, day: u32) -> Result<(), String> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    if year == 0 || day == 0 || day > days {
        return Err(format!(
            "{text} is not a valid date (quote it to keep the text)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        for (f, want) in [
            (1000.0, "1000.0"),
            (0.5, "0.5"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (685230.15, "685230.15"),
            (-0.0, "-0.0"),
            (1234567890123456.0, "1234567890123456.0"),
        ] {
            assert_eq!(python_repr(f), want);
        }
    }

    #[test]
    fn timestamps_are_isoformat_and_checked() {
        let ok = |t: &str| plain_scalar(t).unwrap();
        assert_eq!(ok("2001-12-14"), Value::from("2001-12-14"));
        assert_eq!(
            ok("2001-12-14 21:59:43.10 -5"),
            Value::from("2001-12-14T21:59:43.100000-05:00")
        );
        assert_eq!(
            ok("2001-12-14t21:59:43Z"),
            Value::from("2001-12-14T21:59:43+00:00")
        );
        assert_eq!(
            ok("2000-2-29 1:02:03.000"),
            Value::from("2000-02-29T01:02:03")
        );
        for bad in ["2001-13-14", "2001-02-29", "2001-12-14 24:00:00"] {
            assert!(
                plain_scalar(bad).unwrap_err().contains("not a valid"),
                "{bad}"
            );
        }
    }
}
