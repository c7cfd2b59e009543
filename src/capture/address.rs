//! What `cpuflame attach TARGET` names, and where it may connect: loopback
//! only, unless the user passes `--remote` (an inspector port gives code
//! execution to whoever reaches it).

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::fail;
use crate::error::{Error, Result};

/// A host and port to connect to, resolved and checked.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The host as the user wrote it (`127.0.0.1`, `localhost`, `[::1]`).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The resolved addresses, tried in order.
    pub addrs: Vec<SocketAddr>,
}

impl Endpoint {
    /// Resolve `host:port`, refusing a non-loopback address unless `remote`.
    pub fn new(host: &str, port: u16, remote: bool) -> Result<Endpoint> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = (bare, port)
            .to_socket_addrs()
            .map_err(|e| {
                fail(
                    &format!("{host}:{port}"),
                    format!("cannot resolve the host: {e}"),
                )
            })?
            .collect();
        if addrs.is_empty() {
            return Err(fail(&format!("{host}:{port}"), "the host has no address"));
        }
        if !remote && !addrs.iter().all(|a| a.ip().is_loopback()) {
            return Err(Error::Usage(format!(
                "{host}:{port} is not a loopback address: an inspector port gives full control of the process to whoever reaches it, so cpuflame connects only to 127.0.0.1/::1 unless you pass --remote"
            )));
        }
        Ok(Endpoint {
            host: host.to_string(),
            port,
            addrs,
        })
    }

    /// `host:port` as written in URLs and Host headers.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Open a TCP connection, trying each address within `timeout`.
    pub fn connect(&self, timeout: Duration) -> Result<TcpStream> {
        let mut last = None;
        for a in &self.addrs {
            match TcpStream::connect_timeout(a, timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        let why = match last {
            Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused (nothing listens there)".to_string()
            }
            Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                format!("no answer to connect within {} s", timeout.as_secs_f64())
            }
            Some(e) => format!("cannot connect: {e}"),
            None => "cannot connect".to_string(),
        };
        Err(fail(&self.authority(), why))
    }
}

/// What an `attach` TARGET names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A process id.
    Pid(u32),
    /// An inspector's HTTP address (`HOST:PORT`, `http://HOST:PORT`).
    Inspector {
        /// Host as written.
        host: String,
        /// Port.
        port: u16,
    },
    /// A debugger websocket URL, as given.
    WebSocket {
        /// Host as written.
        host: String,
        /// Port.
        port: u16,
        /// Path and query (`/0f2c…`).
        path: String,
    },
    /// An HTTP URL with a path: an application endpoint serving a profile.
    ProfileUrl {
        /// Host as written.
        host: String,
        /// Port.
        port: u16,
        /// Path and query.
        path: String,
    },
}

/// Parse an `attach` TARGET.
pub fn parse_target(text: &str) -> Result<Target> {
    let usage = |why: &str| {
        Error::Usage(format!(
            "attach {text:?}: {why}; give a PID, HOST:PORT, http://HOST:PORT[/PATH] or ws://HOST:PORT/PATH"
        ))
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u32>()
            .ok()
            .filter(|&p| p > 0)
            .map(Target::Pid)
            .ok_or_else(|| usage("not a process id"));
    }
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), text),
    };
    if scheme == "https" || scheme == "wss" {
        return Err(usage(
            "TLS is not supported (inspectors and local endpoints speak plain HTTP on loopback)",
        ));
    }
    if !matches!(scheme.as_str(), "" | "http" | "ws") {
        return Err(usage("unknown URL scheme"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = split_host_port(authority).ok_or_else(|| usage("no HOST:PORT"))?;
    let path = path.to_string();
    Ok(match scheme.as_str() {
        "ws" => Target::WebSocket {
            host,
            port,
            path: if path.is_empty() { "/".into() } else { path },
        },
        _ if path.is_empty() || path == "/" => Target::Inspector { host, port },
        "http" => Target::ProfileUrl { host, port, path },
        _ => {
            return Err(usage(
                "a path needs http:// (a profile endpoint) or ws:// (a debugger URL)",
            ))
        }
    })
}

/// `host:port`, `[v6]:port`.
fn split_host_port(authority: &str) -> Option<(String, u16)> {
    let (host, port) = authority.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|&p| p > 0)?;
    if host.is_empty() || host.contains('@') {
        return None;
    }
    Some((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(parse_target("123").unwrap(), Target::Pid(123));
        assert_eq!(
            parse_target("127.0.0.1:9229").unwrap(),
            Target::Inspector {
                host: "127.0.0.1".into(),
                port: 9229
            }
        );
        assert_eq!(
            parse_target("http://localhost:9229/").unwrap(),
            Target::Inspector {
                host: "localhost".into(),
                port: 9229
            }
        );
        assert!(matches!(
            parse_target("ws://127.0.0.1:9229/abc").unwrap(),
            Target::WebSocket { path, .. } if path == "/abc"
        ));
        assert!(matches!(
            parse_target("http://127.0.0.1:8080/profile/cpu?duration=1").unwrap(),
            Target::ProfileUrl { path, .. } if path == "/profile/cpu?duration=1"
        ));
        assert!(parse_target("https://x:1/").is_err());
        assert!(parse_target("nohost").is_err());
        assert!(parse_target("0").is_err());
    }

    #[test]
    fn loopback_only() {
        assert!(Endpoint::new("127.0.0.1", 1, false).is_ok());
        assert!(Endpoint::new("[::1]", 1, false).is_ok());
        assert!(matches!(
            Endpoint::new("10.1.2.3", 1, false),
            Err(Error::Usage(_))
        ));
        assert!(Endpoint::new("10.1.2.3", 1, true).is_ok());
    }
}
