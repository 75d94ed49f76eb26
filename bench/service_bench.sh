#!/usr/bin/env bash
# The service benchmark: starts `chainatlas serve` on a free loopback port (default database),
# runs chainatlas-service-bench for health and partners (top 100) at 1, 8 and 64 connections and
# prints a Markdown table (bench/SERVICE.md holds the last one). Client and server share the
# machine's cores.
#   bench/service_bench.sh [BUILD_DIR] [SECONDS] [extra serve options, e.g. --model threaded]
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
source bench/serve_start.sh
echo "| method | connections | QPS | p50 µs | p99 µs | p99.9 µs | failures |"
echo "|---|---|---|---|---|---|---|"
for method in health partners; do
  for n in 1 8 64; do
    "$build/bench/chainatlas-service-bench" --port "$port" --method "$method" --connections "$n" \
      --seconds "$seconds" --enterprise E0020 --top 100 --text
  done
done
