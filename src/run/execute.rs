//! The event loop's side of the [`Exchange`]: each message the servers
//! send is answered against the state, through supervisor's RPC
//! interface where supervisord's web pages use it too. Calls that wait
//! (`NOT_DONE_YET`) are kept here, by ticket, until they have an answer.

use super::exchange::{Called, Exchange, LogTarget, Ticket};
use super::rpc_interface::{Api, Deferred, Outcome, fault, faults, split_namespec};
use super::supervisor::Supervisor;
use super::xmlrpc_codec::{Fault, Value};
use crate::explain::Explanation;
use std::collections::HashMap;

/// The calls waiting for the processes.
#[derive(Default)]
pub struct Waiting {
    next: u64,
    calls: HashMap<Ticket, Deferred>,
}

/// The state and the RPC interface, for the time of one pass.
pub struct Executor<'a> {
    pub sup: &'a mut Supervisor,
    pub api: &'a Api,
    pub waiting: &'a mut Waiting,
}

impl Executor<'_> {
    fn outcome(&mut self, r: Result<Outcome, Fault>) -> Called {
        match r {
            Ok(Outcome::Value(v)) => Called::Done(Ok(v)),
            Err(f) => Called::Done(Err(f)),
            Ok(Outcome::Deferred(d)) => {
                let ticket = Ticket(self.waiting.next);
                self.waiting.next += 1;
                let delay = d.delay();
                self.waiting.calls.insert(ticket, d);
                Called::Waiting { ticket, delay }
            }
        }
    }
}

impl Exchange for Executor<'_> {
    fn call(&mut self, method: &str, params: Vec<Value>) -> Called {
        let r = self.api.call(self.sup, method, params);
        self.outcome(r)
    }

    fn poll(&mut self, ticket: Ticket) -> Called {
        let Some(d) = self.waiting.calls.get_mut(&ticket) else {
            let gone = fault(faults::FAILED, Some("no such waiting call"));
            return Called::Done(Err(gone));
        };
        match d.poll(self.api, self.sup) {
            Some(r) => {
                self.waiting.calls.remove(&ticket);
                Called::Done(r)
            }
            None => Called::Waiting {
                ticket,
                delay: d.delay(),
            },
        }
    }

    fn forget(&mut self, ticket: Ticket) {
        self.waiting.calls.remove(&ticket);
    }

    fn is_process(&mut self, name: &str) -> bool {
        let (g, p) = split_namespec(name);
        self.sup
            .groups
            .get(&g)
            .is_some_and(|g| p.is_some_and(|p| g.processes.contains_key(&p)))
    }

    /// `logtail_handler` and `mainlogtail_handler`.
    fn log_file(&mut self, target: &LogTarget) -> Option<String> {
        let (name, channel) = match target {
            LogTarget::Main => {
                return self.sup.ctx.logger.file.as_ref().map(|f| f.path.clone());
            }
            LogTarget::Process { name, channel } => (name, channel),
        };
        let (g, p) = split_namespec(name);
        let proc = self.sup.groups.get(&g)?.processes.get(&p?)?;
        match channel.as_str() {
            "stdout" => proc.conf.stdout_logfile.clone(),
            "stderr" => proc.conf.stderr_logfile.clone(),
            _ => None,
        }
    }

    fn explain(&mut self, name: &str) -> Result<Vec<Explanation>, String> {
        let sup = &*self.sup;
        let host = crate::diff::reread_host(&sup.opts.host, &sup.config);
        let (loaded, res) = crate::analyze(&sup.opts.config_path, &host, sup.opts.snippet);
        let Some(config) = res.config.as_ref() else {
            return Err(format!(
                "The config file does not read now: {}",
                res.first_error().map_or("", |d| d.message.as_str())
            ));
        };
        let Ok(procs) = crate::explain::select(config, &[name.to_string()]) else {
            return Err(format!("No process named {name} in the config file now"));
        };
        Ok(crate::explain::explain(
            &loaded,
            config,
            &host.node_name,
            &procs,
        ))
    }

    fn log_error(&mut self, message: &str) {
        self.sup.ctx.logger.error(message);
    }
}
