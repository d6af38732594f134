//! The command line: one file per subcommand. Raw arguments (clap) are
//! turned into a [`Host`] and options once, here; subcommands get resolved
//! settings. Exit codes: 0 ok, 1 the config is rejected (or has findings at
//! the fail level), 2 usage or I/O error.

mod check;
pub mod completions;
mod convert;
mod ctl;
mod diff;
mod expand;
mod explain;
mod render;
mod rules;
mod run;
mod sample;
mod schema;

use crate::host::Host;
use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "supc",
    version,
    about = "A toolchain for supervisord configuration files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report every error supervisord would raise, and its warnings.
    Check(check::CheckArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Convert between INI and supc.yaml (`--to yaml`: includes resolved, checked to mean the same).
    Convert(convert::ConvertArgs),
    /// Control a running `supc run` (or supervisord) like supervisorctl.
    Ctl(ctl::CtlArgs),
    /// Show what `supervisorctl reread` + `update` would do going from OLD to NEW.
    Diff(diff::DiffArgs),
    /// Print the process instances the config expands to.
    Expand(expand::ExpandArgs),
    /// Explain how processes' names, values and start order came about.
    Explain(explain::ExplainArgs),
    /// Print the man page, or write one per subcommand into DIR.
    Man(completions::ManArgs),
    /// Write the config back as native INI (includes inlined).
    Render(render::RenderArgs),
    /// List the lint rules.
    Rules(rules::RulesArgs),
    /// Show one rule's documentation.
    Rule(rules::RuleArgs),
    /// Run the config's processes in the foreground with supervisord's lifecycle.
    Run(run::RunArgs),
    /// Print a starting config: supervisor's sample, --minimal or --annotated.
    Sample(sample::SampleArgs),
    /// Print the JSON Schema of a JSON output.
    Schema(schema::SchemaArgs),
}

/// Inputs every command that reads a config accepts.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Skip checks that ask this machine (directories, users, plugin
    /// imports), for configs written for another host.
    #[arg(long)]
    pub portable: bool,
    /// Set or override an environment variable seen as %(ENV_K)s.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_env)]
    pub env: Vec<(String, String)>,
    /// The value of %(host_node_name)s (default: this machine's name).
    #[arg(long, value_name = "N")]
    pub host_node_name: Option<String>,
}

impl InputArgs {
    pub fn host(&self) -> Host {
        let mut host = Host::from_process(self.portable);
        for (k, v) in &self.env {
            host.set_env(k, v);
        }
        if let Some(n) = &self.host_node_name {
            host.node_name = n.clone();
        }
        host
    }
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected K=V, got {s:?}")),
    }
}

/// Runs the CLI; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Completions(a) => completions::run_completions(&a),
        Command::Convert(a) => convert::run(&a),
        Command::Ctl(a) => ctl::run(&a),
        Command::Diff(a) => diff::run(&a),
        Command::Expand(a) => expand::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Man(a) => completions::run_man(&a),
        Command::Render(a) => render::run(&a),
        Command::Rules(a) => rules::list(&a),
        Command::Rule(a) => rules::show(&a),
        Command::Run(a) => run::run(&a),
        Command::Sample(a) => sample::run(&a),
        Command::Schema(a) => schema::run(&a),
    }
}

/// Writes to stdout; a closed pipe ends quietly.
pub(crate) fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() || out.flush().is_err() {
        std::process::exit(0);
    }
}
