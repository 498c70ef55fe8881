#!/usr/bin/env bash
# Issue 15's live-progress and webhook benchmark. Figures, not a pass/fail test; compare only
# within one run (these machines are shared: the load average is printed at start and end).
#
# 1. host/server/examples/live_bench.rs, in process: events/s through the bus to N subscribers
#    of one scan, and webhook deliveries/s to a fast loopback receiver through the real
#    dispatcher (one webhook: in order, one at a time; then eight webhooks).
# 2. A real `securescan serve` on loopback: N SSE connections to a scan held pending (behind a
#    scan whose stand-in semgrep sleeps, with SECURESCAN_MAX_CONCURRENT_SCANS=1); the server's
#    resident memory before and with them connected (per idle connection), then the time from
#    cancelling the scan until every subscriber has read `scan.cancelled`.
#
# Usage: scripts/bench-live.sh [subscribers=1000] [events=2000] [deliveries=500]
#   SECURESCAN_BIN overrides our binary, SECURESCAN_LIVE_BENCH the example (default: both under
#   $CARGO_TARGET_DIR/release; build them with
#   `cargo build --release -p securescan && cargo build --release -p securescan-server --example live_bench`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$ROOT/target}"
bin="${SECURESCAN_BIN:-$target/release/securescan}"
example="${SECURESCAN_LIVE_BENCH:-$target/release/examples/live_bench}"
subscribers="${1:-1000}"
events="${2:-2000}"
deliveries="${3:-500}"
for file in "$bin" "$example"; do
    [ -x "$file" ] || { echo "missing $file: see the usage in $0" >&2; exit 2; }
done

work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$example" "$subscribers" "$events" "$deliveries"

# A stand-in semgrep: answers the version probe, sleeps through a scan.
mkdir -p "$work/bin" "$work/root/long" "$work/root/watched" "$work/home"
cat > "$work/bin/semgrep" <<'SHIM'
#!/bin/sh
case "$1" in --version) echo 1.182.0; exit 0 ;; esac
sleep 600
SHIM
chmod +x "$work/bin/semgrep"
echo 'print("x")' > "$work/root/long/app.py"
echo 'print("y")' > "$work/root/watched/app.py"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
env -u SECURESCAN_API_KEY PATH="$work/bin:/usr/bin:/bin" HOME="$work/home" \
    SECURESCAN_DB_PATH="$work/live.db" SECURESCAN_ALLOWED_ROOTS="$work/root" \
    SECURESCAN_MAX_CONCURRENT_SCANS=1 SECURESCAN_RATE_LIMIT_ENABLED=false \
    "$bin" serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.2
done

python3 - "$port" "$server" "$subscribers" "$work/root" <<'PY'
import asyncio, json, sys, time, urllib.request

port, pid, count, root = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)

def rss_kib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

long = call("POST", "/api/v1/scans", {"target_path": f"{root}/long", "scan_types": ["code"]})["id"]
for _ in range(600):
    if call("GET", f"/api/v1/scans/{long}")["status"] == "running":
        break
    time.sleep(0.1)
watched = call("POST", "/api/v1/scans", {"target_path": f"{root}/watched", "scan_types": ["code"]})["id"]
assert call("GET", f"/api/v1/scans/{watched}")["status"] == "pending"

async def main():
    connected = asyncio.Event()
    ready = 0
    ended = []

    async def subscribe():
        nonlocal ready
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /api/v1/scans/{watched}/events HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        await writer.drain()
        data = await reader.readuntil(b"\r\n\r\n")
        ready += 1
        if ready == count:
            connected.set()
        while b"event: scan.cancelled" not in data:
            chunk = await reader.read(65536)
            if not chunk:
                break
            data += chunk
        ended.append((time.monotonic(), b"event: scan.cancelled" in data))
        writer.close()

    before = rss_kib()
    tasks = [asyncio.create_task(subscribe()) for _ in range(count)]
    await asyncio.wait_for(connected.wait(), 300)
    await asyncio.sleep(1)
    with_them = rss_kib()
    cancelled_at = time.monotonic()
    await asyncio.get_running_loop().run_in_executor(
        None, lambda: call("POST", f"/api/v1/scans/{watched}/cancel"))
    await asyncio.gather(*tasks)
    got = sum(1 for _, ok in ended if ok)
    last = max(t for t, _ in ended) - cancelled_at
    print(f"sse: {count} idle connections to one queued scan: server RSS {before} KiB before, "
          f"{with_them} KiB with them = {(with_them - before) / count:.1f} KiB per connection")
    print(f"sse: scan.cancelled reached {got}/{count} subscribers within {last * 1000:.0f} ms of the cancel")

asyncio.run(main())
call("POST", f"/api/v1/scans/{long}/cancel")
PY
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
