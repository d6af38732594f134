//! Which rules run and how severe they are: `.supc.yaml` (found by walking
//! up from the checked file) overlaid with `--select`/`--ignore`.

use crate::codes::Code;
use crate::diagnostic::Severity;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `.supc.yaml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Only these rules (codes or names); empty means the default set.
    #[serde(default)]
    pub select: Vec<String>,
    /// Rules run in addition to `select` (or the default set): how an
    /// opt-in rule joins the defaults.
    #[serde(default)]
    pub extend_select: Vec<String>,
    /// Never these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
    /// Lowest severity that makes `supc check` exit 1.
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Globs (gitignore syntax) a directory walk skips; replaces the
    /// default list.
    #[serde(default)]
    pub exclude: Option<Vec<String>>,
    /// Globs skipped in addition to `exclude` (or the default list).
    #[serde(default)]
    pub extend_exclude: Vec<String>,
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(serde::de::Error::custom(format!(
                "unknown severity {other:?} (expected error, warning or info)"
            ))),
        }
    }
}

/// Whether `name` is a code or a code's name (in any case).
pub fn is_known(name: &str) -> bool {
    Code::lookup(name).is_some()
}

/// An error naming every unknown entry of `list`, with suggestions.
pub fn check_names(list: &[String]) -> Result<(), String> {
    let bad: Vec<String> = list
        .iter()
        .filter(|n| !is_known(n))
        .map(|n| match Code::closest(n) {
            Some(s) => format!("unknown rule `{n}` (did you mean `{s}`?)"),
            None => format!("unknown rule `{n}` (`supc rules` lists them)"),
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("; "))
    }
}

fn matches(list: &[String], code: Code) -> bool {
    list.iter().any(|s| Code::lookup(s) == Some(code))
}

impl Settings {
    /// Whether a rule runs: the default set (every rule the catalogue
    /// enables by default) unless `select` names rules, plus those
    /// `extend-select` names (opt-in rules run only when named); never when
    /// ignored.
    pub fn enabled(&self, code: Code) -> bool {
        let selected = if self.select.is_empty() {
            code.enabled_by_default()
        } else {
            matches(&self.select, code)
        };
        (selected || matches(&self.extend_select, code)) && !matches(&self.ignore, code)
    }

    /// The severity the settings impose on a rule, if any.
    pub fn override_for(&self, code: Code) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(k, _)| Code::lookup(k) == Some(code))
            .map(|(_, s)| *s)
    }

    /// The rule's severity after settings.
    pub fn severity(&self, code: Code) -> Severity {
        self.override_for(code).unwrap_or(code.severity())
    }

    /// `.supc.yaml` in the file's directory or the nearest parent.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let mut dir = if start.is_dir() {
            Some(start)
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(".supc.yaml");
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// Parses `.supc.yaml`; a rule name it does not know is an error.
    pub fn from_yaml(text: &str) -> Result<Settings, String> {
        let s = serde_yaml::from_str::<Option<Settings>>(text)
            .map(Option::unwrap_or_default)
            .map_err(|e| e.to_string())?;
        check_names(&s.select)?;
        check_names(&s.extend_select)?;
        check_names(&s.ignore)?;
        let graded: Vec<String> = s.severity.keys().cloned().collect();
        check_names(&graded)?;
        Ok(s)
    }

    /// Command-line selections on top of the file's.
    pub fn overlay(
        mut self,
        select: &[String],
        extend_select: &[String],
        ignore: &[String],
        fail_on: Option<Severity>,
    ) -> Self {
        // Rules named on the command line run even if the file ignores them.
        let same = |a: &str, b: &str| {
            a == b || Code::lookup(a).is_some_and(|x| Code::lookup(b) == Some(x))
        };
        let named = || select.iter().chain(extend_select);
        self.ignore.retain(|i| !named().any(|s| same(s, i)));
        if !select.is_empty() {
            self.select = select.to_vec();
        }
        self.extend_select.extend(extend_select.iter().cloned());
        self.ignore.extend(ignore.iter().cloned());
        if fail_on.is_some() {
            self.fail_on = fail_on;
        }
        self
    }
}
