//! Pictures a person can read (issue 13): the PNG has no browser-only
//! buttons and its root bar says what it is; the search highlight is a
//! colour no category uses; packages get their own hues and the legend
//! names the heaviest first; charts get a time axis in the PNG too.

mod common;

use std::fs;

use common::{cpuflame, s, sample};
use cpuflame::export::{legend, palette::Palette};
use cpuflame::fold::FoldOptions;

fn png_of(args: &[&str]) -> resvg::tiny_skia::Pixmap {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.png");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", s(&out)]);
    let o = cpuflame(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    resvg::tiny_skia::Pixmap::decode_png(&fs::read(&out).unwrap()).unwrap()
}

/// Pixels in the box that differ from the box's own top-left pixel.
fn marks_in(p: &resvg::tiny_skia::Pixmap, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    let bg = p.pixel(x0, y0).unwrap();
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let q = p.pixel(x, y).unwrap();
            // The background is a vertical gradient: compare with its own row.
            let row_bg = p.pixel(x0, y).unwrap();
            (q.red() as i32 - row_bg.red() as i32).abs() > 12 && q != bg
        })
        .count()
}

#[test]
fn the_png_has_no_search_button_and_a_labelled_root_bar() {
    let svg = cpuflame(&["--width", "1200", s(&sample("node/app.cpuprofile"))]);
    let svg = String::from_utf8(svg.stdout).unwrap();
    // The SVG (for browsers) keeps the Search button; the PNG must not draw it.
    assert!(svg.contains(">Search</text>"));
    assert!(
        svg.contains(">total: 1.12 s</text>"),
        "the root bar says what it is"
    );
    let p = png_of(&[s(&sample("node/app.cpuprofile"))]);
    assert_eq!(p.width(), 1800);
    // "Search" sits right-aligned at x = 1190 px, y = 24 px of the 1200 px SVG (× 1.5).
    assert_eq!(
        marks_in(&p, 1650, 15, 1785, 45),
        0,
        "no Search button drawn"
    );
}

#[test]
fn search_highlights_in_a_colour_no_category_uses() {
    for (palette, colour) in [
        ("default", "rgb(0,215,215)"),
        ("colorblind", "rgb(0,114,178)"),
    ] {
        let o = cpuflame(&["--palette", palette, s(&sample("node/app.cpuprofile"))]);
        let svg = String::from_utf8(o.stdout).unwrap();
        assert!(
            svg.contains(&format!("var searchcolor = '{colour}';")),
            "{palette}"
        );
        assert!(
            !svg.contains(&format!("fill=\"{colour}\"")),
            "no frame has it"
        );
        // inferno's default magenta, GC's near twin, is gone.
        assert!(!svg.contains("rgb(230,0,230)"));
    }
}

/// A profile calling `n` packages, package k taking k + 1 samples.
fn many_packages(n: usize) -> String {
    let mut nodes = vec![format!(
        r#"{{"id":1,"callFrame":{{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1}},"children":[{}]}}"#,
        (2..2 + n)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    )];
    let mut samples = Vec::new();
    for k in 0..n {
        nodes.push(format!(
            r#"{{"id":{},"callFrame":{{"functionName":"f{k}","scriptId":"1","url":"file:///app/node_modules/pkg-{k:02}/index.js","lineNumber":0,"columnNumber":0}}}}"#,
            k + 2
        ));
        samples.extend(std::iter::repeat_n((k + 2).to_string(), k + 1));
    }
    let deltas = vec!["1000"; samples.len()].join(",");
    format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":0,"samples":[{}],"timeDeltas":[{deltas}]}}"#,
        nodes.join(","),
        samples.join(",")
    )
}

#[test]
fn the_legend_names_the_heaviest_packages_then_how_many_more() {
    let (folded, _) = common::fold_text(&many_packages(15), &FoldOptions::default());
    let l = legend::entries(&folded, Palette::Default);
    let texts: Vec<&str> = l.entries.iter().map(|e| e.text.as_str()).collect();
    // pkg-14 took the most time; twelve are named, then the rest counted.
    assert_eq!(texts[0], "pkg-14 (dependency)", "{texts:?}");
    assert_eq!(texts[1], "pkg-13 (dependency)", "{texts:?}");
    assert_eq!(texts[11], "pkg-03 (dependency)", "{texts:?}");
    assert_eq!(texts[12], "3 more packages", "{texts:?}");
    // Each named package has its own colour.
    let colours: std::collections::HashSet<_> = l.entries[..12]
        .iter()
        .map(|e| (e.color.r, e.color.g, e.color.b))
        .collect();
    assert!(colours.len() >= 11, "{colours:?}");
}

#[test]
fn the_chart_png_has_a_time_axis() {
    let svg = cpuflame(&[
        "--chart",
        "--width",
        "1200",
        s(&sample("node/app.cpuprofile")),
    ]);
    let svg = String::from_utf8(svg.stdout).unwrap();
    for tick in [">0 ms</text>", ">500 ms</text>", ">1 s</text>"] {
        assert!(svg.contains(tick), "{tick}");
    }
    let doc = roxmltree::Document::parse_with_options(
        &svg,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let axis = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("cpuflame-axis"))
        .expect("an axis");
    let frames = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("frames"))
        .unwrap();
    assert_eq!(
        axis.attribute("x"),
        frames.attribute("x"),
        "aligned with the frames"
    );
    assert_eq!(axis.attribute("width"), frames.attribute("width"));
    // The 1 s tick sits at 1 s / total of the chart's width.
    let total: f64 = frames.attribute("total_samples").unwrap().parse().unwrap();
    let one_s = axis
        .descendants()
        .find(|n| n.text() == Some("1 s"))
        .unwrap();
    let x: f64 = one_s
        .attribute("x")
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!((x - 100.0 * 1e6 / total).abs() < 0.01, "{x} vs {total}");
    // Not in flame graphs, which have no time order.
    let graph = cpuflame(&[s(&sample("node/app.cpuprofile"))]);
    assert!(!String::from_utf8(graph.stdout)
        .unwrap()
        .contains("cpuflame-axis"));
}
