//! The XML-RPC codec: values, calls, responses and faults, written the way
//! Python's `xmlrpc.client.dumps` writes them (which is what supervisord
//! sends) and read with `quick-xml`.
//!
//! Strings are written with `&`, `<`, `>` escaped; characters XML 1.0
//! cannot carry (control characters other than tab, newline and carriage
//! return, e.g. the ESC of terminal colours in a log) become U+FFFD, where
//! supervisord would send a document its own client cannot parse.

use quick_xml::events::Event;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Bool(bool),
    Str(String),
    Double(f64),
    Array(Vec<Value>),
    Struct(Vec<(String, Value)>),
    Base64(Vec<u8>),
    DateTime(String),
    Nil,
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// Python truthiness, for flags such as `wait`.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Int(i) => *i != 0,
            Value::Bool(b) => *b,
            Value::Str(s) => !s.is_empty(),
            Value::Double(d) => *d != 0.0,
            Value::Array(a) => !a.is_empty(),
            Value::Struct(s) => !s.is_empty(),
            Value::Base64(b) => !b.is_empty(),
            Value::DateTime(_) => true,
            Value::Nil => false,
        }
    }

    /// A struct member.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Struct(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// An XML-RPC fault.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub code: i64,
    pub text: String,
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Lenient base64 (whitespace ignored, stops at `=`).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Python's `repr(float)` is close enough to Rust's shortest form.
fn fmt_double(d: f64) -> String {
    if d.fract() == 0.0 && d.is_finite() && d.abs() < 1e16 {
        format!("{d:.1}")
    } else {
        format!("{d}")
    }
}

fn write_value(v: &Value, out: &mut String) {
    out.push_str("<value>");
    match v {
        Value::Int(i) => out.push_str(&format!("<int>{i}</int>")),
        Value::Bool(b) => out.push_str(&format!("<boolean>{}</boolean>", i32::from(*b))),
        Value::Str(s) => {
            out.push_str("<string>");
            escape(s, out);
            out.push_str("</string>");
        }
        Value::Double(d) => out.push_str(&format!("<double>{}</double>", fmt_double(*d))),
        Value::Array(items) => {
            out.push_str("<array><data>\n");
            for i in items {
                write_value(i, out);
            }
            out.push_str("</data></array>");
        }
        Value::Struct(members) => {
            out.push_str("<struct>\n");
            for (k, v) in members {
                out.push_str("<member>\n<name>");
                escape(k, out);
                out.push_str("</name>\n");
                write_value(v, out);
                out.push_str("</member>\n");
            }
            out.push_str("</struct>");
        }
        Value::Base64(b) => {
            out.push_str("<base64>\n");
            out.push_str(&base64_encode(b));
            out.push_str("\n</base64>");
        }
        Value::DateTime(s) => {
            out.push_str("<dateTime.iso8601>");
            escape(s, out);
            out.push_str("</dateTime.iso8601>");
        }
        Value::Nil => out.push_str("<nil/>"),
    }
    out.push_str("</value>\n");
}

/// `xmlrpclib.dumps((value,), methodresponse=True)`.
pub fn write_response(v: &Value) -> String {
    let mut out = String::from("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n");
    write_value(v, &mut out);
    out.push_str("</param>\n</params>\n</methodResponse>\n");
    out
}

/// `xmlrpclib.dumps(Fault(code, text))`.
pub fn write_fault(f: &Fault) -> String {
    let mut out = String::from("<?xml version='1.0'?>\n<methodResponse>\n<fault>\n");
    write_value(
        &Value::Struct(vec![
            ("faultCode".into(), Value::Int(f.code)),
            ("faultString".into(), Value::Str(f.text.clone())),
        ]),
        &mut out,
    );
    out.push_str("</fault>\n</methodResponse>\n");
    out
}

/// `xmlrpclib.dumps(params, methodname)`.
pub fn write_call(method: &str, params: &[Value]) -> String {
    let mut out = String::from("<?xml version='1.0'?>\n<methodCall>\n<methodName>");
    escape(method, &mut out);
    out.push_str("</methodName>\n<params>\n");
    for p in params {
        out.push_str("<param>\n");
        write_value(p, &mut out);
        out.push_str("</param>\n");
    }
    out.push_str("</params>\n</methodCall>\n");
    out
}

/// An element of the document: name, text, children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

const MAX_DEPTH: usize = 256;

