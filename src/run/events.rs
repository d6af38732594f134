//! supervisord's event system (`supervisor/events.py` and the
//! `EventListenerPool` of `process.py`): the events the runner emits, the
//! pools of `[eventlistener:x]` sections that buffer the events they
//! subscribe to, and the envelope a listener reads on its stdin.
//!
//! Processes and the supervisor do not know the pools: they push
//! [`Notice`]s into a queue ([`Notices`]) and the supervisor hands the
//! queue to every pool that exists at that moment, in the order the
//! notices were made (supervisord's synchronous `notify`, delivered at the
//! next point where the set of pools could change). Payloads are rendered
//! when the event is made, as supervisord's `ProcessStateEvent` renders
//! its extra values eagerly (a log or tick payload never changes).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// One event (`supervisor.events.Event`): its type name as listeners see
/// it (`eventname:`), its payload, the global serial given when a pool
/// first accepts it and the serial each pool gave it.
#[derive(Debug)]
pub struct Event {
    pub name: &'static str,
    pub payload: String,
    serial: Cell<Option<u64>>,
    pool_serials: RefCell<HashMap<String, u64>>,
}

impl Event {
    pub fn new(name: &'static str, payload: String) -> Rc<Event> {
        Rc::new(Event {
            name,
            payload,
            serial: Cell::new(None),
            pool_serials: RefCell::new(HashMap::new()),
        })
    }

    pub fn serial(&self) -> u64 {
        self.serial.get().unwrap_or(0)
    }
}

/// What processes and the supervisor report to the pools.
pub enum Notice {
    /// `events.notify(event)`.
    Event(Rc<Event>),
    /// `EventRejectedEvent`: the listener `process` of `group` did not
    /// take `event` (FAIL, a bad result line, or it died while busy).
    Rejected { group: String, event: Rc<Event> },
}

/// The queue of notices not yet handed to the pools.
#[derive(Default)]
pub struct Notices {
    pub queue: Vec<Notice>,
    /// Whether any pool exists (no event is made when nobody listens).
    pub listening: bool,
}

impl Notices {
    pub fn notify(&mut self, name: &'static str, payload: impl FnOnce() -> String) {
        if self.listening {
            self.queue.push(Notice::Event(Event::new(name, payload())));
        }
    }

    pub fn reject(&mut self, group: &str, event: Rc<Event>) {
        self.queue.push(Notice::Rejected {
            group: group.to_string(),
            event,
        });
    }
}

/// supervisord's abstract event types below `EVENT`; each one's name is
/// the prefix of its subclasses' names.
const ABSTRACT: [&str; 6] = [
    "PROCESS_STATE",
    "PROCESS_COMMUNICATION",
    "PROCESS_LOG",
    "SUPERVISOR_STATE_CHANGE",
    "TICK",
    "PROCESS_GROUP",
];

/// Whether a pool subscribed to `sub` receives an event named `name`
/// (supervisord tests `isinstance(event, type)`).
pub fn subscribes(sub: &str, name: &str) -> bool {
    sub == "EVENT"
        || name == sub
        || (ABSTRACT.contains(&sub)
            && name
                .strip_prefix(sub)
                .is_some_and(|rest| rest.starts_with('_')))
}

/// `as_string(data)`, or supervisord's `Undecodable: b'...'`.
pub fn as_string(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(s) => s.to_string(),
        Err(_) => format!("Undecodable: {}", super::dispatch::py_bytes_repr(data)),
    }
}

/// `timeslice(period, when)`.
pub fn timeslice(period: u64, when: f64) -> u64 {
    let w = when.max(0.0) as u64;
    w - w % period
}

/// The tick events and their periods (`TICK_EVENTS`).
pub const TICKS: [(&str, u64); 3] = [("TICK_5", 5), ("TICK_60", 60), ("TICK_3600", 3600)];

/// The last tick of each period (`Supervisor.ticks`).
#[derive(Default)]
pub struct Ticks {
    last: [Option<u64>; 3],
}

impl Ticks {
    /// `tick`: the tick events due at `now`.
    pub fn tick(&mut self, now: f64, notices: &mut Notices) {
        for (i, (name, period)) in TICKS.iter().enumerate() {
            let this = timeslice(*period, now);
            let last = *self.last[i].get_or_insert(this);
            if this != last {
                self.last[i] = Some(this);
                notices.notify(name, || format!("when:{this}"));
            }
        }
    }

    /// When the next tick is due (for the poll timeout).
    pub fn next(&self, now: f64) -> f64 {
        (timeslice(5, now) + 5) as f64
    }
}

/// The buffer of an `[eventlistener:x]` group (`EventListenerPool`).
pub struct Pool {
    pub name: String,
    pub events: Vec<String>,
    pub buffer_size: usize,
    pub buffer: VecDeque<Rc<Event>>,
    serial: Option<u64>,
}

/// supervisord's `GlobalSerial`.
#[derive(Default)]
pub struct GlobalSerial(Option<u64>);

