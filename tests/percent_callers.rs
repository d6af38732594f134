//! Each stage that reads or writes `%` outside the resolver does so through
//! `python::percent`, and what it writes means, to the grammar
//! (`python::format`, which supervisord's `%` follows), what it read:
//!
//! - the YAML front-end: a supc.yaml string split by `build::pieces` and
//!   written as INI by `build::ini_text` expands, once or twice as the
//!   option is expanded, to the literal text with each spec formatted;
//! - `supc convert --to yaml`: `from_ini::pin_text` replaces the
//!   `%(here)…` expansions of INI text by a directory without changing
//!   what the text expands to;
//! - `supc sample --command`: the escaped command expands to the command
//!   read leniently (`percent::lenient`): `%%` and stray `%` literal,
//!   expansions formatted.
//!
//! The texts are generated; the expected value is computed spec by spec
//! with the grammar, never by the caller under test.

use proptest::prelude::*;
use supc::options::SectionKind;
use supc::python::format::{FormatError, Mapping, PyValue, format};
use supc::python::int::PyInt;
use supc::python::percent::{self, Token};
use supc::yaml::build;

/// A name for a value in the mapping: a string or a small number.
fn names() -> Mapping {
    let mut m = Mapping::new();
    m.set("a", PyValue::Int(PyInt::from(65)));
    m.set_str("b", "st");
    m.set_str("x(y)", "xy");
    m
}

/// Text with escapes, specs (complete, cut off, with unknown conversions)
/// using the `keys` (a regex alternation), stray `%` and parentheses.
fn text_with(keys: &str) -> impl Strategy<Value = String> + use<> {
    proptest::string::string_regex(&format!(
        "([a-z/ ]{{0,2}}(%%|%|[()]|%\\(({keys})\\)[-0 ]?[0-9]{{0,2}}(\\.[0-9])?[sdrcxz%]?|%[-0-9]{{0,2}}[sdz]?)){{0,5}}[a-z%(]{{0,2}}"
    ))
    .expect("a valid regex")
}

fn percent_text() -> impl Strategy<Value = String> {
    text_with("a|b|here|x\\(y\\)|a%b")
}

/// Text Python's `%` formats with [`names`] and `here`: mostly `here`
/// specs, escapes and literal text, now and then a bare `%s`.
fn python_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "[a-z/ ]{1,3}",
        2 => Just("%%".to_string()),
        4 => proptest::sample::select(vec![
            "%(here)s", "%(here)r", "%(here)-8s", "%(here)9s", "%(here).2s", "%(here).0s",
        ]).prop_map(str::to_string),
        2 => proptest::sample::select(vec!["%(a)d", "%(a)c", "%(b)s", "%(x(y))s", "%(a)05x"])
            .prop_map(str::to_string),
        1 => Just("%s".to_string()),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

/// `text` read leniently, each expansion formatted by the grammar (`None`
/// when one fails).
fn read_leniently(text: &str, m: &Mapping) -> Option<String> {
    let mut out = String::new();
    for token in percent::lenient(text) {
        match token {
            Token::Text(s) => out.push_str(s),
            Token::Escape | Token::Lone(_) => out.push('%'),
            Token::Expansion(spec) => out.push_str(&format(&text[spec.start..spec.end], m).ok()?),
        }
    }
    Some(out)
}

/// Formats `text` `passes` times, as supervisord expands the option.
fn expand(text: &str, m: &Mapping, passes: u8) -> Result<String, FormatError> {
    let mut out = text.to_string();
    for _ in 0..passes {
        out = format(&out, m)?;
    }
    Ok(out)
}

/// Whether some spec of `text` has no key, so formats the whole mapping.
fn shows_mapping(text: &str) -> bool {
    percent::pieces(text)
        .iter()
        .any(|p| matches!(p, percent::Piece::Spec(s) if s.key.is_none() && s.conv.is_some()))
}

fn passes(key: &str) -> u8 {
    supc::options::expansion(SectionKind::Program, key).map_or(0, |e| e.passes)
}

