#!/usr/bin/env bash
# Same-run comparison of two builds' import and snapshot load on one generated bundle:
#
#   BASE=/tmp/load-base NEW=build WORK=/tmp/load-work bench/load_compare.sh SIZE [IMPORTS] [LOADS]
#
# WORK/SIZE/bundle must hold `bench/gen_bundle.py --size SIZE --out WORK/SIZE/bundle`. Imports
# into fresh databases, alternating base / new, IMPORTS times each (report "seconds", rows/s,
# wall time and peak RSS); then chainatlas-load-bench (best of LOADS) on each build's database,
# and the new build's loads again with --rows (the edge-row path, not the packed adjacency).
set -euo pipefail
SIZE=$1; N=${2:-3}; R=${3:-5}
W=${WORK:-/tmp/load-work}; B=$W/$SIZE/bundle
BASE=${BASE:-/tmp/load-base}; NEW=${NEW:-build}
PY=${PYTHON:-/usr/bin/python3}
echo "== $SIZE load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$N"); do
  for v in base new; do
    bin=$BASE/chainatlas; [[ $v == new ]] && bin=$NEW/chainatlas
    db=$W/$v-$SIZE.db; rm -f "$db" "$db-journal" "$db-wal"
    /usr/bin/time -f "%e %M" -o "$W/time.txt" "$bin" import --db "$db" --json "$B" > "$W/imp.json"
    "$PY" -c "import json;r=json.load(open('$W/imp.json'));w,m=open('$W/time.txt').read().split();print('import $v', '%.3f'%r['seconds'], r['relations']['rows'], int(r['relations']['rows']/r['seconds']), 'wall', w, 'rss_kb', m)"
  done
done
for v in base new newrows; do
  case $v in
    base) out=$("$BASE/bench/chainatlas-load-bench" --db "$W/base-$SIZE.db" --repeat "$R");;
    new) out=$("$NEW/bench/chainatlas-load-bench" --db "$W/new-$SIZE.db" --repeat "$R");;
    newrows) out=$("$NEW/bench/chainatlas-load-bench" --db "$W/new-$SIZE.db" --repeat "$R" --rows);;
  esac
  echo "$out" | "$PY" -c "import json,sys;j=json.load(sys.stdin);print('load $v', 'packed', j.get('packed'), 'best %.4f'%j['seconds_best'], 'edges', j['edges'], 'edges/s', int(j['edges_per_second']), 'median %.4f'%j['seconds_median'], 'scan rows/s', int(j['scan_rows_per_second']), 'rss_kb', j['peak_rss_kb'])"
done
echo "== $SIZE load after: $(cut -d' ' -f1-3 /proc/loadavg)"
