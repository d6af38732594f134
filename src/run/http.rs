//! The control servers: `[unix_http_server]` and `[inet_http_server]` as
//! supervisord opens them (the unix socket bound under a temporary name,
//! chmod-ed, then hard-linked into place; a live socket is refused, a stale
//! one replaced; HTTP basic auth with plain or `{SHA}` passwords), serving
//! XML-RPC on `/RPC2` and the chunked `tail -f` streams on
//! `/logtail/<name>/<channel>` and `/mainlogtail`, and the web interface
//! ([`super::web`]). Non-blocking, driven by the runner's poll loop; what
//! a request asks of the supervisor state goes to the event loop as a
//! message ([`Exchange`]), and its reply is encoded here.

use super::exchange::{Called, Exchange, LogTarget, Ticket};
use super::log::{Logger, now};
use super::web;
use super::xmlrpc_codec::{self as xmlrpc, Fault, Value};
use crate::model::{Config, ServerFamily};
use nix::libc;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{UnixListener, UnixStream};

enum Sock {
    Unix(UnixListener),
    Tcp(std::net::TcpListener),
}

enum Stream {
    Unix(UnixStream),
    Tcp(std::net::TcpStream),
}

impl Stream {
    fn fd(&self) -> i32 {
        match self {
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tcp(s) => s.as_raw_fd(),
        }
    }
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }
}

struct Listener {
    sock: Sock,
    auth: Option<(String, String)>,
}

impl Listener {
    fn fd(&self) -> i32 {
        match &self.sock {
            Sock::Unix(s) => s.as_raw_fd(),
            Sock::Tcp(s) => s.as_raw_fd(),
        }
    }
}

/// A call the event loop has not answered yet.
struct PendingRpc {
    ticket: Ticket,
    version: String,
    close: bool,
    next_check: f64,
    /// A web interface action: answered with a redirect, not XML.
    web: Option<web::Action>,
}

/// `tail_f_producer`.
struct Tail {
    path: String,
    file: std::fs::File,
    ino: u64,
    sz: u64,
    next_check: f64,
}

impl Tail {
    fn open(path: &str, head: u64) -> Option<Tail> {
        let file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        let size = meta.len();
        Some(Tail {
            path: path.to_string(),
            ino: meta.ino(),
            sz: size.saturating_sub(head),
            file,
            next_check: 0.0,
        })
    }

    /// `more()`: new bytes, if any.
    fn more(&mut self) -> Option<Vec<u8>> {
        if let Ok(m) = std::fs::metadata(&self.path)
            && m.ino() != self.ino
            && let Ok(f) = std::fs::File::open(&self.path)
        {
            self.ino = m.ino();
            self.file = f;
            self.sz = 0;
        }
        let newsz = self.file.metadata().ok()?.len();
        if newsz < self.sz {
            self.sz = 0;
            return Some(b"==> File truncated <==\n".to_vec());
        }
        if newsz > self.sz {
            let added = newsz - self.sz;
            let mut buf = Vec::new();
            self.file.seek(SeekFrom::End(-(added as i64))).ok()?;
            let _ = (&self.file).take(added).read_to_end(&mut buf);
            self.sz = newsz;
            return Some(buf);
        }
        None
    }
}

struct Conn {
    stream: Stream,
    auth: Option<(String, String)>,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    pending: Option<PendingRpc>,
    tail: Option<Tail>,
    close_when_done: bool,
    eof: bool,
    dead: bool,
}

/// The HTTP servers of the runner.
pub struct Servers {
    listeners: Vec<Listener>,
    conns: Vec<Conn>,
    socket_files: Vec<String>,
}

const IN_USE: &str = "Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.";

/// `checkused`: something answers on the socket.
fn socket_in_use(path: &str) -> bool {
    match UnixStream::connect(path) {
        Ok(mut s) => {
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(1)));
            if s.write_all(b"GET / HTTP/1.0\r\n\r\n").is_err() {
                return false;
            }
            let mut b = [0u8; 1];
            matches!(s.read(&mut b), Ok(n) if n > 0)
        }
        Err(_) => false,
    }
}

fn errno_text(e: &std::io::Error) -> String {
    let code = e.raw_os_error().unwrap_or(0);
    format!(
        "Cannot open an HTTP server: socket.error reported errno.{:?} ({code})",
        nix::errno::Errno::from_raw(code)
    )
}

