//! Helpers shared by the live-capture tests (tests/capture_*.rs): running
//! cpuflame with a time limit, and Node processes that clean up after themselves.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// A file of tests/capture/.
pub fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/capture")
        .join(rel)
        .display()
        .to_string()
}

/// The cpuflame binary. `CPUFLAME_TEST_TRACE=1` makes it show its CDP
/// messages (`CPUFLAME_DEBUG_CDP`), which is otherwise kept off so error
/// output stays one line.
pub fn cpuflame() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cpuflame"));
    c.env_remove("CPUFLAME_DEBUG_CDP");
    if std::env::var_os("CPUFLAME_TEST_TRACE").is_some() {
        c.env("CPUFLAME_DEBUG_CDP", "1");
    }
    c
}

/// Wait for a child at most `secs` (reading its output meanwhile), killing
/// it (and failing) beyond.
pub fn finish(child: Child, secs: u64) -> Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(o) => o.expect("collects output"),
        Err(_) => {
            // SIGTERM first: cpuflame then stops and says what it was doing.
            // SAFETY: signalling the child we started.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let said = match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(o)) => String::from_utf8_lossy(&o.stderr).into_owned(),
                _ => {
                    // SAFETY: as above.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                    String::new()
                }
            };
            panic!("cpuflame did not finish within {secs} s; its standard error: {said}");
        }
    }
}

/// Run cpuflame with `args`, at most `secs`.
pub fn run(args: &[&str], secs: u64) -> Output {
    let child = cpuflame()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts cpuflame");
    finish(child, secs)
}

/// Standard error as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Folded lines as (source, rest of the stack, weight).
pub fn folded(text: &str) -> Vec<(String, String, f64)> {
    text.lines()
        .filter_map(|l| {
            let (stack, w) = l.rsplit_once(' ')?;
            let (source, rest) = stack.split_once(';').unwrap_or((stack, ""));
            Some((source.to_string(), rest.to_string(), w.parse().ok()?))
        })
        .collect()
}

/// Total weight of the folded lines whose stack mentions `func`.
pub fn weight(text: &str, func: &str) -> f64 {
    folded(text)
        .iter()
        .filter(|l| l.1.contains(func) || l.0.contains(func))
        .map(|l| l.2)
        .sum()
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether something listens on 127.0.0.1:`port`.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(300),
    )
    .is_ok()
}

/// A child process killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    /// Its pid.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

/// Start `cmd` and read standard output and error lines until `ready`
/// returns a value (at most 20 s).
pub fn start_until<T: Send + 'static>(
    mut cmd: Command,
    ready: impl Fn(&str) -> Option<T> + Send + Clone + 'static,
) -> (Proc, T) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts the runtime");
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        let ready = ready.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(v) = ready(&line) {
                    let _ = tx.send(v);
                }
            }
        });
    }
    let proc = Proc(child);
    let v = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the runtime said it was ready");
    (proc, v)
}

/// The Node test server (tests/capture/node/server.js) with `node_args`,
/// and its HTTP port.
pub fn node_server(node_args: &[&str]) -> (Proc, u16) {
    let mut cmd = Command::new("node");
    cmd.args(node_args).arg(fixture("node/server.js"));
    start_until(cmd, |l| l.strip_prefix("listening ")?.trim().parse().ok())
}

/// A load loop of requests to 127.0.0.1:`port`.
pub fn load(port: u16) -> Proc {
    Proc(
        Command::new("node")
            .arg(fixture("node/load.js"))
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts the load loop"),
    )
}

/// One HTTP GET / answer body from 127.0.0.1:`port` (the server still serves).
pub fn get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}
