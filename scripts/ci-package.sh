#!/usr/bin/env bash
# CI step: the crate packages cleanly with the locked dependencies, and the
# packaged crate (what crates.io would serve) builds on its own. `cargo
# package` unpacks the .crate into target/package/ and builds it there,
# reusing the dev-profile dependencies the test suite compiled.
#
# Run from .ci/run after the tests:  bash scripts/ci-package.sh
# Needs a clean git checkout (CI's); pass --allow-dirty to try local changes.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
start=$SECONDS
cargo package --locked "$@"
crate=target/package/supc-$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1).crate
printf 'ci-package: %s (%s bytes) packaged and built in %d s\n' \
    "$crate" "$(wc -c <"$crate")" "$((SECONDS - start))" >&2
