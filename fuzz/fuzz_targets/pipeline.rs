//! Fuzz target: arbitrary bytes as a config file (plus one included file)
//! through load → resolve → lint → render → reading the rendered text back.
//! Nothing may panic, and rendering an accepted config must give text that
//! is accepted again. Run for a bounded time with
//! `cargo +nightly fuzz run pipeline -- -max_total_time=60` (see README).

#![no_main]

use libfuzzer_sys::fuzz_target;
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    // The first half is the main file, the rest an included file.
    let cut = data.len() / 2;
    let mut main = data[..cut].to_vec();
    main.extend_from_slice(b"\n[include]\nfiles=inc/*.conf\n");
    std::fs::create_dir(dir.path().join("inc")).unwrap();
    std::fs::write(dir.path().join("supervisord.conf"), &main).unwrap();
    std::fs::write(dir.path().join("inc/x.conf"), &data[cut..]).unwrap();
    let host = Host {
        env: vec![("HOME".into(), "/nonexistent".into())],
        node_name: "fuzz".into(),
        cwd: dir.path().to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    };
    let (loaded, resolution) = supc::analyze("supervisord.conf", &host, false);
    let cx = LintContext::new(&loaded, &resolution, &host);
    let _ = lint(&cx, &Settings::default());
    if loaded.diagnostics.iter().any(|d| d.severity == supc::diagnostic::Severity::Error) {
        return;
    }
    let text = supc::emit::ini::render_flat(&loaded, &host.cwd);
    std::fs::write(dir.path().join("rendered.conf"), &text).unwrap();
    let (_, again) = supc::analyze("rendered.conf", &host, false);
    assert_eq!(
        resolution.config.is_some(),
        again.config.is_some(),
        "render changed the verdict:\n{text}"
    );
});
