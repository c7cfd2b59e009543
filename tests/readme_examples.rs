//! Every example of the README's "Asking questions" block, run as written on
//! the bundled Node sample (`in.cpuprofile`), with the claim in its comment
//! checked (issue 13: the `--lines` example named lines the sample lacks).
//! An example without a check here fails the test, so a new example needs one.

mod common;

use std::fs;

use common::{cpuflame, root, s, sample};

/// Shell-like words: single quotes group, nothing else is special.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The README's examples: (arguments after `cpuflame`, the comment).
fn examples() -> Vec<(Vec<String>, String)> {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Asking questions")
        .nth(1)
        .expect("the section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its code block");
    block
        .lines()
        .filter(|l| l.starts_with("cpuflame "))
        .map(|l| {
            let (cmd, comment) = l.split_once("  # ").expect("a comment");
            (words(cmd)[1..].to_vec(), comment.trim().to_string())
        })
        .collect()
}

fn folded_lines(args: &[String]) -> Vec<String> {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.extend(["-f", "folded"]);
    let o = cpuflame(&a);
    assert!(
        o.status.success(),
        "{a:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn total(lines: &[String]) -> u64 {
    common::folded_total(&lines.join("\n"))
}

#[test]
fn every_readme_question_example_does_what_its_comment_says() {
    let app = sample("node/app.cpuprofile");
    let bun = sample("bun/CPU.20261122.021858.11250.0.001.cpuprofile");
    let dir = tempfile::tempdir().unwrap();
    let full = total(&folded_lines(&[s(&app).to_string()]));
    let examples = examples();
    assert!(examples.len() >= 15, "{examples:?}");
    for (args, comment) in examples {
        // The files the examples name, and no shell redirections.
        let mut run: Vec<String> = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                ">" | ">>" => {
                    it.next();
                }
                "in.cpuprofile" | "before.cpuprofile" | "after.cpuprofile" => {
                    run.push(s(&app).to_string())
                }
                "bun.cpuprofile" => run.push(s(&bun).to_string()),
                "report.png" => run.push(s(&dir.path().join("report.png")).to_string()),
                other => run.push(other.to_string()),
            }
        }
        let shown = args.join(" ");
        let o = cpuflame(&run.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            o.status.success(),
            "{shown}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let first = args[0].as_str();
        let folded = || folded_lines(&run);
        match first {
            "--exclude" => {
                let l = folded();
                assert!(!l.iter().any(|l| l.contains("tiny-lib")), "{shown}");
                assert!(total(&l) < full, "{shown}: {comment}");
            }
            "--include" => {
                assert!(
                    folded().iter().all(|l| l.contains("(src/parse.js:")),
                    "{shown}"
                )
            }
            "--focus" => assert!(
                folded().iter().all(|l| l.starts_with("parseCsv (")),
                "{shown}"
            ),
            "--hide" => {
                let l = folded();
                assert!(!l.iter().any(|l| l.contains("busyFor (")), "{shown}");
                assert_eq!(total(&l), full, "{shown}: the time stays, on the caller");
            }
            "--from" => assert!(
                out.contains("window 200.0 ms – 1.50 s ("),
                "{shown}: {comment}"
            ),
            "--idle" => assert!(folded().iter().any(|l| l.starts_with("(idle) ")), "{shown}"),
            "--no-program" => assert!(
                !folded()
                    .iter()
                    .any(|l| l.contains("(program)") || l.contains("(garbage collector)")),
                "{shown}"
            ),
            "--gc-on-stack=false" => {
                let l = folded();
                let gc: Vec<&String> = l
                    .iter()
                    .filter(|l| l.contains("(garbage collector)"))
                    .collect();
                assert_eq!(gc.len(), 1, "{shown}: one root-level GC frame: {gc:?}");
                assert!(gc[0].starts_with("(garbage collector) "), "{gc:?}");
            }
            "--gaps=idle" => assert!(folded().iter().any(|l| l.starts_with("(idle) ")), "{shown}"),
            "--fold-packages" => {
                let l = folded();
                for pkg in ["tiny-lib", "@acme/util"] {
                    assert!(
                        l.iter().any(|l| l.contains(&format!(";{pkg} "))),
                        "{shown}: {pkg}"
                    );
                }
                assert!(!l.iter().any(|l| l.contains("node_modules/")), "{shown}");
            }
            "--collapse-recursion" => {
                let fib = "fib (src/work.js:3:13)";
                assert!(
                    !folded().iter().any(|l| l.contains(&format!("{fib};{fib}"))),
                    "{shown}"
                );
            }
            "--lines" => {
                // Every `fn:LINE` the comment names is a frame of the sample.
                let l = folded();
                let named: Vec<&str> = comment
                    .split([' ', ','])
                    .filter(|w| w.contains(':') && w.starts_with("fib"))
                    .collect();
                assert!(!named.is_empty(), "{comment}");
                for frame in named {
                    assert!(
                        l.iter()
                            .any(|l| l.contains(&format!("fib (src/work.js:3:13);{frame} "))),
                        "{shown}: no frame {frame} on top of fib"
                    );
                }
            }
            "--diff" if args.contains(&"folded".to_string()) => {
                // `stack BASE INPUT`: two counts per line.
                assert!(out
                    .lines()
                    .all(|l| l.rsplit(' ').take(2).all(|n| n.parse::<u64>().is_ok())));
            }
            "--diff" => assert!(out.contains("<svg"), "{shown}"),
            "-f" => {
                // Markdown: a header, a rule and the top 10 by self time.
                let rows: Vec<&str> = out.lines().filter(|l| l.starts_with('|')).collect();
                assert_eq!(rows.len(), 12, "{shown}: {out}");
                assert!(rows[2].starts_with("| 1 | `fib` |"), "{shown}: {out}");
            }
            "--palette" => {
                let png = fs::read(dir.path().join("report.png")).unwrap();
                assert!(png.starts_with(b"\x89PNG"), "{shown}");
            }
            "--min-width" => {
                let y = |svg: &str, t: &str| -> f64 {
                    let i = svg.find(&format!("<title>{t}")).unwrap();
                    let j = svg[i..].find(" y=\"").unwrap() + i + 4;
                    svg[j..j + svg[j..].find('"').unwrap()].parse().unwrap()
                };
                assert!(
                    y(&out, "total: ") < y(&out, "main ("),
                    "{shown}: root at the top"
                );
            }
            "--reverse" => assert!(
                out.contains("<title>fib (src/work.js:3:13) (228,"),
                "{shown}"
            ),
            other => panic!("README example {shown:?} ({other}) has no check here"),
        }
    }
}

