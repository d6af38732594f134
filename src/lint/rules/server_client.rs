//! What supervisorctl connects to, shared by the server/client rules.

use crate::lint::LintContext;
use crate::model::{HttpServer, ServerFamily, Supervisorctl};
use crate::source::Span;

/// Where supervisorctl connects, as `SupervisorTransport` reads serverurl.
pub(crate) enum Url {
    Unix(String),
    /// The port of an `http://` URL (80 when absent).
    Http(u16),
    /// A URL supervisorctl refuses (`Unknown protocol`) or cannot parse.
    Bad,
}

pub(crate) fn parse_url(url: &str) -> Url {
    if let Some(path) = url.strip_prefix("unix://") {
        return Url::Unix(path.to_string());
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return Url::Bad;
    };
    // urllib.parse: netloc ends at / ? #; port follows the first `:` after
    // any userinfo, or the `]` of a bracketed IPv6 host.
    let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let port = match hostinfo.split_once('[') {
        Some((_, b)) => b.split_once(']').map_or("", |(_, p)| p),
        None => hostinfo,
    };
    let port = port.split_once(':').map_or("", |(_, p)| p);
    if port.is_empty() {
        return Url::Http(80);
    }
    match port.parse::<u16>() {
        Ok(p) if port.bytes().all(|b| b.is_ascii_digit()) => Url::Http(p),
        _ => Url::Bad,
    }
}

/// Whether a value depends on the environment (`%(ENV_X)s`), so that what
/// supc resolved here says nothing about the machine that runs it.
pub(crate) fn env_dependent(cx: &LintContext<'_>, section: &str, key: &str) -> bool {
    cx.ini()
        .get(section, key)
        .is_some_and(|f| f.entry.def.written().contains("%(ENV_"))
}

/// The span of a key's value (own or inherited), else of the section header.
pub(crate) fn value_span(cx: &LintContext<'_>, section: &str, key: &str, or: Span) -> Span {
    cx.ini()
        .get(section, key)
        .map_or(or, |f| f.entry.def.value_span)
}

/// What a written socket path is relative to.
#[derive(PartialEq)]
enum Base {
    Absolute,
    Here,
    Cwd,
    Home,
}

fn base_of(written: &str) -> Base {
    let w = written.trim();
    if w.contains("%(here)s") {
        Base::Here
    } else if w.starts_with('~') {
        Base::Home
    } else if w.starts_with('/') {
        Base::Absolute
    } else {
        Base::Cwd
    }
}

/// Whether two resolved socket paths (with the text they were written as)
/// may be the same file. Paths written relative to different bases
/// (`%(here)s/s.sock` and `/srv/app/s.sock`) are only compared by the part
/// after the base, since supc may not run where supervisord does.
fn same_socket(cx: &LintContext<'_>, a: (&str, &str), b: (&str, &str)) -> bool {
    // posixpath keeps a leading `//`, which the kernel reads as `/`.
    let norm = |p: &str| format!("/{}", p.trim_start_matches('/'));
    let (pa, pb) = (norm(a.0), norm(b.0));
    let (ka, kb) = (base_of(a.1), base_of(b.1));
    if pa == pb || ka == kb {
        return pa == pb;
    }
    let tail = |p: &str, k: &Base| -> Option<String> {
        let base = match k {
            Base::Absolute => return Some(p.to_string()),
            Base::Here => &cx.loaded.here,
            Base::Cwd => &cx.host.cwd,
            Base::Home => return None,
        };
        p.strip_prefix(norm(base).trim_end_matches('/'))
            .map(str::to_string)
    };
    match (tail(&pa, &ka), tail(&pb, &kb)) {
        (Some(ta), Some(tb)) => ta.ends_with(&tb) || tb.ends_with(&ta),
        _ => true,
    }
}

/// supervisorctl's settings and the servers its serverurl reaches, when
/// that can be judged from the file.
pub(crate) fn client_and_targets<'a>(
    cx: &LintContext<'a>,
) -> Option<(&'a Supervisorctl, Url, Vec<&'a HttpServer>)> {
    let Some(Ok(ctl)) = &cx.config().supervisorctl else {
        return None;
    };
    let servers = &cx.config().http_servers;
    if servers.is_empty() || env_dependent(cx, "supervisorctl", "serverurl") {
        return None;
    }
    let url = parse_url(&ctl.serverurl);
    let targets = servers
        .iter()
        .filter(|s| match (&url, &s.family) {
            (Url::Unix(p), ServerFamily::Unix { file, .. }) => {
                let url_written = cx
                    .entry("supervisorctl", "serverurl")
                    .map_or("", |e| e.def.written().trim_start_matches("unix://"));
                let file_written = cx
                    .ini()
                    .get(&s.section, "file")
                    .map_or("", |f| f.entry.def.written());
                same_socket(cx, (p, url_written), (file, file_written))
            }
            (Url::Http(p), ServerFamily::Inet { port, .. }) => port.to_i64() == Some(i64::from(*p)),
            _ => false,
        })
        .collect();
    Some((ctl, url, targets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_like_urllib() {
        assert!(matches!(
            parse_url("http://localhost:9001"),
            Url::Http(9001)
        ));
        assert!(matches!(
            parse_url("http://u:p@h:9002/RPC2"),
            Url::Http(9002)
        ));
        assert!(matches!(parse_url("http://[::1]:9003"), Url::Http(9003)));
        assert!(matches!(parse_url("http://127.0.0.1"), Url::Http(80)));
        assert!(matches!(parse_url("http://h:x"), Url::Bad));
        assert!(matches!(parse_url("https://h:9001"), Url::Bad));
        assert!(matches!(parse_url("unix:///run/s.sock"), Url::Unix(p) if p == "/run/s.sock"));
    }
}
