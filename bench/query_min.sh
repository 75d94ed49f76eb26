#!/bin/bash
# Per-subject minimum latency: a shared machine's tails are mostly other processes' time slices
# and cache traffic, which a minimum over repeats removes while the query's own work stays.
#
#   bench/query_min.sh DB BINARY [ROUNDS] -- QUERY-BENCH-ARGS...
#
# Draws 300 subjects (--seed 5) with BINARY (a chainatlas-query-bench), runs the same subjects
# ROUNDS times in all (default 3), and prints the quantiles over subjects of each subject's
# smallest thread CPU time and smallest wall time, and the mean of candidates scored exactly.
# Run two builds one after the other on one DB for a same-run comparison.
set -euo pipefail
DB=$1; BIN=$2; ROUNDS=3
shift 2
if [[ ${1:-} != -- ]]; then ROUNDS=$1; shift; fi
[[ ${1:-} == -- ]] && shift
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$BIN" --db "$DB" "$@" --sample 300 --seed 5 --per-query "$W/1.tsv" --json > /dev/null
S=$(cut -f1 "$W/1.tsv" | sed 's/^[a-z]*://' | paste -sd,)
for r in $(seq 2 "$ROUNDS"); do
  "$BIN" --db "$DB" "$@" --subjects "$S" --per-query "$W/$r.tsv" --json > /dev/null
done
cat "$W"/*.tsv | "${PYTHON:-/usr/bin/python3}" -c '
import collections, sys
import numpy as np
cpu = collections.defaultdict(lambda: 1e300); wall = collections.defaultdict(lambda: 1e300)
scored = {}
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    cpu[f[0]] = min(cpu[f[0]], float(f[2])); wall[f[0]] = min(wall[f[0]], float(f[1]))
    if len(f) > 4: scored[f[0]] = int(f[4])
c = np.array(list(cpu.values())); w = np.array(list(wall.values()))
print("%d subjects; min CPU ms p50 %.2f p90 %.2f p99 %.2f max %.2f; min wall ms p50 %.2f p90 %.2f p99 %.2f max %.2f; scored %.1f"
      % (len(c), *np.percentile(c, [50, 90, 99]), c.max(), *np.percentile(w, [50, 90, 99]), w.max(),
         np.mean(list(scored.values())) if scored else 0))'
