//! `supc render spec.yaml`: the template rendered per host (inventory
//! hosts, `--host`, or the spec alone), each host's YAML checked like
//! `supc check` checks a config, and the INI written only when every host
//! passes.

use super::findings::{self, Outcome};
use std::path::PathBuf;

/// The options of a YAML render (see [`run`]).
pub struct YamlArgs<'a> {
    pub input: &'a super::InputArgs,
    pub file: &'a str,
    pub output: Option<&'a std::path::Path>,
    pub out_dir: Option<&'a std::path::Path>,
    pub inventory: &'a [PathBuf],
    pub host: Option<&'a str>,
    pub all_hosts: bool,
    pub vars_file: Option<&'a std::path::Path>,
    pub vars: &'a [(String, String)],
    pub check: bool,
    pub select: &'a [String],
    pub ignore: &'a [String],
    pub format: findings::Format,
    pub fail_on: crate::diagnostic::Severity,
    pub snippet: bool,
}

/// One render target: an inventory host, or the spec on its own.
struct Target {
    name: Option<String>,
}

/// `--vars-file` then `--var` (later wins), Ansible's extra vars; what
/// Ansible would warn about in the file goes to `warnings`.
fn extra_vars(
    a: &YamlArgs<'_>,
    warnings: &mut Vec<crate::yaml::inventory::InventoryWarning>,
) -> Result<crate::yaml::template::Vars, String> {
    let mut extra = crate::yaml::template::Vars::new();
    if let Some(p) = a.vars_file {
        extra = crate::yaml::inventory::read_vars_file(p, warnings).map_err(|e| e.to_string())?;
    }
    for (k, v) in a.vars {
        extra.insert(k.clone(), v.clone().into());
    }
    Ok(extra)
}

/// The hosts to render: `--all-hosts`, `--host NAME`, or the spec alone.
fn targets(
    a: &YamlArgs<'_>,
    fleet: Option<&crate::yaml::scope::Fleet>,
) -> Result<Vec<Target>, String> {
    let named = |n: &str| Target {
        name: Some(n.to_string()),
    };
    match (fleet, a.all_hosts, a.host) {
        (None, true, _) => Err("--all-hosts needs an inventory (-i SOURCE)".into()),
        (Some(_), true, _) if a.out_dir.is_none() && !a.check => {
            Err("--all-hosts writes one file per host: give --out-dir DIR (or --check)".into())
        }
        (Some(f), true, _) => Ok(f.inventory.hosts.iter().map(|h| named(&h.name)).collect()),
        (Some(f), false, Some(h)) => {
            if f.inventory.host_index(h).is_none() {
                let known = f.inventory.hosts.iter().map(|x| x.name.as_str());
                let hint = crate::options::closest(h, known)
                    .map_or(String::new(), |c| format!(" (did you mean {c}?)"));
                return Err(format!("host {h} is not in the inventory{hint}"));
            }
            Ok(vec![named(h)])
        }
        (None, false, Some(h)) => Ok(vec![named(h)]),
        (Some(_), false, None) => {
            Err("with an inventory, choose --host NAME or --all-hosts".into())
        }
        (None, false, None) => Ok(vec![Target { name: None }]),
    }
}

