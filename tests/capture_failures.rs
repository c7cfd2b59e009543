//! Capture failures: each ends with one clear line naming the target, exit
//! status 1 (2 for usage), in bounded time, without hurting what it touched.

#[path = "capture/helpers.rs"]
mod helpers;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use helpers::*;
use tungstenite::Message;

/// Run `attach` with a short reply timeout; check exit 1, the message, and the time.
fn fails(target: &str, expect: &[&str]) -> String {
    let started = Instant::now();
    let o = run(
        &["attach", target, "--timeout", "1s", "--duration", "1s"],
        30,
    );
    let e = err(&o);
    assert_eq!(o.status.code(), Some(1), "{target}: {e}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{target} took {:?}",
        started.elapsed()
    );
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(e.starts_with("cpuflame: error: "), "{e}");
    for x in expect {
        assert!(e.contains(x), "{target}: expected {x:?} in {e}");
    }
    e
}

/// A fake server on 127.0.0.1: `serve` handles each accepted connection.
fn fake(serve: fn(TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || serve(s));
        }
    });
    port
}

/// A fake inspector: the websocket handshake, then `on_first` with the first command.
fn fake_inspector(on_first: fn(&mut tungstenite::WebSocket<TcpStream>, String)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let Ok(mut ws) = tungstenite::accept(s) else {
                    return;
                };
                if let Ok(Message::Text(t)) = ws.read() {
                    on_first(&mut ws, t.as_str().to_string());
                }
                // Then keep the connection open (silent) for a while.
                std::thread::sleep(Duration::from_secs(20));
            });
        }
    });
    port
}

#[test]
fn a_process_that_does_not_exist() {
    let mut c = std::process::Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    fails(
        &pid.to_string(),
        &[&format!("pid {pid}"), "no such process"],
    );
}

#[test]
fn a_process_that_is_not_node_is_left_alone() {
    let sleeper = Proc(
        std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap(),
    );
    let pid = sleeper.pid();
    fails(
        &pid.to_string(),
        &[
            &format!("pid {pid}"),
            "\"sleep\", not node or deno",
            "SIGUSR1",
        ],
    );
    // Still alive: no signal was sent.
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    let mut sleeper = sleeper;
    assert!(sleeper.0.try_wait().unwrap().is_none());
}

#[test]
fn a_closed_port() {
    let port = free_port();
    fails(
        &format!("127.0.0.1:{port}"),
        &[&format!("127.0.0.1:{port}"), "connection refused"],
    );
    fails(
        &format!("ws://127.0.0.1:{port}/x"),
        &[&format!("127.0.0.1:{port}"), "connection refused"],
    );
}

#[test]
fn an_http_server_that_is_not_an_inspector() {
    let port = fake(|mut s| {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    });
    fails(
        &format!("127.0.0.1:{port}"),
        &[
            &format!("127.0.0.1:{port}"),
            "not a DevTools inspector",
            "HTTP 404",
        ],
    );
    // Its websocket handshake is refused too.
    fails(
        &format!("ws://127.0.0.1:{port}/x"),
        &[
            &format!("ws://127.0.0.1:{port}/x"),
            "handshake was refused (HTTP 404",
        ],
    );
    let html = fake(|mut s| {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n<html>hi</html>");
    });
    fails(
        &format!("127.0.0.1:{html}"),
        &["not a DevTools inspector", "not a JSON list"],
    );
}

#[test]
fn a_server_that_never_answers() {
    let port = fake(|s| {
        std::thread::sleep(Duration::from_secs(20));
        drop(s);
    });
    fails(
        &format!("127.0.0.1:{port}"),
        &[&format!("127.0.0.1:{port}"), "no complete answer in time"],
    );
    fails(
        &format!("ws://127.0.0.1:{port}/x"),
        &[&format!("ws://127.0.0.1:{port}/x"), "handshake"],
    );
}