proptest! {
    /// The lenient reading loses nothing: its tokens are the text.
    #[test]
    fn lenient_tokens_are_the_text(t in percent_text()) {
        let mut back = String::new();
        for token in percent::lenient(&t) {
            match token {
                Token::Text(s) => back.push_str(s),
                Token::Escape => back.push_str("%%"),
                Token::Lone(_) => back.push('%'),
                Token::Expansion(spec) => back.push_str(&t[spec.start..spec.end]),
            }
        }
        prop_assert_eq!(back, t);
    }

    /// A supc.yaml string means its literal text with each expansion
    /// formatted, once written as INI and expanded as supervisord does.
    #[test]
    fn yaml_strings_expand_as_read(
        t in percent_text(),
        key in proptest::sample::select(vec!["command", "stdout_logfile", "directory"]),
    ) {
        let mut m = names();
        m.set_str("here", "/h");
        let Some(want) = read_leniently(&t, &m) else {
            return Ok(());
        };
        let parts = build::pieces(&t);
        let ini = build::ini_text(SectionKind::Program, key, &parts);
        let ini = ini.map_err(|e| TestCaseError::fail(format!("{t:?}: {e}")))?;
        let got = expand(&ini, &m, passes(key));
        prop_assert_eq!(got, Ok(want), "{:?} written as {:?}", &t, &ini);
    }

    /// Pinning `%(here)` to a directory keeps the value's meaning there.
    #[test]
    fn pinned_here_expands_as_here(
        t in python_text(),
        dir in "/[a-z]{1,3}(%[a-z(]{0,2})?",
        key in proptest::sample::select(vec!["command", "stdout_logfile"]),
    ) {
        let n = passes(key);
        // A second pass would read the directory's own `%` again.
        let dir = if n == 2 { dir.replace('%', "") } else { dir };
        let mut there = names();
        there.set_str("here", &dir);
        let Ok(want) = expand(&t, &there, n) else {
            return Ok(());
        };
        // A bare `%s` shows the whole mapping, `here` included: the one
        // use of `here` that pinning cannot keep (`supc convert` refuses
        // to move such a config).
        let first = expand(&t, &there, 1).unwrap_or_default();
        if shows_mapping(&t) || (n == 2 && shows_mapping(&first)) {
            return Ok(());
        }
        let mut elsewhere = names();
        elsewhere.set_str("here", "/elsewhere");
        let pinned = supc::yaml::from_ini::pin_text(SectionKind::Program, key, &t, Some(&dir));
        let got = expand(&pinned, &elsewhere, n);
        prop_assert_eq!(got, Ok(want), "{:?} pinned as {:?}", &t, &pinned);
    }

    /// `supc sample --command`: what is written expands to the command as
    /// read leniently, or the command is refused.
    #[test]
    fn sample_commands_expand_as_read(
        t in text_with("program_name|process_num|group_name|here|nope|p%q")
    ) {
        let t = format!("run {t}");
        let mut m = names();
        m.set_str("here", "/");
        m.set_str("program_name", "p");
        m.set_str("group_name", "p");
        m.set_str("host_node_name", "host");
        m.set("process_num", PyValue::Int(PyInt::from(0)));
        m.set("numprocs", PyValue::Int(PyInt::from(1)));
        let trimmed = t.trim_matches(supc::python::unicode::is_space);
        let Ok(out) = supc::emit::sample::escape_command("p", &t, 1) else {
            return Ok(());
        };
        let Some(want) = read_leniently(trimmed, &m) else {
            return Ok(());
        };
        prop_assert_eq!(format(&out, &m), Ok(want), "{:?} written as {:?}", &t, &out);
    }
}

/// The sample refuses a `%(` that is no expansion, with supervisord's
/// reason, and escapes every other stray `%`.
#[test]
fn sample_keeps_a_bad_expansion_to_refuse_it() {
    let ok = supc::emit::sample::escape_command("p", "date +%s 100% %%(x) %(program_name)s", 1);
    assert_eq!(ok.unwrap(), "date +%%s 100%% %%(x) %(program_name)s");
    assert!(supc::emit::sample::escape_command("p", "run %(program_name)z", 1).is_err());
    assert!(supc::emit::sample::escape_command("p", "run %(nope)s", 1).is_err());
}
