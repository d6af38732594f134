#!/bin/sh
# Prepare the Python side of supc's tests: a virtualenv that holds
# supervisor 4.3.0 (tests/oracle/supervisor_dump.py drives it) and the
# packages listed in tests/requirements/*.txt (one file per test area:
# superlance, pytest-lsp, ansible-core, ...).  The requirement files are
# installed again whenever their content changes.
#
#   scripts/setup-oracle.sh            -> venv in <repo>/.venv-oracle
#   SUPC_ORACLE_VENV=DIR scripts/setup-oracle.sh
#   SUPC_ORACLE_BASE_PYTHON=python3.12 scripts/setup-oracle.sh
#
# stdout carries exactly one line, the absolute path of the venv's python,
# so callers can do PY=$(scripts/setup-oracle.sh).  Everything else goes to
# stderr.  A venv that already has the pinned version is reused untouched,
# so repeated runs need no network.
#
# Debian and Ubuntu ship the venv module without ensurepip unless the
# python3-venv package is installed.  In that case the venv is made without
# pip and the base interpreter's pip installs supervisor into the venv's
# site-packages with --target (which also keeps pip's "externally managed
# environment" guard out of the way: nothing outside the venv is touched).

set -eu

PIN_VERSION=4.3.0
REQUIREMENT="supervisor==$PIN_VERSION"

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd -P)
VENV=${SUPC_ORACLE_VENV:-$ROOT/.venv-oracle}
BASE_PYTHON=${SUPC_ORACLE_BASE_PYTHON:-python3}
VENV_PY=$VENV/bin/python

note() { printf 'setup-oracle: %s\n' "$*" >&2; }
die() { note "error: $*"; exit 1; }

# True when the venv's python imports the pinned supervisor.
venv_is_ready() {
    [ -x "$VENV_PY" ] || return 1
    "$VENV_PY" - "$PIN_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from supervisor.options import VERSION
sys.exit(VERSION != sys.argv[1])
PY
}

create_venv() {
    command -v "$BASE_PYTHON" >/dev/null 2>&1 ||
        die "$BASE_PYTHON not found (set SUPC_ORACLE_BASE_PYTHON)"
    note "creating virtualenv $VENV"
    if "$BASE_PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
        return 0
    fi
    # A failed "python3 -m venv" (no ensurepip) leaves a half-made directory.
    note "'$BASE_PYTHON -m venv' failed (python3-venv missing?); creating it without pip"
    rm -rf -- "$VENV"
    "$BASE_PYTHON" -m venv --without-pip "$VENV" >&2 ||
        die "cannot create a virtualenv with $BASE_PYTHON"
}

install_pin() {
    if "$VENV_PY" -m pip --version >/dev/null 2>&1; then
        note "installing $REQUIREMENT with the venv's pip"
        "$VENV_PY" -m pip install --quiet --no-input \
            --disable-pip-version-check "$REQUIREMENT" >&2
        return
    fi
    "$BASE_PYTHON" -m pip --version >/dev/null 2>&1 ||
        die "neither the venv nor $BASE_PYTHON has pip; install python3-pip or python3-venv"
    site=$("$VENV_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    note "installing $REQUIREMENT into $site with $BASE_PYTHON -m pip --target"
    # --upgrade lets --target replace a different supervisor already there;
    # supervisor has no dependencies.
    "$BASE_PYTHON" -m pip install --quiet --no-input \
        --disable-pip-version-check --no-deps --upgrade \
        --target "$site" "$REQUIREMENT" >&2
}

if venv_is_ready; then
    note "$VENV already provides $REQUIREMENT"
else
    [ -x "$VENV_PY" ] || create_venv
    install_pin
    venv_is_ready || die "$VENV_PY still cannot import $REQUIREMENT"
fi

# The other test areas' packages, reinstalled when the lists change.
REQ_DIR=$ROOT/tests/requirements
STAMP=$VENV/.supc-requirements
if [ -d "$REQ_DIR" ] && ls "$REQ_DIR"/*.txt >/dev/null 2>&1; then
    want=$(cat "$REQ_DIR"/*.txt | "$BASE_PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
    have=$(cat "$STAMP" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
        for req in "$REQ_DIR"/*.txt; do
            if "$VENV_PY" -m pip --version >/dev/null 2>&1; then
                note "installing $(basename "$req") with the venv's pip"
                "$VENV_PY" -m pip install --quiet --no-input \
                    --disable-pip-version-check -r "$req" >&2
            else
                site=$("$VENV_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
                note "installing $(basename "$req") into $site with --target"
                "$BASE_PYTHON" -m pip install --quiet --no-input \
                    --disable-pip-version-check --upgrade \
                    --target "$site" -r "$req" >&2
            fi
        done
        printf '%s\n' "$want" >"$STAMP"
    fi
fi

# Absolute path, without resolving the python symlink (a venv's python must
# be run through its own bin/ to see its site-packages).
printf '%s/bin/python\n' "$(cd -- "$VENV" && pwd -P)"
