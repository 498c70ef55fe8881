#!/usr/bin/env bash
# The dashboard at scale (issue 16): a stored scan of 20,000 findings (workload W1: the stand-in
# semgrep that ../shared/bench/gen_workload.py writes), served by a real `securescan serve`, opened
# in Debian's chromium. Prints, per run and as medians: the time from navigation to the first
# finding row on Scan detail (the first meaningful paint of that page), and to the next page of
# findings after a click. A measurement, not a timed test: these machines are noisy.
#
# Usage: scripts/bench-dashboard.sh [runs=5]   (SECURESCAN_BIN overrides the binary)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
bin="${SECURESCAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/securescan}"
generator="$ROOT/../shared/bench/gen_workload.py"
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
[[ -f "$generator" ]] || { echo "no workload generator at $generator" >&2; exit 2; }
[[ -d "$ROOT/frontend/node_modules/@playwright/test" ]] || { echo "run scripts/setup.sh first (frontend packages)" >&2; exit 2; }

work="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
python3 "$generator" "$work/w1" 20000 >/dev/null
mkdir -p "$work/bin"
ln -s "$work/w1/bin/semgrep" "$work/bin/semgrep"
ln -s "$(command -v git)" "$work/bin/git"
ln -s "$(command -v cat)" "$work/bin/cat"
# The scan is saved in the store the server then reads (dev mode: no key needed).
env PATH="$work/bin" SECURESCAN_DB_PATH="$work/scans.db" \
    "$bin" scan "$work/w1/target" --type code --output json --output-file "$work/scan.json" 2>/dev/null || true
(cd "$work/w1/target" && env SECURESCAN_DB_PATH="$work/scans.db" SECURESCAN_LOG_LEVEL=warn \
    "$bin" serve --port 0 >"$work/serve.log" 2>&1) &
server=$!
for _ in $(seq 100); do
    grep -q 'serving http' "$work/serve.log" 2>/dev/null && break
    sleep 0.1
done
url="$(sed -n 's/.*serving \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -n 1)"
[[ -n "$url" ]] || { cat "$work/serve.log" >&2; exit 1; }
(cd "$ROOT/frontend" && node scripts/bench-scan-detail.mjs "${url%/}" "$runs")
