# Sourced by the service benchmarks: reads [BUILD_DIR] [SECONDS] [serve options...] from "$@",
# starts `chainatlas serve --port 0` on the default database and sets $build, $seconds, $server
# and $port. The caller's EXIT trap must stop $server (and remove $out).
build=${1:-build}
seconds=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
out=$(mktemp)
"$build/chainatlas" stats >/dev/null  # builds the default database if needed
"$build/chainatlas" serve --port 0 "$@" >"$out" 2>/dev/null &
server=$!
for _ in $(seq 100); do grep -q "listening: binary" "$out" && break; sleep 0.1; done
port=$(sed -n 's/^listening: binary .*://p' "$out")
