//! Which files a run reads: the paths given, with directories expanded.
//!
//! A directory stands for the profile files directly inside it (not
//! recursive), sorted by file name, so that Node's
//! `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile` files come out in the
//! order they were written. A file counts as a profile by its name:
//! `.cpuprofile`, `.json`, `.devtools` or `.gz` (which covers
//! `.cpuprofile.gz` and `.json.gz`). Hidden files (`.name`) are left out.
//! Files named one by one are read whatever their name: the importers detect
//! the format by content.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// File name endings that make a file in a directory a profile (compared
/// without regard to ASCII case).
pub const PROFILE_EXTENSIONS: &[&str] = &[".cpuprofile", ".json", ".devtools", ".gz"];

/// Whether a file found in a directory is read as a profile, by its name.
pub fn is_profile_name(name: &str) -> bool {
    if name.starts_with('.') {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    // A capture's `.scripts.json` sidecar (see `model::ScriptInfo`) is not a profile.
    if lower.ends_with(".scripts.json") {
        return false;
    }
    PROFILE_EXTENSIONS
        .iter()
        .any(|ext| lower.len() > ext.len() && lower.ends_with(ext))
}

/// The profile files of `dir`, sorted by file name.
pub fn profiles_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let err = |source: std::io::Error| Error::Read {
        input: dir.display().to_string(),
        source,
    };
    let mut found: Vec<(std::ffi::OsString, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        if !is_profile_name(&name.to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        // Follows symbolic links: a link to a profile counts, a subdirectory does not.
        if path.is_file() {
            found.push((name, path));
        }
    }
    if found.is_empty() {
        return Err(Error::profile(
            &dir.display().to_string(),
            format!(
                "the directory holds no profiles (looked for {} files, not in subdirectories)",
                PROFILE_EXTENSIONS
                    .iter()
                    .map(|e| format!("*{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// One input as the user gave it, with what it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as given (`-` is standard input).
    pub given: PathBuf,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// The files to read: the path itself, or a directory's profiles.
    pub files: Vec<PathBuf>,
}

/// Expand every input: directories become their profile files, everything
/// else stays as given (a missing file is reported when it is read).
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<Input>> {
    inputs
        .iter()
        .map(|p| {
            if p.as_os_str() != "-" && p.is_dir() {
                Ok(Input {
                    given: p.clone(),
                    is_dir: true,
                    files: profiles_in(p)?,
                })
            } else {
                Ok(Input {
                    given: p.clone(),
                    is_dir: false,
                    files: vec![p.clone()],
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names() {
        for yes in [
            "a.cpuprofile",
            "CPU.20250519.000215.90620.0.001.cpuprofile",
            "trace.json",
            "trace.JSON",
            "x.cpuprofile.gz",
            "t.json.gz",
            "Trace.devtools",
        ] {
            assert!(is_profile_name(yes), "{yes}");
        }
        for no in [
            ".hidden.cpuprofile",
            "main.js",
            "README.md",
            ".json",
            "a.cpuprofile.txt",
        ] {
            assert!(!is_profile_name(no), "{no}");
        }
    }

    #[test]
    fn directory_sorted_not_recursive() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.cpuprofile", "a.json", "c.txt", ".d.cpuprofile"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.json")).unwrap();
        std::fs::write(dir.path().join("sub.json").join("e.cpuprofile"), "{}").unwrap();
        let files = profiles_in(dir.path()).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.json", "b.cpuprofile"]);
    }

    #[test]
    fn empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let e = profiles_in(dir.path()).unwrap_err();
        assert!(matches!(e, Error::Profile { .. }));
        assert!(e.to_string().contains("holds no profiles"), "{e}");
    }
}