/// `supervisor_af_unix_http_server.__init__`.
fn bind_unix(
    path: &str,
    chmod: u32,
    chown: (i64, i64),
    logger: &Logger,
) -> Result<UnixListener, String> {
    use std::os::unix::fs::PermissionsExt;
    let tempname = format!("{path}.{}", std::process::id());
    let _ = std::fs::remove_file(&tempname);
    loop {
        let listener = match UnixListener::bind(&tempname) {
            Ok(l) => l,
            Err(e) => {
                let _ = std::fs::remove_file(&tempname);
                return Err(if e.kind() == std::io::ErrorKind::AddrInUse {
                    IN_USE.to_string()
                } else {
                    errno_text(&e)
                });
            }
        };
        let _ = std::fs::set_permissions(&tempname, std::fs::Permissions::from_mode(chmod));
        if std::fs::hard_link(&tempname, path).is_err() {
            if socket_in_use(path) {
                let _ = std::fs::remove_file(&tempname);
                return Err(IN_USE.to_string());
            }
            logger.stderr_line(&format!("Unlinking stale socket {path}"));
            let _ = std::fs::remove_file(path);
            drop(listener);
            let _ = std::fs::remove_file(&tempname);
            std::thread::sleep(std::time::Duration::from_millis(300));
            continue;
        }
        let _ = std::fs::remove_file(&tempname);
        if chown != (-1, -1) {
            let c = std::ffi::CString::new(path).map_err(|e| e.to_string())?;
            // SAFETY: chown(2) on a path we just created.
            let rc =
                unsafe { libc::chown(c.as_ptr(), chown.0 as libc::uid_t, chown.1 as libc::gid_t) };
            if rc != 0 {
                let err = std::io::Error::last_os_error();
                if err.raw_os_error() == Some(libc::EPERM) {
                    let user = nix::unistd::User::from_uid(nix::unistd::geteuid())
                        .ok()
                        .flatten()
                        .map(|u| u.name)
                        .unwrap_or_default();
                    return Err(format!(
                        "Not permitted to chown {path} to uid/gid ({}, {}); adjust \"sockchown\" value in config file or on command line to values that the current user ({user}) can successfully chown",
                        chown.0, chown.1
                    ));
                }
                return Err(errno_text(&err));
            }
        }
        listener.set_nonblocking(true).map_err(|e| errno_text(&e))?;
        return Ok(listener);
    }
}

fn id_value(id: crate::model::Id) -> i64 {
    match id {
        crate::model::Id::Known(u) => i64::from(u),
        _ => -1,
    }
}

fn http_date(t: f64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t.max(0.0) as i64;
    let days = secs / 86400;
    let rem = secs % 86400;
    // civil from days (Howard Hinnant's algorithm)
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Error",
    }
}

/// A parsed request.
struct Request {
    method: String,
    uri: String,
    version: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the connection closes after the answer (medusa's rules).
    fn closes(&self) -> bool {
        let conn = self.header("Connection").map(str::to_ascii_lowercase);
        match self.version.as_str() {
            "1.0" => conn.as_deref() != Some("keep-alive"),
            "1.1" => conn.as_deref() == Some("close"),
            _ => true,
        }
    }
}

const MAX_HEADER: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

enum Parsed {
    Incomplete,
    Bad,
    Request(Request, usize),
}

fn parse_request(buf: &[u8]) -> Parsed {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEADER {
            Parsed::Bad
        } else {
            Parsed::Incomplete
        };
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let parts: Vec<&str> = first.split_whitespace().collect();
    if parts.len() < 2 {
        return Parsed::Bad;
    }
    let version = parts
        .get(2)
        .and_then(|v| v.strip_prefix("HTTP/"))
        .unwrap_or("")
        .to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.parse::<usize>());
    let len = match len {
        None => 0,
        Some(Ok(n)) if n <= MAX_BODY => n,
        Some(_) => return Parsed::Bad,
    };
    let start = end + 4;
    if buf.len() < start + len {
        return Parsed::Incomplete;
    }
    Parsed::Request(
        Request {
            method: parts[0].to_string(),
            uri: parts[1].to_string(),
            version,
            headers,
            body: buf[start..start + len].to_vec(),
        },
        start + len,
    )
}

