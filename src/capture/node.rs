//! Node (and Deno) specifics: starting a program with its inspector waiting
//! for us, and opening a running process's inspector with SIGUSR1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::fail;
use crate::error::Result;

/// Lines the inspector prints on the program's standard error, kept out of
/// the passed-through output: they are cpuflame's business, not the program's.
const CHATTER: [&str; 9] = [
    "Deno is waiting for debugger to connect.",
    "Debugger session started.",
    "Debugger session ended",
    "Debugger listening on ",
    "Debugger ending on ",
    "For help, see: https://nodejs.org/",
    "Debugger attached.",
    "Waiting for the debugger to disconnect...",
    "Visit chrome://inspect to connect to the debugger.",
];

/// Pass the child's standard error through (minus inspector chatter) on a
/// thread; every `ws://` debugger URL announced comes out of the receiver.
pub fn pass_stderr(child: &mut Child) -> Option<mpsc::Receiver<String>> {
    let stderr = child.stderr.take()?;
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        let mut out = std::io::stderr();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            if let Some(i) = text.find("ws://") {
                if text.contains("Debugger listening on") {
                    let _ = tx.send(text[i..].trim_end().to_string());
                }
            }
            if CHATTER.iter().any(|c| text.trim_start().starts_with(c)) {
                continue;
            }
            let _ = out.write_all(&line);
        }
        // Whatever is left (no newline at the end) goes through too.
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
        let _ = out.write_all(&rest);
    });
    Some(rx)
}

/// Pass the child's standard error through (see [`pass_stderr`]) and return
/// the first debugger URL it announces, waiting at most `timeout`.
pub fn debugger_url(child: &mut Child, timeout: Duration, name: &str) -> Result<String> {
    let rx = pass_stderr(child)
        .ok_or_else(|| fail(name, "no standard error to read the debugger URL from"))?;
    match rx.recv_timeout(timeout) {
        Ok(url) => Ok(url),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(fail(
            name,
            format!(
                "no \"Debugger listening on ws://…\" line within {} s",
                timeout.as_secs_f64()
            ),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let status = child.wait().map(|s| format!(" ({s})")).unwrap_or_default();
            Err(fail(
                name,
                format!("the program exited before its inspector opened{status}"),
            ))
        }
    }
}

/// What a process is, by its executable: `node`, `deno`, `bun` or another program.
pub fn executable(pid: u32) -> Result<String> {
    let link = format!("/proc/{pid}/exe");
    match std::fs::read_link(&link) {
        Ok(p) => Ok(p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(fail(&format!("pid {pid}"), "no such process"))
        }
        Err(e) => Err(fail(
            &format!("pid {pid}"),
            format!("cannot read {link} ({e}): is it another user's process?"),
        )),
    }
}

/// Whether an executable name is Node's or Deno's (which open their inspector on SIGUSR1).
pub fn is_inspectable(exe: &str) -> bool {
    let base = exe.trim_end_matches(" (deleted)");
    base == "node" || base == "nodejs" || base.starts_with("node-") || base == "deno"
}

/// Where a Node process would open its inspector on SIGUSR1: the host and
/// port of its `--inspect-port` (or `--inspect=HOST:PORT`), from its
/// command line or its `NODE_OPTIONS`; else 127.0.0.1:9229. The host is
/// `None` when only a port was given (Node then listens on 127.0.0.1).
pub fn inspect_address(pid: u32) -> (Option<String>, u16) {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let mut args: Vec<String> = cmdline
        .split(|&b| b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // NODE_OPTIONS come before the command line's own options.
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    if let Some(options) = environ
        .split(|&b| b == 0)
        .find_map(|e| e.strip_prefix(b"NODE_OPTIONS="))
    {
        let options = String::from_utf8_lossy(options);
        let mut all: Vec<String> = options.split_whitespace().map(str::to_string).collect();
        all.append(&mut args);
        args = all;
    }
    inspect_address_of(&args)
}

/// [`inspect_address`] of a list of arguments (NODE_OPTIONS first).
fn inspect_address_of(args: &[String]) -> (Option<String>, u16) {
    let mut host = None;
    let mut port = 9229;
    for (i, a) in args.iter().enumerate() {
        let value = if let Some(v) = a.strip_prefix("--inspect-port=") {
            Some(v.to_string())
        } else if a == "--inspect-port" {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix("--inspect=")
                .or_else(|| a.strip_prefix("--inspect-brk="))
                .map(str::to_string)
        };
        if let Some(v) = value {
            let (h, p) = match v.rsplit_once(':') {
                Some((h, p)) => (Some(h.trim_matches(['[', ']']).to_string()), p),
                None => (None, v.as_str()),
            };
            if let Ok(p) = p.parse() {
                port = p;
                if h.is_some() {
                    host = h;
                }
            } else if p.is_empty() || v.parse::<u16>().is_err() {
                // `--inspect=HOST` alone: the host, Node's default port.
                host = Some(v.clone());
            }
        }
    }
    (host, port)
}

/// Whether an inspector host Node was told to use is on this machine only.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn port_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(300),
    )
    .is_ok()
}

