//! The command line: one file per subcommand. Raw arguments (clap) are
//! turned into a [`Host`] and options once, here; subcommands get resolved
//! settings. Exit codes: 0 ok, 1 the config is rejected (or has findings at
//! the fail level), 2 usage or I/O error.

mod check;
mod check_fixes;
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
mod server;

mod dotenv;

use crate::host::Host;
use clap::{Args, Parser, Subcommand};

/// The exit codes of `expand`, `explain` and `convert`, as their `--help`
/// states them. A config file that cannot be read is supervisord's
/// rejection there (the conformance contract: `"ok": false` is exit 1).
pub(crate) const EXIT_CODES: &str = "Exit codes: 0 ok, 1 the config is rejected \
(supervisord would refuse it), 2 usage error or the config file cannot be read \
(supervisord exits 2 then too).";

/// The exit code of a config that did not resolve: 2 when its main file
/// could not be read at all (supervisord's usage error, exit 2), else 1.
pub(crate) fn rejected_exit(loaded: &crate::load::Loaded) -> i32 {
    if loaded.main.is_none() { 2 } else { 1 }
}

/// `supc render`'s exit codes.
pub(crate) const EXIT_CODES_RENDER: &str = "Exit codes: 0 rendered, 1 refused and nothing \
written (a spec's host config has a finding at or above --fail-on, default error, or supervisord \
cannot even read the files: parse or decode errors), 2 usage error or a file that cannot be read.";

/// `supc diff`'s exit codes (like diff(1): 1 means "they differ").
pub(crate) const EXIT_CODES_DIFF: &str = "Exit codes: 0 no change, 1 changes, 2 usage error, \
a file that cannot be read, or a config supervisord rejects.";

/// `supc check`'s exit codes.
pub(crate) const EXIT_CODES_CHECK: &str = "Exit codes: 0 no finding at the fail level \
(or --exit-zero), 1 findings at the fail level or a config supervisord rejects, \
2 usage error, unknown rule name, nothing to check, or an entry that cannot be read.";

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
    /// Run the language server (LSP over stdio) for editors.
    Server(server::ServerArgs),
}

/// `--fail-on`: the lowest finding severity that fails a run.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for crate::diagnostic::Severity {
    fn from(l: Level) -> Self {
        match l {
            Level::Error => Self::Error,
            Level::Warning => Self::Warning,
            Level::Info => Self::Info,
        }
    }
}

/// Inputs every command that reads a config accepts.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Skip checks that ask this machine (directories, users, plugin
    /// imports, file modes) and read no variable of its environment (only
    /// --env and --env-file), for configs written for another host.
    #[arg(long)]
    pub portable: bool,
    /// Set or override an environment variable seen as %(ENV_K)s.
    #[arg(long = "env", value_name = "K=V", value_parser = parse_env)]
    pub env: Vec<(String, String)>,
    /// Read environment variables from a dotenv file (as docker compose
    /// reads `.env`); --env wins over it.
    #[arg(long, value_name = "FILE", value_parser = parse_env_file)]
    pub env_file: Vec<dotenv::EnvFile>,
    /// Treat every %(ENV_X)s as set (to a placeholder), for configs whose
    /// environment is only known where they run.
    #[arg(long)]
    pub assume_env: bool,
    /// The value of %(host_node_name)s (default: this machine's name;
    /// under --portable, `localhost`).
    #[arg(long, value_name = "N")]
    pub host_node_name: Option<String>,
}

/// How a file is read: main config or conf.d snippet (detected when
/// neither flag is given).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct ModeArgs {
    /// Read the file as a conf.d snippet (no [supervisord] section needed).
    #[arg(long, conflicts_with = "main")]
    pub snippet: bool,
    /// Read the file as a main config ([supervisord] required, [include]
    /// followed), whatever it looks like.
    #[arg(long)]
    pub main: bool,
}

