use super::duplicate_process_name::has_duplicate_names;
use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::model::{LogFile, Process};
use crate::python::path::abspath;
use crate::source::Span;
use indexmap::IndexMap;
use indexmap::map::Entry;
use rustc_hash::{FxBuildHasher, FxHashSet};
use std::borrow::Cow;
use std::hash::BuildHasher;

pub struct SharedLogFile;

static META: RuleMeta = RuleMeta {
    code: Code::SharedLogFile,
    doc: r#"## What it does
Finds a `stdout_logfile` or `stderr_logfile` path that more than one
process writes: the instances of a program with `numprocs > 1` and a fixed
path, or different programs pointing at one file. Paths are compared after
expansion and normalization (relative paths resolve against supervisord's
working directory). `AUTO`, `NONE`, `/dev/*` and `/proc/*` paths and files
that no process rotates (`*_logfile_maxbytes=0`) are not reported.

## Why is this bad?
Each process has its own logger and rotates the file on its own when it
reaches `*_logfile_maxbytes`. When one process rotates, it renames the file
away from under the others, which keep writing into the rotated copy; the
next rotation overwrites it. Output is interleaved, `supervisorctl tail`
shows every process's output mixed, and `supervisorctl clear` of one
process empties the log of all of them.

## Example
```ini
[program:worker]
command=php artisan queue:work
process_name=%(program_name)s_%(process_num)02d
numprocs=8
stdout_logfile=/var/log/worker.log
```

## Use instead
```ini
[program:worker]
command=php artisan queue:work
process_name=%(program_name)s_%(process_num)02d
numprocs=8
stdout_logfile=/var/log/worker_%(process_num)02d.log
```
"#,
};

/// The processes that really run: the first group of each name, and the
/// last process of each name inside a group (supervisord's dicts).
fn survivors<'a>(cx: &LintContext<'a>) -> Vec<&'a Process> {
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut out = Vec::new();
    let mut by_name: IndexMap<&str, &Process, FxBuildHasher> = IndexMap::default();
    for g in &cx.config().groups {
        if !seen.insert(&g.name) {
            continue;
        }
        if !has_duplicate_names(&g.processes) {
            out.extend(&g.processes);
            continue;
        }
        by_name.clear();
        for p in &g.processes {
            by_name.insert(p.name(), p);
        }
        out.extend(by_name.values().copied());
    }
    out
}

/// `abspath`, borrowing a path that is already absolute and normal (the
/// usual case), so thousands of log files cost no allocation.
fn normalized<'a>(path: &'a str, cwd: &str) -> Cow<'a, str> {
    // No component after the root is empty, `.` or `..`.
    let normal = path.starts_with('/')
        && !path.starts_with("//")
        && !path.ends_with(['/'])
        && !path.ends_with("/.")
        && !path.ends_with("/..")
        && !path.contains("//")
        && !path.contains("/./")
        && !path.contains("/../");
    if normal {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(abspath(path, cwd))
    }
}

/// The writers of one file: the first inline, so a file with a single
/// writer (the usual case) allocates nothing.
struct Writers<'a> {
    first: (&'a Process, &'static str),
    more: Vec<(&'a Process, &'static str)>,
}

impl Rule for SharedLogFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let survivors = survivors(cx);
        let cwd = &cx.host.cwd;
        // Writer `k` is stream `k % 2` of survivor `k / 2`.
        let path_of = |k: usize| -> Option<Cow<'_, str>> {
            let LogFile::Path(path) = &survivors[k / 2].log(k % 2).logfile else {
                return None;
            };
            let norm = normalized(path, cwd);
            (!norm.starts_with("/dev/") && !norm.starts_with("/proc/")).then_some(norm)
        };
        // Usually every process writes its own files. A first pass marks
        // each path's hash in a bitmap small enough to stay in the cache
        // (and in a second bitmap when the mark was there already); only
        // the writers marked in the second are compared by path.
        let count = 2 * survivors.len();
        let bits = (count * 16).next_power_of_two().clamp(1 << 12, 1 << 26);
        let mut seen = vec![0u64; bits / 64];
        let mut twice = vec![0u64; bits / 64];
        let mut marks: Vec<Option<u32>> = vec![None; count];
        for (k, mark) in marks.iter_mut().enumerate() {
            let Some(norm) = path_of(k) else { continue };
            // The high bits of a product depend on every bit of the hash.
            let hash = FxBuildHasher
                .hash_one(&*norm)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let bit = (hash >> (64 - bits.trailing_zeros())) as usize;
            let (word, mask) = (bit / 64, 1u64 << (bit % 64));
            if seen[word] & mask != 0 {
                twice[word] |= mask;
            }
            seen[word] |= mask;
            // `bits` is at most 2^26.
            *mark = Some(bit as u32);
        }
        drop(seen);
        // The writers of each path among those, in order of first writer.
        let mut writers: IndexMap<Cow<'_, str>, Writers<'_>, FxBuildHasher> = IndexMap::default();
        for (k, mark) in marks.into_iter().enumerate() {
            let Some(bit) = mark.map(|b| b as usize) else {
                continue;
            };
            if twice[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let Some(path) = path_of(k) else { continue };
            let w = (
                survivors[k / 2],
                if k % 2 == 0 { "stdout" } else { "stderr" },
            );
            match writers.entry(path) {
                Entry::Occupied(mut e) => e.get_mut().more.push(w),
                Entry::Vacant(e) => {
                    e.insert(Writers {
                        first: w,
                        more: Vec::new(),
                    });
                }
            }
        }
        for (path, w) in writers {
            // One writer is never a shared file.
            if w.more.is_empty() {
                continue;
            }
            let mut ws = Vec::with_capacity(w.more.len() + 1);
            ws.push(w.first);
            ws.extend(w.more);
            let mut names: Vec<String> = Vec::new();
            let mut named: FxHashSet<String> = FxHashSet::default();
            for (p, _) in &ws {
                let n = p.full_name();
                if !named.contains(&n) {
                    named.insert(n.clone());
                    names.push(n);
                }
            }
            let rotates = ws.iter().any(|(p, s)| {
                let log = p.log(usize::from(*s != "stdout"));
                !log.maxbytes.is_negative() && !log.maxbytes.is_zero()
            });
            // One process on both streams is not this rule; a program in two
            // groups (same section, same name) is reported by SUP115.
            let same_instance = ws
                .iter()
                .all(|(p, _)| p.section == ws[0].0.section && p.name() == ws[0].0.name());
            if names.len() < 2 || !rotates || same_instance {
                continue;
            }
            report(cx, out, &path, &ws, &names);
        }
    }
}

