//! `supc render`: write the config back as native supervisord INI.

mod findings;
mod yaml;

use super::InputArgs;
use crate::emit::ini::render_flat;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = super::EXIT_CODES_RENDER)]
pub struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    mode: super::ModeArgs,
    /// Write to this file instead of stdout.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        conflicts_with = "keep_includes"
    )]
    output: Option<PathBuf>,
    /// Keep the file layout: write the main file and every included file,
    /// each normalized, under --out-dir.
    #[arg(long, requires = "out_dir")]
    keep_includes: bool,
    /// Where --keep-includes writes the tree (YAML: where --all-hosts
    /// writes one HOST.conf per host).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// YAML: an Ansible inventory (YAML or INI file, a directory of them,
    /// or `host1,host2,`), read as ansible-inventory reads it (ranges,
    /// group_vars/ and host_vars/ beside it); repeat for several.
    #[arg(long, short = 'i', value_name = "SOURCE")]
    inventory: Vec<PathBuf>,
    /// YAML: render for this inventory host.
    #[arg(long, value_name = "NAME", conflicts_with = "all_hosts")]
    host: Option<String>,
    /// YAML: render every inventory host into --out-dir (nothing is written
    /// if one host fails).
    #[arg(long)]
    all_hosts: bool,
    /// YAML: a YAML file of variables (over inventory variables).
    #[arg(long, value_name = "FILE")]
    vars_file: Option<PathBuf>,
    /// YAML: a variable for the template (over everything else).
    #[arg(long = "var", value_name = "K=V", value_parser = super::parse_env)]
    vars: Vec<(String, String)>,
    /// YAML: render and check, write nothing.
    #[arg(long)]
    check: bool,
    /// YAML: only these lint rules (codes or names, as for `check`).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// YAML: skip these lint rules (codes or names, as for `check`).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// YAML: how findings are shown (default: github under GitHub
    /// Actions, else human). Machine formats go to stdout, so they need
    /// --check, -o or --out-dir.
    #[arg(long, value_enum)]
    format: Option<findings::Format>,
    /// YAML: lowest finding severity that fails the render (default: error).
    #[arg(long, value_enum)]
    fail_on: Option<findings::Level>,
    /// The main config file (`.yaml`/`.yml`: a supc.yaml spec).
    file: String,
}

pub fn run(args: &RenderArgs) -> i32 {
    if let Err(e) = args.input.refuse_assume_env("render") {
        eprintln!("supc: {e}");
        return 2;
    }
    // A mistyped rule would silently select or ignore nothing.
    for list in [&args.select, &args.ignore] {
        if let Err(e) = crate::lint::settings::check_names(list) {
            eprintln!("supc: {e}");
            return 2;
        }
    }
    if crate::yaml::is_yaml_path(&args.file) {
        return yaml::run(&yaml::YamlArgs {
            input: &args.input,
            file: &args.file,
            output: args.output.as_deref(),
            out_dir: args.out_dir.as_deref(),
            inventory: &args.inventory,
            host: args.host.as_deref(),
            all_hosts: args.all_hosts,
            vars_file: args.vars_file.as_deref(),
            vars: &args.vars,
            check: args.check,
            select: &args.select,
            ignore: &args.ignore,
            format: findings::resolve_format(args.format),
            fail_on: args
                .fail_on
                .map_or(crate::diagnostic::Severity::Error, Into::into),
            snippet: args.mode.snippet,
        });
    }
    let host = args.input.host();
    let loaded = crate::load::load(&args.file, &host, args.mode.snippet);
    if loaded.main.is_none() {
        let msg = loaded
            .diagnostics
            .first()
            .map_or("", |d| d.message.as_str());
        eprintln!("supc: {msg}");
        return 2;
    }
    // Files supervisord cannot even lex (or an [include] it refuses) have
    // no model to write back.
    let fatal: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    if !fatal.is_empty() {
        eprint!("{}", crate::report::human::render(&fatal, &loaded.sources));
        eprintln!("supc: not rendered: supervisord cannot read this config");
        return 1;
    }
    if args.keep_includes {
        return write_tree(
            &loaded,
            args.out_dir.as_deref().unwrap_or(std::path::Path::new(".")),
        );
    }
    // Where the result will live decides where `%(here)s` still fits.
    let out_dir = match &args.output {
        Some(path) => {
            let abs = crate::python::path::abspath(&path.to_string_lossy(), &host.cwd);
            crate::python::path::dirname(&abs).to_string()
        }
        None => host.cwd.clone(),
    };
    let text = render_flat(&loaded, &out_dir);
    match &args.output {
        None => super::print_stdout(&text),
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("supc: {}: {e}", path.display());
                return 2;
            }
        }
    }
    0
}
/// `--keep-includes`: every file of the config, normalized, under `dir`.
fn write_tree(loaded: &crate::load::Loaded, dir: &std::path::Path) -> i32 {
    let files = match crate::emit::ini::render_files(loaded) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    for (rel, text) in files {
        let path = dir.join(&rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("supc: {}: {e}", path.display());
            return 2;
        }
    }
    0
}
