//! Labels as a person sees them in a browser (issue 13): headless Chromium
//! (Debian's `chromium`, playwright-core from `tests/browser/`) opens the SVG,
//! and every label drawn after load and after a zoom must start with its
//! function name (inferno's script used to cut labels from the left:
//! "..rver.js:49:31)"). Flame charts show labelled time ticks, and tooltips
//! their start. Without the browser this fails on CI and is skipped elsewhere.

mod common;

use std::fs;

use common::{browser_check, browser_ready, cpuflame, s, sample};

/// Open `args`' SVG in Chromium; click the frame whose tooltip starts with `zoom`.
fn labels(args: &[&str], zoom: &str, width: u32) -> serde_json::Value {
    let o = cpuflame(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("out.svg");
    fs::write(&svg, &o.stdout).unwrap();
    let r = browser_check(
        "check-labels.mjs",
        &[
            svg.as_os_str(),
            zoom.as_ref(),
            "".as_ref(),
            width.to_string().as_ref(),
        ],
    );
    assert_eq!(r["errors"], serde_json::json!([]), "no script errors: {r}");
    r
}

/// The label of a tooltip (`name (loc) (1,234 µs, 5%)` → `name (loc)`) and
/// its function name (`name`).
fn label_and_name(title: &str) -> (String, String) {
    let label = match title.rfind(" (") {
        Some(at) if title.ends_with(')') => &title[..at],
        _ => title,
    };
    let name = match label.rfind(" (") {
        Some(at) if at > 0 && label.ends_with(')') => &label[..at],
        _ => label,
    };
    (label.to_string(), name.to_string())
}

/// Every shown text starts with the function name (or is the name cut on
/// the right); returns how many showed the name without its location.
fn check_names(pairs: &serde_json::Value, when: &str) -> usize {
    let pairs = pairs.as_array().expect("pairs");
    assert!(pairs.len() > 10, "{when}: labels drawn: {pairs:?}");
    let mut name_only = 0;
    for p in pairs {
        let title = p[0].as_str().unwrap();
        let text = p[1].as_str().unwrap().trim_end();
        let (label, name) = label_and_name(title);
        assert!(
            !text.starts_with(".."),
            "{when}: cut on the left: {text:?} for {title:?}"
        );
        let ok = if let Some(cut) = text.strip_suffix("..") {
            !cut.is_empty() && name.starts_with(cut)
        } else {
            text == label || text == name
        };
        assert!(
            ok,
            "{when}: {text:?} does not start with the function name of {title:?}"
        );
        if text == name && name != label {
            name_only += 1;
        }
    }
    name_only
}

#[test]
fn labels_keep_the_function_name_after_load_and_after_a_zoom() {
    if !browser_ready() {
        return;
    }
    let app = sample("node/app.cpuprofile");
    for (args, what) in [
        (vec![s(&app)], "flame graph"),
        (vec!["--chart", s(&app)], "flame chart"),
        (vec!["--width", "900", s(&app)], "fixed width"),
    ] {
        let r = labels(&args, "busyFor ", 1000);
        let narrow = check_names(&r["loaded"], what);
        assert!(narrow > 0, "{what}: narrow frames show the name alone: {r}");
        check_names(&r["zoomed"], &format!("{what}, zoomed"));
        // The root bar says what it is.
        let loaded = r["loaded"].to_string();
        assert!(loaded.contains("\"total: 1."), "{what}: {loaded}");
    }
}

#[test]
fn flame_charts_have_time_ticks_and_start_times() {
    if !browser_ready() {
        return;
    }
    let r = labels(
        &["--chart", s(&sample("node/app.cpuprofile"))],
        "busyFor ",
        1400,
    );
    let ticks: Vec<&str> = r["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(ticks.first(), Some(&"0 ms"), "{ticks:?}");
    assert!(
        ticks.contains(&"500 ms") && ticks.contains(&"1 s"),
        "{ticks:?}"
    );
    // The whole chart's ticks are hidden while zoomed in.
    assert_eq!(r["ticksVisibleAfterZoom"], false, "{r}");
    let titles = r["loaded"].to_string();
    // main starts 7.3 ms after the first sample; the last busyFor 1.18 s after.
    assert!(
        titles.contains("main (app.js:35:14) (1,021,349 µs, 80.61%, starts at +7.3 ms)"),
        "{titles}"
    );
    assert!(titles.contains("80.61%, starts at +7.3 ms)"), "{titles}");
    assert!(titles.contains(", starts at +1.18 s)"), "{titles}");
    // Bands: one axis on the shared clock, as wide as the bands' frames.
    let r = labels(
        &["--chart", s(&sample("node-workers"))],
        "hashWorkerLoop ",
        1400,
    );
    let ticks = r["ticks"].to_string();
    assert!(ticks.starts_with("[\"0 ms\""), "{ticks}");
    assert!(ticks.contains("\"600 ms\""), "{ticks}");
    let titles = r["loaded"].to_string();
    assert!(titles.contains(", starts at +"), "{titles}");
    check_names(&r["loaded"], "bands");
}
