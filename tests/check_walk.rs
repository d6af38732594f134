//! `supc check DIR` on hostile and real-looking trees: every case ends in
//! bounded time with the documented exit code (0 clean, 1 findings,
//! 2 nothing to check or an entry that cannot be read).

mod check_common;

use check_common::{MAIN, check, fixtures, run_bounded, supc, write_tree};
use std::os::unix::fs::symlink;
use std::path::Path;

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success());
}

#[test]
fn a_fifo_in_a_tree_does_not_block_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("supervisord.conf", MAIN)]);
    mkfifo(&dir.path().join("pipe.conf"));
    let r = check(&["check", "--portable", "-v", "."], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(
        r.stderr.contains("pipe.conf: not a regular file"),
        "{}",
        r.all()
    );
}

#[test]
fn a_named_fifo_or_device_is_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.conf"));
    let r = check(&["check", "pipe.conf"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stdout
            .contains("cannot read pipe.conf: is a FIFO, not a regular file"),
        "{}",
        r.all()
    );
    let r = check(&["check", "/dev/zero"], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stdout
            .contains("cannot read /dev/zero: is a character device, not a regular file"),
        "{}",
        r.all()
    );
}

#[test]
fn a_directory_symlink_cycle_ends() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("a/supervisord.conf", MAIN)]);
    symlink("../b", dir.path().join("a/to-b")).unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    symlink("../a", dir.path().join("b/to-a")).unwrap();
    let r = check(&["check", "--portable", "."], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(r.stdout.contains("1 file, 0 errors"), "{}", r.all());
}

#[test]
fn a_dangling_symlink_is_reported_and_the_rest_checked() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("ok/supervisord.conf", MAIN)]);
    symlink("/nonexistent/x.conf", dir.path().join("gone.conf")).unwrap();
    let r = check(
        &["check", "--portable", "--format", "concise", "."],
        dir.path(),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stdout
            .contains("gone.conf: SUP001 error cannot read gone.conf: no such file"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("1 file, 0 errors"), "{}", r.all());
}

/// Root reads any directory, so the child drops to `nobody` first.
#[test]
fn an_unreadable_subdirectory_is_reported_and_the_rest_checked() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("ok/supervisord.conf", MAIN),
            (
                "secret/supervisord.conf",
                "[supervisord]\nloglevel=chatty\n",
            ),
        ],
    );
    let mode = |p: &Path, m: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    mode(dir.path(), 0o755);
    mode(&dir.path().join("ok"), 0o755);
    mode(&dir.path().join("ok/supervisord.conf"), 0o644);
    mode(&dir.path().join("secret"), 0o000);
    let mut cmd = supc(&[], dir.path());
    if nix::unistd::Uid::effective().is_root() {
        let bin = env!("CARGO_BIN_EXE_supc");
        cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin])
            .current_dir(dir.path())
            .env_remove("GITHUB_ACTIONS")
            .env_remove("CI");
    }
    cmd.args(["check", "--portable", "--format", "concise", "."]);
    let r = run_bounded(cmd, None);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stdout
            .contains("secret: SUP001 error cannot read secret: permission denied"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("1 file, 0 errors"), "{}", r.all());
}

#[test]
fn an_empty_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = check(&["check", "."], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(
        r.stderr.contains("no supervisord config found in ."),
        "{}",
        r.all()
    );
    write_tree(
        dir.path(),
        &[("nginx.conf", "events {}\n"), ("tox.ini", "[tox]\n")],
    );
    let r = check(&["check", "."], dir.path());
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stderr.contains("(2 files skipped"), "{}", r.all());
}

