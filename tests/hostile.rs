//! Hostile sizes and encodings (issue 15): byte-order marks, thread-count and
//! file-count bombs, sample-count gzip bombs. Every input is generated here,
//! at test time; the binary runs under an address-space limit (`prlimit
//! --as`) so that a regression fails instead of swapping, and under a limit
//! of CPU seconds (`prlimit --cpu`, which a loaded machine does not eat into
//! as it does into wall time) so that one that turns quadratic fails
//! instead of hanging.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{cpuflame, s, sample};

const MIB: u64 = 1 << 20;

/// Run cpuflame with `args` under an address-space limit of `limit` bytes
/// and a limit of `cpu` CPU seconds (then the kernel kills it). Fails the
/// test if it was killed, or still ran after ten minutes of wall time.
fn run_limited(args: &[&str], limit: u64, cpu: Duration) -> Output {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let deadline = Duration::from_secs(600);
    let mut child = Command::new("prlimit")
        .arg(format!("--as={limit}"))
        .arg(format!("--cpu={}", cpu.as_secs()))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_cpuflame"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux) runs");
    // Drained meanwhile, so that a full pipe cannot stall the child.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "cpuflame {args:?} still running after {deadline:?}: {}",
                String::from_utf8_lossy(&err.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(signal) = status.signal() {
        panic!(
            "cpuflame {args:?} was killed by signal {signal} (past its limit of {cpu:?} of CPU?): {}",
            String::from_utf8_lossy(&err.join().unwrap())
        );
    }
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Folded output of `path`, sorted, with the exit status checked.
fn folded_of(path: &Path) -> String {
    let o = cpuflame(&["-f", "folded", "-q", s(path)]);
    assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
    let mut lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

const LEGACY: &str = r#"{"head":{"functionName":"(root)","url":"","lineNumber":0,"callUID":1,"id":1,
 "children":[{"functionName":"main","url":"a.js","lineNumber":3,"callUID":2,"id":2,"children":[]}]},
 "startTime":1,"endTime":1.003,"samples":[2,2,2],"timestamps":[1000000,1001000,1002000]}"#;

#[test]
fn a_utf8_byte_order_mark_is_skipped_in_every_format_and_in_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = dir.path().join("legacy.cpuprofile");
    std::fs::write(&legacy, LEGACY).unwrap();
    let inputs = [
        sample("node/app.cpuprofile"),
        sample("chrome/page-worker.trace.json"),
        sample("chrome/self-profiling.json"),
        legacy,
    ];
    for input in inputs {
        let want = folded_of(&input);
        assert!(!want.is_empty(), "{}", input.display());
        let mut text = b"\xEF\xBB\xBF".to_vec();
        text.extend(std::fs::read(&input).unwrap());
        let name = input.file_name().unwrap().to_str().unwrap();
        let plain = dir.path().join(format!("bom-{name}"));
        std::fs::write(&plain, &text).unwrap();
        assert_eq!(folded_of(&plain), want, "{name} with a BOM");
        let gz = dir.path().join(format!("bom-{name}.gz"));
        std::fs::write(&gz, gzip(&text)).unwrap();
        assert_eq!(folded_of(&gz), want, "{name}.gz with a BOM");
        // Standard input too.
        let o = common::cpuflame_stdin(&["-f", "folded", "-q"], &text);
        assert!(o.status.success(), "{name} on stdin: {}", stderr(&o));
    }
}

#[test]
fn utf16_text_is_refused_with_a_message_saying_to_resave_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample("node/app.cpuprofile")).unwrap();
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes, kind) in [
        (
            "le.cpuprofile",
            le.clone(),
            "UTF-16 (little-endian, with a byte-order mark)",
        ),
        ("be.cpuprofile", be, "UTF-16 (big-endian)"),
        (
            "le.cpuprofile.gz",
            gzip(&le),
            "UTF-16 (little-endian, with a byte-order mark)",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let o = cpuflame(&[s(&path)]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert_eq!(
            stderr(&o),
            format!(
                "cpuflame: error: {}: the file is {kind} text; profiles are UTF-8 JSON: re-save it as UTF-8\n",
                path.display()
            )
        );
    }
}

#[test]
fn an_error_after_a_byte_order_mark_counts_the_mark_in_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, b"\xEF\xBB\xBF{\"nodes\": x}").unwrap();
    let o = cpuflame(&[s(&path)]);
    assert_eq!(o.status.code(), Some(1));
    // `x` is byte 13 of the file (3 bytes of mark, then `{"nodes": `).
    assert!(
        stderr(&o).contains("invalid JSON at byte 13: expected value"),
        "{}",
        stderr(&o)
    );
}

