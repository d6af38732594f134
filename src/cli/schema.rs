//! `supc schema NAME`: the JSON Schemas of supc's JSON outputs.

use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
#[command(after_help = "Exit codes: 0 printed, 2 usage error.")]
pub struct SchemaArgs {
    /// Which schema.
    #[arg(value_enum)]
    name: Name,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Name {
    /// `supc check --format json`.
    Check,
    /// `supc explain --format json`.
    Explain,
    /// `supc expand --format json` (the oracle contract).
    Expand,
    /// `supc diff --format json`.
    Diff,
    /// The supc.yaml spec (`supc render spec.yaml`), for editor completion.
    SupcYaml,
}

pub fn run(args: &SchemaArgs) -> i32 {
    let text = match args.name {
        Name::Check => crate::report::schema(),
        Name::Explain => crate::explain::schema(),
        Name::Expand => include_str!("../../schemas/expand.schema.json").to_string(),
        Name::Diff => crate::diff::schema(),
        Name::SupcYaml => crate::yaml::spec::schema(),
    };
    super::print_stdout(&text);
    0
}
