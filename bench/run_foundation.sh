#!/usr/bin/env bash
# The foundation benchmark (import rows/s with the sqlite3 .import floor, snapshot load with the
# bare SQLite scan floor, adjacency bytes per edge) is now part of the full suite, bench/run.sh,
# which measures it on the same bundles as everything else and writes bench/RESULTS.md. This
# script is kept so that the command the README names still reproduces those numbers:
#
#   bench/run_foundation.sh            # = bench/run.sh --size small,medium
#
# Environment and extra arguments are passed through (BUILD_DIR, WORK, --repeat N, ...).
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --size small,medium "$@"
