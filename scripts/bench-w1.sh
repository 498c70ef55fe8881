#!/usr/bin/env bash
# Workload W1 (issue 4): 1,000 files and 20,000 semgrep results through the stand-in `semgrep`
# that ../shared/bench/gen_workload.py writes, scanned with
# `securescan scan <target> --type code --output json` by this project and, in the same run and
# under the same conditions, by the Python original (securescan 0.11.12 from PyPI, installed in a
# scratch virtualenv): the stand-in semgrep, git and cat alone on PATH for both, CI=true for the
# original, the JSON landing in a file: ours writes stdout (W1's command; `--output-file` would add
# the fsync that makes its atomic replace durable), the original `--output-file`, its fastest way
# (its stdout goes through a terminal renderer, several times slower). Prints each run's wall
# time and peak RSS, the medians, and the ratios between the two. Compare only within one run: these machines are noisy, and a figure from another day or
# another PATH is no baseline.
#
# Usage: scripts/bench-w1.sh [runs=5] [original-runs=1]
#   SECURESCAN_BIN overrides our binary; SECURESCAN_ORIGINAL_VENV where the original is installed
#   (default ~/.cache/securescan/original-venv; created on first use: needs PyPI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
original_runs="${2:-1}"
bin="${SECURESCAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/securescan}"
generator="$ROOT/../shared/bench/gen_workload.py"
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
[[ -f "$generator" ]] || { echo "no workload generator at $generator" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
source "$ROOT/scripts/original.sh"
venv="$ORIGINAL_VENV"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$generator" "$work/w1" 20000 >/dev/null
# Only the stand-in semgrep on PATH (bandit absent, so skipped; git for the built-ins).
mkdir -p "$work/bin" "$work/home"
ln -s "$work/w1/bin/semgrep" "$work/bin/semgrep"
ln -s "$(command -v git)" "$work/bin/git"
ln -s "$(command -v cat)" "$work/bin/cat"  # the stand-in is `exec cat report.json`

# One run of ours first, not counted: after a build the adapters are compiled into the cache on
# first use (about a second and 50 MB more), which is start-up work, not W1.
env PATH="$work/bin" SECURESCAN_DB_PATH="$work/scans.db" \
    "$bin" scan "$work/w1/target" --type code --output json --no-save >/dev/null 2>"$work/err" \
    || { cat "$work/err" >&2; exit 1; }

# measure NAME OUT EXPECTED CMD...: one timed run, its output in OUT holding EXPECTED semgrep
# findings; prints and records wall and RSS.
measure() {
    local name="$1" out="$2" expected="$3"
    shift 3
    /usr/bin/time -o "$work/time" -f '%e %M' "$@" >"$work/stdout" 2>"$work/err" \
        || { echo "$name failed:" >&2; cat "$work/err" >&2; exit 1; }
    local semgrep
    semgrep=$(grep -c '"scanner": "semgrep"' "$out" || true)
    if [[ "$semgrep" != "$expected" ]]; then
        echo "$name: $semgrep semgrep findings, expected $expected" >&2
        cat "$work/err" >&2
        exit 1
    fi
    read -r wall kb <"$work/time"
    printf '%-9s %6.2f s  %4d MB\n' "$name" "$wall" "$((kb / 1024))"
    echo "$name $wall $kb" >>"$work/results"
}

for run in $(seq "$runs"); do
    measure ours "$work/stdout" 20000 env PATH="$work/bin" SECURESCAN_DB_PATH="$work/scans.db" \
        "$bin" scan "$work/w1/target" --type code --output json --no-save
done
# The original saves every scan in ~/.securescan: a scratch HOME keeps the user's store out of it;
# it also leaves a securescan.db in its working directory, so it runs in the scratch directory.
cd "$work"
# Its dedup keys on file + line + title, so two of W1's results (one rule twice on one line) are
# one finding there.
for run in $(seq "$original_runs"); do
    measure original "$work/original.json" 19999 env PATH="$work/bin" HOME="$work/home" CI=true \
        "$venv/bin/python" "$venv/bin/securescan" scan "$work/w1/target" --type code \
        --output json --output-file "$work/original.json"
done

python3 - "$work/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, wall, kb = line.split()
    runs.setdefault(name, []).append((float(wall), int(kb) / 1024))
med = {name: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r))
       for name, r in runs.items()}
(ow, om), (pw, pm) = med["ours"], med["original"]
print(f"median ours:     {ow:.2f} s, {om:.0f} MB peak RSS ({len(runs['ours'])} runs)")
print(f"median original: {pw:.2f} s, {pm:.0f} MB peak RSS ({len(runs['original'])} runs)")
print(f"ours vs the original, same run: {pw / ow:.1f}x faster "
      f"(target 30x: {'met' if pw / ow >= 30 else 'NOT met'}), {pm / om:.1f}x less memory "
      f"(target 60 MB: {'met' if om <= 60 else 'NOT met'})")
PY
