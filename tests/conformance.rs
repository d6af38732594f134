//! Conformance harness: supc against the real supervisord 4.3.0.
//!
//! A case is a directory holding a `supervisord.conf`, plus optionally a
//! `case.env` (`KEY=VALUE` lines, applied in file order), a `host_node_name`
//! file (one line; default `testhost`) and a `pythonpath/` directory of
//! plugin modules that stand for packages installed on the host (only the
//! oracle imports them). For every case and mode the harness asks two
//! parties what supervisord makes of the config:
//!
//! * the oracle, `tests/oracle/supervisor_dump.py --batch`, which loads the
//!   config with the supervisor package itself (one process per mode, fed
//!   every case as a JSON line);
//! * supc, as `supc expand --format json [--portable] --host-node-name N
//!   supervisord.conf`, run in the case directory with exactly the oracle's
//!   controlled environment: `HOME=/nonexistent`,
//!   `PATH=/usr/local/bin:/usr/bin:/bin`, then the case's variables; as the
//!   process's environment in normal mode, as `--env K=V` in portable mode
//!   (where supc reads no process variable: its process then holds only a
//!   canary variable, which must change nothing).
//!
//! The two JSON documents must agree structurally (object key order does not
//! matter; types and values do, rejection messages included), and supc must
//! exit 0 for `"ok": true` and 1 for `"ok": false`. Each failing case prints a
//! `FAIL` line with its first differences as paths such as
//! `groups[2].processes[0].command`; each set ends with an
//! `<set> <mode>: N passed, M failed` line.
//!
//! Sets: `fixtures/conformance/*/` in normal and portable mode, and, when it
//! is present, the shared corpus (`../shared/corpus/cases/*/`, with its
//! `corpus.env`) in portable mode.
//!
//! Knobs (environment variables):
//! * `SUPC_ORACLE_PYTHON`: python with supervisor 4.3.0 (default
//!   `<repo>/.venv-oracle/bin/python`, made by `scripts/setup-oracle.sh`);
//!   without one the tests fail rather than pass vacuously;
//! * `SUPC_CORPUS_DIR`: another corpus `cases` directory;
//! * `SUPC_CONFORMANCE_FILTER`: only cases whose label (`fixtures/<dir>`,
//!   `corpus/<dir>`) contains this substring.

// The harness's parts live in tests/conformance/ (a crate root's `mod`
// would look for them directly in tests/, where cargo takes every file for a
// test target of its own).
#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/judge.rs"]
mod judge;
#[path = "conformance/oracle.rs"]
mod oracle;
#[path = "conformance/process.rs"]
mod process;
#[path = "conformance/supc.rs"]
mod supc;

use std::path::Path;
use std::thread;

use cases::{Case, Mode, corpus_cases, filtered, fixture_cases};
use judge::judge;
use oracle::{ask_oracle, oracle_python};
use supc::run_supc_all;

/// Differences printed per failing case.
const MAX_DIFFS: usize = 10;

#[test]
fn fixtures_normal_mode() {
    let python = oracle_python();
    check_set(&python, "fixtures", Mode::Normal, fixture_cases());
}

#[test]
fn fixtures_portable_mode() {
    let python = oracle_python();
    check_set(&python, "fixtures", Mode::Portable, fixture_cases());
}

#[test]
fn corpus_portable_mode() {
    let python = oracle_python();
    if let Some(cases) = corpus_cases() {
        check_set(&python, "corpus", Mode::Portable, cases);
    }
}

/// `src/resolve/supervisor_modules.rs` is what the generator makes of the
/// installed supervisor (the same package the oracle runs).
#[test]
fn supervisor_module_table_is_current() {
    let python = oracle_python();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(&python)
        .arg(root.join("scripts/gen_supervisor_specs.py"))
        .output()
        .expect("run scripts/gen_supervisor_specs.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = std::fs::read(root.join("src/resolve/supervisor_modules.rs")).unwrap();
    assert!(
        out.stdout == committed,
        "src/resolve/supervisor_modules.rs is stale: regenerate it with \
         `<oracle python> scripts/gen_supervisor_specs.py > src/resolve/supervisor_modules.rs`"
    );
}

fn check_set(python: &Path, set: &str, mode: Mode, cases: Vec<Case>) {
    let total = cases.len();
    let cases = filtered(cases);
    if cases.is_empty() {
        println!("note: SUPC_CONFORMANCE_FILTER selects none of the {total} {set} cases");
        return;
    }
    let (oracle, supc) = thread::scope(|scope| {
        let oracle = scope.spawn(|| ask_oracle(python, mode, &cases));
        let supc = run_supc_all(mode, &cases);
        (oracle.join().expect("oracle thread panicked"), supc)
    });

    let mut failed = 0;
    for ((case, oracle), supc) in cases.iter().zip(&oracle).zip(&supc) {
        let problems = judge(oracle, supc);
        if !problems.is_empty() {
            failed += 1;
            report_failure(case, mode, &problems);
        }
    }
    println!(
        "{set} {mode}: {} passed, {failed} failed",
        cases.len() - failed
    );
    assert_eq!(
        failed, 0,
        "{set} {mode}: {failed} case(s) differ from supervisord (see FAIL lines above)"
    );
}

fn report_failure(case: &Case, mode: Mode, problems: &[String]) {
    println!("FAIL {} ({mode})", case.label);
    for line in problems.iter().take(MAX_DIFFS) {
        println!("    {line}");
    }
    if problems.len() > MAX_DIFFS {
        println!("    ... and {} more", problems.len() - MAX_DIFFS);
    }
}
