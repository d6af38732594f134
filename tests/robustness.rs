//! Hostile input: supc answers with a diagnostic, never a panic or a hang,
//! and refuses work beyond its documented limits (README "Compatibility").

use std::path::Path;
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint};

fn host(dir: &Path) -> Host {
    Host {
        env: vec![("HOME".into(), "/nonexistent".into())],
        node_name: "testhost".into(),
        cwd: dir.to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    }
}

/// Loads, resolves and lints `bytes` written as supervisord.conf.
fn run(bytes: &[u8]) -> (Option<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("supervisord.conf"), bytes).unwrap();
    let host = host(dir.path());
    let (loaded, res) = supc::analyze("supervisord.conf", &host, false);
    let cx = LintContext::new(&loaded, &res, &host);
    let findings = lint(&cx, &Settings::default());
    let _ = supc::output::human::render_with(&res.diagnostics, &loaded.sources, false, 80);
    let codes = res
        .diagnostics
        .iter()
        .chain(&findings)
        .map(|d| d.code.to_string())
        .collect();
    (res.first_error().map(|d| d.message.clone()), codes)
}

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn binary_garbage_is_a_decode_error_not_a_panic() {
    let mut rng = Lcg(7);
    for _ in 0..50 {
        let bytes: Vec<u8> = (0..2000).map(|_| rng.next() as u8).collect();
        let (err, _) = run(&bytes);
        assert!(err.is_some());
    }
}

#[test]
fn random_config_shaped_text_never_panics() {
    const PIECES: &[&str] = &[
        "[supervisord]\n",
        "[program:a]\n",
        "[group:g]\n",
        "[include]\n",
        "[eventlistener:e]\n",
        "[fcgi-program:f]\n",
        "[unix_http_server]\n",
        "[inet_http_server]\n",
        "[DEFAULT]\n",
        "command=/bin/cat %(process_num)s\n",
        "numprocs=3\n",
        "process_name=%(program_name)s_%(process_num)d\n",
        "programs=a,b,\n",
        "files=*.conf x\n",
        "environment=A=\"1\",B=x y\n",
        "  continued\n",
        "\n",
        "; comment\n",
        "x=%(\n",
        "%s\n",
        "port=*:9001\n",
        "file=/tmp/s.sock\n",
        "events=TICK_5\n",
        "socket=tcp://h:1\n",
        "numprocs_start=-2\n",
        "priority=1_0\n",
        "stdout_logfile=%%(program_name)s\n",
        "junk\n",
        "=v\n",
        "[]\n",
        "\u{feff}",
        "\r\n",
    ];
    let mut rng = Lcg(42);
    for _ in 0..400 {
        let n = 1 + rng.next() as usize % 25;
        let text: String = (0..n)
            .map(|_| PIECES[rng.next() as usize % PIECES.len()])
            .collect();
        let _ = run(text.as_bytes());
    }
}

#[test]
fn a_huge_numprocs_is_refused_with_a_limit_diagnostic() {
    let (err, codes) = run(b"[supervisord]\n[program:a]\ncommand=/bin/cat\nprocess_name=%(process_num)d\nnumprocs=1000000000\n");
    assert!(err.unwrap().contains("above supc's limit"));
    assert!(codes.contains(&"SUP090".to_string()));
}

#[test]
fn a_very_long_value_line_is_read() {
    let mut text = b"[supervisord]\n[program:a]\ncommand=/bin/echo ".to_vec();
    text.extend(std::iter::repeat_n(b'x', 20_000_000));
    text.push(b'\n');
    let (err, _) = run(&text);
    assert_eq!(err, None);
}

#[test]
fn ten_thousand_continuation_lines() {
    let mut text = String::from("[supervisord]\n[program:a]\ncommand=/bin/echo\n");
    for i in 0..10_000 {
        text.push_str(&format!("  arg{i}\n"));
    }
    let (err, _) = run(text.as_bytes());
    assert_eq!(err, None);
}

#[test]
fn a_directory_as_config_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("supervisord.conf")).unwrap();
    let (_, res) = supc::analyze("supervisord.conf", &host(dir.path()), false);
    assert_eq!(
        res.first_error().unwrap().message,
        "could not read config file supervisord.conf"
    );
}

#[test]
fn a_huge_integer_is_python_s_digit_limit() {
    let text = format!("[supervisord]\nminfds={}\n", "9".repeat(5000));
    let (err, _) = run(text.as_bytes());
    assert!(err.unwrap().starts_with("Exceeds the limit (4300 digits)"));
}

#[test]
fn numprocs_times_a_huge_value_is_refused() {
    // 100,000 instances of a 20 KB command would be 2 GB of expanded text.
    let text = format!(
        "[supervisord]\n[program:a]\ncommand=/bin/echo {}\nprocess_name=%(process_num)d\nnumprocs=100000\n",
        "x".repeat(20_000)
    );
    let (err, codes) = run(text.as_bytes());
    assert!(err.unwrap().contains("MiB of option text"));
    assert!(codes.contains(&"SUP090".to_string()));
}

#[test]
fn a_huge_width_is_refused_before_it_is_built() {
    // Python would build a 3 GB string here.
    let (err, codes) =
        run(b"[supervisord]\n[program:a]\ncommand=/bin/echo %(program_name)3000000000s\n");
    let err = err.unwrap();
    assert!(
        err.contains("would expand to more than supc's limits"),
        "{err}"
    );
    assert_eq!(codes.first().map(String::as_str), Some("SUP090"));
}

#[test]
fn widths_that_add_up_over_instances_and_sections_are_refused() {
    // Each value is under the one-value limit; together they are GBs. The
    // estimate from the raw text cannot see it: the count of what was made
    // stops it.
    for (sections, numprocs) in [(1, 100), (8, 2)] {
        let mut text = String::from("[supervisord]\n");
        for i in 0..sections {
            text.push_str(&format!(
                "[program:p{i}]\ncommand=/bin/echo %(process_num)200000000d\nprocess_name=%(process_num)d\nnumprocs={numprocs}\n"
            ));
        }
        let (err, codes) = run(text.as_bytes());
        let err = err.unwrap();
        assert!(
            err.contains("would expand to more than supc's limits"),
            "{err}"
        );
        assert!(codes.contains(&"SUP090".to_string()));
    }
}

#[test]
fn an_include_glob_over_the_file_limit_stops_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..10_050 {
        std::fs::write(many.join(format!("{i:05}.conf")), "").unwrap();
    }
    std::fs::write(
        dir.path().join("supervisord.conf"),
        "[supervisord]\n[include]\nfiles=many/*.conf\n",
    )
    .unwrap();
    let (_, res) = supc::analyze("supervisord.conf", &host(dir.path()), false);
    let err = res.first_error().unwrap();
    assert_eq!(err.code, supc::codes::Code::SupcLimit);
    assert!(
        err.message.contains("more than 10000 files"),
        "{}",
        err.message
    );
}
