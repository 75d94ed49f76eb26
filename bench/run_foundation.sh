#!/usr/bin/env bash
# The foundation benchmark, in one command:
#
#   bench/run_foundation.sh
#
# Builds Release, generates two synthetic bundles (bench/gen_bundle.py), times
# `chainatlas import --json` into a fresh database (rows/s from the report's own seconds and from
# the wall time around the process), times chainatlas-load-bench (Store::LoadSnapshot, adjacency
# bytes) on the result, and as a peer times the sqlite3 CLI `.import` of the same relation CSVs
# into bare tables: the floor of what SQLite does with those rows without any validation. Writes
# bench/RESULTS.md. Generated bundles and databases go under $WORK (default /tmp), never the tree.
#
# Environment: BUILD_DIR (default <repo>/build), WORK (default /tmp/chainatlas-bench),
# REPEAT (imports per size, best taken; default 3), PERF=0 to skip the perf phase profile,
# SIZES="ENTERPRISES:RELATIONS ..." (default "10000:100000 100000:1000000").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
WORK="${WORK:-/tmp/chainatlas-bench}"
REPEAT="${REPEAT:-3}"
PERF="${PERF:-1}"
SIZES="${SIZES:-10000:100000 100000:1000000}"
COMMAND="$0${*:+ $*}"

mkdir -p "$WORK"
OUT="$WORK/results"
rm -rf "$OUT" && mkdir -p "$OUT"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

echo "== build (Release) in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$OUT/cmake.log" 2>&1 ||
  { cat "$OUT/cmake.log"; exit 1; }
cmake --build "$BUILD_DIR" -j2 --target chainatlas chainatlas-load-bench >>"$OUT/cmake.log" 2>&1 ||
  { tail -40 "$OUT/cmake.log"; exit 1; }
CHAINATLAS="$BUILD_DIR/chainatlas"
LOADBENCH="$BUILD_DIR/bench/chainatlas-load-bench"

for size in $SIZES; do
  ents="${size%%:*}"
  rels="${size##*:}"
  tag="e${ents}_r${rels}"
  bundle="$WORK/bundle_$tag"
  echo "== $tag: generate bundle ($ents enterprises, ~$rels relations)"
  t0=$(now)
  python3 "$ROOT/bench/gen_bundle.py" --enterprises "$ents" --relations "$rels" --out "$bundle" \
    >"$OUT/$tag.gen.json"
  t1=$(now)
  echo "{\"seconds\": $(elapsed "$t0" "$t1")}" >"$OUT/$tag.gen_time.json"

  for i in $(seq 1 "$REPEAT"); do
    db="$WORK/$tag.db"
    rm -f "$db" "$db-journal" "$db-wal"
    sync
    echo "== $tag: chainatlas import, run $i"
    t0=$(now)
    "$CHAINATLAS" import --db "$db" --json "$bundle" >"$OUT/$tag.import.$i.json"
    t1=$(now)
    echo "{\"wall_seconds\": $(elapsed "$t0" "$t1")}" >"$OUT/$tag.import_wall.$i.json"

    floor="$WORK/$tag.floor.db"
    rm -f "$floor" "$floor-journal"
    script="$OUT/$tag.floor.sql"
    echo "BEGIN;" >"$script"  # one transaction, as the importer uses
    for kind in produces supplies trades_with researches clinical serves cooperates invests; do
      echo ".import --csv $bundle/$kind.csv $kind" >>"$script"
    done
    echo "COMMIT;" >>"$script"
    sync
    echo "== $tag: sqlite3 .import floor, run $i"
    t0=$(now)
    sqlite3 "$floor" <"$script"
    t1=$(now)
    rows=0
    for kind in produces supplies trades_with researches clinical serves cooperates invests; do
      rows=$((rows + $(sqlite3 "$floor" "SELECT count(*) FROM $kind")))
    done
    echo "{\"wall_seconds\": $(elapsed "$t0" "$t1"), \"rows\": $rows}" >"$OUT/$tag.floor.$i.json"
  done

  echo "== $tag: chainatlas-load-bench"
  "$LOADBENCH" --db "$WORK/$tag.db" --repeat 5 >"$OUT/$tag.load.json"
  du -b "$WORK/$tag.db" | cut -f1 >"$OUT/$tag.db_bytes"
done

