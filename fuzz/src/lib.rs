//! Helpers shared by the fuzz targets: import, fold with options chosen by
//! the input, export, and the checks every output must pass.

use cpuflame::export::{self, folded, png, Format, Picture};
use cpuflame::fold::{self, FoldOptions, Folded, Gaps, Policy, Transforms, Weight, Window};
use cpuflame::import::{self, ImportContext};
use cpuflame::model::{Profile, SourceInfo, Warnings};

/// SVGs at most this long are also rasterised (PNG is slow: it took a
/// sixth of the time of the structured targets). An empty flame graph is
/// about 19 KB, so these are pictures of a few dozen frames.
pub const PNG_MAX_SVG: usize = 24 * 1024;

/// Import `bytes` as `import_bytes` does for a file named `name`. An error is
/// fine (its message must format); every imported profile must be valid.
pub fn import(bytes: &[u8], name: &str) -> Option<Vec<Profile>> {
    let mut ctx = ImportContext {
        input: name.to_string(),
        warnings: Warnings::new(),
    };
    let source = SourceInfo {
        name: name.to_string(),
        file: name.to_string(),
        ..SourceInfo::default()
    };
    match import::import_bytes(bytes, source, &mut ctx) {
        Ok(profiles) => {
            for p in &profiles {
                if let Err(e) = p.validate() {
                    panic!("invalid profile from {name}: {e}");
                }
            }
            Some(profiles)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

/// Fold options chosen by two bytes.
pub fn fold_options(a: u8, b: u8) -> FoldOptions {
    const RES: [&str; 8] = [
        "a",
        "^f",
        "node_modules",
        "\\(idle\\)",
        "js",
        "x|y",
        "^$",
        ".",
    ];
    let re = |i: u8| regex::Regex::new(RES[(i & 7) as usize]).ok();
    let mut t = Transforms {
        fold_packages: a & 0x20 != 0,
        collapse_recursion: a & 0x40 != 0,
        ..Transforms::default()
    };
    if a & 0x80 != 0 {
        match b & 3 {
            0 => t.include = re(b >> 2),
            1 => t.exclude = re(b >> 2),
            2 => t.focus = re(b >> 2),
            _ => t.hide = re(b >> 2),
        }
    }
    let window = match b >> 5 {
        1 => Some(Window {
            from: 0.0,
            to: Some(1000.0),
        }),
        2 => Some(Window {
            from: 500.0,
            to: None,
        }),
        3 => Some(Window {
            from: 1e6,
            to: Some(1e12),
        }),
        _ => None,
    };
    FoldOptions {
        weight: if a & 1 != 0 {
            Weight::Samples
        } else {
            Weight::Time
        },
        keep_idle: a & 2 != 0,
        runs: a & 4 != 0,
        merge: a & 8 != 0,
        lines: a & 0x10 != 0,
        transforms: t,
        policy: Policy {
            window,
            no_program: b & 0x04 != 0 && a & 0x80 == 0,
            no_gc: b & 0x08 != 0 && a & 0x80 == 0,
            gc_on_stack: b & 0x10 == 0,
            gaps: if b & 0x80 != 0 {
                Gaps::Idle
            } else {
                Gaps::Keep
            },
        },
    }
}

/// A picture chosen by one byte.
pub fn picture(c: u8, chart: bool) -> Picture {
    Picture {
        chart,
        inverted: c & 1 != 0,
        reverse: c & 2 != 0,
        min_width: [0.0, 0.1, 1.0, 50.0][((c >> 2) & 3) as usize],
        width: if c & 0x10 != 0 { Some(300) } else { None },
        palette: if c & 0x20 != 0 {
            export::palette::Palette::Colorblind
        } else {
            export::palette::Palette::Default
        },
        fonts: png::FontSource::NoFonts,
        subtitle: Some("fuzz".into()),
        ..Picture::default()
    }
}

/// Folded text lines are `stack weight` with a positive integer weight.
pub fn check_folded_text(text: &[u8], fields: usize) {
    let text = std::str::from_utf8(text).expect("folded output is UTF-8");
    for line in text.lines() {
        let mut parts = line.rsplitn(fields + 1, ' ');
        for _ in 0..fields {
            let n = parts.next().unwrap_or("");
            assert!(
                n.parse::<u64>().is_ok(),
                "bad weight {n:?} in line {line:?}"
            );
        }
        assert!(parts.next().is_some(), "no stack in line {line:?}");
    }
}

/// An SVG must be UTF-8 text starting with the XML declaration or `<svg`; a
/// small one drawn 300 px wide in the colour-blind palette (a quarter of
/// the options) must also be readable by usvg and rasterise.
pub fn check_svg(svg: &[u8], picture: &Picture) {
    let text = std::str::from_utf8(svg).expect("SVG is UTF-8");
    let start = text.trim_start();
    assert!(
        start.starts_with("<?xml") || start.starts_with("<svg"),
        "not an SVG: {:?}",
        &start[..start.len().min(80)]
    );
    let rasterise = picture.width == Some(300)
        && picture.palette == export::palette::Palette::Colorblind;
    if rasterise && svg.len() <= PNG_MAX_SVG {
        // A tenth of the size: usvg still reads every element, and drawing
        // and compressing the pixels (the slow part) costs little.
        let mut png = Vec::new();
        if let Err(e) = png::write_png(svg, 0.1, picture.fonts, &mut png) {
            let m = e.to_string();
            assert!(m.contains("too large"), "PNG of a small SVG failed: {m}");
        }
    }
}

/// Fold and run every exporter, checking each output.
pub fn fold_and_export(profiles: &[Profile], a: u8, b: u8, c: u8) -> Folded {
    let opts = fold_options(a, b);
    let mut warnings = Warnings::new();
    let folded = fold::fold(profiles, &opts, &mut warnings);
    for w in warnings.iter() {
        assert!(!w.is_empty());
    }
    let total = folded.total();
    assert!(!total.is_nan(), "total weight is NaN");

    let _ = export::titles::subtitle(&folded, opts.runs, opts.keep_idle);
    let _ = export::titles::with_policy(String::new(), &folded);

    let graph = picture(c, false);
    let text = export::export(&folded, Format::Folded, &graph).expect("folded export");
    check_folded_text(&text, 1);
    // The one error a picture may give: weights adding up past 2^64.
    let too_heavy = |e: &cpuflame::error::Error| e.to_string().contains("more than 2^64");
    match export::export(&folded, Format::Svg, &graph) {
        Ok(svg) => check_svg(&svg, &graph),
        Err(e) => assert!(too_heavy(&e), "SVG export: {e}"),
    }
    let _ = export::export(&folded, Format::Table, &graph).expect("table export");

    if opts.runs {
        let chart = picture(c, true);
        for l in folded::chart_lines(&folded) {
            check_folded_text(l.as_bytes(), 1);
        }
        let text = export::export(&folded, Format::Folded, &chart).expect("chart folded");
        check_folded_text(&text, 1);
        match export::export(&folded, Format::Svg, &chart) {
            Ok(svg) => check_svg(&svg, &chart),
            Err(e) => assert!(too_heavy(&e), "chart SVG export: {e}"),
        }
    }
    folded
}

/// Fold with options from `a` and check the folded text (the import targets'
/// cheap follow-up; `pipeline` exports everything).
pub fn fold_text(profiles: &[Profile], a: u8) {
    let mut warnings = Warnings::new();
    let folded = fold::fold(profiles, &fold_options(a, 0), &mut warnings);
    let mut text = Vec::new();
    folded::write_graph(&folded, &mut text).expect("writes to memory");
    check_folded_text(&text, 1);
    if a & 4 != 0 {
        for l in folded::chart_lines(&folded) {
            check_folded_text(l.as_bytes(), 1);
        }
    }
}

/// The cheap pipeline for huge structures (chains tens of thousands of
/// frames deep): import, fold and folded text, no pictures. Drawing such a
/// chain costs milliseconds an execution and finds nothing the import and
/// the fold do not; the shallow chains go through [`pipeline`].
pub fn import_and_fold(bytes: &[u8], a: u8) {
    if let Some(profiles) = import(bytes, "fuzz.cpuprofile") {
        fold_text(&profiles, a);
    }
}

/// Import as a file does: gzip-compressed (streamed CDP parse) or plain,
/// through `import_path`; the same checks as [`import`].
pub fn import_file(bytes: &[u8], gzip: bool) -> Option<Vec<Profile>> {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new().expect("temporary file");
    if gzip {
        let mut gz = flate2::write::GzEncoder::new(&mut file, flate2::Compression::fast());
        gz.write_all(bytes).expect("writes");
        gz.finish().expect("writes");
    } else {
        file.write_all(bytes).expect("writes");
    }
    let mut warnings = Warnings::new();
    match import::import_path(file.path(), &mut warnings) {
        Ok(profiles) => {
            for p in &profiles {
                if let Err(e) = p.validate() {
                    panic!("invalid profile from a file (gzip: {gzip}): {e}");
                }
            }
            Some(profiles)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

/// Import, then fold and export with options from `opts` (3 bytes,
/// zero-padded); with the top bit and the lowest bit of the third (a
/// quarter of the executions: writing a file took a third of the time), the
/// input goes through a file (gzip-compressed when the second-highest bit
/// is set too) and must import as it does from memory.
pub fn pipeline(bytes: &[u8], opts: &[u8]) {
    let o = |i: usize| opts.get(i).copied().unwrap_or(0);
    let profiles = import(bytes, "fuzz.cpuprofile");
    if o(2) & 0x81 == 0x81 {
        let from_file = import_file(bytes, o(2) & 0x40 != 0);
        assert_eq!(
            profiles.as_ref().map(|p| p.len()),
            from_file.as_ref().map(|p| p.len()),
            "memory and file imports disagree"
        );
        if let (Some(a), Some(b)) = (&profiles, &from_file) {
            for (a, b) in a.iter().zip(b) {
                assert_eq!(a.samples, b.samples, "memory and file imports disagree");
                assert_eq!(
                    a.nodes.len(),
                    b.nodes.len(),
                    "memory and file imports disagree"
                );
            }
        }
    }
    if let Some(profiles) = profiles {
        fold_and_export(&profiles, o(0), o(1), o(2));
    }
}
