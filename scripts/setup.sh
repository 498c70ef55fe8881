#!/usr/bin/env bash
# Everything SecureScan needs on a fresh machine, idempotently: the wasm target, the scanner tools
# (semgrep, bandit, pip-licenses; checkov and safety in virtualenvs of their own; nmap and npm from
# Debian when missing), the securescan binary, and the adapter components (checked against the
# pins in registry.toml). Sourced by demo.sh and test.sh; prints where things are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="${SECURESCAN_TOOLS_VENV:-$HOME/.cache/securescan/tools-venv}"
SEMGREP_VERSION="1.182.0"
BANDIT_VERSION="1.9.4"
PIP_LICENSES_VERSION="5.5.5"
# checkov pins dependencies that clash with semgrep's, so it gets a virtualenv of its own.
CHECKOV_VENV="${SECURESCAN_CHECKOV_VENV:-$HOME/.cache/securescan/checkov-venv}"
CHECKOV_VERSION="3.3.30"
# safety 3 needs an account and the network; 1.x runs offline against the public advisory
# database published on PyPI (safety-db), which the tests point it at.
SAFETY_VENV="${SECURESCAN_SAFETY_VENV:-$HOME/.cache/securescan/safety-venv}"
SAFETY_VERSION="1.10.3"
SAFETY_DB_VERSION="2021.7.17"

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
if [ "$(installed semgrep)" != "$SEMGREP_VERSION" ] || [ "$(installed bandit)" != "$BANDIT_VERSION" ] \
    || [ "$(installed pip-licenses)" != "$PIP_LICENSES_VERSION" ]; then
    say "installing semgrep $SEMGREP_VERSION, bandit $BANDIT_VERSION and pip-licenses $PIP_LICENSES_VERSION"
    "$TOOLS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "semgrep==$SEMGREP_VERSION" "bandit==$BANDIT_VERSION" "pip-licenses==$PIP_LICENSES_VERSION"
fi
if [ ! -x "$CHECKOV_VENV/bin/python" ]; then
    say "creating the checkov virtualenv at $CHECKOV_VENV"
    python3 -m venv "$CHECKOV_VENV"
fi
if [ "$("$CHECKOV_VENV/bin/python" -m pip show checkov 2>/dev/null | sed -n 's/^Version: //p')" != "$CHECKOV_VERSION" ]; then
    say "installing checkov $CHECKOV_VERSION"
    "$CHECKOV_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
if [ ! -x "$SAFETY_VENV/bin/python" ]; then
    say "creating the safety virtualenv at $SAFETY_VENV"
    python3 -m venv "$SAFETY_VENV"
fi
if [ "$("$SAFETY_VENV/bin/python" -m pip show safety 2>/dev/null | sed -n 's/^Version: //p')" != "$SAFETY_VERSION" ] \
    || [ "$("$SAFETY_VENV/bin/python" -m pip show safety-db 2>/dev/null | sed -n 's/^Version: //p')" != "$SAFETY_DB_VERSION" ]; then
    say "installing safety $SAFETY_VERSION with safety-db $SAFETY_DB_VERSION"
    "$SAFETY_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "safety==$SAFETY_VERSION" "safety-db==$SAFETY_DB_VERSION"
fi
# (Located without importing it: the package's __init__ opens a path relative to the cwd.)
SECURESCAN_TEST_SAFETY_DB="$("$SAFETY_VENV/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("safety_db").origin))')"
export SECURESCAN_TEST_SAFETY_DB
# Only the checkov and safety commands go on PATH, not their virtualenvs' other tools.
mkdir -p "$TOOLS_VENV/extra-bin"
ln -sf "$CHECKOV_VENV/bin/checkov" "$TOOLS_VENV/extra-bin/checkov"
ln -sf "$SAFETY_VENV/bin/safety" "$TOOLS_VENV/extra-bin/safety"
export PATH="$TOOLS_VENV/bin:$TOOLS_VENV/extra-bin:$PATH"

# nmap (Debian's package) for the network scanner; only ever pointed at 127.0.0.1 by the tests.
if ! command -v nmap >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        say "installing nmap"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nmap >/dev/null
    else
        say "nmap is not installed (apt-get install nmap); the network scanner will be skipped"
    fi
fi
# poppler (pdftotext, pdfinfo) so the tests can read the PDF report back.
if ! command -v pdftotext >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing poppler-utils"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
# npm for npm-audit (Node.js images ship it; Debian's package otherwise).
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing npm"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

# The standards' own validators for the output formats the tests check: Microsoft's SARIF
# multitool (npm), and CycloneDX's and SPDX's Python tools, in a virtualenv of their own.
NODE_TOOLS="${SECURESCAN_NODE_TOOLS:-$HOME/.cache/securescan/node-tools}"
SARIF_MULTITOOL_VERSION="5.7.0"
if [ "$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$NODE_TOOLS/node_modules/@microsoft/sarif-multitool/package.json" 2>/dev/null)" != "$SARIF_MULTITOOL_VERSION" ]; then
    say "installing @microsoft/sarif-multitool $SARIF_MULTITOOL_VERSION"
    mkdir -p "$NODE_TOOLS"
    npm install --prefix "$NODE_TOOLS" --no-audit --no-fund --silent "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION"
fi
# The package's Linux binary ships without its execute bit.
chmod u+x "$NODE_TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
export SECURESCAN_TEST_SARIF_MULTITOOL="$NODE_TOOLS/node_modules/.bin/sarif-multitool"
VALIDATORS_VENV="${SECURESCAN_VALIDATORS_VENV:-$HOME/.cache/securescan/validators-venv}"
CYCLONEDX_LIB_VERSION="11.12.0"
SPDX_TOOLS_VERSION="0.8.5"
if [ ! -x "$VALIDATORS_VENV/bin/python" ]; then
    say "creating the validators virtualenv at $VALIDATORS_VENV"
    python3 -m venv "$VALIDATORS_VENV"
fi
if [ "$("$VALIDATORS_VENV/bin/python" -m pip show cyclonedx-python-lib 2>/dev/null | sed -n 's/^Version: //p')" != "$CYCLONEDX_LIB_VERSION" ] \
    || [ "$("$VALIDATORS_VENV/bin/python" -m pip show spdx-tools 2>/dev/null | sed -n 's/^Version: //p')" != "$SPDX_TOOLS_VERSION" ]; then
    say "installing cyclonedx-python-lib $CYCLONEDX_LIB_VERSION and spdx-tools $SPDX_TOOLS_VERSION"
    "$VALIDATORS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "cyclonedx-python-lib[json-validation]==$CYCLONEDX_LIB_VERSION" "spdx-tools==$SPDX_TOOLS_VERSION"
fi
export SECURESCAN_TEST_VALIDATORS_PYTHON="$VALIDATORS_VENV/bin/python"

say "building securescan"
cargo build --release --locked -p securescan

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
SECURESCAN="$TARGET_DIR/release/securescan"

say "building the adapters and checking their pins"
"$SECURESCAN" adapter build
export SECURESCAN_BIN="$SECURESCAN"
