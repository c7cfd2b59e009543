//! Chrome trace events: the bytes as a document; bytes that are not a JSON
//! document by themselves are also tried as the body of an event array
//! `[...]` and of `{"traceEvents": [...]}`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(p) = cpuflame_fuzz::import(data, "fuzz.json") {
        cpuflame_fuzz::fold_text(&p, 4);
    }
    let first = data.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'[') && !(first == Some(&b'{') && data.starts_with(b"{\"traceEvents\"")) {
        let mut array = Vec::with_capacity(data.len() + 20);
        array.push(b'[');
        array.extend_from_slice(data);
        if data.len() & 1 == 0 {
            // Truncated traces have no closing bracket: try both.
            array.push(b']');
        }
        if let Some(p) = cpuflame_fuzz::import(&array, "fuzz.json") {
            cpuflame_fuzz::fold_text(&p, 4);
        }
        let mut object = b"{\"traceEvents\":[".to_vec();
        object.extend_from_slice(data);
        object.extend_from_slice(b"]}");
        cpuflame_fuzz::import(&object, "fuzz.json");
    }
});
