//! The `cpuflame` command: parse arguments, run, report.

use clap::Parser;

use cpuflame::{
    app,
    cli::{Cli, Command},
    options::Options,
    output, shell,
};

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Shell(command)) = &cli.command {
        if let Err(e) = shell::run(command, &mut std::io::stdout()) {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
        return;
    }
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
            if !report.grown.is_empty() {
                for g in &report.grown {
                    eprintln!("cpuflame: grown: {g}");
                }
                std::process::exit(cpuflame::gate::EXIT_GROWN);
            }
        }
        // A closed standard output is how a pipeline ends (`cpuflame x | head`):
        // exit quietly with status 0, as ripgrep does.
        Err(e) if e.is_closed_pipe() => std::process::exit(0),
        Err(e) => {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
