#!/usr/bin/env bash
# Real repositories, real tools (issue 13, item 10): side by side in one run, the Python original
# (securescan 0.11.12, installed into a scratch virtualenv), this build (and, with
# SECURESCAN_BIN_BEFORE, another build of it), and each tool alone, on
#   - django: django-debug-toolbar 4.4.6 from PyPI (real Django code), `--type code`
#     (semgrep with local rules, bandit, secrets, git-hygiene);
#   - terraform: a Terraform tree of several modules built from the shared corpus's AWS
#     configurations, `--type iac` (checkov, the Dockerfile analyzer).
# Every run gets the same tools on PATH, the same local semgrep rules (a .securescan.yml in the
# target, read by both), semgrep's network checks off (SEMGREP_ENABLE_VERSION_CHECK=0,
# SEMGREP_SEND_METRICS=off), checkov's mapping download off (BC_SKIP_MAPPING=TRUE) and CI=true.
# Prints the median wall of each, and the ratios ours/original and ours/slowest tool alone
# (targets: <= 1.0 and <= 1.05). Ours runs with its tool-version cache warm (one uncounted run
# first, as a user's second scan); the cold first scan is printed too.
#
# Usage: scripts/bench-real.sh [runs=3]
#   (after `source scripts/setup.sh`, which puts the tools on PATH and builds the binary;
#    SECURESCAN_BIN overrides the binary, SECURESCAN_ORIGINAL_VENV the original's virtualenv)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
bin="${SECURESCAN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/securescan}"
before="${SECURESCAN_BIN_BEFORE:-}"
corpus="${SECURESCAN_CORPUS:-$ROOT/../shared/corpus}"
rules="$ROOT/rules/semgrep-python.yml"

say() { printf '==> %s\n' "$*" >&2; }
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
[[ -z "$before" || -x "$before" ]] || { echo "no binary at SECURESCAN_BIN_BEFORE=$before" >&2; exit 2; }
for tool in semgrep bandit checkov; do
    command -v "$tool" >/dev/null || { echo "$tool is not on PATH: source scripts/setup.sh first" >&2; exit 2; }
done
[[ -d "$corpus/inputs/targets" ]] || { echo "no corpus at $corpus (set SECURESCAN_CORPUS)" >&2; exit 2; }

# The original, once: its CLI is `securescan scan TARGET --type T --output json --no-ai`.
source "$ROOT/scripts/original.sh"
original="$ORIGINAL_VENV/bin/securescan"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="${XDG_CACHE_HOME:-$HOME/.cache}/securescan/bench-real"
mkdir -p "$cache"

# Real Django code, from PyPI (kept in the cache between runs).
if [[ ! -f "$cache/django_debug_toolbar-4.4.6.tar.gz" ]]; then
    say "downloading django-debug-toolbar 4.4.6"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --no-binary django-debug-toolbar -d "$cache" django-debug-toolbar==4.4.6
fi
mkdir -p "$work/django"
tar xzf "$cache/django_debug_toolbar-4.4.6.tar.gz" -C "$work/django" --strip-components=1

# A Terraform tree: the corpus's AWS configurations as the modules of one root, with the
# Dockerfile and Kubernetes manifest of its IaC target beside them.
tf="$work/terraform"
mkdir -p "$tf/modules"
cp -r "$corpus/inputs/targets/iac/." "$tf/"
for module in network storage compute database; do
    mkdir -p "$tf/modules/$module"
    cp "$corpus/inputs/targets/iac-many/main.tf" "$tf/modules/$module/main.tf"
done
cp "$corpus/inputs/targets/iac-tf-clean/vars.tf" "$tf/variables.tf"
for target in "$work/django" "$tf"; do
    printf 'semgrep_rules:\n  - %s\n' "$rules" >"$target/.securescan.yml"
done

# The compiled-adapter cache stays where it is when a run gets a cold tool-version cache.
export SECURESCAN_CACHE_DIR="${SECURESCAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/securescan/adapters}"
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off BC_SKIP_MAPPING=TRUE CI=true
export SECURESCAN_DB_PATH="$work/ours.db" SECURESCAN_DATABASE_PATH="$work/original.db"

