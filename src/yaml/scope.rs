//! The variables a spec template sees for one host, evaluated lazily as
//! Ansible evaluates them.
//!
//! Input: a [`Fleet`] (an [`Inventory`] with each host's merged, still
//! untemplated variables) and the extra variables (`--vars-file`,
//! `--var`). Output: a minijinja context ([`Context::value`]) where a
//! variable whose value is a template (`heap: "{{ base_heap_mb * 2 }}m"`)
//! is rendered when it is read, with the reading host's variables, and
//! then kept. A string that is one `{{ expression }}` gives the
//! expression's value (a list stays a list), as in ansible-core 2.19.
//!
//! Magic variables: `inventory_hostname`, `inventory_hostname_short`,
//! `group_names`, `groups`, `hostvars` (each host's scope, lazily too),
//! `inventory_file`, `inventory_dir`, `vars`. A loop between variables is
//! an error naming them, never a stack overflow.
//!
//! Scopes refer to each other through `hostvars`; [`Context`] breaks
//! those reference cycles when it is dropped.

use crate::yaml::inventory::{Inventory, Vars};
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An inventory ready to give each host its variables.
pub struct Fleet {
    pub inventory: Inventory,
    raw: Vec<Vars>,
    groups: Value,
}

impl Fleet {
    pub fn new(inventory: Inventory) -> Fleet {
        let raw = (0..inventory.hosts.len())
            .map(|h| inventory.host_vars(h))
            .collect();
        let groups = to_value(&serde_json::Value::Object(inventory.groups_dict()));
        Fleet {
            inventory,
            raw,
            groups,
        }
    }

    /// A host's untemplated variables (what `ansible-inventory --list`
    /// shows for it).
    pub fn raw_vars(&self, host: usize) -> &Vars {
        &self.raw[host]
    }
}

/// What a template context needs: the fleet (if any), the extra
/// variables, and the environment that renders templated values.
struct Shared {
    fleet: Option<Arc<Fleet>>,
    extra: Vars,
    env: minijinja::Environment<'static>,
    /// (host, variable) pairs being evaluated (loop detection).
    busy: Mutex<Vec<(Option<usize>, String)>>,
    scopes: Mutex<HashMap<usize, Arc<HostScope>>>,
}

/// Past this many nested variable evaluations the chain is refused.
const MAX_NESTING: usize = 64;

/// A rendering context; dropping it frees the scopes it made.
pub struct Context {
    shared: Arc<Shared>,
    root: Arc<HostScope>,
}

impl Context {
    /// The context for `host` (an inventory host name, or a bare name
    /// without an inventory, or no host at all).
    pub fn new(fleet: Option<Arc<Fleet>>, host: Option<&str>, extra: Vars) -> Context {
        let index = match (&fleet, host) {
            (Some(f), Some(h)) => f.inventory.host_index(h),
            _ => None,
        };
        let shared = Arc::new(Shared {
            fleet,
            extra,
            env: super::jinja::environment(),
            busy: Mutex::new(Vec::new()),
            scopes: Mutex::new(HashMap::new()),
        });
        let root = Arc::new(HostScope {
            shared: shared.clone(),
            host: index,
            name: host.map(str::to_string),
            cache: Mutex::new(HashMap::new()),
        });
        if let Some(i) = index {
            lock(&shared.scopes).insert(i, root.clone());
        }
        Context { shared, root }
    }

    pub fn value(&self) -> Value {
        Value::from_dyn_object(self.root.clone())
    }

    /// A variable as the template would see it, rendered (for tests and
    /// `--list-vars`).
    pub fn get(&self, name: &str) -> Option<Value> {
        self.root.lookup(name)
    }

