#!/usr/bin/env bash
# Issue 12's service targets: starts `chainatlas serve` on the default database (as
# bench/service_bench.sh) and runs chainatlas-service-bench at 8 connections for health, partners
# top 10 and top 100 of E0020, and top 10 and top 100 cycling through the 487 enterprises (the
# answer cache then holds 487 answers of every size), with replies decoded and then only checked.
# Prints Markdown table rows.
#   bench/service_targets.sh [BUILD_DIR] [SECONDS] [extra serve options, e.g. --model threaded]
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
source bench/serve_start.sh
bench="$build/bench/chainatlas-service-bench"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| method | connections | QPS | p50 µs | p99 µs | p99.9 µs | failures |"
echo "|---|---|---|---|---|---|---|"
# Each call twice: replies decoded into objects (an application's client), then only their frames
# read and checked (a load generator's, whose own cost beside the server on shared cores is small).
for reply in decode check; do
  "$bench" --port "$port" --method health --connections 8 --seconds "$seconds" --text \
    --reply "$reply"
  for top in 10 100; do
    "$bench" --port "$port" --method partners --top "$top" --connections 8 --seconds "$seconds" \
      --enterprise E0020 --text --reply "$reply"
    "$bench" --port "$port" --method partners --top "$top" --connections 8 --seconds "$seconds" \
      --warmup 4 --enterprises 487 --text --reply "$reply"
  done
done
