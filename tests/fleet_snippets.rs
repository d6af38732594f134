//! A supc.yaml without `supervisord:` is a conf.d snippet, as an INI file
//! without `[supervisord]` is: `check` detects it, `expand`, `explain`,
//! `render` and `convert` take `--snippet`. And `check` on a templated
//! spec says what to run instead of a YAML syntax error.

mod cli_common;

use cli_common::{repo, supc};

const SNIPPET: &str = "fixtures/fleet/snippets/storm-ui.yaml";

#[test]
fn a_yaml_snippet_works_in_every_command() {
    let root = repo();
    let (rc, out, err) = supc(&["check", "--portable", SNIPPET], &root);
    assert_eq!(rc, 0, "check detects the snippet: {out}{err}");
    assert!(!out.contains("SUP006"), "{out}");
    assert!(out.contains("1 file, 0 errors"), "{out}");
    // Without --snippet, expand reads it as a whole config (as for INI).
    let (rc, _, err) = supc(&["expand", "--portable", SNIPPET], &root);
    assert_ne!(rc, 0, "{err}");
    let (rc, out, err) = supc(
        &[
            "expand",
            "--portable",
            "--snippet",
            "--format",
            "json",
            SNIPPET,
        ],
        &root,
    );
    assert_eq!(rc, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["groups"][0]["processes"][0]["command"],
        "/opt/storm/bin/storm ui"
    );
    let (rc, out, err) = supc(
        &["explain", "--portable", "--snippet", SNIPPET, "storm-ui"],
        &root,
    );
    assert_eq!(rc, 0, "{err}");
    assert!(out.contains("storm-ui.yaml:4:3"), "{out}");
    let (rc, ini, err) = supc(&["render", "--portable", "--snippet", SNIPPET], &root);
    assert_eq!(rc, 0, "{err}");
    assert!(
        ini.contains("[program:storm-ui]\ncommand=/opt/storm/bin/storm ui\n"),
        "{ini}"
    );
    assert!(!ini.contains("[supervisord]"), "{ini}");
    let (rc, ini2, err) = supc(
        &["convert", "--portable", "--snippet", "--to", "ini", SNIPPET],
        &root,
    );
    assert_eq!(rc, 0, "{err}");
    assert_eq!(ini2, ini);
    // INI snippet → YAML snippet → the same INI model.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("ui.conf"), &ini).unwrap();
    let (rc, yaml, err) = supc(
        &[
            "convert",
            "--portable",
            "--snippet",
            "--to",
            "yaml",
            "ui.conf",
        ],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(yaml.contains("programs:\n  storm-ui:\n"), "{yaml}");
    assert!(!yaml.contains("supervisord:"), "{yaml}");
}

#[test]
fn check_on_a_templated_spec_says_to_render_it() {
    // The human report (summary included) is on standard output.
    let (rc, out, err) = supc(
        &["check", "--portable", "fixtures/fleet/storm/supc.yaml"],
        &repo(),
    );
    assert_eq!(rc, 1, "{out}{err}");
    assert!(out.contains("is a template"), "{out}");
    assert!(!out.contains("SUP006") && !out.contains("YAML001"), "{out}");
    assert!(out.contains("1 file, 1 error"), "{out}");
    let (rc, out, _) = supc(
        &[
            "check",
            "--portable",
            "--format",
            "json",
            "fixtures/fleet/storm/supc.yaml",
        ],
        &repo(),
    );
    assert_eq!(rc, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["files"][0]["findings"][0];
    assert_eq!(f["location"]["line"], 4);
    assert!(
        f["help"].as_str().unwrap().contains(
            "supc render fixtures/fleet/storm/supc.yaml -i INVENTORY --all-hosts --check"
        ),
        "{f}"
    );
}

#[test]
fn convert_keeps_an_include_that_matches_nothing_here() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("conf.d")).unwrap();
    std::fs::write(
        tmp.path().join("conf.d/a.conf"),
        "[program:inc]\ncommand=/bin/inc\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("main.conf"),
        "[supervisord]\nlogfile=/var/log/s.log\n\n[include]\nfiles = conf.d/*.conf /etc/nowhere/*.ini\n\n[program:main]\ncommand=/bin/main\n",
    )
    .unwrap();
    let (rc, yaml, err) = supc(
        &["convert", "--portable", "--to", "yaml", "main.conf"],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        yaml.contains("include:\n  files: conf.d/*.conf /etc/nowhere/*.ini\n"),
        "{yaml}"
    );
    // What the included file says stays there, not copied into the spec.
    assert!(!yaml.contains("inc:"), "{yaml}");
    assert!(yaml.contains("  main:\n    command: /bin/main\n"), "{yaml}");
}

#[test]
fn convert_carries_comments_into_the_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("c.conf"),
        "; The main config\n[supervisord]\nlogfile=/var/log/s.log\n\n# Web frontends {{ not a template }}\n[program:web]\n; how it starts\ncommand=/bin/web\n",
    )
    .unwrap();
    let (rc, yaml, err) = supc(
        &["convert", "--portable", "--to", "yaml", "c.conf"],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(yaml.contains("# The main config\nsupervisord:\n"), "{yaml}");
    assert!(
        yaml.contains("programs:\n  # Web frontends {{ not a template }}\n  web:\n    # how it starts\n    command: /bin/web\n"),
        "{yaml}"
    );
    // Template syntax in a comment is kept literal: the YAML renders.
    std::fs::write(tmp.path().join("c.yaml"), &yaml).unwrap();
    let (rc, ini, err) = supc(&["render", "--portable", "c.yaml"], tmp.path());
    assert_eq!(rc, 0, "{err}");
    assert!(ini.contains("command=/bin/web\n"), "{ini}");
}

#[test]
fn convert_keeps_a_misplaced_key_under_ini_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.conf"),
        "[supervisord]\nlogfile=/var/log/s.log\n[program:web]\ncommand=/bin/web\nloglevel=debug\n",
    )
    .unwrap();
    let (rc, yaml, err) = supc(
        &["convert", "--portable", "--to", "yaml", "m.conf"],
        tmp.path(),
    );
    assert_eq!(rc, 0, "{err}");
    assert!(
        yaml.contains("    ini:\n      # `loglevel` is not an option of [program:web]: supervisord ignores it (kept from the INI)\n      loglevel: debug\n"),
        "{yaml}"
    );
    // Rendered back, the key is there again, with a warning.
    std::fs::write(tmp.path().join("m.yaml"), &yaml).unwrap();
    let (rc, ini, err) = supc(&["render", "--portable", "m.yaml"], tmp.path());
    assert_eq!(rc, 0, "{err}");
    assert!(ini.contains("loglevel=debug\n"), "{ini}");
    assert!(err.contains("has no option `loglevel`"), "{err}");
}
