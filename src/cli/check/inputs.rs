//! What `supc check` reads: standard input, named files, directory walks.
//! Each file is read once, here; its text goes on to the loader through the
//! host's overlay (also when a main config of the walk includes it), and its
//! kind (supervisord config or not, main or snippet) is judged from the
//! same text.

use super::plan::Plan;
use crate::discover::detect::{self, Mode};
use crate::discover::{self, Candidate, FileKey, SkipReason, Skipped, Unreadable};
use std::collections::HashSet;
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
    // One file reached twice (a symlink, a hard link, a path named twice)
    // is taken where it was first met.
    let mut seen = HashSet::new();
    for (c, r) in found.candidates.iter().zip(read) {
        match r {
            Ok((id, _)) if !seen.insert(id) => {}
            Ok((_, Some(input))) => inputs.files.push(input),
            Ok((_, None)) => inputs.skipped.push(Skipped {
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

/// Reads one candidate: the file's identity, and `None` when a walked file
/// is no supervisord config.
fn read_candidate(c: &Candidate, plan: &Plan) -> Result<(FileKey, Option<Input>), String> {
    let limit = crate::limits::MAX_FILE_BYTES;
    // A walk hands on only regular files; a named path may be anything and
    // is asked what it is before it is opened.
    if c.explicit {
        crate::input::regular_file_len(&c.path).map_err(|e| e.to_string())?;
    }
    let (bytes, meta) = crate::input::read_regular(&c.path, limit).map_err(|e| e.to_string())?;
    let id = FileKey::from_metadata(&meta);
    let detect_all = !c.explicit || plan.walk.force_exclude;
    let shown_as = plan.as_path.clone().unwrap_or_else(|| c.path.clone());
    // Decoded once; a file that is not UTF-8 is judged from a lossy copy
    // and left for the loader to read and refuse as supervisord does.
    let (text, judged) = match String::from_utf8(bytes) {
        Ok(t) => (Some(t), None),
        Err(e) => (
            None,
            Some(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    };
    let judged = text.as_deref().or(judged.as_deref()).unwrap_or_default();
    // A spec in supc.yaml is a config whatever its headers.
    let yaml = crate::yaml::is_yaml_path(&shown_as.to_string_lossy());
    if detect_all && !yaml && !detect::looks_like_supervisord(judged) {
        return Ok((id, None));
    }
    let mode = plan.mode.unwrap_or_else(|| {
        let name = shown_as.file_name().and_then(|n| n.to_str());
        detect::mode_of_file(name, judged)
    });
    let input = Input {
        path: shown_as,
        id: Some(id),
        text: text.map(Arc::from),
        mode,
    };
    Ok((id, Some(input)))
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
