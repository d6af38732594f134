//! `supc convert -o FILE` treats FILE as the user's: written whole (a
//! temporary file in the same directory, moved into place), an existing
//! one replaced only with `--force`, the config being converted never the
//! output, and on any failure the destination left as it was. Each case
//! runs the real binary, with a time bound (a FIFO must not block it).

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = "[supervisord]\nlogfile=/tmp/x.log\n[program:w]\ncommand=/bin/w\n";

/// `supc convert --to yaml supervisord.conf ARGS` in `dir`: (exit code,
/// stderr). Killed, and failed, after 60 s.
fn convert(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(["convert", "--to", "yaml", "supervisord.conf"])
        .args(args)
        .current_dir(dir)
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("supc runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("supc convert {args:?} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `convert ARGS` must be refused (exit 2), saying `why`.
fn refused(dir: &Path, args: &[&str], why: &str) {
    let (code, err) = convert(dir, args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(err.contains(why), "{args:?}: {err}");
}

/// `convert ARGS` must succeed.
fn converted(dir: &Path, args: &[&str]) {
    let (code, err) = convert(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
}

/// A directory holding the config.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("supervisord.conf"), CONFIG).unwrap();
    dir
}

/// The YAML `supc convert` prints for the config.
fn expected_yaml(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(["convert", "--to", "yaml", "supervisord.conf"])
        .current_dir(dir)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

/// The names in `dir`, sorted: no temporary file may stay behind.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_new_file_is_written_whole() {
    let dir = setup();
    converted(dir.path(), &["-o", "supc.yaml"]);
    let written = fs::read_to_string(dir.path().join("supc.yaml")).unwrap();
    assert_eq!(written, expected_yaml(dir.path()));
    assert!(written.contains("command: /bin/w"));
    assert_eq!(names(dir.path()), ["supc.yaml", "supervisord.conf"]);
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let dir = setup();
    let out = dir.path().join("supc.yaml");
    fs::write(&out, "mine\n").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o600)).unwrap();
    refused(
        dir.path(),
        &["-o", "supc.yaml"],
        "already exists; pass --force",
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "mine\n");
    converted(dir.path(), &["-o", "supc.yaml", "--force"]);
    assert_eq!(fs::read_to_string(&out).unwrap(), expected_yaml(dir.path()));
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the replaced file keeps its permissions");
    assert_eq!(names(dir.path()), ["supc.yaml", "supervisord.conf"]);
}

#[test]
fn a_directory_is_not_replaced() {
    let dir = setup();
    fs::create_dir(dir.path().join("out")).unwrap();
    for force in [false, true] {
        let args: &[&str] = if force {
            &["-o", "out", "--force"]
        } else {
            &["-o", "out"]
        };
        refused(dir.path(), args, "not a regular file");
        assert!(dir.path().join("out").is_dir());
        assert!(names(&dir.path().join("out")).is_empty());
    }
}

#[test]
fn a_symlink_needs_force_and_then_its_target_is_written() {
    let dir = setup();
    let real = dir.path().join("real.yaml");
    fs::write(&real, "old\n").unwrap();
    symlink("real.yaml", dir.path().join("link.yaml")).unwrap();
    refused(dir.path(), &["-o", "link.yaml"], "already exists");
    assert_eq!(fs::read_to_string(&real).unwrap(), "old\n");
    converted(dir.path(), &["-o", "link.yaml", "--force"]);
    let link = fs::symlink_metadata(dir.path().join("link.yaml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert_eq!(
        fs::read_to_string(&real).unwrap(),
        expected_yaml(dir.path())
    );
    // A dangling link is not followed to create its target.
    symlink("absent.yaml", dir.path().join("dangling.yaml")).unwrap();
    for args in [
        &["-o", "dangling.yaml"][..],
        &["-o", "dangling.yaml", "--force"],
    ] {
        refused(dir.path(), args, "dangling.yaml");
        assert!(!dir.path().join("absent.yaml").exists());
    }
}

#[test]
fn a_read_only_directory_gets_nothing() {
    let dir = setup();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores the mode; /proc refuses new files to everyone.
    let by_mode = fs::write(ro.join("probe"), "").is_err();
    let target = if by_mode {
        "ro/supc.yaml".to_string()
    } else {
        let _ = fs::remove_file(ro.join("probe"));
        eprintln!(
            "SKIPPED a directory read-only by its mode: needs a non-root user (root ignores the mode); /proc is used instead"
        );
        "/proc/supc-convert-test.yaml".to_string()
    };
    refused(dir.path(), &["-o", &target], "nothing written");
    assert!(!Path::new(&target).exists() && !dir.path().join(&target).exists());
    assert!(names(&ro).is_empty());
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_config_being_converted_is_never_the_output() {
    let dir = setup();
    symlink("supervisord.conf", dir.path().join("alias.conf")).unwrap();
    for out in ["supervisord.conf", "./supervisord.conf", "alias.conf"] {
        refused(
            dir.path(),
            &["-o", out, "--force"],
            "the config being converted",
        );
        let text = fs::read_to_string(dir.path().join("supervisord.conf")).unwrap();
        assert_eq!(text, CONFIG);
    }
}

#[test]
fn a_fifo_or_a_device_is_refused_without_blocking() {
    let dir = setup();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED a FIFO as destination: needs mkfifo (apt-get install coreutils)");
        return;
    }
    for args in [&["-o", "pipe"][..], &["-o", "pipe", "--force"]] {
        refused(dir.path(), args, "not a regular file");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // A device is refused the same way, never replaced.
    refused(
        dir.path(),
        &["-o", "/dev/null", "--force"],
        "not a regular file",
    );
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

/// A config supervisord rejects is not converted: an existing destination
/// stays as it was and a new one is not created.
#[test]
fn a_failed_conversion_leaves_the_destination() {
    let dir = setup();
    fs::write(
        dir.path().join("supervisord.conf"),
        "[supervisord]\n[program:w]\n",
    )
    .unwrap();
    fs::write(dir.path().join("kept.yaml"), "mine\n").unwrap();
    let (code, err) = convert(dir.path(), &["-o", "kept.yaml", "--force"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("kept.yaml")).unwrap(),
        "mine\n"
    );
    let (code, _) = convert(dir.path(), &["-o", "new.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(names(dir.path()), ["kept.yaml", "supervisord.conf"]);
}
