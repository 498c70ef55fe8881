#!/usr/bin/env bash
# Everything SecureScan needs on a fresh machine, idempotently: the wasm target, the scanner tools
# (semgrep, bandit) in a virtualenv, the securescan binary, and the adapter components (checked
# against the pins in registry.toml). Sourced by demo.sh and test.sh; prints where things are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="${SECURESCAN_TOOLS_VENV:-$HOME/.cache/securescan/tools-venv}"
SEMGREP_VERSION="1.182.0"
BANDIT_VERSION="1.9.4"

say() { printf '==> %s\n' "$*" >&2; }

cd "$ROOT"
# rust-toolchain.toml pins the toolchain; this makes sure it and its wasm target are installed.
rustup show active-toolchain >/dev/null
rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2

if [ ! -x "$TOOLS_VENV/bin/python" ]; then
    say "creating the scanner-tools virtualenv at $TOOLS_VENV"
    python3 -m venv "$TOOLS_VENV"
fi
installed() { "$TOOLS_VENV/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
if [ "$(installed semgrep)" != "$SEMGREP_VERSION" ] || [ "$(installed bandit)" != "$BANDIT_VERSION" ]; then
    say "installing semgrep $SEMGREP_VERSION and bandit $BANDIT_VERSION"
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "semgrep==$SEMGREP_VERSION" "bandit==$BANDIT_VERSION"
fi
export PATH="$TOOLS_VENV/bin:$PATH"

say "building securescan"
cargo build --release --locked -p securescan

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
SECURESCAN="$TARGET_DIR/release/securescan"

say "building the adapters and checking their pins"
"$SECURESCAN" adapter build
export SECURESCAN_BIN="$SECURESCAN"
