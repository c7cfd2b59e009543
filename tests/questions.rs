//! Issue 4: the questions people bring to a flame graph, answered from the
//! command line. Every test checks numbers on real recordings (`samples/`).

mod common;

use std::collections::HashMap;

use common::{cpuflame, folded_total, s, sample};
use cpuflame::export::{diff, folded, table};
use cpuflame::fold::{self, FoldOptions, Folded, Gaps, Policy, Transforms, Weight, Window};
use cpuflame::import;
use cpuflame::model::{Profile, Warnings};
use regex::Regex;

const APP: &str = "node/app.cpuprofile";
const BUN: &str = "bun/CPU.20261122.021858.11250.0.001.cpuprofile";

fn load(rel: &str) -> Vec<Profile> {
    let mut w = Warnings::new();
    import::import_path(&sample(rel), &mut w).expect("imports")
}

fn fold_with(rel: &str, opts: &FoldOptions) -> Folded {
    fold::fold(&load(rel), opts, &mut Warnings::new())
}

fn re(s: &str) -> Option<Regex> {
    Some(Regex::new(s).unwrap())
}

fn with_transforms(t: Transforms) -> FoldOptions {
    FoldOptions {
        transforms: t,
        ..FoldOptions::default()
    }
}

fn with_policy(p: Policy) -> FoldOptions {
    FoldOptions {
        policy: p,
        ..FoldOptions::default()
    }
}

/// Every stack's self weight (unrounded) by its folded text.
fn stacks(f: &Folded) -> HashMap<String, f64> {
    let mut scratch = Vec::new();
    let mut out = HashMap::new();
    for (id, n) in f.tree.nodes().iter().enumerate().skip(1) {
        if n.weight == 0.0 {
            continue;
        }
        let mut text = String::new();
        f.tree
            .write_path(id as u32, &f.labels, &mut scratch, &mut text);
        *out.entry(text).or_insert(0.0) += n.weight;
    }
    out
}

/// Weight of the stacks of `f` one of whose frames satisfies `pred`.
fn weight_through(f: &Folded, pred: impl Fn(&str) -> bool) -> f64 {
    stacks(f)
        .iter()
        .filter(|(k, _)| k.split(';').any(&pred))
        .map(|(_, w)| w)
        .sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn stdout(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn exclude_total_is_full_total_minus_samples_through_the_match() {
    let full = fold_with(APP, &FoldOptions::default());
    let through = weight_through(&full, |f| f.contains("tiny-lib"));
    assert!(through > 50_000.0, "tiny-lib is sampled: {through}");
    let excluded = fold_with(
        APP,
        &with_transforms(Transforms {
            exclude: re("tiny-lib"),
            ..Transforms::default()
        }),
    );
    assert!(close(excluded.total(), full.total() - through));
    assert!(close(excluded.tree.total(), excluded.total()));
    let included = fold_with(
        APP,
        &with_transforms(Transforms {
            include: re("tiny-lib"),
            ..Transforms::default()
        }),
    );
    assert!(close(included.total(), through));
    // Include and exclude of one pattern split the profile in two.
    assert!(close(included.total() + excluded.total(), full.total()));
    // The same through the command line, on the name (not the file) this time.
    let text = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--exclude",
        "^hashMany ",
        s(&sample(APP)),
    ]));
    assert!(!text.contains("hashMany"));
    let by_name = weight_through(&full, |f| f.starts_with("hashMany "));
    let all = folded_total(&stdout(&cpuflame(&["-f", "folded", s(&sample(APP))])));
    let diff = all as f64 - folded_total(&text) as f64;
    assert!((diff - by_name).abs() < 50.0, "{diff} vs {by_name}");
}

