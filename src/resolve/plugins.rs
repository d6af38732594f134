//! `[rpcinterface:x]` (and supervisorctl's `[ctlplugin:x]`): factory specs.
//!
//! supervisord imports each spec at load time. supc cannot import Python, so
//! in the default mode a spec inside the `supervisor` package is checked
//! against the package's real modules and attributes (generated table), and
//! any other spec is assumed importable after the same form check portable
//! mode does. See README "Compatibility".

use super::Resolver;
use super::supervisor_modules::MODULES;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::ini::Ini;
use crate::model::Plugin;
use crate::python::format::Mapping;

/// Why a spec cannot be imported.
pub(crate) enum SpecError {
    /// "`<spec>` cannot be resolved within [`<section>`]".
    Unresolvable,
    /// A relative module: Python raises an uncaught `TypeError`.
    Relative(String),
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `importlib.metadata.EntryPoint.pattern`:
/// `(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$`
fn entry_point(spec: &str) -> Option<(&str, Option<&str>)> {
    let module_end = spec
        .find(|c: char| !(is_word(c) || c == '.'))
        .unwrap_or(spec.len());
    if module_end == 0 {
        return None;
    }
    let module = &spec[..module_end];
    let mut rest = spec[module_end..].trim_start();
    let mut attr = None;
    if let Some(after) = rest.strip_prefix(':') {
        let after = after.trim_start();
        let end = after
            .find(|c: char| !(is_word(c) || c == '.'))
            .unwrap_or(after.len());
        if end == 0 {
            return None;
        }
        attr = Some(&after[..end]);
        rest = after[end..].trim_start();
    }
    if rest.starts_with('[') {
        let close = rest.rfind(']')?;
        rest = rest[close + 1..].trim_start();
    }
    (rest.is_empty() || rest == "\n").then_some((module, attr))
}

/// Judges a spec as supc's mode does.
pub(crate) fn check_spec(spec: &str, portable: bool) -> Result<(), SpecError> {
    let (module, attr) = entry_point(spec).ok_or(SpecError::Unresolvable)?;
    if module.starts_with('.') {
        return Err(SpecError::Relative(format!(
            "TypeError: the 'package' argument is required to perform a relative import for {}",
            crate::python::repr::repr(module)
        )));
    }
    if module.split('.').any(str::is_empty) {
        return Err(SpecError::Unresolvable);
    }
    if portable || !(module == "supervisor" || module.starts_with("supervisor.")) {
        return Ok(());
    }
    let attrs = MODULES
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, a)| *a)
        .ok_or(SpecError::Unresolvable)?;
    match attr.and_then(|a| a.split('.').find(|p| !p.is_empty())) {
        Some(first) if !attrs.contains(&first) => Err(SpecError::Unresolvable),
        _ => Ok(()),
    }
}

impl Resolver<'_> {
    pub(super) fn rpcinterfaces(&mut self) -> Vec<Plugin> {
        let ini = &self.loaded.ini;
        let environ = Mapping::new();
        plugin_sections(ini, "rpcinterface:")
            .into_iter()
            .filter_map(|section| {
                self.plugin(&section, "supervisor.rpcinterface_factory", &environ)
            })
            .collect()
    }

    /// `Options.get_plugins` for one section.
    pub(super) fn plugin(
        &mut self,
        section: &str,
        factory_key: &str,
        extra: &Mapping,
    ) -> Option<Plugin> {
        let name = section.split_once(':').map_or("", |(_, n)| n).to_string();
        let got = self.get(section, factory_key, None, Some(extra)).ok()?;
        let Some(got) = got else {
            let span = self.section_span(section);
            self.error(
                Diagnostic::error(
                    Code::PluginWithoutFactory,
                    format!("section [{section}] does not specify a {factory_key}"),
                )
                .at_opt(span, format!("no `{factory_key} =` here")),
            );
            return None;
        };
        match check_spec(&got.text, self.host.portable) {
            Ok(()) => {}
            Err(SpecError::Unresolvable) => {
                self.value_error(
                    format!("{} cannot be resolved within [{section}]", got.text),
                    Some(&got),
                    section,
                );
                return None;
            }
            Err(SpecError::Relative(msg)) => {
                let d = Diagnostic::error(Code::RelativePluginModule, msg)
                    .at_opt(got.span, "supervisord crashes on this relative module");
                self.error(d);
                return None;
            }
        }
        let mut extras = Vec::new();
        for key in self.loaded.ini.options(section) {
            if key == factory_key {
                continue;
            }
            if let Ok(Some(v)) = self.get(section, key, None, Some(extra)) {
                extras.push((key.to_string(), v.text));
            }
        }
        Some(Plugin {
            name,
            factory: got.text,
            extras,
        })
    }
}

pub(crate) fn plugin_sections(ini: &Ini, prefix: &str) -> Vec<String> {
    ini.sections
        .keys()
        .filter(|s| s.starts_with(prefix))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms() {
        assert!(check_spec("supervisor.rpcinterface:make_main_rpcinterface", false).is_ok());
        assert!(check_spec("supervisor.rpcinterface:nope", false).is_err());
        assert!(check_spec("supervisor.nomodule:x", false).is_err());
        assert!(check_spec("mypkg.mod:factory", false).is_ok());
        assert!(check_spec("a..b:x", true).is_err());
        assert!(check_spec("a b", true).is_err());
        assert!(check_spec("pkg:attr [extra]", true).is_ok());
        assert!(matches!(
            check_spec(".rel:x", true),
            Err(SpecError::Relative(_))
        ));
    }
}
