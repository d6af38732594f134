#!/usr/bin/env bash
# Wall time of `supc render --all-hosts` for one spec and an N-host Ansible
# inventory (default 10,000 hosts: web, worker and ops hosts in equal parts,
# the spec of fixtures/yaml/). A benchmark, not a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$N" "$work/inventory.yml" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
groups = {"web": [], "workers": [], "ops": []}
for i in range(n):
    kind = ("web", "workers", "ops")[i % 3]
    groups[kind].append(i)
with open(path, "w") as f:
    f.write("all:\n  vars:\n    app_env: production\n    web_port: 8000\n  children:\n")
    f.write("    web:\n      hosts:\n")
    for i in groups["web"]:
        f.write(f"        web{i}:\n          web_port: {8000 + i % 1000}\n")
    f.write("    workers:\n      vars:\n        queue: default\n        worker_procs: 2\n      hosts:\n")
    for i in groups["workers"]:
        f.write(f"        worker{i}:\n          worker_procs: {1 + i % 16}\n")
    f.write("    ops:\n      hosts:\n")
    for i in groups["ops"]:
        f.write(f"        ops{i}:\n          extra_programs:\n            metrics:\n              command: /usr/bin/node_exporter --web.listen-address=:{9100 + i % 100}\n")
PY
start=$(date +%s.%N)
./target/release/supc render --portable fixtures/yaml/supc.yaml \
    --inventory "$work/inventory.yml" --all-hosts --out-dir "$work/out" 2>"$work/stderr" \
    || { cat "$work/stderr"; exit 1; }
end=$(date +%s.%N)
files=$(find "$work/out" -name '*.conf' | wc -l)
printf 'rendered and checked %d hosts (%d files) in %.2f s\n' "$N" "$files" "$(echo "$end - $start" | bc)"
