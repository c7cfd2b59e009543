//! The HTML report (`-f html`) opened in a real browser: headless Chromium
//! (Debian's `chromium`, driven by playwright-core from `tests/browser/`, see
//! `check-html.mjs`), on real recordings. What the page shows is checked
//! against what the command line computes on the same file.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;

use common::{browser_check, browser_ready, cpuflame, s, sample};
use serde_json::{json, Value};

/// Open `html` in the browser, do `actions`, and give what the page showed.
fn check(html: &Path, actions: Value) -> Value {
    browser_check(
        "check-html.mjs",
        &[html.as_os_str(), actions.to_string().as_ref()],
    )
}

/// Run cpuflame, insisting it succeeds; its standard output.
fn run(args: &[&str]) -> Vec<u8> {
    let o = cpuflame(args);
    assert!(
        o.status.success(),
        "cpuflame {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn report(dir: &Path, args: &[&str]) -> std::path::PathBuf {
    let html = dir.join("report.html");
    let mut a = args.to_vec();
    a.extend(["-q", "-o", s(&html)]);
    run(&a);
    html
}

/// The page loaded cleanly, offline, with only its own two scripts.
fn assert_clean(r: &Value) {
    assert_eq!(r["errors"], json!([]), "console errors: {}", r["errors"]);
    assert_eq!(
        r["requests"],
        json!([]),
        "network requests: {}",
        r["requests"]
    );
    assert_eq!(r["dialogs"], json!([]), "{}", r["dialogs"]);
    assert_eq!(r["pwned"], false);
    assert_eq!(r["scripts"], 2, "the model and the page's code only");
    assert!(
        r["csp"]
            .as_str()
            .unwrap()
            .starts_with("default-src 'none';"),
        "{}",
        r["csp"]
    );
}

/// `-f table` rows: (function, location) -> (self ms, total ms).
fn cli_table(args: &[&str]) -> HashMap<(String, String), (f64, f64)> {
    let mut a = args.to_vec();
    a.extend(["-q", "-f", "table", "--top", "100000"]);
    let text = String::from_utf8(run(&a)).unwrap();
    let ms = |c: &str| c.trim().trim_end_matches(" ms").parse::<f64>().unwrap();
    text.lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes()[2].is_ascii_digit())
        .map(|l| {
            let c: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let strip = |t: &str| t.trim_matches('`').to_string();
            ((strip(c[1]), strip(c[6])), (ms(c[2]), ms(c[4])))
        })
        .collect()
}

/// `-f folded` lines as (frames, weight).
fn cli_folded(args: &[&str]) -> Vec<(Vec<String>, f64)> {
    let mut a = args.to_vec();
    a.extend(["-q", "-f", "folded"]);
    String::from_utf8(run(&a))
        .unwrap()
        .lines()
        .map(|l| {
            let (stack, w) = l.rsplit_once(' ').unwrap();
            (
                stack.split(';').map(String::from).collect(),
                w.parse().unwrap(),
            )
        })
        .collect()
}

/// The page's table after a drag equals `cpuflame ARGS -f table` (ARGS with the same window);
/// the command line's rows.
fn assert_window_matches(d: &Value, windowed: &[&str]) -> HashMap<(String, String), (f64, f64)> {
    let cli = cli_table(windowed);
    let page: HashMap<(String, String), (f64, f64)> = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["name"].as_str().unwrap().into(),
                    r["loc"].as_str().unwrap().into(),
                ),
                (
                    r["self"].as_f64().unwrap() / 1000.0,
                    r["total"].as_f64().unwrap() / 1000.0,
                ),
            )
        })
        .collect();
    assert_eq!(page.len(), cli.len(), "page {page:?}\ncli {cli:?}");
    for (k, (cs, ct)) in &cli {
        let (ps, pt) = page
            .get(k)
            .unwrap_or_else(|| panic!("{k:?} missing on the page"));
        assert!(
            (ps - cs).abs() <= 0.0051 && (pt - ct).abs() <= 0.0051,
            "{k:?}: page {ps} {pt}, cli {cs} {ct}"
        );
    }
    cli
}

