//! A small synchronous Chrome DevTools Protocol client over one websocket.
//!
//! Every wait is bounded: the connect, the handshake, each reply (`reply`)
//! and, through [`Cdp::next_event`], the loop that drives a capture.
//! Messages of worker sessions come back to one place, tagged with their
//! [`Route`]: Chromium's flat sessions (a top-level `sessionId`) and Node's
//! `NodeWorker` sessions (messages wrapped as JSON strings).

use std::collections::VecDeque;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use super::address::Endpoint;
use super::{fail, workerd};
use crate::error::{Error, Result};

/// The largest websocket message accepted: a `Profiler.stop` reply for a long
/// capture runs to tens of MB; anything beyond this is refused, not buffered.
pub const MAX_MESSAGE: usize = 512 << 20;
/// The largest single websocket frame accepted.
pub const MAX_FRAME: usize = 512 << 20;

/// Which session a message belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    /// The target connected to.
    Main,
    /// A Chromium flat session (`Target.setAutoAttach {flatten: true}`).
    Flat(String),
    /// A Node worker session (`NodeWorker.sendMessageToWorker`).
    Worker(String),
}

/// One message received, unwrapped.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The session it came from.
    pub route: Route,
    /// The id of a reply.
    pub id: Option<u64>,
    /// The method of an event.
    pub method: Option<String>,
    /// The event's params (`null` for replies).
    pub params: Value,
    /// A reply's result or error.
    pub reply: Option<std::result::Result<Value, String>>,
}

/// One websocket to a CDP target.
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    /// The target's name in messages (its URL).
    pub name: String,
    next_id: u64,
    queue: VecDeque<Incoming>,
    /// How long to wait for each reply.
    pub reply: Duration,
}

