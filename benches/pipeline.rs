//! Stage benchmarks on a generated config (1,000 programs x numprocs 10):
//! parse (load), expand (resolve), lint, render. Run with
//! `cargo bench --bench pipeline`; whole-process comparisons against
//! supervisor are in scripts/bench.py.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint};

fn config(programs: usize) -> String {
    let mut s = String::from(
        "[supervisord]\nlogfile=/tmp/supervisord.log\n[unix_http_server]\nfile=/tmp/s.sock\n",
    );
    for i in 0..programs {
        s.push_str(&format!(
            "[program:p{i}]\ncommand=/usr/bin/worker --id {i} --shard %(process_num)02d\n\
             process_name=%(program_name)s_%(process_num)02d\nnumprocs=10\n\
             stdout_logfile=/tmp/p{i}_%(process_num)02d.log\nenvironment=A=\"1\",B=\"%(process_num)s\"\n"
        ));
    }
    s
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("supervisord.conf"), config(1000)).unwrap();
    let host = Host {
        env: vec![("HOME".into(), "/nonexistent".into())],
        node_name: "bench".into(),
        cwd: dir.path().to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    };
    c.bench_function("parse 1000x10", |b| {
        b.iter(|| black_box(supc::load::load("supervisord.conf", &host, false)))
    });
    let loaded = supc::load::load("supervisord.conf", &host, false);
    c.bench_function("expand 1000x10", |b| {
        b.iter(|| black_box(supc::resolve::resolve(&loaded, &host)))
    });
    let resolution = supc::resolve::resolve(&loaded, &host);
    let cx = LintContext::new(&loaded, &resolution, &host);
    c.bench_function("lint 1000x10", |b| {
        b.iter(|| black_box(lint(&cx, &Settings::default())))
    });
    c.bench_function("render 1000x10", |b| {
        b.iter(|| black_box(supc::emit::ini::render_flat(&loaded, "/elsewhere")))
    });
    c.bench_function("expand json 1000x10", |b| {
        let config = resolution.config.as_ref().unwrap();
        b.iter(|| {
            let mut out = Vec::with_capacity(8 << 20);
            supc::output::json::write_config(config, &mut out, false).unwrap();
            black_box(out)
        })
    });
}

criterion_group! {
    name = pipeline;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(pipeline);
