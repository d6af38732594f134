//! Properties over random configs built from a grammar of supervisord
//! features (bounded to a few seconds):
//!
//! * load → resolve → lint → render never panics;
//! * rendering keeps the model: the rendered file expands to the same JSON
//!   (when the original is accepted), and to a rejection when it is not;
//! * `supc check` accepts exactly what `supc expand` accepts;
//! * two configs have the same settings (`diff::same_settings`, typed)
//!   exactly when their JSON documents are equal, and `supc diff` of a
//!   config with itself finds nothing to do.

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
        // Not the environment of any run here: every one is --portable,
        // which reads only --env.
        .env("HOME", "/home/of-the-runner")
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
        // Under --portable every command sees only the environment given
        // with --env.
        let args = ["--portable", "--host-node-name", "h", "--env", "HOME=/nonexistent", "--env", "PATH=/usr/bin:/bin"];
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

/// The resolved config of `text`, portable, if supervisord accepts it.
fn resolved(text: &str) -> Option<supc::model::Config> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("supervisord.conf");
    std::fs::write(&path, text).unwrap();
    let host = supc::host::Host {
        env: vec![("HOME".into(), "/nonexistent".into())],
        node_name: "h".into(),
        cwd: "/".into(),
        portable: true,
        overlay: Default::default(),
    };
    let (_, res) = supc::analyze(path.to_str().unwrap(), &host, false);
    res.config
}

fn json_without_log(c: &supc::model::Config) -> serde_json::Value {
    let mut v = supc::emit::json::config(c);
    if let Some(o) = v.as_object_mut() {
        o.remove("parse_infos");
        o.remove("parse_warnings");
    }
    v
}

/// Rewrites of [`settings_config`] text: the first ones keep the value
/// (another spelling, another order), the others change it.
const EDITS: [(&str, &str); 10] = [
    ("stopsignal=TERM", "stopsignal=15"),
    ("stopsignal=KILL", "stopsignal=sigkill"),
    ("A=\"1\",B=\"2\"", "B=\"2\",A=\"1\""),
    ("stopsignal=15", "stopsignal=KILL"),
    ("127.0.0.1:9001", "127.0.0.1:9002"),
    ("X=\"1\"", "X=\"2\""),
    ("unix:///tmp/f.sock", "tcp://localhost:9000"),
    ("priority=5", "priority=999"),
    ("stdout_logfile=AUTO", "stdout_logfile=NONE"),
    ("events=TICK_5\n", "events=TICK_5,TICK_60\n"),
];

/// An accepted config from a small space of settings.
fn settings_config() -> impl Strategy<Value = String> {
    let program = (
        prop_oneof![Just("a"), Just("b")],
        prop::option::of(prop_oneof![
            Just("TERM"),
            Just("15"),
            Just("KILL"),
            Just("sigkill")
        ]),
        prop::option::of(prop_oneof![
            Just("A=\"1\",B=\"2\""),
            Just("B=\"2\",A=\"1\""),
            Just("A=\"2\"")
        ]),
        prop::option::of(prop_oneof![Just("AUTO"), Just("NONE"), Just("/tmp/x.log")]),
        prop::option::of(1u8..3),
        prop::option::of(prop_oneof![Just("5"), Just("999")]),
    )
        .prop_map(|(name, signal, env, log, numprocs, priority)| {
            let mut s = format!("[program:{name}]\ncommand=/bin/{name}\n");
            let opts = [
                ("stopsignal", signal.map(str::to_string)),
                ("environment", env.map(str::to_string)),
                ("stdout_logfile", log.map(str::to_string)),
                ("numprocs", numprocs.map(|n| n.to_string())),
                ("priority", priority.map(str::to_string)),
            ];
            for (key, value) in opts {
                if let Some(v) = value {
                    s.push_str(&format!("{key}={v}\n"));
                }
            }
            if numprocs.is_some() {
                s.push_str("process_name=%(program_name)s_%(process_num)d\n");
            }
            s
        });
    (
        prop::collection::vec(program, 0..3),
        prop::option::of(prop_oneof![Just("X=\"1\""), Just("X=\"2\"")]),
        prop::option::of(prop_oneof![
            Just("unix:///tmp/f.sock"),
            Just("tcp://localhost:9000")
        ]),
        prop::option::of(prop_oneof![Just("127.0.0.1:9001"), Just("127.0.0.1:9002")]),
        prop::option::of(prop_oneof![Just("TICK_5"), Just("TICK_5,TICK_60")]),
    )
        .prop_map(|(programs, env, socket, port, events)| {
            let mut s = String::from("[supervisord]\n");
            if let Some(e) = env {
                s.push_str(&format!("environment={e}\n"));
            }
            for p in programs {
                s.push_str(&p);
            }
            if let Some(sock) = socket {
                s.push_str(&format!(
                    "[fcgi-program:f]\ncommand=/bin/f\nsocket={sock}\n"
                ));
            }
            if let Some(p) = port {
                s.push_str(&format!("[inet_http_server]\nport={p}\n"));
            }
            if let Some(e) = events {
                s.push_str(&format!("[eventlistener:l]\ncommand=/bin/l\nevents={e}\n"));
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn typed_equality_is_json_equality(a in settings_config(), edits in prop::collection::vec(0..EDITS.len(), 1..4)) {
        // The other config: the same text, with a few settings spelt
        // differently (same value) or changed.
        let mut b = a.clone();
        for i in edits {
            let (from, to) = EDITS[i];
            b = b.replacen(from, to, 1);
        }
        let ca = resolved(&a).expect("accepted");
        let cb = resolved(&b).expect("accepted");
        let typed = supc::diff::same_settings(&ca, &cb)
            && supc::diff::same_supervisorctl(&ca, &cb);
        prop_assert_eq!(typed, json_without_log(&ca) == json_without_log(&cb), "{}\n---\n{}", a, b);
        prop_assert!(supc::diff::same_settings(&ca, &ca));
        // A config against itself: nothing to do, unless two groups share
        // a name (supervisord then compares every one of them with the
        // first, which runs).
        let mut names: Vec<&str> = ca.groups.iter().map(|g| g.name.as_ref()).collect();
        names.sort_unstable();
        if names.windows(2).all(|w| w[0] != w[1]) {
            let d = supc::diff::diff(&ca, &ca);
            prop_assert!(d.is_empty(), "{:#?}", d);
        }
    }
}