/// A Chrome trace with `threads` threads, each with a `thread_name`, a
/// `Profile` and one `ProfileChunk` of two samples on one of 50 functions.
fn many_thread_trace(threads: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(threads * 600);
    out.push(b'[');
    for i in 0..threads {
        let tid = 1000 + i;
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        write!(
            out,
            r#"{{"name":"thread_name","ph":"M","pid":7,"tid":{tid},"args":{{"name":"Worker"}}}},
{{"name":"Profile","ph":"P","pid":7,"tid":{tid},"id":"0x{id:x}","ts":{ts},"args":{{"data":{{"startTime":{ts}}}}}}},
{{"name":"ProfileChunk","ph":"P","pid":7,"tid":{tid},"id":"0x{id:x}","ts":{ts1},"args":{{"data":{{"cpuProfile":{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)","scriptId":0}}}},{{"id":2,"parent":1,"callFrame":{{"functionName":"work{f}","scriptId":1,"url":"a.js","lineNumber":3}}}}],"samples":[2,2]}},"timeDeltas":[10,10]}}}}}}"#,
            id = i + 1,
            ts = 1000 + i,
            ts1 = 1001 + i,
            f = i % 50,
        )
        .unwrap();
    }
    out.extend_from_slice(b"]\n");
    out
}

/// 30,000 threads (3 s of CPU in a debug build; the quadratic code took
/// more than 30 s, and the limit is 20 s), every output that
/// lists or draws sources; the weights are checked, not just the exit.
#[test]
fn a_trace_with_thirty_thousand_threads_is_read_in_linear_time() {
    const THREADS: usize = 30_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.json");
    std::fs::write(&path, many_thread_trace(THREADS)).unwrap();
    let cpu = Duration::from_secs(20);
    let o = run_limited(&["-f", "folded", "-q", s(&path)], 2048 * MIB, cpu);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), THREADS);
    // One source frame per thread, then its function: 20 µs each.
    assert_eq!(common::folded_total(&text), 20 * THREADS as u64);
    assert!(
        text.contains("Worker (pid 7, tid 1000);work0 (a.js:4) 20\n"),
        "{}",
        &text[..300]
    );
    let o = run_limited(&["--list", s(&path)], 2048 * MIB, cpu);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("Worker (pid 7, tid "))
            .count(),
        THREADS
    );
    let o = run_limited(
        &[
            "--from",
            "0ms",
            "--to",
            "25us",
            "-f",
            "folded",
            "-q",
            s(&path),
        ],
        2048 * MIB,
        cpu,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // One window on the clock the threads share: thread i samples
    // [10 + i, 30 + i) µs after the first thread's start, so threads 0-5
    // count 20 µs, threads 6-24 count 19 down to 1, the rest nothing.
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 25);
    assert_eq!(common::folded_total(&text), 6 * 20 + (1..20).sum::<u64>());
}

/// 10,000 files in a directory, folded and listed.
#[test]
fn ten_thousand_files_in_a_directory_are_read_in_linear_time() {
    const FILES: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let profiles = dir.path().join("profiles");
    std::fs::create_dir(&profiles).unwrap();
    for i in 0..FILES {
        let text = common::cdp(
            &[(1, "(root)", &[2]), (2, &format!("f{}", i % 100), &[])],
            &[2, 2, 2],
            &[10, 10, 10],
        );
        std::fs::write(profiles.join(format!("p{i:05}.cpuprofile")), text).unwrap();
    }
    let cpu = Duration::from_secs(60);
    let o = run_limited(&["-f", "folded", "-q", s(&profiles)], 2048 * MIB, cpu);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), FILES);
    assert_eq!(common::folded_total(&text), 30 * FILES as u64);
    let o = run_limited(&["--list", s(&profiles)], 2048 * MIB, cpu);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A gzip `.cpuprofile` whose `samples` and `timeDeltas` hold `blocks` ×
/// 100,000 entries on two functions, 1 µs apart: each array is one gzip
/// member compressed once and repeated (gzip readers join members), so a
/// billion samples cost a few megabytes and no time to make.
fn sample_bomb(blocks: usize) -> Vec<u8> {
    const BLOCK: usize = 100_000;
    let best = |text: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    };
    let samples = best("2,3,".repeat(BLOCK / 2).as_bytes());
    let deltas = best("1,".repeat(BLOCK).as_bytes());
    let mut out = gzip(
        format!(
            r#"{{"nodes":[{{"id":1,"callFrame":{{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1}},"children":[2,3]}},{{"id":2,"callFrame":{{"functionName":"a","scriptId":"1","url":"file:///a.js","lineNumber":1,"columnNumber":1}}}},{{"id":3,"callFrame":{{"functionName":"b","scriptId":"1","url":"file:///a.js","lineNumber":5,"columnNumber":1}}}}],"startTime":0,"endTime":{},"samples":["#,
            blocks * BLOCK
        )
        .as_bytes(),
    );
    for _ in 0..blocks {
        out.extend_from_slice(&samples);
    }
    out.extend(gzip(b"2],\"timeDeltas\":["));
    for _ in 0..blocks {
        out.extend_from_slice(&deltas);
    }
    out.extend(gzip(b"1]}"));
    out
}

