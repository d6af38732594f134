//! supervisord's web interface, served on every HTTP server behind the
//! same authentication as XML-RPC, at supervisord's URLs: `/` and
//! `/index.html` (the status page; `?processname=NAME&action=start|stop|
//! restart|clearlog` and `?action=stopall|restartall|refresh` act, then
//! redirect to `/?message=...`), `/tail.html?processname=NAME[&limit=N]`;
//! `/logtail/NAME[/stderr]` and `/mainlogtail` stay in [`super::http`].
//! supc adds `/supc/config.html?processname=NAME` (the process as `supc
//! explain` tells it) and its two assets, compiled into the binary.
//!
//! The pages read and act only through messages to the event loop
//! ([`Exchange`]): supervisor's XML-RPC calls, as supervisord's `web.py`
//! does, and `supc explain`. Actions coming from another origin are
//! refused (see [`origin`]).

mod actions;
mod origin;
mod page;

pub use actions::{Action, ctime};
pub use origin::cross_origin;

use super::exchange::{Called, Exchange};
use super::xmlrpc_codec::Value;

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// A row of the status page.
pub struct Row {
    pub namespec: String,
    pub statename: String,
    pub state: i64,
    pub description: String,
}

/// What the HTTP layer is asked to answer.
pub enum Reply {
    Page {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Run the action's call (it may have to wait), then redirect with its
    /// message.
    Act(Action),
    /// Not a web interface URL.
    NotMine,
}

fn html(status: u16, body: String) -> Reply {
    Reply::Page {
        status,
        content_type: "text/html;charset=utf-8",
        body: body.into_bytes(),
    }
}

/// The decoded query of a URI (`cgi.FieldStorage`: `+` is a space).
pub fn query(uri: &str) -> Vec<(String, String)> {
    let q = uri.split_once('?').map_or("", |(_, q)| q);
    let q = q.split('#').next().unwrap_or("");
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn field<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The redirect after an action.
pub fn location(message: &str) -> String {
    format!("/?message={}", page::quote(message))
}

/// Answers a web interface request.
pub fn route(
    method: &str,
    uri: &str,
    header: impl Fn(&str) -> Option<String>,
    ex: &mut dyn Exchange,
) -> Reply {
    let path = uri.split(['?', '#']).next().unwrap_or("");
    let known = matches!(
        path,
        "/" | "/index.html"
            | "/tail.html"
            | "/supc/style.css"
            | "/supc/app.js"
            | "/supc/config.html"
    );
    if !known {
        return Reply::NotMine;
    }
    if method != "GET" && method != "HEAD" {
        return html(405, "<h1>Method Not Allowed</h1>".into());
    }
    let q = query(uri);
    match path {
        "/supc/style.css" => Reply::Page {
            status: 200,
            content_type: "text/css;charset=utf-8",
            body: STYLE.as_bytes().to_vec(),
        },
        "/supc/app.js" => Reply::Page {
            status: 200,
            content_type: "text/javascript;charset=utf-8",
            body: SCRIPT.as_bytes().to_vec(),
        },
        "/tail.html" => tail(&q, ex),
        "/supc/config.html" => config(&q, ex),
        _ => index(&q, header, ex),
    }
}

fn index(
    q: &[(String, String)],
    header: impl Fn(&str) -> Option<String>,
    ex: &mut dyn Exchange,
) -> Reply {
    if let Some(a) = field(q, "action") {
        let name = field(q, "processname");
        if let Some(action) = Action::parse(a, name) {
            if action != Action::Refresh && origin::cross_origin(&header) {
                return html(
                    403,
                    "<h1>Forbidden</h1><p>A request from another site may not change processes.</p>"
                        .into(),
                );
            }
            return Reply::Act(action);
        }
    }
    let rows = rows(ex);
    let version = match ex.call("supervisor.getSupervisorVersion", vec![]) {
        Called::Done(Ok(Value::Str(v))) => v,
        _ => String::new(),
    };
    html(200, page::status(&rows, field(q, "message"), &version))
}

fn rows(ex: &mut dyn Exchange) -> Vec<Row> {
    let Called::Done(Ok(Value::Array(infos))) = ex.call("supervisor.getAllProcessInfo", vec![])
    else {
        return Vec::new();
    };
    let mut rows: Vec<(String, String, Row)> = infos
        .iter()
        .filter_map(|info| {
            let Value::Struct(fields) = info else {
                return None;
            };
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
            let s = |k: &str| match get(k) {
                Some(Value::Str(s)) => s.clone(),
                _ => String::new(),
            };
            let (name, group) = (s("name"), s("group"));
            let namespec = if name == group {
                name.clone()
            } else {
                format!("{group}:{name}")
            };
            let state = match get("state") {
                Some(Value::Int(n)) => *n,
                _ => 1000,
            };
            Some((
                group,
                name,
                Row {
                    namespec,
                    statename: s("statename"),
                    state,
                    description: s("description"),
                },
            ))
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    rows.into_iter().map(|(_, _, r)| r).collect()
}

fn tail(q: &[(String, String)], ex: &mut dyn Exchange) -> Reply {
    let name = field(q, "processname");
    let limit = field(q, "limit")
        .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|l| l.parse::<i64>().ok())
        .map_or(-1024, |l| (-l).min(-1024));
    let text = match name {
        None | Some("") => "No process name found".to_string(),
        Some(n) => match ex.call(
            "supervisor.readProcessStdoutLog",
            vec![Value::str(n), Value::Int(limit), Value::Int(0)],
        ) {
            Called::Done(Ok(Value::Str(s))) => s,
            Called::Done(Err(f)) if f.code == super::rpc_interface::faults::NO_FILE => {
                format!("No file for {n}")
            }
            Called::Done(Err(f)) => {
                format!("ERROR: unexpected rpc fault [{}] {}", f.code, f.text)
            }
            _ => String::new(),
        },
    };
    html(
        200,
        page::tail(name.filter(|n| !n.is_empty()), &text, limit),
    )
}

fn config(q: &[(String, String)], ex: &mut dyn Exchange) -> Reply {
    let Some(name) = field(q, "processname").filter(|n| !n.is_empty()) else {
        return html(404, page::config("", "No process name found"));
    };
    let body = match ex.explain(name) {
        Ok(list) => list.iter().map(page::explanation).collect(),
        Err(why) => page::esc(&why),
    };
    html(200, page::config(name, &body))
}
