#!/usr/bin/env bash
# Builds every artifact a supc release publishes, into target/dist/ (or $1):
#
#   supc-VERSION-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
#       glibc 2.17+ Linux (CentOS 7 and newer); maturin links it with zig
#       against glibc 2.17's symbols, and auditwheel confirms the tag
#   supc-VERSION-py3-none-musllinux_1_2_x86_64.whl
#       Alpine and other musl systems (the same static binary)
#   supc-VERSION.tar.gz                       the sdist (`pip install` from source)
#   supc-VERSION-x86_64-unknown-linux-musl.tar.gz
#       the fully static binary, with shell completions, man pages, README
#       and licenses, for machines without Python
#   supc-VERSION.crate                        what `cargo publish` uploads
#   SHA256SUMS
#   pre-commit-mirror/                        a hook repository that installs the wheel
#
# Needs cargo, the x86_64-unknown-linux-musl target (added with rustup when
# missing) and python3 with the venv module; maturin, ziglang and auditwheel
# are installed at pinned versions into target/release-venv. Prints how long
# each step took. Works from any directory. SUPC_RELEASE_ONLY="sdist crate"
# runs only the named steps (their function names below).
set -euo pipefail

MATURIN=maturin==1.16.0
ZIGLANG=ziglang==0.17.1
AUDITWHEEL=auditwheel==6.8.2
MUSL=x86_64-unknown-linux-musl

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
OUT=$(mkdir -p -- "${1:-target/dist}" && cd -- "${1:-target/dist}" && pwd)
VENV=$ROOT/target/release-venv
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

note() { printf 'build-release: %s\n' "$*" >&2; }

# Runs "$@" and reports its wall time under the label $1. With
# SUPC_RELEASE_ONLY="fn ...", only those steps' functions run.
step() {
    local label=$1 start=$SECONDS
    shift
    if [ -n "${SUPC_RELEASE_ONLY:-}" ] && [[ " $SUPC_RELEASE_ONLY " != *" $1 "* ]]; then
        return 0
    fi
    note "$label ..."
    "$@"
    note "$label: $((SECONDS - start)) s"
}

build_venv() {
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$MATURIN" "$ZIGLANG" "$AUDITWHEEL"
}

manylinux_wheel() {
    "$VENV/bin/maturin" build --release --locked --zig \
        --compatibility manylinux2014 --target x86_64-unknown-linux-gnu --out "$OUT"
    local wheel
    wheel=$(ls -t "$OUT"/supc-"$VERSION"-*manylinux*x86_64.whl | head -n 1)
    # auditwheel reads the symbol versions the binary needs and names the
    # oldest manylinux policy it satisfies; a newer one fails the release.
    "$VENV/bin/auditwheel" show "$wheel" | tee "$OUT/auditwheel.txt" >&2
    grep -q 'manylinux_2_17_x86_64' "$OUT/auditwheel.txt" || {
        note "error: $wheel is not manylinux_2_17 (manylinux2014)"
        exit 1
    }
    rm -f -- "$OUT/auditwheel.txt"
}

# The musl build again, through maturin (same C compiler and linker as
# static_binary; maturin's cargo invocation still recompiles the crates).
musllinux_wheel() {
    musl_cc "$VENV/bin/maturin" build --release --locked \
        --compatibility musllinux_1_2 --target "$MUSL" --out "$OUT"
}

sdist() {
    "$VENV/bin/maturin" sdist --out "$OUT"
}

# Runs "$@" with zig as the C compiler for musl: it compiles the few
# C/assembly pieces (psm), so no musl-gcc is needed.
musl_cc() {
    CC_x86_64_unknown_linux_musl="$VENV/bin/python -m ziglang cc -target x86_64-linux-musl" "$@"
}

# The static binary: musl's libc is linked in, so it runs on any x86_64
# Linux kernel.
static_binary() {
    rustup target list --installed | grep -qx "$MUSL" || rustup target add "$MUSL"
    musl_cc cargo build --release --locked --target "$MUSL"
    local bin=$ROOT/target/$MUSL/release/supc
    is_static "$bin" || { note "error: $bin is not statically linked"; exit 1; }
    local name=supc-$VERSION-$MUSL stage
    stage=$(mktemp -d)
    mkdir -p "$stage/$name/completions" "$stage/$name/man"
    cp "$bin" README.md LICENSE-MIT LICENSE-APACHE "$stage/$name/"
    "$bin" completions bash >"$stage/$name/completions/supc.bash"
    "$bin" completions zsh >"$stage/$name/completions/_supc"
    "$bin" completions fish >"$stage/$name/completions/supc.fish"
    "$bin" completions powershell >"$stage/$name/completions/_supc.ps1"
    "$bin" completions elvish >"$stage/$name/completions/supc.elv"
    "$bin" man "$stage/$name/man"
    tar -C "$stage" -czf "$OUT/$name.tar.gz" "$name"
    rm -rf -- "$stage"
}

# pre-commit installs a hook repository with `pip install .`, which for this
# repository means compiling. The mirror's package only depends on the
# published wheel, so its hook installs in seconds without Rust (the way
# ruff-pre-commit mirrors ruff). Push it as supc-dev/supc-pre-commit.
precommit_mirror() {
    local dir=$OUT/pre-commit-mirror
    mkdir -p "$dir"
    cat >"$dir/pyproject.toml" <<EOF
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "supc-pre-commit"
version = "$VERSION"
description = "pre-commit hook for supc, installed from the supc wheel"
dependencies = ["supc==$VERSION"]

[tool.setuptools]
packages = []
EOF
    cat >"$dir/.pre-commit-hooks.yaml" <<'EOF'
- id: supc-check
  name: supc check
  description: Check supervisord configs the way supervisord 4.3.0 reads them, plus lint rules.
  entry: supc check --portable --force-exclude
  language: python
  files: \.(conf|ini)$
  types: [text]
EOF
}

# True when the ELF file $1 asks for no program interpreter and no shared
# library (pyelftools comes with auditwheel).
is_static() {
    "$VENV/bin/python" - "$1" <<'PY'
import sys
from elftools.elf.elffile import ELFFile

with open(sys.argv[1], "rb") as f:
    elf = ELFFile(f)
    interp = any(seg.header.p_type == "PT_INTERP" for seg in elf.iter_segments())
    dynamic = elf.get_section_by_name(".dynamic")
    needed = [t for t in dynamic.iter_tags() if t.entry.d_tag == "DT_NEEDED"] if dynamic else []
sys.exit(1 if interp or needed else 0)
PY
}

crate() {
    cargo package --locked
    cp "$ROOT/target/package/supc-$VERSION.crate" "$OUT/"
}

step "build venv ($MATURIN $ZIGLANG $AUDITWHEEL)" build_venv
# maturin looks for zig as `python3 -m ziglang` on PATH.
export PATH=$VENV/bin:$PATH
step "manylinux2014 wheel" manylinux_wheel
step "static musl binary" static_binary
step "musllinux wheel" musllinux_wheel
step "sdist" sdist
step "crate" crate
step "pre-commit mirror" precommit_mirror
(cd "$OUT" && sha256sum -- *"$VERSION"*.* >SHA256SUMS)
note "artifacts in $OUT:"
ls -l "$OUT" >&2
