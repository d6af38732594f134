//! The server's state: open documents (the unsaved buffers), the include
//! graph, and when each document is due for a check.
//!
//! Edits only record text and a deadline (debouncing); the event loop
//! hands the checks that are due to the worker, one at a time, and
//! installs a result only if the document has not been edited since its
//! job was made (newest edit wins). Requests are answered from the last
//! analysis meanwhile; only a document never checked yet makes a request
//! wait for its first check.

use super::analysis::Analysis;
use super::outline::Outline;
use super::text::{Encoding, LineIndex};
use super::worker::{Done, Job};
use super::workspace::{self, Workspace};
use crate::host::Host;
use lsp_types::Uri;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    /// The file it is (a synthetic path for a non-`file:` URI).
    pub path: PathBuf,
    pub version: i32,
    /// Bumped on every edit of the document (a version a client may
    /// reuse, e.g. when it reopens a file).
    pub stamp: u64,
    pub index: LineIndex,
    outline: OnceLock<Outline>,
    pub analysis: Option<Analysis>,
    /// When its check is due (`None`: up to date).
    pub due: Option<Instant>,
}

impl Document {
    pub fn outline(&self, text: &str) -> &Outline {
        self.outline.get_or_init(|| {
            if self.is_yaml() {
                Outline::parse_yaml(text)
            } else {
                Outline::parse(text)
            }
        })
    }

    /// A supc.yaml spec rather than an INI file.
    pub fn is_yaml(&self) -> bool {
        crate::yaml::is_yaml_path(&self.path.to_string_lossy())
    }
}

/// Settings the client may pass in `initializationOptions`.
#[derive(Debug, Clone, serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientOptions {
    /// Answer host questions portably (`supc check --portable`): the
    /// environment is then only `env`, as with `--env`.
    pub portable: bool,
    /// Variables set on top of the environment (`supc check --env K=V`).
    pub env: std::collections::BTreeMap<String, String>,
    /// Quiet time after an edit before checking (default 150 ms).
    pub debounce_ms: Option<u64>,
}

impl ClientOptions {
    /// The host checks run against: this machine (or a portable one) with
    /// the client's `env` on top.
    fn host(&self) -> Host {
        let mut host = Host::from_process(self.portable);
        for (k, v) in &self.env {
            host.set_env(k, v);
        }
        host
    }
}

#[derive(Debug)]
pub struct State {
    pub docs: HashMap<String, Document>,
    /// Open buffers by path: what the loader reads instead of the disk.
    pub texts: HashMap<PathBuf, String>,
    pub workspace: Workspace,
    pub host: Host,
    pub encoding: Encoding,
    pub debounce: Duration,
    /// Requests waiting for their document's first check.
    pub deferred: Vec<lsp_server::Request>,
    /// The client asks again for inlay hints when told to (hints are left
    /// out while a check is pending, so a new check can change them).
    pub inlay_refresh: bool,
    /// Requests the server sent (their ids).
    pub sent: u64,
    untitled: u32,
    stamps: u64,
}

impl State {
    pub fn new(folders: Vec<PathBuf>, options: &ClientOptions, encoding: Encoding) -> Self {
        State {
            docs: HashMap::new(),
            texts: HashMap::new(),
            workspace: Workspace::new(folders),
            host: options.host(),
            encoding,
            debounce: Duration::from_millis(options.debounce_ms.unwrap_or(150)),
            deferred: Vec::new(),
            inlay_refresh: false,
            sent: 0,
            untitled: 0,
            stamps: 0,
        }
    }

    pub fn text(&self, doc: &Document) -> &str {
        self.texts.get(&doc.path).map_or("", String::as_str)
    }

    pub fn open(&mut self, uri: Uri, version: i32, text: String) {
        let path = match super::uri::to_path(&uri) {
            Some(p) => p,
            None => {
                self.untitled += 1;
                PathBuf::from(format!("/supc-untitled/{}.conf", self.untitled))
            }
        };
        if workspace::has_include(&text) {
            self.workspace.invalidate();
        }
        self.stamps += 1;
        let doc = Document {
            uri: uri.clone(),
            path: path.clone(),
            version,
            stamp: self.stamps,
            index: LineIndex::new(&text),
            outline: OnceLock::new(),
            analysis: None,
            due: Some(Instant::now()),
        };
        self.set_text(path, text);
        self.docs.insert(uri.as_str().to_string(), doc);
        self.schedule_readers_of(uri.as_str(), Instant::now());
    }

    /// Replaces a document's text; checks it (and its includers) later.
    pub fn replace(&mut self, key: &str, version: i32, text: String) {
        let Some(doc) = self.docs.get_mut(key) else {
            return;
        };
        let old_include = self
            .texts
            .get(&doc.path)
            .is_some_and(|t| workspace::has_include(t));
        if old_include || workspace::has_include(&text) {
            self.workspace.invalidate();
        }
        self.stamps += 1;
        doc.version = version;
        doc.stamp = self.stamps;
        doc.index = LineIndex::new(&text);
        doc.outline = OnceLock::new();
        let due = Instant::now() + self.debounce;
        doc.due = Some(due);
        let path = doc.path.clone();
        self.set_text(path, text);
        self.schedule_readers_of(key, due);
    }

