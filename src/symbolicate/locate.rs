//! Where a script's map is: URLs, paths, `sourceMappingURL` comments and
//! `data:` URLs. Nothing here is fetched from the network.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::fold::label::percent_decode;

/// Maps and scripts larger than this are refused rather than read.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The local file a script URL names: `file://` URLs and absolute paths.
pub fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        let path = rest.split(['?', '#']).next().unwrap_or(rest);
        // `file://localhost/x` and `file:///x` both name `/x`.
        let path = path.strip_prefix("localhost").unwrap_or(path);
        return path
            .starts_with('/')
            .then(|| PathBuf::from(percent_decode(path)));
    }
    url.starts_with('/').then(|| PathBuf::from(url))
}

/// The last path segment of a URL or path, without query or fragment.
pub fn file_name(url: &str) -> &str {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    url.rsplit(['/', '\\']).next().unwrap_or(url)
}

/// Read a file of at most [`MAX_FILE_BYTES`].
pub fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        // A device or a pipe (`/dev/zero`) could be read forever.
        return Err("not a regular file".to_string());
    }
    let len = meta.len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "{} MB, more than the {} MB cpuflame reads",
            len >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "more than the {} MB cpuflame reads",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// The URL of a `//# sourceMappingURL=` (or `//@`, or `/*# … */`) comment on a line.
pub fn comment_url(line: &str) -> Option<&str> {
    let l = line.trim();
    let rest = l
        .strip_prefix("//# sourceMappingURL=")
        .or_else(|| l.strip_prefix("//@ sourceMappingURL="))
        .or_else(|| {
            l.strip_prefix("/*# sourceMappingURL=")
                .and_then(|r| r.strip_suffix("*/"))
        })?;
    let url = rest.trim();
    (!url.is_empty()).then_some(url)
}

/// The `//# debugId=` comment of a script, if any (searched in its last lines).
pub fn debug_id_comment(text: &str) -> Option<String> {
    let mut start = text.len().saturating_sub(4096);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].lines().rev().find_map(|l| {
        l.trim()
            .strip_prefix("//# debugId=")
            .map(|id| normalise_debug_id(id.trim()))
    })
}

/// A debug id compared without hyphens, braces or case.
pub fn normalise_debug_id(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The bytes of a `data:` URL: base64 (`;base64,`) or URL-encoded.
pub fn data_url(url: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("data:").ok_or("not a data: URL")?;
    let (meta, payload) = rest
        .split_once(',')
        .ok_or("a data: URL without a comma before its content")?;
    if meta.ends_with(";base64") {
        let clean: Vec<u8> = payload
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let clean = percent_decode(std::str::from_utf8(&clean).unwrap_or(""));
        data_encoding::BASE64
            .decode(clean.trim_end_matches('=').as_bytes())
            .or_else(|_| data_encoding::BASE64_NOPAD.decode(clean.trim_end_matches('=').as_bytes()))
            .map_err(|e| format!("inline map is not valid base64: {e}"))
    } else {
        Ok(percent_decode(payload).into_bytes())
    }
}

/// Resolve `rel` against the URL or path of the file `base` (as a browser
/// resolves a relative link), with `.` and `..` segments removed.
pub fn join(base: &str, rel: &str) -> String {
    if has_scheme(rel) {
        return rel.to_string();
    }
    let (prefix, base_path) = split_origin(base);
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        let dir = match base_path.rfind('/') {
            Some(i) => &base_path[..=i],
            None => "",
        };
        format!("{dir}{rel}")
    };
    format!("{prefix}{}", normalise_path(&joined))
}

/// Whether `s` starts with a URL scheme (`https:`, `webpack:`, `data:`).
pub fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 1 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)),
        _ => false,
    }
}

/// `https://host` + `/path`, `file://` + `/path`, or `` + a path.
fn split_origin(url: &str) -> (&str, &str) {
    if let Some(i) = url.find("://") {
        let after = i + 3;
        let path_start = url[after..]
            .find('/')
            .map(|p| after + p)
            .unwrap_or(url.len());
        (&url[..path_start], &url[path_start..])
    } else {
        ("", url)
    }
}

