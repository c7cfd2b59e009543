//! workerd's quirk: its inspector answers some commands (`Profiler.enable`,
//! `setSamplingInterval`, `start`, and a stop without a start) by echoing the
//! request, `{id, method, params}`, instead of `{id, result}`
//! (checked on workerd 1.20261117.1, see CAPTURE.md).

use serde_json::{Map, Value};

/// Whether a message with an `id` is such an echo: it carries the request's
/// `method` and no `result` or `error`. Treated as an empty success.
pub fn is_echo(msg: &Map<String, Value>) -> bool {
    msg.contains_key("method") && !msg.contains_key("result") && !msg.contains_key("error")
}
