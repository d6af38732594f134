#!/usr/bin/env bash
# Regenerates docs/rules/*.md from the rule registry (what `supc rule NAME`
# prints). tests/rule_docs.rs fails when a page is stale or missing.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
cargo build -q
rm -f docs/rules/*.md
mkdir -p docs/rules
for name in $(./target/debug/supc rules --format json | python3 -c 'import json, sys; [print(r["name"]) for r in json.load(sys.stdin)["rules"]]'); do
    ./target/debug/supc rule "$name" > "docs/rules/$name.md"
done
