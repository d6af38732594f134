//! Fuzz target: arbitrary bytes as a supc.yaml spec through the YAML
//! front-end → resolve → lint → render → reading the rendered INI back.
//! Nothing may panic, and an accepted spec must render to INI that is
//! accepted again. Run for a bounded time with
//! `cargo +nightly fuzz run yaml -- -max_total_time=60` (see README).

#![no_main]

use libfuzzer_sys::fuzz_target;
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("supc.yaml"), data).unwrap();
    let host = Host {
        env: vec![("HOME".into(), "/nonexistent".into())],
        node_name: "fuzz".into(),
        cwd: dir.path().to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    };
    let (loaded, resolution) = supc::analyze("supc.yaml", &host, false);
    let cx = LintContext::new(&loaded, &resolution, &host);
    let _ = lint(&cx, &Settings::default());
    if resolution.config.is_none() {
        return;
    }
    let text = supc::emit::ini::render_flat(&loaded, &host.cwd);
    std::fs::write(dir.path().join("rendered.conf"), &text).unwrap();
    let (_, again) = supc::analyze("rendered.conf", &host, false);
    assert!(again.config.is_some(), "an accepted spec rendered to a rejected INI:\n{text}");
});