    /// Closes a document; returns its URI, whose diagnostics are cleared.
    pub fn close(&mut self, key: &str) -> Option<Uri> {
        let doc = self.docs.remove(key)?;
        self.texts.remove(&doc.path);
        // The overlay has no removal: rebuilt from what stays open.
        self.host.overlay = crate::input::Overlay::default();
        for (p, t) in &self.texts {
            self.host.overlay.insert(p.to_string_lossy(), t.as_str());
        }
        self.workspace.invalidate();
        self.schedule_path_readers(&doc.path, Instant::now());
        Some(doc.uri)
    }

    /// A file changed on disk or was saved: re-check what reads it.
    pub fn file_changed(&mut self, path: &Path) {
        self.workspace.invalidate();
        self.schedule_path_readers(path, Instant::now());
    }

    /// The buffer of `path`, for the features and for the loader.
    fn set_text(&mut self, path: PathBuf, text: String) {
        self.host
            .overlay
            .insert(path.to_string_lossy(), text.as_str());
        self.texts.insert(path, text);
    }

    fn schedule_readers_of(&mut self, key: &str, due: Instant) {
        if let Some(path) = self.docs.get(key).map(|d| d.path.clone()) {
            self.schedule_path_readers(&path, due);
        }
    }

    /// Every other open document whose last check read `path` (an
    /// included file, or the main config of a snippet), or that has not
    /// been checked yet (its first check may be running on older text).
    fn schedule_path_readers(&mut self, path: &Path, due: Instant) {
        for doc in self.docs.values_mut() {
            let reads = doc.analysis.as_ref().is_none_or(|a| a.reads(path));
            if reads && doc.path != path {
                doc.due = Some(doc.due.map_or(due, |d| d.min(due)));
            }
        }
    }

    /// The earliest pending deadline.
    pub fn next_due(&self) -> Option<Instant> {
        self.docs.values().filter_map(|d| d.due).min()
    }

    /// Keys of documents whose check is due by `now`.
    pub fn due_by(&self, now: Instant) -> Vec<String> {
        let mut keys: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort();
        keys
    }

    /// The check of a document that is due by `now` (no longer due once
    /// made): its root is the main config that includes it when it is a
    /// snippet and one is found.
    pub fn next_job(&mut self, now: Instant) -> Option<Job> {
        let key = self.due_by(now).into_iter().next()?;
        self.job(&key)
    }

    fn job(&mut self, key: &str) -> Option<Job> {
        let doc = self.docs.get_mut(key)?;
        // No longer due even if finding the main config panics below.
        doc.due = None;
        let (path, stamp) = (doc.path.clone(), doc.stamp);
        let text = self.texts.get(&path).map_or("", String::as_str);
        let yaml = crate::yaml::is_yaml_path(&path.to_string_lossy());
        let snippet = !yaml && workspace::looks_like_snippet(text);
        let main = if snippet {
            self.workspace.main_config_for(&path, &self.host)
        } else {
            None
        };
        Some(Job {
            key: key.to_string(),
            stamp,
            as_of: self.stamps,
            snippet: snippet && main.is_none(),
            root: main.unwrap_or(path),
            host: self.host.clone(),
        })
    }

    /// Keeps a finished check if its document is still open and neither
    /// it nor another open file the check read was edited since the job
    /// was made; `true` when it was kept (and is to be published). A stale
    /// result is dropped and the document checked again.
    pub fn install(&mut self, done: Done) -> bool {
        let Ok(analysis) = done.analysis else {
            return false;
        };
        let read_stale = self
            .docs
            .values()
            .any(|d| d.stamp > done.as_of && analysis.reads(&d.path));
        let Some(doc) = self.docs.get_mut(&done.key) else {
            return false;
        };
        if doc.stamp != done.stamp {
            return false;
        }
        if read_stale {
            doc.due = Some(doc.due.map_or(Instant::now(), |d| d.min(Instant::now())));
            return false;
        }
        doc.analysis = Some(analysis);
        true
    }

    /// Whether a request about `key` should wait: the document has no
    /// analysis yet and its first check is pending or running.
    pub fn awaits_first_check(&self, key: &str, running: Option<&str>) -> bool {
        self.docs
            .get(key)
            .is_some_and(|d| d.analysis.is_none() && (d.due.is_some() || running == Some(key)))
    }

    /// Checks one document now, on this thread (for tests).
    #[cfg(test)]
    pub fn check(&mut self, key: &str) {
        if let Some(job) = self.job(key) {
            self.install(super::worker::run(job));
        }
    }
}
