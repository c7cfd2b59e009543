//! The `cpuflame` command: parse arguments, run, report.

use clap::Parser;

use cpuflame::{app, cli::Cli, options::Options, output};

fn main() {
    let cli = Cli::parse();
    output::remove_temporary_files_on_interrupt();
    let quiet = cli.quiet;
    let result = Options::from_cli(cli).and_then(|opts| app::run(&opts));
    match result {
        Ok(report) => {
            if !quiet {
                for w in report.warnings.iter() {
                    eprintln!("cpuflame: warning: {w}");
                }
                for n in report.warnings.notes() {
                    eprintln!("cpuflame: {n}");
                }
            }
        }
        Err(e) => {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