/// `%xx` decoding (`http_server.unquote`).
fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&b[i + 1..i + 3]), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn authorized(auth: &Option<(String, String)>, req: &Request) -> bool {
    let Some((user, password)) = auth else {
        return true;
    };
    let Some(h) = req.header("Authorization") else {
        return false;
    };
    let Some((scheme, cookie)) = h.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(decoded) = xmlrpc::base64_decode(cookie.trim()) else {
        return false;
    };
    let decoded = String::from_utf8_lossy(&decoded).into_owned();
    let Some((u, p)) = decoded.split_once(':') else {
        return false;
    };
    if u != user {
        return false;
    }
    match password.strip_prefix("{SHA}") {
        Some(hash) => sha1_smol::Sha1::from(p.as_bytes()).digest().to_string() == hash,
        None => p == password,
    }
}

impl Conn {
    fn respond(
        &mut self,
        version: &str,
        code: u16,
        headers: &[(&str, String)],
        body: &[u8],
        close: bool,
    ) {
        let v = if version.is_empty() { "1.0" } else { version };
        let mut head = format!(
            "HTTP/{v} {code} {}\r\nServer: supc\r\nDate: {}\r\n",
            reason(code),
            http_date(now())
        );
        for (k, val) in headers {
            head.push_str(&format!("{k}: {val}\r\n"));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        self.outbuf.extend_from_slice(head.as_bytes());
        self.outbuf.extend_from_slice(body);
        if close {
            self.close_when_done = true;
        }
    }

    fn error(&mut self, version: &str, code: u16, close: bool, extra: &[(&str, String)]) {
        let body = format!(
            "<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n<p>Error code {code}.\r\n<p>Message: {}.\r\n</body>",
            reason(code)
        );
        let mut headers: Vec<(&str, String)> = vec![
            ("Content-Length", body.len().to_string()),
            ("Content-Type", "text/html".to_string()),
        ];
        headers.extend(extra.iter().cloned());
        self.respond(version, code, &headers, body.as_bytes(), close);
    }

    /// The answer to a web interface action: supervisord's message on the
    /// status page. 303 (supervisord sends 301, which browsers cache, so
    /// that a second click on the same action link would not reach the
    /// runner).
    fn redirect(
        &mut self,
        version: &str,
        close: bool,
        action: &web::Action,
        r: Result<Value, Fault>,
    ) {
        let message = action.message(r, &web::ctime(now()));
        self.respond(
            version,
            303,
            &[
                ("Location", web::location(&message)),
                ("Content-Length", "0".to_string()),
            ],
            b"",
            close,
        );
    }

    /// The answer to a call: XML-RPC, or a web action's redirect; later
    /// if the call waits.
    fn answer_call(
        &mut self,
        called: Called,
        version: &str,
        close: bool,
        web: Option<web::Action>,
    ) {
        match (called, &web) {
            (Called::Done(r), Some(action)) => self.redirect(version, close, action, r),
            (Called::Done(r), None) => self.rpc_answer(version, close, r),
            (Called::Waiting { ticket, delay }, _) => {
                self.pending = Some(PendingRpc {
                    next_check: now() + delay,
                    ticket,
                    version: version.to_string(),
                    close,
                    web,
                });
            }
        }
    }

    fn rpc_answer(&mut self, version: &str, close: bool, r: Result<Value, Fault>) {
        let body = match r {
            Ok(v) => xmlrpc::write_response(&v),
            Err(f) => xmlrpc::write_fault(&f),
        };
        self.respond(
            version,
            200,
            &[
                ("Content-Type", "text/xml".to_string()),
                ("Content-Length", body.len().to_string()),
            ],
            body.as_bytes(),
            close,
        );
    }

    fn flush(&mut self) {
        while !self.outbuf.is_empty() {
            match self.stream.write(&self.outbuf) {
                Ok(0) => {
                    self.dead = true;
                    return;
                }
                Ok(n) => {
                    self.outbuf.drain(..n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.dead = true;
                    return;
                }
            }
        }
        if self.close_when_done {
            self.dead = true;
        }
    }

    fn read_all(&mut self) {
        let mut buf = [0u8; 65536];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return;
                }
                Ok(n) => {
                    if self.tail.is_none() {
                        self.inbuf.extend_from_slice(&buf[..n]);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.eof = true;
                    self.dead = true;
                    return;
                }
            }
        }
    }
}

