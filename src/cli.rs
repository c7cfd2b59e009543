//! The command line, as clap sees it. Nothing here but argument definitions:
//! [`crate::options::Options::from_cli`] validates them.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

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
    after_help = "Examples:\n  cpuflame in.cpuprofile > flame.svg\n  cpuflame record -o flame.svg -- node app.js\n  cpuflame attach 4242 --duration 10s -o flame.svg\n  cpuflame --chart in.cpuprofile > chart.svg\n  cpuflame --chart --thread worker profiles/ -o workers.svg\n  cpuflame --list profiles/\n  cpuflame in.cpuprofile -o bug-report.png\n  cpuflame --format folded in.cpuprofile | inferno-flamegraph > out.svg"
)]
pub struct Cli {
    /// A subcommand instead of drawing files: `record` and `attach` profile a live
    /// runtime; `completions` and `man` print shell integration.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Profile files to read; `-` or nothing reads standard input. A directory stands
    /// for its profile files (.cpuprofile, .json, .devtools, .gz; not in subdirectories),
    /// sorted by name.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Write to FILE instead of standard output; the format follows its extension
    /// (.svg, .png, .folded, .txt, .md, .pb.gz, .pprof, .json, .speedscope.json).
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

    /// Rows of --format table and functions of --format json (default 25).
    #[arg(long, value_name = "N", help_heading = "Questions")]
    pub top: Option<usize>,

    /// CI gate, with --diff: exit with status 3 (after writing the output) when INPUT's
    /// total grew by more than PCT percent over BASE's, or, given REGEX, when the self
    /// time of a function whose label matches grew by more than PCT percent after
    /// normalising both totals; each one is printed. Compare profiles of the same
    /// workload: sampling noise is well above 1%.
    #[arg(long, value_name = "PCT[:REGEX]", help_heading = "Questions")]
    pub fail_if_grown: Option<String>,

    /// Colours: `default`, or `colorblind` (Okabe–Ito hues, safe for colour-blind readers).
    #[arg(long, value_enum, value_name = "NAME", default_value_t = PaletteArg::Default)]
    pub palette: PaletteArg,

    /// PNG scale relative to the SVG's pixel size.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.5)]
    pub png_scale: f32,

    /// Source maps: `auto` maps the frames of bundled, minified and compiled
    /// scripts to the code they were built from (maps found through the script's
    /// sourceMappingURL comment, or SCRIPT.map beside it; web URLs are never
    /// fetched); `off` leaves frames as recorded.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = SourceMapsArg::Auto, help_heading = "Source maps")]
    pub source_maps: SourceMapsArg,

    /// Use FILE as the source map of the script its `file` field names (or its own
    /// name without .map). Repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Source maps")]
    pub source_map: Vec<PathBuf>,

    /// Look in DIR for NAME.map of every script NAME (maps deployed apart from their bundles).
    #[arg(long, value_name = "DIR", help_heading = "Source maps")]
    pub source_map_dir: Option<PathBuf>,

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

/// Parse the command line. Every option of the top level also works after
/// `record` and `attach` (`cpuflame record -o out.svg -- node app.js`): they
/// are made global here rather than repeated.
pub fn parse() -> Cli {
    let cmd = Cli::command().mut_args(|a| if a.is_positional() { a } else { a.global(true) });
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `record` and `attach`: profile a live runtime, then draw it with every usual option.
#[derive(Subcommand, Debug)]
pub enum CaptureCommand {
    /// Run COMMAND (node, deno or bun, or a command that starts node itself: npm test, a
    /// script) with profiling on from the first line, and draw every thread of every node
    /// process when it ends (or after --duration, or on Ctrl-C). Its input, output and exit
    /// code pass through.
    #[command(
        after_help = "Examples:\n  cpuflame record -o flame.svg -- node app.js\n  cpuflame record --chart --save profiles/ -- node server.js\n  cpuflame record -- bun app.js"
    )]
    Record {
        /// Capture settings.
        #[command(flatten)]
        capture: CaptureArgs,
        /// The program and its arguments.
        #[arg(
            value_name = "COMMAND",
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        command: Vec<std::ffi::OsString>,
    },
    /// Profile a running runtime for --duration (10s) and draw it. TARGET: the PID of a
    /// node or deno process (its inspector is opened with SIGUSR1 and closed again), an
    /// inspector's HOST:PORT or http://HOST:PORT (node/deno --inspect, workerd
    /// --inspector-addr, Chromium --remote-debugging-port), a ws:// debugger URL, or an
    /// http:// URL with a path that serves a profile. With --list: print the inspector's
    /// targets. An inspector port gives code execution: loopback only unless --remote.
    #[command(
        after_help = "Examples:\n  cpuflame attach 4242 -o flame.svg\n  cpuflame attach 127.0.0.1:9229 --duration 30s --chart -o chart.svg\n  cpuflame attach 127.0.0.1:9222 --list\n  cpuflame attach 127.0.0.1:9222 --target localhost:8080 -o page.svg\n  cpuflame attach 'http://127.0.0.1:3000/profile/cpu?duration=5' -o flame.svg"
    )]
    Attach {
        /// Capture settings.
        #[command(flatten)]
        capture: CaptureArgs,
        /// PID, HOST:PORT, http://HOST:PORT[/PATH] or ws://HOST:PORT/PATH.
        #[arg(value_name = "TARGET")]
        target: String,
        /// Which target of an inspector to profile: part of its title, URL or id.
        #[arg(long = "target", value_name = "PATTERN")]
        target_pattern: Option<String>,
        /// Allow connecting to a non-loopback address (whoever reaches an inspector port can
        /// run code in the process).
        #[arg(long)]
        remote: bool,
    },
}

/// Settings shared by `record` and `attach`.
#[derive(clap::Args, Debug, Clone)]
pub struct CaptureArgs {
    /// Stop profiling after TIME (`10s`, `2m`); `record` then interrupts the program.
    #[arg(long, value_name = "TIME")]
    pub duration: Option<String>,
    /// Sampling interval to ask for (`100us`, `1ms`); runtimes sample somewhat coarser.
    #[arg(long, value_name = "TIME", default_value = "100us")]
    pub interval: String,
    /// Also write each thread's raw profile to DIR (`CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`,
    /// as node --cpu-prof names them) with a `.scripts.json` sidecar of its scripts.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// How long to wait to connect and for each answer of the runtime.
    #[arg(long, value_name = "TIME", default_value = "10s")]
    pub timeout: String,
}

/// Subcommands: each has its own module; with none, cpuflame draws its INPUTs.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// `record` and `attach`: profile a live runtime, then draw.
    #[command(flatten)]
    Capture(CaptureCommand),
    /// Shell completions and the manual page.
    #[command(flatten)]
    Shell(crate::shell::ShellCommand),
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
    /// Gzipped pprof profile.proto, for `go tool pprof`, Pyroscope, Parca (.pb.gz, .pprof).
    Pprof,
    /// JSON summary for scripts and CI: sources, top functions, --diff changes (.json).
    Json,
    /// speedscope's file format: one profile per source, in time order (.speedscope.json).
    Speedscope,
    /// Self-contained HTML report: flame graph, flame chart, table, sandwich, search.
    Html,
}

/// `--source-maps` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceMapsArg {
    /// Find and apply maps.
    Auto,
    /// Leave frames as recorded.
    Off,
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
