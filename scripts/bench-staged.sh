#!/usr/bin/env bash
# The pre-commit check on a small change: `securescan scan --staged` in a scratch repository with
# three staged files (a Python module with a hardcoded key and a shell=True call, a Dockerfile, a
# README), semgrep left out as the hook leaves it without local rules. Two PATHs: the real bandit
# and git only (bandit, secrets and dockerfile run: the typical hook run), then with checkov added
# (it reads the staged Dockerfile). Prints each run's wall time and the median of each. Compare
# only within one run: these machines are noisy.
#
# Usage: scripts/bench-staged.sh [runs=5]
#   SECURESCAN_BIN overrides the binary; bandit and checkov are looked up on PATH (source
#   scripts/setup.sh first).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
bin="${SECURESCAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/securescan}"
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
for tool in git bandit checkov; do
    command -v "$tool" >/dev/null || { echo "$tool is not on PATH (source scripts/setup.sh)" >&2; exit 2; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo" "$work/bin" "$work/bin-checkov"
git -C "$repo" init -q -b main
key="AKIA$(printf 'Q7RM%.0s' 1 2 3 4)"
printf 'import subprocess\n\nAWS_ACCESS_KEY_ID = "%s"\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n' "$key" >"$repo/app.py"
printf 'FROM python:3.12-slim\nCOPY . /app\nUSER root\nCMD ["python", "/app/app.py"]\n' >"$repo/Dockerfile"
printf '# demo\n' >"$repo/README.md"
git -C "$repo" add app.py Dockerfile README.md
ln -s "$(command -v git)" "$work/bin/git"
ln -s "$(command -v bandit)" "$work/bin/bandit"
cp -P "$work/bin/git" "$work/bin/bandit" "$work/bin-checkov/"
ln -s "$(command -v checkov)" "$work/bin-checkov/checkov"

# time_runs LABEL PATH: `runs` timed runs (after one untimed run that compiles the adapters into
# the cache and probes the tools' versions, as a first commit after installing would), then the
# median.
time_runs() {
    local label="$1" path="$2" times=() start end i
    (cd "$repo" && env PATH="$path" "$bin" scan --staged -o json >/dev/null 2>"$work/err") || true
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s.%N)
        (cd "$repo" && env PATH="$path" "$bin" scan --staged -o json >"$work/out" 2>"$work/err") || true
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
        printf '%s run %d: %.3f s\n' "$label" "$((i + 1))" "${times[-1]}"
    done
    printf '%s: median %.3f s over %d runs; scanners that ran: %s\n' "$label" \
        "$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
        "$runs" \
        "$(python3 -c 'import json,sys; print(", ".join(sorted({f["scanner"] for f in json.load(open(sys.argv[1]))})))' "$work/out")"
}

time_runs "typical (bandit, secrets, dockerfile)" "$work/bin"
time_runs "with checkov" "$work/bin-checkov"
