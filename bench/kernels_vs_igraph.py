#!/usr/bin/python3
"""PageRank and Louvain of chainatlas-bench against python3-igraph on edge lists (issue 12 item 5).

  bench/kernels_vs_igraph.py --build-dir build EDGES [EDGES ...] [--runs 20] [--markdown]

Per edge list ('src dst' a line, as `chainatlas-query-bench --write-edges` writes the snapshot's
graph; bench/run.py leaves one per size under --work), in one run:
  - PageRank: igraph's pagerank (PRPACK, its own tolerance) is the reference and the peer; ours
    runs at the loosest tolerance in 1e-6, 3e-7, 1e-7, ... whose answer is within L1 1e-6 of
    igraph's (run.py's rule), best of --repeat runs each side, alternating, every run in a fresh
    process on both sides, each side's time the library call alone (ours: chainatlas-bench's
    `seconds`, components and transposition included).
  - Louvain: ours with --seed 1..runs, igraph's community_multilevel with Python's RNG seeded
    1..runs (run.py peer), mean / min / max modularity and mean time; the check is run.py's
    louvain_quality (our mean at least 99.5% of igraph's).
Prints one markdown table row per graph and measure (with --markdown), else JSON.
"""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/run.py: the peers, the spawner, the Louvain rule)


def igraph_pagerank(edges):
    """Seconds of igraph's pagerank (PRPACK) in a process of its own, as bench/run.py measures
    it (`run.py peer`: the library call alone, graph construction excluded), and its scores."""
    import numpy as np
    out, _, _ = bench.run([bench.PY, os.path.join(bench.ROOT, "bench", "run.py"), "peer", "--lib",
                           "igraph", "--algo", "pagerank", "--edges", edges])
    j = json.loads(out)
    return j["seconds"], np.array(j["scores"]), j["n"], j["m"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edges", nargs="+")
    ap.add_argument("--build-dir", default=os.path.join(bench.ROOT, "build"))
    ap.add_argument("--runs", type=int, default=20, help="Louvain runs per side (seeds 1..runs)")
    ap.add_argument("--repeat", type=int, default=5, help="PageRank: best of this many, each side")
    ap.add_argument("--names", default="", help="labels for the edge lists, separated by ';'")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--skip-louvain", action="store_true")
    a = ap.parse_args()
    kernel = os.path.join(a.build_dir, "bench", "chainatlas-bench")
    names = a.names.split(";") if a.names else [os.path.basename(os.path.dirname(p)) or p for p in a.edges]
    import numpy as np
    out = []
    for name, edges in zip(names, a.edges):
        r = {"graph": name, "edges": edges, "load_before": bench.loadavg(),
             "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")}
        # ---- PageRank: alternate the sides, best of `repeat` each.
        ig_best, ref, n, m = None, None, 0, 0
        ours = None
        for tol in (1e-6, 3e-7, 1e-7, 1e-8, 1e-9, 1e-10):
            best = None
            for _ in range(a.repeat):
                s, ref, n, m = igraph_pagerank(edges)
                ig_best = s if ig_best is None else min(ig_best, s)
                out_, _, _ = bench.run([kernel, "--edges", edges, "--algo", "pagerank",
                                        "--tolerance", tol, "--json"])
                j = json.loads(out_)
                if best is None or j["seconds"] < best["seconds"]:
                    best = j
            l1 = float(np.abs(np.array(best["scores"]) - ref).sum())
            ours = {"tolerance": tol, "seconds": best["seconds"], "iterations": best["iterations"],
                    "l1_vs_igraph": l1}
            if l1 <= bench.L1_GOAL:
                break
        r.update({"n": n, "m": m, "pagerank": {"ours": ours, "igraph_seconds": ig_best,
                                              "ratio": ig_best / ours["seconds"]}})
        # ---- Louvain
        if not a.skip_louvain:
            runs = [json.loads(bench.run([kernel, "--edges", edges, "--algo", "louvain", "--seed",
                                          k + 1, "--json"])[0]) for k in range(a.runs)]
            ig_out, _, _ = bench.run([bench.PY, os.path.join(bench.ROOT, "bench", "run.py"), "peer",
                                      "--lib", "igraph", "--algo", "louvain", "--edges", edges,
                                      "--seed", 1, "--runs", a.runs])
            ig = json.loads(ig_out)["runs"]

            def summary(rs):
                q = [x["modularity"] for x in rs]
                return {"modularity": float(np.mean(q)), "modularity_min": float(min(q)),
                        "modularity_max": float(max(q)),
                        "seconds": float(np.mean([x["seconds"] for x in rs])),
                        "communities": int(np.median([x["communities"] for x in rs]))}
            lv = {"runs": a.runs, "ours": summary(runs), "igraph": summary(ig)}
            lv["ok"], lv["tolerance"] = bench.louvain_quality(lv)
            r["louvain"] = lv
        r["load_after"] = bench.loadavg()
        out.append(r)
        bench.log(json.dumps(r))
    if not a.markdown:
        json.dump(out, sys.stdout, indent=1)
        return 0
    print("| graph (n, m) | PageRank ours: tolerance, sweeps, L1 from igraph, time | igraph | ratio (>= 3x) "
          "| Louvain mean modularity ours [min..max], time | igraph [min..max], time | ours / igraph (>= 0.995) | load before / after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in out:
        p = r["pagerank"]
        o = p["ours"]
        row = (f"| {r['graph']} ({r['n']:,}, {r['m']:,}) | {o['tolerance']:g}, {o['iterations']} sweeps, "
               f"{o['l1_vs_igraph']:.1e}, {o['seconds'] * 1e3:.1f} ms | {p['igraph_seconds'] * 1e3:.1f} ms | "
               f"**{p['ratio']:.1f}x** | ")
        if "louvain" in r:
            lo, li = r["louvain"]["ours"], r["louvain"]["igraph"]
            row += (f"{lo['modularity']:.4f} [{lo['modularity_min']:.4f}..{lo['modularity_max']:.4f}], "
                    f"{lo['seconds'] * 1e3:.0f} ms | {li['modularity']:.4f} [{li['modularity_min']:.4f}.."
                    f"{li['modularity_max']:.4f}], {li['seconds'] * 1e3:.0f} ms | "
                    f"**{lo['modularity'] / li['modularity']:.4f}** | ")
        else:
            row += "- | - | - | "
        row += f"{' '.join(r['load_before'])} / {' '.join(r['load_after'])} |"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
