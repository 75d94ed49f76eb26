#!/usr/bin/python3
"""The committed default dataset (data/) is what scripts/make_default_dataset.py writes from its
tables (scripts/default_dataset/) and the GB/T 2260 regions tables, byte for byte (issue 12, item 3).

  * Without the regions tables, the script exits 2 and names the missing path.
  * With them, it writes into --workdir (never into the source tree). Every file it writes must equal
    the file of that name in data/, and every file at data/'s top level must be one it writes.
    data/targets/ is not written by the script.

Exits 77 (ctest: skipped) with a message when the regions tables (../shared/data/regions) are absent.
"""
import argparse
import os
import shutil
import subprocess
import sys

SKIP = 77  # ctest: SKIP_RETURN_CODE
REGION_FILES = ("provinces.csv", "cities.csv", "areas.csv")


def run(script, regions, out):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, script, "--regions", regions, "--out", out],
                          capture_output=True, text=True, env=env, timeout=300)


def first_difference(a, b):
    """'line N' of the first line where the two byte strings differ, with both lines."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    for n, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            x, y = (v.decode("utf-8", "replace")[:120] for v in (x, y))
            return f"line {n}: generated {x!r}, committed {y!r}"
    return f"{len(la)} lines generated, {len(lb)} committed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True, help="scripts/make_default_dataset.py")
    ap.add_argument("--data", required=True, help="the committed bundle, data/")
    ap.add_argument("--regions", required=True, help="../shared/data/regions")
    ap.add_argument("--workdir", required=True, help="scratch folder (emptied first)")
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    failures = []

    absent = os.path.join(a.workdir, "no-regions")
    p = run(a.script, absent, os.path.join(a.workdir, "unwritten"))
    if p.returncode != 2 or absent not in p.stderr:
        failures.append(f"without regions tables: want exit 2 naming {absent}, got {p.returncode}: {p.stderr.strip()}")
    if os.path.exists(os.path.join(a.workdir, "unwritten")):
        failures.append("without regions tables the script still wrote its output folder")

    regions = os.path.abspath(a.regions)
    missing = [os.path.join(regions, f) for f in REGION_FILES if not os.path.isfile(os.path.join(regions, f))]
    if missing:
        for f in failures:
            print("FAIL", f)
        if failures:
            return 1
        print(f"skipped: the regions tables are absent ({missing[0]} does not exist)")
        return SKIP

    out = os.path.join(a.workdir, "data")
    p = run(a.script, regions, out)
    if p.returncode != 0:
        failures.append(f"make_default_dataset.py exited {p.returncode}: {p.stderr.strip()}")
    else:
        written = sorted(os.listdir(out))
        committed = sorted(f for f in os.listdir(a.data) if os.path.isfile(os.path.join(a.data, f)))
        for name in written:
            path = os.path.join(a.data, name)
            if not os.path.isfile(path):
                failures.append(f"{name}: written, but not in {a.data}")
                continue
            with open(os.path.join(out, name), "rb") as f:
                new = f.read()
            with open(path, "rb") as f:
                old = f.read()
            if new != old:
                failures.append(f"{name} differs from the committed one, {first_difference(new, old)}")
        for name in committed:
            if name not in written:
                failures.append(f"{os.path.join(a.data, name)}: committed, but the script no longer writes it")
        print(f"compared {len(written)} generated files with {a.data}")
    for f in failures:
        print("FAIL", f)
    if failures:
        print("Regenerate with `python3 scripts/make_default_dataset.py` and commit data/ with the table change.")
        return 1
    print("default dataset: byte-identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
