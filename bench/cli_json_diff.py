#!/usr/bin/python3
"""Every read command's `--json` document from two builds, compared byte for byte (issue 12
item 1: a refactor of the engine's front ends must not change an answer unless on purpose).

  bench/cli_json_diff.py --old OLD/chainatlas --new build/chainatlas [--default-db FILE] [--db FILE]...

Runs a fixed list of command lines (every read command, its options, and some bad values) with
`--json` and as text, each with `--lang en` and `--lang zh`, on each database, through both binaries (--default-db: a
database of the default data, whose ids the default cases name; give both binaries the same one,
as each build otherwise makes its own with its own import time; without it, each binary's embedded
default database), and prints each command line whose standard output or exit code
differs, with the first differing line. Exit status 1 when any differs.
"""
import argparse
import os
import subprocess
import sys


def cases(db_is_default):
    """Command lines for the default data's ids (E0013, 330122, endo); others get a generic set."""
    if db_is_default:
        region, enterprise, track = "330122", "E0013", "endo"
    else:
        region, enterprise, track = None, None, None
    c = [["stats"], ["search", "医疗"], ["search", "a", "--limit", "3", "--kind", "enterprise"],
         ["relatedness", "--level", "province", "--top", "5"], ["leaders", "--top", "20"],
         ["clusters", "--seed", "3"], ["export", "-"], ["recommend", "--list"],
         ["recommend", "--with", "leaders", "--top", "5"],
         # bad values: their messages changed on purpose (field names, one message everywhere)
         ["search", "a", "--limit", "0"], ["leaders", "--top", "0"], ["relatedness", "--level", "park"]]
    if region:
        c += [["stats", "--region", region], ["show", enterprise], ["show", "region:" + region],
              ["chain", "--region", region], ["chain", "--region", region, "--track", track],
              ["gaps", "--region", region], ["gaps", "--region", region, "--status", "missing"],
              ["gaps", "--region", region, "--track", track, "--status", "缺链"],
              ["partners", "--enterprise", enterprise], ["partners", "--enterprise", enterprise,
                                                         "--role", "customer", "--top", "50"],
              ["partners", "--enterprise", enterprise, "--role", "peer", "--within", "330000",
               "--include-known"],
              ["pairings", "--enterprise", enterprise], ["pairings", "--enterprise", enterprise,
                                                         "--kind", "triad"],
              ["pairings", "--enterprise", enterprise, "--kind", "hospital", "--scorer", "nearby"],
              ["targets", "--region", region], ["targets", "--region", region, "--track", track,
                                                "--within", "上海市,江苏省,杭州市", "--top", "30"],
              ["targets", "--region", region, "--scorer", "quality"],
              ["relatedness", "--region", region], ["relatedness", "--track", track, "--top", "0"],
              ["leaders", "--region", "330100", "--track", track],
              ["clusters", "--region", "330100"], ["indicators", "--region", region],
              ["targets", "--region", region, "--top", "0"],
              ["targets", "--region", region, "--top", "-1"],
              ["partners", "--enterprise", "no-such-firm"],
              ["recommend", "--with", "triads", "--subject", enterprise],
              ["recommend", "--with", "targets", "--subject", region, "--top", "5"]]
    return c


def run(binary, args, db):
    cmd = [binary] + args + (["--db", db] if db else [])
    env = dict(os.environ, LC_ALL="C.UTF-8")
    p = subprocess.run(cmd, capture_output=True, env=env)
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--default-db")
    ap.add_argument("--db", action="append", default=[])
    a = ap.parse_args()
    differ = same = 0
    for db, default in [(a.default_db, True)] + [(d, False) for d in a.db]:
        for args in cases(default):
            for lang in (["--json", "--lang", "en"], ["--json", "--lang", "zh"], ["--lang", "zh"],
                         ["--lang", "en"]):
                line = args + lang
                if args[0] == "export" and "--json" in lang:
                    continue  # export writes its own format
                old, new = run(a.old, line, db), run(a.new, line, db)
                if old == new:
                    same += 1
                    continue
                differ += 1
                ol, nl = old[1].decode(errors="replace").splitlines(), new[1].decode(errors="replace").splitlines()
                first = next((i for i in range(max(len(ol), len(nl)))
                              if i >= len(ol) or i >= len(nl) or ol[i] != nl[i]), 0)
                print(f"DIFFERS [{db or 'embedded default'}] chainatlas {' '.join(line)}: rc {old[0]} -> {new[0]}")
                print(f"   old: {ol[first][:150] if first < len(ol) else '(end)'}")
                print(f"   new: {nl[first][:150] if first < len(nl) else '(end)'}")
    print(f"{same} identical, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
