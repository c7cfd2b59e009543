//! One decoded map, checked against its script, and the lookup of a frame
//! through it.

use std::cell::OnceCell;

use rustc_hash::FxHashSet;
use sourcemap::{DecodedMap, SourceMap};

use super::locate;
use super::names;
use super::text::Text;
use crate::model::CallFrame;

/// Why a map is not used for a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// One word for the summary line: `stale`, `mismatch`, `invalid`, `unreadable`.
    pub kind: &'static str,
    /// A sentence saying what is wrong.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `kind` for `reason`.
    pub fn new(kind: &'static str, reason: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            reason: reason.into(),
        }
    }
}

/// A map ready for lookups.
pub struct LoadedMap {
    map: SourceMap,
    /// The generated script, when it could be read: used to find the name
    /// bound to each function.
    script: Option<Text>,
    /// The URL or path the map's relative sources resolve against.
    base: String,
    /// Original texts (`sourcesContent`), indexed on first use.
    texts: Vec<OnceCell<Option<Text>>>,
    /// Names declared in each original text, collected on first use.
    declared: Vec<OnceCell<FxHashSet<String>>>,
}

/// Decode map bytes: plain maps and index maps (`sections`, flattened once).
pub fn decode(bytes: &[u8]) -> Result<SourceMap, Refusal> {
    let decoded = sourcemap::decode_slice(bytes)
        .map_err(|e| Refusal::new("invalid", format!("not a usable source map: {e}")))?;
    match decoded {
        DecodedMap::Regular(sm) => Ok(sm),
        DecodedMap::Index(index) => index.flatten().map_err(|e| {
            Refusal::new(
                "invalid",
                format!("index map with sections that cannot be read: {e}"),
            )
        }),
        DecodedMap::Hermes(h) => Ok((*h).clone()),
    }
}

impl LoadedMap {
    /// Check `map` against its script and keep it for lookups. `named_file`
    /// is the script's file name when the map was found by name rather than
    /// through the script's own `sourceMappingURL` (its `file` field must then agree).
    pub fn new(
        map: SourceMap,
        script: Option<Text>,
        base: String,
        named_file: Option<&str>,
    ) -> Result<LoadedMap, Refusal> {
        if let (Some(expected), Some(file)) = (named_file, map.get_file()) {
            let file = locate::file_name(file);
            if !file.is_empty() && file != expected {
                return Err(Refusal::new(
                    "mismatch",
                    format!("the map is for {file}, not {expected}"),
                ));
            }
        }
        if let Some(text) = &script {
            if let (Some(map_id), Some(script_id)) =
                (map.get_debug_id(), locate::debug_id_comment(&text.text))
            {
                let map_id = locate::normalise_debug_id(&map_id.to_string());
                if map_id != script_id {
                    return Err(Refusal::new(
                        "mismatch",
                        format!("its debugId {map_id} is not the script's {script_id}"),
                    ));
                }
            }
            check_fits(&map, text)?;
        }
        let texts = (0..map.get_source_count())
            .map(|_| OnceCell::new())
            .collect();
        let declared = (0..map.get_source_count())
            .map(|_| OnceCell::new())
            .collect();
        Ok(LoadedMap {
            map,
            script,
            base,
            texts,
            declared,
        })
    }

    /// The original text of source `id`, when the map carries it.
    fn original(&self, id: u32) -> Option<&Text> {
        self.texts
            .get(id as usize)?
            .get_or_init(|| {
                self.map
                    .get_source_contents(id)
                    .map(|s| Text::new(s.to_string()))
            })
            .as_ref()
    }

    /// The original frame for a generated one, or `None` when the map has no
    /// mapping on the frame's line at or before its column.
    pub fn lookup(&self, frame: &CallFrame) -> Option<CallFrame> {
        let line = u32::try_from(frame.line).ok()?;
        let col = u32::try_from(frame.column).ok()?;
        if (line, col) == (0, 0) {
            // V8's frame for the script's top level (a module wrapper): not a
            // function of the original source, whatever the first mapping says.
            return None;
        }
        let token = self.map.lookup_token(line, col)?;
        if token.get_dst_line() != line || !token.has_source() {
            return None;
        }
        let source = token.get_source()?;
        let (src_line, src_col) = (token.get_src_line(), token.get_src_col());
        let name = self.name(frame, line, col, &token);
        let mut out = CallFrame::new(&name, &self.source_url(source), 0, 0);
        out.line = i64::from(src_line);
        out.column = i64::from(src_col);
        Some(out)
    }

