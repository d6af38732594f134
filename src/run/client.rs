//! A small XML-RPC client for supervisord's interface (what `supc ctl`
//! uses): one HTTP/1.1 request per call over `unix://PATH` or
//! `http://HOST:PORT`, HTTP basic auth, and the chunked `/logtail` streams.

use super::xmlrpc_codec::{self as xmlrpc, Fault, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;

/// Why a call got no XML-RPC answer.
#[derive(Debug)]
pub enum ClientError {
    /// The unix socket does not exist (supervisorctl: `URL no such file`).
    NoSuchFile,
    /// Nothing listens (`URL refused connection`).
    Refused,
    /// An HTTP status other than 200.
    Http(u16),
    Other(String),
}

pub struct Client {
    pub serverurl: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

trait Conn: Read + Write {}
impl<T: Read + Write> Conn for T {}

impl Client {
    fn connect(&self) -> Result<Box<dyn Conn>, ClientError> {
        let map = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => ClientError::NoSuchFile,
            std::io::ErrorKind::ConnectionRefused => ClientError::Refused,
            _ => ClientError::Other(e.to_string()),
        };
        if let Some(path) = self.serverurl.strip_prefix("unix://") {
            Ok(Box::new(UnixStream::connect(path).map_err(map)?))
        } else if let Some(rest) = self.serverurl.strip_prefix("http://") {
            let hostport = rest.split('/').next().unwrap_or("");
            let addr = if hostport.contains(':') {
                hostport.to_string()
            } else {
                format!("{hostport}:80")
            };
            let s = std::net::TcpStream::connect(addr).map_err(map)?;
            let _ = s.set_nodelay(true);
            Ok(Box::new(s))
        } else {
            Err(ClientError::Other(format!(
                "Unknown protocol for serverurl {}",
                self.serverurl
            )))
        }
    }

    fn auth_header(&self) -> String {
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => format!(
                "Authorization: Basic {}\r\n",
                xmlrpc::base64_encode(format!("{u}:{p}").as_bytes())
            ),
            _ => String::new(),
        }
    }

    /// Reads the status line and headers: (status, chunked, length).
    fn read_head(
        r: &mut BufReader<Box<dyn Conn>>,
    ) -> Result<(u16, bool, Option<usize>), ClientError> {
        let io = |e: std::io::Error| ClientError::Other(e.to_string());
        let mut line = String::new();
        r.read_line(&mut line).map_err(io)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ClientError::Other(format!("bad status line {line:?}")))?;
        let mut chunked = false;
        let mut length = None;
        loop {
            line.clear();
            if r.read_line(&mut line).map_err(io)? == 0 {
                break;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                } else if k == "content-length" {
                    length = v.parse().ok();
                }
            }
        }
        Ok((status, chunked, length))
    }

    /// Calls `method` with `params`.
    pub fn call(
        &self,
        method: &str,
        params: &[Value],
    ) -> Result<Result<Value, Fault>, ClientError> {
        let body = xmlrpc::write_call(method, params);
        let mut conn = self.connect()?;
        let req = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: supc\r\nContent-Type: text/xml\r\nAccept: text/xml\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.auth_header(),
            body.len()
        );
        let io = |e: std::io::Error| ClientError::Other(e.to_string());
        conn.write_all(req.as_bytes()).map_err(io)?;
        conn.write_all(body.as_bytes()).map_err(io)?;
        let mut r = BufReader::new(conn);
        let (status, chunked, length) = Self::read_head(&mut r)?;
        let mut data = Vec::new();
        if chunked {
            read_chunks(&mut r, |c| data.extend_from_slice(c)).map_err(io)?;
        } else if let Some(n) = length {
            data.resize(n, 0);
            r.read_exact(&mut data).map_err(io)?;
        } else {
            r.read_to_end(&mut data).map_err(io)?;
        }
        if status != 200 {
            return Err(ClientError::Http(status));
        }
        xmlrpc::parse_response(&data).map_err(ClientError::Other)
    }

    /// Follows a chunked `GET` stream (`/logtail/NAME/CHANNEL`).
    pub fn stream(&self, path: &str, mut out: impl FnMut(&[u8])) -> Result<(), ClientError> {
        let mut conn = self.connect()?;
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: chunked\r\nAccept: */*\r\nUser-agent: supc\r\n{}\r\n",
            self.auth_header()
        );
        let io = |e: std::io::Error| ClientError::Other(e.to_string());
        conn.write_all(req.as_bytes()).map_err(io)?;
        let mut r = BufReader::new(conn);
        let (status, chunked, _) = Self::read_head(&mut r)?;
        if status != 200 {
            return Err(ClientError::Http(status));
        }
        if chunked {
            read_chunks(&mut r, &mut out).map_err(io)?;
        } else {
            let mut buf = [0u8; 8192];
            loop {
                let n = r.read(&mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                out(&buf[..n]);
            }
        }
        Ok(())
    }
}

fn read_chunks(r: &mut impl BufRead, mut out: impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let size =
            usize::from_str_radix(line.split([';', '\r', '\n', ' ']).next().unwrap_or(""), 16)
                .unwrap_or(0);
        if size == 0 {
            return Ok(());
        }
        let mut chunk = vec![0u8; size];
        r.read_exact(&mut chunk)?;
        out(&chunk);
        line.clear();
        r.read_line(&mut line)?;
    }
}
