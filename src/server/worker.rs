//! Checks off the event loop. A check of a large config takes a good part
//! of a second; run on the loop, it would hold up every hover and
//! completion sent meanwhile. So one worker thread runs the checks, one at
//! a time, on a snapshot of the buffers (the host's overlay, shared, not
//! copied), and sends each [`Analysis`] back as an [`Event`] on the same
//! channel as the client's messages (a forwarding thread puts those
//! there), so the loop waits on one channel for both. The loop decides
//! whether a result is still wanted (see [`State::install`]).
//!
//! [`State::install`]: super::state::State::install

use super::analysis::{self, Analysis};
use crate::host::Host;
use lsp_server::{Connection, Message};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

/// One check to run: a document's root config as of one edit.
#[derive(Debug)]
pub struct Job {
    pub key: String,
    /// The document's edit stamp when the job was made.
    pub stamp: u64,
    /// The newest stamp of any document then: a file edited after it was
    /// read in its older text.
    pub as_of: u64,
    pub root: PathBuf,
    pub snippet: bool,
    pub host: Host,
}

/// A finished check (`analysis` is the panic's message when the check
/// panicked: a supc bug, reported to the user, never dropped silently).
#[derive(Debug)]
pub struct Done {
    pub key: String,
    pub stamp: u64,
    pub as_of: u64,
    pub analysis: Result<Analysis, String>,
}

/// What the event loop waits for.
#[derive(Debug)]
pub enum Event {
    Message(Message),
    Checked(Box<Done>),
    /// A debounce deadline passed: a check is due.
    Due,
    /// The client's input ended.
    Closed,
}

/// Runs a job where it is (the worker thread, or a test).
pub fn run(job: Job) -> Done {
    let analysis = catch_unwind(AssertUnwindSafe(|| {
        analysis::analyze(&job.root, job.snippet, &job.host)
    }))
    .map_err(crate::parallel::panic_message);
    Done {
        key: job.key,
        stamp: job.stamp,
        as_of: job.as_of,
        analysis,
    }
}

/// The worker thread and what it is checking.
pub struct Worker {
    jobs: Sender<Job>,
    busy: Option<String>,
}

impl Worker {
    /// Starts the thread; it ends when the worker is dropped (or, with a
    /// check running, when that check ends: the loop never waits for it).
    pub fn start(events: Sender<Event>) -> Worker {
        let (jobs, queue) = channel::<Job>();
        std::thread::spawn(move || {
            for job in queue {
                if events.send(Event::Checked(Box::new(run(job)))).is_err() {
                    break;
                }
            }
        });
        Worker { jobs, busy: None }
    }

    /// The key of the document being checked.
    pub fn busy(&self) -> Option<&str> {
        self.busy.as_deref()
    }

    pub fn submit(&mut self, job: Job) {
        self.busy = Some(job.key.clone());
        if self.jobs.send(job).is_err() {
            self.busy = None;
        }
    }

    /// The running check sent its result.
    pub fn finished(&mut self) {
        self.busy = None;
    }
}

/// Puts the client's messages on the event channel.
pub fn forward(connection: &Connection, events: Sender<Event>) {
    let messages = connection.receiver.clone();
    std::thread::spawn(move || {
        for m in messages {
            if events.send(Event::Message(m)).is_err() {
                return;
            }
        }
        let _ = events.send(Event::Closed);
    });
}

/// The event channel.
pub fn events() -> (Sender<Event>, Receiver<Event>) {
    channel()
}
