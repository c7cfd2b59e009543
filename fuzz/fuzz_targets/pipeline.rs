//! The whole pipeline: the first 3 bytes choose fold options and the picture
//! (weight, idle, runs, merge, lines, transforms, policy, window; inverted,
//! reversed, min width, palette), the rest is the input document. Exports
//! folded text, SVG, table, and with runs the flame chart's folded text and
//! SVG; small SVGs are rasterised too.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    cpuflame_fuzz::pipeline(&data[3..], &data[..3]);
});
