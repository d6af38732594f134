//! Lint: coded rules for what supervisord accepts silently.
//!
//! Input: a [`Loaded`] config and its [`Resolution`] (the lint never
//! re-parses text: it reads the merged [`Ini`] with spans and the resolved
//! model). Output: [`Diagnostic`]s stamped with each rule's code and
//! severity, after suppressions (`; supc: disable=...`) and [`Settings`]
//! (`.supc.yaml`, `--select`, `--ignore`) are applied.
//!
//! Each rule lives in `rules/<name>.rs` as a unit struct implementing
//! [`Rule`]; [`registry::RULES`] lists them in documentation order.

pub mod registry;
pub mod rules;
pub mod settings;
mod suppress;

pub use settings::Settings;
pub use suppress::unknown_names;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::host::Host;
use crate::ini::{Entry, Ini, Section};
use crate::load::Loaded;
use crate::model::{Config, Process};
use crate::options::SectionKind;
use crate::resolve::Resolution;
use crate::source::{FileId, SourceMap, Span};

pub use crate::codes::Category;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// The rule's row in the catalogue (`crate::codes`): code, kebab-case
    /// name that reads as "allow <name>", default severity, category,
    /// summary.
    pub code: Code,
    /// Markdown with the fixed headings `## What it does`,
    /// `## Why is this bad?`, `## Example`, `## Use instead`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The rule's documentation page in the repository (what
    /// `supc rule NAME` prints, committed as `docs/rules/NAME.md`).
    pub fn docs_path(&self) -> String {
        format!("docs/rules/{}.md", self.code.name())
    }
}

/// One lint rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Reports findings; the engine stamps code and severity.
    fn check(&self, cx: &LintContext<'_>, out: &mut Findings);
}

/// Findings of one rule.
pub struct Findings {
    meta: &'static RuleMeta,
    diags: Vec<Diagnostic>,
    /// Definitions already reported (see [`Findings::first_time`]).
    reported: std::collections::HashSet<Span>,
}

impl Findings {
    /// True the first time a definition is seen. A `[DEFAULT]` value is
    /// read by every section, so rules that walk sections report it once.
    pub fn first_time(&mut self, definition: Span) -> bool {
        self.reported.insert(definition)
    }

    /// Starts a finding at `span` with the rule's code and severity.
    pub fn report(
        &mut self,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::new(self.meta.code, self.meta.code.severity(), message).at(span, label);
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// A finding without a place in the text (e.g. something missing).
    pub fn report_global(&mut self, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(
            self.meta.code,
            self.meta.code.severity(),
            message,
        ));
        self.diags.last_mut().expect("just pushed")
    }
}

/// What rules can look at.
pub struct LintContext<'a> {
    pub loaded: &'a Loaded,
    pub resolution: &'a Resolution,
    pub host: &'a Host,
    /// The inline comments' spans, sorted (made when a rule first asks).
    inline_comments: std::sync::OnceLock<Vec<Span>>,
    /// Where a Jinja `{%` tag starts, by file, sorted (made when a rule
    /// first asks).
    template_tags: std::sync::OnceLock<Vec<(FileId, u32)>>,
}

impl<'a> LintContext<'a> {
    pub fn new(loaded: &'a Loaded, resolution: &'a Resolution, host: &'a Host) -> Self {
        LintContext {
            loaded,
            resolution,
            host,
            inline_comments: std::sync::OnceLock::new(),
            template_tags: std::sync::OnceLock::new(),
        }
    }

    /// Whether a Jinja `{%` tag starts in `file` between `from` and `to`
    /// (a binary search: rules ask this of every pair of repeats).
    pub fn template_tag_between(&self, file: FileId, from: u32, to: u32) -> bool {
        let tags = self.template_tags.get_or_init(|| {
            let mut tags = Vec::new();
            for (id, f) in self.sources().files() {
                let starts = f.text.match_indices("{%").map(|(i, _)| i as u32);
                tags.extend(starts.map(|i| (id, i)));
            }
            tags.sort_unstable();
            tags
        });
        let i = tags.partition_point(|&t| t < (file, from));
        // A tag must lie wholly inside the text between.
        tags.get(i)
            .is_some_and(|&(f, at)| f == file && at.saturating_add(2) <= to)
    }

    /// The spans of the comments that follow a value on its line, in order
    /// of file and place.
    fn inline_comments(&self) -> &[Span] {
        self.inline_comments.get_or_init(|| {
            let mut spans: Vec<Span> = (self.loaded.comments.iter())
                .filter(|c| !c.full_line)
                .map(|c| c.span)
                .collect();
            spans.sort_by_key(|s| (s.file, s.start));
            spans
        })
    }