impl Servers {
    /// `openhttpservers`: Err is supervisord's usage message. `namespaces`:
    /// the RPC interfaces that answer.
    pub fn open(
        config: &Config,
        namespaces: &[String],
        logger: &mut Logger,
    ) -> Result<Servers, String> {
        let mut listeners = Vec::new();
        let mut socket_files = Vec::new();
        for srv in &config.http_servers {
            let sock = match &srv.family {
                ServerFamily::Unix { file, chmod, chown } => {
                    let mode = chmod.to_i64().unwrap_or(0o700) as u32 & 0o7777;
                    let chown = (id_value(chown.0), id_value(chown.1));
                    let l = bind_unix(file, mode, chown, logger)?;
                    socket_files.push(file.clone());
                    Sock::Unix(l)
                }
                ServerFamily::Inet { host, port } => {
                    let port = port.to_i64().unwrap_or(0) as u16;
                    let h = if host.is_empty() {
                        "0.0.0.0"
                    } else {
                        host.as_str()
                    };
                    let l = std::net::TcpListener::bind((h, port)).map_err(|e| {
                        if e.kind() == std::io::ErrorKind::AddrInUse {
                            IN_USE.to_string()
                        } else {
                            errno_text(&e)
                        }
                    })?;
                    l.set_nonblocking(true).map_err(|e| errno_text(&e))?;
                    Sock::Tcp(l)
                }
            };
            for p in &config.rpcinterfaces {
                if namespaces.contains(&p.name) {
                    logger.info(&format!("RPC interface '{}' initialized", p.name));
                } else {
                    logger.warn(&format!(
                        "RPC interface '{}' ({}) is not available in supc run; its methods answer UNKNOWN_METHOD",
                        p.name, p.factory
                    ));
                }
            }
            let auth = match (&srv.username, &srv.password) {
                (Some(u), p) if !u.is_empty() => Some((u.clone(), p.clone().unwrap_or_default())),
                _ => {
                    logger.critical(&format!(
                        "Server '{}' running without any HTTP authentication checking",
                        srv.section
                    ));
                    None
                }
            };
            listeners.push(Listener { sock, auth });
        }
        Ok(Servers {
            listeners,
            conns: Vec::new(),
            socket_files,
        })
    }

    /// Unlinks the unix sockets.
    pub fn cleanup(&mut self) {
        self.listeners.clear();
        self.conns.clear();
        for f in &self.socket_files {
            let _ = std::fs::remove_file(f);
        }
    }

