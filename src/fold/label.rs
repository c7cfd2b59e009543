//! Frame labels (`fib (src/work.js:12:5)`) and their categories.
//!
//! The label is what a person reads in the picture and what the folded
//! format carries, so it is also what frames merge by: two nodes whose
//! labels are equal are the same frame.
//!
//! Rules (documented in the README):
//! - name: the function name, `(anonymous)` when V8 recorded an empty one;
//! - location: ` (URL:LINE:COL)` with line and column 1-based, left out for
//!   frames with no URL (V8 builtins, natives) and for the synthetic frames;
//! - `file://` URLs (and bare absolute paths) are shown relative to the
//!   deepest directory holding every script of the run, so
//!   `file:///home/me/app/src/work.js` becomes `src/work.js`;
//! - `;` would split the frame in the folded format, so it becomes `:`;
//!   newlines, tabs and other control characters become spaces.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

use crate::model::{CallFrame, FrameKind, Profile};

/// What kind of code a frame is: decides its colour family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// The application's own scripts.
    App,
    /// Code under `node_modules`.
    Dependency,
    /// The runtime's JavaScript: `node:`, `internal/`, `ext:` (Deno), `bun:`.
    Runtime,
    /// Builtins and natives: frames with no script URL.
    Native,
    /// `(program)`.
    Program,
    /// `(idle)`.
    Idle,
    /// `(garbage collector)`.
    Gc,
    /// The root frame naming a source (thread or file) when several are drawn.
    Source,
}

impl Category {
    /// Every category, in legend order.
    pub const ALL: [Category; 8] = [
        Category::App,
        Category::Dependency,
        Category::Runtime,
        Category::Native,
        Category::Gc,
        Category::Program,
        Category::Idle,
        Category::Source,
    ];

    /// A short name for legends and tables.
    pub fn name(self) -> &'static str {
        match self {
            Category::App => "application",
            Category::Dependency => "node_modules",
            Category::Runtime => "runtime",
            Category::Native => "native / builtin",
            Category::Program => "(program)",
            Category::Idle => "(idle)",
            Category::Gc => "(garbage collector)",
            Category::Source => "thread / file",
        }
    }

    /// The category of a call frame.
    pub fn of_frame(frame: &CallFrame) -> Category {
        match frame.kind {
            FrameKind::Program => return Category::Program,
            FrameKind::Idle => return Category::Idle,
            FrameKind::Gc => return Category::Gc,
            FrameKind::Root | FrameKind::Function => {}
        }
        let url = frame.url.as_str();
        if url.is_empty() {
            Category::Native
        } else if url.contains("/node_modules/") || url.starts_with("node_modules/") {
            Category::Dependency
        } else if is_runtime_url(url) {
            Category::Runtime
        } else {
            Category::App
        }
    }
}

fn is_runtime_url(url: &str) -> bool {
    const PREFIXES: [&str; 12] = [
        "node:",
        "node-internal:",
        "cloudflare:",
        "workerd:",
        "internal/",
        "ext:",
        "deno:",
        "bun:",
        "native ",
        "v8/",
        "chrome-extension:",
        "extensions::",
    ];
    PREFIXES.iter().any(|p| url.starts_with(p))
}

/// The package a `node_modules` URL belongs to: `lodash`, `@scope/pkg`.
pub fn package_of(url: &str) -> Option<&str> {
    let pos = url.rfind("node_modules/")?;
    let rest = &url[pos + "node_modules/".len()..];
    let mut parts = rest.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        Some(&rest[..first.len() + 1 + second.len()])
    } else if first.is_empty() {
        None
    } else {
        Some(first)
    }
}

/// Interned labels with their categories, shared by every source of a run.
#[derive(Debug, Default, Clone)]
pub struct LabelTable {
    names: Vec<String>,
    categories: Vec<Category>,
    index: FxHashMap<String, u32>,
}

impl LabelTable {
    /// Intern a label.
    pub fn intern(&mut self, name: &str, category: Category) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.categories.push(category);
        self.index.insert(name.to_string(), i);
        i
    }

    /// The text of label `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// The category of label `id`.
    pub fn category(&self, id: u32) -> Category {
        self.categories[id as usize]
    }

    /// Number of distinct labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All labels with their categories.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Category)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.categories.iter().copied())
    }
}