#[test]
fn repeated_patterns_match_any() {
    let one = |p: &str| {
        fold_with(
            APP,
            &with_transforms(Transforms {
                include: re(p),
                ..Transforms::default()
            }),
        )
        .total()
    };
    let both = fold_with(
        APP,
        &with_transforms(Transforms {
            include: Transforms::any_of(&[
                Regex::new("^hashMany ").unwrap(),
                Regex::new("^deepClone ").unwrap(),
            ]),
            ..Transforms::default()
        }),
    )
    .total();
    // The two functions never share a stack, so the weights add.
    assert!(close(both, one("^hashMany ") + one("^deepClone ")));
    let o = cpuflame(&[
        "-f",
        "folded",
        "--include",
        "^hashMany ",
        "--include",
        "^deepClone ",
        s(&sample(APP)),
    ]);
    let text = stdout(&o);
    assert!(text
        .lines()
        .all(|l| l.contains("hashMany") || l.contains("deepClone")));
    assert!(text.contains("hashMany") && text.contains("deepClone"));
}

#[test]
fn focus_reroots_and_keeps_only_samples_through_the_match() {
    let full = fold_with(APP, &FoldOptions::default());
    let through = weight_through(&full, |f| f.starts_with("parseCsv "));
    let focused = fold_with(
        APP,
        &with_transforms(Transforms {
            focus: re("^parseCsv "),
            ..Transforms::default()
        }),
    );
    assert!(
        close(focused.total(), through),
        "{} vs {through}",
        focused.total()
    );
    for stack in stacks(&focused).keys() {
        assert!(stack.starts_with("parseCsv (src/parse.js"), "{stack}");
    }
    // The frames above the focus keep their weights.
    let tokenize_full = weight_through(&full, |f| f.starts_with("tokenize "));
    let tokenize_focused = weight_through(&focused, |f| f.starts_with("tokenize "));
    let tokenize_under_parse: f64 = stacks(&full)
        .iter()
        .filter(|(k, _)| k.contains("parseCsv ") && k.contains("tokenize "))
        .map(|(_, w)| w)
        .sum();
    assert!(close(tokenize_focused, tokenize_under_parse));
    assert!(tokenize_focused <= tokenize_full);
}

#[test]
fn hide_gives_time_to_the_caller() {
    let full = fold_with(APP, &FoldOptions::default());
    let hidden = fold_with(
        APP,
        &with_transforms(Transforms {
            hide: re("^fib "),
            ..Transforms::default()
        }),
    );
    assert!(close(hidden.total(), full.total()), "nothing is dropped");
    assert!(!stacks(&hidden).keys().any(|k| k.contains("fib (")));
    // fib's callers now hold its time as self time.
    let fib_self: f64 = stacks(&full)
        .iter()
        .filter(|(k, _)| k.rsplit(';').next().unwrap().starts_with("fib "))
        .map(|(_, w)| w)
        .sum();
    let caller_self = |f: &Folded| -> f64 {
        stacks(f)
            .iter()
            .filter(|(k, _)| {
                k.ends_with("(anonymous) (app.js:17:25)")
                    || k.ends_with("(anonymous) (app.js:40:25)")
            })
            .map(|(_, w)| w)
            .sum()
    };
    assert!(fib_self > 100_000.0);
    assert!(close(caller_self(&hidden), caller_self(&full) + fib_self));
}

#[test]
fn fold_packages_makes_one_frame_per_package() {
    let full = fold_with(APP, &FoldOptions::default());
    let packed = fold_with(
        APP,
        &with_transforms(Transforms {
            fold_packages: true,
            ..Transforms::default()
        }),
    );
    assert!(close(packed.total(), full.total()));
    let st = stacks(&packed);
    assert!(
        !st.keys().any(|k| k.contains("node_modules")),
        "no package internals left"
    );
    for (package, path) in [
        ("tiny-lib", "node_modules/tiny-lib/"),
        ("@acme/util", "node_modules/@acme/util/"),
    ] {
        let as_frame = weight_through(&packed, |f| f == package);
        let as_files = weight_through(&full, |f| f.contains(path));
        assert!(
            as_frame > 0.0 && close(as_frame, as_files),
            "{package}: {as_frame} vs {as_files}"
        );
    }
    // Internal calls merged: a package never calls itself.
    assert!(!st.keys().any(|k| k.contains("@acme/util;@acme/util")));
}

