#!/usr/bin/env bash
# The full test suite on a fresh machine: prepare the supervisor oracle
# (a venv under .venv-oracle, see setup-oracle.sh), then run every cargo
# test target.  Works from any directory.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# tests/conformance.rs finds the oracle through this variable; setting it
# from the script's output also honours SUPC_ORACLE_VENV.
SUPC_ORACLE_PYTHON=$(bash scripts/setup-oracle.sh)
export SUPC_ORACLE_PYTHON

cargo test --all-targets
