#!/usr/bin/env bash
# Issue 18's server benchmark: `securescan serve` beside the Python original's `securescan serve`
# (securescan 0.11.12 from PyPI, in a scratch virtualenv), in one run, on this machine, over the
# same stored 20,000-finding scan (../shared/bench/gen_workload.py's W1 workload). Both servers
# listen on 127.0.0.1 (free ports), each with its own store in a temporary directory, without
# authentication (dev mode: no SECURESCAN_API_KEY), with their default logging (to files), and
# are stopped on exit.
#
# 1. The scan gets into each store the way each gets it:
#    ours: POST /api/v1/scans of the generated tree (the stand-in semgrep, git and cat alone on
#      the server's PATH, as bench-w1.sh), polled until completed;
#    the original: its own scanner and DB layer in its venv's python (SemgrepScanner over the same
#      stand-in, then dedup, compliance tags, fingerprints, save_findings and save_scan, in
#      _run_scan's order: its POST queues the same steps).
#    Insert time, measured the same way on both sides, in a new store file each run: the calls
#    that write a finished scan's findings and mark it completed, and nothing else. Ours:
#    `ScanStore::complete_scan` (one transaction: the scan row updated, every finding inserted),
#    through host/server/examples/store_insert.rs, with the findings the server stored. The
#    original: `database.save_findings` (one executemany, committed) then `database.save_scan`.
# 2. GET /api/v1/scans/{id}/findings, one keep-alive connection, p50/p95 over N requests each
#    (after one request not counted): the first page (limit=50), a deep page
#    (offset=19950&limit=50) and the full listing. The original has no offset and caps limit at
#    10,000, so a client reaches the last rows only through its full listing: its deep page IS
#    its full listing (the same figures, said so in the output). Each of its findings requests
#    reads and validates every finding of the scan (seconds each), hence its own, smaller N.
# 3. GET /health and GET /api/v1/scans/{id} under wrk (2 threads, 32 connections; wrk and the
#    server share this machine's cores): requests/s, and the server's resident memory (VmRSS
#    sampled through the load, its peak; VmHWM at the end covers the whole run).
# Prints every figure side by side, the ratios, and the issue's targets (first and deep page p50
# <= 10 ms; read endpoints >= 10x the original's requests/s; resident memory under load below the
# original's). Compare only within one run: these machines are shared and noisy (the load
# average is printed at the start and the end).
#
# Usage: scripts/bench-server.sh [page-requests=100] [full-requests=10] [original-requests=10]
#                                [wrk-seconds=10]
#   page-requests: ours, per page; full-requests: ours, full listing; original-requests: the
#   original, per findings request.
#   SECURESCAN_BIN overrides our binary, SECURESCAN_STORE_INSERT the store_insert example
#   (default: both under $CARGO_TARGET_DIR/release; build them with
#   `cargo build --release -p securescan && cargo build --release -p securescan-server --example store_insert`);
#   SECURESCAN_ORIGINAL_VENV where the original is installed (created on first use: needs PyPI).
#   Needs wrk (Debian package `wrk`: installed here when missing and run as root), curl, python3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
page_requests="${1:-100}"
full_requests="${2:-10}"
original_requests="${3:-10}"
wrk_seconds="${4:-10}"
target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
bin="${SECURESCAN_BIN:-$target_dir/release/securescan}"
insert="${SECURESCAN_STORE_INSERT:-$target_dir/release/examples/store_insert}"
generator="$ROOT/../shared/bench/gen_workload.py"
findings=20000
[[ -x "$bin" ]] || { echo "no securescan binary at $bin (run scripts/setup.sh)" >&2; exit 2; }
[[ -x "$insert" ]] || {
    echo "no store_insert example at $insert (cargo build --release -p securescan-server --example store_insert)" >&2
    exit 2
}
[[ -f "$generator" ]] || { echo "no workload generator at $generator" >&2; exit 2; }
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 2; }
done
if ! command -v wrk >/dev/null; then
    if [[ "$(id -u)" == 0 ]]; then
        echo "==> installing wrk (apt-get install wrk)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
            || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
    else
        echo "wrk is needed: sudo apt-get install wrk" >&2
        exit 2
    fi
fi
source "$ROOT/scripts/original.sh"
venv="$ORIGINAL_VENV"