impl Cdp {
    /// Connect to a websocket debugger URL's `path` on `endpoint`.
    pub fn connect(endpoint: &Endpoint, path: &str, timeout: Duration) -> Result<Cdp> {
        let name = format!("ws://{}{path}", endpoint.authority());
        let stream = endpoint.connect(timeout)?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|_| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| fail(&name, e.to_string()))?;
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_FRAME));
        let (ws, _) = tungstenite::client::client_with_config(name.as_str(), stream, Some(config))
            .map_err(|e| {
                let why = match e {
                    tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r)) => format!(
                        "the websocket handshake was refused (HTTP {}): not a debugger URL?",
                        r.status()
                    ),
                    tungstenite::HandshakeError::Failure(e) => {
                        format!("the websocket handshake failed: {}", describe(&e))
                    }
                    tungstenite::HandshakeError::Interrupted(_) => {
                        "no websocket handshake in time".to_string()
                    }
                };
                fail(&name, why)
            })?;
        Ok(Cdp {
            ws,
            name,
            next_id: 1,
            queue: VecDeque::new(),
            reply: timeout,
        })
    }

    fn send_raw(&mut self, v: &Value) -> Result<()> {
        let text = v.to_string();
        trace('>', &text);
        self.ws
            .send(Message::text(text))
            .map_err(|e| fail(&self.name, format!("cannot send: {}", describe(&e))))
    }

    /// Send a command and wait (at most [`Cdp::reply`]) for its result; a
    /// refusal by the runtime is an error too.
    pub fn call(&mut self, route: &Route, method: &str, params: Value) -> Result<Value> {
        match self.try_call(route, method, params)? {
            Ok(v) => Ok(v),
            Err(why) => Err(fail(&self.name, format!("{method} was refused: {why}"))),
        }
    }

    /// Send a command that the runtime may refuse (not every runtime has
    /// every domain): `Ok(Err(why))` is a refusal; `Err` is a connection
    /// that failed or a reply that never came.
    pub fn try_call(
        &mut self,
        route: &Route,
        method: &str,
        params: Value,
    ) -> Result<std::result::Result<Value, String>> {
        let id = self.next_id;
        self.next_id += 1;
        let mut outer = None;
        match route {
            Route::Main => self.send_raw(&json!({"id": id, "method": method, "params": params}))?,
            Route::Flat(s) => self
                .send_raw(&json!({"id": id, "method": method, "params": params, "sessionId": s}))?,
            Route::Worker(s) => {
                let inner = json!({"id": id, "method": method, "params": params}).to_string();
                let oid = self.next_id;
                self.next_id += 1;
                outer = Some(oid);
                self.send_raw(
                    &json!({"id": oid, "method": "NodeWorker.sendMessageToWorker",
                    "params": {"sessionId": s, "message": inner}}),
                )?;
            }
        }
        let deadline = Instant::now() + self.reply;
        loop {
            let msg = self.read(deadline).map_err(|e| match e {
                ReadError::Timeout => fail(
                    &self.name,
                    format!("no reply to {method} within {} s", self.reply.as_secs_f64()),
                ),
                ReadError::Failed(e) => e,
            })?;
            match (&msg.id, &msg.reply) {
                (Some(got), Some(reply)) if *got == id && msg.route == *route => {
                    return Ok(reply.clone());
                }
                (Some(got), Some(Err(why))) if Some(*got) == outer => {
                    return Ok(Err(format!("it could not reach the worker: {why}")));
                }
                (Some(_), _) => {} // a late or wrapper reply
                (None, _) => self.queue.push_back(msg),
            }
        }
    }

    /// The next event (queued first), waiting until `deadline`; `None` when
    /// none came in time.
    pub fn next_event(&mut self, deadline: Instant) -> Result<Option<Incoming>> {
        if let Some(m) = self.queue.pop_front() {
            return Ok(Some(m));
        }
        loop {
            match self.read(deadline) {
                Ok(m) if m.method.is_some() => return Ok(Some(m)),
                Ok(_) => {} // a reply nobody waits for any more
                Err(ReadError::Timeout) => return Ok(None),
                Err(ReadError::Failed(e)) => return Err(e),
            }
        }
    }

    /// Say goodbye: a close frame, briefly waiting for the answer.
    pub fn close(mut self) {
        let _ = self.ws.close(None);
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            let _ = self
                .ws
                .get_mut()
                .set_read_timeout(Some(Duration::from_millis(100)));
            match self.ws.read() {
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted =>
                {
                    continue
                }
                Err(_) => break,
            }
        }
    }

    fn read(&mut self, deadline: Instant) -> std::result::Result<Incoming, ReadError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            let _ = self.ws.get_mut().set_read_timeout(Some(left));
            quick_ack(self.ws.get_ref());
            let text = match self.ws.read() {
                Ok(Message::Text(t)) => t.as_str().to_owned(),
                Ok(Message::Binary(b)) => String::from_utf8_lossy(&b).into_owned(),
                Ok(Message::Close(_)) => {
                    return Err(ReadError::Failed(fail(
                        &self.name,
                        "the runtime closed the connection",
                    )))
                }
                Ok(_) => continue,
                // A signal (Ctrl-C handled by cpuflame) interrupted the wait: wait on.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    continue
                }
                Err(tungstenite::Error::Io(e)) if is_timeout(&e) => return Err(ReadError::Timeout),
                Err(e) => {
                    return Err(ReadError::Failed(fail(
                        &self.name,
                        format!("the connection failed: {}", describe(&e)),
                    )))
                }
            };
            trace('<', &text);
            let v: Value = serde_json::from_str(&text).map_err(|e| {
                ReadError::Failed(fail(
                    &self.name,
                    format!("sent a message that is not JSON ({e}): {}", preview(&text)),
                ))
            })?;
            return unwrap(v).ok_or_else(|| {
                ReadError::Failed(fail(
                    &self.name,
                    format!("sent a message that is not CDP: {}", preview(&text)),
                ))
            });
        }
    }
}

/// With `CPUFLAME_DEBUG_CDP` set, every message sent (`>`) and received
/// (`<`) is shown on standard error, cut at 200 characters: a diagnostic for
/// reports of a runtime that misbehaves.
fn trace(direction: char, text: &str) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("CPUFLAME_DEBUG_CDP").is_some()) {
        let cut: String = text.chars().take(200).collect();
        eprintln!("cpuflame: cdp {direction} {cut}");
    }
}

