//! Codes of supervisord's own errors and warnings (`SUP0xx`), as supc
//! reports them. Lint rules (`SUP1xx` and up) live in [`crate::lint`].

/// (code, name, summary)
pub static CORE_CODES: &[(&str, &str, &str)] = &[
    (
        "SUP001",
        "config-unreadable",
        "The config file does not exist or cannot be read",
    ),
    (
        "SUP002",
        "invalid-utf8",
        "The file is not valid UTF-8; supervisord refuses it",
    ),
    (
        "SUP003",
        "no-section-header",
        "Content before the first [section] header (often a UTF-8 BOM)",
    ),
    (
        "SUP004",
        "parse-error",
        "Lines that are neither a [section] header nor key=value",
    ),
    (
        "SUP005",
        "include-without-files",
        "[include] without a files= setting",
    ),
    (
        "SUP006",
        "no-supervisord-section",
        "No [supervisord] section after includes",
    ),
    (
        "SUP010",
        "unknown-expansion",
        "%(name)s names a variable this option cannot use",
    ),
    (
        "SUP011",
        "bad-format",
        "A % format that Python cannot apply (double % for a literal)",
    ),
    (
        "SUP020",
        "invalid-value",
        "A value supervisord's converters refuse",
    ),
    (
        "SUP021",
        "plugin-without-factory",
        "A plugin section without its factory key",
    ),
    (
        "SUP022",
        "relative-plugin-module",
        "A relative plugin module: supervisord crashes",
    ),
    (
        "SUP023",
        "incomplete-auth",
        "A server with username but no password, or the reverse",
    ),
    (
        "SUP024",
        "server-without-address",
        "A server section without port= or file=",
    ),
    (
        "SUP025",
        "unknown-group-member",
        "[group:x] programs= names a program that does not exist",
    ),
    (
        "SUP026",
        "eventlistener-without-events",
        "An eventlistener without events=",
    ),
    (
        "SUP027",
        "fcgi-without-socket",
        "An fcgi-program without socket=",
    ),
    (
        "SUP028",
        "numprocs-without-process-num",
        "numprocs > 1 without %(process_num) in process_name",
    ),
    (
        "SUP029",
        "stopasgroup-without-killasgroup",
        "stopasgroup=true with killasgroup=false",
    ),
    (
        "SUP030",
        "missing-command",
        "A program section without command=",
    ),
    (
        "SUP040",
        "supervisord-warning",
        "A warning supervisord logs at startup",
    ),
    (
        "SUP090",
        "supc-limit",
        "Input beyond a bound supc keeps (README: Compatibility)",
    ),
];

/// (name, summary) of a core code.
pub fn core(code: &str) -> Option<(&'static str, &'static str)> {
    CORE_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, s)| (*n, *s))
}