fn report(
    cx: &LintContext<'_>,
    out: &mut Findings,
    path: &str,
    ws: &[(&Process, &str)],
    names: &[String],
) {
    // The writers of each (section, stream), in order of first appearance.
    let mut by_source: IndexMap<(&str, &str), Vec<&Process>, FxBuildHasher> = IndexMap::default();
    for (p, stream) in ws {
        by_source.entry((&*p.section, *stream)).or_default().push(p);
    }
    let mut labels: Vec<Label> = Vec::new();
    let mut labelled: FxHashSet<Span> = FxHashSet::default();
    for ((section, stream), procs) in by_source {
        let Some(found) = cx.ini().get(section, &format!("{stream}_logfile")) else {
            continue;
        };
        let span = found.entry.def.value_span;
        if labelled.insert(span) {
            let who: Vec<String> = procs.iter().map(|q| q.full_name()).collect();
            labels.push(Label::new(span, format!("{stream} of {}", list(&who))));
        }
    }
    if labels.is_empty() {
        return;
    }
    let first = labels.remove(0);
    let d = out.report(
        format!(
            "{} processes write the same log file `{path}`; their output is mixed and each one rotates the file on its own",
            names.len()
        ),
        first.span,
        first.message,
    );
    d.related = labels;
    let one_section = ws.iter().all(|(p, _)| p.section == ws[0].0.section);
    let written = cx.text(d.primary.as_ref().expect("just set").span);
    d.help = Some(if one_section {
        format!(
            "put `%(process_num)02d` in the path so each instance gets its own file, e.g. `{}`",
            with_suffix(written, "_%(process_num)02d")
        )
    } else {
        format!(
            "give each program its own file, e.g. `{}` (and add `%(process_num)02d` for numprocs > 1)",
            with_stem(written, "%(program_name)s")
        )
    });
}

/// `a, b, c` or `a, b, c and 5 more`.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 3;
    if names.len() <= SHOWN + 1 {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// `(directory with slash, stem, extension)` of a path's last component.
fn parts(path: &str) -> (&str, &str, &str) {
    let base = path.rfind('/').map_or(0, |i| i + 1);
    let (dir, name) = path.split_at(base);
    match name.rfind('.') {
        Some(dot) if dot > 0 => (dir, &name[..dot], &name[dot..]),
        _ => (dir, name, ""),
    }
}

/// Inserts `suffix` before the extension of the last path component.
fn with_suffix(path: &str, suffix: &str) -> String {
    let (dir, stem, ext) = parts(path);
    format!("{dir}{stem}{suffix}{ext}")
}

/// Replaces the stem of the last path component.
fn with_stem(path: &str, stem: &str) -> String {
    let (dir, _, ext) = parts(path);
    format!("{dir}{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut only borrows paths that `abspath` leaves as they
        /// are: the result is always `abspath`'s.
        #[test]
        fn normalized_is_abspath(path in "[/a.]{0,10}") {
            let ours = normalized(&path, "/w/d").into_owned();
            proptest::prop_assert_eq!(ours, abspath(&path, "/w/d"));
        }
    }

    /// With thousands of log paths some share a mark in the bitmaps
    /// without being the same path: only the real shared file is
    /// reported, with its writers in order.
    #[test]
    fn paths_that_only_share_a_mark_are_not_shared() {
        let mut text = String::from("[supervisord]\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "[program:p{i}]\ncommand=/w\nstdout_logfile=/l/o{i}.log\nstderr_logfile=/l/e{i}.log\n"
            ));
        }
        text.push_str("[program:q]\ncommand=/w\nstdout_logfile=/l/o17.log\n");
        let loaded = crate::load::from_text(&text, "supervisord.conf", "/etc/supervisord.conf");
        let host = crate::host::Host {
            env: Vec::new(),
            node_name: "node".into(),
            cwd: "/".into(),
            portable: true,
            overlay: Default::default(),
        };
        let resolution = crate::resolve::resolve(&loaded, &host);
        let cx = LintContext::new(&loaded, &resolution, &host);
        let mut findings = Findings {
            meta: &META,
            diags: Vec::new(),
            reported: Default::default(),
        };
        SharedLogFile.check(&cx, &mut findings);
        let messages: Vec<&str> = findings.diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("`/l/o17.log`"), "{messages:?}");
    }

    #[test]
    fn normal_paths_are_borrowed() {
        for path in ["/var/log/a.log", "/a", "/a/.b/c..d/...", "/.hidden"] {
            assert!(matches!(normalized(path, "/w"), Cow::Borrowed(_)), "{path}");
        }
        for path in [
            "/", "//a", "/a/", "/a/.", "/a/..", "/a//b", "/./a", "/a/../b", "a/b",
        ] {
            assert!(matches!(normalized(path, "/w"), Cow::Owned(_)), "{path}");
        }
    }
}
