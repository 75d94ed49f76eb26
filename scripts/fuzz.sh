#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/, docs/fuzzing.md) for SECONDS each (default 20), one after the
# other, on a scratch copy of its seed corpus, and prints the executions per target. Configures and
# builds build-fuzz (clang, ASan + UBSan) when needed. Exits non-zero when a target finds a crash,
# a timeout (an input running over 20 s), a leak or a sanitizer report; the input is kept under
# build-fuzz/fuzz-work/<target>/. Skips (exit 0) when clang++ or the libFuzzer runtime is missing.
#
#   scripts/fuzz.sh [SECONDS]            all targets
#   FUZZ_TARGETS="ckg service" scripts/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
targets=(${FUZZ_TARGETS:-bundle_csv manifest ckg targets service})
build=build-fuzz

if ! command -v clang++ > /dev/null || ! command -v clang > /dev/null; then
  echo "fuzz: skipped: clang++ not found (Debian: apt-get install clang libfuzzer-14-dev)"
  exit 0
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  > "$probe/probe.cc"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe/probe.cc" -o "$probe/probe" 2> /dev/null; then
  echo "fuzz: skipped: clang++ cannot link libFuzzer (Debian: apt-get install libfuzzer-14-dev)"
  exit 0
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCHAINATLAS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
nice -n 10 cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" --target chainatlas_fuzz

# Seeds: the committed corpus (fuzz/corpus/<target>/) plus seeds made here from the embedded
# dataset, the test fixtures and, when present, the first lines of the real ChainKnowledgeGraph
# files in ../shared/data (never copied into the repository).
byte() { printf "$(printf '\\x%02x' "$1")"; }
seed_bundle_csv() {  # the file kinds in the order of the target's first byte
  local kinds=(regions tracks segments enterprises hospitals institutions platforms produces
               supplies trades_with researches clinical serves cooperates invests)
  local i src f
  for i in "${!kinds[@]}"; do
    for src in data tests/fixtures/small tests/fixtures/chain tests/fixtures/second; do
      f="$src/${kinds[$i]}.csv"
      [ -f "$f" ] || continue
      { byte "$i"; head -n 40 "$f"; } > "$1/seed-${src//\//-}-${kinds[$i]}"
    done
  done
}
seed_manifest() {
  local src
  for src in data tests/fixtures/small tests/fixtures/chain tests/fixtures/second; do
    cp "$src/manifest.json" "$1/seed-${src//\//-}"
  done
}
seed_ckg() {
  local files=(company industry industry_industry industry_up company_industry product
               company_product product_product)
  local i
  [ -d ../shared/data/ckg ] || return 0
  for i in "${!files[@]}"; do
    { byte "$i"; head -n 30 "../shared/data/ckg/${files[$i]}.json"; } > "$1/seed-shared-${files[$i]}"
    { byte $((i + 16)); head -n 30 "../shared/data/ckg/${files[$i]}.json"; } \
      > "$1/seed-shared-regions-${files[$i]}"
  done
}
seed_targets() { cp data/targets/*.csv "$1/"; }
seed_service() { :; }

failed=()
printf '%-12s %12s %10s %12s  %s\n' target executions "exec/s" corpus result
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp fuzz/corpus/"$t"/* "$work/corpus/" 2> /dev/null || true
  "seed_$t" "$work/corpus"
  rc=0
  nice -n 10 "$build/fuzz/fuzz_$t" "$work/corpus" -max_total_time="$seconds" -timeout=20 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    > "$work/log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
  files=$(find "$work/corpus" -type f | wc -l)
  bytes=$(du -sb "$work/corpus" | cut -f1)
  result=ok
  # libFuzzer also keeps inputs slower than 10 s (slow-unit-*): slow, not failed; a hang is an
  # input over -timeout (timeout-*), which fails like a crash, leak or out-of-memory.
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$work/log" | tail -n 1)
  if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts" | grep -v '^slow-unit-')" ]; then
    result="FAILED (rc $rc): see $work/log and $work/artifacts/"
    failed+=("$t")
  fi
  [ "$result" = ok ] && [ "${slowest:-0}" -ge 10 ] && result="ok (slowest input ${slowest} s)"
  printf '%-12s %12s %10s %12s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$files files/$bytes B" "$result"
  if [ "${result%% *}" != ok ]; then
    grep -E "ERROR|BUG|SUMMARY|runtime error|Test unit written" "$work/log" | head -n 20 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: every target ran ${seconds} s without a crash, timeout, leak or sanitizer report"
