#!/usr/bin/env bash
# Wall time of `supc render --all-hosts` for one spec and an N-host Ansible
# inventory (default 10,000 hosts: web, worker and ops hosts in equal parts,
# the spec of fixtures/yaml/). A benchmark, not a timed test: it prints a
# summary ready to paste into the README (usage: bench-render-hosts.sh [N];
# RUNS=5 for more runs). Builds the release binary (fat LTO: minutes)
# unless SUPC_BIN names one.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
# SUPC_BIN=path/to/supc measures that binary instead of building one.
supc="${SUPC_BIN:-}"
if [ -z "$supc" ]; then
    cargo build --release --quiet
    supc=./target/release/supc
fi
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
# Best of RUNS (default 3) wall times; peak memory from GNU time when present.
runs="${RUNS:-3}"
best=""
rss="n/a"
for i in $(seq "$runs"); do
    rm -rf "$work/out"
    start=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$work/rss" "$supc" render --portable \
            fixtures/yaml/supc.yaml --inventory "$work/inventory.yml" --all-hosts \
            --out-dir "$work/out" 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
        rss="$(( $(tail -n1 "$work/rss") / 1024 )) MiB"
    else
        "$supc" render --portable fixtures/yaml/supc.yaml \
            --inventory "$work/inventory.yml" --all-hosts --out-dir "$work/out" \
            2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
    fi
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    echo "run $i: $t s" >&2
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
files=$(find "$work/out" -name '*.conf' | wc -l)
[ "$files" -eq "$N" ] || { echo "expected $N files, got $files" >&2; exit 1; }
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Ready to paste into the README's "Scale" item.
printf -- '- Scale (`scripts/bench-render-hosts.sh`, commit %s): %d hosts from a\n' "$commit" "$N"
printf '  %d-host inventory rendered and checked in %.2f s (best of %d runs;\n' "$files" "$best" "$runs"
printf '  %.0f µs per host; peak RSS %s) on %s cores (%s), load average %s.\n' \
    "$(echo "$best * 1000000 / $N" | bc -l)" "$rss" "$(nproc)" "${cpu:-unknown CPU}" "$load"