    /// Every variable name of the host (without magic variables).
    pub fn names(&self) -> Vec<String> {
        self.root.own_names()
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        let scopes: Vec<Arc<HostScope>> =
            lock(&self.shared.scopes).drain().map(|(_, s)| s).collect();
        for s in scopes.iter().chain(std::iter::once(&self.root)) {
            lock(&s.cache).clear();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a render panicked; the data is a cache.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One host's variables.
#[derive(Debug)]
struct HostScope {
    shared: Arc<Shared>,
    host: Option<usize>,
    name: Option<String>,
    cache: Mutex<HashMap<String, Value>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl HostScope {
    fn raw(&self, name: &str) -> Option<&serde_json::Value> {
        if let Some(v) = self.shared.extra.get(name) {
            return Some(v);
        }
        let fleet = self.shared.fleet.as_ref()?;
        fleet.raw[self.host?].get(name)
    }

    fn own_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.shared.extra.keys().cloned().collect();
        if let (Some(f), Some(h)) = (&self.shared.fleet, self.host) {
            names.extend(
                f.raw[h]
                    .keys()
                    .filter(|k| !self.shared.extra.contains_key(*k))
                    .cloned(),
            );
        }
        names
    }

    fn lookup(self: &Arc<Self>, name: &str) -> Option<Value> {
        if let Some(v) = lock(&self.cache).get(name) {
            return Some(v.clone());
        }
        let value = match self.raw(name) {
            Some(raw) => self.evaluate(name, raw),
            None => self.magic(name)?,
        };
        lock(&self.cache).insert(name.to_string(), value.clone());
        Some(value)
    }

    fn magic(self: &Arc<Self>, name: &str) -> Option<Value> {
        let fleet = self.shared.fleet.as_ref();
        let inv = fleet.map(|f| &f.inventory);
        Some(match name {
            "inventory_hostname" => Value::from(self.name.clone()?),
            "inventory_hostname_short" => {
                Value::from(self.name.as_deref()?.split('.').next().unwrap_or(""))
            }
            "group_names" => match (inv, self.host) {
                (Some(i), Some(h)) => Value::from(i.group_names(h)),
                _ => Value::from(Vec::<String>::new()),
            },
            "groups" => fleet?.groups.clone(),
            "hostvars" => Value::from_object(HostVars(self.shared.clone())),
            "vars" => Value::from_dyn_object(self.clone()),
            "inventory_file" | "inventory_dir" => {
                let src = &inv?.hosts[self.host?].source;
                let path = if name == "inventory_dir" {
                    src.parent()?.to_path_buf()
                } else {
                    src.clone()
                };
                Value::from(path.to_string_lossy().into_owned())
            }
            _ => return None,
        })
    }

    /// Renders a raw value (templates inside lists and mappings too).
    fn evaluate(self: &Arc<Self>, name: &str, raw: &serde_json::Value) -> Value {
        let key = (self.host, name.to_string());
        {
            let mut busy = lock(&self.shared.busy);
            if busy.contains(&key) {
                let chain: Vec<&str> = busy.iter().map(|(_, n)| n.as_str()).collect();
                return Value::from(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "recursive loop detected in variable `{name}` ({} -> {name})",
                        chain.join(" -> ")
                    ),
                ));
            }
            if busy.len() >= MAX_NESTING {
                return Value::from(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("variable `{name}`: templates nested more than {MAX_NESTING} deep"),
                ));
            }
            busy.push(key.clone());
        }
        let result = self.render_value(raw);
        lock(&self.shared.busy).retain(|k| *k != key);
        match result {
            Ok(v) => v,
            Err(e) => {
                let host = self
                    .name
                    .as_deref()
                    .map_or(String::new(), |h| format!(" of host {h}"));
                Value::from(Error::new(
                    e.kind(),
                    format!("in variable `{name}`{host}: {}", describe(&e)),
                ))
            }
        }
    }

    fn render_value(self: &Arc<Self>, raw: &serde_json::Value) -> Result<Value, Error> {
        match raw {
            serde_json::Value::String(s) if super::jinja::is_template(s) => {
                let ctx = Value::from_dyn_object(self.clone());
                super::jinja::render_native(&self.shared.env, s, ctx)
            }
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| self.render_value(v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::from),
            serde_json::Value::Object(m) => {
                let mut out = Vec::with_capacity(m.len());
                for (k, v) in m {
                    out.push((k.clone(), self.render_value(v)?));
                }
                Ok(Value::from_pairs(out))
            }
            other => Ok(to_value(other)),
        }
    }
}

/// An error's text without minijinja's location in the inner template.
fn describe(e: &Error) -> String {
    match (e.kind(), e.detail()) {
        (_, Some(d)) => d.to_string(),
        (ErrorKind::UndefinedError, None) => "undefined value".into(),
        (k, None) => k.to_string(),
    }
}

impl Object for HostScope {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.lookup(key.as_str()?)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.own_names().into_iter().map(Value::from).collect())
    }
}

/// `hostvars`: every host's scope, made when first read.
#[derive(Debug)]
struct HostVars(Arc<Shared>);

impl Object for HostVars {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let fleet = self.0.fleet.as_ref()?;
        let name = key.as_str()?;
        let h = fleet.inventory.host_index(name)?;
        let scope = lock(&self.0.scopes)
            .entry(h)
            .or_insert_with(|| {
                Arc::new(HostScope {
                    shared: self.0.clone(),
                    host: Some(h),
                    name: Some(name.to_string()),
                    cache: Mutex::new(HashMap::new()),
                })
            })
            .clone();
        Some(Value::from_dyn_object(scope))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let names = self.0.fleet.as_ref().map_or_else(Vec::new, |f| {
            f.inventory
                .hosts
                .iter()
                .map(|h| Value::from(h.name.clone()))
                .collect()
        });
        Enumerator::Values(names)
    }
}

/// JSON → template value (serde_json's `arbitrary_precision` numbers do
/// not serialize as numbers outside serde_json).
pub fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => Value::from(n.to_string()),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::from(a.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(m) => {
            Value::from_pairs(m.iter().map(|(k, v)| (k.clone(), to_value(v))))
        }
    }
}
