#!/usr/bin/env bash
# The service benchmark: starts `chainatlas serve` on a free loopback port (default database),
# runs chainatlas-service-bench for health and partners (top 100) at 1, 8 and 64 connections and
# prints a Markdown table (bench/SERVICE.md holds the last one). Client and server share the
# machine's cores.
#   bench/service_bench.sh [BUILD_DIR] [SECONDS] [extra serve options, e.g. --model threaded]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
out=$(mktemp)
"$build/chainatlas" stats >/dev/null  # builds the default database if needed
"$build/chainatlas" serve --port 0 "$@" >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q "listening: binary" "$out" && break; sleep 0.1; done
port=$(sed -n 's/^listening: binary .*://p' "$out")
echo "| method | connections | QPS | p50 µs | p99 µs | p99.9 µs | failures |"
echo "|---|---|---|---|---|---|---|"
for method in health partners; do
  for n in 1 8 64; do
    "$build/bench/chainatlas-service-bench" --port "$port" --method "$method" --connections "$n" \
      --seconds "$seconds" --enterprise E0020 --top 100 --text
  done
done