    /// The original name, by the rule in the README ("Source maps"):
    /// 1. the name bound exactly to the function in the generated code (the
    ///    map's `names` entry of the binding token, or with no names, the
    ///    identifier at that token's original position);
    /// 2. the runtime name, when it is not minified (declared in the original source);
    /// 3. the nearest enclosing named function in `sourcesContent`, as
    ///    `(anonymous in NAME)`;
    /// 4. the runtime name as recorded.
    fn name(&self, frame: &CallFrame, line: u32, col: u32, token: &sourcemap::Token<'_>) -> String {
        let src_id = token.get_src_id();
        let original = self.original(src_id);
        let (src_line, src_col) = (token.get_src_line(), token.get_src_col());
        if let Some(n) = self.bound_name(frame, line, col) {
            return n;
        }
        let runtime = frame.name.as_str();
        let minified = match original {
            Some(o) => match self.declared.get(src_id as usize) {
                Some(cell) => !cell
                    .get_or_init(|| names::declared_names(&o.text))
                    .contains(runtime),
                None => true,
            },
            None => runtime.chars().count() <= 2,
        };
        if !runtime.is_empty() && !minified {
            return runtime.to_string();
        }
        if let Some(o) = original {
            if let Some(at) = o.offset(src_line, src_col) {
                if let Some(outer) = names::enclosing_function(&o.text, at) {
                    return format!("(anonymous in {outer})");
                }
            }
        }
        runtime.to_string()
    }

    /// Step 1 of the name rule.
    fn bound_name(&self, frame: &CallFrame, line: u32, col: u32) -> Option<String> {
        let (bl, bc) = match &self.script {
            Some(text) => {
                let at = text.offset(line, col)?;
                let (a, _) = names::binding_before(&text.text, at)?;
                text.position(a)
            }
            // No generated text (a live capture, a trace): V8's name is the
            // binding, which ends where the parameters start (`function NAME(`,
            // `NAME(){`) or one `=`/`:` before (`NAME=(a)=>`, `NAME=a=>`): a
            // named token starting exactly there.
            None => {
                let name = frame.name.rsplit('.').next().unwrap_or("");
                let len = name.encode_utf16().count() as u32;
                if len == 0 {
                    return None;
                }
                let at = [len, len + 1].into_iter().find_map(|back| {
                    let c = col.checked_sub(back)?;
                    let t = self.map.lookup_token(line, c)?;
                    (t.get_dst() == (line, c) && t.get_name().is_some_and(|n| !n.is_empty()))
                        .then_some((line, c))
                })?;
                at
            }
        };
        let token = self.map.lookup_token(bl, bc)?;
        if token.get_dst() != (bl, bc) {
            return None;
        }
        if let Some(n) = token.get_name().filter(|n| !n.is_empty()) {
            return Some(n.to_string());
        }
        // Maps without names (tsc): the identifier at the binding's original position.
        if !token.has_source() {
            return None;
        }
        let original = self.original(token.get_src_id())?;
        let at = original.offset(token.get_src_line(), token.get_src_col())?;
        names::ident_at(&original.text, at).map(str::to_string)
    }

    /// A source as a URL or path a person recognises.
    fn source_url(&self, source: &str) -> String {
        if let Some(path) = locate::normalise_pseudo_scheme(source) {
            return path;
        }
        if locate::has_scheme(source) || source.starts_with('/') {
            return source.to_string();
        }
        locate::join(&self.base, source)
    }
}

/// Before decoding: the generated line of a plain map's last mapping, read
/// from its raw `mappings` string (a count of `;`), refused when past the
/// script's end. A stale map of 100 MB is thus refused without being
/// decoded. `None` when the string cannot be found simply (index maps): the
/// full check after decoding still applies.
pub fn quick_stale(bytes: &[u8], script: &Text) -> Option<Refusal> {
    let text = std::str::from_utf8(bytes).ok()?;
    let key = "\"mappings\"";
    let mut from = 0;
    let start = loop {
        let at = from + text[from..].find(key)?;
        from = at + key.len();
        if text[..at].ends_with('\\') {
            continue; // inside a string (`sourcesContent`)
        }
        let rest = text[from..].trim_start();
        let Some(value) = rest.strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        if !value.starts_with('"') {
            return None;
        }
        break text.len() - value.len() + 1;
    };
    // In an index map, the first `mappings` is a section's, after the `sections` key.
    if text[..start].contains("\"sections\"") {
        return None;
    }
    let mappings = &text[start..start + text[start..].find('"')?];
    let used = mappings.trim_end_matches([';', ',']);
    if used.is_empty() {
        return None;
    }
    let last = count_semicolons(used.as_bytes());
    (last >= script.line_count()).then(|| {
        Refusal::new(
            "stale",
            format!(
                "its mappings reach line {} but the script has {} lines",
                last + 1,
                script.line_count()
            ),
        )
    })
}

/// The number of `;` in `bytes`, eight bytes at a time (a 100 MB `mappings`
/// string is counted quickly even in a debug build).
fn count_semicolons(bytes: &[u8]) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const SEMI: u64 = 0x3b3b_3b3b_3b3b_3b3b;
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder().iter().filter(|&&b| b == b';').count();
    let mut n = 0usize;
    for c in chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_ne_bytes(w) ^ SEMI;
        // High bit set exactly in the bytes of x that are zero (bytes equal to `;`).
        let zero = !((((x & LOW7) + LOW7) | x) | LOW7);
        n += zero.count_ones() as usize;
    }
    n + tail
}