impl ModeArgs {
    /// The forced mode, if any.
    pub fn forced(&self) -> Option<crate::discover::detect::Mode> {
        use crate::discover::detect::Mode;
        match (self.main, self.snippet) {
            (true, _) => Some(Mode::Main),
            (_, true) => Some(Mode::Snippet),
            _ => None,
        }
    }
}

impl InputArgs {
    /// The host every command reads a config against: this machine, with
    /// --env-file and --env on top. Under `--portable` the environment is
    /// only what --env-file and --env give, so every command gives the same
    /// answer on every machine (a CI runner) and names none of its
    /// variables. The one constructor, so no command can get it wrong.
    pub fn host(&self) -> Host {
        self.finish(Host::from_process(self.portable))
    }

    fn finish(&self, mut host: Host) -> Host {
        for f in &self.env_file {
            for (k, v) in &f.0 {
                host.set_env(k, v);
            }
        }
        for (k, v) in &self.env {
            host.set_env(k, v);
        }
        if let Some(n) = &self.host_node_name {
            host.node_name = n.clone();
        }
        host
    }

    /// For commands that write or run a config, where a placeholder value
    /// would end up in the output: `--assume-env` is refused (exit 2)
    /// rather than silently ignored.
    pub fn refuse_assume_env(&self, command: &str) -> Result<(), String> {
        if self.assume_env {
            return Err(format!(
                "--assume-env cannot be used with {command}: it would write placeholder values; \
                 give the variables with --env or --env-file"
            ));
        }
        Ok(())
    }

    /// [`crate::analyze`], with every `%(ENV_X)s` the config's files name
    /// set to a placeholder under `--assume-env`.
    pub fn analyze(
        &self,
        path: &str,
        host: &mut Host,
        snippet: bool,
    ) -> (crate::load::Loaded, crate::resolve::Resolution) {
        let first = crate::analyze(path, host, snippet);
        if !self.assume_env {
            return first;
        }
        let mut added = false;
        for name in env_names(&first.0.sources) {
            if host.env_var(&name).is_none() {
                host.set_env(&name, ASSUMED_ENV_VALUE);
                added = true;
            }
        }
        if added {
            crate::analyze(path, host, snippet)
        } else {
            first
        }
    }
}

/// What `--assume-env` sets an unknown variable to: a number, so that it
/// passes where supervisord wants one (a port, `numprocs`), and a word.
pub const ASSUMED_ENV_VALUE: &str = "1";

/// Every `X` of a `%(ENV_X)` in the files.
fn env_names(sources: &crate::source::SourceMap) -> Vec<String> {
    use crate::python::percent::{Token, lenient};
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (_, f) in sources.files() {
        for token in lenient(&f.text) {
            let Token::Expansion(spec) = token else {
                continue;
            };
            let Some(name) = spec.key.as_deref().and_then(|k| k.strip_prefix("ENV_")) else {
                continue;
            };
            if !name.is_empty() && !name.contains(['\n', '%', '(']) && seen.insert(name.to_string())
            {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Reads an `--env-file` while the arguments are parsed, so a missing or
/// malformed file is a usage error (exit 2).
fn parse_env_file(s: &str) -> Result<dotenv::EnvFile, String> {
    dotenv::read(std::path::Path::new(s)).map(dotenv::EnvFile)
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
        Command::Server(a) => server::run(&a),
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

#[cfg(test)]
mod tests {
    /// `--assume-env` names: each `%(ENV_X)…` expansion once, in order;
    /// an escaped `%%(ENV_X)` is text, not a variable.
    #[test]
    fn env_names_are_the_expansions() {
        let mut sources = crate::source::SourceMap::new();
        let text = "[program:a]\ncommand=/bin/a %(ENV_A)s %%(ENV_B)s %(ENV_A)d\nport=%(ENV_C)s\n";
        sources.add(crate::source::SourceFile::new(
            "a.conf".into(),
            "a.conf".into(),
            text.into(),
        ));
        assert_eq!(super::env_names(&sources), ["A", "C"]);
    }
}
