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
    /// Only these rules (codes or names); empty means all.
    #[serde(default)]
    pub select: Vec<String>,
    /// Never these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    #[serde(default)]
    pub severity: HashMap<String, Severity>,
    /// Lowest severity that makes `supc check` exit 1.
    #[serde(default)]
    pub fail_on: Option<Severity>,
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

fn matches(list: &[String], code: Code) -> bool {
    list.iter().any(|s| Code::lookup(s) == Some(code))
}

impl Settings {
    pub fn enabled(&self, code: Code) -> bool {
        (self.select.is_empty() || matches(&self.select, code)) && !matches(&self.ignore, code)
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

    pub fn from_yaml(text: &str) -> Result<Settings, String> {
        serde_yaml::from_str::<Option<Settings>>(text)
            .map(Option::unwrap_or_default)
            .map_err(|e| e.to_string())
    }

    /// Command-line selections on top of the file's.
    pub fn overlay(
        mut self,
        select: &[String],
        ignore: &[String],
        fail_on: Option<Severity>,
    ) -> Self {
        if !select.is_empty() {
            // Rules named on the command line run even if the file ignores them.
            let same = |a: &str, b: &str| {
                a == b || Code::lookup(a).is_some_and(|x| Code::lookup(b) == Some(x))
            };
            self.ignore.retain(|i| !select.iter().any(|s| same(s, i)));
            self.select = select.to_vec();
        }
        self.ignore.extend(ignore.iter().cloned());
        if fail_on.is_some() {
            self.fail_on = fail_on;
        }
        self
    }
}
