#!/usr/bin/env bash
# Load benchmark of convolens-server (a bench script, not a test): starts the release
# server on loopback with durability on (a fresh data directory, fdatasync per commit
# batch, the example configuration), posts signed webhooks for SECONDS from CONNECTIONS
# kept-alive connections, and prints the sustained webhooks/s, p50/p99 latency and the
# group-commit batch sizes. Target on a 2-core machine: >= 10,000 webhooks/s at p99 <= 50 ms.
# The load generator runs on the same machine and takes CPU from the server.
#
#   bash examples/server/bench/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds=${1:-30}
connections=${2:-128}
cargo build --release -q -p convolens-server --bins
data=$(mktemp -d)
log=$(mktemp)
export CONVOLENS_APP_SECRET=bench-secret CONVOLENS_VERIFY_TOKEN=bench CONVOLENS_RECORDS_TOKEN=bench
target/release/convolens-server --config examples/data/config.json --data-dir "$data" \
  --listen 127.0.0.1:0 ${SERVER_ARGS:-} 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$log"' EXIT
addr=
for _ in $(seq 100); do
  addr=$(grep -o 'listening on http://[0-9.:]*' "$log" | sed 's|.*http://||' || true)
  [[ -n $addr ]] && break
  sleep 0.1
done
[[ -n $addr ]] || { cat "$log"; exit 1; }
echo "server on $addr, data in $data; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/convolens-load --addr "$addr" --seconds "$seconds" --connections "$connections"