/// The function names of the page's flame-graph frames with the most self time.
fn hottest(r: &Value, n: usize) -> Vec<String> {
    let mut f: Vec<&Value> = r["frames"].as_array().unwrap().iter().collect();
    f.sort_by(|a, b| {
        b["self"]
            .as_f64()
            .unwrap()
            .total_cmp(&a["self"].as_f64().unwrap())
    });
    f.iter()
        .take(n)
        .map(|f| {
            let name = f["name"].as_str().unwrap();
            name.split(" (").next().unwrap().to_string()
        })
        .collect()
}

#[test]
fn a_multi_thread_trace_report_answers_like_the_command_line() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = sample("chrome/page-worker.trace.json");
    let html = report(dir.path(), &[s(&input)]);
    let r = check(
        &html,
        json!({"zoom": "workerMatMul", "drag": [0.3, 0.6], "search": "worker[A-Z]", "select": "byScore", "sort": "total"}),
    );
    assert_clean(&r);

    // The widest frames by self time are the workload's hot loops (samples/chrome/site).
    assert_eq!(
        hottest(&r, 3),
        ["workerMatMul", "mainIsPrime", "mainMandelbrotPoint"],
        "{}",
        r["frames"]
    );
    // Widths are shares of the total.
    let width = r["canvasWidth"].as_f64().unwrap();
    let total = r["total"].as_f64().unwrap();
    for f in r["frames"].as_array().unwrap() {
        let share = f["total"].as_f64().unwrap() / total;
        assert!(
            (f["w"].as_f64().unwrap() - share * width).abs() < 0.5,
            "{f} against {width} px"
        );
    }
    // Clicking a frame zooms it to the full width; the first breadcrumb zooms out.
    assert!(r["zoomedTo"]
        .as_str()
        .unwrap()
        .starts_with("workerMatMul (worker.js"));
    assert!(r["zoomBefore"]["w"].as_f64().unwrap() < 0.5 * width);
    assert!((r["zoomAfter"]["w"].as_f64().unwrap() - width).abs() < 1.0);
    assert_eq!(r["crumbs"][0], "all");
    assert!(
        r["crumbs"].to_string().contains("workerLoop"),
        "{}",
        r["crumbs"]
    );
    assert_eq!(r["zoomedBack"], "all");

    // A drag on the overview: the table equals cpuflame --from/--to -f table.
    let d = &r["dragged"];
    let (from, to) = (
        d["window"]["from"].as_f64().unwrap(),
        d["window"]["to"].as_f64().unwrap(),
    );
    assert!(from > 0.0 && to > from, "{}", d["window"]);
    let (from, to) = (format!("{from}us"), format!("{to}us"));
    let windowed = [s(&input), "--from", &from, "--to", &to];
    let cli = assert_window_matches(d, &windowed);
    let window_total = d["total"].as_f64().unwrap();
    assert!(window_total < 0.5 * total, "the window narrows the totals");
    assert!(
        d["windowText"]
            .as_str()
            .unwrap()
            .contains(&format!("--from {from} --to {to}")),
        "{}",
        d["windowText"]
    );

    // Search (in the window): the matched share is that of the folded stacks with a match.
    let folded = cli_folded(&windowed);
    let re = regex::Regex::new("worker[A-Z]").unwrap();
    let all: f64 = folded.iter().map(|(_, w)| w).sum();
    let hit: f64 = folded
        .iter()
        .filter(|(f, _)| f.iter().any(|l| re.is_match(l)))
        .map(|(_, w)| w)
        .sum();
    let share = r["matchedShare"].as_f64().unwrap();
    assert!(
        (share - 100.0 * hit / all).abs() < 1e-6,
        "{share} vs {}",
        100.0 * hit / all
    );
    assert!(share > 5.0 && share < 95.0, "{share}");
    assert_eq!(r["matchedText"], format!("Matched: {:.1} %", share));
    assert!(r["highlighted"].as_u64().unwrap() >= 3);

    // The sandwich of byScore: its callers are the frames right above it in the stacks.
    assert!(r["selected"]
        .as_str()
        .unwrap()
        .starts_with("byScore (app.js"));
    let mut callers = BTreeSet::new();
    for (frames, _) in &folded {
        for w in frames.windows(2) {
            if w[1].starts_with("byScore (") && !w[0].starts_with("byScore (") {
                callers.insert(w[0].clone());
            }
        }
    }
    let page_callers: BTreeSet<String> = r["sandwich"]["callers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!callers.is_empty());
    assert_eq!(page_callers, callers);
    let by_score = cli
        .iter()
        .find(|((n, _), _)| n == "byScore")
        .map(|(_, v)| v.1)
        .unwrap();
    assert!((r["sandwich"]["total"].as_f64().unwrap() / 1000.0 - by_score).abs() < 0.0051);

    // Clicking the "total" header sorts the rows by total time, largest first.
    let totals: Vec<f64> = r["sorted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row[4]
                .as_str()
                .unwrap()
                .trim_end_matches(" ms")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(totals.len() == cli.len(), "{}", r["sorted"]);
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    assert!(totals[0] > totals[totals.len() - 1]);
}

#[test]
fn worker_threads_each_get_a_track_and_their_hot_functions() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path(), &[s(&sample("node-workers"))]);
    let r = check(&html, json!({"chartZoom": true, "drag": [0.2, 0.7]}));
    assert_clean(&r);
    // Three files of one process: one window means the same moments on every thread.
    let d = &r["dragged"];
    let (from, to) = (
        format!("{}us", d["window"]["from"]),
        format!("{}us", d["window"]["to"]),
    );
    let input = sample("node-workers");
    let cli = assert_window_matches(d, &[s(&input), "--from", &from, "--to", &to]);
    assert!(cli.len() > 10);
    assert_eq!(
        hottest(&r, 3),
        ["matrixWorkerLoop", "primesUpTo", "hashWorkerLoop"]
    );
    // The flame chart: one track per thread, and the wheel zooms in (fewer, wider frames).
    let c = &r["chart"];
    assert!(c["tracks"].as_u64().unwrap() == 3, "{c}");
    assert!(
        c["afterSpan"].as_f64().unwrap() < 0.5 * c["beforeSpan"].as_f64().unwrap(),
        "{c}"
    );
    assert!(r["legend"].as_str().unwrap().contains("application"));
    assert!(r["about"]
        .as_str()
        .unwrap()
        .contains(env!("CARGO_PKG_VERSION")));
}

