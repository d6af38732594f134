//! `supc check`'s raw flags (clap). [`super::plan`] validates them once
//! into what the run needs.

pub use super::super::Level;
use super::super::{InputArgs, ModeArgs};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = super::super::EXIT_CODES_CHECK)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub mode: ModeArgs,
    /// Output format (default: github under GitHub Actions, else human).
    #[arg(long, value_enum, visible_alias = "output-format")]
    pub format: Option<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Colour the human report: auto (a terminal, and NO_COLOR unset),
    /// always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// After the findings, count them per code.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when findings reach the fail level (2 still means the
    /// run could not read everything).
    #[arg(long)]
    pub exit_zero: bool,
    /// Only the findings: no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also list the files a directory walk skipped, and why.
    #[arg(long, short)]
    pub verbose: bool,
    /// Only these rules (codes or names, comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Run these rules too, on top of --select or the default set (how an
    /// opt-in rule such as runs-as-root joins the defaults).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Skip these rules (codes or names).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest finding severity that fails the run (default: error).
    #[arg(long, value_enum)]
    pub fail_on: Option<Level>,
    /// Use this settings file instead of the nearest .supc.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Globs (gitignore syntax) a directory walk skips, replacing the
    /// default list (node_modules, __pycache__, venv).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Globs skipped in addition to --exclude (or the default list).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,
    /// Apply the excludes and the supervisord-config detection to paths
    /// named on the command line too (for pre-commit, which names files).
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,
    /// The name of the file read from standard input (`-`): shown in
    /// findings, used for snippet detection and to resolve includes.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Check the one file given as if it lived at DEST: includes,
    /// %(here)s and snippet detection follow DEST (validate hooks check a
    /// temporary copy).
    #[arg(long = "as", value_name = "DEST")]
    pub as_path: Option<PathBuf>,
    #[command(flatten)]
    pub fixes: super::super::check_fixes::FixArgs,
    /// Config files (INI, or a supc.yaml spec without template variables),
    /// directories (walked for *.conf and *.ini that look like supervisord
    /// configs), or `-` for standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Rendered findings with the config lines they are about.
    Human,
    /// One line each: `path:line:col: CODE severity message`.
    Concise,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}
