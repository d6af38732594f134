//! Every rule over the shared real-world corpus (`../shared/corpus/cases`,
//! portable mode, with `corpus.env`), when it is present: the number of
//! findings per rule is snapshotted, so a rule change that adds or loses
//! findings on real configs shows up in review. Each finding was read by
//! hand when its rule was written; a false positive is a bug.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use supc::host::Host;
use supc::lint::{LintContext, Settings, lint, registry};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cases");
    dir.is_dir().then_some(dir)
}

fn corpus_env(root: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        ("HOME".to_string(), "/nonexistent".to_string()),
        (
            "PATH".to_string(),
            "/usr/local/bin:/usr/bin:/bin".to_string(),
        ),
    ];
    let text = std::fs::read_to_string(root.join("corpus.env")).unwrap_or_default();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            env.push((k.to_string(), v.to_string()));
        }
    }
    env
}

#[test]
fn per_rule_counts_on_the_real_corpus() {
    let Some(root) = corpus() else {
        eprintln!("note: ../shared/corpus/cases is absent; corpus lint counts skipped");
        return;
    };
    let env = corpus_env(&root);
    let mut counts: BTreeMap<String, (usize, usize)> = registry::RULES
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.meta().code, r.meta().code.name()),
                (0, 0),
            )
        })
        .collect();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let mut configs = 0;
    for dir in dirs.iter().filter(|d| d.join("supervisord.conf").exists()) {
        configs += 1;
        let host = Host {
            env: env.clone(),
            node_name: "testhost".into(),
            cwd: dir.to_string_lossy().into_owned(),
            portable: true,
            overlay: Default::default(),
        };
        let (loaded, resolution) = supc::analyze("supervisord.conf", &host, false);
        let cx = LintContext::new(&loaded, &resolution, &host);
        let mut seen_in_case = std::collections::BTreeSet::new();
        for d in lint(&cx, &Settings::default()) {
            let meta = registry::rule_of(d.code).expect("lint codes are registered");
            let key = format!("{} {}", meta.code, meta.code.name());
            let entry = counts.get_mut(&key).expect("registered");
            entry.0 += 1;
            if seen_in_case.insert(key) {
                entry.1 += 1;
            }
        }
    }
    let mut table = format!("{configs} configs\nrule: findings (configs)\n");
    for (rule, (n, cases)) in &counts {
        table.push_str(&format!("{rule}: {n} ({cases})\n"));
    }
    insta::assert_snapshot!("corpus_rule_counts", table);
}
