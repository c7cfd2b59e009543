//! The command line, as clap sees it. Nothing here but argument definitions:
//! [`crate::options::Options::from_cli`] validates them.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Turn JavaScript CPU profiles into flame graphs, flame charts, folded stacks and PNGs.
///
/// Reads V8 .cpuprofiles (node --cpu-prof, the inspector, Chrome DevTools, Deno, Bun,
/// workerd), Chrome DevTools traces (every thread), JS Self-Profiling traces and legacy
/// profiles, gzip-compressed or not, from INPUT or standard input (the format is found
/// by content), and writes an interactive flame graph SVG to standard output unless
/// told otherwise.
#[derive(Parser, Debug)]
#[command(name = "cpuflame", version, about, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  cpuflame in.cpuprofile > flame.svg\n  cpuflame --chart in.cpuprofile > chart.svg\n  cpuflame --chart --thread worker profiles/ -o workers.svg\n  cpuflame --list profiles/\n  cpuflame in.cpuprofile -o bug-report.png\n  cpuflame --format folded in.cpuprofile | inferno-flamegraph > out.svg"
)]
pub struct Cli {
    /// Profile files to read; `-` or nothing reads standard input. A directory stands
    /// for its profile files (.cpuprofile, .json, .devtools, .gz; not in subdirectories),
    /// sorted by name.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Write to FILE instead of standard output; the format follows its extension
    /// (.svg, .png, .folded, .txt, .md).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format; overrides the output file's extension.
    #[arg(short, long, value_enum)]
    pub format: Option<FormatArg>,

    /// Draw a flame chart (time runs left to right) instead of a flame graph. With
    /// --format folded: one line per run of identical stacks, earliest first.
    #[arg(long, visible_alias = "flamechart")]
    pub chart: bool,

    /// What widths measure: microseconds of CPU time, or sample counts.
    #[arg(long, value_enum, default_value_t = WeightArg::Time)]
    pub weight: WeightArg,

    /// Keep (idle) in the flame graph (it is left out by default: it is not CPU time).
    #[arg(long)]
    pub idle: bool,

    /// Fold several inputs together, with no root frame per input.
    #[arg(long)]
    pub merge: bool,

    /// Keep only the sources (threads, files) whose name contains PATTERN (ignoring
    /// case), or whose thread id is PATTERN when it is all digits. Repeatable: a source
    /// matching any pattern is kept.
    #[arg(long, value_name = "PATTERN")]
    pub thread: Vec<String>,

    /// Print the sources found (name, pid, tid, samples, duration, idle share, file)
    /// and exit without drawing.
    #[arg(long)]
    pub list: bool,

    /// Title of the picture (default: the input's name).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Subtitle (default: duration, samples, mean interval and idle share).
    #[arg(long, value_name = "TEXT")]
    pub subtitle: Option<String>,

    /// Width of the picture in pixels (default: fills the window for SVG, 1200 for PNG).
    #[arg(long, value_name = "PX")]
    pub width: Option<usize>,

