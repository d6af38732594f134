//! `supc diff OLD NEW`: what `supervisorctl reread` + `update` would do when
//! supervisord runs OLD and its config file becomes NEW. Exit codes: 0 no
//! change, 1 changes, 2 a config is unreadable or rejected.

use super::{InputArgs, ModeArgs};
use crate::diff::{
    Applies, Diff, DiffDocument, DiffReport, OptionChange, RejectedReport, Rejection, Role,
    SettingChange, Status, VERSION,
};
use clap::{Args, ValueEnum};
use serde_json::Value;

#[derive(Args, Debug)]
#[command(after_help = super::EXIT_CODES_DIFF)]
pub struct DiffArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    mode: ModeArgs,
    /// The config supervisord is running with.
    old: String,
    /// The config it will re-read.
    new: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

fn print_json(doc: &DiffDocument) {
    super::print_stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(doc).unwrap_or_default()
    ));
}

fn rejection(res: &crate::resolve::Resolution) -> String {
    res.first_error()
        .map_or("", |d| d.message.as_str())
        .to_string()
}

pub fn run(args: &DiffArgs) -> i32 {
    let mut host = args.input.host();
    let (_, old_res) = args.input.analyze(&args.old, &mut host, args.mode.snippet);
    // supervisord re-reads NEW with OLD's [supervisord] environment still in
    // its ENV_ expansions.
    let reread_host = old_res
        .config
        .as_ref()
        .map(|c| crate::diff::reread_host(&host, c));
    let mut new_host = reread_host.clone().unwrap_or_else(|| host.clone());
    let (_, new_res) = args
        .input
        .analyze(&args.new, &mut new_host, args.mode.snippet);
    let new_config = crate::diff::reread_config(&new_res);
    let (Some(old), Some(new)) = (&old_res.config, new_config) else {
        let mut errors = Vec::new();
        for (role, file, res, accepted) in [
            (Role::Old, &args.old, &old_res, old_res.config.is_some()),
            (Role::New, &args.new, &new_res, new_config.is_some()),
        ] {
            if !accepted {
                errors.push(Rejection {
                    role,
                    file: file.clone(),
                    error: rejection(res),
                });
            }
        }
        if args.format == Format::Json {
            print_json(&DiffDocument::Rejected(RejectedReport {
                version: VERSION,
                ok: false,
                errors,
            }));
        } else {
            for e in &errors {
                eprintln!("{}: Error: {}", e.file, e.error);
            }
        }
        return 2;
    };

    let mut warnings = Vec::new();
    if new_res.config.is_none() {
        warnings.push(format!(
            "{} is accepted at reread only because supervisord checks its \
             [supervisord] user when it starts; a fresh start would reject it: {}",
            args.new,
            rejection(&new_res)
        ));
    }
    if let Some(h) = &reread_host
        && h.env != host.env
    {
        let (_, fresh) = args.input.analyze(&args.new, &mut host, args.mode.snippet);
        if crate::diff::reread_config(&fresh).is_none() {
            warnings.push(format!(
                "{} is accepted at reread only because supervisord keeps the \
                 [supervisord] environment of {} in its %(ENV_x)s expansions; \
                 a fresh start would reject it: {}",
                args.new,
                args.old,
                rejection(&fresh)
            ));
        }
    }

    let diff = crate::diff::diff(old, new);
    let code = i32::from(!diff.is_empty());
    match args.format {
        Format::Json => print_json(&DiffDocument::Diff(DiffReport::new(
            &args.old, &args.new, diff, warnings,
        ))),
        Format::Table => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            super::print_stdout(&table(&diff));
        }
    }
    code
}

/// A value as the table shows it: JSON, `(none)` for null.
fn show(v: &Value) -> String {
    if v.is_null() {
        "(none)".into()
    } else {
        serde_json::to_string(v).unwrap_or_default()
    }
}

/// `option: old -> new` lines; environments key by key.
fn option_lines(o: &OptionChange, indent: &str, out: &mut String) {
    if let (Value::Object(a), Value::Object(b)) = (&o.old, &o.new)
        && o.option == "environment"
    {
        let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
        for k in keys {
            let (x, y) = (
                a.get(k).unwrap_or(&Value::Null),
                b.get(k).unwrap_or(&Value::Null),
            );
            if x != y {
                out.push_str(&format!(
                    "{indent}environment.{k}: {} -> {}\n",
                    show(x),
                    show(y)
                ));
            }
        }
        return;
    }
    out.push_str(&format!(
        "{indent}{}: {} -> {}\n",
        o.option,
        show(&o.old),
        show(&o.new)
    ));
}

fn setting_lines(title: &str, changes: &[SettingChange], out: &mut String) {
    if changes.is_empty() {
        return;
    }
    out.push_str(title);
    out.push('\n');
    for c in changes {
        let mut head = format!("  [{}]", c.section);
        if let Some(p) = &c.process {
            head.push_str(&format!(" process {p},"));
        }
        match &c.option {
            Some(o) => head.push_str(&format!(" {o}: {} -> {}", show(&c.old), show(&c.new))),
            None if c.old.is_null() => head.push_str(" added"),
            None if c.new.is_null() => head.push_str(" removed"),
            None => head.push_str(" changed"),
        }
        out.push_str(&head);
        out.push('\n');
        let when = match c.applies {
            Applies::Reread => "at reread",
            Applies::Supervisorctl => "at supervisorctl's next run",
            Applies::Reload => "at `supervisorctl reload` or a restart",
            Applies::Start => "only when supervisord starts anew",
        };
        out.push_str(&format!("      applies {when}: {}\n", c.note));
    }
}

/// supervisorctl-like lines (`web: changed`), then the details indented.
fn table(diff: &Diff) -> String {
    let mut out = String::new();
    if diff.groups.is_empty() {
        out.push_str("No config updates to processes\n");
    }
    for g in &diff.groups {
        let status = match g.status {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        };
        out.push_str(&format!("{}: {status}\n", g.name));
        if g.status != Status::Changed {
            continue;
        }
        for o in &g.options {
            option_lines(o, "  ", &mut out);
        }
        for p in &g.processes {
            match p.status {
                Status::Added => out.push_str(&format!("  {}: added\n", p.full_name)),
                Status::Removed => out.push_str(&format!("  {}: removed\n", p.full_name)),
                Status::Changed => {
                    out.push_str(&format!("  {}:\n", p.full_name));
                    for o in &p.options {
                        option_lines(o, "    ", &mut out);
                    }
                }
            }
        }
        for n in &g.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    setting_lines(
        "requires restart (update does not apply these):",
        &diff.requires_restart,
        &mut out,
    );
    setting_lines(
        "applied without restart:",
        &diff.applied_without_restart,
        &mut out,
    );
    let s = diff.summary();
    out.push_str(&format!(
        "{} added, {} changed, {} removed, {} unchanged; {} requiring restart\n",
        s.added, s.changed, s.removed, s.unchanged, s.requires_restart
    ));
    out
}
