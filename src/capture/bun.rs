//! Bun: its inspector speaks WebKit's protocol, not CDP (`'Profiler' domain
//! was not found`), and its `ScriptProfiler` samples were too sparse and
//! shallow to draw (34 samples of depth 1 in 3 s, CAPTURE.md). So `attach`
//! refuses Bun with a pointer to `record`, which runs `bun --cpu-prof`.

use crate::error::Error;

/// What to tell a user who attached to Bun.
pub const REFUSAL: &str = "this is Bun, whose inspector speaks WebKit's protocol, not the Chrome DevTools Protocol: cpuflame cannot profile it live; run it under `cpuflame record -- bun ...` (which uses bun --cpu-prof) instead";

/// Turn a refused `Profiler.enable` into Bun's explanation when it is Bun's refusal.
pub fn explain(e: Error) -> Error {
    match e {
        Error::Profile { input, message } if message.contains("domain was not found") => {
            Error::Profile {
                input,
                message: REFUSAL.to_string(),
            }
        }
        other => other,
    }
}
