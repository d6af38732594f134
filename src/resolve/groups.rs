//! `process_groups_from_parser`: `[group:x]`, then unclaimed `[program:x]`,
//! then `[eventlistener:x]`, then unclaimed `[fcgi-program:x]`, sorted by
//! (priority, name).

use super::convert::{
    boolean, colon_user_group_msg, integer, list_of_strings, name, name_to_uid, octal,
};
use super::plugins::{SpecError, check_spec};
use super::{Resolver, Seed};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{FcgiSocket, Group, GroupKind, Id, ListenerPool};
use crate::python::format::Mapping;
use crate::python::int::PyInt;
use crate::python::path::{isabs, normpath};
use crate::python::unicode::{lower, upper};
use rustc_hash::FxHashSet;

/// Event type names supervisor 4.3.0 registers (`supervisor.events`).
const EVENT_TYPES: &[&str] = &[
    "EVENT",
    "PROCESS_STATE",
    "PROCESS_STATE_STOPPED",
    "PROCESS_STATE_EXITED",
    "PROCESS_STATE_STARTING",
    "PROCESS_STATE_STOPPING",
    "PROCESS_STATE_BACKOFF",
    "PROCESS_STATE_FATAL",
    "PROCESS_STATE_RUNNING",
    "PROCESS_STATE_UNKNOWN",
    "PROCESS_COMMUNICATION",
    "PROCESS_COMMUNICATION_STDOUT",
    "PROCESS_COMMUNICATION_STDERR",
    "PROCESS_LOG",
    "PROCESS_LOG_STDOUT",
    "PROCESS_LOG_STDERR",
    "REMOTE_COMMUNICATION",
    "SUPERVISOR_STATE_CHANGE",
    "SUPERVISOR_STATE_CHANGE_RUNNING",
    "SUPERVISOR_STATE_CHANGE_STOPPING",
    "TICK",
    "TICK_5",
    "TICK_60",
    "TICK_3600",
    "PROCESS_GROUP",
    "PROCESS_GROUP_ADDED",
    "PROCESS_GROUP_REMOVED",
];

/// Below this many program sections per thread, threads cost more than
/// they save.
const PARALLEL_MIN_SECTIONS: usize = 256;

/// Sections in one piece of work of [`Resolver::program_groups`]: small
/// enough that threads finish within a piece of each other, large enough
/// that taking a piece costs nothing next to resolving it.
const PIECE_SECTIONS: usize = 32;

/// What one piece of [`Resolver::program_groups`] reported (its groups go
/// straight to their places in the result).
struct Piece {
    diags: Vec<Diagnostic>,
    warnings: Vec<String>,
}

impl<'a> Resolver<'a> {
    fn here_only(&self) -> Mapping {
        let mut m = Mapping::new();
        m.set_str("here", self.loaded.here.clone());
        m
    }

    fn sections_with(&self, prefix: &str) -> Vec<&'a str> {
        let loaded: &'a crate::load::Loaded = self.loaded;
        loaded
            .ini
            .sections
            .keys()
            .filter(|s| s.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }

    /// A group-level name check (no section suffix on the error).
    fn group_name(&mut self, section: &str) -> Option<String> {
        let raw = section.split_once(':').map_or("", |(_, n)| n);
        match name(raw) {
            Ok(n) => Some(n),
            Err(m) => {
                let span = self.section_span(section);
                self.error(
                    Diagnostic::error(Code::InvalidValue, m).at_opt(span, "in this section name"),
                );
                None
            }
        }
    }

    fn priority(&mut self, section: &str, default: &str) -> PyInt {
        let h = self.here_only();
        self.read(section, "priority", Some(default), Some(&h), integer)
            .unwrap_or_else(|| PyInt::from(default.parse::<i64>().unwrap_or(999)))
    }

