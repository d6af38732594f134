//! What a file is, judged from its text: whether it looks like something
//! supervisord reads at all (directory walks skip the rest), and whether it
//! is a main config or a conf.d snippet.
//!
//! A repository holds nginx, php-fpm and tox `*.conf`/`*.ini` files next to
//! supervisord's; checking those as supervisord configs only buries the real
//! findings. A file is a supervisord config when one of its section headers
//! names a section supervisord reads. Case is ignored here (a `[Program:x]`
//! is a supervisord config with a mistake in it, worth reporting).

/// Sections supervisord reads by their exact name.
const NAMED: &[&str] = &[
    "supervisord",
    "supervisorctl",
    "unix_http_server",
    "inet_http_server",
    "include",
];

/// Sections supervisord reads by their prefix.
const PREFIXED: &[&str] = &[
    "program:",
    "group:",
    "eventlistener:",
    "fcgi-program:",
    "rpcinterface:",
    "ctlplugin:",
];

/// How a file is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A whole config: `[supervisord]` is required, `[include]` followed.
    Main,
    /// A conf.d file, read as supervisord reads an included file.
    Snippet,
}

/// The section name of a header line, as configparser sees it: `[` in the
/// first column (a line starting with blanks continues the value above).
fn header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    Some(&rest[..end])
}

fn headers(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(header)
}

/// Whether `name` is a section supervisord reads, in any case.
fn is_supervisord_section(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    NAMED.contains(&lower.as_str()) || PREFIXED.iter().any(|p| lower.starts_with(p))
}

/// Whether the text has a section header that supervisord reads.
pub fn looks_like_supervisord(text: &str) -> bool {
    headers(text).any(is_supervisord_section)
}

/// Main config or snippet, for a file with no `--main`/`--snippet`: a file
/// named `supervisord.conf`, or one with a `[supervisord]` header in any
/// case, or an `[include]` (the `[supervisord]` may come from it), is a
/// main config. supervisord refuses an empty `supervisord.conf` and a
/// `[Supervisord]` header, and so must the check.
pub fn mode_of(file_name: Option<&str>, text: &str) -> Mode {
    if file_name == Some("supervisord.conf") {
        return Mode::Main;
    }
    let main = headers(text).any(|h| {
        let h = h.trim();
        h.eq_ignore_ascii_case("supervisord") || h == "include"
    });
    if main { Mode::Main } else { Mode::Snippet }
}

/// [`mode_of`] for a file named `file_name`: a supc.yaml spec is a main
/// config when it has a top-level `supervisord:` or `include:` key (the
/// spec's counterparts of the two headers), a snippet otherwise.
pub fn mode_of_file(file_name: Option<&str>, text: &str) -> Mode {
    let yaml = file_name.is_some_and(crate::yaml::is_yaml_path);
    if !yaml {
        return mode_of(file_name, text);
    }
    let main = text
        .lines()
        .any(|l| l.starts_with("supervisord:") || l.starts_with("include:"));
    if main { Mode::Main } else { Mode::Snippet }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_is_main_with_a_supervisord_or_include_key() {
        let main = "supervisord:\n  logfile: /tmp/x\nprograms: {}\n";
        assert_eq!(mode_of_file(Some("supc.yaml"), main), Mode::Main);
        assert_eq!(mode_of_file(Some("a.yml"), "include: [x]\n"), Mode::Main);
        let snippet = "programs:\n  web: {command: /bin/web}\n";
        assert_eq!(mode_of_file(Some("web.yaml"), snippet), Mode::Snippet);
        // Only at the top level.
        let nested = "programs:\n  supervisord:\n    command: /bin/x\n";
        assert_eq!(mode_of_file(Some("x.yaml"), nested), Mode::Snippet);
        assert_eq!(mode_of_file(Some("a.conf"), "[program:a]\n"), Mode::Snippet);
    }

    #[test]
    fn supervisord_headers_are_recognised_in_any_case() {
        assert!(looks_like_supervisord("[program:web]\ncommand=x\n"));
        assert!(looks_like_supervisord("; c\n[Program:web]\n"));
        assert!(looks_like_supervisord("[include]\nfiles=*.conf\n"));
        assert!(looks_like_supervisord("[unix_http_server]\n"));
        assert!(!looks_like_supervisord("[www]\nlisten = 9000\n"));
        assert!(!looks_like_supervisord("[tox]\nenvlist = py3\n"));
        assert!(!looks_like_supervisord("server {\n listen 80;\n}\n"));
        // Indented: a continuation line to configparser, not a header.
        assert!(!looks_like_supervisord("x=1\n  [program:a]\n"));
    }

    #[test]
    fn main_configs_by_name_or_header() {
        assert_eq!(mode_of(Some("supervisord.conf"), ""), Mode::Main);
        assert_eq!(mode_of(Some("a.conf"), "[Supervisord]\n"), Mode::Main);
        assert_eq!(mode_of(Some("a.conf"), "[include]\nfiles=x\n"), Mode::Main);
        assert_eq!(mode_of(Some("a.conf"), "[program:a]\n"), Mode::Snippet);
        assert_eq!(mode_of(None, ""), Mode::Snippet);
    }
}