/// Acknowledge received data at once. Node answers a command sent to a
/// worker with two small writes (the wrapper's reply, then the worker's);
/// with Nagle's algorithm on Node's side and delayed ACKs on ours, each such
/// round trip waited 40 ms, and a worker's start-up (eight of them, while it
/// waits for us) was delayed by a third of a second. Linux resets the flag
/// as it pleases, so it is set before every read.
fn quick_ack(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a socket we own, with a pointer to a live c_int.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

enum ReadError {
    Timeout,
    Failed(Error),
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// A websocket error in words.
fn describe(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Capacity(c) => format!(
            "a message over the limit ({c}; cpuflame accepts up to {} MiB)",
            MAX_MESSAGE >> 20
        ),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            "the connection is closed".into()
        }
        tungstenite::Error::Protocol(p) => format!("websocket protocol error: {p}"),
        other => other.to_string(),
    }
}

/// The first bytes of a message, for an error line.
fn preview(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("{s:?}")
}

/// Tag a decoded message with its session, unwrapping NodeWorker envelopes.
fn unwrap(v: Value) -> Option<Incoming> {
    let obj = v.as_object()?;
    if obj.get("method").and_then(Value::as_str) == Some("NodeWorker.receivedMessageFromWorker") {
        let params = obj.get("params")?;
        let session = params.get("sessionId")?.as_str()?.to_string();
        let inner: Value = serde_json::from_str(params.get("message")?.as_str()?).ok()?;
        let mut m = unwrap(inner)?;
        m.route = Route::Worker(session);
        return Some(m);
    }
    let route = match obj.get("sessionId").and_then(Value::as_str) {
        Some(s) => Route::Flat(s.to_string()),
        None => Route::Main,
    };
    let id = obj.get("id").and_then(Value::as_u64);
    let method = obj
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_string);
    let reply = if let Some(e) = obj.get("error") {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("an error");
        let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
        Some(Err(format!("{message} (code {code})")))
    } else if let Some(r) = obj.get("result") {
        Some(Ok(r.clone()))
    } else if id.is_some() && workerd::is_echo(obj) {
        Some(Ok(json!({})))
    } else {
        None
    };
    if id.is_some() {
        // A reply (workerd's echoes carry the method too: not an event).
        reply.as_ref()?;
        return Some(Incoming {
            route,
            id,
            method: None,
            params: Value::Null,
            reply,
        });
    }
    method.as_ref()?;
    Some(Incoming {
        route,
        id: None,
        method,
        params: obj.get("params").cloned().unwrap_or(Value::Null),
        reply: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_routes_and_echoes() {
        let m = unwrap(json!({"method": "NodeWorker.receivedMessageFromWorker",
            "params": {"sessionId": "7", "message": "{\"id\":3,\"result\":{\"a\":1}}"}}))
        .unwrap();
        assert_eq!(m.route, Route::Worker("7".into()));
        assert_eq!(m.id, Some(3));
        assert_eq!(m.reply, Some(Ok(json!({"a": 1}))));
        let m = unwrap(json!({"method": "Debugger.scriptParsed", "params": {}, "sessionId": "AB"}))
            .unwrap();
        assert_eq!(m.route, Route::Flat("AB".into()));
        assert!(m.id.is_none());
        let echo = unwrap(json!({"id": 4, "method": "Profiler.start", "params": {}})).unwrap();
        assert_eq!(echo.reply, Some(Ok(json!({}))));
        assert!(echo.method.is_none());
        let err = unwrap(json!({"id": 5, "error": {"code": -32601, "message": "nope"}})).unwrap();
        assert_eq!(err.reply, Some(Err("nope (code -32601)".into())));
        assert!(unwrap(json!([1, 2])).is_none());
        assert!(unwrap(json!({"hello": 1})).is_none());
    }
}
