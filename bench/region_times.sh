#!/bin/bash
# Wall-clock of the region commands on a database, best of 3 runs each (the machines we share are
# busy), beside `show` as the floor: every CLI call loads the snapshot first.
#
#   bench/region_times.sh DB REGION...     e.g. bench/region_times.sh ckg.db 440300 330100 310000
#
# Set B to the binary (default build/chainatlas).
set -euo pipefail
B=${B:-build/chainatlas}
DB=$1
shift
best() {
  local m=999 s e t
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$@" > /dev/null
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    m=$(echo "if ($t < $m) $t else $m" | bc)
  done
  printf "%.2f" "$m"
}
printf "%-8s %6s %11s %6s %6s %7s %7s   (seconds, best of 3; load average %s)\n" region show \
  relatedness gaps chain targets leaders "$(cut -d' ' -f1 /proc/loadavg)"
for r in "$@"; do
  printf "%-8s %6s %11s %6s %6s %7s %7s\n" "$r" "$(best "$B" show --db "$DB" "$r")" \
    "$(best "$B" relatedness --db "$DB" --region "$r")" "$(best "$B" gaps --db "$DB" --region "$r")" \
    "$(best "$B" chain --db "$DB" --region "$r")" "$(best "$B" targets --db "$DB" --region "$r")" \
    "$(best "$B" leaders --db "$DB" --region "$r")"
done