/// A CPU profile recorded by Node of `slowed` taking `k` times as long.
fn record(dir: &Path, k: u32) -> std::path::PathBuf {
    let script = dir.join("work.js");
    fs::write(
        &script,
        "function steady(ms){const e=Date.now()+ms;let x=0;while(Date.now()<e)x+=Math.sqrt(x+1);return x}\n\
         function slowed(ms){const e=Date.now()+ms;let x=0;while(Date.now()<e)x+=Math.sin(x+1);return x}\n\
         const k=Number(process.argv[2]);steady(150);slowed(50*k);\n",
    )
    .unwrap();
    let name = format!("run{k}.cpuprofile");
    // On a loaded machine the sampler can starve; record again (at most twice) if it
    // missed one of the two functions.
    for _ in 0..3 {
        let st = Command::new("node")
            .arg("--cpu-prof")
            .arg(format!("--cpu-prof-dir={}", dir.display()))
            .arg(format!("--cpu-prof-name={name}"))
            .arg(&script)
            .arg(k.to_string())
            .status()
            .expect("runs node");
        assert!(st.success());
        let rows = cli_table(&[s(&dir.join(&name))]);
        if ["steady", "slowed"]
            .iter()
            .all(|f| rows.keys().any(|(n, _)| n == f))
        {
            break;
        }
    }
    dir.join(name)
}

