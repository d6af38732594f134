//! Fixes proven against supervisord 4.3.0 itself (the oracle,
//! `tests/oracle/supervisor_dump.py`, run in batches):
//!
//! * every safe fix, applied alone, on every fixture and corpus config
//!   where it is offered, leaves the model supervisord reads unchanged and
//!   removes its finding; so does `supc check --fix` (all of them, over
//!   several passes);
//! * `supc check --fix --unsafe-fixes` never turns a config supervisord
//!   accepts into one it refuses, and supc's verdict on the fixed config is
//!   supervisord's.

mod fix_common;

use fix_common::{
    Source, accepted, all_sources, copy_to, findings, model, oracle, oracle_ok, supc,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Applies one fix (as `supc check --format json` reports it) to the copy
/// in `dir`, made from the copy in `origin` (included files are named by
/// their absolute path there).
fn apply_fix(fix: &Value, origin: &Path, dir: &Path) {
    let mut by_file: std::collections::BTreeMap<PathBuf, Vec<(usize, usize, String)>> =
        Default::default();
    for e in fix["edits"].as_array().unwrap() {
        let name = Path::new(e["file"].as_str().unwrap());
        let rel = name.strip_prefix(origin).unwrap_or(name);
        let at = e["byte_offset"].as_u64().unwrap() as usize;
        let len = e["byte_length"].as_u64().unwrap() as usize;
        let text = e["replacement"].as_str().unwrap().to_string();
        by_file
            .entry(dir.join(rel))
            .or_default()
            .push((at, at + len, text));
    }
    for (path, mut edits) in by_file {
        let mut bytes = std::fs::read(&path).unwrap();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, text) in edits {
            bytes.splice(start..end, text.into_bytes());
        }
        std::fs::write(&path, bytes).unwrap();
    }
}

/// (code, message) of each finding, counted.
fn tally(findings: &[Value]) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for f in findings {
        *out.entry(format!("{} {}", f["code"], f["message"]))
            .or_default() += 1;
    }
    out
}

struct Trial {
    label: String,
    dir: PathBuf,
    source: Source,
    /// The finding the fix is for (None: the whole `--fix` run).
    finding: Option<String>,
}

