//! The template language of specs and inventory variables: minijinja with
//! strict undefined, Ansible's common filters ([`super::filters`]), the
//! Python string and dict methods Ansible templates call (`x.split(',')`,
//! `d.items()`), and a clear error for what only Ansible can do
//! (`lookup`, `query`).

use minijinja::{Environment, Error, ErrorKind, State, Value};

/// A new environment with everything registered.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    super::filters::register(&mut env);
    for name in ["lookup", "query", "q"] {
        env.add_function(name, move |args: &[Value]| -> Result<Value, Error> {
            let what = args.first().map_or_else(String::new, |a| format!("('{a}', …)"));
            Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Ansible lookup plugins ({name}{what}) are not supported by supc: pass the value with --var or a --vars-file, or render through the Ansible module in ansible/"),
            ))
        });
    }
    env.set_unknown_method_callback(python_method);
    env
}

/// Whether a string holds template syntax.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Renders `s`; a string that is one `{{ expression }}` gives the
/// expression's value, as ansible-core 2.19 does.
pub fn render_native(env: &Environment<'static>, s: &str, ctx: Value) -> Result<Value, Error> {
    if let Some(expr) = single_expression(s) {
        let compiled = env.compile_expression(expr)?;
        let v = compiled.eval(ctx)?;
        if v.is_undefined() {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                format!("`{}` is undefined", expr.trim()),
            ));
        }
        return Ok(v);
    }
    env.render_str(s, ctx).map(Value::from)
}

fn single_expression(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}") && !inner.contains("{%")).then_some(inner)
}

/// The Python methods templates written for Ansible use.
fn python_method(
    _: &mut State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    let arg = |i: usize| args.get(i).and_then(Value::as_str);
    if let Some(s) = value.as_str() {
        return string_method(s, method, args, arg(0));
    }
    if value.kind() == minijinja::value::ValueKind::Map {
        let pairs = || -> Result<Vec<(Value, Value)>, Error> {
            value
                .try_iter()?
                .map(|k| Ok((k.clone(), value.get_item(&k)?)))
                .collect()
        };
        return match method {
            "keys" => Ok(Value::from(
                pairs()?.into_iter().map(|p| p.0).collect::<Vec<_>>(),
            )),
            "values" => Ok(Value::from(
                pairs()?.into_iter().map(|p| p.1).collect::<Vec<_>>(),
            )),
            "items" => Ok(Value::from(
                pairs()?
                    .into_iter()
                    .map(|(k, v)| Value::from(vec![k, v]))
                    .collect::<Vec<_>>(),
            )),
            "get" => {
                let k = args.first().cloned().unwrap_or_default();
                let v = value.get_item(&k)?;
                Ok(if v.is_undefined() {
                    args.get(1).cloned().unwrap_or(Value::from(()))
                } else {
                    v
                })
            }
            _ => Err(unknown(method)),
        };
    }
    Err(unknown(method))
}

fn string_method(s: &str, method: &str, args: &[Value], a0: Option<&str>) -> Result<Value, Error> {
    let strip_set = |c: char| a0.map_or(c.is_whitespace(), |set| set.contains(c));
    Ok(match method {
        "split" => {
            let max = args
                .get(1)
                .and_then(|v| i64::try_from(v.clone()).ok())
                .filter(|&n| n >= 0);
            let parts: Vec<String> = match (a0, max) {
                (None, _) => s.split_whitespace().map(String::from).collect(),
                (Some(sep), None) => s.split(sep).map(String::from).collect(),
                (Some(sep), Some(n)) => s.splitn(n as usize + 1, sep).map(String::from).collect(),
            };
            Value::from(parts)
        }
        "startswith" => Value::from(a0.is_some_and(|p| s.starts_with(p))),
        "endswith" => Value::from(a0.is_some_and(|p| s.ends_with(p))),
        "strip" => Value::from(s.trim_matches(strip_set)),
        "lstrip" => Value::from(s.trim_start_matches(strip_set)),
        "rstrip" => Value::from(s.trim_end_matches(strip_set)),
        "lower" => Value::from(s.to_lowercase()),
        "upper" => Value::from(s.to_uppercase()),
        "replace" => {
            let to = args.get(1).and_then(Value::as_str).unwrap_or("");
            Value::from(s.replace(a0.unwrap_or(""), to))
        }
        "join" => {
            let items = args.first().cloned().unwrap_or_default();
            let parts: Vec<String> = items.try_iter()?.map(|v| v.to_string()).collect();
            Value::from(parts.join(s))
        }
        _ => return Err(unknown(method)),
    })
}

fn unknown(method: &str) -> Error {
    Error::new(
        ErrorKind::UnknownMethod,
        format!("the Python method `{method}()` is not supported by supc (use a filter)"),
    )
}
