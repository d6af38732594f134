//! `supc check`: supervisord's own errors and warnings plus the lint rules,
//! for standard input, files and whole repositories, in human, concise,
//! JSON, SARIF or GitHub format.
//!
//! The flags are validated once into a [`plan::Plan`]; [`inputs`] reads
//! every file once; main configs are checked first, so a conf.d file one of
//! them includes is checked as part of it and not again alone (alone, a
//! group naming a program of a sibling file is a false error); [`output`]
//! writes one report. Exit codes: 0 clean, 1 findings at the fail level,
//! 2 usage error or an entry that could not be read.

mod args;
mod inputs;
mod output;
mod plan;
mod settings_cache;

pub use args::CheckArgs;

use super::check_fixes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::FileKey;
use crate::discover::detect::Mode;
use crate::host::Host;
use crate::lint::{LintContext, Settings, lint_with, unknown_names};
use crate::report::human::{Style, render_styled};
use crate::report::{FileReport, Finding, Run, Unreadable, paths};
use inputs::Input;
use plan::Plan;
use settings_cache::SettingsCache;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The outcome for one file.
struct Checked {
    report: FileReport,
    human: String,
    /// Every other file its config read (its includes).
    included: Vec<FileKey>,
    /// Rejected, or a finding at the fail level of its settings.
    failed: bool,
}

pub fn run(args: &CheckArgs) -> i32 {
    let plan = match plan::plan(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    let mut host = args.input.host();
    let mut inputs = inputs::gather(&plan);
    let mut ids = stand_in(&mut host, &inputs.files);
    if args.verbose {
        for s in &inputs.skipped {
            let shown = paths::display(&s.path.to_string_lossy(), &plan.cwd);
            eprintln!("supc: skipped {shown}: {}", s.reason.text());
        }
    }
    if inputs.files.is_empty() && inputs.unreadable.is_empty() {
        eprintln!("supc: {}", nothing_found(&plan, inputs.skipped.len()));
        return 2;
    }
    let fixing = match fix_step(&plan, args, &host, &inputs.files) {
        Ok(check_fixes::Step::Done(code)) => return code,
        Ok(step) => step,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    if let check_fixes::Step::Fixed(_) = fixing {
        // What --fix wrote is what is checked.
        host = args.input.host();
        inputs = inputs::gather(&plan);
        ids = stand_in(&mut host, &inputs.files);
    }
    let checker = Checker {
        plan: &plan,
        args,
        host: &host,
        ids,
        settings: SettingsCache::default(),
    };
    let (checked, errors) = checker.check_all(&inputs.files);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("supc: {e}");
        }
        return 2;
    }
    let mut human = String::new();
    let failed = checked.iter().any(|c| c.failed);
    let mut run = Run {
        cwd: plan.cwd.clone(),
        skipped: inputs.skipped.len(),
        unreadable: inputs
            .unreadable
            .iter()
            .map(|u| Unreadable {
                path: paths::display(&u.path.to_string_lossy(), &plan.cwd),
                reason: u.reason.clone(),
            })
            .collect(),
        files: Vec::with_capacity(checked.len()),
    };
    for c in checked {
        human.push_str(&c.human);
        run.files.push(c.report);
    }
    crate::report::dedup(&mut run.files);
    if plan.format == args::Format::Human {
        human.push_str(&check_fixes::listing(
            &fixing,
            &run.files,
            args.fixes.show(),
        ));
    }
    if let Err(e) = output::write(&plan, args, &run, &human) {
        eprintln!("supc: {e}");
        return 2;
    }
    if !run.unreadable.is_empty() {
        2
    } else {
        i32::from(failed && !args.exit_zero)
    }
}

/// Every text read once stands in for its file (and for DEST under --as,
/// and for standard input), also where a main config includes it. Returns
/// the identity of each file read, by absolute path.
fn stand_in(host: &mut Host, files: &[Input]) -> HashMap<String, FileKey> {
    let mut ids = HashMap::with_capacity(files.len());
    for f in files {
        let abs = crate::python::path::abspath(&f.path.to_string_lossy(), &host.cwd);
        if let Some(id) = f.id {
            ids.insert(abs.clone(), id);
        }
        if let Some(text) = &f.text {
            host.overlay.insert(abs, text.clone());
        }
    }
    ids
}

/// `--fix` / `--diff` on every input, with the settings and snippet mode
/// the check gives each file.
fn fix_step(
    plan: &Plan,
    args: &CheckArgs,
    host: &Host,
    files: &[Input],
) -> Result<check_fixes::Step, String> {
    let checker = Checker {
        plan,
        args,
        host,
        ids: HashMap::new(),
        settings: SettingsCache::default(),
    };
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let snippets: HashSet<&Path> = files
        .iter()
        .filter(|f| f.mode == Mode::Snippet)
        .map(|f| f.path.as_path())
        .collect();
    check_fixes::step(
        &args.fixes,
        &paths,
        host,
        &|f| checker.settings_for(f),
        &|f| snippets.contains(f),
    )
}

fn nothing_found(plan: &Plan, skipped: usize) -> String {
    let names: Vec<String> = plan.paths.iter().map(|p| p.display().to_string()).collect();
    let mut msg = format!("no supervisord config found in {}", names.join(", "));
    if skipped > 0 {
        msg.push_str(&format!(
            " ({skipped} files skipped: no section header supervisord reads, or excluded; \
             `--verbose` lists them)"
        ));
    }
    msg
}

