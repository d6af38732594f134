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

#[test]
fn supc_yaml_schema_accepts_ini_text_and_names_its_options() {
    let schema = schema("supc-yaml");
    let yaml = |text: &str| -> serde_json::Value { serde_yaml::from_str(text).unwrap() };
    let ok = yaml(
        r#"
supervisord:
  ini: {environment: 'NODE="%%(host_node_name)s"'}
programs:
  clock:
    ini:
      command: date +%s
      environment: A="x,y","F"=1
  web:
    command: /bin/web
    environment: {ini: "a variable named ini"}
rpcinterfaces:
  supervisor:
    supervisor.rpcinterface_factory: supervisor.rpcinterface:make_main_rpcinterface
    ini: {retries: "100%"}
  other:
    supervisor.rpcinterface_factory: x:y
    ini: an argument named ini
"#,
    );
    validate(&schema, &ok, "ini text");
    let validator = jsonschema::validator_for(&schema).unwrap();
    for bad in [
        "programs: {web: {ini: {comand: x}}}",
        "programs: {web: {ini: {command: [x]}}}",
        "programs: {web: {ini: date}}",
    ] {
        assert!(!validator.is_valid(&yaml(bad)), "{bad} validates");
    }
}