#[test]
fn collapse_recursion_merges_direct_recursion() {
    let full = fold_with(APP, &FoldOptions::default());
    let collapsed = fold_with(
        APP,
        &with_transforms(Transforms {
            collapse_recursion: true,
            ..Transforms::default()
        }),
    );
    assert!(close(collapsed.total(), full.total()));
    let st = stacks(&collapsed);
    assert!(!st
        .keys()
        .any(|k| k.contains("fib (src/work.js:3:13);fib (src/work.js:3:13)")));
    let deepest = stacks(&full)
        .keys()
        .map(|k| k.matches("fib (").count())
        .max()
        .unwrap();
    assert!(deepest > 10, "the sample recurses deeply: {deepest}");
    let fib_full = weight_through(&full, |f| f.starts_with("fib "));
    let fib_collapsed = weight_through(&collapsed, |f| f.starts_with("fib "));
    assert!(close(fib_full, fib_collapsed));
    let o = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--collapse-recursion",
        s(&sample(APP)),
    ]));
    assert!(!o.contains("fib (src/work.js:3:13);fib"));
}

#[test]
fn time_windows_add_up_to_the_whole() {
    for weight in [Weight::Time, Weight::Samples] {
        let base = FoldOptions {
            weight,
            keep_idle: true,
            ..FoldOptions::default()
        };
        let full = fold_with(APP, &base);
        let cuts = [0.0, 123_456.0, 500_000.0, 700_001.5, 1_000_000.0];
        let mut sum = 0.0;
        let mut samples = 0;
        for (i, &from) in cuts.iter().enumerate() {
            let to = cuts.get(i + 1).copied();
            let f = fold_with(
                APP,
                &FoldOptions {
                    policy: Policy {
                        window: Some(Window { from, to }),
                        ..Policy::default()
                    },
                    ..base.clone()
                },
            );
            if weight == Weight::Time {
                if let Some(to) = to {
                    // A window inside the profile holds exactly its length.
                    let idle_and_gaps: f64 = f.sources.iter().map(|s| s.gaps + s.skipped).sum();
                    assert!(
                        close(f.total() + idle_and_gaps, to - from),
                        "[{from}, {to:?})"
                    );
                }
            }
            sum += f.total();
            samples += f.sources[0].window_samples;
        }
        assert!(
            close(sum, full.total()),
            "{weight:?}: {sum} vs {}",
            full.total()
        );
        if weight == Weight::Samples {
            assert_eq!(samples, full.sources[0].timeline.samples);
        }
    }
}

#[test]
fn window_from_the_command_line_and_its_subtitle() {
    let p = sample(APP);
    let tot = |args: &[&str]| {
        let mut a = vec!["-f", "folded", "--idle"];
        a.extend_from_slice(args);
        a.push(s(&p));
        folded_total(&stdout(&cpuflame(&a)))
    };
    let whole = tot(&[]);
    let first = tot(&["--to", "0.4s"]);
    let middle = tot(&["--from", "400ms", "--to", "900000us"]);
    let last = tot(&["--from", "900ms"]);
    assert_eq!(first, 400_000, "a window inside the profile is its length");
    assert!(middle.abs_diff(500_000) <= 30, "{middle}");
    // Rounding is per line, so the parts agree with the whole to a few µs per line.
    assert!(
        (first + middle + last).abs_diff(whole) < 200,
        "{first}+{middle}+{last} vs {whole}"
    );
    let svg = stdout(&cpuflame(&["--from", "200ms", "--to", "400ms", s(&p)]));
    assert!(
        svg.contains("window 200.0 ms – 400.0 ms"),
        "the subtitle says so"
    );
    let chart = stdout(&cpuflame(&[
        "--chart",
        "-f",
        "folded",
        "--from",
        "200ms",
        "--to",
        "400ms",
        s(&p),
    ]));
    assert_eq!(
        folded_total(&chart).abs_diff(200_000),
        0,
        "the chart shows only the window"
    );
}

