use crate::codes::Code;
use crate::diagnostic::Label;
use crate::lint::{Findings, LintContext, Rule, RuleMeta};
use crate::python::path::{isabs, join, normpath};
use crate::python::shlex::{is_shlex_space, split_command};

pub struct RelativeCommandWithDirectory;

static META: RuleMeta = RuleMeta {
    code: Code::RelativeCommandWithDirectory,
    doc: r#"## What it does
Finds programs whose command starts with a relative path that contains a
`/` (such as `./run.sh` or `bin/app`) and that also set `directory=`.

## Why is this bad?
supervisord checks that the command exists *before* it changes into
`directory`, relative to its own working directory. So `command=./run.sh`
with `directory=/srv/app` fails at every start with
`can't find command './run.sh'`, unless a `./run.sh` happens to exist in
supervisord's working directory too (and then the one in `/srv/app` is
run).

## Example
```ini
[program:app]
command=./run.sh --port 8000
directory=/srv/app
```

## Use instead
```ini
[program:app]
command=/srv/app/run.sh --port 8000
directory=/srv/app
```
"#,
};

impl Rule for RelativeCommandWithDirectory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Findings) {
        let config = cx.config();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        // supervisord changes into its own `directory` before it runs.
        let own_directory = config.supervisord.directory.as_deref().map(normpath);
        for p in config.groups.iter().flat_map(|g| &g.processes) {
            // The usual absolute command needs no more look: its first word
            // starts with `/` whatever follows.
            if p.command()
                .trim_start_matches(is_shlex_space)
                .starts_with('/')
            {
                continue;
            }
            let Some(dir) = p.directory().filter(|d| !d.is_empty()) else {
                continue;
            };
            if seen.contains(&&*p.section)
                || own_directory
                    .as_ref()
                    .is_some_and(|own| *own == normpath(dir))
            {
                continue;
            }
            let Some(first) = split_command(p.command())
                .ok()
                .and_then(|w| w.into_iter().next())
            else {
                continue;
            };
            // `{{ app_root }}/run.sh`: a template placeholder, not a path yet.
            if !first.contains('/') || isabs(&first) || first.contains("{{") || first.contains("${")
            {
                continue;
            }
            let (Some(cmd), Some(d)) = (
                cx.ini().get(&p.section, "command"),
                cx.ini().get(&p.section, "directory"),
            ) else {
                continue;
            };
            seen.insert(&p.section);
            let def = &cmd.entry.def;
            let span =
                if def.written().starts_with(&first) && def.value_span.file == def.key_span.file {
                    let start = def.value_span.start as usize;
                    crate::source::Span::new(def.value_span.file, start, start + first.len())
                } else {
                    def.value_span
                };
            let r = out.report(
                format!(
                    "[{}] runs `{first}` from `directory={dir}`, but supervisord looks the path up relative to its own working directory, so the program fails to start with `can't find command '{first}'`",
                    p.section
                ),
                span,
                "relative to supervisord's working directory",
            );
            r.related.push(Label::new(
                d.entry.def.value_span,
                "only used after the command is found",
            ));
            let abs = normpath(&join(dir, &first));
            r.help = Some(if isabs(&abs) {
                format!(
                    "use an absolute path such as `{abs}`, or `%(here)s/...` for a path next to the config file"
                )
            } else {
                "use an absolute path, or `%(here)s/...` for a path next to the config file".into()
            });
        }
    }
}
