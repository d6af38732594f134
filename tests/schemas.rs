//! The JSON Schemas in `schemas/`: each is what `supc schema NAME` prints
//! (a stale one fails), and real outputs validate against them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn supc(args: &[&str], cwd: &Path) -> Vec<u8> {
    Command::new(env!("CARGO_BIN_EXE_supc"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", "/nonexistent")
        .output()
        .expect("supc runs")
        .stdout
}

fn schema(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(format!("schemas/{name}.schema.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_schemas_are_current() {
    for name in ["check", "diff", "explain", "expand", "supc-yaml"] {
        let committed = std::fs::read(root().join(format!("schemas/{name}.schema.json"))).unwrap();
        assert_eq!(
            committed,
            supc(&["schema", name], &root()),
            "schemas/{name}.schema.json is stale: regenerate with `supc schema {name}`"
        );
    }
}

fn validate(schema: &serde_json::Value, doc: &serde_json::Value, what: &str) {
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(3)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

#[test]
fn expand_output_follows_its_schema_on_every_fixture() {
    let schema = schema("expand");
    let fixtures = root().join("fixtures/conformance");
    let mut dirs: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let mut checked = 0;
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        let out = supc(
            &[
                "expand",
                "--portable",
                "--format",
                "json",
                "supervisord.conf",
            ],
            dir,
        );
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        validate(&schema, &doc, &dir.display().to_string());
        checked += 1;
    }
    assert!(checked > 200);
}

#[test]
fn explain_output_follows_its_schema() {
    let dir = root().join("fixtures/examples/webapp");
    let out = supc(
        &[
            "explain",
            "--portable",
            "--format",
            "json",
            "supervisord.conf",
        ],
        &dir,
    );
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc.as_array().map(Vec::len), Some(7));
    validate(&schema("explain"), &doc, "explain");
}
