#!/usr/bin/env bash
# The second Quick start command: builds what changed and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# Then every libFuzzer target for 20 s (docs/fuzzing.md); it skips with a message where clang++ or
# the libFuzzer runtime (Debian: clang, libfuzzer-14-dev) is missing.
scripts/fuzz.sh 20
