//! `supc run FILE`: runs the config's processes in the foreground with
//! supervisord's lifecycle (see [`crate::run`]). Exit codes, as
//! supervisord's: 0 after a clean stop (SIGTERM/SIGINT, `supervisorctl
//! shutdown`), 2 when the config is rejected (at startup or at a restart;
//! with supervisord's `For help, use ... -h` line) and for usage or
//! startup errors (log file, control socket in use...); with
//! `--exit-with-first`, the exit code of the first process that exited
//! (128 + N for a signal).

use super::InputArgs;
use clap::Args;
use std::io::IsTerminal;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes, as supervisord's: 0 after a clean stop, 2 the config is \
rejected, usage or startup error; with --exit-with-first, the first exiting process's \
code (128 + N for signal N)."
)]
pub struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    mode: super::ModeArgs,
    /// Do not colour the process names (also: NO_COLOR, or output not a
    /// terminal).
    #[arg(long)]
    no_color: bool,
    /// Do not echo process output on the console (log files still get it).
    #[arg(long)]
    quiet: bool,
    /// When a process exits, stop everything and exit with its exit code.
    #[arg(long)]
    exit_with_first: bool,
    /// On SIGHUP, apply the config's changes as `supervisorctl reread` +
    /// `update` (only changed groups restart) instead of supervisord's
    /// full restart.
    #[arg(long)]
    sighup_update: bool,
    /// The config file.
    file: String,
}

pub fn run(args: &RunArgs) -> i32 {
    if let Err(e) = args.input.refuse_assume_env("run") {
        eprintln!("supc: {e}");
        return 2;
    }
    if args.input.portable {
        eprintln!("Error: --portable cannot be used with run: it needs this machine's answers");
        return 2;
    }
    let host = args.input.host();
    let (_, res) = crate::analyze(&args.file, &host, args.mode.snippet);
    let Some(config) = res.config.clone() else {
        let msg = res.first_error().map_or("", |d| d.message.as_str());
        usage_error(msg);
        return 2;
    };
    drop(res);
    let color = !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let outcome = crate::run::run(
        config,
        crate::run::RunOptions {
            config_path: args.file.clone(),
            snippet: args.mode.snippet,
            host,
            color,
            quiet: args.quiet,
            exit_with_first: args.exit_with_first,
            sighup_update: args.sighup_update,
        },
    );
    match outcome {
        Ok(code) => code,
        Err(crate::run::RunError::Config(msg)) => {
            usage_error(&msg);
            2
        }
        Err(crate::run::RunError::Startup(msg)) => {
            use std::io::Write;
            let _ = std::io::stderr()
                .lock()
                .write_all(format!("Error: {msg}\n").as_bytes());
            2
        }
    }
}

/// supervisord's `usage`: the error and where help is, in one write (so
/// that nothing printed at the same time lands inside the lines).
fn usage_error(msg: &str) {
    use std::io::Write;
    let text = format!("Error: {msg}\nFor help, use supc run -h\n");
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