#[test]
fn safe_fixes_keep_what_supervisord_reads() {
    let scratch = tempfile::tempdir().unwrap();
    let mut originals: Vec<(PathBuf, Source)> = Vec::new();
    let mut trials: Vec<(usize, Trial)> = Vec::new();
    for (i, source) in all_sources().into_iter().enumerate() {
        let origin = scratch.path().join(format!("{i}/orig"));
        copy_to(&source, &origin);
        let found = findings(&origin, &source);
        let safe: Vec<&Value> = found
            .iter()
            .filter(|f| f["fix"]["applicability"] == "safe")
            .collect();
        if safe.is_empty() {
            continue;
        }
        for (k, f) in safe.iter().enumerate() {
            let dir = scratch.path().join(format!("{i}/fix{k}"));
            copy_to(&source, &dir);
            apply_fix(&f["fix"], &origin, &dir);
            let label = format!("{}: {} {}", source.label, f["code"], f["fix"]["message"]);
            let finding = Some(format!("{} {}", f["code"], f["message"]));
            trials.push((
                originals.len(),
                Trial {
                    label,
                    dir,
                    source: source.clone(),
                    finding,
                },
            ));
        }
        let all = scratch.path().join(format!("{i}/all"));
        copy_to(&source, &all);
        let run = supc(
            &["check", "--portable", "--fix", &source.config],
            &all,
            &source.env,
        );
        assert_ne!(run.code, Some(2), "{}: {}", source.label, run.stderr);
        let label = format!("{}: --fix", source.label);
        trials.push((
            originals.len(),
            Trial {
                label,
                dir: all,
                source: source.clone(),
                finding: None,
            },
        ));
        originals.push((origin, source));
    }
    let jobs: Vec<(PathBuf, Source)> = originals
        .iter()
        .cloned()
        .chain(
            trials
                .iter()
                .map(|(_, t)| (t.dir.clone(), t.source.clone())),
        )
        .collect();
    let answers = oracle(&jobs);
    let (before, after) = answers.split_at(originals.len());
    let mut problems = Vec::new();
    for ((o, trial), answer) in trials.iter().zip(after) {
        let (origin, source) = &originals[*o];
        let expected = match &before[*o] {
            Ok(v) => model(v, origin),
            Err(e) => panic!("{}: {e}", source.label),
        };
        match answer {
            Ok(v) if model(v, &trial.dir) == expected => {}
            Ok(v) => problems.push(format!(
                "{}: supervisord reads another model:\n  before {expected}\n  after  {}",
                trial.label,
                model(v, &trial.dir)
            )),
            Err(e) => problems.push(format!("{}: {e}", trial.label)),
        }
        if let Some(finding) = &trial.finding {
            let was = tally(&findings(origin, source))[finding];
            let now = tally(&findings(&trial.dir, source)).get(finding).copied();
            if now.unwrap_or(0) >= was {
                problems.push(format!("{}: the finding is still there", trial.label));
            }
        }
    }
    let single = trials.iter().filter(|(_, t)| t.finding.is_some()).count();
    eprintln!(
        "{} configs with safe fixes, {single} fixes applied alone",
        originals.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(single >= 10, "only {single} safe fixes were tried");
}

#[test]
fn unsafe_fixes_give_configs_supervisord_accepts() {
    let scratch = tempfile::tempdir().unwrap();
    let mut originals: Vec<(PathBuf, Source)> = Vec::new();
    // (index of the original, label, fixed copy)
    let mut trials: Vec<(usize, String, PathBuf)> = Vec::new();
    for (i, source) in all_sources().into_iter().enumerate() {
        let origin = scratch.path().join(format!("{i}/orig"));
        copy_to(&source, &origin);
        let found = findings(&origin, &source);
        let offered: Vec<&Value> = found
            .iter()
            .filter(|f| f["fix"]["applicability"] == "unsafe")
            .collect();
        if offered.is_empty() {
            continue;
        }
        let o = originals.len();
        for (k, f) in offered.iter().enumerate() {
            let dir = scratch.path().join(format!("{i}/fix{k}"));
            copy_to(&source, &dir);
            apply_fix(&f["fix"], &origin, &dir);
            let label = format!("{}: {} {}", source.label, f["code"], f["fix"]["message"]);
            trials.push((o, label, dir));
        }
        let fixed = scratch.path().join(format!("{i}/all"));
        copy_to(&source, &fixed);
        let args = [
            "check",
            "--portable",
            "--fix",
            "--unsafe-fixes",
            &source.config,
        ];
        let run = supc(&args, &fixed, &source.env);
        assert_ne!(run.code, Some(2), "{}: {}", source.label, run.stderr);
        trials.push((o, format!("{}: --fix --unsafe-fixes", source.label), fixed));
        originals.push((origin, source));
    }
    let jobs: Vec<(PathBuf, Source)> = originals
        .iter()
        .cloned()
        .chain(
            trials
                .iter()
                .map(|(o, _, d)| (d.clone(), originals[*o].1.clone())),
        )
        .collect();
    let answers = oracle(&jobs);
    let (before, after) = answers.split_at(originals.len());
    let mut problems = Vec::new();
    let mut repaired = 0;
    for ((o, label, dir), answer) in trials.iter().zip(after) {
        let source = &originals[*o].1;
        let (was_ok, ok) = match (&before[*o], answer) {
            (Ok(b), Ok(a)) => (oracle_ok(b), oracle_ok(a)),
            (b, a) => {
                problems.push(format!("{label}: {b:?} {a:?}"));
                continue;
            }
        };
        if was_ok && !ok {
            problems.push(format!("{label}: supervisord refuses the fixed config"));
        }
        if accepted(dir, source).is_some_and(|a| a != ok) {
            problems.push(format!(
                "{label}: supc's verdict on the fixed config is not supervisord's ({ok})"
            ));
        }
        repaired += usize::from(!was_ok && ok);
    }
    eprintln!(
        "{} configs with unsafe fixes, {} trials (each fix alone, then all), {repaired} turned a refused config into an accepted one",
        originals.len(),
        trials.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(originals.len() >= 20, "{}", originals.len());
    assert!(repaired >= 2, "the byte order mark and spelling fixtures");
}