#[test]
fn a_diff_report_colours_a_slowed_function_as_grown() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = record(dir.path(), 1);
    let new = record(dir.path(), 4);
    let html = report(dir.path(), &[s(&new), "--diff", s(&base)]);
    let r = check(&html, json!({"pixels": ["slowed", "steady"]}));
    assert_clean(&r);
    let [sr, _, sb] = serde_json::from_value::<[u8; 3]>(r["pixels"]["slowed"].clone()).unwrap();
    assert!(sr as i32 > sb as i32 + 40, "slowed is red: {}", r["pixels"]);
    let [tr, _, tb] = serde_json::from_value::<[u8; 3]>(r["pixels"]["steady"].clone()).unwrap();
    assert!(
        tb as i32 > tr as i32 + 20,
        "steady shrank (blue): {}",
        r["pixels"]
    );
    // The table has base, new and Δ.
    let row = |name: &str| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .cloned()
            .unwrap()
    };
    let slowed = row("slowed");
    assert!(
        slowed["total"].as_f64().unwrap() > 1.2 * slowed["btotal"].as_f64().unwrap(),
        "{slowed}"
    );
    let head = r["tableText"][0].as_array().unwrap().len();
    assert_eq!(
        head, 11,
        "#, function, self, self %, total, total %, 4 base/Δ columns, location"
    );
    assert!(r["legend"].as_str().unwrap().contains("grew"));
}

const HOSTILE: &[&str] = &[
    "</script><script>window.__pwned=1;alert(1)</script>",
    "<img src=x onerror=\\\"window.__pwned=1;alert(2)\\\">",
    "<!--<script>window.__pwned=1</script>",
];