/// Shortens script URLs relative to the directory common to all of a run's scripts.
#[derive(Debug, Default, Clone)]
pub struct UrlShortener {
    /// The common directory, ending in `/`, if any script is a local file.
    common_dir: Option<String>,
    /// The common `http(s)://host/dir/` of web scripts from a single origin.
    web_dir: Option<String>,
}

/// The local path of a `file://` URL or absolute path, percent-decoded.
fn local_path(url: &str) -> Option<Cow<'_, str>> {
    let path = if let Some(p) = url.strip_prefix("file://") {
        p
    } else if url.starts_with('/') {
        url
    } else {
        return None;
    };
    if path.contains('%') {
        Some(Cow::Owned(percent_decode(path)))
    } else {
        Some(Cow::Borrowed(path))
    }
}

/// Decode `%XX` escapes; invalid escapes are kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The longest common prefix of `a` and `b` ending at a `/`.
fn common_dir_prefix(a: &str, b: &str) -> usize {
    let mut end = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            break;
        }
        if x == '/' {
            end = i + 1;
        }
    }
    end
}

fn fold_common(common: &mut Option<String>, dir: &str) {
    *common = Some(match common.take() {
        None => dir.to_string(),
        Some(c) => {
            let end = common_dir_prefix(&c, dir);
            c[..end].to_string()
        }
    });
}

fn is_web(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

impl UrlShortener {
    /// Find the common directory of every local script in `profiles`, and of
    /// every web script (`http(s)://…`) when they all come from one origin.
    pub fn new(profiles: &[Profile]) -> UrlShortener {
        UrlShortener::of(profiles.iter())
    }

    /// The same over profiles from several runs (a `--diff` and its base),
    /// so that both name every script alike.
    pub fn of<'p>(profiles: impl Iterator<Item = &'p Profile>) -> UrlShortener {
        let mut common: Option<String> = None;
        let mut web: Option<String> = None;
        for p in profiles {
            for f in &p.frames {
                if is_web(&f.url) {
                    if let Some(i) = f.url.rfind('/') {
                        fold_common(&mut web, &f.url[..=i]);
                    }
                    continue;
                }
                let Some(path) = local_path(&f.url) else {
                    continue;
                };
                if let Some(i) = path.rfind('/') {
                    fold_common(&mut common, &path[..=i]);
                }
            }
        }
        // Never shorten into a package: `node_modules/pkg/…` stays visible
        // (it is what --fold-packages, the colours and regexes key on).
        let keep_packages = |mut c: String| {
            if let Some(i) = c.find("/node_modules/") {
                c.truncate(i + 1);
            } else if c.starts_with("node_modules/") {
                c.clear();
            }
            c
        };
        let common = common.map(keep_packages);
        let web = web.map(keep_packages);
        UrlShortener {
            common_dir: common.filter(|c| c.len() > 1),
            // At least `scheme://host/`: never strip part of an origin.
            web_dir: web.filter(|w| w.matches('/').count() >= 3),
        }
    }

    /// The common directory, if any (for the README rule and subtitles).
    pub fn common_dir(&self) -> Option<&str> {
        self.common_dir.as_deref()
    }

    /// The URL as shown in labels.
    pub fn shorten<'u>(&self, url: &'u str) -> Cow<'u, str> {
        if is_web(url) {
            if let Some(rest) = self.web_dir.as_deref().and_then(|w| url.strip_prefix(w)) {
                if !rest.is_empty() {
                    return Cow::Borrowed(rest);
                }
            }
            return Cow::Borrowed(url);
        }
        if let Some(path) = local_path(url) {
            if let Some(dir) = &self.common_dir {
                if let Some(rest) = path.strip_prefix(dir.as_str()) {
                    return Cow::Owned(rest.to_string());
                }
            }
            return path;
        }
        Cow::Borrowed(url)
    }
}

/// Make text safe for the folded format: no `;`, no line breaks or control characters.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| c != ';' && !c.is_control()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                ';' => ':',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect(),
    )
}