# Where the time goes: inclusive shares of the main stages (perf, DWARF call graphs) on the
# largest size.
if [[ "$PERF" == 1 ]] && command -v perf >/dev/null; then
  tag="$(for s in $SIZES; do echo "e${s%%:*}_r${s##*:}"; done | tail -1)"
  db="$WORK/$tag.perf.db"
  rm -f "$db"
  echo "== $tag: perf profile of import and load"
  if perf record -q -F 300 --call-graph dwarf,16384 -o "$WORK/import.perf" \
      "$CHAINATLAS" import --db "$db" --json "$WORK/bundle_$tag" >/dev/null 2>"$OUT/perf.log" &&
     perf record -q -F 500 --call-graph dwarf,16384 -o "$WORK/load.perf" \
      "$LOADBENCH" --db "$db" --repeat 3 >/dev/null 2>>"$OUT/perf.log"; then
    perf report -i "$WORK/import.perf" --children --sort symbol --stdio 2>/dev/null |
      grep -E '^ +[0-9]' >"$OUT/import.perf.txt" || true
    perf report -i "$WORK/load.perf" --children --sort symbol --stdio 2>/dev/null |
      grep -E '^ +[0-9]' >"$OUT/load.perf.txt" || true
  fi
fi

python3 - "$ROOT" "$OUT" "$COMMAND" "$SIZES" "$REPEAT" <<'PY'
import datetime, glob, json, os, re, subprocess, sys

root, out, command, sizes, repeat = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), int(sys.argv[5])
IMPORT_TARGET, LOAD_TARGET, BYTES_TARGET = 500_000, 5_000_000, 16.0

def load(p):
    with open(p) as f:
        return json.load(f)

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"

cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip() or "?"
mem_kb = int(sh("grep MemTotal /proc/meminfo | awk '{print $2}'") or 0)
commit = sh(f"git -C {root} rev-parse --short HEAD")
dirty = sh(f"git -C {root} status --porcelain -- ingest graph server CMakeLists.txt")
lines = []
w = lines.append
w("# Foundation benchmark results")
w("")
w(f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
w(f"- commit: {commit}{' (with uncommitted changes in ingest/graph/server)' if dirty else ''}")
fs = sh("df -T " + os.path.dirname(out) + " | tail -1 | awk '{print $2}'")
w(f"- machine: {sh('nproc')} CPUs, {cpu}, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
  f"{sh('uname -sr')}, work dir on {fs} ({os.path.dirname(out)})")
w(f"- SQLite CLI {sh('sqlite3 --version').split(' ')[0]}, {sh('c++ --version | head -1')}, Release build")
w(f"- command: `{command}` (sizes {' '.join(sizes)}, imports best of {repeat}, load best of 5)")
w("")
w("Bundles are synthetic (`bench/gen_bundle.py`, fixed seed): 3 provinces / cities / counties /")
w("parks, 10 tracks x 50 segments, power-law produces lists and hub-heavy trade/cooperation ties.")
w("Import rows = relations in the report (`relations.rows`, a clinical row with demand and strength")
w("counts twice). Each import goes into a fresh database file. The floor is the `sqlite3` CLI")
w("`.import --csv` of the same relation CSV files into bare (untyped, unindexed) tables: CSV parsing")
w("and inserting with no validation, no id resolution and no provenance.")
w("")
rows_out = []
notes = []
def verdict(ok):
    return "met" if ok else "**missed**"
for size in sizes:
    ents, rels = size.split(":")
    tag = f"e{ents}_r{rels}"
    gen = load(f"{out}/{tag}.gen.json")
    imports = [load(p) for p in sorted(glob.glob(f"{out}/{tag}.import.[0-9]*.json"))]
    walls = [load(p)["wall_seconds"] for p in sorted(glob.glob(f"{out}/{tag}.import_wall.*.json"))]
    floors = [load(p) for p in sorted(glob.glob(f"{out}/{tag}.floor.*.json"))]
    ld = load(f"{out}/{tag}.load.json")
    for r in imports:
        assert r["accepted"], f"{tag}: import rejected: {r['problems'][:3]}"
    nrel = imports[0]["relations"]["rows"]
    best_rep = min(r["seconds"] for r in imports)
    best_wall = min(walls)
    floor_best = min(f["wall_seconds"] for f in floors)
    floor_rows = floors[0]["rows"]
    floor_rate = floor_rows / floor_best
    rep_rate = nrel / best_rep
    wall_rate = nrel / best_wall
    db_bytes = int(open(f"{out}/{tag}.db_bytes").read())
    label = f"{int(ents):,} enterprises, {nrel:,} relations"
    rows_out.append((label, "import, rows/s (report `seconds`)", f"{rep_rate:,.0f} ({best_rep:.2f} s)", ">= 500,000", verdict(rep_rate >= IMPORT_TARGET)))
    rows_out.append((label, "import, rows/s (wall, whole process)", f"{wall_rate:,.0f} ({best_wall:.2f} s)", ">= 500,000", verdict(wall_rate >= IMPORT_TARGET)))
    rows_out.append((label, "floor: sqlite3 `.import`, CSV rows/s (wall)", f"{floor_rate:,.0f} ({floor_best:.2f} s, {floor_rows:,} rows)", "-", f"ours takes {best_rep / floor_best:.1f}x the floor's time"))
    rows_out.append((label, "snapshot load, edges/s (best; median)", f"{ld['edges_per_second']:,.0f}; {ld['edges_per_second_median']:,.0f} ({ld['seconds_best']:.3f} s, {ld['edges']:,} edges, {ld['vertices']:,} vertices)", ">= 5,000,000", verdict(ld["edges_per_second"] >= LOAD_TARGET)))
    rows_out.append((label, "floor: bare SQLite scan of edges, rows/s", f"{ld['scan_rows_per_second']:,.0f} ({ld['scan_seconds_best']:.3f} s)", "-", f"load takes {ld['seconds_best'] / ld['scan_seconds_best']:.1f}x the scan's time"))
    rows_out.append((label, "adjacency bytes per edge", f"{ld['bytes_per_edge']:.2f} ({ld['adjacency_bytes']:,} B)", "<= 16", verdict(ld["bytes_per_edge"] <= BYTES_TARGET)))
    rows_out.append((label, "load peak RSS; database size", f"{ld['peak_rss_kb'] / 1024:.0f} MiB; {db_bytes / 1e6:.1f} MB", "-", "-"))
    if rep_rate < IMPORT_TARGET:
        notes.append(f"- **import, {label}**: {best_rep:.2f} s by the report = {rep_rate:,.0f} rows/s, "
                     f"{rep_rate / IMPORT_TARGET:.0%} of the target. The sqlite3 CLI needs {floor_best:.2f} s "
                     f"({floor_rate:,.0f} CSV rows/s) to parse and insert the same CSV files, so the "
                     f"importer takes {best_rep / floor_best:.1f}x the time of a bare SQLite bulk load; "
                     f"at the floor's speed it would reach {nrel / floor_best:,.0f} relations/s.")
    if ld["edges_per_second"] < LOAD_TARGET:
        notes.append(f"- **load, {label}**: LoadSnapshot takes {ld['seconds_best']:.3f} s = "
                     f"{ld['edges_per_second']:,.0f} edges/s. A bare single-threaded SQLite scan of the "
                     f"four edge columns alone takes {ld['scan_seconds_best']:.3f} s = "
                     f"{ld['scan_rows_per_second']:,.0f} rows/s: the target allows "
                     f"{ld['edges'] / LOAD_TARGET * 1000:.1f} ms for the whole load, of which the scan "
                     f"alone needs {ld['scan_seconds_best'] * 1000:.1f} ms"
                     f"{' (SQLite cannot scan this table at 5M rows/s on this machine)' if ld['scan_rows_per_second'] < LOAD_TARGET else ''}.")
w("| size | measure | measured | target | verdict |")
w("|---|---|---|---|---|")
for r in rows_out:
    w("| " + " | ".join(r) + " |")
w("")
w("## Misses")
w("")
if notes:
    lines.extend(notes)
else:
    w("None: every target was met.")
w("")

def shares(path, patterns):
    if not os.path.exists(path):
        return []
    res = []
    text = open(path).read().splitlines()
    for label, pat in patterns:
        for line in text:
            if re.search(pat, line):
                m = re.match(r"\s*([\d.]+)%", line)
                if m:
                    res.append(f"{label} {m.group(1)}%")
                break
    return res

imp = shares(f"{out}/import.perf.txt", [
    ("ReadBundle (CSV parse + row checks)", r"\] chainatlas::ingest::ReadBundle"),
    ("ResolveRelations (references, self-loops, duplicate keys)", r"Importer::ResolveRelations"),
    ("PlanEntities", r"Importer::PlanEntities"),
    ("Apply (all writes)", r"Importer::Apply\b"),
    ("of which sqlite3_step", r"\] sqlite3_step$|\] sqlite3_step "),
])
lo = shares(f"{out}/load.perf.txt", [
    ("LoadSnapshot", r"Store::LoadSnapshot"),
    ("sqlite3_step (all queries)", r"\] sqlite3_step$|\] sqlite3_step "),
    ("SnapshotBuilder::Build", r"SnapshotBuilder::Build"),
    ("std::unordered_map<int64_t, ...> lookups (node id -> vertex)", r"_Hashtable<long, std::pair<long const"),
    ("SnapshotBuilder::AddEnterprise", r"SnapshotBuilder::AddEnterprise"),
])
if imp or lo:
    w("## Where the time goes (perf, largest size, inclusive share of samples)")
    w("")
    if imp:
        w("- import: " + "; ".join(imp) + ".")
    if lo:
        w("- load (3 loads + the scan floor in one process): " + "; ".join(lo) + ".")
    w("")
with open(os.path.join(root, "bench", "RESULTS.md"), "w") as f:
    f.write("\n".join(lines))
print("\n".join(lines))
PY