struct Checker<'a> {
    plan: &'a Plan,
    args: &'a CheckArgs,
    host: &'a Host,
    /// The identity of every file read, by absolute path: a main config's
    /// includes are told from the inputs without asking the disk again.
    ids: HashMap<String, FileKey>,
    /// `.supc.yaml` by directory, read once.
    settings: SettingsCache,
}

impl Checker<'_> {
    /// Main configs first, then the snippets none of them includes; the
    /// reports in the order the files were found.
    fn check_all(&self, files: &[Input]) -> (Vec<Checked>, Vec<String>) {
        let (mains, snippets): (Vec<usize>, Vec<usize>) =
            (0..files.len()).partition(|&i| files[i].mode == Mode::Main);
        let leak = files.len() == 1;
        let mut slots: Vec<Option<Result<Checked, String>>> = files.iter().map(|_| None).collect();
        let done = run_parallel(&mains, |&i| self.check_one(&files[i], leak));
        let mut included = HashSet::new();
        for (&i, r) in mains.iter().zip(done) {
            if let Ok(c) = &r {
                included.extend(c.included.iter().cloned());
            }
            slots[i] = Some(r);
        }
        let alone: Vec<usize> = snippets
            .into_iter()
            .filter(|&i| files[i].id.is_none_or(|id| !included.contains(&id)))
            .collect();
        let done = run_parallel(&alone, |&i| self.check_one(&files[i], leak));
        for (&i, r) in alone.iter().zip(done) {
            slots[i] = Some(r);
        }
        let mut checked = Vec::new();
        let mut errors = Vec::new();
        for r in slots.into_iter().flatten() {
            match r {
                Ok(c) => checked.push(c),
                Err(e) => errors.push(e),
            }
        }
        (checked, errors)
    }

    fn settings_for(&self, file: &Path) -> Result<Settings, String> {
        let base = match &self.plan.settings_file {
            Some(s) => s.clone(),
            None => {
                let abs = self.plan.cwd.join(file);
                self.settings
                    .for_dir(abs.parent().unwrap_or(&self.plan.cwd))?
            }
        };
        Ok(base.overlay(
            &self.plan.select,
            &self.plan.extend_select,
            &self.plan.ignore,
            self.plan.fail_on,
        ))
    }

    fn check_one(&self, input: &Input, leak: bool) -> Result<Checked, String> {
        let settings = self.settings_for(&input.path)?;
        let path = input.path.to_string_lossy().into_owned();
        let mut host = self.host.clone();
        let snippet = input.mode == Mode::Snippet;
        let (loaded, resolution) = self.args.input.analyze(&path, &mut host, snippet);
        let cx = LintContext::new(&loaded, &resolution, &host);
        let cwd = &self.plan.cwd;
        if let Some((span, msg)) = unknown_names(&cx).into_iter().next() {
            let (line, col) = loaded.sources.get(span.file).line_col(span.start);
            let name = paths::display(&loaded.sources.get(span.file).name, cwd);
            return Err(format!("{name}:{line}:{col}: {msg}"));
        }
        let accepted = resolution.first_error().is_none();
        // supervisord's errors first, in its order; its warnings go with
        // the rules' findings through the inline suppressions.
        let (mut diags, warnings) = graded_core(&resolution.diagnostics, &settings);
        if loaded.main.is_some() {
            diags.extend(lint_with(&cx, &settings, warnings));
        } else {
            diags.extend(warnings);
        }
        crate::fix::core::attach(&mut diags, &loaded.sources);
        let human = if self.plan.format == args::Format::Human {
            let style = Style {
                color: self.plan.color,
                width: 100,
                cwd: Some(cwd.clone()),
            };
            render_styled(&diags, &loaded.sources, &style)
        } else {
            String::new()
        };
        let findings = diags
            .iter()
            .map(|d| {
                let mut f = Finding::from_diagnostic(d, &loaded.sources);
                f.relativize(cwd);
                f
            })
            .collect();
        let included = loaded
            .sources
            .files()
            .skip(1)
            .filter_map(|(_, f)| {
                let known = f.path.to_str().and_then(|p| self.ids.get(p));
                known.copied().or_else(|| FileKey::of(&f.path))
            })
            .collect();
        // `--fail-on` wins over the file's `fail-on` (Settings::overlay).
        let threshold = settings.fail_on.unwrap_or(Severity::Error);
        let failed = !accepted || diags.iter().any(|d| d.severity >= threshold);
        if leak {
            std::mem::forget(resolution);
            std::mem::forget(loaded);
        }
        Ok(Checked {
            report: FileReport {
                path: paths::display(&path, cwd),
                accepted,
                snippet,
                findings,
            },
            human,
            included,
            failed,
        })
    }
}

/// supervisord's diagnostics after the settings, as (errors, warnings):
/// its errors stay errors; its warnings can be ignored and re-graded like
/// lint findings.
fn graded_core(diags: &[Diagnostic], settings: &Settings) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        diags.iter().partition(|d| d.severity == Severity::Error);
    let warnings = warnings
        .into_iter()
        .filter_map(|d| {
            if !settings.enabled(d.code) {
                return None;
            }
            let mut d = d.clone();
            if let Some(s) = settings.override_for(d.code) {
                d.severity = s;
            }
            Some(d)
        })
        .collect();
    (errors.into_iter().cloned().collect(), warnings)
}

/// [`crate::parallel::map`]; a worker's panic becomes the error of every
/// item (and so exit 2), never a result silently lost.
fn run_parallel<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<Checked, String> + Sync,
) -> Vec<Result<Checked, String>> {
    match crate::parallel::map(items, f) {
        Ok(v) => v,
        Err(e) => items.iter().map(|_| Err(e.to_string())).collect(),
    }
}
