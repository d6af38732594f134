//! `supc rules` (the table) and `supc rule CODE|NAME` (one rule's docs).

use crate::codes::CORE_CODES;
use crate::diagnostic::Severity;
use crate::lint::registry;
use clap::{Args, ValueEnum};
use serde_json::json;

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// A rule code (SUP102) or name (unknown-key).
    rule: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn list(args: &RulesArgs) -> i32 {
    if args.format == Format::Json {
        let rules: Vec<_> = registry::RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                json!({"code": m.code, "name": m.name, "severity": severity(m.severity),
                       "category": m.category, "summary": m.summary, "docs": m.docs_path()})
            })
            .collect();
        let core: Vec<_> = CORE_CODES
            .iter()
            .map(|(c, n, s)| json!({"code": c, "name": n, "summary": s}))
            .collect();
        let doc = json!({"rules": rules, "supervisord": core});
        super::print_stdout(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        return 0;
    }
    let mut out = format!(
        "{:<7} {:<36} {:<8} {:<12} {}\n",
        "CODE", "NAME", "SEVERITY", "CATEGORY", "SUMMARY"
    );
    for r in registry::RULES {
        let m = r.meta();
        let cat = serde_json::to_value(m.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<7} {:<36} {:<8} {:<12} {}\n",
            m.code,
            m.name,
            severity(m.severity),
            cat,
            m.summary
        ));
    }
    out.push_str("\nsupervisord's own errors and warnings (always on):\n");
    for (c, n, s) in CORE_CODES {
        out.push_str(&format!("{c:<7} {n:<36} {s}\n"));
    }
    super::print_stdout(&out);
    0
}

pub fn show(args: &RuleArgs) -> i32 {
    if let Some(m) = registry::find(&args.rule) {
        let cat = serde_json::to_value(m.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        super::print_stdout(&format!(
            "# {} ({})\n\nSeverity: {}. Category: {}.\n\n{}\n\n{}\n",
            m.name,
            m.code,
            severity(m.severity),
            cat,
            m.summary,
            m.doc.trim_end()
        ));
        return 0;
    }
    if let Some((c, n, s)) = CORE_CODES
        .iter()
        .find(|(c, n, _)| *c == args.rule || *n == args.rule)
    {
        super::print_stdout(&format!(
            "# {n} ({c})\n\nOne of supervisord's own errors or warnings: {s}.\nsupc reports it with supervisord's exact message; it cannot be disabled.\n"
        ));
        return 0;
    }
    let names = registry::RULES.iter().map(|r| r.meta().name);
    match crate::options::closest(&args.rule, names) {
        Some(s) => eprintln!("supc: no rule {:?}; did you mean {s}?", args.rule),
        None => eprintln!("supc: no rule {:?}; `supc rules` lists them", args.rule),
    }
    2
}