fn new_serial(s: &mut Option<u64>) -> u64 {
    let n = match *s {
        None => 0,
        Some(n) if n >= i64::MAX as u64 => 0,
        Some(n) => n + 1,
    };
    *s = Some(n);
    n
}

/// What a pool asks the main log to say.
pub enum PoolLog {
    Debug(String),
    Error(String),
}

impl Pool {
    pub fn new(name: &str, events: Vec<String>, buffer_size: usize) -> Pool {
        Pool {
            name: name.to_string(),
            events,
            buffer_size,
            buffer: VecDeque::new(),
            serial: None,
        }
    }

    pub fn wants(&self, event: &Event) -> bool {
        self.events.iter().any(|s| subscribes(s, event.name))
    }

    /// `_acceptEvent`: gives the event its serials and buffers it, dropping
    /// the oldest event when the buffer is full.
    pub fn accept(
        &mut self,
        event: Rc<Event>,
        head: bool,
        global: &mut GlobalSerial,
        log: &mut Vec<PoolLog>,
    ) {
        if event.serial.get().is_none() {
            event.serial.set(Some(new_serial(&mut global.0)));
        }
        let known = event.pool_serials.borrow().contains_key(&self.name);
        if known {
            log.push(PoolLog::Debug(format!(
                "rebuffering event {} for pool {} (buf size={}, max={})",
                event.serial(),
                self.name,
                self.buffer.len(),
                self.buffer_size
            )));
        } else {
            let s = new_serial(&mut self.serial);
            event.pool_serials.borrow_mut().insert(self.name.clone(), s);
        }
        if self.buffer.len() >= self.buffer_size
            && let Some(old) = self.buffer.pop_front()
        {
            log.push(PoolLog::Error(format!(
                "pool {} event buffer overflowed, discarding event {}",
                self.name,
                old.serial()
            )));
        }
        if head {
            self.buffer.push_front(event);
        } else {
            self.buffer.push_back(event);
        }
    }

    /// `_eventEnvelope`: the header line and the payload. `len` counts
    /// characters, as Python's `len(str)` does.
    pub fn envelope(&self, identifier: &str, event: &Event) -> String {
        let pool_serial = event
            .pool_serials
            .borrow()
            .get(&self.name)
            .copied()
            .unwrap_or(0);
        format!(
            "ver:3.0 server:{identifier} serial:{} pool:{} poolserial:{pool_serial} eventname:{} len:{}\n{}",
            event.serial(),
            self.name,
            event.name,
            event.payload.chars().count(),
            event.payload
        )
    }
}

/// A listener's protocol state (`EventListenerStates`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerState {
    Ready,
    Busy,
    Acknowledged,
    Unknown,
}

impl ListenerState {
    pub fn name(self) -> &'static str {
        match self {
            ListenerState::Ready => "READY",
            ListenerState::Busy => "BUSY",
            ListenerState::Acknowledged => "ACKNOWLEDGED",
            ListenerState::Unknown => "UNKNOWN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abstract_types_cover_their_subtypes() {
        assert!(subscribes("EVENT", "TICK_5"));
        assert!(subscribes("PROCESS_STATE", "PROCESS_STATE_RUNNING"));
        assert!(subscribes("PROCESS_STATE_RUNNING", "PROCESS_STATE_RUNNING"));
        assert!(!subscribes(
            "PROCESS_STATE_RUNNING",
            "PROCESS_STATE_STOPPED"
        ));
        assert!(!subscribes("TICK_5", "TICK_60"));
        assert!(subscribes("TICK", "TICK_3600"));
        assert!(!subscribes("PROCESS", "PROCESS_STATE_RUNNING"));
    }

    #[test]
    fn a_full_buffer_drops_its_oldest_event() {
        let mut pool = Pool::new("p", vec!["EVENT".into()], 2);
        let mut global = GlobalSerial::default();
        let mut log = Vec::new();
        for i in 0..3 {
            pool.accept(
                Event::new("TICK_5", format!("when:{i}")),
                false,
                &mut global,
                &mut log,
            );
        }
        let kept: Vec<u64> = pool.buffer.iter().map(|e| e.serial()).collect();
        assert_eq!(kept, [1, 2]);
        assert!(matches!(&log[0], PoolLog::Error(m)
            if m == "pool p event buffer overflowed, discarding event 0"));
    }

    #[test]
    fn the_envelope_counts_characters() {
        let pool = Pool::new("p", vec![], 10);
        let e = Event::new("REMOTE_COMMUNICATION", "type:x\né".into());
        let mut g = GlobalSerial::default();
        let mut pool2 = Pool::new("p", vec![], 10);
        pool2.accept(e.clone(), false, &mut g, &mut Vec::new());
        assert_eq!(
            pool.envelope("supervisor", &e),
            "ver:3.0 server:supervisor serial:0 pool:p poolserial:0 eventname:REMOTE_COMMUNICATION len:8\ntype:x\né"
        );
    }
}
