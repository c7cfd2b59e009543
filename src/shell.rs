//! Shell integration: `cpuflame completions SHELL` and `cpuflame man`, both
//! generated from the clap definitions in [`crate::cli`] (`clap_complete`,
//! `clap_mangen`), so they can never disagree with `--help`.

use std::io::Write;

use clap::{CommandFactory, Subcommand, ValueEnum};

use crate::error::{Error, Result};

/// The shell-integration subcommands.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum ShellCommand {
    /// Print a completion script for SHELL to standard output.
    ///
    /// bash: `cpuflame completions bash > ~/.local/share/bash-completion/completions/cpuflame`;
    /// zsh: `cpuflame completions zsh > ~/.zfunc/_cpuflame` (with `fpath+=~/.zfunc` before
    /// `compinit`); fish: `cpuflame completions fish > ~/.config/fish/completions/cpuflame.fish`;
    /// PowerShell: `cpuflame completions powershell | Out-String | Invoke-Expression` in $PROFILE.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff) to standard output.
    ///
    /// `cpuflame man > ~/.local/share/man/man1/cpuflame.1`, or read it at once with
    /// `cpuflame man | man -l -`.
    Man,
}

/// Shells with completion scripts.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    #[value(alias = "pwsh")]
    Powershell,
}

/// Write what `command` asks for to `out`.
pub fn run(command: &ShellCommand, out: &mut dyn Write) -> Result<()> {
    let mut cmd = crate::cli::Cli::command();
    let write_err = |source: std::io::Error| Error::Write {
        output: "standard output".into(),
        source,
    };
    let mut buf = Vec::new();
    match command {
        ShellCommand::Completions { shell } => {
            use clap_complete::{generate, shells};
            let name = cmd.get_name().to_string();
            match shell {
                Shell::Bash => generate(shells::Bash, &mut cmd, name, &mut buf),
                Shell::Zsh => generate(shells::Zsh, &mut cmd, name, &mut buf),
                Shell::Fish => generate(shells::Fish, &mut cmd, name, &mut buf),
                Shell::Powershell => generate(shells::PowerShell, &mut cmd, name, &mut buf),
            }
        }
        ShellCommand::Man => clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .map_err(write_err)?,
    }
    out.write_all(&buf)
        .and_then(|_| out.flush())
        .map_err(write_err)
}
