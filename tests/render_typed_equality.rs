//! The typed equality `supc render` and `supc convert` check the model they
//! read back with (`diff::first_difference` and
//! `diff::supervisorctl_difference`) says "the same" exactly when the JSON
//! contract (`supc expand --format json`, the parse log aside) is the same,
//! on real configs: every conformance fixture and corpus config supervisord
//! accepts, compared with itself, with the next one, and with itself read
//! from another directory (which changes what depends on `%(here)s` and
//! nothing else), and with itself given one more process setting.

use std::path::{Path, PathBuf};
use supc::host::Host;
use supc::model::Config;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn host(cwd: &Path) -> Host {
    Host {
        env: vec![
            ("HOME".into(), "/nonexistent".into()),
            ("PATH".into(), "/usr/bin:/bin".into()),
        ],
        node_name: "testhost".into(),
        cwd: cwd.to_string_lossy().into_owned(),
        portable: true,
        overlay: Default::default(),
    }
}

/// The config of `dir/supervisord.conf`, if supervisord accepts it.
fn resolved(dir: &Path) -> Option<Config> {
    let path = dir.join("supervisord.conf");
    let (_, res) = supc::analyze(&path.to_string_lossy(), &host(dir), false);
    res.config
}

fn json(c: &Config) -> serde_json::Value {
    let mut v = supc::emit::json::config(c);
    let o = v.as_object_mut().expect("an object");
    o.remove("parse_warnings");
    o.remove("parse_infos");
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Whether the typed comparison and the JSON agree on `a` and `b`; the
/// count of pairs that differ.
fn agree(a: &Config, b: &Config, what: &str, differing: &mut usize) {
    let typed =
        supc::diff::first_difference(a, b).or_else(|| supc::diff::supervisorctl_difference(a, b));
    let same_json = json(a) == json(b);
    assert_eq!(
        typed.is_none(),
        same_json,
        "{what}: typed says {typed:?}, the JSON says {}",
        if same_json { "the same" } else { "different" }
    );
    if let Some(d) = typed {
        assert_ne!(d.old, d.new, "{what}: {d}");
        *differing += 1;
    }
}

/// Settings given to a config's first `[program:…]`, one at a time.
const CHANGES: [&str; 5] = [
    "stopsignal=USR2",
    "startsecs=7",
    "stdout_logfile_backups=3",
    "exitcodes=0,3",
    "environment=SUPC_CHANGED=1",
];

/// The config in `dir` with `line` added after its first `[program:…]`
/// header, copied to `to`; `None` when it has none.
fn changed(dir: &Path, to: &Path, line: &str) -> Option<()> {
    let text = std::fs::read_to_string(dir.join("supervisord.conf")).ok()?;
    let header = text.find("\n[program:")? + 1;
    let end = header + text[header..].find('\n')? + 1;
    copy_dir(dir, to);
    let new = format!("{}{line}\n{}", &text[..end], &text[end..]);
    std::fs::write(to.join("supervisord.conf"), new).unwrap();
    Some(())
}

/// Compares every accepted config under `base`; (configs, pairs that
/// differ).
fn check(base: &Path) -> (usize, usize) {
    let Ok(rd) = std::fs::read_dir(base) else {
        return (0, 0);
    };
    let mut dirs: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("supervisord.conf").is_file())
        .collect();
    dirs.sort();
    let (mut configs, mut differing) = (0, 0);
    let mut previous: Option<(String, Config)> = None;
    for dir in dirs {
        let label = dir.display().to_string();
        let Some(config) = resolved(&dir) else {
            continue;
        };
        configs += 1;
        agree(&config, &config, &label, &mut differing);
        let tmp = tempfile::tempdir().unwrap();
        let moved = tmp.path().join("elsewhere");
        copy_dir(&dir, &moved);
        if let Some(there) = resolved(&moved) {
            agree(&config, &there, &format!("{label} moved"), &mut differing);
        }
        for (i, line) in CHANGES.iter().enumerate() {
            let to = tmp.path().join(format!("changed{i}"));
            if changed(&dir, &to, line).is_some()
                && let Some(other) = resolved(&to)
            {
                agree(
                    &config,
                    &other,
                    &format!("{label} + {line}"),
                    &mut differing,
                );
            }
        }
        if let Some((prev, before)) = &previous {
            agree(
                before,
                &config,
                &format!("{prev} vs {label}"),
                &mut differing,
            );
        }
        previous = Some((label, config));
    }
    (configs, differing)
}

#[test]
fn typed_equality_is_the_json_equality_on_fixtures() {
    let (configs, differing) = check(&root().join("fixtures/conformance"));
    assert!(configs > 100, "too few fixtures: {configs}");
    assert!(
        differing > configs / 2,
        "too few differing pairs: {differing}"
    );
}

#[test]
fn typed_equality_is_the_json_equality_on_the_corpus() {
    let base = root().join("../shared/corpus/cases");
    if !base.is_dir() {
        eprintln!(
            "SKIPPED the corpus comparison: needs the shared corpus at {}",
            base.display()
        );
        return;
    }
    let (configs, differing) = check(&base);
    eprintln!("corpus: {configs} configs, {differing} differing pairs, all agreeing");
    assert!(configs > 100, "too few corpus configs: {configs}");
}