# wall COMMAND...: run it, print its wall seconds; its output goes to $work/out, $work/err.
wall() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$work/out" 2>"$work/err" || true
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}

# median RUNS COMMAND...
median() {
    local n="$1" walls=()
    shift
    for _ in $(seq "$n"); do walls+=("$(wall "$@")"); done
    python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "${walls[@]}"
}

# One run of each first, not counted: page cache, compiled adapters, tool versions.
bench() {
    local name="$1" type="$2" target="$3"
    shift 3
    local tools=("$@")
    local ours_cold orig ours prior="" alone=() slowest=0
    wall "$bin" scan "$target" --type "$type" --output json >/dev/null
    # As warm as the others but for the tool versions: the cost of a first scan after an install.
    # (Not a fresh XDG_CACHE_HOME: semgrep keeps its own cache there.)
    rm -f "${XDG_CACHE_HOME:-$HOME/.cache}/securescan/tool-versions.json"
    ours_cold=$(wall "$bin" scan "$target" --type "$type" --output json)
    ours=$(median "$runs" "$bin" scan "$target" --type "$type" --output json)
    grep -q '"scanner"' "$work/out" || { say "ours found nothing on $name:"; cat "$work/err" >&2; }
    if [[ -n "$before" ]]; then
        wall "$before" scan "$target" --type "$type" --output json >/dev/null
        prior=$(median "$runs" "$before" scan "$target" --type "$type" --output json)
    fi
    wall "$original" scan "$target" --type "$type" --output json --no-ai >/dev/null
    orig=$(median "$runs" "$original" scan "$target" --type "$type" --output json --no-ai)
    local t together=0
    for tool in "${tools[@]}"; do
        wall tool_argv "$tool" "$target" >/dev/null
        t=$(median "$runs" tool_argv "$tool" "$target")
        alone+=("$tool $t s")
        slowest=$(python3 -c "print(max($slowest, $t))")
    done
    # With several tools, also all of them at once, as a scan runs them: on a 2-core machine two
    # CPU-bound tools share the cores, so this, not the slowest alone, is what a scan can reach.
    if [[ "${#tools[@]}" -gt 1 ]]; then
        together=$(median "$runs" tools_at_once "$target" "${tools[@]}")
    fi
    printf '%-10s ours %5.2f s (cold tool-version cache %5.2f s)%s  original %5.2f s  alone: %s%s\n' \
        "$name" "$ours" "$ours_cold" "${prior:+  before $prior s}" "$orig" "$(IFS=,; echo "${alone[*]}")" \
        "$([[ "$together" != 0 ]] && echo "  all tools at once $together s")"
    python3 - "$ours" "$orig" "$slowest" "$together" "$prior" <<'PY'
import sys
ours, orig, slowest, together = map(float, sys.argv[1:5])
prior = sys.argv[5]
line = f"           ours/original {ours / orig:.2f} ({'met' if ours <= orig else 'NOT met'}: <= 1.0)  " \
       f"ours/slowest tool {ours / slowest:.2f} ({'met' if ours <= 1.05 * slowest else 'NOT met'}: <= 1.05)"
if together:
    line += f"  ours/tools at once {ours / together:.2f}"
if prior:
    line += f"  before/original {float(prior) / orig:.2f}  before/slowest tool {float(prior) / slowest:.2f}"
print(line)
PY
}

# tool_argv TOOL TARGET: run TOOL on TARGET as the registry invokes it (local semgrep rules).
tool_argv() {
    case "$1" in
        semgrep) semgrep scan --json --metrics=off --disable-version-check "--config=$rules" "$2" ;;
        bandit) bandit -r "$2" -f json --quiet ;;
        checkov) checkov -d "$2" -o json --quiet --compact --skip-download ;;
    esac
}

# tools_at_once TARGET TOOL...: every tool at once, done when the last one is.
tools_at_once() {
    local target="$1" pids=() tool
    shift
    for tool in "$@"; do
        tool_argv "$tool" "$target" >/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}"
}

say "median of $runs runs each; tools: $(semgrep --version 2>/dev/null | head -1) semgrep, $(bandit --version 2>/dev/null | head -1), checkov $(checkov --version 2>/dev/null)"
bench django code "$work/django" semgrep bandit
bench terraform iac "$tf" checkov