/// Whether process `pid` has a handler for SIGUSR1 (`SigCgt` in
/// `/proc/PID/status`). Without one (started with `--disable-sigusr1`, or a
/// runtime still starting: Deno installs it a moment after its first line
/// runs), SIGUSR1 would end the process.
pub fn catches_sigusr1(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (libc::SIGUSR1 - 1)) != 0)
}

/// Send SIGUSR1, which makes Node or Deno open its inspector. Once this
/// succeeds the inspector counts as opened by cpuflame, whatever follows.
pub fn signal_inspector(pid: u32) -> Result<()> {
    let name = format!("pid {pid}");
    if !catches_sigusr1(pid) {
        return Err(fail(
            &name,
            "it does not handle SIGUSR1 (started with --disable-sigusr1, or still starting), so the signal would end it: cpuflame sent nothing; start it with --inspect=127.0.0.1:PORT and attach to that address",
        ));
    }
    // SAFETY: kill(2) with a pid the user named, checked above to be node or deno.
    let r = unsafe { libc::kill(pid as libc::pid_t, libc::SIGUSR1) };
    if r != 0 {
        return Err(fail(
            &name,
            format!("cannot signal it: {}", std::io::Error::last_os_error()),
        ));
    }
    Ok(())
}

/// Wait for the inspector port a signal asked for to open (or for Ctrl-C).
pub fn wait_inspector(pid: u32, port: u16, timeout: Duration) -> Result<()> {
    let name = format!("pid {pid}");
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if port_open(port) {
            return Ok(());
        }
        if super::stop::requested() {
            return Err(fail(&name, "interrupted while its inspector was opening"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(fail(
        &name,
        format!(
            "its inspector did not open on 127.0.0.1:{port} within {} s (started with --disable-sigusr1, or the port is taken?)",
            timeout.as_secs_f64()
        ),
    ))
}

/// Whether a path names the Node or Deno executable (for `record`).
pub fn program_kind(program: &Path) -> &'static str {
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match name.as_str() {
        "node" | "nodejs" => "node",
        "deno" => "deno",
        "bun" => "bun",
        n if n.starts_with("node") => "node",
        _ => "other",
    }
}

/// The TCP ports process `pid` listens on (its inspector among them): the
/// listening sockets of `/proc/net/tcp{,6}` whose inodes are among the
/// process's open files.
pub fn listening_ports(pid: u32) -> Vec<u16> {
    let mut listening = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // local_address is HEXIP:HEXPORT; state 0A is LISTEN; inode is field 9.
            if f.len() > 9 && f[3] == "0A" {
                if let Some(port) = f[1]
                    .rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
                {
                    listening.push((format!("socket:[{}]", f[9]), port));
                }
            }
        }
    }
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let mut ports: Vec<u16> = fds
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            listening
                .iter()
                .find(|(inode, _)| l.as_os_str() == inode.as_str())
                .map(|(_, port)| *port)
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Whether process `pid` holds the socket listening on TCP `port` (so an open
/// inspector port is its own, not another process's).
pub fn listens_on(pid: u32, port: u16) -> bool {
    listening_ports(pid).contains(&port)
}

/// `root` and every process descended from it, from the parent ids in `/proc/*/stat`.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parent_of.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_addresses_keep_their_host() {
        let of =
            |a: &[&str]| inspect_address_of(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(of(&["node", "app.js"]), (None, 9229));
        assert_eq!(of(&["node", "--inspect-port=9333", "app.js"]), (None, 9333));
        assert_eq!(of(&["node", "--inspect-port", "9334"]), (None, 9334));
        assert_eq!(
            of(&["node", "--inspect-port=0.0.0.0:9229"]),
            (Some("0.0.0.0".into()), 9229)
        );
        assert_eq!(
            of(&["node", "--inspect=[::1]:9300"]),
            (Some("::1".into()), 9300)
        );
        assert_eq!(
            of(&["node", "--inspect=0.0.0.0"]),
            (Some("0.0.0.0".into()), 9229)
        );
        assert!(is_loopback_host("127.0.0.1") && is_loopback_host("::1"));
        assert!(is_loopback_host("localhost") && !is_loopback_host("0.0.0.0"));
    }
}
