#!/usr/bin/env bash
# The ChainAtlas benchmark suite, in one command:
#
#   bench/run.sh [--size small|medium|large|all|small,medium] [--seed N] [--repeat N] [--no-ckg] [--smoke]
#                [--quality-baseline OLD_BIN] [--no-quality]
#
# Builds Release into $BUILD_DIR (default <repo>/build), then bench/run.py measures on the same
# data in one run, per size: the synthetic bundle (bench/gen_bundle.py), import rows/s (with the
# sqlite3 .import floor), snapshot load time and bytes per edge (with a bare SQLite scan floor),
# p50/p99 latency of partners, pairings and targets (chainatlas-query-bench), PageRank, Louvain and
# betweenness against python3-igraph and python3-networkx on the snapshot's own edge list, and peak
# memory; with ../shared/data/ckg present, also the real ChainKnowledgeGraph import and query
# latency over every company, and bench/quality.py (partner recall@10/@50 and MRR against real
# supply relations, the text baseline and the precision guard; with --quality-baseline also for the
# version before the change). Writes bench/RESULTS.md (not with --smoke, which checks the small
# size's results against igraph and exits non-zero on a mismatch: the ctest entry bench_smoke).
#
# Environment: BUILD_DIR, WORK (default /tmp/chainatlas-bench; bundles and databases go there,
# never into the tree), PYTHON (default /usr/bin/python3), NO_BUILD=1 to skip the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-/usr/bin/python3}"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
  echo "== build (Release) in $BUILD_DIR" >&2
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target chainatlas chainatlas-load-bench chainatlas-bench \
    chainatlas-query-bench >/dev/null
fi
COMMAND="bench/run.sh${*:+ $*}"
if [[ "$BUILD_DIR" != "$ROOT/build" ]]; then COMMAND="BUILD_DIR=${BUILD_DIR#$ROOT/} $COMMAND"; fi
exec "$PYTHON" "$ROOT/bench/run.py" --build-dir "$BUILD_DIR" --command "$COMMAND" "$@"
