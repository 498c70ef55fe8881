#!/usr/bin/env bash
# Workload W1 (issue 4): 1,000 files and 20,000 semgrep results through the stand-in `semgrep`
# that ../shared/bench/gen_workload.py writes, scanned with
# `securescan scan <target> --type code --output json`. Prints wall time and peak RSS of each
# run, their medians, and the ratios to the Python original on this machine (27.4 s, 244 MB)
# and to the targets (0.9 s, 80 MB). Compare within one run: these machines are noisy.
#
# Usage: scripts/bench-w1.sh [runs=5]   (SECURESCAN_BIN overrides the binary)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
bin="${SECURESCAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/securescan}"
generator="$ROOT/../shared/bench/gen_workload.py"
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
[[ -f "$generator" ]] || { echo "no workload generator at $generator" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$generator" "$work/w1" 20000 >/dev/null
# Only the stand-in semgrep on PATH (bandit absent, so skipped; git for the built-ins).
mkdir -p "$work/bin"
ln -s "$work/w1/bin/semgrep" "$work/bin/semgrep"
ln -s "$(command -v git)" "$work/bin/git"
ln -s "$(command -v cat)" "$work/bin/cat"  # the stand-in is `exec cat report.json`

# One run first, not counted: after a build the adapters are compiled into the cache on first
# use (about a second and 50 MB more), which is start-up work, not W1.
env PATH="$work/bin" SECURESCAN_DB_PATH="$work/scans.db" \
    "$bin" scan "$work/w1/target" --type code --output json --no-save >/dev/null 2>"$work/err" \
    || { cat "$work/err" >&2; exit 1; }

walls=() rss=()
for run in $(seq "$runs"); do
    /usr/bin/time -o "$work/time" -f '%e %M' env PATH="$work/bin" SECURESCAN_DB_PATH="$work/scans.db" \
        "$bin" scan "$work/w1/target" --type code --output json --no-save >"$work/out.json" 2>"$work/err" \
        || { cat "$work/err" >&2; exit 1; }
    read -r wall kb <"$work/time"
    semgrep=$(grep -c '"scanner": "semgrep"' "$work/out.json" || true)
    if [[ "$semgrep" != 20000 ]]; then
        # A skipped scanner is silent off a terminal: say why semgrep did not run.
        echo "run $run: $semgrep semgrep findings, expected 20000" >&2
        cat "$work/err" >&2
        env PATH="$work/bin" "$bin" status 2>&1 | grep -E '^(SCANNER|semgrep)' >&2
        exit 1
    fi
    printf 'run %d: %5.2f s  %4d MB\n' "$run" "$wall" "$((kb / 1024))"
    walls+=("$wall") rss+=("$kb")
done
python3 - "${walls[*]}" "${rss[*]}" <<'PY'
import statistics, sys
wall = statistics.median(float(w) for w in sys.argv[1].split())
mb = statistics.median(int(k) for k in sys.argv[2].split()) / 1024
print(f"median: {wall:.2f} s, {mb:.0f} MB peak RSS")
print(f"vs the Python original (27.4 s, 244 MB): {27.4 / wall:.1f}x faster, {244 / mb:.1f}x less memory")
print(f"vs the target (0.9 s, 80 MB): time {wall / 0.9:.2f} of it ({'met' if wall <= 0.9 else 'NOT met'}), "
      f"memory {mb / 80:.2f} of it ({'met' if mb <= 80 else 'NOT met'})")
PY
