#!/usr/bin/env bash
# The newcomer's check (issue 13 item 5): clones this repository's HEAD into a fresh folder with
# no ../shared beside it, whose parent the user running the check cannot write, and runs the two
# Quick start commands there: scripts/setup.sh, then scripts/test.sh. Exits with the first one
# that fails.
#
#   scripts/check_clone.sh [--user NAME] [--keep]
#
# Run as root, the commands run as NAME (default: chainatlas-check, created without a password
# when missing): the clone and its parent folder belong to root and are 0755, the clone itself to
# NAME. Every Debian package must already be installed (setup.sh then needs no root; run
# scripts/setup.sh once as root first). Run as another user, the commands run as that user and
# the parent is made read-only (chmod 0555) for the run. --keep leaves the folder behind.
set -euo pipefail
cd "$(dirname "$0")/.."
user=chainatlas-check
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: scripts/check_clone.sh [--user NAME] [--keep]" >&2; exit 2 ;;
  esac
done

base=$(mktemp -d /tmp/chainatlas-check.XXXXXX)  # the parent of the parent: the clone's ../ is $base/ro
parent="$base/ro"
mkdir "$parent"
git clone -q . "$parent/chainatlas"
head=$(git rev-parse --short HEAD)
cleanup() {
  chmod u+w "$parent" 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "kept: $parent/chainatlas"; else rm -rf "$base"; fi
}
trap cleanup EXIT

if [ "$(id -u)" -eq 0 ]; then
  id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
  chown -R "$user" "$parent/chainatlas"
  chmod 0755 "$base" "$parent"  # root's: $user reads, never writes
  run() { su "$user" -c "cd '$parent/chainatlas' && $1"; }
else
  user=$(id -un)
  chmod 0555 "$parent"
  run() { (cd "$parent/chainatlas" && bash -c "$1"); }
fi

echo "== clone of $head at $parent/chainatlas, as $user; ../ writable: $(run 'test -w .. && echo yes || echo no'); ../shared: $(test -e "$parent/shared" && echo present || echo absent)"
echo "== scripts/setup.sh"
run scripts/setup.sh
echo "== scripts/test.sh"
run scripts/test.sh
echo "== tree after the tests (git status --short; empty when the tests wrote nothing into the tree):"
run 'git status --short'
echo "== ok: setup and tests passed in a fresh clone of $head as $user"
