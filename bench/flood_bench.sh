#!/usr/bin/env bash
# A normal client under a flood (issue 13): starts `chainatlas serve` on a free loopback port
# (default database, extra serve options passed through), measures one client's latency alone
# (the idle p99), then again while 32 other connections call partners (top 100) back to back, and
# prints a Markdown table with the ratio of the two p99s (target: within 10×), and the two p50s.
# Client, flood and server share the machine's cores. FLOOD_NICE=N runs the 32 flooding
# connections' client at that niceness (default 0): at 19 it stands for a flooder on another
# machine, which takes no CPU from the server (bench/SERVICE.md says when each was used).
# FLOOD_PIN=1 gives the server and the normal client core 0 and the flooding client core 1 (taskset),
# so that the flood's client cannot take the server's core: a one-core server flooded from outside.
#   [FLOOD_NICE=19] [FLOOD_PIN=1] bench/flood_bench.sh [BUILD_DIR] [SECONDS] [extra serve options, e.g. --threads 4]
set -euo pipefail
cd "$(dirname "$0")/.."
flood=
trap 'kill $server $flood 2>/dev/null; wait $server 2>/dev/null; rm -f "$out"' EXIT
source bench/serve_start.sh
bench="$build/bench/chainatlas-service-bench"
server_cpu=() flood_cpu=()
if [ "${FLOOD_PIN:-0}" = 1 ]; then
  taskset -a -p -c 0 "$server" >/dev/null
  server_cpu=(taskset -c 0) flood_cpu=(taskset -c 1)
fi
p99() { sed -n 's/.*"p99_us": *\([0-9.]*\).*/\1/p'; }
p50() { sed -n 's/.*"p50_us": *\([0-9.]*\).*/\1/p'; }
echo "| normal client | idle p99 µs | p99 µs under a 32-connection partners flood | ratio | flood QPS | idle p50 µs | p50 µs under the flood |"
echo "|---|---|---|---|---|---|---|"
for method in health partners; do
  idle_json=$("${server_cpu[@]}" "$bench" --port "$port" --method "$method" --connections 1 --seconds "$seconds" \
                --enterprise E0013 --top 10)
  flood_out=$(mktemp)
  "${flood_cpu[@]}" nice -n "${FLOOD_NICE:-0}" "$bench" --port "$port" --method partners --connections 32 --seconds $((seconds + 2)) \
    --warmup 1 --enterprise E0020 --top 100 >"$flood_out" &
  flood=$!
  sleep 1.5
  loaded_json=$("${server_cpu[@]}" "$bench" --port "$port" --method "$method" --connections 1 --seconds "$seconds" \
                  --warmup 0.2 --enterprise E0013 --top 10)
  wait $flood
  flood=
  qps=$(sed -n 's/.*"qps": *\([0-9.]*\).*/\1/p' "$flood_out")
  rm -f "$flood_out"
  idle=$(p99 <<<"$idle_json")
  loaded=$(p99 <<<"$loaded_json")
  ratio=$(awk -v a="$loaded" -v b="$idle" 'BEGIN { printf "%.1f", a / b }')
  printf "| %s (E0013, top 10) | %.0f | %.0f | %s× | %.0f | %.0f | %.0f |\n" "$method" "$idle" "$loaded" \
    "$ratio" "$qps" "$(p50 <<<"$idle_json")" "$(p50 <<<"$loaded_json")"
done
