//! `supc check --fix`, `--unsafe-fixes`, `--diff`, `--show-fixes`: the fix
//! half of `supc check`, kept apart so the check itself stays one flow.
//! `--diff` prints what `--fix` would write and writes nothing; `--fix`
//! writes each changed file atomically, then the check reports what is left.

use crate::fix::Level;
use crate::fix::engine::Outcome;
use crate::fix::session;
use crate::host::Host;
use crate::lint::Settings;
use crate::report::FileReport;
use clap::Args;
use std::path::Path;

#[derive(Args, Debug, Default)]
pub struct FixArgs {
    /// Apply the safe fixes in place (supervisord reads the same config
    /// afterwards), then report what is left.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff, also apply the unsafe fixes (they change what
    /// supervisord does, as the findings ask).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff (`patch -p0` applies it) instead of
    /// writing them; exit 1 when there is something to fix.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// List the fixes: those applied with --fix, else each finding's.
    #[arg(long)]
    show_fixes: bool,
}

/// What the fix step leaves for the check.
pub enum Step {
    /// Not asked for: check as usual.
    Skip,
    /// `--diff` printed; exit with this code.
    Done(i32),
    /// `--fix` wrote these outcomes (per file); check the result.
    Fixed(Vec<(String, Outcome)>),
}

impl FixArgs {
    fn level(&self) -> Level {
        if self.unsafe_fixes {
            Level::Unsafe
        } else {
            Level::Safe
        }
    }

    pub fn show(&self) -> bool {
        self.show_fixes
    }
}

/// Runs the fix loop on every file (settings and snippet mode as the check
/// would use them); prints the diff for `--diff`, writes for `--fix`.
pub fn step(
    args: &FixArgs,
    files: &[std::path::PathBuf],
    host: &Host,
    settings: &(dyn Fn(&Path) -> Result<Settings, String> + Sync),
    snippet: &(dyn Fn(&Path) -> bool + Sync),
) -> Result<Step, String> {
    if !args.fix && !args.diff {
        return Ok(Step::Skip);
    }
    let level = args.level();
    let outcomes = crate::parallel::map(files, |file| {
        let s = settings(file)?;
        let path = file.to_string_lossy().into_owned();
        Ok::<_, String>((
            path.clone(),
            session::fix_config(&path, host, &s, snippet(file), level),
        ))
    })
    .map_err(|e| e.to_string())?
    .into_iter()
    .collect::<Result<Vec<_>, String>>()?;
    let outcomes = once_per_file(outcomes);
    if args.diff {
        let text: String = outcomes.iter().map(|(_, o)| session::diff(o)).collect();
        super::print_stdout(&text);
        return Ok(Step::Done(i32::from(!text.is_empty())));
    }
    for (path, outcome) in &outcomes {
        session::write(outcome).map_err(|e| format!("{path}: cannot write the fixes: {e}"))?;
        if !outcome.settled {
            eprintln!(
                "supc: {path}: fixes still applied after {} passes; stopped",
                outcome.passes
            );
        }
    }
    Ok(Step::Fixed(outcomes))
}

/// A file two configs include (a shared conf.d file) is changed by the
/// first config's fixes only: the later ones were computed from the same
/// text, so writing them too would race, and their hunks would repeat in
/// the diff. A second `--fix` picks up whatever is left.
fn once_per_file(mut outcomes: Vec<(String, Outcome)>) -> Vec<(String, Outcome)> {
    let key = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut seen = std::collections::HashSet::new();
    for (_, o) in &mut outcomes {
        let dropped: std::collections::HashSet<_> = (o.changed.iter())
            .map(|c| key(&c.path))
            .filter(|k| seen.contains(k))
            .collect();
        o.changed.retain(|c| !dropped.contains(&key(&c.path)));
        // What was not written is not reported as fixed.
        o.applied.retain(|a| !dropped.contains(&key(&a.path)));
        seen.extend(o.changed.iter().map(|c| key(&c.path)));
    }
    outcomes
}

/// The `--show-fixes` listing (and, with `--fix`, how many were applied).
pub fn listing(step: &Step, reports: &[FileReport], show: bool) -> String {
    let mut out = String::new();
    if let Step::Fixed(outcomes) = step {
        let n: usize = outcomes.iter().map(|(_, o)| o.applied.len()).sum();
        out.push_str(&format!(
            "fixed {n} finding{}\n",
            if n == 1 { "" } else { "s" }
        ));
        if show {
            for (_, o) in outcomes {
                for a in &o.applied {
                    let kind = match a.applicability {
                        crate::diagnostic::Applicability::Safe => "safe",
                        crate::diagnostic::Applicability::Unsafe => "unsafe",
                    };
                    out.push_str(&format!("  {}: {} ({kind})\n", a.path.display(), a.message));
                }
            }
        }
    }
    if show {
        for f in reports.iter().flat_map(|r| &r.findings) {
            let (Some(fix), Some(l)) = (&f.fix, &f.location) else {
                continue;
            };
            out.push_str(&format!(
                "{}:{}:{}: {} fix available ({}): {}\n",
                l.file,
                l.line,
                l.column,
                f.code,
                fix.applicability_str(),
                fix.message
            ));
        }
    }
    out
}
