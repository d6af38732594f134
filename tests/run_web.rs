//! The web interface without JavaScript: plain HTTP requests, as a
//! browser without scripts or a script (curl, monitoring) sends them, at
//! supervisord's URLs. Actions change the processes and redirect with
//! supervisord's messages; requests from another origin are refused;
//! authentication is the XML-RPC one; names, messages and log text are
//! escaped.

mod run_common;

use run_common::{Runner, Scenario, supervisorctl};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(port: u16, auth: bool) -> String {
    let auth = if auth {
        "username=admin\npassword=secret\n"
    } else {
        ""
    };
    format!(
        "[supervisord]
logfile={{dir}}/supervisord.log
pidfile={{dir}}/supervisord.pid
childlogdir={{dir}}

[inet_http_server]
port=127.0.0.1:{port}
{auth}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=http://127.0.0.1:{port}
{auth}
[program:web]
command=sh -c 'while true; do echo \"tick <b>&amp;\"; sleep 0.2; done'
startsecs=1

[program:idle]
command=sleep 100
startsecs=0
autostart=false
"
    )
}

struct Http {
    status: u16,
    head: String,
    body: String,
}

impl Http {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> Http {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(10 * S)).unwrap();
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Http {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn start(auth: bool) -> (Scenario, Runner, u16) {
    let port = free_port();
    let sc = Scenario::new(&config(port, auth));
    let r = sc.run(&["--quiet"]);
    r.expect("success: web", 10 * S);
    (sc, r, port)
}

fn state(sc: &Scenario, name: &str) -> String {
    let (_, out) = supervisorctl(&sc.conf, &["status", name]);
    out.split_whitespace().nth(1).unwrap_or("").to_string()
}

fn wait_state(sc: &Scenario, name: &str, want: &str) {
    let end = Instant::now() + 10 * S;
    while Instant::now() < end {
        if state(sc, name) == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{name} is not {want}: {}", state(sc, name));
}

#[test]
fn status_page_lists_processes_with_actions() {
    let (_sc, mut r, port) = start(false);
    for path in ["/", "/index.html"] {
        let page = get(port, path, &[]);
        assert_eq!(page.status, 200, "{}", page.head);
        assert!(
            page.header("Content-Type")
                .unwrap()
                .starts_with("text/html")
        );
        let b = &page.body;
        assert!(
            b.contains("<span class=\"statusrunning\">running</span>"),
            "{b}"
        );
        assert!(
            b.contains("<span class=\"statusnominal\">stopped</span>"),
            "{b}"
        );
        assert!(b.contains("href=\"index.html?processname=web&amp;action=stop\""));
        assert!(b.contains("href=\"index.html?processname=idle&amp;action=start\""));
        assert!(b.contains("href=\"logtail/web\""));
        assert!(b.contains("href=\"tail.html?processname=web\""));
        assert!(b.contains("href=\"index.html?action=stopall\""));
        // idle sorts before web, as supervisord sorts by group and name.
        assert!(b.find("data-name=\"idle\"") < b.find("data-name=\"web\""));
    }
    let css = get(port, "/supc/style.css", &[]);
    assert_eq!(css.status, 200);
    assert!(css.header("Content-Type").unwrap().starts_with("text/css"));
    let js = get(port, "/supc/app.js", &[]);
    assert!(js.body.contains("DOMParser"));
    r.stop(10 * S);
}

#[test]
fn actions_change_processes_and_redirect_with_supervisords_messages() {
    let (sc, mut r, port) = start(false);
    let act = |q: &str| get(port, &format!("/index.html?{q}"), &[]);

    let res = act("processname=web&action=stop");
    assert_eq!(res.status, 303, "{}", res.head);
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=Process%20web%20stopped")
    );
    assert_eq!(state(&sc, "web"), "STOPPED");

    let res = act("processname=web&action=start");
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=Process%20web%20started")
    );
    assert_eq!(state(&sc, "web"), "RUNNING");

    let res = act("processname=web&action=start");
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=ERROR%3A%20Process%20web%3A%20already%20started")
    );

