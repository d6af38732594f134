//! Inventories as Ansible reads them: every case under
//! `fixtures/fleet/inventories/` (and the Storm cluster) is read by supc
//! and by the real `ansible-inventory --list` (ansible-core from the test
//! venv: `scripts/setup-oracle.sh`, or `SUPC_ORACLE_PYTHON`), and every
//! host's variables and every group's hosts and children must agree.
//!
//! A case directory holds a `sources` file with one `-i` path per line
//! (relative to the case).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use supc::yaml::inventory::Inventory;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's `bin/` (ansible-inventory, ansible).
fn venv_bin() -> PathBuf {
    let python = std::env::var_os("SUPC_ORACLE_PYTHON")
        .map_or_else(|| repo().join(".venv-oracle/bin/python"), PathBuf::from);
    let bin = python.parent().expect("python is in a bin/").to_path_buf();
    assert!(
        bin.join("ansible-inventory").exists(),
        "no ansible-inventory next to {}; run scripts/setup-oracle.sh (tests/requirements/fleet.txt pins ansible-core) or set SUPC_ORACLE_PYTHON",
        python.display()
    );
    bin
}

fn cases() -> Vec<PathBuf> {
    let dir = repo().join("fixtures/fleet/inventories");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    cases.push(repo().join("fixtures/fleet/storm"));
    cases
}

