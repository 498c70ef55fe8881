#!/usr/bin/env bash
# Everything SecureScan needs on a fresh machine, idempotently: the wasm target, the scanner tools
# (semgrep, bandit) in a virtualenv, the securescan binary, and the adapter components (checked
# against the pins in registry.toml). Sourced by demo.sh and test.sh; prints where things are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="${SECURESCAN_TOOLS_VENV:-$HOME/.cache/securescan/tools-venv}"
SEMGREP_VERSION="1.182.0"
BANDIT_VERSION="1.9.4"
# checkov pins dependencies that clash with semgrep's, so it gets a virtualenv of its own.
CHECKOV_VENV="${SECURESCAN_CHECKOV_VENV:-$HOME/.cache/securescan/checkov-venv}"
CHECKOV_VERSION="3.3.30"

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
if [ ! -x "$CHECKOV_VENV/bin/python" ]; then
    say "creating the checkov virtualenv at $CHECKOV_VENV"
    python3 -m venv "$CHECKOV_VENV"
fi
if [ "$("$CHECKOV_VENV/bin/python" -m pip show checkov 2>/dev/null | sed -n 's/^Version: //p')" != "$CHECKOV_VERSION" ]; then
    say "installing checkov $CHECKOV_VERSION"
    "$CHECKOV_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
# Only the checkov command itself goes on PATH, not its virtualenv's other tools.
mkdir -p "$TOOLS_VENV/extra-bin"
ln -sf "$CHECKOV_VENV/bin/checkov" "$TOOLS_VENV/extra-bin/checkov"
export PATH="$TOOLS_VENV/bin:$TOOLS_VENV/extra-bin:$PATH"

say "building securescan"
cargo build --release --locked -p securescan

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
SECURESCAN="$TARGET_DIR/release/securescan"

say "building the adapters and checking their pins"
"$SECURESCAN" adapter build
export SECURESCAN_BIN="$SECURESCAN"
