//! What `import_spec` finds inside the `supervisor` package, given what
//! the process has imported so far.
//!
//! `import_spec("pkg.mod:a.b")` imports `pkg.mod`, then looks `a`, then
//! `b`, up as attributes. A submodule is an attribute of its package only
//! once it has been imported, by anyone: `supervisor:dispatchers` fails in a
//! fresh `supervisord`, whose startup imports `supervisor.supervisord` (and
//! what that imports) but not `supervisor.dispatchers`, and works after an
//! `[eventlistener:x]` section has imported its default result handler
//! `supervisor.dispatchers:default_handler`. So each reader keeps an
//! [`Imports`] and feeds it the specs in supervisord's order (see
//! `docs/semantics.md` §5.9). The table of modules is generated
//! from the installed package by `scripts/gen_supervisor_specs.py`.

use super::supervisor_modules::{MODULES, SUPERVISORCTL_LOADED, SUPERVISORD_LOADED};

/// One module of the package.
pub(super) struct Module {
    pub name: &'static str,
    /// Its attributes after its own import, a package's submodules aside.
    pub attrs: &'static [&'static str],
    /// The modules importing it loads (itself included), as a bit set over
    /// [`MODULES`].
    pub loads: u128,
}

/// The supervisor modules a process has imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Imports {
    loaded: u128,
}

fn index(name: &str) -> Option<usize> {
    MODULES.binary_search_by(|m| m.name.cmp(name)).ok()
}

impl Imports {
    /// `supervisord` as it reads its config.
    pub(crate) fn supervisord() -> Imports {
        Imports {
            loaded: SUPERVISORD_LOADED,
        }
    }

    /// `supervisorctl` as it reads its config.
    pub(crate) fn supervisorctl() -> Imports {
        Imports {
            loaded: SUPERVISORCTL_LOADED,
        }
    }

    fn has(self, i: usize) -> bool {
        self.loaded & (1u128 << i) != 0
    }

    /// `import_spec` of `module` (inside the package) and the dotted
    /// `attr`: whether it succeeds. Importing the module counts even when
    /// an attribute is then missing. Past an attribute that is not a
    /// submodule, the table knows nothing and the lookup is assumed to work.
    pub(crate) fn import(&mut self, module: &str, attr: Option<&str>) -> bool {
        let Some(i) = index(module) else {
            return false;
        };
        self.loaded |= MODULES[i].loads;
        let mut current = Some(i);
        for part in attr.into_iter().flat_map(|a| a.split('.')) {
            if part.is_empty() {
                continue;
            }
            let Some(m) = current else {
                break;
            };
            let sub = index(&format!("{}.{part}", MODULES[m].name)).filter(|&j| self.has(j));
            if sub.is_some() {
                current = sub;
            } else if MODULES[m].attrs.contains(&part) {
                current = None;
            } else {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_fits_the_bit_set() {
        assert!(MODULES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(MODULES.len() <= 128);
        for (i, m) in MODULES.iter().enumerate() {
            assert!(m.loads & (1 << i) != 0, "{} loads itself", m.name);
        }
    }

    #[test]
    fn a_submodule_is_an_attribute_once_imported() {
        let mut s = Imports::supervisord();
        assert!(s.import("supervisor", Some("options.ServerOptions")));
        assert!(!Imports::supervisord().import("supervisor", Some("dispatchers")));
        assert!(s.import("supervisor.dispatchers", Some("default_handler")));
        assert!(s.import("supervisor", Some("dispatchers.default_handler")));
    }

    #[test]
    fn supervisorctl_starts_from_other_imports() {
        let mut c = Imports::supervisorctl();
        assert!(c.import("supervisor", Some("supervisorctl")));
        assert!(!c.import("supervisor", Some("supervisord")));
        assert!(Imports::supervisord().import("supervisor", Some("supervisord.main")));
    }

    #[test]
    fn the_test_package_is_importable_and_its_modules_are_attributes_late() {
        let mut s = Imports::supervisord();
        assert!(!s.import("supervisor.tests", Some("base.dummy_handler")));
        assert!(s.import("supervisor.tests.base", Some("dummy_handler")));
        assert!(s.import("supervisor.tests", Some("base.dummy_handler")));
        assert!(!s.import("supervisor.nomodule", None));
        assert!(!s.import("supervisor.options", Some("Nope")));
    }
}
