//! The spec as a template: minijinja ([`super::jinja`]) rendered before
//! the YAML is parsed, with a host's context ([`super::scope`]: inventory
//! variables in Ansible's precedence, then `--vars-file`, then `--var`).
//! Undefined variables are errors (strict undefined) at their place in
//! the template; a filter or feature supc lacks is named in the error.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use serde_json::{Map, Value};

pub type Vars = Map<String, Value>;

/// A context with no variables.
pub fn empty_context() -> minijinja::Value {
    minijinja::Value::from_pairs(std::iter::empty::<(String, minijinja::Value)>())
}

/// A compiled spec template (or plain text when it uses no template syntax).
pub struct Template {
    env: Option<minijinja::Environment<'static>>,
    /// The compiled text: the template with line markers
    /// ([`super::template_map`]).
    marked: Option<super::template_map::Marked>,
    pub name: String,
    pub text: String,
}

impl Template {
    /// Compiles `text`; a syntax error is reported at its place in file 0.
    pub fn new(name: &str, text: String) -> Result<Template, Box<Diagnostic>> {
        let templated = text.contains("{{") || text.contains("{%") || text.contains("{#");
        if !templated {
            return Ok(Template::plain(name, text));
        }
        let marked = super::template_map::mark(&text);
        let mut env = super::jinja::environment();
        env.add_template_owned(name.to_string(), marked.text.clone())
            .map_err(|e| template_error(&e, &text, &marked))?;
        Ok(Template {
            env: Some(env),
            marked: Some(marked),
            name: name.to_string(),
            text,
        })
    }

    /// Text used as is, even if it looks like a template (converted YAML).
    pub fn plain(name: &str, text: String) -> Template {
        Template {
            env: None,
            marked: None,
            name: name.to_string(),
            text,
        }
    }

    pub fn is_templated(&self) -> bool {
        self.env.is_some()
    }

    /// Renders with `context`; errors point into the template (file 0).
    pub fn render(&self, context: &minijinja::Value) -> Result<String, Box<Diagnostic>> {
        self.render_mapped(context).map(|(text, _)| text)
    }

    /// Renders, and tells which template line each part of the text came
    /// from.
    pub fn render_mapped(
        &self,
        context: &minijinja::Value,
    ) -> Result<(String, super::template_map::LineMap), Box<Diagnostic>> {
        let (Some(env), Some(marked)) = (&self.env, &self.marked) else {
            return Ok((self.text.clone(), super::template_map::LineMap::default()));
        };
        let fail = |e: minijinja::Error| template_error(&e, &self.text, marked);
        let rendered = env
            .get_template(&self.name)
            .map_err(fail)?
            .render(context)
            .map_err(fail)?;
        Ok(super::template_map::unmark(&rendered))
    }
}

fn template_error(
    e: &minijinja::Error,
    text: &str,
    marked: &super::template_map::Marked,
) -> Box<Diagnostic> {
    let range = e
        .range()
        .map(|r| marked.original_offset(r.start)..marked.original_offset(r.end));
    let mut msg = e.kind().to_string();
    if let Some(d) = e.detail() {
        msg = format!("{msg}: {d}");
    } else if e.kind() == minijinja::ErrorKind::UndefinedError
        && let Some(name) = range.clone().and_then(|r| text.get(r)).map(str::trim)
    {
        // minijinja names the variable only in debug builds; say it always.
        msg = format!("{msg}: `{name}` is undefined");
    }
    let mut d = Diagnostic::error(Code::InvalidSpec, format!("template: {msg}"));
    let span = match (range, e.line()) {
        (Some(r), _) => Some(Span::new(FileId(0), r.start, r.end.max(r.start))),
        (None, Some(line)) => {
            let start: usize = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum();
            let len = text[start.min(text.len())..]
                .find('\n')
                .unwrap_or(text.len() - start.min(text.len()));
            Some(Span::new(FileId(0), start, start + len))
        }
        _ => None,
    };
    if let Some(s) = span {
        d = d.at(s, "here");
    }
    if e.kind() == minijinja::ErrorKind::UnknownFilter {
        d = d.help("supc knows Jinja's filters and Ansible's common ones (default, bool, int, join, regex_replace, regex_search, regex_findall, to_json, to_nice_json, to_yaml, from_json, from_yaml, basename, dirname, quote, combine, dict2items, items2dict, flatten, ternary, mandatory); render through the Ansible module in ansible/ for the others");
    }
    if e.kind() == minijinja::ErrorKind::UndefinedError {
        d = d.help("define it in the inventory (host or group vars), a --vars-file or --var NAME=VALUE, or use `{{ name | default(...) }}`");
    }
    Box::new(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_is_an_error_at_its_place() {
        let t = Template::new("s.yaml", "a: {{ nope }}\n".into()).unwrap();
        let e = t.render(&empty_context()).unwrap_err();
        let p = e.primary.unwrap().span;
        assert_eq!(&"a: {{ nope }}\n"[p.start as usize..p.end as usize], "nope");
    }
}
