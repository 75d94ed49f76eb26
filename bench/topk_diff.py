#!/usr/bin/python3
"""Dumps the partners (supplier and customer) of every enterprise and the targets of a set of
regions as the JSON documents `chainatlas partners|targets ... --json` prints, one per line, so
that two builds can be compared byte for byte (issue 12 item 4: the top-K paths must answer
exactly what the exhaustive scorers answered).

  bench/topk_diff.py --binary build/chainatlas [--db FILE] [--regions N] [--enterprises N]
      [--pairings university,hospital] [--cli-checks N] [--scorer NAME] --out FILE

Starts `chainatlas serve` on free loopback ports and asks its JSON API (`GET /api/v1/partners`,
`/api/v1/targets`), which answers exactly the CLI's `--json` document (docs/service.md); a few
subjects are also asked through the CLI itself and checked against the API's answer. Without
--db, the embedded default database. Regions: the counties and cities (every one, or N drawn
with a fixed seed), and every province. Then `cmp` the two outputs.
"""
import argparse
import http.client
import json
import os
import queue
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


def start(binary, db):
    cmd = [binary, "serve", "--port", "0", "--http-port", "0", "--threads", "2"]
    if db:
        cmd += ["--db", db]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in iter(proc.stdout.readline, "")],
                     daemon=True).start()
    deadline = time.time() + 600
    while time.time() < deadline:
        line = lines.get(timeout=max(0.1, deadline - time.time()))
        if line.startswith("listening: http"):
            return proc, int(line.rsplit(":", 1)[1])
    proc.kill()
    raise RuntimeError("the server did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--db", default="")
    ap.add_argument("--default-db", default="", help="the default database's file, to list its subjects")
    ap.add_argument("--regions", type=int, default=0, help="counties and cities to ask (0: all)")
    ap.add_argument("--enterprises", type=int, default=0, help="enterprises to ask (0: all)")
    ap.add_argument("--scorer", default="")
    ap.add_argument("--pairings", default="",
                    help="also each enterprise's pairings of these kinds (comma-separated, e.g. university,hospital)")
    ap.add_argument("--cli-checks", type=int, default=3,
                    help="subjects also asked through the CLI (0 on a large database: each CLI call loads it)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    con = sqlite3.connect(a.db or a.default_db)
    ents = [k for (k,) in con.execute(
        "SELECT key FROM nodes WHERE id IN (SELECT node_id FROM enterprises) ORDER BY key")]
    regs = [(k, lvl) for (k, lvl) in con.execute(
        "SELECT n.key, r.level FROM nodes n JOIN regions r ON r.node_id = n.id ORDER BY n.key")]
    rng = random.Random(12)
    if a.enterprises and len(ents) > a.enterprises:
        ents = sorted(rng.sample(ents, a.enterprises))
    local = [k for k, lvl in regs if lvl in ("county", "city")]
    if a.regions and len(local) > a.regions:
        local = sorted(rng.sample(local, a.regions))
    regions = local + [k for k, lvl in regs if lvl == "province"]

    proc, port = start(a.binary, a.db)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    extra = {"scorer": a.scorer} if a.scorer else {}

    def get(command, **options):
        options.update(extra)
        conn.request("GET", f"/api/v1/{command}?" + urllib.parse.urlencode(options))
        r = conn.getresponse()
        return r.read().decode()

    n = 0
    try:
        with open(a.out, "w") as out:
            for e in ents:
                for role in ("supplier", "customer"):
                    out.write(get("partners", enterprise="enterprise:" + e, role=role) + "\n")
                    n += 1
            for e in ents:
                for kind in filter(None, a.pairings.split(",")):
                    out.write(get("pairings", enterprise="enterprise:" + e, kind=kind) + "\n")
                    n += 1
            for r in regions:
                out.write(get("targets", region="region:" + r) + "\n")
                n += 1
            # A few through the CLI itself: the same document.
            for e in ents[:a.cli_checks]:
                args = [a.binary, "partners", "--enterprise", "enterprise:" + e, "--role", "supplier", "--json"]
                if a.db:
                    args += ["--db", a.db]
                if a.scorer:
                    args += ["--scorer", a.scorer]
                doc = subprocess.run(args, capture_output=True, text=True, check=True).stdout
                if json.loads(doc) != json.loads(get("partners", enterprise="enterprise:" + e, role="supplier")):
                    print(f"CLI and API differ for {e}", file=sys.stderr)
                    sys.exit(1)
    finally:
        proc.terminate()
        proc.wait()
    print(f"{n} documents written to {a.out} ({len(ents)} enterprises x 2 roles, {len(regions)} regions)")


if __name__ == "__main__":
    main()
