//! supervisor's `datatypes` converters, with their exact messages.
//!
//! Each takes the (expanded) option text and returns the value or the
//! `ValueError` text supervisord prints. Host lookups (users, directories)
//! go through [`Host`], which answers portably when asked to.

use crate::host::Host;
use crate::model::{AutoRestart, Id, Signal};
use crate::python::int::{PyInt, parse_int, parse_octal};
use crate::python::path::{dirname, expanduser};
use crate::python::repr::repr;
use crate::python::unicode::{lower, strip, upper};

pub type Conv<T> = Result<T, String>;

/// `integer`: Python `int()`.
pub fn integer(v: &str) -> Conv<PyInt> {
    parse_int(v).map_err(|e| e.to_string())
}

/// `boolean`.
pub fn boolean(v: &str) -> Conv<bool> {
    // No character outside ASCII lowercases to one of these words' letters.
    if v.is_ascii() {
        let is = |words: [&str; 4]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
        if is(["yes", "true", "on", "1"]) {
            return Ok(true);
        }
        if is(["no", "false", "off", "0"]) {
            return Ok(false);
        }
    }
    boolean_general(v)
}

fn boolean_general(v: &str) -> Conv<bool> {
    match lower(v).as_str() {
        "yes" | "true" | "on" | "1" => Ok(true),
        "no" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("not a valid boolean value: {}", repr(v))),
    }
}

/// `byte_size`: `kb`/`mb`/`gb` suffixes on the lowercased value.
pub fn byte_size(v: &str) -> Conv<PyInt> {
    // The common `50MB`: ASCII digits and a suffix (any other text, and
    // every error, takes the general path).
    if let Some((digits, suffix)) = v.is_ascii().then(|| v.split_at(v.len().saturating_sub(2))) {
        let mult = match suffix.as_bytes() {
            [k, b'b' | b'B'] if k.eq_ignore_ascii_case(&b'k') => Some(1024),
            [m, b'b' | b'B'] if m.eq_ignore_ascii_case(&b'm') => Some(1024 * 1024),
            [g, b'b' | b'B'] if g.eq_ignore_ascii_case(&b'g') => Some(1024 * 1024 * 1024),
            _ => None,
        };
        if let Some(mult) = mult
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = integer(digits)
        {
            return Ok(n.mul_i64(mult));
        }
    }
    byte_size_general(v)
}

fn byte_size_general(v: &str) -> Conv<PyInt> {
    let low = lower(v);
    let chars: Vec<char> = low.chars().collect();
    let cut = chars.len().saturating_sub(2);
    let suffix: String = chars[cut..].iter().collect();
    let mult = match suffix.as_str() {
        "kb" => 1024,
        "mb" => 1024 * 1024,
        "gb" => 1024 * 1024 * 1024,
        _ => return integer(&low),
    };
    let number: String = chars[..cut].iter().collect();
    Ok(integer(&number)?.mul_i64(mult))
}

/// `octal_type`.
pub fn octal(v: &str) -> Conv<PyInt> {
    parse_octal(v).map_err(|_| format!("{v} can not be converted to an octal type"))
}

/// `auto_restart`.
pub fn auto_restart(v: &str) -> Conv<AutoRestart> {
    let low = lower(v);
    match low.as_str() {
        "yes" | "true" | "on" | "1" => Ok(AutoRestart::Always),
        "no" | "false" | "off" | "0" => Ok(AutoRestart::Never),
        "unexpected" => Ok(AutoRestart::Unexpected),
        _ => Err(format!("invalid 'autorestart' value {}", repr(&low))),
    }
}

/// `logging_level`: an attribute of supervisor's `LevelsByDescription`.
pub fn logging_level(v: &str) -> Conv<String> {
    const LEVELS: &[&str] = &[
        "critical", "error", "warn", "info", "debug", "trace", "blather",
    ];
    // Any attribute that is not None counts, so Python's class dunders do.
    const DUNDERS: &[&str] = &[
        "__class__",
        "__delattr__",
        "__dict__",
        "__dir__",
        "__eq__",
        "__format__",
        "__ge__",
        "__getattribute__",
        "__getstate__",
        "__gt__",
        "__hash__",
        "__init__",
        "__init_subclass__",
        "__le__",
        "__lt__",
        "__module__",
        "__ne__",
        "__new__",
        "__reduce__",
        "__reduce_ex__",
        "__repr__",
        "__setattr__",
        "__sizeof__",
        "__str__",
        "__subclasshook__",
        "__weakref__",
    ];
    let low = lower(v);
    if LEVELS.contains(&low.as_str()) || DUNDERS.contains(&low.as_str()) {
        Ok(low)
    } else {
        Err(format!("bad logging level name {}", repr(v)))
    }
}

