#!/usr/bin/env bash
# The full test suite on a fresh machine: prepare the Python side (a venv
# under .venv-oracle with supervisor 4.3.0 and tests/requirements/*.txt, see
# setup-oracle.sh), then run every cargo test target.  Works from any
# directory.
#
# Tests that drive a browser or an editor need Debian's chromium and neovim
# (`apt-get install chromium neovim`; .ci/run installs them).  They run when
# the tool is present; otherwise each prints a SKIPPED line, and this script
# says up front which tools are missing.
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

# tests/conformance.rs finds the oracle through this variable; setting it
# from the script's output also honours SUPC_ORACLE_VENV.
SUPC_ORACLE_PYTHON=$(bash scripts/setup-oracle.sh)
export SUPC_ORACLE_PYTHON

missing=()
command -v chromium >/dev/null 2>&1 || missing+=("chromium (web interface tests)")
command -v nvim >/dev/null 2>&1 || missing+=("nvim (Neovim LSP client test)")
if ((${#missing[@]})); then
    printf 'test.sh: these tests will be SKIPPED, tool not installed: %s\n' "${missing[@]}" >&2
fi

cargo test --all-targets
