#!/usr/bin/env bash
# The second Quick start command: builds what changed and runs every test through ctest.
#
#   scripts/test.sh              Release build in build/, then ctest
#   scripts/test.sh --sanitize   gcc with AddressSanitizer + UndefinedBehaviorSanitizer (and
#                                LeakSanitizer) in build-sanitize/, then ctest there: every
#                                C++ test and every Python end-to-end test drives the sanitized
#                                binaries (tests/CMakeLists.txt hands them $<TARGET_FILE:...>).
#   scripts/test.sh --tsan       the same with ThreadSanitizer, in build-tsan/: the threads of
#                                the import, the snapshot load and the server.
#
# Extra arguments after the flag go to ctest (e.g. `scripts/test.sh --sanitize -R cli`).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

if [ "${1:-}" != "--sanitize" ] && [ "${1:-}" != "--tsan" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build build -j"$jobs"
  ctest --test-dir build --output-on-failure -j"$jobs" "$@"
  # Then every libFuzzer target for 20 s (docs/fuzzing.md); it skips with a message where clang++
  # or the libFuzzer runtime (Debian: clang, libfuzzer-14-dev) is missing.
  scripts/fuzz.sh 20
  exit 0
fi
mode=$1
shift

if [ "$mode" = --tsan ]; then
  dir=build-tsan
  san="-fsanitize=thread -fno-omit-frame-pointer"
else
  dir=build-sanitize
  san="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi
# A build type of its own so that no Release/Debug flags (-O3, -DNDEBUG) are mixed in: -O1 -g,
# assertions on. The sanitizer flags go to every compile and every link (executables and shared
# libraries alike).
cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=Sanitize \
  -DCMAKE_CXX_FLAGS_SANITIZE="-g -O1" \
  -DCMAKE_CXX_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="$san" \
  -DCMAKE_SHARED_LINKER_FLAGS="$san" \
  -DCMAKE_MODULE_LINKER_FLAGS="$san" \
  -DCHAINATLAS_SANITIZE=ON > /dev/null
cmake --build "$dir" -j"$jobs"

# Every report is written to a file under $logs as well as failing the process that hit it:
# a report from a process whose exit status a test does not look at (a server started in the
# background, a command expected to fail) still fails this script below.
logs="$PWD/$dir/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
supp="$PWD/scripts/lsan.supp"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$logs/asan"
# UBSan is built recoverable by default; halt_on_error makes any report end the process.
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1:suppressions=$PWD/scripts/ubsan.supp:log_path=$logs/ubsan"
export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan"

status=0
# CHAINATLAS_SANITIZE=ON tells tests/CMakeLists.txt that the binaries run several times slower
# (longer per-test timeouts, lighter parameters for the heavy tests; see there).
ctest --test-dir "$dir" --output-on-failure -j"$jobs" "$@" || status=$?

if compgen -G "$logs/*" > /dev/null; then
  echo
  echo "== sanitizer reports ($logs):"
  for f in "$logs"/*; do echo "--- $f"; cat "$f"; done
  status=1
fi
exit "$status"
