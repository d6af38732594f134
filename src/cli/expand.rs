//! `supc expand`: the process instances, as a table or the oracle's JSON.

use super::{InputArgs, ModeArgs};
use crate::emit::json;
use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
#[command(after_help = super::EXIT_CODES)]
pub struct ExpandArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    mode: ModeArgs,
    /// The main config file.
    file: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

pub fn run(args: &ExpandArgs) -> i32 {
    let mut host = args.input.host();
    let (loaded, res) = args.input.analyze(&args.file, &mut host, args.mode.snippet);
    let Some(config) = &res.config else {
        let msg = res.first_error().map_or("", |d| d.message.as_str());
        if args.format == Format::Json {
            let v = json::rejection(msg);
            super::print_stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
        } else {
            eprintln!("Error: {msg}");
        }
        return super::rejected_exit(&loaded);
    };
    match args.format {
        Format::Json => {
            // Indented for a person at a terminal, compact for programs.
            let pretty = std::io::IsTerminal::is_terminal(&std::io::stdout());
            // Straight to the descriptor when it can be shared: Rust's
            // stdout is line-buffered and looks for a newline in every
            // write, which costs a scan of the whole output.
            let direct = std::os::fd::AsFd::as_fd(&std::io::stdout()).try_clone_to_owned();
            let ok = match direct {
                Ok(fd) => write_json(config, std::fs::File::from(fd), pretty),
                Err(_) => write_json(config, std::io::stdout().lock(), pretty),
            };
            if !ok {
                // A closed pipe (e.g. `| head`) ends quietly.
                return 0;
            }
            // Freeing hundreds of thousands of processes one by one is
            // wasted work right before exit.
            std::mem::forget(res);
            std::mem::forget(loaded);
            return 0;
        }
        Format::Table => super::print_stdout(&table(config, &loaded, &host.cwd)),
    }
    0
}

/// The config's JSON and a newline; `false` when writing failed.
fn write_json(config: &crate::model::Config, out: impl std::io::Write, pretty: bool) -> bool {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    json::write_config(config, &mut out, pretty).is_ok()
        && std::io::Write::write_all(&mut out, b"\n").is_ok()
        && std::io::Write::flush(&mut out).is_ok()
}

/// namespec, command, priority, autostart, source.
fn table(config: &crate::model::Config, loaded: &crate::load::Loaded, cwd: &str) -> String {
    let mut rows = vec![[
        "NAME".to_string(),
        "PRIORITY".into(),
        "AUTOSTART".into(),
        "SOURCE".into(),
        "COMMAND".into(),
    ]];
    for g in &config.groups {
        for p in &g.processes {
            rows.push([
                p.full_name(),
                p.priority.to_string(),
                p.autostart.to_string(),
                loaded.sources.short_location(p.span, cwd),
                p.command().replace('\n', " "),
            ]);
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        for (i, w) in widths.iter().enumerate() {
            out.push_str(&format!("{:<w$}  ", r[i]));
        }
        out.push_str(&r[4]);
        out.push('\n');
    }
    out
}
