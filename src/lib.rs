//! # cpuflame
//!
//! Turn JavaScript CPU profiles into flame graphs people can read at a glance.
//!
//! The pipeline, one module each:
//! - [`import`]: every input format becomes [`model::Profile`]s (one per sampled thread);
//! - [`symbolicate`]: frames of bundled code mapped to their sources through source maps;
//! - [`fold`]: samples become weighted, merged stacks, by Chrome DevTools' rules;
//! - [`export`]: folded stacks, inferno SVG flame graphs and charts, resvg PNGs;
//! - [`app`]: one run of the command line over those, writing with [`output`].
//!
//! ```no_run
//! use cpuflame::{fold, import, model::Warnings};
//! let mut warnings = Warnings::new();
//! let profiles = import::import_path("in.cpuprofile".as_ref(), &mut warnings)?;
//! let folded = fold::fold(&profiles, &fold::FoldOptions::default(), &mut warnings);
//! for line in cpuflame::export::folded::graph_lines(&folded) {
//!     println!("{line}");
//! }
//! # Ok::<(), cpuflame::error::Error>(())
//! ```

#![deny(missing_docs)]

pub mod app;
pub mod capture;
pub mod cli;
pub mod error;
pub mod export;
pub mod fold;
pub mod gate;
pub mod hints;
pub mod import;
pub mod memory;
pub mod model;
pub mod options;
pub mod output;
pub mod progress;
pub mod shell;
pub mod symbolicate;