    pub(super) fn groups(&mut self) -> Vec<Group> {
        let mut claimed: FxHashSet<String> = FxHashSet::default();
        let mut groups = Vec::new();
        for section in self.sections_with("group:") {
            if let Some(g) = self.hetero_group(section, &mut claimed) {
                groups.push(g);
            }
        }
        let programs: Vec<&str> = self
            .sections_with("program:")
            .into_iter()
            .filter(|s| !claimed.contains(*s))
            .collect();
        let mut program_groups = self.program_groups(&programs);
        if groups.is_empty() {
            groups = program_groups;
        } else {
            groups.append(&mut program_groups);
        }
        for section in self.sections_with("eventlistener:") {
            if let Some(g) = self.listener_pool(section) {
                groups.push(g);
            }
        }
        for section in self.sections_with("fcgi-program:") {
            if claimed.contains(section) {
                continue;
            }
            if let Some(g) = self.fcgi_group(section) {
                groups.push(g);
            }
        }
        // Python's list.sort() is stable: ties keep construction order.
        groups.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then_with(|| a.name.cmp(&b.name))
        });
        groups
    }

    /// The groups of unclaimed `[program:x]` sections, in order. Large
    /// configs are cut into pieces of [`PIECE_SECTIONS`] that several
    /// threads take in turn (sections differ in cost, so fixed halves would
    /// leave one thread waiting for the other); the pieces' diagnostics and
    /// warnings are joined in section order, so the result is the same as
    /// one thread's.
    fn program_groups(&mut self, sections: &[&str]) -> Vec<Group> {
        let threads = self.threads.min(sections.len() / PARALLEL_MIN_SECTIONS);
        if threads > 1 {
            // A place for each section's group, so that no piece's groups
            // are copied (nor held twice) when they are put in order.
            let mut slots: Vec<Option<Group>> = (0..sections.len()).map(|_| None).collect();
            let pieces = std::sync::Mutex::new(
                sections
                    .chunks(PIECE_SECTIONS)
                    .zip(slots.chunks_mut(PIECE_SECTIONS))
                    .enumerate(),
            );
            let seed = self.seed();
            // One resolver per thread (its caches serve all its pieces);
            // its budget counts every piece it took.
            let work = |seed: Seed<'_>| {
                let mut r = Resolver::from_seed(seed);
                let mut done = Vec::new();
                loop {
                    let next = pieces.lock().ok().and_then(|mut p| p.next());
                    let Some((i, (sections, slots))) = next else {
                        break;
                    };
                    for (section, slot) in sections.iter().zip(slots) {
                        *slot = r.program_group(section);
                    }
                    let piece = Piece {
                        diags: std::mem::take(&mut r.diags),
                        warnings: std::mem::take(&mut r.warnings),
                    };
                    done.push((i, piece));
                }
                (done, r.budget)
            };
            let finished = std::thread::scope(|scope| {
                let handles: Vec<_> = (1..threads)
                    .map(|_| {
                        let seed = seed.clone();
                        scope.spawn(|| work(seed))
                    })
                    .collect();
                // This thread works too: its allocator arena already holds
                // the memory the lexer freed.
                let mut finished = vec![work(seed.clone())];
                finished.extend(
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
                );
                finished
            });
            let mut total = self.budget;
            let mut in_order: Vec<(usize, Piece)> = Vec::new();
            for (done, budget) in finished {
                total = (total.0 + budget.0, total.1.saturating_add(budget.1));
                in_order.extend(done);
            }
            in_order.sort_by_key(|(i, _)| *i);
            // supc's limits count across sections: when they are reached,
            // redo the work in order so the error lands where one thread
            // would put it.
            let limited = in_order
                .iter()
                .any(|(_, p)| p.diags.iter().any(|d| d.code == Code::SupcLimit));
            if !limited && !crate::limits::over(total) {
                for (_, piece) in in_order {
                    self.diags.extend(piece.diags);
                    self.warnings.extend(piece.warnings);
                }
                self.budget = total;
                // In place: `Option<Group>` is as large as a `Group`.
                return slots.into_iter().flatten().collect();
            }
        }
        sections
            .iter()
            .filter_map(|section| self.program_group(section))
            .collect()
    }

    /// The group of one `[program:x]` section (`None` when its name is
    /// not valid).
    fn program_group(&mut self, section: &str) -> Option<Group> {
        let program_name = self.group_name(section)?;
        let priority = self.priority(section, "999");
        let processes = self.processes_from_section(section, &program_name);
        Some(self.group(
            program_name,
            priority,
            GroupKind::Program,
            section,
            processes,
        ))
    }

    fn group(
        &self,
        name: String,
        priority: PyInt,
        kind: GroupKind,
        section: &str,
        processes: Vec<crate::model::Process>,
    ) -> Group {
        // The processes hold the same name and often the same section: one
        // copy serves them all.
        let common = processes.first().map(|p| &p.common);
        let name = match common {
            Some(c) if *c.group == *name => c.group.clone(),
            _ => name.into(),
        };
        let shared_section = match common {
            Some(c) if *c.section == *section => c.section.clone(),
            _ => section.into(),
        };
        Group {
            name,
            priority,
            kind,
            processes,
            section: shared_section,
            span: self
                .section_span(section)
                .unwrap_or(crate::source::Span::new(crate::source::FileId(0), 0, 0)),
            listener: None,
            socket: None,
        }
    }

    fn hetero_group(&mut self, section: &str, claimed: &mut FxHashSet<String>) -> Option<Group> {
        let group_name = self.group_name(section)?;
        let h = self.here_only();
        let programs = self
            .get(section, "programs", None, Some(&h))
            .ok()?
            .map(|g| (list_of_strings(&g.text), g.span))
            .unwrap_or_default();
        let priority = self.priority(section, "999");
        let mut processes = Vec::new();
        // supervisor reuses the loop variable, so after the first member the
        // error names the previous member's section instead of the group.
        let mut shown = section.to_string();
        for program in &programs.0 {
            let p = format!("program:{program}");
            let f = format!("fcgi-program:{program}");
            let ini = &self.loaded.ini;
            let (has_p, has_f) = (ini.has_section(&p), ini.has_section(&f));
            let span = programs.1.or_else(|| self.section_span(section));
            if !has_p && !has_f {
                self.error(
                    Diagnostic::error(
                        Code::UnknownGroupMember,
                        format!("[{shown}] names unknown program or fcgi-program {program}"),
                    )
                    .at_opt(
                        span,
                        format!("no [program:{program}] or [fcgi-program:{program}]"),
                    ),
                );
                continue;
            }
            if has_p && has_f {
                self.error(
                    Diagnostic::error(
                        Code::UnknownGroupMember,
                        format!("[{shown}] name {program} is ambiguous (exists as program and fcgi-program)"),
                    )
                    .at_opt(span, "ambiguous member"),
                );
                continue;
            }
            shown = if has_p { p } else { f };
            claimed.insert(shown.clone());
            let shown_section = shown.clone();
            processes.extend(self.processes_from_section(&shown_section, &group_name));
        }
        Some(self.group(group_name, priority, GroupKind::Group, section, processes))
    }

    fn listener_pool(&mut self, section: &str) -> Option<Group> {
        let pool_name = section.split_once(':').map_or("", |(_, n)| n).to_string();
        let h = self.here_only();
        let priority = self.priority(section, "-1");
        let buffer_size = self.read(section, "buffer_size", Some("10"), Some(&h), integer)?;
        if buffer_size < PyInt::from(1) {
            let got = self.get(section, "buffer_size", None, None).ok().flatten();
            self.value_error(
                format!("[{section}] section sets invalid buffer_size ({buffer_size})"),
                got.as_ref(),
                section,
            );
            return None;
        }
        let handler = self
            .get(
                section,
                "result_handler",
                Some("supervisor.dispatchers:default_handler"),
                Some(&h),
            )
            .ok()??;
        match check_spec(&handler.text, self.host.portable) {
            Ok(()) => {}
            Err(SpecError::Unresolvable) => {
                self.value_error(
                    format!("{} cannot be resolved within [{section}]", handler.text),
                    Some(&handler),
                    section,
                );
                return None;
            }
            Err(SpecError::Relative(msg)) => {
                self.error(
                    Diagnostic::error(Code::RelativePluginModule, msg)
                        .at_opt(handler.span, "relative module"),
                );
                return None;
            }
        }
        let events_got = self.get(section, "events", None, Some(&h)).ok()?;
        let names: Vec<String> = events_got
            .as_ref()
            .map(|g| list_of_strings(&g.text))
            .unwrap_or_default();
        if names.is_empty() {
            let span = self.section_span(section);
            self.error(
                Diagnostic::error(
                    Code::EventlistenerWithoutEvents,
                    format!("[{section}] section requires an \"events\" line"),
                )
                .at_opt(
                    events_got.as_ref().and_then(|g| g.span).or(span),
                    "events needed",
                ),
            );
            return None;
        }
        let mut events: Vec<String> = Vec::new();
        for n in names.iter().map(|n| upper(n)) {
            if !events.contains(&n) {
                events.push(n);
            }
        }
        // Python iterates a set here; with one unknown name the message is
        // the same whatever the order.
        if let Some(bad) = events.iter().find(|e| !EVENT_TYPES.contains(&e.as_str())) {
            let msg = format!("Unknown event type {bad} in [{section}] events");
            self.value_error(msg, events_got.as_ref(), section);
            return None;
        }
        events.sort();
        if self.read(section, "redirect_stderr", Some("false"), Some(&h), boolean)? {
            let got = self
                .get(section, "redirect_stderr", None, None)
                .ok()
                .flatten();
            self.value_error(
                format!("[{section}] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol"),
                got.as_ref(),
                section,
            );
            return None;
        }
        let processes = self.processes_from_section(section, &pool_name);
        let mut g = self.group(
            pool_name,
            priority,
            GroupKind::EventListener,
            section,
            processes,
        );
        g.listener = Some(Box::new(ListenerPool {
            buffer_size,
            events,
            result_handler: handler.text,
        }));
        Some(g)
    }

    fn fcgi_group(&mut self, section: &str) -> Option<Group> {
        let program_name = self.group_name(section)?;
        let priority = self.priority(section, "999");
        let h = self.here_only();
        let host = self.host;
        let proc_uid = match self.get(section, "user", None, Some(&h)).ok()? {
            None => None,
            Some(g) => match name_to_uid(&g.text, host) {
                Ok(u) => Some(u),
                Err(m) => {
                    self.value_error(m, Some(&g), section);
                    return None;
                }
            },
        };
        let backlog = match self.get(section, "socket_backlog", None, Some(&h)).ok()? {
            None => None,
            Some(g) => match integer(&g.text) {
                Ok(n) if n >= PyInt::from(1) && n <= PyInt::from(65535) => Some(n),
                Ok(n) => {
                    self.value_error(
                        format!("Invalid socket_backlog value {n}"),
                        Some(&g),
                        section,
                    );
                    return None;
                }
                Err(m) => {
                    self.value_error(m, Some(&g), section);
                    return None;
                }
            },
        };
        let owner = match self.get(section, "socket_owner", None, Some(&h)).ok()? {
            None => None,
            Some(g) => match colon_user_group_msg(&g.text, host, "socket_owner") {
                Ok(o) => Some(o),
                Err(m) => {
                    self.value_error(m, Some(&g), section);
                    return None;
                }
            },
        };
        let mode = match self.get(section, "socket_mode", None, Some(&h)).ok()? {
            None => None,
            Some(g) => match octal(&g.text) {
                Ok(m) => Some(m),
                Err(_) => {
                    self.value_error(
                        format!("Invalid socket_mode value {}", g.text),
                        Some(&g),
                        section,
                    );
                    return None;
                }
            },
        };
        let mut fx = Mapping::new();
        fx.set_str("program_name", program_name.clone());
        fx.update(&h);
        let sock = self.get(section, "socket", None, Some(&fx)).ok()?;
        let Some(sock) = sock.filter(|g| !g.text.is_empty()) else {
            let span = self.section_span(section);
            self.error(
                Diagnostic::error(
                    Code::FcgiWithoutSocket,
                    format!("[{section}] section requires a \"socket\" line"),
                )
                .at_opt(span, "socket needed"),
            );
            return None;
        };
        let socket = match self.fcgi_socket(&sock.text, proc_uid, owner, mode, backlog) {
            Ok(s) => s,
            Err(m) => {
                self.value_error(format!("{m} in [{section}] socket"), Some(&sock), section);
                return None;
            }
        };
        let processes = self.processes_from_section(section, &program_name);
        let mut g = self.group(
            program_name,
            priority,
            GroupKind::FcgiProgram,
            section,
            processes,
        );
        g.socket = Some(Box::new(socket));
        Some(g)
    }

    /// `ServerOptions.parse_fcgi_socket`.
    fn fcgi_socket(
        &self,
        sock: &str,
        proc_uid: Option<Id>,
        owner: Option<(Id, Id)>,
        mode: Option<PyInt>,
        backlog: Option<PyInt>,
    ) -> Result<FcgiSocket, String> {
        if let Some(path) = sock.strip_prefix("unix://") {
            if !isabs(path) {
                return Err(format!(
                    "('Unix socket path %s is not an absolute path', {})",
                    crate::python::repr::repr(path)
                ));
            }
            let path = normpath(path);
            let owner = owner.or_else(|| match proc_uid {
                Some(Id::Known(uid)) if !self.host.portable && uid != self.host.getuid() => Some((
                    Id::Known(uid),
                    super::convert::gid_for_uid(Id::Known(uid), self.host),
                )),
                _ => None,
            });
            return Ok(FcgiSocket::Unix {
                url: format!("unix://{path}"),
                path,
                mode: mode.unwrap_or_else(|| PyInt::from(0o700)),
                owner,
                backlog,
            });
        }
        if owner.is_some() || mode.is_some() {
            return Err(
                "socket_owner and socket_mode params should only be used with a Unix domain socket"
                    .into(),
            );
        }
        if let Some(rest) = sock.strip_prefix("tcp://")
            && let Some((host, port)) = rest.rsplit_once(':')
        {
            let host_ok = !host.is_empty()
                && !host.contains(':')
                && !host.chars().any(crate::python::unicode::is_space);
            let port_ok = !port.is_empty()
                && port
                    .chars()
                    .all(|c| crate::python::unicode::decimal_value(c).is_some());
            if host_ok && port_ok {
                let port = super::convert::port_number(port)?;
                let host = lower(host);
                return Ok(FcgiSocket::Inet {
                    url: format!("tcp://{host}:{port}"),
                    host,
                    port,
                    backlog,
                });
            }
        }
        Err(format!(
            "('Bad socket format %s', {})",
            crate::python::repr::repr(sock)
        ))
    }
}
