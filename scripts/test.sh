#!/usr/bin/env bash
# Set up (idempotently), then run every check CI runs: formatting, lints (host and wasm targets),
# and the whole test suite, including the real scanner tools and the hostile-adapter sandbox tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

say "building the hostile test adapter"
CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS="--remap-path-prefix=$ROOT=/securescan" \
    cargo build --locked --profile adapter --target wasm32-wasip2 -p securescan-hostile-adapter

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (host and adapters, native and wasm32-wasip2)"
cargo clippy --release --locked --workspace --all-targets -- -D warnings
# Every adapter crate under plugins/, the SDK and the hostile test adapter.
wasm_packages=(-p securescan-adapter-sdk -p securescan-hostile-adapter)
for manifest in plugins/*/Cargo.toml; do
    wasm_packages+=(-p "$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n 1)")
done
cargo clippy --release --locked --target wasm32-wasip2 "${wasm_packages[@]}" -- -D warnings

say "cargo test"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --release --locked --workspace --exclude securescan-hostile-adapter 2>&1 | tee "$log"

say "dashboard: API types current, browser tests (Playwright, Debian's chromium, a real securescan serve)"
(cd frontend && npm run --silent api:check && npm run --silent size)
e2e_report="$(mktemp)"
trap 'rm -f "$log" "$e2e_report"' EXIT
e2e_status=0
(cd frontend && E2E_REPORT="$e2e_report" SECURESCAN_BIN="$SECURESCAN_BIN" npx playwright test) || e2e_status=$?
read -r e2e_passed e2e_failed < <(python3 - "$e2e_report" <<'PY'
import json, sys
try:
    stats = json.load(open(sys.argv[1]))["stats"]
    print(stats["expected"] + stats["flaky"], stats["unexpected"])
except (OSError, ValueError, KeyError):
    print(0, 1)  # no report: the browser tests did not run, which is a failure
PY
)
echo "e2e: $e2e_passed passed, $e2e_failed failed"
# One closing line for the whole run (cargo prints one per test binary, the last often a doc-test
# binary with nothing in it), the browser tests included.
awk -v e2e_passed="$e2e_passed" -v e2e_failed="$e2e_failed" \
    '/^test result:/ { passed += $4; failed += $6 } END { printf "all tests: %d passed, %d failed\n", passed + e2e_passed, failed + e2e_failed }' "$log"
[ "$e2e_status" = 0 ] && [ "$e2e_failed" = 0 ]
