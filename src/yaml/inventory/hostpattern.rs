//! Host patterns as Ansible's inventory plugins read them: an optional
//! `:port` and `[begin:end]` / `[begin:end:step]` ranges, numeric (with
//! zero padding when `begin` has a leading zero) or alphabetic.
//!
//! This follows `expand_hostname_range` and `parse_address` of
//! ansible-core 2.19 (the first `[…]` is expanded, then the rest
//! recursively), so `worker[1:3]` is three hosts and never one host
//! named `worker[1:3]`.

/// The hosts a pattern names, and the port it gives them.
#[derive(Debug, PartialEq)]
pub struct Expanded {
    pub hosts: Vec<String>,
    pub port: Option<u16>,
}

/// Past this many hosts from one pattern the inventory is refused
/// (a typo such as `[1:99999999]` must not eat the memory).
const MAX_HOSTS: usize = 100_000;

const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Expands `pattern` (a host key of a YAML inventory or the first word of
/// an INI host line).
pub fn expand(pattern: &str) -> Result<Expanded, String> {
    let (name, port) = split_port(pattern)?;
    if name.is_empty() {
        return Err(format!("not a valid host name: {pattern:?}"));
    }
    let mut hosts = Vec::new();
    if name.contains('[') {
        expand_ranges(&name, &mut hosts)?;
    } else {
        hosts.push(name);
    }
    Ok(Expanded { hosts, port })
}

/// `host:22` and `[host]:22` give a port; an IPv6 address (several `:`)
/// without brackets does not.
fn split_port(pattern: &str) -> Result<(String, Option<u16>), String> {
    let p = pattern.trim();
    if p.ends_with(':') {
        return Err(format!(
            "invalid host pattern {p:?}: ending in ':' is reserved for a port"
        ));
    }
    let port_of = |s: &str| -> Result<u16, String> {
        s.parse::<u16>()
            .map_err(|_| format!("invalid port {s:?} in host pattern {p:?}"))
    };
    if let Some(rest) = p.strip_prefix('[')
        && let Some((inner, port)) = rest.rsplit_once("]:")
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok((inner.to_string(), Some(port_of(port)?)));
    }
    // A `:` inside a range (`web[1:3]`) is not a port separator.
    let outside = strip_brackets(p);
    if outside.matches(':').count() == 1
        && let Some((host, port)) = p.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        return Ok((host.to_string(), Some(port_of(port)?)));
    }
    Ok((p.to_string(), None))
}

fn strip_brackets(s: &str) -> String {
    let mut depth = 0usize;
    s.chars()
        .filter(|&c| {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect()
}

fn expand_ranges(line: &str, out: &mut Vec<String>) -> Result<(), String> {
    let Some(open) = line.find('[') else {
        out.push(line.to_string());
        return Ok(());
    };
    let close = line[open..]
        .find(']')
        .map(|i| open + i)
        .ok_or_else(|| format!("host range in {line:?} has no closing ']'"))?;
    let (head, range, tail) = (&line[..open], &line[open + 1..close], &line[close + 1..]);
    for item in range_items(range)? {
        if out.len() >= MAX_HOSTS {
            return Err(format!(
                "host range in {line:?} names more than {MAX_HOSTS} hosts"
            ));
        }
        expand_ranges(&format!("{head}{item}{tail}"), out)?;
    }
    Ok(())
}

/// The items of `begin:end[:step]`.
fn range_items(range: &str) -> Result<Vec<String>, String> {
    let bounds: Vec<&str> = range.split(':').collect();
    if bounds.len() != 2 && bounds.len() != 3 {
        return Err("host range must be begin:end or begin:end:step".into());
    }
    let beg = if bounds[0].is_empty() { "0" } else { bounds[0] };
    let end = bounds[1];
    if end.is_empty() {
        return Err("host range must specify end value".into());
    }
    let step: usize = match bounds.get(2) {
        None => 1,
        Some(s) => s
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("host range step {s:?} is not a positive integer"))?,
    };
    let width = if beg.len() > 1 && beg.starts_with('0') {
        if beg.len() != end.len() {
            return Err("host range must specify equal-length begin and end formats".into());
        }
        beg.len()
    } else {
        0
    };
    if let (Some(b), Some(e)) = (letter_index(beg), letter_index(end)) {
        if b > e {
            return Err("host range must have begin <= end".into());
        }
        return Ok(LETTERS[b..=e]
            .chars()
            .step_by(step)
            .map(String::from)
            .collect());
    }
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("host range bound {s:?} is neither a number nor a letter"))
    };
    let (b, e) = (parse(beg)?, parse(end)?);
    let count = if e < b {
        0
    } else {
        (e - b) as u64 / step as u64 + 1
    };
    if count > MAX_HOSTS as u64 {
        return Err(format!(
            "host range [{range}] names more than {MAX_HOSTS} hosts"
        ));
    }
    Ok((b..=e)
        .step_by(step)
        .map(|n| format!("{n:0width$}"))
        .collect())
}

fn letter_index(s: &str) -> Option<usize> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    LETTERS.find(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(p: &str) -> Vec<String> {
        expand(p).unwrap().hosts
    }

    #[test]
    fn numeric_alphabetic_padded_and_stepped_ranges() {
        assert_eq!(hosts("worker[1:3]"), ["worker1", "worker2", "worker3"]);
        assert_eq!(hosts("db[01:10:4].x"), ["db01.x", "db05.x", "db09.x"]);
        assert_eq!(hosts("[a:c]-n"), ["a-n", "b-n", "c-n"]);
        assert_eq!(hosts("r[1:2]c[a:b]"), ["r1ca", "r1cb", "r2ca", "r2cb"]);
        assert_eq!(hosts("n[:1]"), ["n0", "n1"]);
    }

    #[test]
    fn ports_and_errors() {
        assert_eq!(expand("web1:2222").unwrap().port, Some(2222));
        assert_eq!(expand("w[1:2]:22").unwrap().hosts, ["w1", "w2"]);
        assert_eq!(expand("w[1:2]:22").unwrap().port, Some(22));
        assert_eq!(expand("fe80::1").unwrap().port, None);
        assert!(expand("web:").is_err());
        assert!(expand("w[01:3]").is_err());
        assert!(expand("w[c:a]").is_err());
        assert!(expand("w[1:9999999]").is_err());
    }
}
