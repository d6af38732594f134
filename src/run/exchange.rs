//! What the servers (`http` and `web`) may ask of the supervisor state,
//! and the replies, as typed messages: the servers parse a request into
//! one of them, the event loop (`execute`) answers it against the state
//! through the RPC interface, and the servers encode the reply (XML-RPC,
//! a page, a redirect, a log stream). So the servers never see the
//! state, and the state never sees a server.

use super::xmlrpc_codec::{Fault, Value};
use crate::explain::Explanation;

/// A call that waits for the processes (supervisord's `NOT_DONE_YET`);
/// the event loop keeps the call, the server the ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket(pub u64);

/// The reply to a call.
pub enum Called {
    Done(Result<Value, Fault>),
    /// Not done yet: ask again ([`Exchange::poll`]) in `delay` seconds.
    Waiting {
        ticket: Ticket,
        delay: f64,
    },
}

/// The log a tail follows: `/mainlogtail`, or `/logtail/NAME[/CHANNEL]`.
pub enum LogTarget {
    Main,
    Process { name: String, channel: String },
}

/// The messages and their replies, one method each; the event loop
/// implements it for the time of a pass.
pub trait Exchange {
    /// An XML-RPC call: `/RPC2`, or what a page reads or an action does.
    fn call(&mut self, method: &str, params: Vec<Value>) -> Called;
    /// Another look at a waiting call.
    fn poll(&mut self, ticket: Ticket) -> Called;
    /// The client went away: its waiting call is dropped unanswered.
    fn forget(&mut self, ticket: Ticket);
    /// Whether NAME names one process (an action's check).
    fn is_process(&mut self, name: &str) -> bool;
    /// The file a log tail follows, if there is one.
    fn log_file(&mut self, target: &LogTarget) -> Option<String>;
    /// `supc explain NAME` on the config file as it reads now; Err says
    /// why there is nothing to explain.
    fn explain(&mut self, name: &str) -> Result<Vec<Explanation>, String>;
    /// A line for the main log, at level error.
    fn log_error(&mut self, message: &str);
}
