//! `--portable` is hermetic in every subcommand that reads a config: the
//! environment is only what `--env` / `--env-file` give. The child process
//! runs with canary variables in its real environment: one the config names
//! (`SUPC_CANARY_DIR`, pointing at a directory of the "runner" with a
//! program in it) and one it does not (`SUPC_CANARY_SECRET`). Neither may
//! change a result or appear in any output, in any `--format`.

mod check_common;

use check_common::{Ran, run_bounded, supc, write_tree};
use std::path::Path;

const SECRET_NAME: &str = "SUPC_CANARY_SECRET";
const SECRET_VALUE: &str = "canary-value-5b1e";

const MAIN: &str = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n\
[include]\nfiles=%(ENV_SUPC_CANARY_DIR)s/*.conf\n\n\
[program:web]\ncommand=/bin/app\nuser=nobody\n";

const SPEC: &str = "supervisord:\n  logfile: /dev/null\n  logfile_maxbytes: 0\n\
include:\n  files: \"%(ENV_SUPC_CANARY_DIR)s/*.conf\"\n\
programs:\n  web:\n    command: /bin/app\n    user: nobody\n";

/// A program in `dir/extra.conf`, named after the side it stands for.
fn program(name: &str) -> String {
    format!("[program:{name}]\ncommand=/bin/{name}\nuser=nobody\n")
}

/// The project: the main config, the spec, the CI's include directory and
/// its dotenv file, and the runner's directory the canary points at.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ci = dir.path().join("ci");
    write_tree(
        dir.path(),
        &[
            ("supervisord.conf", MAIN),
            ("supc.yaml", SPEC),
            ("runner/extra.conf", &program("from_runner")),
            ("ci/extra.conf", &program("from_ci")),
            ("ci.env", &format!("SUPC_CANARY_DIR={}\n", ci.display())),
        ],
    );
    dir
}

/// `supc ARGS` in `dir`, with the canaries in its process environment.
fn run(dir: &Path, args: &[&str]) -> Ran {
    let mut cmd = supc(args, dir);
    cmd.env("SUPC_CANARY_DIR", dir.join("runner"))
        .env(SECRET_NAME, SECRET_VALUE);
    run_bounded(cmd, None)
}

/// Every command line to try, with the exit code it gives when the
/// variable is missing, and whether its output lists the programs.
struct Case {
    args: Vec<&'static str>,
    missing: i32,
    lists_programs: bool,
}

fn case(args: &[&'static str], missing: i32, lists_programs: bool) -> Case {
    Case {
        args: args.to_vec(),
        missing,
        lists_programs,
    }
}

fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for format in ["human", "concise", "json", "sarif", "github"] {
        all.push(case(
            &["check", "--format", format, "supervisord.conf"],
            1,
            false,
        ));
    }
    for format in ["human", "json", "sarif", "github"] {
        all.push(case(
            &["render", "--check", "--format", format, "supc.yaml"],
            1,
            false,
        ));
    }
    for format in ["table", "json"] {
        all.push(case(
            &["expand", "--format", format, "supervisord.conf"],
            1,
            true,
        ));
        let diff = ["diff", "--format", format, "supervisord.conf"];
        all.push(case(&[&diff[..], &["supervisord.conf"]].concat(), 2, false));
    }
    for format in ["text", "json"] {
        all.push(case(
            &["explain", "--format", format, "supervisord.conf"],
            1,
            true,
        ));
    }
    all.push(case(&["render", "supervisord.conf"], 1, true));
    all.push(case(&["render", "supc.yaml"], 1, true));
    all.push(case(
        &["convert", "--to", "yaml", "supervisord.conf"],
        1,
        false,
    ));
    all.push(case(&["convert", "--to", "ini", "supc.yaml"], 1, true));
    all
}

/// The canaries appear nowhere: not the unnamed variable, not the
/// runner's directory nor the program in it.
fn assert_no_leak(ran: &Ran, what: &str) {
    let all = ran.all();
    for leak in [SECRET_NAME, SECRET_VALUE, "from_runner", "runner/"] {
        assert!(!all.contains(leak), "{what}: {leak:?} leaked:\n{all}");
    }
}

/// `args` with `extra` after the subcommand's name.
fn with(args: &[&'static str], extra: &[&str]) -> Vec<String> {
    let mut out = vec![args[0].to_string()];
    out.extend(extra.iter().map(|s| (*s).to_string()));
    out.extend(args[1..].iter().map(|s| (*s).to_string()));
    out
}

fn run_with(dir: &Path, c: &Case, extra: &[&str]) -> (Ran, String) {
    let args = with(&c.args, extra);
    let what = args.join(" ");
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    (run(dir, &refs), what)
}

#[test]
fn the_process_environment_is_not_read_under_portable() {
    let dir = project();
    for c in cases() {
        let (ran, what) = run_with(dir.path(), &c, &["--portable"]);
        assert_eq!(
            ran.code,
            Some(c.missing),
            "{what}: the runner's SUPC_CANARY_DIR must not be used:\n{}",
            ran.all()
        );
        assert_no_leak(&ran, &what);
    }
}

#[test]
fn env_and_env_file_are_the_environment_under_portable() {
    let dir = project();
    let ci = dir.path().join("ci");
    let env = format!("SUPC_CANARY_DIR={}", ci.display());
    let sources: [&[&str]; 2] = [
        &["--portable", "--env", &env],
        &["--portable", "--env-file", "ci.env"],
    ];
    for c in cases() {
        for source in sources {
            let (ran, what) = run_with(dir.path(), &c, source);
            assert_eq!(ran.code, Some(0), "{what}:\n{}", ran.all());
            assert_no_leak(&ran, &what);
            if c.lists_programs {
                assert!(ran.stdout.contains("from_ci"), "{what}:\n{}", ran.all());
            }
        }
    }
}

/// Without `--portable` the machine's environment is the environment, as
/// supervisord's: the canary's directory is included.
#[test]
fn the_process_environment_is_read_without_portable() {
    let dir = project();
    let c = case(&["expand", "--format", "json", "supervisord.conf"], 1, true);
    let (ran, what) = run_with(dir.path(), &c, &[]);
    assert_eq!(ran.code, Some(0), "{what}:\n{}", ran.all());
    assert!(ran.stdout.contains("from_runner"), "{}", ran.all());
}

/// `~` is not this machine's home under `--portable` when no HOME is
/// given: it stays as it is, as Python leaves it for an unknown user.
#[test]
fn tilde_is_not_the_machines_home_under_portable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = "[supervisord]\nlogfile=~/sup.log\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/app\nuser=nobody\n";
    write_tree(dir.path(), &[("supervisord.conf", conf)]);
    let expand = |extra: &[&str]| {
        let args = [
            &["expand", "--format", "json", "--portable"][..],
            extra,
            &["supervisord.conf"],
        ]
        .concat();
        let mut cmd = supc(&args, dir.path());
        cmd.env("HOME", "/home/of-the-runner");
        run_bounded(cmd, None)
    };
    let ran = expand(&[]);
    assert_eq!(ran.code, Some(0), "{}", ran.all());
    assert!(ran.stdout.contains("/~/sup.log\""), "{}", ran.stdout);
    assert!(!ran.all().contains("of-the-runner"), "{}", ran.all());
    let ran = expand(&["--env", "HOME=/srv/app"]);
    assert!(
        ran.stdout.contains("\"/srv/app/sup.log\""),
        "{}",
        ran.stdout
    );
}

/// `%(host_node_name)s` is not this machine's name under `--portable`: it
/// is `localhost` unless `--host-node-name` gives it, so an expansion in CI
/// names no runner.
#[test]
fn host_node_name_is_not_the_machines_under_portable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n\
[program:web]\ncommand=/bin/app --node=%(host_node_name)s\nuser=nobody\n";
    write_tree(dir.path(), &[("supervisord.conf", conf)]);
    let machine = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .to_string();
    let expand = |extra: &[&str]| {
        let args = [
            &["expand", "--format", "json"][..],
            extra,
            &["supervisord.conf"],
        ]
        .concat();
        run_bounded(supc(&args, dir.path()), None)
    };
    let ran = expand(&[]);
    assert!(
        ran.stdout.contains(&format!("--node={machine}\"")),
        "{}",
        ran.stdout
    );
    let ran = expand(&["--portable"]);
    assert_eq!(ran.code, Some(0), "{}", ran.all());
    assert!(ran.stdout.contains("--node=localhost\""), "{}", ran.stdout);
    if machine != "localhost" {
        assert!(!ran.all().contains(&machine), "{}", ran.all());
    }
    let ran = expand(&["--portable", "--host-node-name", "web7"]);
    assert!(ran.stdout.contains("--node=web7\""), "{}", ran.stdout);
}
