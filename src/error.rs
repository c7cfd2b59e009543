//! Errors a user can act on.
//!
//! Every error names what went wrong in one line. The command-line shell
//! prefixes it with the input's name (`in.cpuprofile: ...`), so messages here
//! say *what* is wrong and *where inside the file* (byte offset, node id).

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong between reading a profile and writing a picture.
#[derive(Debug)]
pub enum Error {
    /// The input could not be read (missing file, permission, gzip stream broken).
    Read {
        /// What was being read, as shown to the user.
        input: String,
        /// The underlying failure.
        source: io::Error,
    },
    /// The input is not valid JSON, or not JSON of a shape we understand.
    Json {
        /// What was being read, as shown to the user.
        input: String,
        /// Byte offset of the problem, counted from the start of the (decompressed) document.
        offset: usize,
        /// serde_json's description, without its own "at line L column C" suffix.
        message: String,
        /// Broken JSON (`true`), or valid JSON holding the wrong thing (`false`).
        syntax: bool,
    },
    /// The input is JSON but not a CPU profile, or a profile that is broken in a way
    /// that cannot be repaired (a cycle in the call tree, mismatched array lengths).
    Profile {
        /// What was being read, as shown to the user.
        input: String,
        /// What is wrong, naming node ids or indices where there are some.
        message: String,
    },
    /// The output could not be written.
    Write {
        /// Where it was being written (`standard output` or a path).
        output: String,
        /// The underlying failure.
        source: io::Error,
    },
    /// Options that do not fit together, found after clap's own checks.
    Usage(String),
    /// A repair was needed and `--strict` asked for none.
    Strict {
        /// What was being read.
        input: String,
        /// The warning that `--strict` turned into an error.
        message: String,
    },
}

impl Error {
    /// A profile-shape error for `input`.
    pub fn profile(input: &str, message: impl Into<String>) -> Error {
        Error::Profile {
            input: input.to_string(),
            message: message.into(),
        }
    }

    /// The process exit code for this error: 2 for usage, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Whether this is a write into a pipe whose reader has gone (`| head`).
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    /// A write error for a file path.
    pub fn write_path(path: &std::path::Path, source: io::Error) -> Error {
        Error::Write {
            output: path.display().to_string(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { input, source } => write!(f, "{input}: cannot read: {source}"),
            Error::Json {
                input,
                offset,
                message,
                syntax: true,
            } => write!(f, "{input}: invalid JSON at byte {offset}: {message}"),
            Error::Json {
                input,
                offset,
                message,
                syntax: false,
            } => write!(f, "{input}: unexpected content at byte {offset}: {message}"),
            Error::Profile { input, message } => write!(f, "{input}: {message}"),
            Error::Write { output, source } => write!(f, "cannot write {output}: {source}"),
            Error::Usage(message) => write!(f, "{message}"),
            Error::Strict { input, message } => {
                write!(f, "{input}: {message} (an error because of --strict)")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read { source, .. } | Error::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Convenience alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Describe an output destination for messages.
pub fn describe_output(path: Option<&PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "standard output".to_string(),
    }
}
