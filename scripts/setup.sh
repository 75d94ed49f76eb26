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
  libicu-dev                      # Unicode NFKC for name matching
  libcsv-dev                      # CSV parsing
  catch2                          # unit tests (Catch2 v2)
  python3 python3-networkx        # the end-to-end test reads exports back with NetworkX
)
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

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

# The main job: Tonglu county's endoscope chain, from the embedded default dataset.
echo
build/chainatlas stats --region 330122 | sed -n '1,2p;/^Tracks/,$p'
echo
build/chainatlas chain --region 330122 --track endo
