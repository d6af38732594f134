//! `supc rules` (every code: supervisord's, the YAML front-end's and the
//! lint rules) and `supc rule CODE|NAME` (one code's documentation).

use crate::codes::{Category, Code};
use crate::diagnostic::Severity;
use crate::lint::registry;
use crate::report::docs_path;
use clap::{Args, ValueEnum};
use serde_json::json;

#[derive(Args, Debug)]
#[command(after_help = "Exit codes: 0 listed, 2 usage error.")]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args, Debug)]
#[command(after_help = "Exit codes: 0 shown, 2 no such code or name.")]
pub struct RuleArgs {
    /// A code (SUP102, sup041, YAML003) or name (unknown-key), in any case.
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

/// What a user can do about a code: supervisord's (and the spec's)
/// errors are always reported; everything else can be ignored, re-graded
/// and suppressed.
fn control(c: Code) -> &'static str {
    let always = !c.is_lint() && c.severity() == Severity::Error;
    match (always, c.enabled_by_default()) {
        (true, _) => "always",
        (false, true) => "on",
        (false, false) => "opt-in",
    }
}

pub fn list(args: &RulesArgs) -> i32 {
    if args.format == Format::Json {
        let codes: Vec<_> = Code::ALL
            .iter()
            .map(|&c| {
                json!({"code": c.code(), "name": c.name(), "severity": severity(c.severity()),
                       "category": c.category(), "enabled_by_default": c.enabled_by_default(),
                       "can_be_disabled": control(c) != "always",
                       "summary": c.summary(), "docs": docs_path(c)})
            })
            .collect();
        // `rules`: the lint rules alone (scripts/gen-rule-docs.sh reads it).
        let rules: Vec<_> = Code::ALL
            .iter()
            .zip(&codes)
            .filter(|(c, _)| c.is_lint())
            .map(|(_, v)| v.clone())
            .collect();
        let doc = json!({"codes": codes, "rules": rules});
        super::print_stdout(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        return 0;
    }
    let row = |code: &str, name: &str, sev: &str, cat: &str, on: &str, summary: &str| {
        format!("{code:<7} {name:<36} {sev:<8} {cat:<12} {on:<7} {summary}\n")
    };
    let mut out = row("CODE", "NAME", "SEVERITY", "CATEGORY", "DEFAULT", "SUMMARY");
    for &c in Code::ALL {
        out.push_str(&row(
            c.code(),
            c.name(),
            severity(c.severity()),
            c.category().as_str(),
            control(c),
            c.summary(),
        ));
    }
    out.push_str(
        "\nDEFAULT: always = supervisord refuses the config (cannot be disabled); \
         on = reported unless ignored; opt-in = only when selected.\n",
    );
    super::print_stdout(&out);
    0
}

pub fn show(args: &RuleArgs) -> i32 {
    let Some(c) = Code::lookup(&args.rule) else {
        match Code::closest(&args.rule) {
            Some(s) => eprintln!("supc: no code or rule {:?}; did you mean {s}?", args.rule),
            None => eprintln!(
                "supc: no code or rule {:?}; `supc rules` lists them",
                args.rule
            ),
        }
        return 2;
    };
    let what = match (c.category(), control(c)) {
        (Category::Supervisord, "always") => {
            "One of supervisord's own errors, with its exact message; it cannot be disabled."
        }
        (Category::Supervisord, _) => {
            "One of supervisord's own warnings, with its exact message; it can be ignored, \
             re-graded and suppressed like a lint rule."
        }
        (Category::Spec, _) => "An error of the supc.yaml front-end; it cannot be disabled.",
        // A rule's page says what it is (docs/rules/ holds this output).
        _ => "",
    };
    let what = if what.is_empty() {
        String::new()
    } else {
        format!("{what}\n\n")
    };
    let doc = registry::rule_of(c)
        .map(|m| m.doc)
        .or_else(|| crate::report::docs::of(c))
        .unwrap_or("");
    let opt_in = if c.enabled_by_default() {
        String::new()
    } else {
        format!(" Opt-in: off by default, `--select {}` runs it.", c.name())
    };
    super::print_stdout(&format!(
        "# {} ({})\n\nSeverity: {}. Category: {}.{opt_in}\n\n{}\n\n{what}{}\n",
        c.name(),
        c.code(),
        severity(c.severity()),
        c.category().as_str(),
        c.summary(),
        doc.trim_end()
    ));
    0
}
