//! `supc rules` (the table) and `supc rule CODE|NAME` (one rule's docs).

use crate::codes::Code;
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
                let (m, c) = (r.meta(), r.meta().code);
                json!({"code": c.code(), "name": c.name(), "severity": severity(c.severity()),
                       "category": c.category(), "summary": c.summary(), "docs": m.docs_path()})
            })
            .collect();
        let core: Vec<_> = Code::ALL
            .iter()
            .filter(|c| !c.is_lint())
            .map(|c| json!({"code": c.code(), "name": c.name(), "summary": c.summary()}))
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
        let c = r.meta().code;
        out.push_str(&format!(
            "{:<7} {:<36} {:<8} {:<12} {}\n",
            c.code(),
            c.name(),
            severity(c.severity()),
            c.category().as_str(),
            c.summary()
        ));
    }
    out.push_str("\nsupervisord's own errors and warnings (always on):\n");
    for c in Code::ALL.iter().filter(|c| !c.is_lint()) {
        out.push_str(&format!(
            "{:<7} {:<36} {}\n",
            c.code(),
            c.name(),
            c.summary()
        ));
    }
    super::print_stdout(&out);
    0
}

pub fn show(args: &RuleArgs) -> i32 {
    if let Some(m) = registry::find(&args.rule) {
        let c = m.code;
        super::print_stdout(&format!(
            "# {} ({})\n\nSeverity: {}. Category: {}.\n\n{}\n\n{}\n",
            c.name(),
            c.code(),
            severity(c.severity()),
            c.category().as_str(),
            c.summary(),
            m.doc.trim_end()
        ));
        return 0;
    }
    if let Some(c) = Code::lookup(&args.rule) {
        super::print_stdout(&format!(
            "# {} ({})\n\nOne of supervisord's own errors or warnings: {}.\nsupc reports it with supervisord's exact message; it cannot be disabled.\n",
            c.name(),
            c.code(),
            c.summary()
        ));
        return 0;
    }
    match Code::closest(&args.rule) {
        Some(c) => eprintln!("supc: no rule {:?}; did you mean {}?", args.rule, c.name()),
        None => eprintln!("supc: no rule {:?}; `supc rules` lists them", args.rule),
    }
    2
}