/// Refuse a map whose mappings reach past the end of the script: it was
/// made for another build.
fn check_fits(map: &SourceMap, script: &Text) -> Result<(), Refusal> {
    let lens: Vec<u32> = (0..script.line_count())
        .map(|i| script.line_len_utf16(i).unwrap_or(0) as u32)
        .collect();
    for t in map.tokens() {
        let (line, col) = t.get_dst();
        match lens.get(line as usize) {
            None => {
                return Err(Refusal::new(
                    "stale",
                    format!(
                        "its mappings reach line {} but the script has {} lines",
                        line as u64 + 1,
                        lens.len()
                    ),
                ))
            }
            Some(&len) if col > len => {
                return Err(Refusal::new(
                    "stale",
                    format!(
                        "its mappings reach column {} of line {}, which has {len} columns",
                        col as u64 + 1,
                        line as u64 + 1
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_of(json: &str) -> LoadedMap {
        let map = decode(json.as_bytes()).expect("decodes");
        LoadedMap::new(map, None, "file:///w/dist/app.js".into(), None).expect("loads")
    }

    #[test]
    fn top_level_stays_and_sources_resolve() {
        // `function s(e){` from `export function sumSquares(ms) {` in ../src/work.js.
        let m = map_of(
            r#"{"version":3,"sources":["../src/work.js","webpack://app/./src/x.ts"],
                "names":["sumSquares"],"mappings":"AAAA,SAASA,CAAU;ACAzB","sourcesContent":["export function sumSquares(ms) {}",null]}"#,
        );
        assert_eq!(
            m.lookup(&CallFrame::new("", "file:///w/dist/app.js", 0, 0)),
            None
        );
        let f = m
            .lookup(&CallFrame::new("s", "file:///w/dist/app.js", 0, 10))
            .expect("maps");
        assert_eq!(f.name, "sumSquares");
        assert_eq!(f.url, "file:///w/src/work.js");
        assert_eq!((f.line, f.column), (0, 19));
        let g = m
            .lookup(&CallFrame::new("longName", "file:///w/dist/app.js", 1, 4))
            .expect("maps");
        assert_eq!(g.url, "src/x.ts");
        assert_eq!(
            g.name, "longName",
            "runtime name kept: no sourcesContent, not short"
        );
        assert_eq!(
            m.lookup(&CallFrame::new("", "file:///w/dist/app.js", 5, 1)),
            None
        );
    }

    #[test]
    fn stale_and_mismatched_maps_are_refused() {
        let map = || {
            decode(br#"{"version":3,"file":"app.js","sources":["a.js"],"names":[],"mappings":";;AAAA"}"#).expect("decodes")
        };
        let two_lines = || Some(Text::new("a\nb".into()));
        let r = LoadedMap::new(map(), two_lines(), String::new(), None)
            .err()
            .expect("refused");
        assert_eq!(r.kind, "stale");
        assert!(r.reason.contains("line 3"), "{}", r.reason);
        let three = Some(Text::new("a\nb\nc".into()));
        assert!(LoadedMap::new(map(), three, String::new(), Some("app.js")).is_ok());
        let r = LoadedMap::new(map(), None, String::new(), Some("vendor.js"))
            .err()
            .expect("refused");
        assert_eq!(r.kind, "mismatch");
        let with_id = decode(br#"{"version":3,"debugId":"85314830-023f-4cf1-a267-535f4e37bb17","sources":["a.js"],"names":[],"mappings":"AAAA"}"#).expect("decodes");
        let script = Some(Text::new(
            "x\n//# debugId=00000000-023f-4cf1-a267-535f4e37bb17\n".into(),
        ));
        let r = LoadedMap::new(with_id, script, String::new(), None)
            .err()
            .expect("refused");
        assert_eq!(r.kind, "mismatch");
        assert!(decode(b"{\"version\":3,\"mappings\":\"A\"").is_err());
    }

    #[test]
    fn stale_maps_are_refused_before_decoding() {
        let three = Text::new("a\nb\nc".into());
        let decoy =
            br#"{"sourcesContent":["x = {\"mappings\": \";;;;;;AAAA\"}"],"mappings" : ";;AAAA;;"}"#;
        assert_eq!(quick_stale(decoy, &three), None, "line 3 of 3 fits");
        let stale = br#"{"mappings":";;;AAAA"}"#;
        let r = quick_stale(stale, &three).expect("refused");
        assert!(
            r.reason.contains("line 4 but the script has 3"),
            "{}",
            r.reason
        );
        assert_eq!(
            quick_stale(br#"{"sections":[],"mappings":";;;;A"}"#, &three),
            None
        );
        assert_eq!(quick_stale(b"not json", &three), None);
        let text = "a;;b;c;;;;;;;;;;x;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;";
        assert_eq!(count_semicolons(text.as_bytes()), text.matches(';').count());
    }
}
