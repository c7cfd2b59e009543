//! Files that are not CPU profiles, recognised by their first bytes, so that
//! a person who picked the wrong file hears what it is and what to do, not
//! a parser's internals ("invalid type: integer `9`, expected struct RawNode").
//!
//! Only the start of the document is looked at (at most [`PREFIX`] bytes),
//! and only markers no CPU profile format can start with are used, so a
//! profile is never refused by a guess.

/// How much of the document the checks look at.
pub const PREFIX: usize = 64 * 1024;

/// What a CPU profile looks like to cpuflame, and how to get one.
const RECORD: &str = "record a CPU profile with `node --cpu-prof`, the inspector's \
                      Profiler domain, or the Performance panel of Chrome DevTools";

/// The sentence to report when `bytes` (decompressed) are a known kind of
/// file that is not a CPU profile, or `None`.
pub fn foreign(bytes: &[u8]) -> Option<String> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + PREFIX)];
    let kind = if let Some(object) = head.strip_prefix(b"{") {
        json_object(object)?
    } else if head.first() == Some(&b'<') {
        markup(head)
    } else if starts_with_any(
        head,
        &[
            b"v8-version,",
            b"shared-library,",
            b"code-creation,",
            b"tick,",
        ],
    ) {
        "a V8 tick log from `node --prof` (isolate-*.log), not a CPU profile: \
         run the program with `node --cpu-prof` instead, which writes a .cpuprofile \
         cpuflame reads (or read this log with `node --prof-process`)"
            .to_string()
    } else if is_pprof(head) {
        format!(
            "a pprof profile (protocol buffers, as Go's runtime/pprof or pprof-nodejs write), \
             not a JavaScript CPU profile: view it with `go tool pprof -http=: FILE`, or {RECORD}"
        )
    } else {
        return None;
    };
    Some(kind)
}

/// A JSON object (after its `{`) whose first key or early fields give it away.
fn json_object(object: &[u8]) -> Option<String> {
    let first_key = first_key(object)?;
    match first_key {
        b"snapshot" => Some(format!(
            "a V8 heap snapshot (.heapsnapshot): it records memory, not CPU time; {RECORD}"
        )),
        // A heap profile (`--heap-prof`, the sampling heap profiler) shares
        // the legacy CPU profile's `head`, but its nodes weigh bytes.
        b"head" if contains(object, b"\"selfSize\"") => Some(format!(
            "a V8 sampling heap profile (.heapprofile, from `node --heap-prof`): it records \
             memory allocations, not CPU time; {RECORD}"
        )),
        // Gecko's own format and the Firefox Profiler's processed one both open
        // with `meta`, whose fields no V8 format has (Edge's `.devtools` also
        // starts with `meta`, holding none of them).
        b"meta"
            if contains(object, b"\"stackwalk\"")
                || contains(object, b"\"processType\"")
                || contains(object, b"\"threads\"") =>
        {
            Some(
                "a Firefox (Gecko) profile, not a V8 CPU profile: open it in the Firefox \
                 Profiler (profiler.firefox.com); cpuflame reads profiles from V8 (Node, Chrome, \
                 Deno, Bun, workerd)"
                    .to_string(),
            )
        }
        _ => None,
    }
}

/// An HTML page (say, an error page fetched with curl), an SVG, or other markup.
fn markup(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    // ASCII lower case keeps every byte offset, so `text` can be sliced where `lower` matched.
    let lower = text.to_ascii_lowercase();
    if lower.contains("<html") || lower.contains("<!doctype html") {
        let title = lower
            .find("<title>")
            .map(|i| i + "<title>".len())
            .and_then(|i| lower[i..].find("</title>").map(|j| &text[i..i + j]))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty() && t.len() <= 80);
        format!(
            "an HTML page{}, not a CPU profile: if it was downloaded (curl, wget), the server \
             sent a web page (an error or a login page?) instead of the profile; check the URL, \
             and use `curl -f` so an error is not saved",
            title
                .map(|t| format!(" (titled {t:?})"))
                .unwrap_or_default()
        )
    } else if lower.contains("<svg") {
        "an SVG picture (a flame graph already?), not a CPU profile: open it in a browser"
            .to_string()
    } else {
        "an XML document, not a CPU profile (cpuflame reads JSON profiles)".to_string()
    }
}

/// pprof's `Profile` message (protocol buffers): it opens with the tag of one
/// of its fields 1–14 (Go writes `time_nanos`, field 9, first), it is not
/// text, and its string table names the units.
fn is_pprof(head: &[u8]) -> bool {
    const TAGS: [u8; 14] = [
        0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x38, 0x40, 0x48, 0x50, 0x5a, 0x60, 0x68, 0x70,
    ];
    head.first().is_some_and(|b| TAGS.contains(b))
        && (contains(head, b"nanoseconds") || contains(head, b"samples"))
        && std::str::from_utf8(head).is_err()
}

/// The first key of a JSON object, given the bytes after its `{`.
fn first_key(object: &[u8]) -> Option<&[u8]> {
    let rest = object.trim_ascii_start().strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    Some(&rest[..end])
}

fn starts_with_any(head: &[u8], prefixes: &[&[u8]]) -> bool {
    prefixes.iter().any(|p| head.starts_with(p))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The sentence for a gzip stream that cannot be decompressed: most often a
/// file cut short by an interrupted download or copy.
pub fn gzip_failure(error: &std::io::Error, decompressed: usize) -> String {
    let text = error.to_string();
    let truncated = error.kind() == std::io::ErrorKind::UnexpectedEof
        || text.contains("incomplete")
        || text.contains("unexpected end");
    if truncated {
        format!(
            "a gzip file that ends early (truncated by an interrupted download or copy?): \
             it stops after {decompressed} decompressed bytes; fetch or copy it again"
        )
    } else {
        format!("broken gzip stream: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_never_foreign() {
        for doc in [
            &br#"{"nodes":[],"startTime":0}"#[..],
            br#"{"head":{"functionName":"(root)","children":[]},"samples":[]}"#,
            br#"{"meta":{"fileDocumentType":"x-msedge-session-log"},"payload":{}}"#,
            br#"{"metadata":{"threads":1},"traceEvents":[]}"#,
            br#"[{"ph":"P","name":"Profile"}]"#,
            br#"{"resources":[],"frames":[],"stacks":[],"samples":[]}"#,
            b"",
        ] {
            assert_eq!(foreign(doc), None, "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn first_keys() {
        assert_eq!(first_key(b" \"snapshot\":{}"), Some(&b"snapshot"[..]));
        assert_eq!(first_key(b"}"), None);
    }
}
