//! One run of cpuflame: import, fold, export, write. The binary is a thin
//! shell over [`run`].

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::export::{self, titles};
use crate::fold;
use crate::import;
use crate::model::{Profile, Warnings};
use crate::options::Options;
use crate::output;

/// What a successful run has to tell the user.
#[derive(Debug, Default)]
pub struct Report {
    /// Repairs made to the input, one sentence each.
    pub warnings: Warnings,
}

/// Read every input, fold, render and write the output.
pub fn run(opts: &Options) -> Result<Report> {
    let mut warnings = Warnings::new();
    let profiles = read_all(opts, &mut warnings)?;
    let folded = fold::fold(&profiles, &opts.fold, &mut warnings);
    drop(profiles);
    if opts.strict {
        if let Some(first) = warnings.iter().next() {
            let (input, message) = first.split_once(": ").unwrap_or(("input", first));
            return Err(Error::Strict {
                input: input.to_string(),
                message: message.to_string(),
            });
        }
    }
    let mut picture = opts.picture.clone();
    let names: Vec<String> = opts
        .inputs
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                "standard input".to_string()
            } else {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string())
            }
        })
        .collect();
    picture.title = opts
        .title
        .clone()
        .unwrap_or_else(|| titles::title(&names, picture.chart));
    picture.subtitle = Some(
        opts.subtitle
            .clone()
            .unwrap_or_else(|| titles::subtitle(&folded, picture.chart, opts.fold.keep_idle)),
    );
    let bytes = export::export(&folded, opts.format, &picture)?;
    output::write_output(opts.output.as_deref(), &bytes)?;
    Ok(Report { warnings })
}

/// Import every input; several files are read in parallel.
fn read_all(opts: &Options, warnings: &mut Warnings) -> Result<Vec<Profile>> {
    let results: Vec<(Result<Vec<Profile>>, Warnings)> = opts
        .inputs
        .par_iter()
        .map(|path| {
            let mut w = Warnings::new();
            let r = import::import_path(path, &mut w);
            (r, w)
        })
        .collect();
    let mut profiles = Vec::new();
    for (r, w) in results {
        warnings.extend(w);
        profiles.extend(r?);
    }
    Ok(profiles)
}
