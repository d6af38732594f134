//! `supc completions SHELL` and `supc man [DIR]`: shell completion scripts
//! and man pages, generated from the clap definitions that parse the command
//! line, so they cannot drift from the flags supc really accepts. Packagers
//! run both at build time (`scripts/build-release.sh` does); a user can also
//! `source <(supc completions bash)`.

use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args, Debug)]
#[command(after_help = "Exit codes: 0 printed, 2 usage error.")]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Args, Debug)]
#[command(after_help = "Exit codes: 0 printed or written, 2 usage error or DIR cannot be written.")]
pub struct ManArgs {
    /// Write supc.1 and one supc-COMMAND.1 per subcommand into DIR (made if
    /// missing) instead of printing supc.1.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Replace man pages that already exist in DIR.
    #[arg(long, requires = "dir")]
    force: bool,
}

/// supc's whole command line as clap sees it, built (subcommands know their
/// `supc-NAME` display names), without clap's `help` subcommand.
pub fn command() -> clap::Command {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut cmd = command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "supc", &mut out);
    out
}

/// One man page per command, the top-level `supc.1` first, then every
/// subcommand (nested ones too) as `supc-NAME.1`: (file name, roff text).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    collect_pages(command(), &mut pages);
    pages
}

fn collect_pages(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    let man = clap_mangen::Man::new(cmd);
    let mut text = Vec::new();
    // Rendering into a Vec cannot fail: the writer never returns an error.
    man.render(&mut text)
        .expect("rendering a man page into memory");
    pages.push((man.get_filename(), text));
    for sub in subcommands {
        collect_pages(sub, pages);
    }
}

pub fn run_completions(args: &CompletionsArgs) -> i32 {
    let script = completion_script(args.shell);
    super::print_stdout(&String::from_utf8_lossy(&script));
    0
}

pub fn run_man(args: &ManArgs) -> i32 {
    let pages = man_pages();
    let Some(dir) = &args.dir else {
        super::print_stdout(&String::from_utf8_lossy(&pages[0].1));
        return 0;
    };
    match write_pages(dir, &pages, args.force) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("supc man: {message}");
            2
        }
    }
}

/// Writes every page into `dir`, each through a temporary file renamed into
/// place. Without `force`, nothing is written when any page already exists.
fn write_pages(dir: &Path, pages: &[(String, Vec<u8>)], force: bool) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if !force {
        let existing: Vec<String> = pages
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|path| path.symlink_metadata().is_ok())
            .map(|path| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "not replacing {} (use --force)",
                existing.join(", ")
            ));
        }
    }
    for (name, text) in pages {
        write_atomically(&dir.join(name), text)
            .map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
    }
    Ok(())
}

fn write_atomically(path: &Path, text: &[u8]) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}
