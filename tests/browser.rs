//! Hostile names opened in a real browser: headless Chromium (Debian's
//! `chromium`, driven by playwright-core from `tests/browser/`). `.ci/run`
//! installs both; without them this test fails on CI and is skipped elsewhere.

mod common;

use std::fs;
use std::path::Path;

use common::{browser_check, browser_ready, cpuflame, s};

fn check(svg: &Path, zoom: &str) -> serde_json::Value {
    browser_check("check-svg.mjs", &[svg.as_os_str(), zoom.as_ref()])
}

const HOSTILE: &[&str] = &[
    "</text><script>window.__pwned=1;alert(1)</script>",
    "\\\"><svg onload=\\\"window.__pwned=1;alert(2)\\\">",
    "]]><script>window.__pwned=1</script>",
    "<img src=x onerror=\\\"window.__pwned=1\\\">",
];

fn hostile_profile(dir: &Path, name: &str) -> std::path::PathBuf {
    let mut nodes = vec![format!(
        r#"{{"id":1,"callFrame":{{"functionName":"(root)","url":""}},"children":[{}]}}"#,
        (2..2 + HOSTILE.len() as u64 + 1)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    )];
    for (i, evil) in HOSTILE.iter().enumerate() {
        nodes.push(format!(
            r#"{{"id":{},"callFrame":{{"functionName":"{evil}","url":"javascript:window.__pwned=1","lineNumber":0,"columnNumber":0}}}}"#,
            i + 2
        ));
    }
    nodes.push(format!(
        r#"{{"id":{},"callFrame":{{"functionName":"zoom-target","url":"file:///app/a.js","lineNumber":1,"columnNumber":1}}}}"#,
        HOSTILE.len() + 2
    ));
    let samples: Vec<String> = (2..2 + HOSTILE.len() as u64 + 1)
        .flat_map(|i| [i, i])
        .map(|i| i.to_string())
        .collect();
    let deltas = vec!["100"; samples.len()].join(",");
    let json = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":0,"samples":[{}],"timeDeltas":[{deltas}]}}"#,
        nodes.join(","),
        samples.join(",")
    );
    let p = dir.join(name);
    fs::write(&p, json).unwrap();
    p
}

#[test]
fn no_script_from_a_profile_runs_and_frames_still_zoom() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A hostile file name becomes a source label when several inputs are drawn.
    let a = hostile_profile(dir.path(), "a<script>alert(9)<!--.cpuprofile");
    let b = hostile_profile(dir.path(), "b.cpuprofile");
    for (args, what) in [
        (vec![s(&a)], "flame graph"),
        (vec!["--chart", s(&a)], "flame chart"),
        (
            vec![
                "--title",
                "</title><script>window.__pwned=1</script>",
                s(&a),
            ],
            "title",
        ),
        (vec![s(&a), s(&b)], "two sources"),
    ] {
        let o = cpuflame(&args);
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let svg = dir.path().join("out.svg");
        fs::write(&svg, &o.stdout).unwrap();
        let r = check(&svg, "zoom-target");
        assert_eq!(r["dialogs"], serde_json::json!([]), "{what}: {r}");
        assert_eq!(r["pwned"], false, "{what}: {r}");
        assert_eq!(r["scripts"], 1, "{what}: only inferno's script: {r}");
        assert!(
            r["frames"].as_u64().unwrap() >= 5,
            "{what}: frames render: {r}"
        );
        assert_eq!(r["zoomed"], true, "{what}: clicking a frame zooms: {r}");
        let texts = r["texts"].to_string();
        // The function name always shows; its location only when it fits
        // (tests/browser_labels.rs checks the rule).
        assert!(
            texts.contains("zoom-target"),
            "{what}: labels render: {texts}"
        );
        assert!(
            texts.contains("</text><script>") && texts.contains("<img src=x"),
            "{what}: hostile text shows as text: {texts}"
        );
        if what == "two sources" {
            assert!(
                texts.contains("a<script>alert(9)<!--.cpuprofile"),
                "{texts}"
            );
        }
    }
}

#[test]
fn the_checker_does_see_script_that_runs() {
    // A control: an SVG that does run script must be reported, or the test above proves nothing.
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("bad.svg");
    fs::write(
        &svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>window.__pwned=1</script><svg id="frames"><g><title>zoom-target</title><rect width="10%"/></g></svg><g id="unzoom" class="hide"/></svg>"#,
    )
    .unwrap();
    let r = check(&svg, "");
    assert_eq!(r["pwned"], true, "{r}");
    assert_eq!(r["dialogs"], serde_json::json!(["1"]), "{r}");
}
