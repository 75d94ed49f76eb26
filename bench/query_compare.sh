#!/bin/bash
# Usage (from the repository root): BASE=path/to/old/chainatlas-query-bench [NEW=...] [DB=...] bench/query_compare.sh
# Same-run timing: the starting commit's query bench (base) against this branch's (new), interleaved.
# A bench that reports them (cpu_p50_ms ...) also prints its thread-CPU-time quantiles.
DB=${DB:-/tmp/topk-large/bench.db}
BASE=${BASE:-/tmp/perf-base/chainatlas-query-bench}
NEW=${NEW:-build/bench/chainatlas-query-bench}
run() {  # label binary args...
  local label=$1; shift
  local bin=$1; shift
  echo "== $label $* | load $(cut -d' ' -f1-3 /proc/loadavg)"
  $bin --db $DB "$@" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("   p50 %.2f p90 %.2f p99 %.2f max %.2f mean %.2f ms; queries %d; candidates %.0f; items %.1f; warmup %.3f s; topk_index_bytes %d; adjacency_bytes %d; edges %d; peak_rss_kb %d" % (d["p50_ms"],d["p90_ms"],d["p99_ms"],d["max_ms"],d["mean_ms"],d["queries"],d["mean_candidates"],d["mean_items"],d["warmup_seconds"],d["topk_index_bytes"],d["adjacency_bytes"],d["edges"],d["peak_rss_kb"])); "cpu_p50_ms" in d and print("   thread CPU p50 %.2f p90 %.2f p99 %.2f max %.2f ms; topk_index_seconds %.2f; load_seconds %.1f" % (d["cpu_p50_ms"],d["cpu_p90_ms"],d["cpu_p99_ms"],d["cpu_max_ms"],d["topk_index_seconds"],d["load_seconds"]))'
}
for spec in "--command targets --sample 50" "--command partners --role supplier --sample 200" "--command partners --role customer --sample 200" "--command pairings --kind university --sample 100" "--command pairings --kind hospital --sample 100"; do
  run new $NEW $spec
  run base $BASE $spec
done
