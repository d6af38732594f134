//! `supc explain`: how each process's name, values and start order came
//! about.

use super::InputArgs;
use crate::explain::{Explanation, explain, select};
use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
#[command(after_help = super::EXIT_CODES)]
pub struct ExplainArgs {
    #[command(flatten)]
    input: InputArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    mode: super::ModeArgs,
    /// The main config file.
    file: String,
    /// Processes: `web_03`, `web:web_03`, `web:*`, a program name or a
    /// glob (default: all).
    names: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

pub fn run(args: &ExplainArgs) -> i32 {
    let mut host = args.input.host();
    let (loaded, res) = args.input.analyze(&args.file, &mut host, args.mode.snippet);
    let Some(config) = &res.config else {
        let msg = res.first_error().map_or("", |d| d.message.as_str());
        eprintln!("Error: {msg}");
        return super::rejected_exit(&loaded);
    };
    let processes = match select(config, &args.names) {
        Ok(p) => p,
        Err(nf) => {
            eprintln!("supc: no process is named {}", nf.query);
            if let Some(why) = &nf.why {
                eprintln!("  {why}");
            }
            eprintln!("  closest: {}", nf.closest.join(", "));
            return 1;
        }
    };
    let mut explanations = explain(&loaded, config, &host.node_name, &processes);
    // A bare name inside a group works here, not in supervisorctl: say so.
    for (e, p) in explanations.iter_mut().zip(&processes) {
        let note = args
            .names
            .iter()
            .find_map(|typed| crate::explain::namespec_note(p, typed));
        if let Some(n) = note {
            e.notes.insert(0, n);
        }
    }
    match args.format {
        Format::Json => super::print_stdout(
            &(serde_json::to_string_pretty(&explanations).unwrap_or_default() + "\n"),
        ),
        Format::Text => super::print_stdout(&text(&explanations)),
    }
    0
}

fn text(list: &[Explanation]) -> String {
    let mut out = String::new();
    for e in list {
        out.push_str(&format!("{}\n", e.namespec));
        let mut line = |label: &str, text: &str| {
            out.push_str(&format!("  {label:<9} {text}\n"));
        };
        line("section", &format!("[{}] at {}", e.section, e.defined_at));
        if let Some(by) = &e.included_by {
            line("", &format!("read through {by}"));
        }
        line(
            "name",
            &format!("process_name={} → {}", e.name_template, e.name),
        );
        line("", &format!("process_num: {}", e.process_num_origin));
        line("group", &format!("{} — {}", e.group, e.group_reason));
        line(
            "start",
            &format!(
                "#{} of {}: {}",
                e.start_position, e.start_total, e.start_reason
            ),
        );
        for x in &e.expansions {
            line(&x.key, &x.written);
            line("", &format!("→ {}", x.expanded));
            for v in &x.variables {
                line("", &format!("  {} = {:?} ({})", v.name, v.value, v.origin));
            }
        }
        for n in &e.notes {
            line("note", n);
        }
        out.push('\n');
    }
    out
}