#[test]
fn synthetic_frame_policies() {
    let full = fold_with(APP, &FoldOptions::default());
    let src = &full.sources[0];
    assert!(src.gc > 0.0 && src.program > 0.0);
    let no_gc = fold_with(
        APP,
        &with_policy(Policy {
            no_gc: true,
            ..Policy::default()
        }),
    );
    assert!(close(no_gc.total(), full.total() - src.gc));
    assert!(!stacks(&no_gc)
        .keys()
        .any(|k| k.contains("(garbage collector)")));
    let no_program = fold_with(
        APP,
        &with_policy(Policy {
            no_program: true,
            ..Policy::default()
        }),
    );
    let program_drawn = weight_through(&full, |f| f == "(program)");
    assert!(close(no_program.total(), full.total() - program_drawn));
    let gc_root = fold_with(
        APP,
        &with_policy(Policy {
            gc_on_stack: false,
            ..Policy::default()
        }),
    );
    assert!(close(gc_root.total(), full.total()));
    let st = stacks(&gc_root);
    let gc_stacks: Vec<_> = st
        .keys()
        .filter(|k| k.contains("(garbage collector)"))
        .collect();
    assert_eq!(
        gc_stacks,
        ["(garbage collector)"],
        "GC is one root-level frame"
    );
    assert!(close(st["(garbage collector)"], src.gc));
    // The command line spells it --gc-on-stack=false; --idle keeps idle.
    let o = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--gc-on-stack=false",
        s(&sample(APP)),
    ]));
    assert!(o.lines().any(|l| l.starts_with("(garbage collector) ")));
    assert!(!o.contains(";(garbage collector)"));
    let idle = stdout(&cpuflame(&["-f", "folded", "--idle", s(&sample(APP))]));
    let idle_w = idle.lines().find(|l| l.starts_with("(idle) ")).unwrap();
    assert_eq!(idle_w, format!("(idle) {}", src.idle.round()));
}

#[test]
fn gaps_beyond_ten_median_intervals_go_to_idle_on_request() {
    let keep = fold_with(
        BUN,
        &FoldOptions {
            keep_idle: true,
            ..FoldOptions::default()
        },
    );
    let idle = fold_with(
        BUN,
        &FoldOptions {
            keep_idle: true,
            policy: Policy {
                gaps: Gaps::Idle,
                ..Policy::default()
            },
            ..FoldOptions::default()
        },
    );
    // Same total; the gap beyond 10 x the median moves to (idle).
    assert!(close(keep.total(), idle.total()));
    let gaps = idle.sources[0].long_gaps;
    assert!(gaps > 150_000.0, "the 203 ms gap: {gaps}");
    let idle_frame = weight_through(&idle, |f| f == "(idle)");
    assert!(close(
        idle_frame,
        gaps + weight_through(&keep, |f| f == "(idle)")
    ));
    // Both modes warn; the node sample has no such gaps.
    let warn = stderr(&cpuflame(&["-f", "folded", s(&sample(BUN))]));
    assert!(
        warn.contains("sampling gaps") && warn.contains("--gaps=idle"),
        "{warn}"
    );
    let warn = stderr(&cpuflame(&["-f", "folded", "--gaps=idle", s(&sample(BUN))]));
    assert!(warn.contains("charged to (idle)"), "{warn}");
    assert!(!stderr(&cpuflame(&["-f", "folded", s(&sample(APP))])).contains("sampling gaps"));
    // The idle part is left out of a flame graph unless --idle.
    let g = stdout(&cpuflame(&["-f", "folded", "--gaps=idle", s(&sample(BUN))]));
    let k = stdout(&cpuflame(&["-f", "folded", s(&sample(BUN))]));
    assert!((folded_total(&k) - folded_total(&g)).abs_diff(gaps.round() as u64) < 20);
    // A note is not a repair: --strict still succeeds.
    assert!(cpuflame(&["-f", "folded", "--strict", s(&sample(BUN))])
        .status
        .success());
}