    /// The descriptors to poll: listeners, then connections.
    pub fn poll_fds(&self, fds: &mut Vec<libc::pollfd>) {
        for l in &self.listeners {
            fds.push(libc::pollfd {
                fd: l.fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        for c in &self.conns {
            let mut events = 0;
            if !c.eof {
                events |= libc::POLLIN;
            }
            if !c.outbuf.is_empty() {
                events |= libc::POLLOUT;
            }
            // A negative fd keeps the slot but is not polled (a closed
            // peer would otherwise report POLLHUP on every loop).
            let fd = if events == 0 { -1 } else { c.stream.fd() };
            fds.push(libc::pollfd {
                fd,
                events,
                revents: 0,
            });
        }
    }

    /// When a deferred answer or a tail wants another look.
    pub fn next_deadline(&self) -> Option<f64> {
        self.conns
            .iter()
            .filter_map(|c| {
                c.pending
                    .as_ref()
                    .map(|p| p.next_check)
                    .or(c.tail.as_ref().map(|t| t.next_check))
            })
            .reduce(f64::min)
    }

    /// Accepts, reads, answers and writes after a poll.
    pub fn handle_events(&mut self, fds: &[libc::pollfd], ex: &mut dyn Exchange) {
        let nl = self.listeners.len();
        for (i, l) in self.listeners.iter().enumerate() {
            if fds.get(i).is_none_or(|f| f.revents == 0) {
                continue;
            }
            loop {
                let stream = match &l.sock {
                    Sock::Unix(s) => s.accept().map(|(s, _)| {
                        let _ = s.set_nonblocking(true);
                        Stream::Unix(s)
                    }),
                    Sock::Tcp(s) => s.accept().map(|(s, _)| {
                        let _ = s.set_nonblocking(true);
                        let _ = s.set_nodelay(true);
                        Stream::Tcp(s)
                    }),
                };
                match stream {
                    Ok(stream) => self.conns.push(Conn {
                        stream,
                        auth: l.auth.clone(),
                        inbuf: Vec::new(),
                        outbuf: Vec::new(),
                        pending: None,
                        tail: None,
                        close_when_done: false,
                        eof: false,
                        dead: false,
                    }),
                    Err(_) => break,
                }
            }
        }
        let nconns = fds.len().saturating_sub(nl);
        for (i, f) in fds[nl..].iter().enumerate().take(nconns) {
            let Some(c) = self.conns.get_mut(i) else {
                break;
            };
            if f.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
                c.read_all();
            }
            if f.revents & libc::POLLOUT != 0 {
                c.flush();
            }
        }
        self.serve(ex);
    }

    /// Answers what the connections have asked, polls deferred answers and
    /// tails, writes, and drops finished connections.
    pub fn run_deferred(&mut self, ex: &mut dyn Exchange) {
        let t = now();
        for c in &mut self.conns {
            if let Some(p) = c.pending.as_mut() {
                if t < p.next_check {
                    continue;
                }
                match ex.poll(p.ticket) {
                    Called::Waiting { delay, .. } => p.next_check = t + delay.max(0.01),
                    Called::Done(r) => {
                        let p = c.pending.take().expect("pending");
                        match &p.web {
                            Some(action) => c.redirect(&p.version, p.close, action, r),
                            None => c.rpc_answer(&p.version, p.close, r),
                        }
                    }
                }
            }
            if let Some(tail) = c.tail.as_mut()
                && t >= tail.next_check
            {
                tail.next_check = t + 0.1;
                if let Some(data) = tail.more() {
                    c.outbuf
                        .extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
                    c.outbuf.extend_from_slice(&data);
                    c.outbuf.extend_from_slice(b"\r\n");
                }
            }
        }
        self.serve(ex);
    }

    fn serve(&mut self, ex: &mut dyn Exchange) {
        for i in 0..self.conns.len() {
            loop {
                let c = &mut self.conns[i];
                if c.dead || c.pending.is_some() || c.tail.is_some() || c.close_when_done {
                    break;
                }
                match parse_request(&c.inbuf) {
                    Parsed::Incomplete => break,
                    Parsed::Bad => {
                        c.inbuf.clear();
                        c.error("1.0", 400, true, &[]);
                        break;
                    }
                    Parsed::Request(req, used) => {
                        c.inbuf.drain(..used);
                        self.handle(i, req, ex);
                    }
                }
            }
            let c = &mut self.conns[i];
            c.flush();
            // A client that went away gets no deferred answer either.
            if c.eof && c.outbuf.is_empty() {
                c.dead = true;
            }
        }
        for c in self.conns.iter_mut().filter(|c| c.dead) {
            if let Some(p) = c.pending.take() {
                ex.forget(p.ticket);
            }
        }
        self.conns.retain(|c| !c.dead);
    }

    fn handle(&mut self, i: usize, req: Request, ex: &mut dyn Exchange) {
        let close = req.closes();
        let c = &mut self.conns[i];
        if !authorized(&c.auth, &req) {
            c.error(
                &req.version,
                401,
                true,
                &[("WWW-Authenticate", "Basic realm=\"default\"".to_string())],
            );
            return;
        }
        match web::route(
            &req.method,
            &req.uri,
            |n| req.header(n).map(str::to_string),
            ex,
        ) {
            web::Reply::NotMine => {}
            web::Reply::Page {
                status,
                content_type,
                body,
            } => {
                let body = if req.method == "HEAD" {
                    Vec::new()
                } else {
                    body
                };
                c.respond(
                    &req.version,
                    status,
                    &[
                        ("Content-Type", content_type.to_string()),
                        ("Content-Length", body.len().to_string()),
                        ("Cache-Control", "no-store".to_string()),
                        ("X-Frame-Options", "DENY".to_string()),
                    ],
                    &body,
                    close,
                );
                return;
            }
            web::Reply::Act(action) => {
                act(c, ex, &req.version, close, action);
                return;
            }
        }
        if req.uri.starts_with("/RPC2") {
            if req.method != "POST" && req.method != "PUT" {
                c.error(&req.version, 400, close, &[]);
                return;
            }
            // A page of another site could POST XML-RPC with the browser's
            // cached credentials; XML-RPC clients send no such headers.
            if web::cross_origin(|n| req.header(n).map(str::to_string)) {
                c.error(&req.version, 403, close, &[]);
                return;
            }
            let (method, params) = match xmlrpc::parse_call(&req.body) {
                Ok(x) => x,
                Err(_) => {
                    ex.log_error(&format!(
                        "XML-RPC request data {} is invalid: unmarshallable",
                        crate::python::repr::repr(&String::from_utf8_lossy(&req.body))
                    ));
                    c.error(&req.version, 400, close, &[]);
                    return;
                }
            };
            if method.is_empty() {
                ex.log_error(&format!(
                    "XML-RPC request data {} is invalid: no method name",
                    crate::python::repr::repr(&String::from_utf8_lossy(&req.body))
                ));
                c.error(&req.version, 400, close, &[]);
                return;
            }
            c.answer_call(ex.call(&method, params), &req.version, close, None);
            return;
        }
        let target = if req.uri.starts_with("/logtail") {
            logtail_target(&req.uri)
        } else if req.uri.starts_with("/mainlogtail") {
            Some(LogTarget::Main)
        } else {
            c.error(&req.version, 404, close, &[]);
            return;
        };
        if req.method != "GET" {
            c.error(&req.version, 400, close, &[]);
            return;
        }
        let file = target.and_then(|t| ex.log_file(&t));
        let Some(file) = file.filter(|f| std::path::Path::new(f).exists()) else {
            c.error(&req.version, 404, close, &[]);
            return;
        };
        let Some(mut tail) = Tail::open(&file, 1024) else {
            c.error(&req.version, 404, close, &[]);
            return;
        };
        c.respond(
            &req.version,
            200,
            &[
                ("Content-Type", "text/plain;charset=utf-8".to_string()),
                ("X-Accel-Buffering", "no".to_string()),
                ("Transfer-Encoding", "chunked".to_string()),
            ],
            b"",
            false,
        );
        if let Some(data) = tail.more() {
            c.outbuf
                .extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
            c.outbuf.extend_from_slice(&data);
            c.outbuf.extend_from_slice(b"\r\n");
        }
        tail.next_check = now() + 0.1;
        c.tail = Some(tail);
    }
}

/// Runs a web interface action; the answer is a redirect, now or once
/// the call has finished (`StatusView.render` with `NOT_DONE_YET`).
fn act(c: &mut Conn, ex: &mut dyn Exchange, version: &str, close: bool, action: web::Action) {
    if let Some(name) = action.process()
        && !ex.is_process(name)
    {
        let message = format!("No such process named {name}");
        c.respond(
            version,
            303,
            &[
                ("Location", web::location(&message)),
                ("Content-Length", "0".to_string()),
            ],
            b"",
            close,
        );
        return;
    }
    let Some((method, params)) = action.call() else {
        c.redirect(version, close, &action, Ok(Value::Nil));
        return;
    };
    c.answer_call(ex.call(&method, params), version, close, Some(action));
}

/// `logtail_handler`'s reading of `/logtail/<name>[/<channel>]`.
fn logtail_target(uri: &str) -> Option<LogTarget> {
    let path = uri.split(['?', '#']).next().unwrap_or("");
    let path = if path.contains('%') {
        unquote(path)
    } else {
        path.to_string()
    };
    let path = path.trim_start_matches('/');
    let (_, rest) = path.split_once('/')?;
    let (name, channel) = rest.split_once('/').unwrap_or((rest, "stdout"));
    Some(LogTarget::Process {
        name: name.to_string(),
        channel: channel.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(http_date(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_700_000_000.0), "Tue, 14 Nov 2023 22:13:20 GMT");
    }

    #[test]
    fn requests() {
        let r = b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET";
        match parse_request(r) {
            Parsed::Request(req, used) => {
                assert_eq!(req.method, "POST");
                assert_eq!(req.body, b"abc");
                assert_eq!(used, r.len() - 3);
                assert!(!req.closes());
            }
            _ => panic!("not parsed"),
        }
        assert!(matches!(
            parse_request(b"GET / HTTP/1.0\r\n"),
            Parsed::Incomplete
        ));
    }

    #[test]
    fn basic_auth() {
        let req = |h: &str| Request {
            method: "POST".into(),
            uri: "/RPC2".into(),
            version: "1.1".into(),
            headers: vec![("Authorization".into(), h.into())],
            body: vec![],
        };
        let auth = Some(("user".to_string(), "123".to_string()));
        assert!(authorized(
            &auth,
            &req(&format!("Basic {}", xmlrpc::base64_encode(b"user:123")))
        ));
        assert!(!authorized(
            &auth,
            &req(&format!("Basic {}", xmlrpc::base64_encode(b"user:1234")))
        ));
        let sha = Some((
            "user".to_string(),
            "{SHA}40bd001563085fc35165329ea1ff5c5ecbdbbeef".to_string(),
        ));
        assert!(authorized(
            &sha,
            &req(&format!("Basic {}", xmlrpc::base64_encode(b"user:123")))
        ));
        assert_eq!(unquote("/logtail/g%3Aa"), "/logtail/g:a");
    }
}
