//! `cpuflame completions SHELL` and `cpuflame man`: generated from the clap
//! definitions, and read by the real shell and man.

mod clients;
mod common;

use std::process::{Command, Stdio};

use clients::{require, run_ok, scratch};

#[test]
fn bash_parses_the_completions_and_they_complete_options() {
    let script = String::from_utf8(run_ok(&["completions", "bash"])).unwrap();
    assert!(script.contains("--fail-if-grown") && script.contains("speedscope"));
    if !require("bash", &["--version"]) {
        return;
    }
    let dir = scratch();
    let file = dir.path().join("cpuflame.bash");
    std::fs::write(&file, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // Source it and ask for completions the way bash would on `cpuflame --form<TAB>`
    // and `cpuflame --format <TAB>`.
    let ask = |words: &str, cword: usize| {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; _cpuflame cpuflame \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let got = ask("cpuflame --form", 1);
    assert_eq!(got.trim(), "--format", "{got}");
    let got = ask("cpuflame --format ''", 2);
    let formats: Vec<&str> = got.split_whitespace().collect();
    for f in [
        "svg",
        "png",
        "folded",
        "table",
        "pprof",
        "json",
        "speedscope",
    ] {
        assert!(formats.contains(&f), "{f} in {formats:?}");
    }
    let got = ask("cpuflame completions ''", 2);
    assert!(got.split_whitespace().any(|w| w == "powershell"), "{got}");
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef cpuflame"),
        ("fish", "complete -c cpuflame"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = String::from_utf8(run_ok(&["completions", shell])).unwrap();
        assert!(script.contains(marker), "{shell}");
        assert!(script.contains("fail-if-grown"), "{shell}");
    }
    let o = common::cpuflame(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_reads_the_manual_page() {
    let page = run_ok(&["man"]);
    assert!(page.starts_with(b".ie"), "roff");
    if !require("man", &["--version"]) {
        return;
    }
    let dir = scratch();
    let file = dir.path().join("cpuflame.1");
    std::fs::write(&file, &page).unwrap();
    let o = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MAN_KEEP_FORMATTING", "0")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        // groff's warnings (-ww) on standard error would name a malformed request.
        .env("MANROFFOPT", "-ww")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    // Plain text once the overstrike is removed.
    let text: String = String::from_utf8_lossy(&o.stdout)
        .split('\u{8}')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                &part[part.char_indices().nth(1).map_or(part.len(), |(j, _)| j)..]
            }
        })
        .collect();
    // Justified text: one space between words.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "NAME",
        "cpuflame - Turn JavaScript CPU profiles",
        "SYNOPSIS",
        "--fail-if-grown",
        "completions",
        "--format",
    ] {
        assert!(text.contains(want), "{want} in the rendered page:\n{text}");
    }
}