fn parse_dom(body: &[u8]) -> Result<Node, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err("document too deep".into());
                }
                stack.push(Node {
                    name: e.name().as_ref().to_string(),
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let node = Node {
                    name: e.name().as_ref().to_string(),
                    ..Node::default()
                };
                stack.last_mut().ok_or("bad document")?.children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("bad document")?;
                stack.last_mut().ok_or("bad document")?.children.push(node);
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                stack.last_mut().ok_or("bad document")?.text.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.xml10_content();
                stack.last_mut().ok_or("bad document")?.text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| e.to_string())?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string)
                };
                let s = resolved.ok_or_else(|| format!("unknown entity &{};", &*r))?;
                stack.last_mut().ok_or("bad document")?.text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("unclosed element".into());
    }
    let root = stack.pop().unwrap_or_default();
    root.children
        .into_iter()
        .next()
        .ok_or_else(|| "empty document".to_string())
}

fn value_of(node: &Node) -> Result<Value, String> {
    // <value> without a type element is a string.
    let Some(inner) = node.children.first() else {
        return Ok(Value::Str(node.text.clone()));
    };
    let t = inner.text.trim();
    Ok(match inner.name.as_str() {
        "int" | "i4" | "i8" => Value::Int(t.parse().map_err(|_| format!("bad int {t:?}"))?),
        "boolean" => Value::Bool(t == "1"),
        "string" => Value::Str(inner.text.clone()),
        "double" => Value::Double(t.parse().map_err(|_| format!("bad double {t:?}"))?),
        "base64" => Value::Base64(base64_decode(&inner.text).ok_or("bad base64")?),
        "dateTime.iso8601" => Value::DateTime(t.to_string()),
        "nil" => Value::Nil,
        "array" => {
            let data = inner.child("data").ok_or("array without data")?;
            Value::Array(
                data.children
                    .iter()
                    .filter(|c| c.name == "value")
                    .map(value_of)
                    .collect::<Result<_, _>>()?,
            )
        }
        "struct" => {
            let mut members = Vec::new();
            for m in inner.children.iter().filter(|c| c.name == "member") {
                let name = m.child("name").map(|n| n.text.clone()).unwrap_or_default();
                let v = m.child("value").ok_or("member without value")?;
                members.push((name, value_of(v)?));
            }
            Value::Struct(members)
        }
        other => return Err(format!("unknown type {other}")),
    })
}

/// A `<methodCall>`: the method name (may be empty) and the parameters.
pub fn parse_call(body: &[u8]) -> Result<(String, Vec<Value>), String> {
    let root = parse_dom(body)?;
    if root.name != "methodCall" {
        return Err("not a methodCall".into());
    }
    let method = root
        .child("methodName")
        .map(|n| n.text.trim().to_string())
        .unwrap_or_default();
    let mut params = Vec::new();
    if let Some(ps) = root.child("params") {
        for p in ps.children.iter().filter(|c| c.name == "param") {
            let v = p.child("value").ok_or("param without value")?;
            params.push(value_of(v)?);
        }
    }
    Ok((method, params))
}

/// A `<methodResponse>`: the value or the fault.
pub fn parse_response(body: &[u8]) -> Result<Result<Value, Fault>, String> {
    let root = parse_dom(body)?;
    if root.name != "methodResponse" {
        return Err("not a methodResponse".into());
    }
    if let Some(f) = root.child("fault") {
        let v = value_of(f.child("value").ok_or("fault without value")?)?;
        let code = v.get("faultCode").and_then(Value::as_int).unwrap_or(0);
        let text = v
            .get("faultString")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        return Ok(Err(Fault { code, text }));
    }
    let v = root
        .child("params")
        .and_then(|p| p.child("param"))
        .and_then(|p| p.child("value"))
        .ok_or("response without a value")?;
    Ok(Ok(value_of(v)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let v = Value::Struct(vec![
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::str("x < & > y")),
            (
                "c".into(),
                Value::Array(vec![Value::Bool(true), Value::Double(1.5), Value::Nil]),
            ),
        ]);
        let doc = write_response(&v);
        assert_eq!(parse_response(doc.as_bytes()).unwrap().unwrap(), v);
        let f = Fault {
            code: 10,
            text: "BAD_NAME: x".into(),
        };
        assert_eq!(
            parse_response(write_fault(&f).as_bytes())
                .unwrap()
                .unwrap_err(),
            f
        );
    }

    #[test]
    fn python_call() {
        let body = b"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n<params>\n<param>\n<value><string>g:a&amp;b</string></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n<param><value>plain</value></param>\n</params>\n</methodCall>\n";
        let (m, p) = parse_call(body).unwrap();
        assert_eq!(m, "supervisor.startProcess");
        assert_eq!(
            p,
            vec![Value::str("g:a&b"), Value::Bool(true), Value::str("plain")]
        );
    }

    #[test]
    fn control_characters_are_replaced() {
        let doc = write_response(&Value::str("\x1b[31mred\n"));
        assert!(doc.contains("\u{fffd}[31mred\n"));
        assert!(parse_response(doc.as_bytes()).is_ok());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(base64_encode(b"ab"), "YWI=");
    }
}