/// `signal_number`: a number or a `SIG*` name of Python's `signal`
/// module, which must name a number the module knows ([`Signal`]).
pub fn signal_number(v: &str) -> Conv<Signal> {
    let num = match parse_int(v) {
        Ok(n) => n,
        Err(_) => {
            let name = upper(strip(v));
            let bare = name.strip_prefix("SIG").unwrap_or(&name);
            match Signal::from_name(bare) {
                Some(s) => PyInt::from(i64::from(s.number())),
                None => return Err(format!("value {} is not a valid signal name", repr(v))),
            }
        }
    };
    num.to_i64()
        .and_then(Signal::from_number)
        .ok_or_else(|| format!("value {} is not a valid signal number", repr(v)))
}

/// `list_of_exitcodes`.
pub fn exitcodes(v: &str) -> Conv<Vec<PyInt>> {
    if v.is_empty() {
        return Ok(Vec::new());
    }
    let bad = || format!("not a valid list of exit codes: {}", repr(v));
    v.split(',')
        .map(|part| {
            let n = parse_int(part).map_err(|_| bad())?;
            match n.to_i64() {
                Some(c) if (0..=255).contains(&c) => Ok(n),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// `list_of_strings` (the empty value gives no items).
pub fn list_of_strings(v: &str) -> Vec<String> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(',').map(|p| strip(p).to_string()).collect()
}

/// `process_or_group_name`.
pub fn name(v: &str) -> Conv<String> {
    let s = strip(v);
    for c in [' ', ':', '/'] {
        if s.contains(c) {
            return Err(format!(
                "Invalid name: {} because of character: {}",
                repr(v),
                repr(&c.to_string())
            ));
        }
    }
    Ok(s.to_string())
}

/// `existing_directory` (portable: no existence test).
pub fn existing_directory(v: &str, host: &Host) -> Conv<String> {
    let nv = expanduser(v, host);
    if host.portable || host.is_dir(&nv) {
        Ok(nv)
    } else {
        Err(format!("{v} is not an existing directory"))
    }
}

/// `existing_dirpath` (portable: no existence test).
pub fn existing_dirpath(v: &str, host: &Host) -> Conv<String> {
    existing_dirpath_owned(v.to_string(), host)
}

/// [`existing_dirpath`] of an owned value, kept as it is unless `~` expands.
pub fn existing_dirpath_owned(v: String, host: &Host) -> Conv<String> {
    let (nv, written) = if v.starts_with('~') {
        (expanduser(&v, host), Some(v))
    } else {
        (v, None)
    };
    if host.portable {
        return Ok(nv);
    }
    let dir = dirname(&nv);
    if dir.is_empty() || host.is_dir(dir) {
        Ok(nv)
    } else {
        Err(format!(
            "The directory named as part of the path {} does not exist",
            written.as_deref().unwrap_or(&nv)
        ))
    }
}

/// Whether a user/group database could hold the name (portable check).
fn plausible_db_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(':') && !name.contains('\n') && !name.contains('\0')
}

const MAX_ID: i64 = (1 << 32) - 2;

/// `name_to_uid`.
pub fn name_to_uid(v: &str, host: &Host) -> Conv<Id> {
    match parse_int(v) {
        Ok(n) => {
            let valid = n.to_i64().filter(|i| (0..=MAX_ID).contains(i));
            if host.portable {
                return valid
                    .map(|_| Id::Unknown)
                    .ok_or_else(|| format!("Invalid user id {v}"));
            }
            match valid.and_then(|i| host.user_by_uid(i as u32)) {
                Some(u) => Ok(Id::Known(u.uid)),
                None => Err(format!("Invalid user id {v}")),
            }
        }
        Err(_) => {
            if v.contains('\0') {
                return Err("embedded null byte".into());
            }
            if host.portable {
                return if plausible_db_name(v) {
                    Ok(Id::Unknown)
                } else {
                    Err(format!("Invalid user name {v}"))
                };
            }
            host.user_by_name(v)
                .map(|u| Id::Known(u.uid))
                .ok_or_else(|| format!("Invalid user name {v}"))
        }
    }
}

/// `name_to_gid`.
pub fn name_to_gid(v: &str, host: &Host) -> Conv<Id> {
    match parse_int(v) {
        Ok(n) => {
            let valid = n.to_i64().filter(|i| (0..=MAX_ID).contains(i));
            if host.portable {
                return valid
                    .map(|_| Id::Unknown)
                    .ok_or_else(|| format!("Invalid group id {v}"));
            }
            match valid.filter(|&i| host.group_exists(i as u32)) {
                Some(g) => Ok(Id::Known(g as u32)),
                None => Err(format!("Invalid group id {v}")),
            }
        }
        Err(_) => {
            if host.portable {
                return if plausible_db_name(v) {
                    Ok(Id::Unknown)
                } else {
                    Err(format!("Invalid group name {v}"))
                };
            }
            host.group_by_name(v)
                .map(Id::Known)
                .ok_or_else(|| format!("Invalid group name {v}"))
        }
    }
}

/// `gid_for_uid` (portable: unknown).
pub fn gid_for_uid(uid: Id, host: &Host) -> Id {
    match uid {
        Id::Known(u) if !host.portable => host
            .user_by_uid(u)
            .map_or(Id::Unknown, |info| Id::Known(info.gid)),
        _ => Id::Unknown,
    }
}

/// `colon_separated_user_group`; the caller supplies the error text.
pub fn user_group(v: &str, host: &Host) -> Result<(Id, Id), ()> {
    match v.split_once(':') {
        None => Ok((name_to_uid(v, host).map_err(|_| ())?, Id::Unchanged)),
        Some((u, g)) => Ok((
            name_to_uid(u, host).map_err(|_| ())?,
            name_to_gid(g, host).map_err(|_| ())?,
        )),
    }
}

/// `inet_address` → (host, port).
pub fn inet_address(s: &str) -> Conv<(String, PyInt)> {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => {
            if p.is_empty() {
                return Err(format!("no port number specified in {}", repr(p)));
            }
            (lower(h), port_number(p)?)
        }
        None => (
            String::new(),
            port_number(s).map_err(|_| format!("not a valid port number: {} ", repr(s)))?,
        ),
    };
    let host = if host == "*" { String::new() } else { host };
    Ok((host, port))
}

/// `port_number`: an int in 1..=65535.
pub fn port_number(s: &str) -> Conv<PyInt> {
    let n = integer(s)?;
    check_range(n, 1, 65535)
}

pub fn check_range(n: PyInt, lo: i64, hi: i64) -> Conv<PyInt> {
    if n < PyInt::from(lo) {
        Err(format!("{n} is below lower bound ({lo})"))
    } else if n > PyInt::from(hi) {
        Err(format!("{n} is above upper bound ({hi})"))
    } else {
        Ok(n)
    }
}

/// `colon_separated_user_group` with the caller's error wording
/// (`Invalid socket_owner value <v>`).
pub fn colon_user_group_msg(v: &str, host: &Host, what: &str) -> Conv<(Id, Id)> {
    user_group(v, host).map_err(|()| format!("Invalid {what} value {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths_agree_with_the_general_conversions() {
        // `|`-separated, starting with the empty text.
        let samples = "|0|1|007|50MB|50mb|50Mb|1kb|1KB|2gB|10|MB|kb|-1MB| 5MB|5MB |5 MB|1_0MB|0x10|1e3\
                       |\u{1d7ce}MB|\u{663}kb|999999999999999999|9999999999999999999\
                       |99999999999999999999MB|yes|YES|True|oN|off|no|false|FALSE|2|y|\u{212a}b|tr\u{fc}e";
        for v in samples.split('|') {
            assert_eq!(boolean(v), boolean_general(v), "boolean({v:?})");
            assert_eq!(byte_size(v), byte_size_general(v), "byte_size({v:?})");
        }
    }

    #[test]
    fn bytes_like_supervisor() {
        assert_eq!(byte_size("1 MB").unwrap().to_string(), "1048576");
        assert_eq!(byte_size("1_0KB").unwrap().to_string(), "10240");
        assert_eq!(byte_size("-1MB").unwrap().to_string(), "-1048576");
        assert_eq!(
            byte_size("1.5MB").unwrap_err(),
            "invalid literal for int() with base 10: '1.5'"
        );
        assert_eq!(
            byte_size("1TB").unwrap_err(),
            "invalid literal for int() with base 10: '1tb'"
        );
        assert_eq!(
            byte_size("MB").unwrap_err(),
            "invalid literal for int() with base 10: ''"
        );
    }

    #[test]
    fn signals() {
        assert_eq!(signal_number("TERM").unwrap(), Signal::TERM);
        assert_eq!(signal_number(" sigkill ").unwrap(), Signal::KILL);
        assert_eq!(signal_number("CLD").unwrap().name(), "CHLD");
        assert_eq!(signal_number("_DFL").unwrap().name(), "0");
        assert_eq!(signal_number("64").unwrap().number(), 64);
        assert_eq!(
            signal_number("35").unwrap_err(),
            "value '35' is not a valid signal number"
        );
        assert_eq!(
            signal_number("foo").unwrap_err(),
            "value 'foo' is not a valid signal name"
        );
    }

    #[test]
    fn exit_codes_and_names() {
        assert!(exitcodes("").unwrap().is_empty());
        assert_eq!(exitcodes("0, 2").unwrap().len(), 2);
        assert!(exitcodes("0,").is_err());
        assert!(exitcodes("256").is_err());
        assert_eq!(name(" b ").unwrap(), "b");
        assert_eq!(
            name("g:h").unwrap_err(),
            "Invalid name: 'g:h' because of character: ':'"
        );
    }

    #[test]
    fn inet() {
        assert_eq!(inet_address("*:9001").unwrap().0, "");
        assert_eq!(inet_address("[::1]:9001").unwrap().0, "[::1]");
        assert_eq!(
            inet_address("abc").unwrap_err(),
            "not a valid port number: 'abc' "
        );
        assert_eq!(
            inet_address("h:").unwrap_err(),
            "no port number specified in ''"
        );
        assert_eq!(
            inet_address("h:0").unwrap_err(),
            "0 is below lower bound (1)"
        );
    }
}
