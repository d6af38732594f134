//! The Ansible collection in `ansible/` with real ansible-core (the test
//! venv: `scripts/setup-oracle.sh`, or `SUPC_ORACLE_PYTHON`) against
//! localhost (`connection: local`): the Storm cluster rendered through
//! `supc.supervisor.config` is byte-identical to `supc render --all-hosts`
//! (its spec reads the nimbus host's variables through `hostvars`);
//! a second run changes nothing; check mode with a changed variable writes
//! nothing but reports the diff and the groups `supervisorctl update`
//! would restart; a spec with an error-level finding fails the task with
//! nothing written, as does the Storm spec with `hostvars: false`; a
//! vaulted group variable is rendered decrypted and kept out of the play's
//! output.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    std::env::var_os("SUPC_ORACLE_PYTHON")
        .map_or_else(|| repo().join(".venv-oracle/bin/python"), PathBuf::from)
}

fn storm() -> PathBuf {
    repo().join("fixtures/fleet/storm")
}

/// `ansible-playbook playbook.yml` on the Storm inventory; stdout+stderr.
fn playbook(tmp: &Path, out: &Path, spec: &Path, extra: &[&str]) -> (bool, String) {
    playbook_in(&storm(), tmp, out, spec, extra)
}

/// `ansible-playbook playbook.yml -i inventory/hosts.ini` in `dir`.
fn playbook_in(dir: &Path, tmp: &Path, out: &Path, spec: &Path, extra: &[&str]) -> (bool, String) {
    let bin = python().parent().unwrap().join("ansible-playbook");
    assert!(
        bin.exists(),
        "no ansible-playbook at {}; run scripts/setup-oracle.sh (tests/requirements/fleet.txt) or set SUPC_ORACLE_PYTHON",
        bin.display()
    );
    let cfg = tmp.join("ansible.cfg");
    std::fs::write(&cfg, "[defaults]\n").unwrap();
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .args(["-i", "inventory/hosts.ini", "playbook.yml"])
        .arg("-e")
        .arg(format!("out={}", out.display()))
        .arg("-e")
        .arg(format!("spec={}", spec.display()))
        .arg("-e")
        .arg(format!("supc_bin={}", env!("CARGO_BIN_EXE_supc")))
        .arg("-e")
        .arg(format!("ansible_python_interpreter={}", python().display()))
        .args(extra)
        .env("ANSIBLE_CONFIG", &cfg)
        .env("ANSIBLE_HOME", tmp.join("home"))
        .env("ANSIBLE_LOCAL_TEMP", tmp.join("local-tmp"))
        .env("ANSIBLE_REMOTE_TEMP", tmp.join("remote-tmp"))
        .env("ANSIBLE_COLLECTIONS_PATH", repo().join("ansible"))
        .env("ANSIBLE_NOCOLOR", "1");
    let out = cmd.output().expect("ansible-playbook runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn result(out: &Path, host: &str) -> Value {
    let text = std::fs::read_to_string(out.join(format!("{host}.result.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

const HOSTS: [&str; 4] = [
    "nimbus1.storm.example",
    "worker1.storm.example",
    "worker2.storm.example",
    "worker3.storm.example",
];

#[test]
fn the_module_renders_what_the_cli_renders_and_reports_update_groups() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("module");
    let cli = tmp.path().join("cli");
    std::fs::create_dir(&out).unwrap();
    let spec = storm().join("supc.yaml");
    let (ok, log) = playbook(tmp.path(), &out, &spec, &[]);
    assert!(ok, "{log}");
    let status = Command::new(env!("CARGO_BIN_EXE_supc"))
        .current_dir(storm())
        .args([
            "render",
            "--portable",
            "supc.yaml",
            "-i",
            "inventory/hosts.ini",
            "--all-hosts",
            "--out-dir",
        ])
        .arg(&cli)
        .status()
        .unwrap();
    assert!(status.success());
    for host in HOSTS {
        let a = std::fs::read(out.join(format!("{host}.conf"))).unwrap();
        let b = std::fs::read(cli.join(format!("{host}.conf"))).unwrap();
        assert!(
            a == b,
            "{host}: the module and supc render --all-hosts differ"
        );
        // hostvars: the nimbus host's variables, templated for it.
        let text = String::from_utf8_lossy(&a);
        assert!(
            text.contains("-c nimbus.thrift.port=6627 -c nimbus.childopts='-Xmx512m' -c storm.workers.heaps='1024m,1024m,2048m'"),
            "{host}: {text}"
        );
        let r = result(&out, host);
        assert_eq!(r["changed"], true, "{host}");
        assert!(names(&r["groups_changed"]).is_empty() && names(&r["groups_removed"]).is_empty());
    }
    assert_eq!(
        names(&result(&out, HOSTS[0])["groups_added"]),
        ["nimbus", "supervisor", "ui", "zookeeper"]
    );
    assert_eq!(
        names(&result(&out, HOSTS[1])["update_groups"]),
        ["logviewer", "supervisor"]
    );

    // Again: nothing to write, nothing to update.
    let (ok, log) = playbook(tmp.path(), &out, &spec, &[]);
    assert!(ok, "{log}");
    for host in HOSTS {
        let r = result(&out, host);
        assert_eq!(r["changed"], false, "{host}: {r}");
        assert!(names(&r["update_groups"]).is_empty(), "{host}: {r}");
    }

    // Check mode with a bigger base heap (an integer: `-e base_heap_mb=700`
    // would be the string "700", and "700" * 2 is "700700" in Ansible too):
    // nothing written, the diff shown, the JVM programs reported as changed.
    let before = std::fs::read(out.join("worker1.storm.example.conf")).unwrap();
    let (ok, log) = playbook(
        tmp.path(),
        &out,
        &spec,
        &["-e", r#"{"base_heap_mb": 700}"#, "--check", "--diff"],
    );
    assert!(ok, "{log}");
    assert_eq!(
        std::fs::read(out.join("worker1.storm.example.conf")).unwrap(),
        before
    );
    assert!(
        log.contains("+environment=STORM_JAR_JVM_OPTS=\"-Xms1400m -Xmx1400m\""),
        "{log}"
    );
    let r = result(&out, HOSTS[1]);
    assert_eq!(r["changed"], true);
    assert_eq!(names(&r["groups_changed"]), ["supervisor"]);
    assert_eq!(
        names(&result(&out, HOSTS[0])["groups_changed"]),
        ["nimbus", "supervisor"]
    );
}

#[test]
fn without_hostvars_a_spec_reading_them_fails_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("module");
    std::fs::create_dir(&out).unwrap();
    let spec = storm().join("supc.yaml");
    let (ok, log) = playbook(tmp.path(), &out, &spec, &["-e", "supc_hostvars=false"]);
    assert!(!ok, "{log}");
    assert!(
        // Line 36 is the first to read `hostvars[groups['nimbus'][0]]`.
        log.contains("supc render failed, nothing written")
            && log.contains("is undefined (supc.yaml:36:40)"),
        "{log}"
    );
    assert!(!out.join("worker1.storm.example.conf").exists());
}

#[test]
fn an_error_level_finding_fails_the_task_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("module");
    std::fs::create_dir(&out).unwrap();
    let spec = tmp.path().join("bad.yaml");
    std::fs::write(
        &spec,
        "supervisord:\n  logfile: /var/log/s.log\nprograms:\n  a:\n    command: /bin/a\n    stdout_logfile: /var/log/x.log\n  b:\n    command: /bin/b\n    stdout_logfile: /var/log/x.log\n",
    )
    .unwrap();
    let (ok, log) = playbook(tmp.path(), &out, &spec, &[]);
    assert!(!ok, "{log}");
    assert!(
        log.contains("supc render failed, nothing written") && log.contains("SUP112"),
        "{log}"
    );
    assert!(!out.join("worker1.storm.example.conf").exists());
}

/// Copies a directory tree (the Storm fixture, to add a vault file to).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// `ansible-vault encrypt_string` of `secret` named `name` (a YAML line).
fn encrypt_string(password_file: &Path, name: &str, secret: &str) -> String {
    let bin = python().parent().unwrap().join("ansible-vault");
    let out = Command::new(bin)
        .args(["encrypt_string", "--vault-password-file"])
        .arg(password_file)
        .args(["--name", name, secret])
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .expect("ansible-vault runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_vaulted_variable_is_rendered_decrypted_and_kept_out_of_the_output() {
    const SECRET: &str = "zk-digest-7Hq2";
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_tree(&storm(), &site);
    let password = tmp.path().join("vault-pass");
    std::fs::write(&password, "correct horse battery staple\n").unwrap();
    let vaulted = encrypt_string(&password, "zk_digest", SECRET);
    assert!(vaulted.contains("!vault") && !vaulted.contains(SECRET));
    std::fs::write(site.join("inventory/group_vars/all.yml"), vaulted).unwrap();
    let spec = tmp.path().join("zk.yaml");
    std::fs::write(
        &spec,
        "supervisord:\n  logfile: /var/log/supervisord.log\nprograms:\n  zookeeper:\n    command: /opt/zookeeper/bin/zkServer.sh start-foreground\n    environment:\n      ZK_DIGEST: \"{{ zk_digest }}\"\n",
    )
    .unwrap();
    // The task renders secrets: `diff: false`, so `--diff` shows nothing.
    let play = std::fs::read_to_string(site.join("playbook.yml"))
        .unwrap()
        .replacen(
            "      register: conf\n",
            "      diff: false\n      register: conf\n",
            1,
        );
    assert!(play.contains("diff: false\n      register: conf"), "{play}");
    std::fs::write(site.join("playbook.yml"), play).unwrap();
    let out = tmp.path().join("module");
    std::fs::create_dir(&out).unwrap();
    let pass = format!("--vault-password-file={}", password.display());
    let (ok, log) = playbook_in(&site, tmp.path(), &out, &spec, &[&pass, "--diff", "-v"]);
    assert!(ok, "{log}");
    for host in HOSTS {
        let conf = std::fs::read_to_string(out.join(format!("{host}.conf"))).unwrap();
        assert!(
            conf.contains(&format!("environment=ZK_DIGEST=\"{SECRET}\"")),
            "{host}: {conf}"
        );
    }
    assert!(
        !log.contains(SECRET),
        "the secret is in the play's output:\n{log}"
    );

    // supc alone has no vault password: the same inventory is refused,
    // by name, and nothing is written.
    let cli = tmp.path().join("cli");
    let rendered = Command::new(env!("CARGO_BIN_EXE_supc"))
        .current_dir(&site)
        .args(["render", "--portable"])
        .arg(&spec)
        .args(["-i", "inventory/hosts.ini", "--all-hosts", "--out-dir"])
        .arg(&cli)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&rendered.stderr);
    assert_eq!(rendered.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Ansible Vault encrypted data is not supported"),
        "{err}"
    );
    assert!(!cli.exists());
}