/// The label of a call frame, as the folded format and the pictures show it.
pub fn frame_label(frame: &CallFrame, urls: &UrlShortener) -> String {
    let name = if frame.name.is_empty() {
        "(anonymous)"
    } else {
        frame.name.as_str()
    };
    let mut label = sanitize(name).into_owned();
    if frame.kind.is_synthetic() || frame.url.is_empty() {
        return label;
    }
    label.push_str(" (");
    label.push_str(&sanitize(&urls.shorten(&frame.url)));
    if frame.line >= 0 {
        label.push_str(&format!(":{}", frame.line + 1));
        if frame.column >= 0 {
            label.push_str(&format!(":{}", frame.column + 1));
        }
    }
    label.push(')');
    label
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceInfo;

    fn profile_with(urls: &[&str]) -> Profile {
        let mut p = Profile::new(SourceInfo::default());
        for u in urls {
            p.frames.push(CallFrame::new("f", u, 0, 0));
        }
        p
    }

    #[test]
    fn labels_are_one_based_and_relative() {
        let p = profile_with(&[
            "file:///home/me/app/src/work.js",
            "file:///home/me/app/node_modules/lodash/lodash.js",
        ]);
        let s = UrlShortener::new(&[p]);
        assert_eq!(s.common_dir(), Some("/home/me/app/"));
        let f = CallFrame::new("fib", "file:///home/me/app/src/work.js", 11, 4);
        assert_eq!(frame_label(&f, &s), "fib (src/work.js:12:5)");
        let anon = CallFrame::new("", "node:internal/main", 0, -1);
        assert_eq!(frame_label(&anon, &s), "(anonymous) (node:internal/main:1)");
        let native = CallFrame::new("JSON.parse", "", -1, -1);
        assert_eq!(frame_label(&native, &s), "JSON.parse");
        let gc = CallFrame::new("(garbage collector)", "", -1, -1);
        assert_eq!(frame_label(&gc, &s), "(garbage collector)");
    }

    #[test]
    fn paths_are_never_shortened_into_a_package() {
        let s = UrlShortener::new(&[profile_with(&[
            "file:///app/node_modules/sass/sass.dart.js",
            "file:///app/node_modules/sass/lib/x.js",
        ])]);
        assert_eq!(
            s.shorten("file:///app/node_modules/sass/sass.dart.js"),
            "node_modules/sass/sass.dart.js"
        );
    }

    #[test]
    fn single_script_shows_its_file_name() {
        let s = UrlShortener::new(&[profile_with(&["file:///tmp/x/a%20b.js"])]);
        assert_eq!(s.shorten("file:///tmp/x/a%20b.js"), "a b.js");
    }

    #[test]
    fn web_scripts_of_one_origin_are_shortened() {
        let s = UrlShortener::new(&[profile_with(&[
            "http://127.0.0.1:8080/static/app.js",
            "http://127.0.0.1:8080/static/vendor/x.js",
        ])]);
        assert_eq!(s.shorten("http://127.0.0.1:8080/static/app.js"), "app.js");
        assert_eq!(
            s.shorten("http://127.0.0.1:8080/static/vendor/x.js"),
            "vendor/x.js"
        );
        let two = UrlShortener::new(&[profile_with(&["https://a.com/x.js", "https://b.com/y.js"])]);
        assert_eq!(two.shorten("https://a.com/x.js"), "https://a.com/x.js");
    }

    #[test]
    fn separators_are_replaced() {
        let f = CallFrame::new("parse;fast\nnow", "", -1, -1);
        assert_eq!(frame_label(&f, &UrlShortener::default()), "parse:fast now");
    }

    #[test]
    fn categories() {
        let c = |u: &str| Category::of_frame(&CallFrame::new("f", u, 0, 0));
        assert_eq!(c("file:///a/node_modules/@x/y/i.js"), Category::Dependency);
        assert_eq!(c("node:internal/timers"), Category::Runtime);
        assert_eq!(c("ext:core/01_core.js"), Category::Runtime);
        assert_eq!(c("node-internal:internal_buffer"), Category::Runtime);
        assert_eq!(c(""), Category::Native);
        assert_eq!(c("file:///a/b.js"), Category::App);
        assert_eq!(package_of("/a/node_modules/@x/y/i.js"), Some("@x/y"));
        assert_eq!(package_of("/a/node_modules/lodash/fp/a.js"), Some("lodash"));
    }
}