#[test]
fn folded_weights_are_microseconds_and_the_readme_says_countname() {
    // The folded weights are the µs the SVG shows...
    let app = sample("node/app.cpuprofile");
    let lines = folded_lines(&[s(&app).to_string()]);
    assert_eq!(total(&lines), 1_116_286);
    let svg = String::from_utf8(cpuflame(&[s(&app)]).stdout).unwrap();
    assert!(svg.contains("<title>total: 1.12 s (1,116,286 µs, 100%)</title>"));
    // ...so inferno, told `--countname µs` (its Options::count_name), labels them so.
    let mut opt = inferno::flamegraph::Options::default();
    opt.count_name = "µs".into();
    let mut out = Vec::new();
    inferno::flamegraph::from_lines(&mut opt, lines.iter().map(String::as_str), &mut out).unwrap();
    let drawn = String::from_utf8(out).unwrap();
    assert!(drawn.contains("<title>all (1,116,286 µs, 100%)</title>"));
    // The README tells inferno users to say so, where it shows the pipe.
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("| inferno-flamegraph --countname µs > out.svg"));
    let folded_section = readme.split("## The folded format").nth(1).unwrap();
    assert!(folded_section.contains("inferno-flamegraph --countname µs"));
}

#[test]
fn every_readme_usage_example_does_what_its_comment_says() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("## Usage")
        .nth(1)
        .and_then(|s| s.split("```sh\n").nth(1))
        .and_then(|b| b.split("```").next())
        .expect("the Usage block");
    let dir = tempfile::tempdir().unwrap();
    let workers: Vec<String> = {
        let mut v: Vec<String> = fs::read_dir(sample("node-workers"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "cpuprofile"))
            .map(|p| s(&p).to_string())
            .collect();
        v.sort();
        v
    };
    let mut checked = 0;
    for line in block.lines() {
        let (cmd, comment) = line.split_once("  # ").expect("a comment");
        // The standard-input example needs a server; tests/cli.rs reads standard input.
        let Some(cmd) = cmd.trim().strip_prefix("cpuflame ") else {
            assert!(line.contains("| cpuflame -o live.svg"), "{line}");
            continue;
        };
        let cmd = cmd.split(" | ").next().unwrap();
        let mut run: Vec<String> = Vec::new();
        let mut it = words(cmd).into_iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                ">" => {
                    it.next();
                }
                "in.cpuprofile" => run.push(s(&sample("node/app.cpuprofile")).to_string()),
                "CPU.*.cpuprofile" => run.extend(workers.iter().cloned()),
                "profiles/" => run.push(s(&sample("node-workers")).to_string()),
                "trace.json" => run.push(s(&sample("chrome/page-worker.trace.json")).to_string()),
                "bug-report.png" => run.push(s(&dir.path().join("bug.png")).to_string()),
                "report.html" => run.push(s(&dir.path().join("report.html")).to_string()),
                "cpu.pb.gz" => run.push(s(&dir.path().join("cpu.pb.gz")).to_string()),
                other => run.push(other.to_string()),
            }
        }
        let o = cpuflame(&run.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            o.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        if comment.contains("1800 px wide") {
            let png = fs::read(dir.path().join("bug.png")).unwrap();
            assert_eq!(
                u32::from_be_bytes(png[16..20].try_into().unwrap()),
                1800,
                "{line}"
            );
        } else if comment.contains("HTML report") {
            let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
            assert!(html.starts_with("<!DOCTYPE html>"), "{line}");
            assert!(html.contains("default-src 'none'"), "{line}: offline");
        } else if comment.contains("pprof") {
            let pb = fs::read(dir.path().join("cpu.pb.gz")).unwrap();
            assert_eq!(&pb[..2], &[0x1f, 0x8b], "{line}: gzipped profile.proto");
        } else if comment.contains("one root frame per thread") {
            for root in [
                "node pid 11164 main (",
                "node pid 11164 worker 1 (",
                "node pid 11164 worker 2 (",
            ] {
                assert!(out.contains(&format!("<title>{root}")), "{line}: {root}");
            }
        } else if comment.contains("one band per thread") {
            assert!(out.contains("data-bands=\"3\""), "{line}");
            assert!(
                out.contains("id=\"cpuflame-axis\""),
                "{line}: one time axis"
            );
        } else if comment.contains("the threads a file holds") {
            assert!(out.starts_with("name "), "{out}");
            assert!(
                out.contains("CrRendererMain (pid 19363)") && out.contains("53.1%"),
                "{out}"
            );
        } else if cmd.contains("--format folded") {
            assert_eq!(
                total(&out.lines().map(String::from).collect::<Vec<_>>()),
                1_116_286
            );
        } else if comment.contains("flame chart") {
            assert!(
                out.contains(">Flame chart: app.cpuprofile</text>"),
                "{line}"
            );
        } else if comment.contains("interactive flame graph") {
            assert!(
                out.contains(">Flame graph: app.cpuprofile</text>")
                    && out.contains("function zoom(")
            );
        } else {
            panic!("README usage example {line:?} has no check here");
        }
        checked += 1;
    }
    assert_eq!(checked, 9);
}