#[test]
fn lines_add_up_to_each_functions_self_time() {
    let plain = fold_with(APP, &FoldOptions::default());
    let lined = fold_with(
        APP,
        &FoldOptions {
            lines: true,
            ..FoldOptions::default()
        },
    );
    assert!(close(plain.total(), lined.total()));
    let line_frame = Regex::new(r"^[^()]*:\d+$|^\(anonymous\):\d+$").unwrap();
    // Give every line frame's weight back to its function: the plain fold results.
    let mut regrouped: HashMap<String, f64> = HashMap::new();
    let mut line_weight = 0.0;
    for (k, w) in stacks(&lined) {
        let (parent, leaf) = k.rsplit_once(';').unwrap_or(("", &k));
        if line_frame.is_match(leaf) && !parent.is_empty() {
            line_weight += w;
            *regrouped.entry(parent.to_string()).or_default() += w;
        } else {
            *regrouped.entry(k).or_default() += w;
        }
    }
    assert!(
        line_weight > 0.5 * plain.total(),
        "most self time has a line: {line_weight}"
    );
    let p = stacks(&plain);
    assert_eq!(regrouped.len(), p.len());
    for (k, w) in &p {
        assert!(close(regrouped[k], *w), "{k}: {} vs {w}", regrouped[k]);
    }
    // fib's self time is on its body lines, named fib:LINE.
    let st = stacks(&lined);
    assert!(st.keys().any(|k| k.ends_with(";fib:4")), "fib:4");
    // Per-sample lines from a Chrome trace (only some chunks carry them).
    let trace = fold_with(
        "chrome/page-worker.trace.json",
        &FoldOptions {
            lines: true,
            ..FoldOptions::default()
        },
    );
    let trace_plain = fold_with("chrome/page-worker.trace.json", &FoldOptions::default());
    assert!(close(trace.total(), trace_plain.total()));
}

#[test]
fn diff_of_a_profile_with_itself_shows_no_change() {
    let p = sample(APP);
    let text = stdout(&cpuflame(&["-f", "folded", "--diff", s(&p), s(&p)]));
    assert!(!text.is_empty());
    for l in text.lines() {
        let mut it = l.rsplitn(3, ' ');
        let (b, a) = (it.next().unwrap(), it.next().unwrap());
        assert_eq!(a, b, "{l}");
    }
    let svg = stdout(&cpuflame(&["--diff", s(&p), s(&p)]));
    let fills: Vec<&str> = svg
        .match_indices("fill=\"rgb(")
        .map(|(i, _)| &svg[i + 10..i + 10 + svg[i + 10..].find(')').unwrap()])
        .collect();
    assert!(fills.iter().filter(|f| **f == "250,250,250").count() > 50);
    assert!(
        !fills
            .iter()
            .any(|f| f.starts_with("255,") && *f != "255,120,120"),
        "no red frame"
    );
    assert!(svg.contains("against app.cpuprofile"));
}

#[test]
fn diff_is_normalised_by_total_time() {
    let opts = FoldOptions::default();
    let input = fold_with(APP, &opts);
    let base = fold_with("node-inspector/server.cpuprofile", &opts);
    let lines = diff::diff_lines(&input, &base);
    let (mut a, mut b) = (0u64, 0u64);
    for l in &lines {
        let mut it = l.rsplitn(3, ' ');
        b += it.next().unwrap().parse::<u64>().unwrap();
        a += it.next().unwrap().parse::<u64>().unwrap();
    }
    let total = input.total();
    assert_eq!(
        b,
        folded::graph_lines(&input)
            .iter()
            .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
            .sum::<u64>()
    );
    assert!(
        (a as f64 - total).abs() < lines.len() as f64,
        "BASE scaled to INPUT's total: {a} vs {total}"
    );
    assert!(close(diff::base_scale(&input, &base) * base.total(), total));
    let svg = stdout(&cpuflame(&[
        "--diff",
        s(&sample("node-inspector/server.cpuprofile")),
        s(&sample(APP)),
    ]));
    // Look at the frames only: the legend's key has a red and a blue swatch.
    let frames = &svg[svg.find("id=\"frames\"").unwrap()..];
    let frames = &frames[..frames.find("</svg>").unwrap()];
    assert!(frames.contains("fill=\"rgb(255,"), "grown frames are red");
    let same = stdout(&cpuflame(&["--diff", s(&sample(APP)), s(&sample(APP))]));
    let same = &same[same.find("id=\"frames\"").unwrap()..];
    let same = &same[..same.find("</svg>").unwrap()];
    assert!(
        !same.contains("fill=\"rgb(255,"),
        "--diff A A has no red frame"
    );
    assert!(same.contains("fill=\"rgb(250,250,250)\""), "all white");
}