/// `supc render spec.yaml`: template → YAML → checked INI, per host.
pub fn run(a: &YamlArgs<'_>) -> i32 {
    let ini_on_stdout = !a.check && !a.all_hosts && a.output.is_none();
    if ini_on_stdout && a.format != findings::Format::Human {
        eprintln!(
            "supc: --format prints findings on stdout, where the INI would go: add -o FILE or --check"
        );
        return 2;
    }
    use crate::yaml::inventory::Inventory;
    use crate::yaml::scope::Fleet;
    use crate::yaml::template::Template;
    let host = a.input.host();
    let text = match host.read_config_text(&crate::python::path::abspath(a.file, &host.cwd)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("supc: {}: {e}", a.file);
            return 2;
        }
    };
    let template = match Template::new(a.file, text.clone()) {
        Ok(t) => t,
        Err(d) => {
            let mut sources = crate::source::SourceMap::new();
            sources.add(crate::source::SourceFile::new(
                a.file.into(),
                a.file.into(),
                text,
            ));
            eprint!("{}", crate::report::human::render(&[*d], &sources));
            return 1;
        }
    };
    let mut warnings = Vec::new();
    let extra = match extra_vars(a, &mut warnings) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    let fleet = if a.inventory.is_empty() {
        None
    } else {
        match Inventory::load(a.inventory, std::path::Path::new(&host.cwd)) {
            Ok(mut i) => {
                warnings.append(&mut i.warnings);
                Some(std::sync::Arc::new(Fleet::new(i)))
            }
            Err(e) => {
                eprintln!("supc: inventory {e}");
                return 2;
            }
        }
    };
    if !inventory_warnings(&warnings, a.fail_on) {
        return 1;
    }
    let targets = match targets(a, fleet.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    for t in &targets {
        if let Some(n) = &t.name
            && (n.is_empty() || n.contains('/') || n.starts_with('.'))
        {
            eprintln!("supc: host name {n:?} cannot name a file");
            return 2;
        }
    }
    let abs = |p: &std::path::Path| crate::python::path::abspath(&p.to_string_lossy(), &host.cwd);
    let out_dir = match (a.all_hosts, a.output, a.out_dir) {
        (true, _, Some(d)) => abs(d),
        (false, Some(o), _) => crate::python::path::dirname(&abs(o)).to_string(),
        _ => host.cwd.clone(),
    };
    let spec_path = std::path::Path::new(a.file);
    let settings = crate::lint::Settings::default().overlay(a.select, &[], a.ignore, None);
    let results = crate::parallel::map(&targets, |t| {
        let mut h = host.clone();
        if a.input.host_node_name.is_none()
            && let Some(n) = &t.name
        {
            h.node_name = n.clone();
        }
        let cx = crate::yaml::scope::Context::new(fleet.clone(), t.name.as_deref(), extra.clone());
        let context = cx.value();
        let job = crate::yaml::Job {
            template: &template,
            path: spec_path,
            context: &context,
            host_label: t.name.as_deref(),
            out_dir: &out_dir,
            lint: Some(&settings),
            fail_on: a.fail_on,
            snippet: a.snippet,
        };
        crate::yaml::render_one(&job, &h)
    });
    let results = match results {
        Ok(r) => r,
        Err(p) => {
            let name = targets[p.index].name.as_deref().unwrap_or("the spec");
            eprintln!(
                "supc: internal error while rendering {name}: {}; nothing written",
                p.message
            );
            return 2;
        }
    };
    let outcomes: Vec<Outcome<'_>> = targets
        .iter()
        .zip(&results)
        .map(|(t, result)| Outcome {
            host: t.name.as_deref(),
            result,
        })
        .collect();
    let failed = findings::report(a.format, a.file, &outcomes);
    if failed > 0 {
        eprintln!(
            "supc: nothing written: {failed} of {} {} failed",
            targets.len(),
            if targets.len() == 1 {
                "config"
            } else {
                "hosts"
            }
        );
        return 1;
    }
    if a.check {
        eprintln!(
            "supc: {} rendered and checked, nothing written",
            targets.len()
        );
        return 0;
    }
    let rendered: Vec<&crate::yaml::Rendered> = results.iter().flatten().collect();
    if !a.all_hosts {
        let text = &rendered[0].ini;
        return match a.output {
            None => {
                crate::cli::print_stdout(text);
                0
            }
            Some(p) => match write_all_or_nothing(&[(p.to_path_buf(), text)]) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("supc: {e}");
                    2
                }
            },
        };
    }
    let dir = a.out_dir.expect("checked above");
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("supc: {}: {e}", dir.display());
        return 2;
    }
    let files: Vec<(PathBuf, &String)> = targets
        .iter()
        .zip(&rendered)
        .map(|(t, r)| {
            let name = t.name.as_deref().unwrap_or("supervisord");
            (dir.join(format!("{name}.conf")), &r.ini)
        })
        .collect();
    match write_all_or_nothing(&files) {
        Ok(()) => {
            eprintln!("supc: wrote {} files to {}", files.len(), dir.display());
            0
        }
        Err(e) => {
            eprintln!("supc: {e}; nothing written");
            2
        }
    }
}

/// Prints what the inventory and vars-file readers skipped or overrode,
/// as Ansible's `[WARNING]`s; false when `--fail-on` makes a warning fail
/// the render.
fn inventory_warnings(
    warnings: &[crate::yaml::inventory::InventoryWarning],
    fail_on: crate::diagnostic::Severity,
) -> bool {
    for w in warnings {
        eprintln!("supc: inventory warning: {w}");
    }
    if warnings.is_empty() || crate::diagnostic::Severity::Warning < fail_on {
        return true;
    }
    eprintln!(
        "supc: nothing written: {} inventory or vars-file warning{} (--fail-on {})",
        warnings.len(),
        if warnings.len() == 1 { "" } else { "s" },
        if fail_on == crate::diagnostic::Severity::Info {
            "info"
        } else {
            "warning"
        }
    );
    false
}

/// Writes every file to a temporary name beside it, then renames them all;
/// on any error the temporary files are removed and nothing is replaced.
fn write_all_or_nothing(files: &[(PathBuf, &String)]) -> Result<(), String> {
    let tmp_of = |p: &std::path::Path| {
        let name = p
            .file_name()
            .map_or_else(Default::default, |n| n.to_string_lossy().into_owned());
        p.with_file_name(format!(".{name}.supc-tmp-{}", std::process::id()))
    };
    let mut written: Vec<PathBuf> = Vec::new();
    let cleanup = |written: &[PathBuf]| {
        for t in written {
            let _ = std::fs::remove_file(t);
        }
    };
    for (path, text) in files {
        let tmp = tmp_of(path);
        if let Err(e) = std::fs::write(&tmp, text.as_bytes()) {
            cleanup(&written);
            return Err(format!("{}: {e}", tmp.display()));
        }
        written.push(tmp);
    }
    for (path, _) in files {
        if let Err(e) = std::fs::rename(tmp_of(path), path) {
            cleanup(&written);
            return Err(format!("{}: {e}", path.display()));
        }
    }
    Ok(())
}
