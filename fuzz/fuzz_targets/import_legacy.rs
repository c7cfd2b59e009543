//! Legacy `head` tree profiles: the bytes as a document; bytes that are not
//! an object are also tried as the `head` of one.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(p) = cpuflame_fuzz::import(data, "fuzz.cpuprofile") {
        cpuflame_fuzz::fold_text(&p, 0);
    }
    if !data.starts_with(b"{\"") || data.starts_with(b"{\"functionName\"") {
        let mut doc = b"{\"startTime\":1,\"endTime\":2,\"head\":".to_vec();
        doc.extend_from_slice(data);
        doc.push(b'}');
        if let Some(p) = cpuflame_fuzz::import(&doc, "fuzz.cpuprofile") {
            cpuflame_fuzz::fold_text(&p, 1);
        }
    }
});