#[test]
fn hostile_names_show_as_text_and_run_nothing() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = vec![format!(
        r#"{{"id":1,"callFrame":{{"functionName":"(root)","url":""}},"children":[{}]}}"#,
        (2..2 + HOSTILE.len())
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
    let samples: Vec<String> = (2..2 + HOSTILE.len())
        .flat_map(|i| [i, i])
        .map(|i| i.to_string())
        .collect();
    let deltas = vec!["100"; samples.len()].join(",");
    let json = format!(
        r#"{{"nodes":[{}],"startTime":0,"endTime":0,"samples":[{}],"timeDeltas":[{deltas}]}}"#,
        nodes.join(","),
        samples.join(",")
    );
    let a = dir.path().join("a<script>alert(9)<!--.cpuprofile");
    let b = dir.path().join("b.cpuprofile");
    fs::write(&a, &json).unwrap();
    fs::write(&b, &json).unwrap();
    let title = "</title><script>window.__pwned=1</script>";
    let html = report(dir.path(), &["--title", title, s(&a), s(&b)]);
    let text = fs::read_to_string(&html).unwrap();
    assert_eq!(
        text.matches("<script").count(),
        2,
        "no script element from the profile"
    );
    let r = check(
        &html,
        json!({"search": "pwned", "select": "<img src=x onerror=\"window.__pwned=1:alert(2)\">"}),
    );
    assert_clean(&r);
    assert_eq!(r["title"], title);
    assert_eq!(r["heading"], title);
    let cells = r["tableText"].to_string();
    for evil in [
        "</script><script>window.__pwned=1:alert(1)</script>",
        "<!--<script>window.__pwned=1</script>",
    ] {
        assert!(
            cells.contains(&serde_json::to_string(evil).unwrap()),
            "{evil} shows as text: {cells}"
        );
    }
    assert!(cells.contains("javascript:window.__pwned=1"), "{cells}");
    assert!(r["frames"]
        .to_string()
        .contains("a<script>alert(9)<!--.cpuprofile"));
    assert!(r["sandwich"]["total"].as_f64().unwrap() > 0.0);
    assert_eq!(r["matchedShare"], 100.0);
}

#[test]
fn the_checker_does_see_script_that_runs() {
    // A control: a page that does run script must be reported, or the test above proves nothing.
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("bad.html");
    fs::write(
        &html,
        r#"<!DOCTYPE html><body><canvas id="flame"></canvas><p id="window"></p><p id="title"></p><p id="about"></p><p id="legend"></p>
<img src="x" onerror="window.__pwned=1">
<script>window.cpuflameReport={flameFrames:()=>[],zoomed:()=>'',total:()=>0,rows:()=>[],window:()=>null,timings:()=>({}),idle:()=>true};alert(1);document.body.dataset.ready='1'</script>"#,
    )
    .unwrap();
    let r = check(&html, json!({}));
    assert_eq!(r["pwned"], true, "{r}");
    assert_eq!(r["dialogs"], json!(["1"]), "{r}");
}

/// The model inside a report, decoded as the page decodes it.
fn model_of(html: &str) -> Value {
    let start = html.find(r#"id="model">"#).expect("model element") + r#"id="model">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    let b64 = html[start..end].trim();
    assert!(
        b64.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c)),
        "the payload is plain base64"
    );
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    } as u32;
    let mut bytes = Vec::new();
    for chunk in b64.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != b'=')
            .fold(0u32, |n, (i, &c)| n | val(c) << (18 - 6 * i));
        let keep = chunk.iter().filter(|&&c| c != b'=').count() - 1;
        bytes.extend_from_slice(&n.to_be_bytes()[1..1 + keep]);
    }
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut json)
        .unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn the_model_holds_the_fold_and_its_timeline() {
    // No browser needed: the embedded model against the command line's numbers.
    let input = sample("chrome/page-worker.trace.json");
    let html = String::from_utf8(run(&[s(&input), "-q", "-f", "html"])).unwrap();
    let m = model_of(&html);
    let folded = cli_folded(&[s(&input)]);
    let total: f64 = folded.iter().map(|(_, w)| w).sum();
    let selfw: f64 = m["self"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((selfw - total).abs() < 1e-6 * total, "{selfw} vs {total}");
    // Every source's runs add up to what it drew, and are spans in time order.
    let mut run_total = 0.0;
    for src in m["sources"].as_array().unwrap() {
        let runs = src["runs"].as_array().unwrap();
        assert!(runs.len() >= 3 * 100, "{}", src["name"]);
        for r in runs.chunks(3) {
            assert!(r[1].as_f64().unwrap() >= 0.0, "gaps are never negative");
            run_total += r[2].as_f64().unwrap();
        }
    }
    assert!(
        (run_total - total).abs() < 1e-6 * total,
        "{run_total} vs {total}"
    );
    assert_eq!(m["sources"].as_array().unwrap().len(), 2);
    assert!(m["strings"]
        .to_string()
        .contains("workerMatMul (worker.js:26:22)"));
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn a_diff_model_holds_both_sides_at_one_scale() {
    // No browser needed: the union tree of a --diff report, base scaled to the input's total.
    let new = sample("node/app.cpuprofile");
    let base = sample("node-inspector/server.cpuprofile");
    let html = String::from_utf8(run(&[s(&new), "--diff", s(&base), "-q", "-f", "html"])).unwrap();
    let m = model_of(&html);
    let sum = |k: &str| -> f64 {
        m[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum()
    };
    let new_total: f64 = cli_folded(&[s(&new)]).iter().map(|(_, w)| w).sum();
    assert!((sum("self") - new_total).abs() < 1e-6 * new_total);
    assert!(
        (sum("base") - new_total).abs() < 1e-3 * new_total,
        "{} vs {new_total}",
        sum("base")
    );
    assert_eq!(
        m["base"].as_array().unwrap().len(),
        m["self"].as_array().unwrap().len()
    );
    // Stacks only in the base are kept, with no weight in the input.
    let only_base = m["self"]
        .as_array()
        .unwrap()
        .iter()
        .zip(m["base"].as_array().unwrap())
        .filter(|(n, b)| n.as_f64() == Some(0.0) && b.as_f64().unwrap() > 0.0)
        .count();
    assert!(only_base > 0);
    assert_eq!(m["baseName"], "server.cpuprofile");
}
