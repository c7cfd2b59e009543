//! A minimal HTTP/1.1 GET over one TCP connection, enough for an
//! inspector's `/json/list` and `/json/version` and for a profile served by
//! an application's own endpoint. Every wait is bounded and so is the body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::address::Endpoint;
use super::fail;
use crate::error::Result;

/// A response: status code, lower-cased headers and the (de-chunked) body.
#[derive(Debug)]
pub struct Response {
    /// The status code (`200`).
    pub status: u16,
    /// Headers as `(lower-case name, value)`.
    pub headers: Vec<(String, String)>,
    /// The body, chunked transfer decoded, compression left as sent.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// GET `path` from `endpoint`, giving up after `timeout` in all and refusing
/// a body over `max_body` bytes.
pub fn get(
    endpoint: &Endpoint,
    path: &str,
    timeout: Duration,
    max_body: usize,
) -> Result<Response> {
    let what = format!("http://{}{path}", endpoint.authority());
    let deadline = Instant::now() + timeout;
    let mut stream = endpoint.connect(timeout)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: */*\r\nAccept-Encoding: gzip\r\nUser-Agent: cpuflame\r\nConnection: close\r\n\r\n",
        endpoint.authority()
    );
    stream
        .set_write_timeout(Some(timeout))
        .and_then(|_| stream.write_all(request.as_bytes()))
        .map_err(|e| fail(&what, format!("cannot send the request: {e}")))?;
    let raw = read_until_close(&mut stream, deadline, max_body + 64 * 1024, &what)?;
    parse(&raw, max_body, &what)
}

/// Read everything the server sends until it closes, within the deadline and size.
fn read_until_close(
    stream: &mut TcpStream,
    deadline: Instant,
    limit: usize,
    what: &str,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(fail(what, "no complete answer in time"));
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| fail(what, e.to_string()))?;
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.len() > limit {
                    return Err(fail(
                        what,
                        format!("the answer is larger than {} MiB", limit >> 20),
                    ));
                }
                // A complete response with a length need not wait for the close.
                if complete(&out) {
                    return Ok(out);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(fail(what, "no complete answer in time"))
            }
            Err(e) => return Err(fail(what, format!("connection failed: {e}"))),
        }
    }
}

/// Whether `raw` holds a whole response whose body has a Content-Length.
fn complete(raw: &[u8]) -> bool {
    let Some(end) = find(raw, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    head.lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|len| raw.len() >= end + 4 + len)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Split a raw response into status, headers and body.
fn parse(raw: &[u8], max_body: usize, what: &str) -> Result<Response> {
    let not_http = || {
        fail(
            what,
            "the answer is not HTTP (is this an inspector or web server?)",
        )
    };
    let end = find(raw, b"\r\n\r\n").ok_or_else(not_http)?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| not_http())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(not_http());
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(not_http)?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body).ok_or_else(|| fail(what, "broken chunked encoding"))?;
    } else if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(fail(
                what,
                format!("the connection closed after {} of {len} bytes", body.len()),
            ));
        }
        body.truncate(len);
    }
    if body.len() > max_body {
        return Err(fail(
            what,
            format!("the answer is larger than {} MiB", max_body >> 20),
        ));
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Decode a chunked body; `None` when it is malformed or cut short.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(raw, b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        // A hostile size (ffffffffffffffff) is malformed, never an overflow.
        if raw.len() < size.checked_add(2)? {
            return None;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_chunk_size_is_malformed_not_a_panic() {
        assert_eq!(dechunk(b"ffffffffffffffff\r\nabc"), None);
        assert_eq!(dechunk(b"fffffffffffffffe\r\nabc"), None);
    }

    #[test]
    fn parses_lengths_and_chunks() {
        let r = parse(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX: y\r\n\r\nabcdef",
            100,
            "t",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abc"[..]));
        assert_eq!(r.header("x"), Some("y"));
        let r = parse(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n",
            100,
            "t",
        )
        .unwrap();
        assert_eq!(r.body, b"abcde");
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n", 100, "t").is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 100, "t").is_err());
        assert!(parse(b"HTTP/1.1 200 OK\r\n\r\nabcdef", 3, "t").is_err());
    }
}