/// The checked-in repository gives only its real finding, whatever its
/// nginx, php-fpm, tox and syslog files and its symlinked directory
/// (`runs-as-root`, which its php-fpm image would trip, is opt-in).
#[test]
fn a_docker_images_repository_gives_only_the_real_findings() {
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("docker-images"), repo.path());
    symlink("php-fpm", repo.path().join("images/php-fpm-latest")).unwrap();
    let r = check(
        &["check", "--portable", "--format", "concise", "."],
        repo.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "images/worker/supervisord.conf:14:17: SUP020 error not a valid boolean value: 'ture' \
             in section 'program:queue' (file: 'images/worker/supervisord.conf')",
            "2 files, 1 error, 0 warnings, 0 infos (5 skipped)",
        ],
        "{}",
        r.all()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn excludes_and_force_exclude() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("ok/supervisord.conf", MAIN),
            (
                "legacy/supervisord.conf",
                "[supervisord]\nloglevel=chatty\n",
            ),
            (
                "vendor/x/supervisord.conf",
                "[supervisord]\nloglevel=chatty\n",
            ),
        ],
    );
    let r = check(&["check", "--portable", "."], dir.path());
    assert_eq!(r.code, Some(1), "{}", r.all());
    let r = check(
        &[
            "check",
            "--portable",
            "--extend-exclude",
            "legacy,vendor/",
            ".",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    // A named file is checked even when excluded, unless --force-exclude.
    let named = "legacy/supervisord.conf";
    let r = check(
        &["check", "--portable", "--extend-exclude", "legacy", named],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    let r = check(
        &[
            "check",
            "--portable",
            "--extend-exclude",
            "legacy",
            "--force-exclude",
            named,
            "ok/supervisord.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    // The same in .supc.yaml.
    write_tree(
        dir.path(),
        &[(".supc.yaml", "extend-exclude: [legacy, vendor]\n")],
    );
    let r = check(&["check", "--portable", "."], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
}

#[test]
fn gitignored_files_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("ok/supervisord.conf", MAIN),
            ("build/supervisord.conf", "[supervisord]\nloglevel=chatty\n"),
            (".gitignore", "build/\n"),
        ],
    );
    let r = check(&["check", "--portable", "."], dir.path());
    assert_eq!(r.code, Some(0), "{}", r.all());
    let r = check(&["check", "--portable", "--no-ignore", "."], dir.path());
    assert_eq!(r.code, Some(1), "{}", r.all());
}

/// A conf.d file a main config of the walk includes is checked once, as
/// part of it: alone, its group would name a program it cannot see.
#[test]
fn an_included_file_is_checked_once_with_its_main_config() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "etc/supervisord.conf",
                "[supervisord]\nlogfile=/dev/null\nlogfile_maxbytes=0\n\n[include]\nfiles=conf.d/*.conf\n",
            ),
            (
                "etc/conf.d/a.conf",
                "[program:a]\ncommand=/bin/true\nuser=nobody\nbogus_key=1\n",
            ),
            ("etc/conf.d/g.conf", "[group:g]\nprograms=a\n"),
        ],
    );
    let r = check(
        &["check", "--portable", "--format", "json", "."],
        dir.path(),
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["etc/supervisord.conf"], "{}", r.stdout);
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", r.stdout);
    assert_eq!(findings[0]["code"], "SUP102");
    assert_eq!(findings[0]["location"]["file"], "etc/conf.d/a.conf");
}

#[test]
fn directory_symlinks_are_not_followed_so_nothing_is_reported_twice() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("real/supervisord.conf", "[supervisord]\nloglevel=chatty\n")],
    );
    symlink("real", dir.path().join("alias")).unwrap();
    let r = check(
        &["check", "--portable", "--format", "concise", "."],
        dir.path(),
    );
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert_eq!(r.stdout.matches("SUP020").count(), 1, "{}", r.all());
    // Named twice (once through a file symlink): checked once.
    symlink("real/supervisord.conf", dir.path().join("link.conf")).unwrap();
    let r = check(
        &[
            "check",
            "--portable",
            "--format",
            "concise",
            "real/supervisord.conf",
            "link.conf",
        ],
        dir.path(),
    );
    assert_eq!(r.stdout.matches("SUP020").count(), 1, "{}", r.all());
    // Reached twice by a walk (a file symlink, a hard link): checked once,
    // where it was first met, and not counted as skipped either.
    std::fs::hard_link(
        dir.path().join("real/supervisord.conf"),
        dir.path().join("real/hard.conf"),
    )
    .unwrap();
    let r = check(
        &["check", "--portable", "--format", "json", "."],
        dir.path(),
    );
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{}", r.stdout);
    assert_eq!(files[0]["path"], "link.conf", "{}", r.stdout);
    let r = check(&["check", "--portable", "."], dir.path());
    assert!(!r.stdout.contains("skipped"), "{}", r.stdout);
}