    /// The first inline comment of `file` that starts at `at` or later.
    pub fn inline_comment_from(&self, file: FileId, at: u32) -> Option<Span> {
        let comments = self.inline_comments();
        let i = comments.partition_point(|c| (c.file, c.start) < (file, at));
        comments.get(i).filter(|c| c.file == file).copied()
    }

    pub fn ini(&self) -> &'a Ini {
        &self.loaded.ini
    }

    pub fn sources(&self) -> &'a SourceMap {
        &self.loaded.sources
    }

    /// The resolved model (best effort when the config has errors).
    pub fn config(&self) -> &'a Config {
        self.resolution.model()
    }

    /// Every section with its kind, in order of first appearance.
    pub fn sections(&self) -> impl Iterator<Item = (&'a str, SectionKind, &'a Section)> {
        self.loaded
            .ini
            .sections
            .iter()
            .map(|(n, s)| (n.as_str(), SectionKind::of(n), s))
    }

    /// Every program-like section (program, eventlistener, fcgi-program)
    /// that has `key` (its own or from `[DEFAULT]`), with what it found.
    pub fn program_options(
        &self,
        key: &'a str,
    ) -> impl Iterator<Item = (&'a str, crate::ini::Found<'a>)> + 'a {
        let ini = self.ini();
        ini.sections
            .keys()
            .map(String::as_str)
            .filter(|name| SectionKind::of(name).is_program_like())
            .filter_map(move |name| Some((name, ini.get(name, key)?)))
    }

    /// A section's own entry (not inherited from `[DEFAULT]`).
    pub fn entry(&self, section: &str, key: &str) -> Option<&'a Entry> {
        self.loaded.ini.section(section)?.entries.get(key)
    }

    /// The text a span covers, as written.
    pub fn text(&self, span: Span) -> &'a str {
        self.loaded.sources.text(span)
    }

    /// The first header of a section.
    pub fn header(&self, section: &str) -> Option<Span> {
        self.loaded
            .ini
            .section(section)
            .and_then(|s| s.headers.first().copied())
    }

    /// Whether supc runs in portable mode (host checks off).
    pub fn portable(&self) -> bool {
        self.host.portable
    }
}

/// A group's processes in runs of consecutive instances of one section
/// (they share one [`ProcessCommon`](crate::model::ProcessCommon)), so a
/// rule whose verdict depends only on the section looks at each run once
/// instead of at every instance. A section listed twice in a group gives
/// two runs.
pub fn section_runs(processes: &[Process]) -> impl Iterator<Item = &[Process]> {
    processes.chunk_by(|a, b| std::sync::Arc::ptr_eq(&a.common, &b.common))
}

/// Instances from which the rules run on several threads: below it, the
/// threads cost more than they save (and `supc check` with many files
/// already keeps every core busy with one file each).
const PARALLEL_FROM: usize = 2_000;

/// Runs one rule.
fn run_rule(rule: &dyn Rule, cx: &LintContext<'_>) -> Vec<Diagnostic> {
    let mut findings = Findings {
        meta: rule.meta(),
        diags: Vec::new(),
        reported: std::collections::HashSet::new(),
    };
    rule.check(cx, &mut findings);
    findings.diags
}

/// Runs `rules`, each result in the slot of its rule: on the calling thread
/// for a small config, else on up to as many threads as cores, each taking
/// the next rule not yet taken.
fn run_rules(
    rules: &[&dyn Rule],
    cx: &LintContext<'_>,
) -> Result<Vec<Vec<Diagnostic>>, crate::parallel::WorkerPanicked> {
    let instances: usize = cx.config().groups.iter().map(|g| g.processes.len()).sum();
    let size = instances.max(cx.ini().sections.len());
    let workers = if size < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    };
    run_rules_on(rules, cx, workers)
}

/// [`run_rules`] on `workers` threads (the calling one included; at most
/// one per rule). A rule that panics is a bug: the error says so, and the
/// lint results are that error alone.
fn run_rules_on(
    rules: &[&dyn Rule],
    cx: &LintContext<'_>,
    workers: usize,
) -> Result<Vec<Vec<Diagnostic>>, crate::parallel::WorkerPanicked> {
    crate::parallel::map_with(rules, workers.min(rules.len()), |r| run_rule(*r, cx))
}

/// Runs every selected rule and applies suppressions and settings.
pub fn lint(cx: &LintContext<'_>, settings: &Settings) -> Vec<Diagnostic> {
    lint_with(cx, settings, Vec::new())
}

