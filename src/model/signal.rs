//! Signals: the one table supc has of them.
//!
//! supervisord meets signals in three places, and each reads Python's
//! `signal` module its own way (see `docs/semantics.md` §5.13):
//!
//! * `datatypes.signal_number` (a config's `stopsignal`, the RPC
//!   `signalProcess`) accepts a number or any `SIG*` attribute name of the
//!   module, aliases and the `SIG_DFL`-style constants included, and then
//!   requires the number to be one the module names;
//! * the JSON contract prints `signal.Signals(n).name` (the canonical name);
//! * `options.signame` (log lines such as "terminated by SIGTERM") builds
//!   its table by walking the module's attributes, so where two names share
//!   a number the *last in alphabetical order* wins (29 is `SIGPOLL` there,
//!   `SIGIO` for `signal.Signals`), and an unnamed number reads
//!   `signal N`.
//!
//! The numbers are Linux's, as supervisord's Python sees them there.

/// A signal number Python's `signal` module names (0 included: `SIG_DFL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(u8);

/// `(number, signal.Signals(n).name without SIG, options.signame's name
/// where it differs)`.
const NAMED: &[(u8, &str, Option<&str>)] = &[
    (1, "HUP", None),
    (2, "INT", None),
    (3, "QUIT", None),
    (4, "ILL", None),
    (5, "TRAP", None),
    (6, "ABRT", None),
    (7, "BUS", None),
    (8, "FPE", None),
    (9, "KILL", None),
    (10, "USR1", None),
    (11, "SEGV", None),
    (12, "USR2", None),
    (13, "PIPE", None),
    (14, "ALRM", None),
    (15, "TERM", None),
    (16, "STKFLT", None),
    (17, "CHLD", None),
    (18, "CONT", None),
    (19, "STOP", None),
    (20, "TSTP", None),
    (21, "TTIN", None),
    (22, "TTOU", None),
    (23, "URG", None),
    (24, "XCPU", None),
    (25, "XFSZ", None),
    (26, "VTALRM", None),
    (27, "PROF", None),
    (28, "WINCH", None),
    (29, "IO", Some("POLL")),
    (30, "PWR", None),
    (31, "SYS", None),
    (34, "RTMIN", None),
    (64, "RTMAX", None),
];

/// The other `SIG*` attribute names `signal_number` accepts: aliases and
/// the `SIG_DFL`-style constants (which are not signals, but are numbers
/// the module names).
const ALIASES: &[(&str, u8)] = &[
    ("CLD", 17),
    ("IOT", 6),
    ("POLL", 29),
    ("_BLOCK", 0),
    ("_DFL", 0),
    ("_IGN", 1),
    ("_SETMASK", 2),
    ("_UNBLOCK", 1),
];

impl Signal {
    /// supervisord's default `stopsignal`.
    pub const TERM: Signal = Signal(15);
    /// What `stopwaitsecs` escalates to.
    pub const KILL: Signal = Signal(9);

    /// The signal of a number the `signal` module names (0 too).
    pub fn from_number(n: i64) -> Option<Signal> {
        let n = u8::try_from(n).ok()?;
        (n == 0 || NAMED.iter().any(|(num, _, _)| *num == n)).then_some(Signal(n))
    }

    /// The signal of a `SIG*` attribute name, given without `SIG` and in
    /// upper case (`TERM`, `CLD`, `_DFL`).
    pub fn from_name(bare: &str) -> Option<Signal> {
        NAMED
            .iter()
            .find(|(_, name, _)| *name == bare)
            .map(|(n, _, _)| Signal(*n))
            .or_else(|| {
                ALIASES
                    .iter()
                    .find(|(name, _)| *name == bare)
                    .map(|(_, n)| Signal(*n))
            })
    }

    pub fn number(self) -> u32 {
        u32::from(self.0)
    }

    /// The number as the C API (`kill`) takes it.
    pub fn as_raw(self) -> i32 {
        i32::from(self.0)
    }

    /// `signal.Signals(n).name` without `SIG`; `"0"` for 0, which is no
    /// signal.
    pub fn name(self) -> &'static str {
        NAMED
            .iter()
            .find(|(n, _, _)| *n == self.0)
            .map_or("0", |(_, name, _)| name)
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// supervisord's `options.signame`: `SIGPOLL` for 29, `signal N` for a
/// number it has no name for.
pub fn signame(n: i32) -> String {
    let found = NAMED
        .iter()
        .find(|(num, _, _)| i64::from(*num) == i64::from(n));
    match found {
        Some((_, name, quirk)) => format!("SIG{}", quirk.unwrap_or(name)),
        None => format!("signal {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_numbers_and_aliases() {
        assert_eq!(Signal::from_name("TERM"), Some(Signal::TERM));
        assert_eq!(Signal::from_name("CLD").map(Signal::name), Some("CHLD"));
        assert_eq!(Signal::from_name("_DFL").map(Signal::name), Some("0"));
        assert_eq!(Signal::from_name("NOPE"), None);
        assert_eq!(Signal::from_number(64).map(Signal::name), Some("RTMAX"));
        assert_eq!(Signal::from_number(0).map(Signal::number), Some(0));
        assert_eq!(Signal::from_number(35), None);
        assert_eq!(Signal::from_number(-1), None);
    }

    #[test]
    fn signame_keeps_supervisords_quirks() {
        assert_eq!(signame(15), "SIGTERM");
        assert_eq!(signame(29), "SIGPOLL");
        assert_eq!(Signal::from_number(29).map(Signal::name), Some("IO"));
        assert_eq!(signame(0), "signal 0");
        assert_eq!(signame(40), "signal 40");
    }

    #[test]
    fn every_alias_names_a_known_number() {
        for (name, n) in ALIASES {
            let s = Signal::from_name(name).expect(name);
            assert_eq!(s.number(), u32::from(*n));
            assert_eq!(Signal::from_number(i64::from(*n)), Some(s));
        }
    }
}