/// Remove `.` and `..` segments (a `..` at the root stays at the root).
fn normalise_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    if absolute {
        format!("/{body}")
    } else {
        body
    }
}

/// A source named with a bundler's pseudo-scheme, as a path a person
/// recognises: `webpack://app/./src/a.ts` and `webpack-internal:///./src/a.ts`
/// become `src/a.ts`, `turbopack:///[project]/src/a.ts` becomes `src/a.ts`.
pub fn normalise_pseudo_scheme(source: &str) -> Option<String> {
    let i = source.find("://")?;
    let scheme = &source[..i];
    if matches!(scheme, "file" | "http" | "https") {
        return None;
    }
    let rest = &source[i + 3..];
    // The authority (webpack's namespace) is dropped: `app/./src/a.ts` -> `./src/a.ts`.
    let path = match rest.strip_prefix('/') {
        Some(p) => p,
        None => rest.split_once('/').map(|(_, p)| p).unwrap_or(rest),
    };
    let path = path.strip_prefix("[project]/").unwrap_or(path);
    let path = path.split('?').next().unwrap_or(path);
    let n = normalise_path(path.trim_start_matches('/'));
    Some(if n.is_empty() { source.to_string() } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            local_path("file:///a/b%20c/x.js"),
            Some(PathBuf::from("/a/b c/x.js"))
        );
        assert_eq!(local_path("/a/x.js"), Some(PathBuf::from("/a/x.js")));
        assert_eq!(local_path("https://h/x.js"), None);
        assert_eq!(file_name("https://h/p/app.js?v=3"), "app.js");
        assert_eq!(
            join("file:///w/dist/app.js", "../src/a.ts"),
            "file:///w/src/a.ts"
        );
        assert_eq!(join("/w/dist/app.js", "./a.js.map"), "/w/dist/a.js.map");
        assert_eq!(
            join("https://h/js/app.js", "app.js.map"),
            "https://h/js/app.js.map"
        );
        assert_eq!(join("file:///w/a.js", "webpack://x/y"), "webpack://x/y");
    }

    #[test]
    fn only_regular_files_are_read() {
        assert!(read_bounded(Path::new("/dev/zero"))
            .unwrap_err()
            .contains("not a regular file"));
        assert!(read_bounded(Path::new("/nonexistent/x.map")).is_err());
    }

    #[test]
    fn comments_and_data() {
        assert_eq!(
            comment_url("//# sourceMappingURL=app.js.map "),
            Some("app.js.map")
        );
        assert_eq!(comment_url("/*# sourceMappingURL=a.map */"), Some("a.map"));
        assert_eq!(comment_url("var x = 1;"), None);
        assert_eq!(
            data_url("data:application/json;base64,eyJhIjoxfQ==").as_deref(),
            Ok(&b"{\"a\":1}"[..])
        );
        assert_eq!(
            data_url("data:application/json;charset=utf-8,%7B%22a%22%3A1%7D").as_deref(),
            Ok(&b"{\"a\":1}"[..])
        );
        assert!(data_url("data:application/json;base64,{not base64}")
            .unwrap_err()
            .contains("base64"));
        assert_eq!(
            normalise_debug_id("{85314830-023F-4CF1-A267-535F4E37BB17}"),
            "85314830023f4cf1a267535f4e37bb17"
        );
    }

    #[test]
    fn pseudo_schemes() {
        let n = |s| normalise_pseudo_scheme(s);
        assert_eq!(n("webpack://app/./src/a.ts").as_deref(), Some("src/a.ts"));
        assert_eq!(n("webpack:///./src/a.ts").as_deref(), Some("src/a.ts"));
        assert_eq!(
            n("webpack-internal:///./src/a.ts").as_deref(),
            Some("src/a.ts")
        );
        assert_eq!(
            n("turbopack:///[project]/src/a.ts").as_deref(),
            Some("src/a.ts")
        );
        assert_eq!(n("file:///a.ts"), None);
    }
}
