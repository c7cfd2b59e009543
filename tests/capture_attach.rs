//! `cpuflame attach` against a real Node HTTP server under a load loop of
//! ours: by PID (SIGUSR1, closed again), by address, by ws:// URL, and the
//! application's own profile endpoint.

#[path = "capture/helpers.rs"]
mod helpers;

use helpers::*;

#[test]
fn attach_by_pid_opens_and_closes_the_inspector() {
    let inspect_port = free_port();
    let port_arg = format!("--inspect-port={inspect_port}");
    let (server, port) = node_server(&[&port_arg]);
    let _load = load(port);
    assert!(!port_open(inspect_port));
    let pid = server.pid().to_string();
    let o = run(&["attach", &pid, "--duration", "2s", "-f", "folded"], 60);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        weight(&text, "handleChecksumRequest") > 50_000.0,
        "{}",
        weight(&text, "handleChecksumRequest")
    );
    // The inspector cpuflame opened is closed again, and the server still serves.
    assert!(!port_open(inspect_port), "the inspector port stayed open");
    let answer = get(port, "/");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn attach_by_address_list_and_ws_url() {
    let inspect = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (server, port) = {
        let mut cmd = std::process::Command::new("node");
        cmd.arg("--inspect=127.0.0.1:0")
            .arg(fixture("node/server.js"));
        let seen = inspect.clone();
        let (p, port) = start_until(cmd, move |l| {
            if let Some(i) = l.find("ws://") {
                *seen.lock().unwrap() = l[i..].trim().to_string();
            }
            l.strip_prefix("listening ")?.trim().parse::<u16>().ok()
        });
        (p, port)
    };
    // The inspector's line comes before the server listens.
    let ws = inspect.lock().unwrap().clone();
    assert!(ws.starts_with("ws://127.0.0.1:"), "{ws}");
    let address = ws
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let _load = load(port);

    let o = run(&["attach", &address, "--list"], 20);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(
        listed.lines().nth(1).unwrap().starts_with("node\t"),
        "{listed}"
    );
    assert!(listed.contains(&ws), "{listed}");

    for target in [format!("http://{address}"), ws.clone()] {
        let o = run(&["attach", &target, "--duration", "1s", "-f", "folded"], 60);
        assert_eq!(o.status.code(), Some(0), "{target}: {}", err(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            weight(&text, "handleChecksumRequest") > 20_000.0,
            "{target}"
        );
    }
    // An inspector we did not open stays open; the server still serves.
    let p: u16 = address.rsplit(':').next().unwrap().parse().unwrap();
    assert!(port_open(p));
    assert!(get(port, "/").starts_with("HTTP/1.1 200"));
    drop(server);
}

#[test]
fn attach_to_a_profile_endpoint() {
    let (_server, port) = node_server(&[]);
    let _load = load(port);
    for query in ["duration=1", "duration=1&gzip"] {
        let url = format!("http://127.0.0.1:{port}/profile/cpu?{query}");
        let o = run(&["attach", &url, "-f", "folded"], 30);
        assert_eq!(o.status.code(), Some(0), "{url}: {}", err(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(weight(&text, "handleChecksumRequest") > 20_000.0, "{url}");
    }
    // Not a profile: a clear error naming the URL.
    let url = format!("http://127.0.0.1:{port}/hello");
    let o = run(&["attach", &url], 30);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains(&url) && e.contains("not a CPU profile"), "{e}");
    // Its root is not an inspector either.
    let o = run(&["attach", &format!("127.0.0.1:{port}")], 30);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("not a DevTools inspector"), "{}", err(&o));
}

#[test]
fn attach_refuses_a_remote_address_without_remote() {
    let o = run(&["attach", "10.1.2.3:9229"], 10);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("not a loopback address") && e.contains("--remote"),
        "{e}"
    );
}
