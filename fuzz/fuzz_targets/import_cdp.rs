//! CDP `.cpuprofile`: the bytes as a document, and also wrapped as a
//! `Profiler.stop` response `{"profile": ...}`; anything imported is folded.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(p) = cpuflame_fuzz::import(data, "fuzz.cpuprofile") {
        cpuflame_fuzz::fold_text(&p, 0);
    }
    if data.first() == Some(&b'{') && data.len() & 1 == 1 {
        let mut wrapped = b"{\"profile\":".to_vec();
        wrapped.extend_from_slice(data);
        wrapped.push(b'}');
        cpuflame_fuzz::import(&wrapped, "fuzz.json");
    }
});
