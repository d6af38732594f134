//! Whether a request comes from another web origin. A page open in the
//! same browser as the supervisor's web interface could otherwise make
//! the browser send state-changing requests (a link or form to
//! `index.html?action=stop`) with the browser's cached credentials.
//! Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`,
//! `Referer`); scripts (curl, monitoring) send none of these and keep
//! working.

/// `host[:port]` of an absolute URL (`scheme://authority/...`).
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    // Userinfo is not part of the origin.
    Some(auth.rsplit_once('@').map_or(auth, |(_, h)| h))
}

/// True when the headers show another origin: `Sec-Fetch-Site` other than
/// `same-origin` or `none` (typed in the address bar); else an `Origin`
/// or `Referer` whose host differs from the `Host` the request was sent
/// to.
pub fn cross_origin(header: impl Fn(&str) -> Option<String>) -> bool {
    if let Some(site) = header("Sec-Fetch-Site") {
        let site = site.trim().to_ascii_lowercase();
        return site != "same-origin" && site != "none";
    }
    let host = header("Host").map(|h| h.trim().to_ascii_lowercase());
    for name in ["Origin", "Referer"] {
        if let Some(v) = header(name) {
            let v = v.trim().to_ascii_lowercase();
            return match (authority(&v), host.as_deref()) {
                (Some(a), Some(h)) => a != h,
                _ => true,
            };
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(headers: &[(&str, &str)]) -> bool {
        cross_origin(|n| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn scripts_without_browser_headers_pass() {
        assert!(!check(&[("Host", "127.0.0.1:9001")]));
        assert!(!check(&[]));
    }

    #[test]
    fn fetch_metadata_decides_first() {
        assert!(!check(&[("Sec-Fetch-Site", "same-origin")]));
        assert!(!check(&[("Sec-Fetch-Site", "none")]));
        assert!(check(&[("Sec-Fetch-Site", "cross-site")]));
        assert!(check(&[("Sec-Fetch-Site", "same-site")]));
    }

    #[test]
    fn origin_and_referer_must_name_the_host() {
        let host = ("Host", "127.0.0.1:9001");
        assert!(!check(&[host, ("Origin", "http://127.0.0.1:9001")]));
        assert!(check(&[host, ("Origin", "http://evil.example")]));
        assert!(check(&[host, ("Origin", "null")]));
        assert!(!check(&[
            host,
            ("Referer", "http://127.0.0.1:9001/index.html?x=1")
        ]));
        assert!(check(&[host, ("Referer", "http://127.0.0.1:9002/")]));
        assert!(check(&[
            host,
            ("Referer", "http://127.0.0.1:9001@evil.example/")
        ]));
    }
}
