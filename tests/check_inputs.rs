//! What `supc check` reads and how it reads it: rule names (a typo is a
//! usage error, never a silent pass), main config or snippet, standard
//! input, `--as`, and supervisord's warnings silenced like lint findings.

mod check_common;

use check_common::{MAIN, check, run_bounded, supc, write_tree};

/// A config with one supervisord warning (an include that matches nothing).
const INCLUDE_NOTHING: &str = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[include]\nfiles=/nonexistent/conf.d/*.conf\n\n[program:web]\ncommand=/bin/true\nuser=nobody\n";

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), files);
    dir
}

#[test]
fn a_typo_in_a_rule_name_is_a_usage_error_with_a_suggestion() {
    let dir = dir_with(&[("supervisord.conf", MAIN)]);
    for flag in ["--select", "--ignore"] {
        let r = check(
            &["check", flag, "unknwn-key", "supervisord.conf"],
            dir.path(),
        );
        assert_eq!(r.code, Some(2), "{flag}: {}", r.all());
        assert!(
            r.stderr
                .contains("unknown rule `unknwn-key` (did you mean `unknown-key`?)"),
            "{flag}: {}",
            r.all()
        );
    }
    let r = check(
        &["check", "--select", "NOPE", "supervisord.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    // Codes and names in any case are known.
    let r = check(
        &[
            "check",
            "--portable",
            "--select",
            "sup102,Unknown-Key",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    write_tree(dir.path(), &[(".supc.yaml", "ignore: [unknown_key]\n")]);
    let r = check(&["check", "supervisord.conf"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr.contains("did you mean `unknown-key`?"),
        "{}",
        r.all()
    );
}

#[test]
fn a_typo_in_an_inline_suppression_is_a_usage_error() {
    let conf = format!("{MAIN}; supc: disable=unknwon-key\nbogus=1\n");
    let dir = dir_with(&[("supervisord.conf", &conf)]);
    let r = check(&["check", "--portable", "supervisord.conf"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr.contains("supervisord.conf:8:1: unknown rule `unknwon-key` in a suppression (did you mean `unknown-key`?)"),
        "{}",
        r.all()
    );
    let conf = format!("{MAIN}; supc: disable=all\nbogus=1\n");
    write_tree(dir.path(), &[("supervisord.conf", &conf)]);
    let r = check(
        &[
            "check",
            "--portable",
            "--fail-on",
            "warning",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
}

/// An include that matches nothing (SUP041, once part of SUP040) fires on
/// most real main configs in CI (the include exists only on the host): like
/// every supervisord warning it can be ignored, re-graded and suppressed.
#[test]
fn supervisord_warnings_can_be_ignored_regraded_and_suppressed() {
    let dir = dir_with(&[("supervisord.conf", INCLUDE_NOTHING)]);
    let warn = [
        "check",
        "--portable",
        "--fail-on",
        "warning",
        "supervisord.conf",
    ];
    let r = check(&warn, dir.path());
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stdout.contains("SUP041"), "{}", r.all());
    let r = check(
        &[
            &warn[..4],
            &["--ignore", "include-matches-nothing", "supervisord.conf"],
        ]
        .concat(),
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    write_tree(dir.path(), &[(".supc.yaml", "severity:\n  SUP041: info\n")]);
    let r = check(&warn, dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(r.stdout.contains("1 info"), "{}", r.all());
    std::fs::remove_file(dir.path().join(".supc.yaml")).unwrap();
    let inline = INCLUDE_NOTHING.replace("[include]\n", "[include]\n; supc: disable=SUP041\n");
    write_tree(dir.path(), &[("supervisord.conf", &inline)]);
    let r = check(&warn, dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
}

/// supervisord's errors stay errors whatever the settings say.
#[test]
fn supervisord_errors_cannot_be_ignored() {
    let dir = dir_with(&[("supervisord.conf", "[supervisord]\nloglevel=chatty\n")]);
    let r = check(
        &[
            "check",
            "--portable",
            "--ignore",
            "SUP020",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
}

/// supervisord refuses a `[Supervisord]` header and an empty
/// `supervisord.conf`: both are main configs, not passing snippets.
#[test]
fn main_configs_by_name_and_by_header_in_any_case() {
    let dir = dir_with(&[
        ("odd.conf", "[Supervisord]\nlogfile=/dev/null\n"),
        ("supervisord.conf", ""),
        (
            "snippet.conf",
            "[program:a]\ncommand=/bin/true\nuser=nobody\n",
        ),
    ]);
    let r = check(
        &["check", "--portable", "--format", "concise", "odd.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stdout.contains("SUP006"), "{}", r.all());
    let r = check(&["check", "--portable", "supervisord.conf"], dir.path());
    assert_eq!(r.code, Some(1), "{}", r.all());
    // A snippet passes alone; --main reads it as a whole config.
    let r = check(&["check", "--portable", "snippet.conf"], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = check(
        &["check", "--portable", "--main", "snippet.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    let r = check(
        &["check", "--main", "--snippet", "snippet.conf"],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
}

/// Every subcommand `supc --help` lists (so a new one cannot be
/// forgotten): `--help` states its exit codes; the ones that read a config
/// take the same `--snippet`/`--main` pair and `--portable`.
#[test]
fn every_help_states_its_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let top = check(&["--help"], dir.path());
    let commands = subcommands(&top.stdout);
    assert!(commands.len() >= 15, "{}", top.stdout);
    for cmd in &commands {
        let r = check(&[cmd, "--help"], dir.path());
        assert_eq!(r.code, Some(0), "{cmd}: {}", r.all());
        assert!(r.stdout.contains("\nExit codes"), "{cmd}: {}", r.stdout);
    }
    for cmd in [
        "check", "expand", "explain", "render", "convert", "diff", "run",
    ] {
        let r = check(&[cmd, "--help"], dir.path());
        for flag in ["--snippet", "--main", "--portable", "--env-file"] {
            assert!(r.stdout.contains(flag), "{cmd} {flag}: {}", r.stdout);
        }
    }
}

/// The names in the `Commands:` list of `supc --help`, but `help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn stdin_is_read_once_and_named_by_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let conf = "[supervisord]\nloglevel=chatty\n";
    let mut cmd = supc(
        &["check", "--portable", "--format", "concise", "-"],
        dir.path(),
    );
    cmd.env("NO_COLOR", "1");
    let r = run_bounded(cmd, Some(conf.as_bytes()));
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stdout.starts_with("<stdin>:2:10: SUP020 error"),
        "{}",
        r.all()
    );
    // `cat f.conf | supc check /dev/stdin` reads the pipe once, as `-`.
    let cmd = supc(
        &["check", "--portable", "--format", "concise", "/dev/stdin"],
        dir.path(),
    );
    let r = run_bounded(cmd, Some(conf.as_bytes()));
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stdout.starts_with("<stdin>:2:10: SUP020 error"),
        "{}",
        r.all()
    );
    let cmd = supc(
        &[
            "check",
            "--portable",
            "--format",
            "concise",
            "--stdin-filename",
            "etc/supervisord.conf",
            "-",
        ],
        dir.path(),
    );
    let r = run_bounded(cmd, Some(b""));
    // Empty, and named supervisord.conf: a main config supervisord refuses.
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(
        r.stdout.starts_with("etc/supervisord.conf: SUP006 error"),
        "{}",
        r.all()
    );
}

/// Validate hooks (Ansible `validate:`, Puppet `validate_cmd`, ...) check a
/// temporary copy: `--as` resolves includes and `%(here)s` at the real
/// place.
#[test]
fn as_checks_a_temporary_copy_at_its_destination() {
    let dest = dir_with(&[
        (
            "etc/supervisord.conf",
            "[supervisord]\nlogfile=%(here)s/supervisord.log\nlogfile_maxbytes=0\n\n[include]\nfiles=conf.d/*.conf\n\n[group:g]\nprograms=a\n",
        ),
        (
            "etc/conf.d/a.conf",
            "[program:a]\ncommand=/bin/true\nuser=nobody\n",
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("ansible-tmp-123.conf");
    std::fs::copy(dest.path().join("etc/supervisord.conf"), &copy).unwrap();
    let copy = copy.to_string_lossy().into_owned();
    let r = check(&["check", "--portable", &copy], dest.path());
    assert_eq!(
        r.code,
        Some(1),
        "alone, the copy misses its includes: {}",
        r.all()
    );
    let r = check(
        &["check", "--portable", "--as", "etc/supervisord.conf", &copy],
        dest.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
}

/// `fail-on:` in `.supc.yaml` decides the exit code; `--fail-on` wins.
#[test]
fn the_settings_file_fail_level_decides_the_exit_code() {
    let dir = dir_with(&[("supervisord.conf", INCLUDE_NOTHING)]);
    let r = check(&["check", "--portable", "supervisord.conf"], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    write_tree(dir.path(), &[(".supc.yaml", "fail-on: warning\n")]);
    let r = check(&["check", "--portable", "supervisord.conf"], dir.path());
    assert_eq!(r.code, Some(1), "{}", r.all());
    let r = check(
        &[
            "check",
            "--portable",
            "--fail-on",
            "error",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
}

/// An opt-in rule joins the defaults with `--extend-select` (or
/// `extend-select:`), where `--select` would run it alone.
#[test]
fn extend_select_adds_an_opt_in_rule_to_the_defaults() {
    // No `user=` anywhere (runs-as-root, opt-in) and a typo'd key
    // (unknown-key, on by default).
    let conf = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/true\ncomand=/bin/false\n";
    let dir = dir_with(&[("supervisord.conf", conf)]);
    let codes = |args: &[&str]| {
        let mut all = vec!["check", "--portable", "--format", "concise"];
        all.extend_from_slice(args);
        all.push("supervisord.conf");
        let r = check(&all, dir.path());
        let mut found: Vec<String> = r
            .stdout
            .lines()
            .filter_map(|l| l.split(": ").nth(1)?.split(' ').next().map(str::to_string))
            .filter(|c| c.starts_with("SUP"))
            .collect();
        found.sort();
        found.dedup();
        (r.code, found)
    };
    assert_eq!(codes(&[]), (Some(0), vec!["SUP102".to_string()]));
    assert_eq!(
        codes(&["--select", "runs-as-root"]),
        (Some(0), vec!["SUP304".to_string()])
    );
    assert_eq!(
        codes(&["--extend-select", "runs-as-root"]),
        (Some(0), vec!["SUP102".to_string(), "SUP304".to_string()])
    );
    // An ignore in the file gives way to a rule named on the command line.
    write_tree(dir.path(), &[(".supc.yaml", "ignore: [SUP304]\n")]);
    assert_eq!(
        codes(&["--extend-select", "SUP304"]),
        (Some(0), vec!["SUP102".to_string(), "SUP304".to_string()])
    );
    write_tree(
        dir.path(),
        &[(".supc.yaml", "extend-select: [runs-as-root]\n")],
    );
    assert_eq!(
        codes(&[]),
        (Some(0), vec!["SUP102".to_string(), "SUP304".to_string()])
    );
    let r = check(
        &[
            "check",
            "--extend-select",
            "runs-as-rot",
            "supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr.contains("did you mean `runs-as-root`?"),
        "{}",
        r.all()
    );
}

/// `--assume-env` is honoured where a config is only read (explain, like
/// check), and refused where a placeholder would be written or run.
#[test]
fn assume_env_is_honoured_or_refused_never_ignored() {
    let conf = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[program:web]\ncommand=/bin/web --port %(ENV_SUPC_TEST_SURELY_UNSET_PORT)s\nuser=nobody\n";
    let dir = dir_with(&[("supervisord.conf", conf)]);
    let r = check(
        &["explain", "--portable", "supervisord.conf", "web"],
        dir.path(),
    );
    assert_eq!(
        r.code,
        Some(1),
        "without it the variable is unknown: {}",
        r.all()
    );
    let r = check(
        &[
            "explain",
            "--portable",
            "--assume-env",
            "supervisord.conf",
            "web",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    for cmd in [
        vec!["render", "--assume-env", "supervisord.conf"],
        vec![
            "convert",
            "--assume-env",
            "--to",
            "yaml",
            "supervisord.conf",
        ],
        vec!["run", "--assume-env", "supervisord.conf"],
    ] {
        let r = check(&cmd, dir.path());
        assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.all());
        assert!(
            r.stderr.contains("--assume-env cannot be used with"),
            "{cmd:?}: {}",
            r.all()
        );
    }
}

/// A config file that cannot be read is exit 2 in every command that reads
/// one (supervisord's usage error is 2 as well), never 1 or a hang.
#[test]
fn an_unreadable_config_is_exit_2_in_every_command() {
    let dir = dir_with(&[]);
    for fifo in ["fifo.conf", "fifo.yaml"] {
        nix::unistd::mkfifo(&dir.path().join(fifo), nix::sys::stat::Mode::S_IRWXU).unwrap();
    }
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    for file in ["missing.conf", "fifo.conf", "fifo.yaml", "zero.yaml"] {
        for cmd in [
            vec!["check", file],
            vec!["expand", file],
            vec!["expand", "--format", "json", file],
            vec!["explain", file],
            vec!["render", file],
            vec!["convert", "--to", "yaml", file],
            vec!["convert", "--to", "ini", file],
            vec!["diff", file, file],
        ] {
            let r = check(&cmd, dir.path());
            assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.all());
        }
    }
}

/// The files beside a config (`--config`, `--env-file`, an inventory) are
/// read like configs: a FIFO or a device is exit 2 at once, never a hang
/// or a read without end.
#[test]
fn side_files_that_are_not_regular_are_exit_2() {
    let conf = "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n";
    let spec = "supervisord:\n  logfile: /dev/null\n";
    let dir = dir_with(&[("supervisord.conf", conf), ("supc.yaml", spec)]);
    nix::unistd::mkfifo(&dir.path().join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero")).unwrap();
    for side in ["fifo", "zero"] {
        for cmd in [
            vec!["check", "--config", side, "supervisord.conf"],
            vec!["check", "--env-file", side, "supervisord.conf"],
            vec!["expand", "--env-file", side, "supervisord.conf"],
            vec!["render", "supc.yaml", "--vars-file", side],
            vec!["render", "supc.yaml", "-i", side, "--all-hosts", "--check"],
        ] {
            let r = check(&cmd, dir.path());
            assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.all());
            assert!(
                r.stderr.contains("not a regular file"),
                "{cmd:?}: {}",
                r.all()
            );
        }
    }
}
