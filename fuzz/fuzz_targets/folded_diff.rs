//! `--diff`: the first 3 bytes choose fold options and the picture; the rest
//! is `INPUT \0BASE\0 BASE` (two documents), or a single document compared
//! with itself. Both are folded with the same options and compared in folded
//! and SVG form.
#![no_main]
use cpuflame::export::{diff, Format};
use cpuflame::model::Warnings;
use libfuzzer_sys::fuzz_target;

const SEP: &[u8] = b"\0BASE\0";

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (o, rest) = data.split_at(3);
    let (input, base) = match rest.windows(SEP.len()).position(|w| w == SEP) {
        Some(i) => (&rest[..i], Some(&rest[i + SEP.len()..])),
        None => (rest, None),
    };
    let Some(pi) = cpuflame_fuzz::import(input, "input.cpuprofile") else {
        return;
    };
    let pb = match base {
        Some(b) => match cpuflame_fuzz::import(b, "base.cpuprofile") {
            Some(p) => p,
            None => return,
        },
        None => pi.clone(),
    };
    let opts = cpuflame_fuzz::fold_options(o[0], o[1]);
    let mut w = Warnings::new();
    let fi = cpuflame::fold::fold(&pi, &opts, &mut w);
    let fb = cpuflame::fold::fold(&pb, &opts, &mut w);
    let scale = diff::base_scale(&fi, &fb);
    assert!(scale.is_finite() && scale > 0.0, "base scale {scale}");
    let lines = diff::diff_lines(&fi, &fb);
    if base.is_none() {
        // A profile against itself: every stack weighs the same on both sides.
        for l in &lines {
            let mut p = l.rsplitn(3, ' ');
            let (b, a) = (p.next().unwrap(), p.next().unwrap());
            assert_eq!(a, b, "self-diff differs: {l:?}");
        }
    }
    let picture = cpuflame_fuzz::picture(o[2], false);
    let text = diff::export(&fi, &fb, "base", Format::Folded, &picture).expect("diff folded");
    cpuflame_fuzz::check_folded_text(&text, 2);
    match diff::export(&fi, &fb, "base", Format::Svg, &picture) {
        Ok(svg) => cpuflame_fuzz::check_svg(&svg, &picture),
        Err(e) => assert!(e.to_string().contains("more than 2^64"), "diff SVG: {e}"),
    }
    assert!(diff::export(&fi, &fb, "base", Format::Table, &picture).is_err());
});