fn sources(case: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(case.join("sources"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

/// `ansible-inventory --list` of a case.
fn ansible_list(case: &Path) -> Value {
    serde_json::from_slice(&ansible_inventory(case).stdout).unwrap()
}

fn ansible_inventory(case: &Path) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("ansible.cfg");
    std::fs::write(&cfg, "[defaults]\n").unwrap();
    let mut cmd = Command::new(venv_bin().join("ansible-inventory"));
    cmd.arg("--list").current_dir(case);
    for s in sources(case) {
        cmd.arg("-i").arg(s);
    }
    let out = cmd
        .env("ANSIBLE_HOME", home.path())
        .env("ANSIBLE_CONFIG", &cfg)
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .output()
        .expect("ansible-inventory runs");
    assert!(
        out.status.success(),
        "ansible-inventory failed on {}: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What Ansible skips (or overrides: a key given twice) with a warning,
/// supc skips with the same warning at the entry's position, and reads
/// the rest as Ansible does (the variables are compared with every case
/// above).
#[test]
fn skipped_entries_warn_as_ansible_warns() {
    let case = repo().join("fixtures/fleet/inventories/yaml-warnings");
    let stderr = String::from_utf8(ansible_inventory(&case).stderr).unwrap();
    let theirs: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("[WARNING]: "))
        .filter(|l| l.starts_with("Skipping") || l.starts_with("Found duplicate"))
        .collect();
    let inv = Inventory::load(&sources(&case), &case).unwrap();
    let ours: Vec<String> = inv
        .warnings
        .iter()
        .map(|w| format!("{}:{} {}", w.line, w.column, w.message))
        .collect();
    assert_eq!(ours.len(), theirs.len(), "{ours:?}\n{theirs:?}");
    for (o, t) in inv.warnings.iter().zip(&theirs) {
        // Ansible prints where the duplicate is before "Using last…".
        let first = o.message.split_inclusive(". ").next().unwrap().trim_end();
        assert!(t.starts_with(first), "{} / {t}", o.message);
    }
    assert_eq!(
        ours.iter()
            .map(|w| w.split(' ').next().unwrap())
            .collect::<Vec<_>>(),
        ["13:11", "19:22", "22:11", "8:7", "14:7", "15:7", "26:1"]
    );
}

fn names(v: Option<&Value>) -> Vec<String> {
    let mut n: Vec<String> = v
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    n.sort();
    n
}

#[test]
fn every_host_has_ansibles_variables_and_groups() {
    for case in cases() {
        let label = case.file_name().unwrap().to_string_lossy().into_owned();
        let want = ansible_list(&case);
        let inv =
            Inventory::load(&sources(&case), &case).unwrap_or_else(|e| panic!("{label}: {e}"));
        let hostvars = want["_meta"]["hostvars"].as_object().unwrap();
        let mut ours: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
        ours.sort();
        let mut theirs: Vec<&str> = hostvars.keys().map(String::as_str).collect();
        theirs.sort();
        assert_eq!(ours, theirs, "{label}: hosts");
        for (h, host) in inv.hosts.iter().enumerate() {
            let got = Value::Object(inv.host_vars(h));
            assert_eq!(
                got, hostvars[&host.name],
                "{label}: variables of {}",
                host.name
            );
        }
        for (g, group) in inv.groups.iter().enumerate() {
            let entry = want.get(&group.name);
            let direct: Vec<String> = {
                let mut d: Vec<String> = group
                    .hosts
                    .iter()
                    .map(|&h| inv.hosts[h].name.clone())
                    .collect();
                d.sort();
                d
            };
            let children: Vec<String> = {
                let mut c: Vec<String> = group
                    .children
                    .iter()
                    .map(|&c| inv.groups[c].name.clone())
                    .collect();
                c.sort();
                c
            };
            let Some(entry) = entry else {
                assert!(
                    direct.is_empty() && children.is_empty(),
                    "{label}: group {} (g{g}) is not in ansible's list",
                    group.name
                );
                continue;
            };
            // `--list` shows the hosts listed under `all` in `ungrouped` only.
            if group.name != "all" {
                assert_eq!(
                    direct,
                    names(entry.get("hosts")),
                    "{label}: hosts of group {}",
                    group.name
                );
            }
            assert_eq!(
                children,
                names(entry.get("children")),
                "{label}: children of group {}",
                group.name
            );
        }
    }
}

/// Each host's fully templated variables as Ansible evaluates them in a
/// play (`ansible all -m debug -a var=hostvars[inventory_hostname]`).
fn ansible_templated(case: &Path) -> serde_json::Map<String, Value> {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("ansible.cfg");
    std::fs::write(&cfg, "[defaults]\n").unwrap();
    let mut cmd = Command::new(venv_bin().join("ansible"));
    cmd.arg("all").current_dir(case);
    for s in sources(case) {
        cmd.arg("-i").arg(s);
    }
    let out = cmd
        .args([
            "-o",
            "-m",
            "ansible.builtin.debug",
            "-a",
            "var=hostvars[inventory_hostname]",
        ])
        .env("ANSIBLE_HOME", home.path())
        .env("ANSIBLE_CONFIG", &cfg)
        .output()
        .expect("ansible runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ansible failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.split_once(" | SUCCESS => "))
        .map(|(host, json)| {
            let v: Value = serde_json::from_str(json).unwrap();
            (host.to_string(), v["hostvars[inventory_hostname]"].clone())
        })
        .collect()
}

fn sorted_lists(v: &Value) -> Value {
    let mut m = v.as_object().unwrap().clone();
    for list in m.values_mut() {
        let mut items = list.as_array().unwrap().clone();
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        *list = Value::Array(items);
    }
    Value::Object(m)
}

#[test]
fn templated_variables_and_magic_vars_match_a_play() {
    use supc::yaml::scope::{Context, Fleet};
    for case in cases() {
        let label = case.file_name().unwrap().to_string_lossy().into_owned();
        let want = ansible_templated(&case);
        let fleet =
            std::sync::Arc::new(Fleet::new(Inventory::load(&sources(&case), &case).unwrap()));
        assert_eq!(want.len(), fleet.inventory.hosts.len(), "{label}: hosts");
        for host in &fleet.inventory.hosts {
            let theirs = &want[&host.name];
            let cx = Context::new(Some(fleet.clone()), Some(&host.name), Default::default());
            let mut names = cx.names();
            names.extend(
                [
                    "inventory_hostname",
                    "inventory_hostname_short",
                    "group_names",
                ]
                .map(String::from),
            );
            for name in names {
                let ours = cx.get(&name).unwrap();
                let ours = supc::yaml::filters::json_of(&ours)
                    .unwrap_or_else(|e| panic!("{label}: {} {name}: {e}", host.name));
                assert_eq!(ours, theirs[&name], "{label}: {} `{name}`", host.name);
            }
            // Group order below the first level is a set's order in
            // Ansible, so `groups` is compared list by list, sorted.
            let groups = supc::yaml::filters::json_of(&cx.get("groups").unwrap()).unwrap();
            assert_eq!(
                sorted_lists(&groups),
                sorted_lists(&theirs["groups"]),
                "{label}: groups"
            );
        }
    }
}
