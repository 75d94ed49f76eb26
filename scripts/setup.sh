#!/usr/bin/env bash
# The first Quick start command: installs the Debian packages ChainAtlas needs (only those
# missing), builds it (CMake, Release) and runs the main job on the embedded default dataset.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  g++ cmake make                  # toolchain
  libboost-graph-dev              # Boost.Graph: the in-memory CSR snapshot
  libsqlite3-dev                  # the store
  libcli11-dev                    # the command line
  nlohmann-json3-dev              # JSON: manifests, --json output, exports
  libicu-dev                      # ICU: NFKC for name matching, word segmentation (ontology)
  libcsv-dev                      # CSV parsing
  libeigen3-dev                   # eigenvectors for economic complexity (PCI/ECI)
  libxlsxwriter-dev               # XLSX exports (--format xlsx)
  catch2                          # unit tests (Catch2 v2)
  python3 python3-networkx        # tests: NetworkX reads exports back, reference PageRank etc.
  python3-igraph python3-numpy python3-scipy  # tests: reference PageRank/Louvain/betweenness, relatedness
  libthrift-dev thrift-compiler libevent-dev  # the Thrift service (its binary and HTTP ports run on libevent)
  python3-thrift                  # the service's Python client (tests, docs/service.md)
  chromium fonts-noto-cjk         # the console's browser test (playwright-core drives chromium); CJK font
  clang libfuzzer-14-dev          # fuzzing (scripts/fuzz.sh, docs/fuzzing.md): clang++ and libFuzzer
  clang-format                    # the ctest clang_format (scripts/check_format.sh)
)
# The console's libraries (ECharts) and its browser test (playwright-core) come from npm.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages pinned in package-lock.json (echarts, playwright-core), when missing or stale.
if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

# The main job, on the embedded default dataset: Tonglu county's endoscope chain, its gaps and
# the enterprises elsewhere that would fill them.
echo
build/chainatlas stats --region 330122 | sed -n '1,2p;/^Tracks/,$p'
echo
build/chainatlas gaps --region 330122 --track endo
echo
build/chainatlas targets --region 330122 --track endo --top 5
