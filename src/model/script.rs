//! Scripts a runtime loaded, as its debugger reported them: what source maps
//! need to map frames of code that exists only in a live process.

/// One script seen by the runtime (CDP `Debugger.scriptParsed`), or read back
/// from the `.scripts.json` sidecar that `--save` writes beside a capture.
///
/// The sidecar of `NAME.cpuprofile` is `NAME.scripts.json`:
/// `{"scripts":[{"scriptId":"12","url":"file:///app/dist/main.js",
/// "sourceMapURL":"main.js.map","hash":"…"}]}` (`sourceMapURL` and `hash`
/// may be absent or empty; `sourceMapURL` may be an inline `data:` URL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptInfo {
    /// The runtime's id for the script (matches `callFrame.scriptId`).
    pub script_id: String,
    /// The script's URL, as profile frames name it.
    pub url: String,
    /// Its `sourceMapURL` as the debugger reported it, relative to `url` or a
    /// `data:` URL; `None` when the script has none.
    pub source_map_url: Option<String>,
    /// The runtime's content hash of the script, when reported.
    pub hash: Option<String>,
}