#[test]
fn an_inspector_that_stalls() {
    let port = fake_inspector(|_, _| {});
    fails(
        &format!("ws://127.0.0.1:{port}/stall"),
        &[
            &format!("ws://127.0.0.1:{port}/stall"),
            "no reply to",
            "within 1 s",
        ],
    );
}

#[test]
fn an_inspector_that_closes_mid_reply() {
    let port = fake_inspector(|ws, _| {
        // A text frame announcing 100 bytes, 10 sent, then the socket closes.
        let s = ws.get_mut();
        let _ = s.write_all(&[0x81, 100]);
        let _ = s.write_all(b"{\"id\":1,\"r");
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    fails(
        &format!("ws://127.0.0.1:{port}/cut"),
        &[&format!("ws://127.0.0.1:{port}/cut"), "connection failed"],
    );
}

#[test]
fn an_inspector_that_sends_garbage() {
    let port = fake_inspector(|ws, _| {
        let _ = ws.send(Message::text("<html>this is not CDP</html>"));
    });
    fails(
        &format!("ws://127.0.0.1:{port}/junk"),
        &[
            &format!("ws://127.0.0.1:{port}/junk"),
            "not JSON",
            "<html>this is not CDP",
        ],
    );
    let port = fake_inspector(|ws, _| {
        let _ = ws.send(Message::text("[1,2,3]"));
    });
    fails(&format!("ws://127.0.0.1:{port}/array"), &["not CDP"]);
}

#[test]
fn an_inspector_that_announces_an_enormous_message() {
    let port = fake_inspector(|ws, _| {
        // A single frame claiming 4 GiB: refused from its header, never buffered.
        let s = ws.get_mut();
        let mut header = vec![0x81, 127];
        header.extend_from_slice(&(4u64 << 30).to_be_bytes());
        let _ = s.write_all(&header);
        let _ = s.write_all(&[b'x'; 1024]);
    });
    fails(
        &format!("ws://127.0.0.1:{port}/huge"),
        &[&format!("ws://127.0.0.1:{port}/huge"), "over the limit"],
    );
}

#[test]
fn an_inspector_that_refuses_profiling() {
    // Every command refused: the first one that matters (Profiler.enable) is named.
    let port = fake_inspector(|ws, first| {
        let mut text = first;
        loop {
            let id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"]
                .as_u64()
                .unwrap();
            let reply =
                format!("{{\"id\":{id},\"error\":{{\"code\":-32601,\"message\":\"nope\"}}}}");
            if ws.send(Message::text(reply)).is_err() {
                return;
            }
            match ws.read() {
                Ok(Message::Text(t)) => text = t.as_str().to_string(),
                _ => return,
            }
        }
    });
    fails(
        &format!("ws://127.0.0.1:{port}/refuse"),
        &["Profiler.enable was refused: nope (code -32601)"],
    );
}

#[test]
fn a_node_process_that_would_die_of_sigusr1_is_left_alone() {
    // An executable named node that has no SIGUSR1 handler (as a Node started with
    // --disable-sigusr1, or a Deno still starting): the signal would end it.
    let dir = tempfile::tempdir().unwrap();
    let fake_node = dir.path().join("node");
    std::fs::copy("/bin/sleep", &fake_node).unwrap();
    // A copy just written can be "busy" for a moment: another test thread's
    // fork may still hold its write descriptor (ETXTBSY). Try again briefly.
    let spawn = || std::process::Command::new(&fake_node).arg("30").spawn();
    let mut spawned = spawn();
    for _ in 0..50 {
        match &spawned {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                spawned = spawn();
            }
            _ => break,
        }
    }
    let mut child = Proc(spawned.unwrap());
    let pid = child.pid();
    fails(
        &pid.to_string(),
        &[
            &format!("pid {pid}"),
            "does not handle SIGUSR1",
            "sent nothing",
        ],
    );
    assert!(child.0.try_wait().unwrap().is_none(), "it died");
}