work="$(mktemp -d)"
servers=()
stop() {
    local pid
    for pid in "${servers[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap stop EXIT
results="$work/results"
record() { echo "$*" >>"$results"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, load average $(load) at the start"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_up NAME PORT PID LOG: until GET /health answers.
wait_up() {
    local name="$1" port="$2" pid="$3" log="$4"
    for _ in $(seq 300); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || { echo "$name server exited:" >&2; cat "$log" >&2; exit 1; }
        sleep 0.2
    done
    echo "$name server did not answer on port $port within 60 s:" >&2
    cat "$log" >&2
    exit 1
}

echo "==> workload: $findings semgrep results over 1,000 files" >&2
python3 "$generator" "$work/w" "$findings" >/dev/null
mkdir -p "$work/bin" "$work/home"
ln -s "$work/w/bin/semgrep" "$work/bin/semgrep"
ln -s "$(command -v git)" "$work/bin/git"
ln -s "$(command -v cat)" "$work/bin/cat"

# --- ours: the scan through the API --------------------------------------------------------
ours_port="$(free_port)"
env -u SECURESCAN_API_KEY PATH="$work/bin" SECURESCAN_DB_PATH="$work/ours.db" SECURESCAN_ALLOWED_ROOTS="$work/w" \
    "$bin" serve --host 127.0.0.1 --port "$ours_port" \
    >"$work/ours.log" 2>&1 &
ours_pid=$!
servers+=("$ours_pid")
wait_up ours "$ours_port" "$ours_pid" "$work/ours.log"
ours="http://127.0.0.1:$ours_port"
echo "==> ours: POST /api/v1/scans of the workload tree" >&2
scan_started=$(date +%s.%N)
ours_id=$(curl -sf -X POST "$ours/api/v1/scans" -H 'content-type: application/json' \
    -d "{\"target_path\": \"$work/w/target\", \"scan_types\": [\"code\"]}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1200); do
    status=$(curl -sf "$ours/api/v1/scans/$ours_id" |
        python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["status"], s["findings_count"])')
    [[ "$status" == pending* || "$status" == running* ]] || break
    sleep 0.5
done
scan_ended=$(date +%s.%N)
read -r state ours_count <<<"$status"
[[ "$state" == completed ]] || { echo "our scan ended $state:" >&2; cat "$work/ours.log" >&2; exit 1; }
(( ours_count >= findings )) || { echo "our scan stored $ours_count findings, expected $findings or more" >&2; exit 1; }
record ours_scan_seconds "$(python3 -c "print(f'{$scan_ended - $scan_started:.2f}')")"
record ours_findings "$ours_count"

# --- the original: its scanner and DB layer ------------------------------------------------
# A scratch HOME and XDG config: its start-up reads the user's env file from there.
original_env=(env -u SECURESCAN_API_KEY HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" CI=true
    SECURESCAN_DATABASE_PATH="$work/original.db")
echo "==> original: scanner, save_findings and save_scan through its own DB layer" >&2
"${original_env[@]}" PATH="$work/bin:$venv/bin" "$venv/bin/python" - "$work/w/target" \
    "$work/original.db" "$work/original-2.db" "$work/original-3.db" >"$work/original-insert" <<'PY'
import asyncio, sys, time
from datetime import datetime
from pathlib import Path

from securescan import database
from securescan.compliance import ComplianceMapper
from securescan.config import settings
from securescan.dedup import deduplicate_findings
from securescan.fingerprint import populate_fingerprints
from securescan.models import Scan, ScanStatus, ScanType
from securescan.scanners.semgrep import SemgrepScanner
from securescan.scoring import build_summary


async def main(target, stores):
    # _run_scan's steps up to the save, once: the findings are the same for every store.
    findings = await SemgrepScanner().scan(target, "bench")
    findings = deduplicate_findings(findings)
    compliance = Path(settings.compliance_data_dir)
    if compliance.exists():
        ComplianceMapper(compliance).tag_findings(findings)
    summary = build_summary(findings, ["semgrep"])
    populate_fingerprints(findings)
    for store in stores:
        database.set_db_path(store)
        await database.init_db()
        scan = Scan(target_path=target, scan_types=[ScanType.CODE],
                    status=ScanStatus.RUNNING, started_at=datetime.now())
        await database.save_scan(scan)
        rows = [f.model_copy(update={"scan_id": scan.id}) for f in findings]
        started = time.perf_counter()
        await database.save_findings(rows)
        scan.findings_count = summary.total_findings
        scan.risk_score = summary.risk_score
        scan.scanners_run = ["semgrep"]
        scan.status = ScanStatus.COMPLETED
        scan.completed_at = datetime.now()
        await database.save_scan(scan)
        elapsed = (time.perf_counter() - started) * 1000
        print(scan.id, len(rows), f"{elapsed:.1f}")


asyncio.run(main(sys.argv[1], sys.argv[2:]))
PY
read -r original_id original_count _ <"$work/original-insert"
(( original_count >= findings - 10 )) || { echo "the original saved $original_count findings" >&2; exit 1; }
record original_findings "$original_count"
while read -r _ _ ms; do record original_insert_ms "$ms"; done <"$work/original-insert"

echo "==> ours: complete_scan of the same findings into new stores" >&2
for run in 1 2 3; do
    read -r count ms < <("$insert" "$work/ours.db" "$ours_id" "$work/ours-insert-$run.db")
    [[ "$count" == "$ours_count" ]] || { echo "store_insert saved $count findings, not $ours_count" >&2; exit 1; }
    record ours_insert_ms "$ms"
done

original_port="$(free_port)"
"${original_env[@]}" "$venv/bin/python" "$venv/bin/securescan" serve --host 127.0.0.1 \
    --port "$original_port" >"$work/original.log" 2>&1 &
original_pid=$!
servers+=("$original_pid")
wait_up original "$original_port" "$original_pid" "$work/original.log"
original="http://127.0.0.1:$original_port"

# --- latency ------------------------------------------------------------------------------
# latency NAME PORT PATH REQUESTS: p50, p95 (ms), rows and bytes of the answer.
latency() {
    local name="$1" port="$2" path="$3" requests="$4"
    echo "==> $name: GET $path x $requests" >&2
    read -r p50 p95 rows bytes < <(python3 - "$port" "$path" "$requests" <<'PY'
import http.client, json, math, sys, time

port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)


def get():
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status} {body[:300]!r}")
    return body


body = get()  # not counted: first-use costs (page cache, pools)
times = []
for _ in range(n):
    started = time.perf_counter()
    get()
    times.append((time.perf_counter() - started) * 1000)
times.sort()
p50 = (times[(n - 1) // 2] + times[n // 2]) / 2
p95 = times[max(0, math.ceil(0.95 * n) - 1)]
print(f"{p50:.2f} {p95:.2f} {len(json.loads(body))} {len(body)}")
PY
    )
    record "${name}_p50" "$p50"
    record "${name}_p95" "$p95"
    record "${name}_rows" "$rows"
    record "${name}_bytes" "$bytes"
}
findings_path() { echo "/api/v1/scans/$1/findings$2"; }
latency ours_first "$ours_port" "$(findings_path "$ours_id" '?limit=50')" "$page_requests"
latency original_first "$original_port" "$(findings_path "$original_id" '?limit=50')" "$original_requests"
latency ours_deep "$ours_port" "$(findings_path "$ours_id" "?offset=$((findings - 50))&limit=50")" "$page_requests"
latency ours_full "$ours_port" "$(findings_path "$ours_id" '')" "$full_requests"
latency original_full "$original_port" "$(findings_path "$original_id" '')" "$original_requests"

# --- throughput and memory under load -----------------------------------------------------
# throughput NAME PID URL: wrk's requests/s, and the peak VmRSS sampled while it ran.
throughput() {
    local name="$1" pid="$2" url="$3"
    echo "==> $name: wrk -t2 -c32 -d${wrk_seconds}s $url" >&2
    wrk -t2 -c32 -d"${wrk_seconds}s" "$url" >"$work/wrk" 2>&1 &
    local wrk_pid=$! peak=0 rss
    while kill -0 "$wrk_pid" 2>/dev/null; do
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
        (( rss > peak )) && peak=$rss
        sleep 0.25
    done
    wait "$wrk_pid" || { cat "$work/wrk" >&2; exit 1; }
    grep -q 'Non-2xx' "$work/wrk" && { echo "$name: errors under load:" >&2; cat "$work/wrk" >&2; exit 1; }
    record "${name}_rps" "$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk")"
    record "${name}_rss_kb" "$peak"
}
throughput ours_health "$ours_pid" "$ours/health"
throughput original_health "$original_pid" "$original/health"
throughput ours_scan "$ours_pid" "$ours/api/v1/scans/$ours_id"
throughput original_scan "$original_pid" "$original/api/v1/scans/$original_id"
for side in ours original; do
    pid_var="${side}_pid"
    record "${side}_hwm_kb" "$(awk '/^VmHWM:/ {print $2}' "/proc/${!pid_var}/status")"
done
echo "machine: load average $(load) at the end"

python3 - "$results" "$findings" "$page_requests" "$full_requests" "$original_requests" \
    "$wrk_seconds" <<'PY'
import statistics, sys

values = {}
for line in open(sys.argv[1]):
    key, value = line.split()
    values.setdefault(key, []).append(float(value))
one = {k: v[0] for k, v in values.items()}
deep_offset = int(sys.argv[2]) - 50
print(f"\nstored scan: ours {one['ours_findings']:.0f} findings (POST /api/v1/scans, "
      f"{one['ours_scan_seconds']:.2f} s from POST to completed), "
      f"the original {one['original_findings']:.0f} (its dedup merges one pair)")


def row(label, ours, original, unit, better_when_lower=True, note=""):
    ratio = original / ours if better_when_lower else ours / original
    print(f"{label:<34} {ours:>10.2f} {original:>12.2f}  {unit:<5} {ratio:>8.1f}x{note}")
    return ratio


print(f"\n{'':<34} {'ours':>10} {'original':>12}  {'':<5} {'ratio':>9}")
ins_o = statistics.median(values["ours_insert_ms"])
ins_p = statistics.median(values["original_insert_ms"])
row("insert findings (median of 3)", ins_o, ins_p, "ms")
targets = []
r = row("findings first page p50", one["ours_first_p50"], one["original_first_p50"], "ms")
row("findings first page p95", one["ours_first_p95"], one["original_first_p95"], "ms")
targets.append(("first page p50 <= 10 ms", one["ours_first_p50"] <= 10, f"{one['ours_first_p50']:.2f} ms"))
row(f"findings deep page p50 (*)", one["ours_deep_p50"], one["original_full_p50"], "ms")
row(f"findings deep page p95 (*)", one["ours_deep_p95"], one["original_full_p95"], "ms")
targets.append(("deep page p50 <= 10 ms", one["ours_deep_p50"] <= 10, f"{one['ours_deep_p50']:.2f} ms"))
row("findings full listing p50", one["ours_full_p50"], one["original_full_p50"], "ms")
row("findings full listing p95", one["ours_full_p95"], one["original_full_p95"], "ms")
for name, label in (("health", "GET /health"), ("scan", "GET /api/v1/scans/{id}")):
    ratio = row(f"{label} requests/s", one[f"ours_{name}_rps"], one[f"original_{name}_rps"],
                "req/s", better_when_lower=False)
    targets.append((f"{label} >= 10x the original's requests/s", ratio >= 10, f"{ratio:.1f}x"))
    row(f"  VmRSS peak under that load", one[f"ours_{name}_rss_kb"] / 1024,
        one[f"original_{name}_rss_kb"] / 1024, "MB")
    below = one[f"ours_{name}_rss_kb"] < one[f"original_{name}_rss_kb"]
    targets.append((f"memory under {label} load below the original's", below,
                    f"{one[f'ours_{name}_rss_kb'] / 1024:.1f} vs {one[f'original_{name}_rss_kb'] / 1024:.1f} MB"))
row("VmHWM, whole run", one["ours_hwm_kb"] / 1024, one["original_hwm_kb"] / 1024, "MB")
print(f"\nrows / bytes per answer: first page {one['ours_first_rows']:.0f}/{one['ours_first_bytes']:.0f} "
      f"vs {one['original_first_rows']:.0f}/{one['original_first_bytes']:.0f}; deep page "
      f"{one['ours_deep_rows']:.0f}/{one['ours_deep_bytes']:.0f}; full listing "
      f"{one['ours_full_rows']:.0f}/{one['ours_full_bytes']:.0f} vs "
      f"{one['original_full_rows']:.0f}/{one['original_full_bytes']:.0f}")
print(f"(*) ours: offset={deep_offset}&limit=50. The original has no offset (and caps limit at "
      "10,000): the last rows come only with its full listing, so its deep page is its full listing.")
print(f"requests per latency figure: ours {sys.argv[3]} per page, {sys.argv[4]} full listings; "
      f"the original {sys.argv[5]} each. wrk: 2 threads, 32 connections, {sys.argv[6]} s.")
print("ratios: how many times faster, smaller or more requests/s ours is than the original.")
print("\ntargets (issue 18):")
for label, met, figure in targets:
    print(f"  {'met    ' if met else 'NOT met'}  {label}: {figure}")
PY