#[test]
fn table_lists_top_functions_by_self_time() {
    let f = fold_with(APP, &FoldOptions::default());
    let rows = table::rows(&f);
    let self_sum: f64 = rows.iter().map(|r| r.self_weight).sum();
    assert!(close(self_sum, f.total()), "self times add up to the total");
    assert!(rows
        .windows(2)
        .all(|w| w[0].self_weight >= w[1].self_weight));
    // Recursion counts once: fib's total is the weight of stacks through fib.
    let fib = rows.iter().find(|r| r.label.starts_with("fib ")).unwrap();
    assert!(close(
        fib.total_weight,
        weight_through(&f, |x| x.starts_with("fib "))
    ));
    for r in &rows {
        assert!(r.total_weight >= r.self_weight - 1e-6 && r.total_weight <= f.total() + 1e-6);
    }
    let out = stdout(&cpuflame(&["-f", "table", "--top", "5", s(&sample(APP))]));
    let body: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
        .collect();
    assert_eq!(body.len(), 5, "{out}");
    assert!(
        body[0].starts_with(
            "| 1 | `fib` | 228.62 ms | 20.5% | 228.62 ms | 20.5% | `src/work.js:3:13` |"
        ),
        "{}",
        body[0]
    );
    assert!(out.contains("|---:|---|---:|---:|---:|---:|---|"));
    // Default 25 rows; the options apply to the table too.
    let out = stdout(&cpuflame(&["-f", "table", s(&sample(APP))]));
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| #"))
            .count(),
        25
    );
    let out = stdout(&cpuflame(&[
        "-f",
        "table",
        "--exclude",
        "^fib ",
        s(&sample(APP)),
    ]));
    assert!(!out.contains("`fib`"));
    assert!(table::code_md("a|b").contains("a\\|b"));
}

#[test]
fn legend_names_categories_and_packages_escaped() {
    let svg = stdout(&cpuflame(&[s(&sample(APP))]));
    let legend = &svg[svg.find("cpuflame-legend").expect("a legend")..];
    for name in [
        "application",
        "tiny-lib (dependency)",
        "@acme/util (dependency)",
        "runtime",
        "native / builtin",
        "(garbage collector)",
        "(program)",
    ] {
        assert!(legend.contains(&format!(">{name}</text>")), "{name}");
    }
    assert!(
        !legend.contains(">(idle)</text>"),
        "idle is not drawn by default"
    );
    assert!(stdout(&cpuflame(&["--idle", s(&sample(APP))])).contains(">(idle)</text>"));
    let xml = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&svg, xml).expect("still well-formed");
    // Colour-blind palette: Okabe–Ito orange for the application.
    let cb = stdout(&cpuflame(&["--palette", "colorblind", s(&sample(APP))]));
    assert!(cb.contains("fill=\"rgb(230,159,0)\""), "the legend swatch");
    assert_ne!(cb, svg);
    // The PNG has the legend too: it is taller than the frames alone.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("a.png");
    stdout(&cpuflame(&[s(&sample(APP)), "-o", s(&png)]));
    let bytes = std::fs::read(&png).unwrap();
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    let svg_h: f64 = {
        let i = svg.find("height=\"").unwrap() + 8;
        svg[i..i + svg[i..].find('"').unwrap()].parse().unwrap()
    };
    assert!((h as f64 - svg_h * 1.5).abs() < 2.0, "{h} vs {svg_h}");
}

