//! What `supc check` reads: standard input, named files, directory walks.
//! Each file is read once, here; its text goes on to the loader through the
//! host's overlay (also when a main config of the walk includes it), and its
//! kind (supervisord config or not, main or snippet) is judged from the
//! same text.

use super::plan::Plan;
use crate::discover::detect::{self, Mode};
use crate::discover::{self, Candidate, FileKey, SkipReason, Skipped, Unreadable};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file to check, read.
pub struct Input {
    /// The path the file is checked as: as named, or `--as DEST`, or the
    /// `--stdin-filename`.
    pub path: PathBuf,
    /// The real file behind it, to tell a file a main config includes
    /// (none for standard input).
    pub id: Option<FileKey>,
    /// The text read; `None` when it is not UTF-8 (the loader then reads
    /// the file itself and reports that as supervisord does).
    pub text: Option<Arc<str>>,
    pub mode: Mode,
}

#[derive(Default)]
pub struct Inputs {
    pub files: Vec<Input>,
    pub unreadable: Vec<Unreadable>,
    pub skipped: Vec<Skipped>,
}

/// The name standard input is shown as without `--stdin-filename`.
const STDIN_NAME: &str = "<stdin>";

pub fn gather(plan: &Plan) -> Inputs {
    if plan.paths.len() == 1 && plan.paths[0] == Path::new("-") {
        return from_stdin(plan);
    }
    let found = discover::find(&plan.paths, &plan.walk);
    let mut inputs = Inputs {
        unreadable: found.unreadable,
        skipped: found.skipped,
        ..Inputs::default()
    };
    let read = match crate::parallel::map(&found.candidates, |c| read_candidate(c, plan)) {
        Ok(r) => r,
        Err(e) => found
            .candidates
            .iter()
            .map(|_| Err(e.to_string()))
            .collect(),
    };
    for (c, r) in found.candidates.iter().zip(read) {
        match r {
            Ok(Some(input)) => inputs.files.push(input),
            Ok(None) => inputs.skipped.push(Skipped {
                path: c.path.clone(),
                reason: SkipReason::NotSupervisord,
            }),
            Err(reason) => inputs.unreadable.push(Unreadable {
                path: c.path.clone(),
                reason,
            }),
        }
    }
    inputs
}

/// Reads one candidate; `None` when a walked file is no supervisord config.
fn read_candidate(c: &Candidate, plan: &Plan) -> Result<Option<Input>, String> {
    let bytes = read_bytes(&c.path)?;
    let detect_all = !c.explicit || plan.walk.force_exclude;
    let shown_as = plan.as_path.clone().unwrap_or_else(|| c.path.clone());
    let text = String::from_utf8_lossy(&bytes);
    // A spec in supc.yaml is a config whatever its headers.
    let yaml = crate::yaml::is_yaml_path(&shown_as.to_string_lossy());
    if detect_all && !yaml && !detect::looks_like_supervisord(&text) {
        return Ok(None);
    }
    let mode = plan.mode.unwrap_or_else(|| {
        let name = shown_as.file_name().and_then(|n| n.to_str());
        detect::mode_of_file(name, &text)
    });
    let text = std::str::from_utf8(&bytes).ok().map(Arc::from);
    Ok(Some(Input {
        path: shown_as,
        id: Some(c.id),
        text,
        mode,
    }))
}

fn from_stdin(plan: &Plan) -> Inputs {
    let name = plan
        .stdin_filename
        .clone()
        .or_else(|| plan.as_path.clone())
        .unwrap_or_else(|| PathBuf::from(STDIN_NAME));
    let mut bytes = Vec::new();
    let limit = crate::limits::MAX_FILE_BYTES;
    let read = std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes);
    let mut inputs = Inputs::default();
    let problem = match read {
        Err(e) => Some(discover::io_reason(&e)),
        Ok(_) if bytes.len() as u64 > limit => Some(format!("larger than {limit} bytes")),
        Ok(_) => None,
    };
    if let Some(reason) = problem {
        inputs.unreadable.push(Unreadable {
            path: PathBuf::from(STDIN_NAME),
            reason,
        });
        return inputs;
    }
    // No file stands behind standard input for the loader to fall back on.
    let Ok(text) = String::from_utf8(bytes) else {
        inputs.unreadable.push(Unreadable {
            path: PathBuf::from(STDIN_NAME),
            reason: "not valid UTF-8; supervisord refuses such a file".into(),
        });
        return inputs;
    };
    let mode = plan.mode.unwrap_or_else(|| {
        let file_name = name.file_name().and_then(|n| n.to_str());
        detect::mode_of_file(file_name, &text)
    });
    inputs.files.push(Input {
        id: None,
        path: name,
        text: Some(Arc::from(text)),
        mode,
    });
    inputs
}

/// A regular file's bytes, bounded; anything else is refused unread.
fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    crate::input::read_config_bytes(path, crate::limits::MAX_FILE_BYTES).map_err(|e| e.to_string())
}
