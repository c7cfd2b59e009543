//! The `cpuflame` command: parse arguments, run, report.

use cpuflame::{app, capture, cli, options::Options, output};

fn main() {
    let mut cli = cli::parse();
    output::remove_temporary_files_on_interrupt();
    let quiet = cli.quiet;
    let command = cli.command.take();
    let result = Options::from_cli(cli).and_then(|opts| match command {
        None => app::run(&opts).map(|r| (r, 0)),
        Some(c) => capture::command::run(c, &opts),
    });
    match result {
        Ok((report, code)) => {
            if !quiet {
                for w in report.warnings.iter() {
                    eprintln!("cpuflame: warning: {w}");
                }
            }
            if code != 0 {
                std::process::exit(code);
            }
        }
        Err(e) => {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
