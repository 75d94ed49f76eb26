#!/usr/bin/python3
"""The graph kernels of chainatlas-bench against igraph and NetworkX.

Generates seeded graphs (random digraphs with dangling vertices, self-loops and repeated lines,
weighted and unweighted; an undirected planted partition), runs chainatlas-bench on them and
checks:
  - PageRank: L1 distance <= 1e-6 from igraph (PRPACK) and from NetworkX; scores sum to 1;
    the same answer twice (bit for bit) and nearly the same on one thread as on two;
  - personalised PageRank (one seed vertex): L1 <= 1e-6 from igraph and NetworkX, both of which
    spread dangling rank by the personalisation vector, as chainatlas does (checked: they agree);
  - Louvain: modularity within 1% of igraph's community_multilevel (or better), and equal within
    1e-9 to igraph's and NetworkX's modularity of our membership; same seed, same membership;
  - betweenness: equal to igraph's betweenness(directed=True) and NetworkX's
    betweenness_centrality(normalized=False) within 1e-6 relative, unweighted and weighted (small
    integer weights, so many paths tie), and on an undirected graph (--undirected);
  - bad input files: a non-zero exit and a message naming file:line.

Run with Debian's /usr/bin/python3 (python3-igraph, python3-networkx, numpy).
Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

import igraph
import networkx as nx
import numpy as np

FAILURES = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


# ---------------------------------------------------------------------------- graphs


def random_digraph(path, n, m, seed, weighted, dangling_share=0.1, integer_weights=False):
    """A random digraph written as an edge list. The last dangling_share of the vertices have no
    out-edges; a few self-loops and repeated lines are included. Returns the lines as
    (src, dst, weight) with weights as float32 values (what chainatlas-bench stores)."""
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, int(n * (1 - dangling_share)), m)
    targets = rng.integers(0, n, m)
    targets[: m // 200] = sources[: m // 200]  # self-loops
    repeat = rng.integers(0, m, m // 100)  # repeated lines
    sources = np.concatenate([sources, sources[repeat], [0]])
    targets = np.concatenate([targets, targets[repeat], [n - 1]])  # n - 1 is the largest id
    if integer_weights:
        weights = rng.integers(1, 6, len(sources)).astype(np.float32)
    else:
        weights = np.round(rng.uniform(0.1, 5.0, len(sources)), 3).astype(np.float32)
    with open(path, "w") as f:
        f.write(f"# random digraph n={n} m={m} seed={seed}\n")
        for s, t, w in zip(sources, targets, weights):
            f.write(f"{s} {t} {w:.9g}\n" if weighted else f"{s}\t{t}\n")
    return list(zip(sources.tolist(), targets.tolist(), weights.tolist()))


def simple_random_digraph(path, n, m, seed, integer_weights):
    """A random digraph without repeated edges or self-loops (betweenness counts repeated edges
    as separate paths in igraph but not in NetworkX, so the comparison needs a simple graph)."""
    rng = np.random.default_rng(seed)
    edges = set()
    while len(edges) < m:
        s, t = (int(x) for x in rng.integers(0, n, 2))
        if s != t and s < int(n * 0.9):
            edges.add((s, t))
    edges.add((0, n - 1))  # n - 1 is the largest id
    edges = sorted(edges)
    weights = rng.integers(1, 6, len(edges)) if integer_weights else np.ones(len(edges))
    with open(path, "w") as f:
        for (s, t), w in zip(edges, weights):
            f.write(f"{s} {t} {int(w)}\n")
    return [(s, t, float(w)) for (s, t), w in zip(edges, weights)]


def planted_partition(path, groups, size, p_in, p_out, seed, weighted):
    """An undirected planted-partition graph, each edge listed once, plus two self-loops."""
    rng = np.random.default_rng(seed)
    n = groups * size
    edges = []
    for u in range(n):
        for v in range(u + 1, n):
            p = p_in if u // size == v // size else p_out
            if rng.random() < p:
                edges.append((u, v))
    edges += [(3, 3), (n - 1, n - 1)]
    weights = np.round(rng.uniform(0.5, 2.0, len(edges)), 2).astype(np.float32)
    with open(path, "w") as f:
        for (u, v), w in zip(edges, weights):
            f.write(f"{u} {v} {w:.9g}\n" if weighted else f"{u} {v}\n")
    return n, [(u, v, float(w) if weighted else 1.0) for (u, v), w in zip(edges, weights)]


def merged_edges(lines, weighted):
    """Distinct (src, dst) edges. Weighted: repeated lines summed as chainatlas does (in input
    order, in double, rounded once to float32). Unweighted: weight 1 each."""
    total = {}
    for s, t, w in lines:
        total[(s, t)] = total.get((s, t), 0.0) + (w if weighted else 0.0)
    return {k: (float(np.float32(v)) if weighted else 1.0) for k, v in total.items()}


# ---------------------------------------------------------------------------- running


def bench(args, *options):
    command = [args.bench, *options, "--json"]
    started = time.time()
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({run.returncode}): {run.stderr.strip()}")
    out = json.loads(run.stdout)
    out["_wall"] = time.time() - started
    return out


def l1(a, b):
    return float(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).sum())


def relative_max(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float((np.abs(a - b) / np.maximum(1.0, np.abs(b))).max()) if len(a) else 0.0


_GRAPHS = {}


def igraph_directed(n, edges):
    key = ("igraph", id(edges))
    if key not in _GRAPHS:
        g = igraph.Graph(n=n, edges=list(edges.keys()), directed=True)
        g.es["weight"] = list(edges.values())
        _GRAPHS[key] = (edges, g)  # keeps edges alive, so its id stays unique
    return _GRAPHS[key][1]


def networkx_directed(n, edges):
    key = ("networkx", id(edges))
    if key not in _GRAPHS:
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from((s, t, w) for (s, t), w in edges.items())
        _GRAPHS[key] = (edges, g)
    return _GRAPHS[key][1]


_MERGED = {}


def merged(lines, weighted):
    """merged_edges, computed once per list of lines."""
    key = (id(lines), weighted)
    if key not in _MERGED:
        _MERGED[key] = (lines, merged_edges(lines, weighted))
    return _MERGED[key][1]


# ---------------------------------------------------------------------------- checks


def check_pagerank(args, name, path, n, lines, weighted):
    edges = merged(lines, weighted)
    flag = ["--weighted"] if weighted else []
    ours = bench(args, "--edges", path, "--algo", "pagerank", *flag)
    check(ours["n"] == n and len(ours["scores"]) == n, f"{name}: pagerank gives n = {n} scores")
    check(ours["converged"], f"{name}: pagerank converged in {ours['iterations']} sweeps")
    x = np.array(ours["scores"])
    off = abs(x.sum() - 1)
    check(off <= 1e-9, f"{name}: pagerank sums to 1 (|sum - 1| = {off:.2e})")

    ig = igraph_directed(n, edges)
    started = time.time()
    ref_ig = ig.pagerank(damping=0.85, weights="weight" if weighted else None, directed=True)
    ig_seconds = time.time() - started
    d = l1(x, ref_ig)
    check(d <= 1e-6, f"{name}: pagerank vs igraph L1 = {d:.2e} "
          f"(ours {ours['seconds'] * 1e3:.1f} ms, igraph {ig_seconds * 1e3:.1f} ms)")
    ref_nx = nx.pagerank(networkx_directed(n, edges), alpha=0.85, tol=1e-14, max_iter=10000,
                         weight="weight" if weighted else None)
    d = l1(x, [ref_nx[v] for v in range(n)])
    check(d <= 1e-6, f"{name}: pagerank vs NetworkX L1 = {d:.2e}")

    again = bench(args, "--edges", path, "--algo", "pagerank", *flag)
    check(again["scores"] == ours["scores"], f"{name}: pagerank is identical when run again")
    for threads in ("1", "2"):
        other = bench(args, "--edges", path, "--algo", "pagerank", "--threads", threads, *flag)
        d = l1(other["scores"], x)
        check(d <= 1e-9, f"{name}: pagerank on {threads} thread(s) within L1 {d:.2e} of default")


def check_personalised(args, name, path, n, lines, weighted, source):
    edges = merged(lines, weighted)
    flag = ["--weighted"] if weighted else []
    ours = bench(args, "--edges", path, "--algo", "ppr", "--source", str(source), *flag)
    x = np.array(ours["scores"])
    check(abs(x.sum() - 1) <= 1e-9, f"{name}: ppr from {source} sums to 1")
    w = "weight" if weighted else None
    ref_ig = igraph_directed(n, edges).personalized_pagerank(
        damping=0.85, reset_vertices=[source], weights=w, directed=True)
    ref_nx = nx.pagerank(networkx_directed(n, edges), alpha=0.85, personalization={source: 1.0},
                         tol=1e-14, max_iter=10000, weight=w)
    ref_nx = [ref_nx[v] for v in range(n)]
    between = l1(ref_ig, ref_nx)
    check(between <= 1e-6, f"{name}: ppr from {source}: igraph and NetworkX agree "
          f"(L1 {between:.2e}), both sending dangling rank to the seed")
    d_ig, d_nx = l1(x, ref_ig), l1(x, ref_nx)
    check(d_ig <= 1e-6, f"{name}: ppr from {source} vs igraph L1 = {d_ig:.2e}")
    check(d_nx <= 1e-6, f"{name}: ppr from {source} vs NetworkX L1 = {d_nx:.2e}")
    # The other convention (dangling rank spread uniformly) differs measurably here, so the
    # comparison above does tell the conventions apart.
    uniform = nx.pagerank(networkx_directed(n, edges), alpha=0.85, personalization={source: 1.0},
                          dangling={v: 1.0 for v in range(n)}, tol=1e-14, max_iter=10000, weight=w)
    d_uniform = l1(x, [uniform[v] for v in range(n)])
    check(d_uniform > 1e-4, f"{name}: ppr from {source} differs from the uniform-dangling "
          f"convention (L1 {d_uniform:.2e})")


def check_louvain(args, name, path, n, lines, weighted):
    flag = ["--weighted"] if weighted else []
    ours = bench(args, "--edges", path, "--algo", "louvain", "--seed", "7", *flag)
    membership = ours["membership"]
    check(len(membership) == n, f"{name}: louvain gives {n} community ids")
    check(ours["communities"] == len(set(membership)),
          f"{name}: louvain reports {ours['communities']} communities")
    check(sorted(set(membership)) == list(range(ours["communities"])),
          f"{name}: community ids are 0..communities-1")
    first_seen = []
    for c in membership:
        if c not in first_seen:
            first_seen.append(c)
    check(first_seen == sorted(first_seen), f"{name}: communities numbered by smallest vertex")

    g = igraph.Graph(n=n, edges=[(u, v) for u, v, _ in lines], directed=False)
    g.es["weight"] = [w for _, _, w in lines]
    random.seed(7)  # python-igraph draws from Python's random module: a repeatable reference
    started = time.time()
    ref = g.community_multilevel(weights="weight")
    ig_seconds = time.time() - started
    ig_q = g.modularity(ref.membership, weights="weight")
    q = ours["modularity"]
    check(q >= 0.99 * ig_q, f"{name}: louvain modularity {q:.6f} vs igraph {ig_q:.6f} "
          f"(ours {ours['seconds'] * 1e3:.1f} ms, igraph {ig_seconds * 1e3:.1f} ms)")
    recomputed = g.modularity(membership, weights="weight")
    check(abs(recomputed - q) <= 1e-9,
          f"{name}: our modularity equals igraph's of our membership ({abs(recomputed - q):.1e})")
    h = nx.Graph()
    h.add_nodes_from(range(n))
    h.add_weighted_edges_from(lines)
    groups = {}
    for v, c in enumerate(membership):
        groups.setdefault(c, set()).add(v)
    nx_q = nx.community.modularity(h, list(groups.values()), weight="weight")
    check(abs(nx_q - q) <= 1e-9, f"{name}: our modularity equals NetworkX's ({abs(nx_q - q):.1e})")
    again = bench(args, "--edges", path, "--algo", "louvain", "--seed", "7", *flag)
    check(again["membership"] == membership and again["modularity"] == q,
          f"{name}: louvain with the same seed gives the same answer")


def check_betweenness(args, name, path, n, lines, weighted):
    edges = merged(lines, weighted)
    flag = ["--weighted"] if weighted else []
    ours = bench(args, "--edges", path, "--algo", "betweenness", *flag)
    x = ours["scores"]
    w = "weight" if weighted else None
    started = time.time()
    ref_ig = igraph_directed(n, edges).betweenness(directed=True, weights=w)
    ig_seconds = time.time() - started
    d = relative_max(x, ref_ig)
    check(d <= 1e-6, f"{name}: betweenness vs igraph, max relative difference {d:.1e} "
          f"(ours {ours['seconds'] * 1e3:.1f} ms, igraph {ig_seconds * 1e3:.1f} ms)")
    ref_nx = nx.betweenness_centrality(networkx_directed(n, edges), normalized=False, weight=w)
    d = relative_max(x, [ref_nx[v] for v in range(n)])
    check(d <= 1e-6, f"{name}: betweenness vs NetworkX, max relative difference {d:.1e}")
    check(max(x) > 0, f"{name}: betweenness is not all zero")


def check_undirected_betweenness(args, name, path, n, lines):
    ours = bench(args, "--edges", path, "--algo", "betweenness", "--undirected")
    g = igraph.Graph(n=n, edges=[(u, v) for u, v, _ in lines], directed=False)
    g.simplify()
    d = relative_max(ours["scores"], g.betweenness(directed=False))
    check(d <= 1e-6, f"{name}: undirected betweenness vs igraph, max relative difference {d:.1e}")
    h = nx.Graph()
    h.add_nodes_from(range(n))
    h.add_edges_from((u, v) for u, v, _ in lines if u != v)
    ref = nx.betweenness_centrality(h, normalized=False)
    d = relative_max(ours["scores"], [ref[v] for v in range(n)])
    check(d <= 1e-6, f"{name}: undirected betweenness vs NetworkX, max relative difference {d:.1e}")


def check_bad_input(args):
    cases = [
        ("0 1\n1 x\n", 2, "not a vertex id"),
        ("0 1\n# comment\n2 3 -1\n", 3, "must be finite and >= 0"),
        ("0 1 1\n4\n", 2, "missing the target"),
        ("0 1 2 3\n", 1, "too many fields"),
        ("0 1\n\n1 99999999999\n", 3, "too large"),
        ("0 1 nan\n", 1, "must be finite"),
    ]
    for k, (text, line, reason) in enumerate(cases):
        path = os.path.join(args.workdir, f"bad{k}.txt")
        with open(path, "w") as f:
            f.write(text)
        run = subprocess.run([args.bench, "--edges", path, "--algo", "pagerank", "--weighted"],
                             capture_output=True, text=True)
        where = f"{path}:{line}:"
        check(run.returncode != 0 and where in run.stderr and reason in run.stderr,
              f"bad input {text!r}: exit {run.returncode}, message {run.stderr.strip()!r}")
    run = subprocess.run([args.bench, "--edges", os.path.join(args.workdir, "missing.txt"),
                          "--algo", "pagerank"], capture_output=True, text=True)
    check(run.returncode != 0 and "missing.txt" in run.stderr,
          f"missing file: exit {run.returncode}, message {run.stderr.strip()!r}")
    path = os.path.join(args.workdir, "bad0.txt")
    with open(path, "w") as f:
        f.write("0 1\n1 2\n")
    run = subprocess.run([args.bench, "--edges", path, "--algo", "ppr", "--source", "3"],
                         capture_output=True, text=True)
    check(run.returncode != 0 and "--source 3" in run.stderr,
          f"ppr seed outside the graph: exit {run.returncode}, message {run.stderr.strip()!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", required=True, help="path to chainatlas-bench")
    parser.add_argument("--workdir", required=True, help="folder for the generated graphs")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    started = time.time()

    def at(name):
        return os.path.join(args.workdir, name)

    lines = random_digraph(at("digraph.txt"), 3000, 15000, seed=1, weighted=False)
    check_pagerank(args, "digraph n=3000", at("digraph.txt"), 3000, lines, weighted=False)
    check_personalised(args, "digraph n=3000", at("digraph.txt"), 3000, lines, False, source=5)
    lines = random_digraph(at("wdigraph.txt"), 2000, 12000, seed=2, weighted=True)
    check_pagerank(args, "weighted digraph n=2000", at("wdigraph.txt"), 2000, lines, weighted=True)
    check_personalised(args, "weighted digraph n=2000", at("wdigraph.txt"), 2000, lines, True,
                       source=17)
    # A seed that is itself dangling: all of its rank goes back to itself.
    check_personalised(args, "weighted digraph n=2000", at("wdigraph.txt"), 2000, lines, True,
                       source=1999)
    # Large enough for chainatlas to use two threads and several phases per sweep.
    lines = random_digraph(at("large.txt"), 50000, 400000, seed=8, weighted=True)
    check_pagerank(args, "large weighted digraph n=50000", at("large.txt"), 50000, lines,
                   weighted=True)
    check_personalised(args, "large weighted digraph n=50000", at("large.txt"), 50000, lines, True,
                       source=123)
    lines = random_digraph(at("sparse.txt"), 400, 600, seed=3, weighted=False, dangling_share=0.4)
    check_pagerank(args, "sparse digraph n=400", at("sparse.txt"), 400, lines, weighted=False)

    n, lines = planted_partition(at("planted.txt"), 12, 80, 0.12, 0.004, seed=4, weighted=False)
    check_louvain(args, f"planted partition n={n}", at("planted.txt"), n, lines, weighted=False)
    n, lines = planted_partition(at("wplanted.txt"), 8, 60, 0.15, 0.01, seed=5, weighted=True)
    check_louvain(args, f"weighted planted partition n={n}", at("wplanted.txt"), n, lines,
                  weighted=True)
    check_undirected_betweenness(args, f"planted partition n={n}", at("wplanted.txt"), n, lines)

    lines = simple_random_digraph(at("between.txt"), 500, 2000, seed=6, integer_weights=False)
    check_betweenness(args, "digraph n=500", at("between.txt"), 500, lines, weighted=False)
    lines = simple_random_digraph(at("wbetween.txt"), 400, 1600, seed=7, integer_weights=True)
    check_betweenness(args, "integer-weighted digraph n=400", at("wbetween.txt"), 400, lines,
                      weighted=True)

    check_bad_input(args)
    print(f"{len(FAILURES)} failure(s) in {time.time() - started:.1f} s")
    if FAILURES:
        print("FAILED:\n  " + "\n  ".join(FAILURES), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
