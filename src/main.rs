//! The `cpuflame` command: parse arguments, run, report.

use cpuflame::{
    app, capture,
    cli::{self, Command},
    memory,
    options::Options,
    output, shell,
};

/// Every allocation counted against `--max-memory`; running out is one line
/// and exit 1, not an abort (see `memory`).
#[global_allocator]
static ALLOCATOR: memory::Budgeted = memory::Budgeted;

fn main() {
    let mut cli = cli::parse();
    if let Some(Command::Shell(command)) = &cli.command {
        if let Err(e) = shell::run(command, &mut std::io::stdout()) {
            eprintln!("cpuflame: error: {e}");
            std::process::exit(e.exit_code());
        }
        return;
    }
    output::remove_temporary_files_on_interrupt();
    let quiet = cli.quiet;
    let command = cli.command.take();
    let result = Options::from_cli(cli).and_then(|opts| match command {
        Some(Command::Capture(c)) => capture::command::run(c, &opts),
        _ => app::run(&opts).map(|r| (r, 0)),
    });
    match result {
        Ok((report, code)) => {
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
            if code != 0 {
                std::process::exit(code);
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
