//! The event listener protocol as supervisord reads it from a listener's
//! stdout (`PEventListenerDispatcher.handle_listener_state_change`):
//! `READY\n` makes an ACKNOWLEDGED listener READY, a BUSY listener answers
//! `RESULT <len>\n<result>`, and anything else puts it into UNKNOWN, where
//! it gets no more events. The result goes through supervisor's
//! `default_handler` (`OK` accepts, anything else rejects the event, which
//! goes back to the head of its pool).

use super::events::{Event, ListenerState, Notices};
use super::log::Logger;
use std::rc::Rc;

const READY: &[u8] = b"READY\n";
const RESULT: &[u8] = b"RESULT ";

/// One listener process's side of the protocol.
pub struct Listener {
    pub state: ListenerState,
    /// The event it is busy with (`process.event`).
    pub event: Option<Rc<Event>>,
    buffer: Vec<u8>,
    result: Vec<u8>,
    resultlen: Option<usize>,
}

/// Who the listener is, for log lines and rejections.
pub struct Who<'a> {
    pub name: &'a str,
    pub group: &'a str,
}

impl Listener {
    /// A freshly spawned listener: ACKNOWLEDGED until it says READY.
    pub fn new() -> Listener {
        Listener {
            state: ListenerState::Acknowledged,
            event: None,
            buffer: Vec::new(),
            result: Vec::new(),
            resultlen: None,
        }
    }

    fn change(&mut self, who: &Who, new: ListenerState, logger: &mut Logger) {
        logger.debug(&format!(
            "{}: {} -> {}",
            who.name,
            self.state.name(),
            new.name()
        ));
        self.state = new;
        if new == ListenerState::Unknown {
            logger.warn(&format!(
                "{}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol",
                who.name
            ));
        }
    }

    fn reject(&mut self, who: &Who, notices: &mut Notices) {
        if let Some(e) = self.event.take() {
            notices.reject(who.group, e);
        }
    }

    /// What the listener wrote on stdout.
    pub fn feed(&mut self, data: &[u8], who: &Who, logger: &mut Logger, notices: &mut Notices) {
        self.buffer.extend_from_slice(data);
        while !self.buffer.is_empty() {
            if !self.step(who, logger, notices) {
                break;
            }
        }
    }

    /// One pass of `handle_listener_state_change`; false when it needs
    /// more data.
    fn step(&mut self, who: &Who, logger: &mut Logger, notices: &mut Notices) -> bool {
        match self.state {
            ListenerState::Unknown => {
                self.buffer.clear();
                false
            }
            ListenerState::Acknowledged => {
                if self.buffer.len() < READY.len() {
                    return false;
                }
                if self.buffer.starts_with(READY) {
                    self.change(who, ListenerState::Ready, logger);
                    self.buffer.drain(..READY.len());
                } else {
                    self.change(who, ListenerState::Unknown, logger);
                    self.buffer.clear();
                }
                self.event = None;
                true
            }
            ListenerState::Ready => {
                self.change(who, ListenerState::Unknown, logger);
                self.buffer.clear();
                self.event = None;
                false
            }
            ListenerState::Busy => self.busy(who, logger, notices),
        }
    }

    fn busy(&mut self, who: &Who, logger: &mut Logger, notices: &mut Notices) -> bool {
        let Some(len) = self.resultlen else {
            let Some(pos) = self.buffer.iter().position(|&b| b == b'\n') else {
                return false;
            };
            let line: Vec<u8> = self.buffer.drain(..=pos).take(pos).collect();
            let digits = line.get(RESULT.len()..).unwrap_or(b"");
            match parse_py_int(digits) {
                Some(n) => self.resultlen = Some(n),
                None => {
                    logger.warn(&format!(
                        "{}: bad result line: '{}'",
                        who.name,
                        super::events::as_string(&line)
                    ));
                    self.change(who, ListenerState::Unknown, logger);
                    self.buffer.clear();
                    self.reject(who, notices);
                    return false;
                }
            }
            return true;
        };
        let needed = len - self.result.len();
        let take = needed.min(self.buffer.len());
        self.result.extend(self.buffer.drain(..take));
        if self.result.len() == len {
            let result = std::mem::take(&mut self.result);
            self.resultlen = None;
            self.handle_result(&result, who, logger, notices);
            self.event = None;
            return true;
        }
        false
    }

    /// `handle_result` with `default_handler`.
    fn handle_result(
        &mut self,
        result: &[u8],
        who: &Who,
        logger: &mut Logger,
        notices: &mut Notices,
    ) {
        if result == b"OK" {
            logger.debug(&format!("{}: event was processed", who.name));
            self.change(who, ListenerState::Acknowledged, logger);
        } else {
            logger.warn(&format!("{}: event was rejected", who.name));
            self.change(who, ListenerState::Acknowledged, logger);
            self.reject(who, notices);
        }
    }
}

/// Python's `int(bytes)` for a result length: optional whitespace and
/// sign, digits with single underscores between them. A negative length
/// would make supervisord wait forever; it is refused here like a bad line.
fn parse_py_int(b: &[u8]) -> Option<usize> {
    let s = std::str::from_utf8(b).ok()?.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    s.replace('_', "").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logger() -> Logger {
        Logger::quiet()
    }

    #[test]
    fn ready_then_ok_then_ready() {
        let who = Who {
            name: "l",
            group: "l",
        };
        let (mut log, mut n) = (logger(), Notices::default());
        let mut l = Listener::new();
        l.feed(b"REA", &who, &mut log, &mut n);
        assert_eq!(l.state, ListenerState::Acknowledged);
        l.feed(b"DY\n", &who, &mut log, &mut n);
        assert_eq!(l.state, ListenerState::Ready);
        l.state = ListenerState::Busy;
        l.event = Some(Event::new("TICK_5", "when:5".into()));
        l.feed(b"RESULT 4\nFAILREADY\n", &who, &mut log, &mut n);
        assert_eq!(l.state, ListenerState::Ready);
        assert_eq!(n.queue.len(), 1, "FAIL rejects the event");
    }

    #[test]
    fn a_bad_result_line_is_unknown() {
        let who = Who {
            name: "l",
            group: "l",
        };
        let (mut log, mut n) = (logger(), Notices::default());
        let mut l = Listener::new();
        l.state = ListenerState::Busy;
        l.event = Some(Event::new("TICK_5", "when:5".into()));
        l.feed(b"RESULT x\n", &who, &mut log, &mut n);
        assert_eq!(l.state, ListenerState::Unknown);
        assert_eq!(n.queue.len(), 1);
    }
}