#[test]
fn a_sample_bomb_within_the_budget_is_drawn_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small-bomb.cpuprofile.gz");
    std::fs::write(&path, sample_bomb(10)).unwrap();
    let o = run_limited(
        &["-f", "folded", "-q", s(&path)],
        1024 * MIB,
        Duration::from_secs(60),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // 1,000,001 samples 1 µs apart: the last lasts the mean interval, 1 µs.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "a (/a.js:2:2) 500001\nb (/a.js:6:2) 500000\n"
    );
}

/// The billion-sample gzip bomb (4 GB of text in 8 MB): past the memory
/// budget it is one line naming the file and what was needed, exit 1,
/// never an abort; past what the system gives (`prlimit --as`), the same.
#[test]
fn a_billion_sample_gzip_bomb_is_one_line_and_exit_1_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.cpuprofile.gz");
    let bomb = sample_bomb(10_000);
    assert!(bomb.len() < 16 << 20, "{}", bomb.len());
    std::fs::write(&path, bomb).unwrap();
    let out = dir.path().join("out.svg");
    let o = run_limited(
        &["--max-memory", "64M", "-o", s(&out), s(&path)],
        1024 * MIB,
        Duration::from_secs(60),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let prefix = format!("cpuflame: error: {}: out of memory: a block of ", s(&path));
    assert!(err.starts_with(&prefix), "{err}");
    assert!(
        err.ends_with("; that is more than the --max-memory budget of 64.0 MiB\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists(), "no output is left behind");
    let o = run_limited(
        &["-o", s(&out), s(&path)],
        256 * MIB,
        Duration::from_secs(60),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with(&prefix), "{err}");
    assert!(
        err.ends_with("; that is more than the system gives (ulimit -v?)\n"),
        "{err}"
    );
    assert!(!out.exists(), "no output is left behind");
}

/// A gzip stream that is not a `.cpuprofile` is parsed as it comes: broken
/// JSON after megabytes of padding is reported with its offset without
/// ever holding the text (here 8 times the budget) in memory.
#[test]
fn a_padded_gzip_trace_is_reported_from_the_stream_not_held_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("padded.json.gz");
    let pad = 32 << 20;
    let mut text = br#"{"traceEvents":[]"#.to_vec();
    text.resize(text.len() + pad, b' ');
    std::fs::write(&path, gzip(&text)).unwrap();
    let o = run_limited(
        &["--max-memory", "4M", s(&path)],
        1024 * MIB,
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "cpuflame: error: {}: invalid JSON at byte {}: EOF while parsing an object (the file ends early: truncated?)\n",
            s(&path),
            text.len()
        )
    );
}
