//! Properties over random configs built from a grammar of supervisord
//! features (bounded to a few seconds):
//!
//! * load → resolve → lint → render never panics;
//! * rendering keeps the model: the rendered file expands to the same JSON
//!   (when the original is accepted), and to a rejection when it is not;
//! * `supc check` accepts exactly what `supc expand` accepts.

use proptest::prelude::*;
use std::path::Path;
use std::process::Command;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/bin/cat".to_string()),
        Just("/bin/echo %(program_name)s %(process_num)02d".to_string()),
        Just("/bin/sh -c 'sleep 1; echo x'".to_string()),
        Just("%(here)s/run %(ENV_HOME)s".to_string()),
        Just("bad %(nope)s".to_string()),
        Just("100%".to_string()),
        Just("x %s".to_string()),
        "[a-z0-9/_. -]{0,12}",
    ]
}

fn program() -> impl Strategy<Value = String> {
    (
        "[a-c]",
        value(),
        prop::option::of(0i32..4),
        prop::option::of(-2i32..3),
        prop::option::of(prop_oneof![
            Just("%(program_name)s_%(process_num)02d".to_string()),
            Just("%(program_name)s".to_string()),
            Just("x%%(process_num)s".to_string()),
        ]),
        prop::option::of(prop_oneof![
            Just("A=\"1\",B=\"%(process_num)s\"".to_string()),
            Just("A=x y".to_string()),
            Just("A=".to_string()),
        ]),
        prop::option::of(prop_oneof![
            Just("%(here)s/%(program_name)s.log".to_string()),
            Just("AUTO".to_string()),
            Just("NONE".to_string()),
            Just("/tmp/%%(program_name)s.log".to_string()),
        ]),
        prop::option::of(prop_oneof![Just("true"), Just("maybe"), Just("unexpected")]),
    )
        .prop_map(
            |(name, command, numprocs, start, pname, env, log, restart)| {
                let mut s = format!("[program:{name}]\ncommand={command}\n");
                if let Some(n) = numprocs {
                    s.push_str(&format!("numprocs={n}\n"));
                }
                if let Some(n) = start {
                    s.push_str(&format!("numprocs_start={n}\n"));
                }
                if let Some(p) = pname {
                    s.push_str(&format!("process_name={p}\n"));
                }
                if let Some(e) = env {
                    s.push_str(&format!("environment={e}\n"));
                }
                if let Some(l) = log {
                    s.push_str(&format!("stdout_logfile={l}\n"));
                }
                if let Some(r) = restart {
                    s.push_str(&format!("autorestart={r}\n"));
                }
                s
            },
        )
}

fn config() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        prop::collection::vec(program(), 0..4),
        prop::option::of("[a-c](,[a-d]){0,2}"),
        prop::bool::ANY,
        prop::option::of(prop_oneof![
            Just("*:9001"),
            Just("127.0.0.1:9001"),
            Just("abc")
        ]),
    )
        .prop_map(|(has_supervisord, programs, group, listener, inet)| {
            let mut s = String::new();
            if has_supervisord {
                s.push_str("[supervisord]\nlogfile=%(here)s/s.log\n\n");
            }
            for p in programs {
                s.push_str(&p);
                s.push('\n');
            }
            if let Some(g) = group {
                s.push_str(&format!("[group:g]\nprograms={g}\n\n"));
            }
            if listener {
                s.push_str("[eventlistener:ev]\ncommand=/bin/cat\nevents=TICK_5\n\n");
            }
            if let Some(port) = inet {
                s.push_str(&format!("[inet_http_server]\nport={port}\n"));
            }
            s
        })
}

fn supc(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("supc runs")
}

fn model(out: &std::process::Output) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("expand prints JSON");
    if let Some(o) = v.as_object_mut() {
        o.remove("parse_infos");
        o.remove("parse_warnings");
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pipeline_properties(text in config()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supervisord.conf"), &text).unwrap();
        let args = ["--portable", "--host-node-name", "h"];
        let expand = supc(dir.path(), &[&["expand", "--format", "json"][..], &args, &["supervisord.conf"]].concat());
        let check = supc(dir.path(), &[&["check", "--snippet"][..], &args, &["supervisord.conf"]].concat());
        // No panic: every run ends with a normal exit code.
        prop_assert!(matches!(expand.status.code(), Some(0 | 1)), "expand: {:?}", expand);
        prop_assert!(matches!(check.status.code(), Some(0 | 1)), "check: {:?}", check);
        let original = model(&expand);
        let accepted = original["ok"] == serde_json::Value::Bool(true);
        if text.contains("[supervisord]") {
            // check's verdict (lint findings aside) is expand's: check fails
            // on every rejection, and passes an accepted config unless a
            // lint error fires.
            let json = supc(dir.path(), &[&["check", "--format", "json"][..], &args, &["supervisord.conf"]].concat());
            let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
            prop_assert_eq!(report["files"][0]["accepted"].as_bool(), Some(accepted));
        }
        let render = supc(dir.path(), &[&["render", "-o", "rendered.conf"][..], &args, &["supervisord.conf"]].concat());
        prop_assert!(matches!(render.status.code(), Some(0 | 1)), "render: {:?}", render);
        if render.status.success() {
            let back = model(&supc(dir.path(), &[&["expand", "--format", "json"][..], &args, &["rendered.conf"]].concat()));
            if accepted {
                prop_assert_eq!(&back, &original, "render changed the model of:\n{}", text);
            } else {
                prop_assert_eq!(&back["ok"], &serde_json::Value::Bool(false));
            }
        }
    }
}
