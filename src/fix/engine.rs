//! The fix loop: lint, apply the allowed fixes file by file, lint the new
//! texts again, until no fix applies or [`MAX_PASSES`] is reached.
//!
//! The engine does not read or write files: the caller's `analyze` lints
//! the current texts (the files as edited so far, by path) and reports each
//! file that took part with the fixes found in it. So `--diff` and `--fix`
//! compute exactly the same result, and only `--fix` writes it.

use super::Level;
use super::apply::apply;
use crate::diagnostic::{Applicability, Fix};
use crate::source::FileId;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Passes after which the loop stops even if fixes still apply (each pass
/// re-lints; a fix that does not remove its finding would repeat).
pub const MAX_PASSES: usize = 10;

/// One file of an analysis.
#[derive(Debug)]
pub struct FileState {
    pub id: FileId,
    /// Where it is on disk (the key of the texts map).
    pub path: PathBuf,
    /// The name to show (as the user gave it, or as supervisord names it).
    pub name: String,
    pub text: String,
    /// False when the text cannot be written back as read (not valid
    /// UTF-8, from a YAML spec, not a file on disk): fixes there are shown
    /// but never applied.
    pub editable: bool,
}

/// What `analyze` returns: the files and the fixes of the findings.
#[derive(Debug, Default)]
pub struct Analysis {
    pub files: Vec<FileState>,
    pub fixes: Vec<Fix>,
}

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub path: PathBuf,
    pub message: String,
    pub applicability: Applicability,
}

/// A file whose text the fixes changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub path: PathBuf,
    pub name: String,
    pub before: String,
    pub after: String,
}

/// The loop's result.
#[derive(Debug, Default)]
pub struct Outcome {
    pub changed: Vec<Changed>,
    pub applied: Vec<AppliedFix>,
    pub passes: usize,
    /// False when [`MAX_PASSES`] ran out while fixes still applied.
    pub settled: bool,
}

/// The fixes with every edit moved to the first file of its path: a file
/// read twice (a config that includes itself) has two ids for one text and
/// is edited once, under the first id.
fn same_file_once(analysis: &Analysis) -> Vec<Fix> {
    let first = |id: FileId| {
        let path = analysis.files.iter().find(|f| f.id == id).map(|f| &f.path);
        (analysis.files.iter())
            .find(|f| Some(&f.path) == path)
            .map_or(id, |f| f.id)
    };
    let mut fixes = analysis.fixes.clone();
    for e in fixes.iter_mut().flat_map(|f| f.edits.iter_mut()) {
        e.span.file = first(e.span.file);
    }
    fixes
}

/// Runs the loop. `analyze` gets the texts changed so far (path -> text);
/// files not in the map are read as they are.
pub fn run(level: Level, analyze: impl Fn(&BTreeMap<PathBuf, String>) -> Analysis) -> Outcome {
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut first: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    let mut out = Outcome::default();
    while out.passes < MAX_PASSES {
        let analysis = analyze(&texts);
        out.passes += 1;
        let mut any = false;
        let fixes = same_file_once(&analysis);
        // A file read twice (an include of itself) is edited once a pass.
        let mut seen = std::collections::BTreeSet::new();
        for file in analysis.files.iter().filter(|f| f.editable) {
            if !seen.insert(&file.path) {
                continue;
            }
            first
                .entry(file.path.clone())
                .or_insert_with(|| (file.name.clone(), file.text.clone()));
            let fixes: Vec<&Fix> = (fixes.iter())
                .filter(|f| level.allows(f.applicability))
                .filter(|f| f.edits.first().is_some_and(|e| e.span.file == file.id))
                .collect();
            let result = apply(&file.text, file.id, &fixes);
            if result.applied.is_empty() {
                continue;
            }
            any = true;
            out.applied
                .extend(result.applied.iter().map(|&i| AppliedFix {
                    path: file.path.clone(),
                    message: fixes[i].message.clone(),
                    applicability: fixes[i].applicability,
                }));
            texts.insert(file.path.clone(), result.text);
        }
        if !any {
            out.settled = true;
            break;
        }
    }
    out.changed = (texts.into_iter())
        .filter_map(|(path, after)| {
            let (name, before) = first.remove(&path)?;
            (before != after).then_some(Changed {
                path,
                name,
                before,
                after,
            })
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;
    use crate::source::Span;

    /// A toy linter: every `aa` is a finding whose fix makes it `a`
    /// (so `aaaa` needs several passes), every `X` an unsafe one.
    fn toy(start: &str) -> impl Fn(&BTreeMap<PathBuf, String>) -> Analysis + '_ {
        move |texts| {
            let path = PathBuf::from("/t/a.conf");
            let text = texts.get(&path).cloned().unwrap_or_else(|| start.into());
            let mut fixes = Vec::new();
            let mut i = 0;
            while let Some(k) = text[i..].find("aa") {
                let s = i + k;
                fixes.push(Fix::safe(
                    "aa",
                    vec![Edit::delete(Span::new(FileId(0), s, s + 1))],
                ));
                i = s + 2;
            }
            if let Some(k) = text.find('X') {
                let e = Edit::replace(Span::new(FileId(0), k, k + 1), "x");
                fixes.push(Fix::behaviour_changing("X", vec![e]));
            }
            let file = FileState {
                id: FileId(0),
                path,
                name: "a.conf".into(),
                text,
                editable: true,
            };
            Analysis {
                files: vec![file],
                fixes,
            }
        }
    }

    #[test]
    fn passes_repeat_until_nothing_applies() {
        let out = run(Level::Safe, toy("aaaa X\n"));
        assert!(out.settled);
        assert_eq!(out.changed.len(), 1);
        assert_eq!(out.changed[0].before, "aaaa X\n");
        assert_eq!(out.changed[0].after, "a X\n");
        assert_eq!(out.passes, 3);
    }

    #[test]
    fn unsafe_fixes_only_when_asked() {
        let out = run(Level::Unsafe, toy("X\n"));
        assert_eq!(out.changed[0].after, "x\n");
        assert_eq!(out.applied[0].applicability, Applicability::Unsafe);
        assert!(run(Level::Safe, toy("X\n")).changed.is_empty());
    }

    #[test]
    fn a_fix_that_never_settles_stops_at_the_bound() {
        let endless = |_: &BTreeMap<PathBuf, String>| Analysis {
            files: vec![FileState {
                id: FileId(0),
                path: "/t/b.conf".into(),
                name: "b.conf".into(),
                text: "b".into(),
                editable: true,
            }],
            fixes: vec![Fix::safe(
                "grow",
                vec![Edit::replace(Span::new(FileId(0), 0, 1), "bb")],
            )],
        };
        let out = run(Level::Safe, endless);
        assert!(!out.settled);
        assert_eq!(out.passes, MAX_PASSES);
    }

    #[test]
    fn files_that_cannot_be_written_back_are_left_alone() {
        let frozen = |_: &BTreeMap<PathBuf, String>| Analysis {
            files: vec![FileState {
                id: FileId(0),
                path: "/t/c.yaml".into(),
                name: "c.yaml".into(),
                text: "aa".into(),
                editable: false,
            }],
            fixes: vec![Fix::safe(
                "x",
                vec![Edit::delete(Span::new(FileId(0), 0, 1))],
            )],
        };
        let out = run(Level::Safe, frozen);
        assert!(out.changed.is_empty() && out.settled);
    }
}