    let pid_before = supervisorctl(&sc.conf, &["pid", "web"]).1;
    let res = act("processname=web&action=restart");
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=Process%20web%20restarted")
    );
    wait_state(&sc, "web", "RUNNING");
    assert_ne!(supervisorctl(&sc.conf, &["pid", "web"]).1, pid_before);

    let res = act("processname=web&action=clearlog");
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=Log%20for%20web%20cleared")
    );

    let res = act("processname=nosuch&action=start");
    assert_eq!(
        res.header("Location").as_deref(),
        Some("/?message=No%20such%20process%20named%20nosuch")
    );

    let res = act("action=stopall");
    assert!(
        res.header("Location")
            .unwrap()
            .starts_with("/?message=All%20stopped%20at%20")
    );
    assert_eq!(state(&sc, "web"), "STOPPED");
    let res = act("action=restartall");
    assert!(
        res.header("Location")
            .unwrap()
            .starts_with("/?message=All%20restarted%20at%20")
    );
    wait_state(&sc, "web", "RUNNING");
    // startAllProcesses starts idle too, as in supervisord.
    wait_state(&sc, "idle", "RUNNING");

    // The message shows on the page it redirects to, escaped.
    let page = get(port, "/?message=%3Cscript%3Ealert(1)%3C%2Fscript%3E", &[]);
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains("<script>alert"));
    r.stop(10 * S);
}

#[test]
fn cross_origin_actions_are_refused_and_scripts_work() {
    let (sc, mut r, port) = start(false);
    let stop = "/index.html?processname=web&action=stop";
    for headers in [
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Origin", "http://evil.example")],
        vec![("Referer", "http://evil.example/page.html")],
    ] {
        let res = get(port, stop, &headers);
        assert_eq!(res.status, 403, "{headers:?}");
        assert_eq!(state(&sc, "web"), "RUNNING");
    }
    // XML-RPC posted by a page of another site is refused too.
    let call = "<?xml version=\"1.0\"?><methodCall><methodName>supervisor.stopProcess</methodName>\
                <params><param><value><string>web</string></value></param></params></methodCall>";
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(
        format!(
            "POST /RPC2 HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\n\
             Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{call}",
            call.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.0 403"), "{answer}");
    assert_eq!(state(&sc, "web"), "RUNNING");
    // The same site (a click on the page) and a script without headers.
    let own = format!("http://127.0.0.1:{port}/");
    let res = get(
        port,
        stop,
        &[("Sec-Fetch-Site", "same-origin"), ("Referer", &own)],
    );
    assert_eq!(res.status, 303);
    assert_eq!(state(&sc, "web"), "STOPPED");
    let res = get(port, "/index.html?processname=web&action=start", &[]);
    assert_eq!(res.status, 303);
    assert_eq!(state(&sc, "web"), "RUNNING");
    r.stop(10 * S);
}

#[test]
fn pages_need_the_same_authentication_as_xmlrpc() {
    let (_sc, mut r, port) = start(true);
    for path in ["/", "/tail.html?processname=web", "/supc/app.js"] {
        let res = get(port, path, &[]);
        assert_eq!(res.status, 401, "{path}");
        assert!(res.header("WWW-Authenticate").is_some());
    }
    // admin:secret
    let res = get(port, "/", &[("Authorization", "Basic YWRtaW46c2VjcmV0")]);
    assert_eq!(res.status, 200);
    let res = get(port, "/", &[("Authorization", "Basic YWRtaW46d3Jvbmc=")]);
    assert_eq!(res.status, 401);
    r.stop(10 * S);
}

#[test]
fn tail_page_shows_the_log_escaped() {
    let (_sc, mut r, port) = start(false);
    std::thread::sleep(Duration::from_millis(500));
    let page = get(port, "/tail.html?processname=web", &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Supervisor tail of process web"));
    assert!(
        page.body.contains("tick &lt;b&gt;&amp;amp;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("tick <b>"));
    assert!(
        page.body
            .contains("href=\"tail.html?processname=web&amp;limit=1024\"")
    );
    let none = get(port, "/tail.html", &[]);
    assert!(none.body.contains("No process name found"));
    let config = get(port, "/supc/config.html?processname=web", &[]);
    assert!(config.body.contains("[program:web] at "), "{}", config.body);
    r.stop(10 * S);
}