#[test]
fn min_width_inverted_and_reverse() {
    let p = sample(APP);
    let count = |svg: &str| svg.matches("<g><title>").count();
    let fine = stdout(&cpuflame(&["--min-width", "0", s(&p)]));
    let coarse = stdout(&cpuflame(&["--min-width", "5", s(&p)]));
    assert!(
        count(&coarse) < count(&fine) / 2,
        "{} vs {}",
        count(&coarse),
        count(&fine)
    );
    let y_of = |svg: &str, title: &str| -> f64 {
        let i = svg.find(&format!("<title>{title}")).unwrap();
        let j = svg[i..].find(" y=\"").unwrap() + i + 4;
        svg[j..j + svg[j..].find('"').unwrap()].parse().unwrap()
    };
    let normal = stdout(&cpuflame(&[s(&p)]));
    let inverted = stdout(&cpuflame(&["--inverted", s(&p)]));
    assert!(
        y_of(&normal, "total: ") > y_of(&normal, "main ("),
        "root at the bottom"
    );
    assert!(
        y_of(&inverted, "total: ") < y_of(&inverted, "main ("),
        "icicle: root at the top"
    );
    // Callers view: the leaves become the roots, fib's self time at the bottom.
    let reversed = stdout(&cpuflame(&["--reverse", s(&p)]));
    let root_y = y_of(&reversed, "total: ");
    let fib = reversed
        .find("<title>fib (src/work.js:3:13) (228,")
        .expect("fib merged by leaf");
    let j = reversed[fib..].find(" y=\"").unwrap() + fib + 4;
    let fib_y: f64 = reversed[j..j + reversed[j..].find('"').unwrap()]
        .parse()
        .unwrap();
    assert!(root_y - fib_y < 20.0, "fib sits right on the root");
    // The callers view is a picture: refused, with a message, for a chart,
    // folded text and the table, rather than silently ignored.
    for extra in [
        &["--chart"][..],
        &["-f", "folded"][..],
        &["-f", "table"][..],
    ] {
        let mut args = vec!["--reverse"];
        args.extend_from_slice(extra);
        args.push(s(&p));
        let o = cpuflame(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--reverse"));
    }
}

#[test]
fn options_apply_to_charts_too() {
    let p = sample(APP);
    let graph = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--idle",
        "--exclude",
        "tiny-lib",
        s(&p),
    ]));
    let chart = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--chart",
        "--exclude",
        "tiny-lib",
        s(&p),
    ]));
    assert!(!chart.contains("tiny-lib"));
    assert!(folded_total(&graph).abs_diff(folded_total(&chart)) < 500);
    let chart = stdout(&cpuflame(&[
        "-f",
        "folded",
        "--chart",
        "--fold-packages",
        "--hide",
        "^busyFor ",
        s(&p),
    ]));
    assert!(chart.contains(";tiny-lib ") && !chart.contains("busyFor"));
}

#[test]
fn bad_questions_are_usage_errors() {
    let p = sample(APP);
    for (args, expect) in [
        (
            vec!["--include", "("],
            "--include \"(\" is not a valid regular expression",
        ),
        (vec!["--hide", ""], "--hide needs a regular expression"),
        (vec!["--from", "12"], "give a unit"),
        (vec!["--to", "3 parsecs"], "unknown unit"),
        (
            vec!["--from", "2s", "--to", "1s"],
            "must be later than --from",
        ),
        (
            vec!["--diff", "x.cpuprofile", "--chart"],
            "--diff draws a flame graph",
        ),
        (
            vec!["--top", "0", "-f", "table"],
            "--top must be at least 1",
        ),
        (vec!["--gaps", "sometimes"], "invalid value"),
    ] {
        let mut a = args.clone();
        a.push(s(&p));
        let o = cpuflame(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
    }
}
