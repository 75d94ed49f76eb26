#!/usr/bin/env bash
# Server CPU time per call, a measure that a busy machine distorts far less than QPS: starts
# `chainatlas serve` on the default database (bench/serve_start.sh), runs chainatlas-service-bench
# at 8 connections for each call below, and divides the server process's CPU time (user + system,
# all threads, from /proc/PID/stat) over the run by the calls answered. On a machine where the
# client and the server share the cores, QPS at saturation is about cores / (server + client CPU
# per call), so a server that spends less CPU per call serves more calls.
#   bench/service_cpu.sh [BUILD_DIR] [SECONDS] [extra serve options, e.g. --model threaded]
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
source bench/serve_start.sh
bench="$build/bench/chainatlas-service-bench"
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| call | QPS | p50 µs | p99 µs | server CPU µs per call |"
echo "|---|---|---|---|---|"
run() {  # label, bench options...
  local label=$1; shift
  "$bench" --port "$port" --connections 8 --seconds 1 "$@" >/dev/null  # warm: caches, buffers
  local before; before=$(cpu)
  local j; j=$("$bench" --port "$port" --connections 8 --seconds "$seconds" "$@")
  local after; after=$(cpu)
  /usr/bin/python3 -c "
import json,sys
j=json.loads(sys.argv[1]); calls=j['calls']
print('| %s | %.0f | %.0f | %.0f | %.1f |' % (sys.argv[2], j['qps'], j['p50_us'], j['p99_us'], (int(sys.argv[4])-int(sys.argv[3]))/int(sys.argv[5])*1e6/calls))
" "$j" "$label" "$before" "$after" "$tck"
}
run health --method health
run "partners top 10, E0020" --method partners --top 10 --enterprise E0020
run "partners top 100, E0020" --method partners --top 100 --enterprise E0020
# The same calls with replies only checked, not decoded (chainatlas-service-bench --reply check).
run "health, reply checked" --method health --reply check
run "partners top 10, E0020, reply checked" --method partners --top 10 --enterprise E0020 --reply check
run "partners top 100, E0020, reply checked" --method partners --top 100 --enterprise E0020 \
  --reply check
