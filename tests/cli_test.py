#!/usr/bin/python3
"""The chainatlas command line end to end, as a user runs it.

Runs on the embedded default dataset (built into a private database for this test) and on the
small fixture bundle; checks the exports by reading them back with NetworkX, an independent
reader. Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

import networkx as nx

results = {"passed": 0, "failed": 0}


def check(cond, what):
    if cond:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED: {what}", file=sys.stderr)


def run(binary, args, env, expect=0):
    p = subprocess.run([binary] + args, capture_output=True, text=True, env=env)
    ok = p.returncode != 0 if expect == "nonzero" else p.returncode == expect
    check(ok,
          f"chainatlas {' '.join(args)} exited {p.returncode}, expected {expect}\n{p.stderr[-2000:]}")
    return p


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    env = dict(os.environ, CHAINATLAS_DEFAULT_DB=os.path.join(a.workdir, "default.db"))
    b = a.binary

    # stats --json on the default database: every node kind non-empty, exactly one document.
    p = run(b, ["stats", "--json"], env)
    stats = json.loads(p.stdout)
    for kind in ["region", "track", "segment", "enterprise", "hospital", "institution", "platform"]:
        check(stats["nodes"].get(kind, 0) > 0, f"stats: no {kind}")
    check(stats["nodes"]["enterprise"] >= 300, "at least 300 enterprises")
    tonglu = run(b, ["stats", "--region", "330122", "--json"], env)
    t = json.loads(tonglu.stdout)
    check(t["regions"][0]["code"] == "330122" and t["regions"][0]["enterprise"] > 0,
          "stats --region 330122 counts Tonglu's enterprises")

    # search, show: by name substring, then the first hit by its id.
    p = run(b, ["search", "内窥镜", "--kind", "segment", "--json"], env)
    hits = json.loads(p.stdout)["results"]
    check(len(hits) > 0 and all("内窥镜" in h["name"] for h in hits), "search finds segments by name")
    p = run(b, ["search", "桐庐", "--kind", "enterprise", "--limit", "3", "--json"], env)
    ents = json.loads(p.stdout)["results"]
    check(len(ents) == 3, "search --limit 3")
    eid = ents[0]["id"]
    p = run(b, ["show", eid, "--json"], env)
    shown = json.loads(p.stdout)
    check(shown["node"]["id"] == eid, "show by kind:key")
    check(shown["provenance"]["file"] == "enterprises.csv", "show carries provenance")
    check(any(r["kind"] == "produces" for r in shown["out"]), "an enterprise produces something")
    p = run(b, ["show", shown["node"]["name"], "--json"], env)
    check(json.loads(p.stdout)["node"]["id"] == eid, "show by exact name")
    p = run(b, ["show", "桐庐县"], env)
    check("region:330122" in p.stdout, "show a region by name, as text")
    p = run(b, ["show", "no-such-thing", "--json"], env, expect=3)
    err = json.loads(p.stdout)["error"]
    check(err["code"] == "not found" and len(err["suggestions"]) > 0, "unknown id lists closest matches")

    # chain panorama: Tonglu's endoscope chain has local makers and a named gap.
    p = run(b, ["chain", "--region", "330122", "--track", "endo", "--json"], env)
    pano = json.loads(p.stdout)
    check(len(pano["segments"]) > 10, "panorama lists the track's segments")
    check(any(len(s["local_producers"]) > 0 for s in pano["segments"]), "Tonglu makes something")

    # export: NetworkX reads both formats back with the same counts.
    out_json = os.path.join(a.workdir, "g.json")
    out_gml = os.path.join(a.workdir, "g.graphml")
    run(b, ["export", "--format", "json", out_json], env)
    run(b, ["export", "--format", "graphml", out_gml], env)
    n_nodes = sum(stats["nodes"].values())
    n_edges = sum(stats["edges"].values())
    g = nx.node_link_graph(json.load(open(out_json)), directed=True, multigraph=True)
    check(g.number_of_nodes() == n_nodes, f"node-link JSON nodes {g.number_of_nodes()} == {n_nodes}")
    check(g.number_of_edges() == n_edges, f"node-link JSON edges {g.number_of_edges()} == {n_edges}")
    kinds = {}
    for _, _, d in g.edges(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    check(kinds == {k: v for k, v in stats["edges"].items() if v}, "edge kinds agree with stats")
    h = nx.read_graphml(out_gml)
    check(h.number_of_nodes() == n_nodes, "GraphML nodes")
    check(h.number_of_edges() == n_edges, "GraphML edges")
    check(h.nodes["region:330122"]["name"] == "桐庐县", "GraphML node attributes")

    # import: a good bundle, again (idempotent), then one broken row (rejected, nothing changes).
    db = os.path.join(a.workdir, "mine.db")
    p = run(b, ["import", "--db", db, "--json", os.path.join(a.fixtures, "small")], env)
    first = json.loads(p.stdout)
    check(first["accepted"] and first["entities"]["inserted"] == 24, "fixture imports")
    p = run(b, ["import", "--db", db, "--json", os.path.join(a.fixtures, "small")], env)
    again = json.loads(p.stdout)
    check(again["entities"]["inserted"] == 0 and again["entities"]["updated"] == 0
          and again["relations"]["inserted"] == 0 and again["relations"]["updated"] == 0,
          "re-import changes nothing")
    broken = os.path.join(a.workdir, "broken")
    shutil.copytree(os.path.join(a.fixtures, "small"), broken)
    with open(os.path.join(broken, "produces.csv"), "a") as f:
        f.write("E2,endo.lens,1.7\n")
    before = sha(db)
    p = run(b, ["import", "--db", db, broken], env, expect=1)
    check(f"{broken}/produces.csv:9: share 1.7 is out of range (0, 1]" in p.stderr,
          f"broken row reported as file:line: reason, got: {p.stderr}")
    check("is unchanged" in p.stderr, "rejection says the database is unchanged")
    check(sha(db) == before, "database file unchanged after a rejected import")
    p = run(b, ["stats", "--db", os.path.join(a.workdir, "absent.db")], env, expect=3)
    check("no such database" in p.stderr, "a missing --db is an error, not a new database")
    p = run(b, ["frobnicate"], env, expect="nonzero")
    check("subcommand" in p.stderr, "an unknown command is a usage error")

    print(f"cli: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