    /// Height of each frame in pixels.
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 16,
        visible_alias = "height"
    )]
    pub frame_height: usize,

    /// Font size in pixels.
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 12,
        visible_alias = "fontsize"
    )]
    pub font_size: usize,

    /// Font family for labels.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "monospace",
        visible_alias = "fonttype"
    )]
    pub font_type: String,

    /// Leave out frames narrower than this percentage of the width.
    #[arg(
        long,
        value_name = "PERCENT",
        default_value_t = 0.1,
        visible_alias = "minwidth"
    )]
    pub min_width: f64,

    /// Icicle graph: root at the top, stacks growing down.
    #[arg(long)]
    pub inverted: bool,

    /// Callers view: reverse every stack, merging by the leaf function.
    #[arg(long)]
    pub reverse: bool,

    /// Keep only samples whose stack has a frame whose label (`name (file:line:col)`)
    /// matches REGEX. Repeatable: any pattern may match.
    #[arg(long, value_name = "REGEX", help_heading = "Questions")]
    pub include: Vec<String>,

    /// Drop samples whose stack has a frame whose label matches REGEX. Repeatable.
    #[arg(long, value_name = "REGEX", help_heading = "Questions")]
    pub exclude: Vec<String>,

    /// Keep only samples passing through a frame matching REGEX, re-rooted at the first
    /// (root-most) such frame. Repeatable.
    #[arg(long, value_name = "REGEX", help_heading = "Questions")]
    pub focus: Vec<String>,

    /// Remove frames matching REGEX from every stack, giving their time to the caller.
    /// Repeatable.
    #[arg(long, value_name = "REGEX", help_heading = "Questions")]
    pub hide: Vec<String>,

    /// Only samples from TIME after the first sample (`1.5s`, `200ms`, `350us`).
    /// A sample straddling the edge counts for its part inside.
    #[arg(long, value_name = "TIME", help_heading = "Questions")]
    pub from: Option<String>,

    /// Only samples up to TIME after the first sample (`1.5s`, `200ms`, `350us`).
    #[arg(long, value_name = "TIME", help_heading = "Questions")]
    pub to: Option<String>,

    /// Leave out (program) samples (time in the VM with no JavaScript on the stack).
    #[arg(long, help_heading = "Questions")]
    pub no_program: bool,

    /// Leave out (garbage collector) samples.
    #[arg(long, help_heading = "Questions")]
    pub no_gc: bool,

    /// Draw (garbage collector) on top of the stack it interrupted (true, DevTools'
    /// rule) or as a root-level frame (false).
    #[arg(
        long,
        value_name = "BOOL",
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        help_heading = "Questions"
    )]
    pub gc_on_stack: bool,

    /// Long gaps between samples (runtimes that take no samples while idle: Bun,
    /// workerd): `keep` charges them to the stack sampled before (DevTools), `idle`
    /// charges the part beyond 10 x the median interval to (idle).
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = GapsArg::Keep, help_heading = "Questions")]
    pub gaps: GapsArg,

    /// One frame per node_modules package (`lodash`, `@scope/pkg`), its internal
    /// frames merged.
    #[arg(long, help_heading = "Questions")]
    pub fold_packages: bool,

    /// Merge direct recursion (`fib;fib;fib` becomes `fib`).
    #[arg(long, help_heading = "Questions")]
    pub collapse_recursion: bool,

    /// Split each function's self time by source line, as child frames `fn:LINE`
    /// (from positionTicks, or the trace's per-sample lines).
    #[arg(long, help_heading = "Questions")]
    pub lines: bool,

    /// Differential flame graph of INPUT against BASE (any accepted format): widths from
    /// INPUT, red where a frame grew, blue where it shrank, normalised by total time.
    /// With --format folded: `stack BASE_WEIGHT INPUT_WEIGHT` lines.
    #[arg(long, value_name = "BASE", help_heading = "Questions")]
    pub diff: Option<PathBuf>,

    /// Rows of --format table (default 25).
    #[arg(long, value_name = "N", help_heading = "Questions")]
    pub top: Option<usize>,

    /// Colours: `default`, or `colorblind` (Okabe–Ito hues, safe for colour-blind readers).
    #[arg(long, value_enum, value_name = "NAME", default_value_t = PaletteArg::Default)]
    pub palette: PaletteArg,

    /// PNG scale relative to the SVG's pixel size.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.5)]
    pub png_scale: f32,

    /// Do not print warnings about repaired input.
    #[arg(short, long)]
    pub quiet: bool,

    /// Treat every repair of bad input (skipped samples, reordered times, orphan
    /// nodes) as an error.
    #[arg(long)]
    pub strict: bool,

    /// Memory budget: stop with a one-line error instead of exhausting the
    /// machine when the run would need more than SIZE (e.g. 512M, 4G; K, M, G,
    /// T are powers of 1024). Default: three quarters of the machine's memory
    #[arg(long, value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub max_memory: Option<u64>,
}

/// `--format` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// Interactive SVG (click to zoom, Ctrl-F to search).
    Svg,
    /// PNG picture.
    Png,
    /// Folded stacks text (`a;b;c WEIGHT`).
    Folded,
    /// Markdown table of the top functions by self time (see --top).
    Table,
}

/// `--gaps` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GapsArg {
    /// Charge the whole gap to the stack sampled before it (DevTools).
    Keep,
    /// Charge the part beyond 10 x the median interval to (idle).
    Idle,
}

/// `--palette` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaletteArg {
    /// Warm application code, blue dependencies, green runtime, yellow natives.
    Default,
    /// Okabe–Ito hues, distinguishable with every common colour-vision deficiency.
    #[value(alias = "colourblind")]
    Colorblind,
}

/// `--weight` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightArg {
    /// Microseconds, as Chrome DevTools measures them.
    Time,
    /// Sample counts.
    Samples,
}
