//! The `cpuflame` command: parse arguments, run, report.

use clap::Parser;

use cpuflame::{app, cli::Cli, memory, options::Options, output};

/// Every allocation counted against `--max-memory`; running out is one line
/// and exit 1, not an abort (see `memory`).
#[global_allocator]
static ALLOCATOR: memory::Budgeted = memory::Budgeted;

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
            }
        }
        Err(e) => {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