/// [`lint`], with supervisord's warnings (`core`, already graded by the
/// settings) suppressed inline like the rules' findings.
pub fn lint_with(
    cx: &LintContext<'_>,
    settings: &Settings,
    core: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let rules: Vec<&dyn Rule> = registry::RULES
        .iter()
        .copied()
        .filter(|r| settings.enabled(r.meta().code))
        .collect();
    let results = match run_rules(&rules, cx) {
        Ok(results) => results,
        Err(panicked) => {
            let rule = rules
                .get(panicked.index)
                .map_or("?", |r| r.meta().code.code());
            let message = format!("{panicked} (lint rule {rule})");
            return vec![Diagnostic::error(
                crate::codes::Code::InternalError,
                message,
            )];
        }
    };
    let mut out = Vec::with_capacity(results.iter().map(Vec::len).sum());
    // In registry order, whichever thread ran the rule.
    for (rule, diags) in rules.iter().zip(results) {
        // A rule may grade its own findings (e.g. error only when it is
        // certain to break); a severity from the settings overrides that.
        let forced = settings.override_for(rule.meta().code);
        for mut d in diags {
            if let Some(s) = forced {
                d.severity = s;
            }
            out.push(d);
        }
    }
    out.extend(core);
    let mut out = suppress::apply(out, cx, settings);
    out.sort_by_key(|d| d.primary.as_ref().map(|l| (l.span.file, l.span.start)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parallel path gives exactly what one thread gives, rule by rule
    /// and in registry order, on a config large enough to take it.
    #[test]
    fn parallel_rules_match_sequential() {
        let dir = tempfile::tempdir().unwrap();
        let mut conf = String::from(
            "[supervisord]\nlogfile=/tmp/supervisord.log\npidfile=/tmp/supervisord.pid\n\
             [unix_http_server]\nfile=/tmp/x.sock\n[rpcinterface:supervisor]\n\
             supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
        );
        for i in 0..1100 {
            conf.push_str(&format!(
                "[program:p{i}]\ncommand=/bin/true\nnumprocs=2\n\
                 process_name=%(program_name)s_%(process_num)d\n"
            ));
            if i % 2 == 0 {
                conf.push_str("comand=/bin/x\n");
            } else {
                conf.push_str("user=nobody\n");
            }
            if i % 3 == 0 {
                conf.push_str("killasgroup=true\n");
            }
            if i % 5 == 0 {
                conf.push_str("stdout_logfile=/tmp/same.log\n");
            }
            if i % 7 == 0 {
                conf.push_str(
                    "redirect_stderr=true\nstderr_logfile=/tmp/err-%(process_num)d.log\n",
                );
            }
        }
        std::fs::write(dir.path().join("supervisord.conf"), conf).unwrap();
        let host = Host {
            env: vec![("HOME".into(), "/nonexistent".into())],
            node_name: "testhost".into(),
            cwd: dir.path().to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        };
        let (loaded, resolution) = crate::analyze("supervisord.conf", &host, false);
        let cx = LintContext::new(&loaded, &resolution, &host);
        let instances: usize = cx.config().groups.iter().map(|g| g.processes.len()).sum();
        assert!(instances >= PARALLEL_FROM, "{instances} instances");

        let rules: Vec<&dyn Rule> = registry::RULES.to_vec();
        let sequential = run_rules_on(&rules, &cx, 1).unwrap();
        let codes: std::collections::BTreeSet<crate::codes::Code> =
            sequential.iter().flatten().map(|d| d.code).collect();
        assert!(codes.len() >= 4, "{codes:?}");
        let total = sequential.iter().flatten().count();
        assert!(total >= 1_000, "{total}");
        for workers in [2, 3, 8] {
            assert_eq!(
                run_rules_on(&rules, &cx, workers).unwrap(),
                sequential,
                "{workers} workers"
            );
        }
        assert_eq!(run_rules(&rules, &cx).unwrap(), sequential);
    }

    /// A rule that panics on every config (a stand-in for a supc bug).
    struct Panics;

    static PANICS: RuleMeta = RuleMeta {
        code: crate::codes::Code::InternalError,
        doc: "",
    };

    impl Rule for Panics {
        fn meta(&self) -> &'static RuleMeta {
            &PANICS
        }

        fn check(&self, _: &LintContext<'_>, _: &mut Findings) {
            panic!("rule bug");
        }
    }

    /// A panicking rule is an error that names it, on one thread or many,
    /// never a silently missing result.
    #[test]
    fn a_panicking_rule_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supervisord.conf"), "[supervisord]\n").unwrap();
        let host = Host {
            env: vec![("HOME".into(), "/nonexistent".into())],
            node_name: "testhost".into(),
            cwd: dir.path().to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        };
        let (loaded, resolution) = crate::analyze("supervisord.conf", &host, false);
        let cx = LintContext::new(&loaded, &resolution, &host);
        let mut rules: Vec<&dyn Rule> = registry::RULES.to_vec();
        rules.insert(1, &Panics);
        for workers in [1, 2] {
            let err = run_rules_on(&rules, &cx, workers).unwrap_err();
            assert_eq!(err.index, 1);
            assert!(err.message.contains("rule bug"), "{err:?}");
        }
    }
}
