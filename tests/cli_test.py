#!/usr/bin/python3
"""The chainatlas command line end to end, as a user runs it.

Runs on the embedded default dataset (built into a private database for this test) and on the
small fixture bundle; checks the exports by reading them back with NetworkX, an independent
reader. Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import hashlib
import json
import subprocess
import re
import os
import shutil
import sys

import networkx as nx

from testlib import check, run, summary, without_key

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
    # English whatever the developer's locale (the reasons follow --lang, else LC_ALL / LANG).
    env = dict(os.environ, CHAINATLAS_DEFAULT_DB=os.path.join(a.workdir, "default.db"), LC_ALL="C.UTF-8")
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

    # Recommendations and analytics on the default dataset: every command answers, with scores
    # that are the sum of their components and explanations.
    def items_ok(doc, what):
        check(len(doc["items"]) > 0, f"{what}: some items")
        for it in doc["items"]:
            total = sum(c["points"] for c in it["components"])
            check(abs(total - it["score"]) < 1e-9, f"{what}: score is the sum of its components")
            check(len(it["why"]) > 0 and len(it["paths"]) > 0, f"{what}: explained by facts and a path")
    ent = json.loads(run(b, ["search", "桐庐", "--kind", "enterprise", "--limit", "1", "--json"],
                         env).stdout)["results"][0]["id"]
    for role in ["supplier", "customer", "peer"]:
        doc = json.loads(run(b, ["partners", "--enterprise", ent, "--role", role, "--json"], env).stdout)
        items_ok(doc, f"partners --role {role}")
    # A filter removes candidates and never changes another candidate's score; known trading
    # partners (either way) are never listed as new (docs/ontology.md).
    for subject in ["E0013", "E0051", "E0020", "E0254"]:
        for role in ["supplier", "customer"]:
            def scores(*extra):
                d = json.loads(run(b, ["partners", "--enterprise", subject, "--role", role,
                                       "--top", "10000", "--json", *extra], env).stdout)
                return {it["id"]: (it["score"], it["known"]) for it in d["items"]}
            everyone = scores("--include-known")
            for extra in [("--within", "330100"), ("--within", "330000"), ("--track", "endo"),
                          ("--within", "330000", "--track", "endo"), ()]:
                filtered = scores(*extra)
                check(all(v in everyone and everyone[v][0] == sc for v, (sc, _) in filtered.items()),
                      f"partners {subject} {role} {' '.join(extra)}: scores unchanged by the filter")
                check(not any(known for _, known in filtered.values()),
                      f"partners {subject} {role} {' '.join(extra)}: no known partner listed as new")
            ties = json.loads(run(b, ["show", f"enterprise:{subject}", "--json"], env).stdout)
            traded = {r.get("target") or r.get("source") for r in ties["out"] + ties["in"]
                      if r["kind"] == "trades_with"}
            check(subject != "E0013" or "enterprise:E0051" in traded, "E0013 trades with E0051")
            # Role-aware: what the subject makes itself is never the supply a candidate is met
            # through (a competitor is a peer, not a supplier or customer).
            made = {r["name"] for r in ties["out"] if r["kind"] == "produces"}
            d = json.loads(run(b, ["partners", "--enterprise", subject, "--role", role, "--top",
                                   "10000", "--json"], env).stdout)
            through = [re.search(r"(?:←needs(?:\[\w+\])?—|—supplies(?:\[\w+\])?→) (.+?) (?:←|—)",
                                 path) for it in d["items"] for path in it["paths"]]
            check(made and not any(m and m.group(1) in made for m in through),
                  f"partners {subject} {role}: never through a segment the subject makes")
            check(all(everyone.get(t, (0, True))[1] for t in traded if t in everyone),
                  f"partners {subject} {role}: every trading partner is marked known")
            # The known partners left out are counted, and the count is their number in the full list.
            n_known = sum(1 for _, known in everyone.values() if known)
            check(d["known_hidden"] == n_known,
                  f"partners {subject} {role}: known_hidden {d['known_hidden']} = {n_known} known")
    for kind in ["university", "hospital", "platform", "triad"]:
        doc = json.loads(run(b, ["pairings", "--enterprise", ent, "--kind", kind, "--json"], env).stdout)
        items_ok(doc, f"pairings --kind {kind}")
    doc = json.loads(run(b, ["targets", "--region", "330122", "--track", "endo", "--json"], env).stdout)
    items_ok(doc, "targets")
    check(all(not it["region"]["id"].startswith("region:330122") for it in doc["items"]),
          "targets come from outside the region")
    gaps = json.loads(run(b, ["gaps", "--region", "330122", "--track", "endo", "--json"], env).stdout)
    check(gaps["counts"]["missing"] > 0, "Tonglu's endoscope chain has missing segments")
    doc = json.loads(run(b, ["leaders", "--region", "330100", "--json"], env).stdout)
    items_ok_leaders = len(doc["items"]) > 0 and all(len(i["why"]) > 0 for i in doc["items"])
    check(items_ok_leaders, "leaders in Hangzhou")
    doc = json.loads(run(b, ["clusters", "--region", "330000", "--json"], env).stdout)
    check(len(doc["communities"]) > 1 and 0 < doc["modularity"] < 1, "clusters in Zhejiang")
    doc = json.loads(run(b, ["indicators", "--region", "330122", "--targets",
                             os.path.join(os.path.dirname(a.fixtures), "..", "data", "targets",
                                          "tonglu-2025.csv"), "--json"], env).stdout)
    check(any(i["target"] is not None for i in doc["indicators"]), "indicators against targets")

    # Relatedness: recompute RCA, proximity and density from the printed activity with NumPy.
    import numpy as np
    rel = json.loads(run(b, ["relatedness", "--level", "county", "--track", "endo", "--top", "0",
                             "--json"], env).stdout)
    segs = [x["id"] for x in rel["segments"]]
    X = np.zeros((len(rel["regions"]), len(segs)))
    got = {k: np.zeros_like(X) for k in ["rca", "density"]}
    for i, reg in enumerate(rel["regions"]):
        for c in reg["cells"]:
            j = segs.index(c["segment"]["id"])
            X[i, j] = c["activity"]
            got["rca"][i, j] = c["rca"]
            got["density"][i, j] = c["density"]
    rca = (X / X.sum(1, keepdims=True)) / (X.sum(0, keepdims=True) / X.sum())
    M = (rca >= 1).astype(float)
    k = M.sum(0)
    phi = (M.T @ M) / np.maximum.outer(k, k).clip(min=1e-300)
    np.fill_diagonal(phi, 0)
    dens = (M @ phi) / np.where(phi.sum(0) > 0, phi.sum(0), 1)
    check(np.allclose(rca, got["rca"], atol=1e-9), "relatedness: RCA matches NumPy")
    check(np.allclose(dens, got["density"], atol=1e-9), "relatedness: density matches NumPy")

    # The hand-built chain fixture: the county whose scope makers need CMOS sensors nobody local
    # makes lists CMOS as missing and ranks the maker that already supplies them first.
    chain_db = os.path.join(a.workdir, "chain.db")
    run(b, ["import", "--db", chain_db, os.path.join(a.fixtures, "chain")], env)
    gaps = json.loads(run(b, ["gaps", "--db", chain_db, "--region", "330122", "--json"], env).stdout)
    status = {s["id"]: s["status"] for s in gaps["segments"]}
    check(status["segment:endo.cmos"] == "missing", "chain fixture: CMOS missing")
    doc = json.loads(run(b, ["targets", "--db", chain_db, "--region", "桐庐县", "--json"], env).stdout)
    check(doc["items"][0]["id"] == "enterprise:S1", "chain fixture: S1 first target")
    check(any("already supplies 2 local enterprises" in w for w in doc["items"][0]["why"]),
          "chain fixture: the tie is explained")
    text = run(b, ["targets", "--db", chain_db, "--region", "330122"], env).stdout
    check("浦东示例芯片" in text and "why:" in text, "targets as text")
    p = run(b, ["partners", "--db", chain_db, "--enterprise", "T9", "--json"], env, expect=3)
    check(len(json.loads(p.stdout)["error"]["suggestions"]) > 0, "unknown enterprise lists matches")
    p = run(b, ["partners", "--db", chain_db, "--enterprise", "T1", "--role", "buyer"], env, expect=2)
    p = run(b, ["targets", "--db", chain_db, "--region", "330122", "--top", "0"], env, expect=2)

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
    # Two imports into one database at once: the second waits for the first's write lock and
    # checks against what the first wrote (issue 13, D7), never a raw constraint failure.
    data_dir = os.path.join(os.path.dirname(os.path.abspath(a.fixtures)), "..", "data")
    for round_ in range(3):
        twin = os.path.join(a.workdir, f"twin{round_}.db")
        procs = [subprocess.Popen([b, "import", "--db", twin, data_dir], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outs = [p.communicate() for p in procs]
        check(all(p.returncode == 0 for p in procs) and not any("UNIQUE" in e for _, e in outs),
              f"two imports at once both succeed (round {round_}): "
              f"{[p.returncode for p in procs]} {[e[-200:] for _, e in outs]}")
    # An import without --db would go into the default database, which is rebuilt from data/: it
    # is refused before anything is read or written (issue 11 item 5).
    p = run(b, ["import", os.path.join(a.fixtures, "small")], env, expect=2)
    check("needs --db" in p.stderr and "rebuilt from data/" in p.stderr,
          f"an import without --db is refused with the reason, got: {p.stderr}")
    fresh_db = os.path.join(a.workdir, "fresh.db")
    run(b, ["import", "--db", fresh_db, broken], env, expect=1)
    check(not any(os.path.exists(fresh_db + x) for x in ["", "-wal", "-shm", "-journal"]),
          "a rejected import into a new path leaves no database file behind")
    p = run(b, ["stats", "--db", os.path.join(a.workdir, "absent.db")], env, expect=3)
    check("no such database" in p.stderr, "a missing --db is an error, not a new database")
    p = run(b, ["frobnicate"], env, expect="nonzero")
    check("subcommand" in p.stderr, "an unknown command is a usage error")

    # targets --within: only candidates in those regions (one, or several comma-separated), each
    # with the score it has without the filter.
    every = json.loads(run(b, ["targets", "--region", "330122", "--track", "endo", "--top", "10000",
                               "--json"], env).stdout)
    score = {i["id"]: i["score"] for i in every["items"]}
    for within, prefixes in [("上海市", ("31",)), ("上海市,江苏省", ("31", "32")), ("上海市，江苏省", ("31", "32"))]:
        got = json.loads(run(b, ["targets", "--region", "330122", "--track", "endo", "--top", "10000",
                                 "--within", within, "--json"], env).stdout)["items"]
        want = [i["id"] for i in every["items"] if i["region"] and i["region"]["id"].split(":")[1].startswith(prefixes)]
        check([i["id"] for i in got] == want and all(score[i["id"]] == i["score"] for i in got) and got,
              f"targets --within {within}: the same candidates in the same order with the same scores "
              f"({len(got)} vs {len(want)})")
    scorers_on_every_recommender(b, env)
    reasons_in_both_languages(b, env)
    text_in_both_languages(a, b, env)
    exports(a, b, env)
    hostile_input(a, b, env)

    return summary("cli")


def scorers_on_every_recommender(b, env):
    """Issue 12: every named scorer on every recommender of the registry (`recommend --list`).
    Each item's score is the sum of its components' points, each point its weight times its
    value, the components are the registry's measures, the weights of one answer add up to 1
    (every score in [0, 1]), the items come by score with ranks 1..n, each scorer weighs each
    recommender differently from the default (so the scorer took effect), and `recommend` answers
    the same items as the recommender's own command."""
    listing = json.loads(run(b, ["recommend", "--list", "--json"], env).stdout)["recommenders"]
    check(len(listing) >= 9, f"recommend --list names the recommenders ({[r['name'] for r in listing]})")
    subjects = {"enterprise": ["E0013", "E0020"], "region": ["330122", "330100"]}
    departments = {}  # recommender → department facts seen
    for r in listing:
        what = r["name"]
        own = [r["command"]] + (["--role" if r["command"] == "partners" else "--kind", r["variant"]]
                                if r["variant"] else [])
        weights, subject = {}, None
        for candidate in subjects[r["subject"]]:
            doc = json.loads(run(b, ["recommend", "--with", what, "--subject", candidate, "--json"], env).stdout)
            if doc["items"]:
                subject = candidate
                break
        check(subject is not None, f"{what}: a subject with items")
        if subject is None:
            continue
        flag = {"partners": "--enterprise", "pairings": "--enterprise", "targets": "--region",
                "leaders": "--region"}[r["command"]]
        for scorer in ["balanced", "nearby", "quality"]:
            opts = ["--scorer", scorer, "--top", "30", "--json"]
            doc = json.loads(run(b, ["recommend", "--with", what, "--subject", subject] + opts, env).stdout)
            mine = json.loads(run(b, own + [flag, subject] + opts, env).stdout)
            items = doc["items"]
            label = f"recommend --with {what} --subject {subject} --scorer {scorer}"
            check(doc["scorer"] == scorer and doc["recommender"] == what and items,
                  f"{label}: answered with that scorer ({len(items)} items)")
            check(items == mine["items"] and doc["candidates"] == mine["candidates"],
                  f"{label}: the same items as `{' '.join(own)}`")
            bad = []
            for i in items:
                comps = i["components"]
                if sorted(c["name"] for c in comps) != sorted(r["measures"]):
                    bad.append(f"{i['id']}: components {[c['name'] for c in comps]} are not the measures")
                if abs(sum(c["weight"] for c in comps) - 1) > 1e-9:
                    bad.append(f"{i['id']}: weights add up to {sum(c['weight'] for c in comps)}")
                if any(abs(c["points"] - c["weight"] * c["value"]) > 1e-6 for c in comps):
                    bad.append(f"{i['id']}: points are not weight x value")
                if abs(i["score"] - sum(c["points"] for c in comps)) > 1e-6 or not 0 <= i["score"] <= 1:
                    bad.append(f"{i['id']}: score {i['score']} is not the sum of its points")
            check(not bad, f"{label}: score = sum of weight x value over the measures, weights add up to 1 ({bad[:2]})")
            # A department is the item's own hospital's (the item, or its triad's hospital): a path
            # names the department's segment and ends at that hospital (--lang en: "←kind— name").
            for i in items:
                hospitals = ([i["name"]] if i["kind"] == "hospital" else []) + [
                    p["name"] for p in i.get("partners", []) if p["id"].startswith("hospital:")]
                for c in i["why_codes"]:
                    if c["code"] != "pairings.department":
                        continue
                    departments[what] = departments.get(what, 0) + 1
                    seg = c["params"]["segment"]
                    if not any(seg in path and any(path.endswith("— " + h) for h in hospitals)
                               for path in i["paths"]):
                        bad.append(f"{i['id']}: department of {seg} on no path to its own hospital")
            check(not bad, f"{label}: departments only of the item's own hospital ({bad[:2]})")
            check([i["rank"] for i in items] == list(range(1, len(items) + 1))
                  and all(x["score"] >= y["score"] for x, y in zip(items, items[1:])),
                  f"{label}: items by score, ranked 1..n")
            weights[scorer] = {c["name"]: c["weight"] for c in items[0]["components"]}
        check(weights["nearby"] != weights["balanced"] and weights["quality"] != weights["balanced"],
              f"{what}: every scorer weighs it its own way ({weights})")
    check(departments.get("customers", 0) > 0 and departments.get("hospitals", 0) > 0,
          f"departments are given on hospital items of customers and of hospital pairings ({departments})")
    # Bad names and missing subjects get a message, not a crash.
    bad = run(b, ["recommend", "--with", "nosuch", "--subject", "E0013", "--json"], env, expect="nonzero")
    check(bad.returncode not in (0, 1) and json.loads(bad.stdout)["error"]["message_code"] == "matcher.no_recommender",
          f"recommend --with nosuch: an error naming the recommenders (rc {bad.returncode})")
    bad = run(b, ["recommend", "--with", "targets", "--json", "--lang", "zh"], env, expect="nonzero")
    check(bad.returncode == 2 and "需要指定对象" in json.loads(bad.stdout)["error"]["message"],
          f"recommend --with targets without a subject: said in Chinese (rc {bad.returncode})")


def reasons(doc):
    """(why, why_codes) of every item (recommenders) or segment (gaps, chain) of a document."""
    rows = doc["items"] if "items" in doc else doc["segments"]
    return [(r["why"], r["why_codes"]) for r in rows]


def reasons_in_both_languages(b, env):
    """Issue 11: `why` in the chosen language, `why_codes` the same in both."""
    han = re.compile("[\u4e00-\u9fff]")
    for args in [["partners", "--enterprise", "E0020"],
                 ["partners", "--enterprise", "E0020", "--role", "customer", "--include-known"],
                 ["pairings", "--enterprise", "E0020"],
                 ["pairings", "--enterprise", "E0020", "--kind", "hospital"],
                 ["pairings", "--enterprise", "E0020", "--kind", "triad"],
                 ["targets", "--region", "330122", "--track", "endo"],
                 ["gaps", "--region", "330122", "--track", "endo"],
                 ["chain", "--region", "330122", "--track", "endo"],
                 ["leaders", "--region", "330100"],
                 ["leaders"]]:
        what = " ".join(args)
        en = json.loads(run(b, args + ["--lang", "en", "--json"], env).stdout)
        zh = json.loads(run(b, args + ["--lang", "zh", "--json"], env).stdout)
        check(without_key(en, "why") == without_key(zh, "why"), f"{what}: --lang changes nothing but why")
        en_r, zh_r = reasons(en), reasons(zh)
        check(len(en_r) > 0 and all(len(w) == len(c) and len(w) > 0 for w, c in en_r),
              f"{what}: every row has its reasons, a code beside each")
        check([c for _, c in en_r] == [c for _, c in zh_r], f"{what}: identical why_codes in both languages")
        codes = [(code, w_en, w_zh) for (we, ce), (wz, _) in zip(en_r, zh_r)
                 for code, w_en, w_zh in zip(ce, we, wz)]
        bad = [(c["code"], z) for c, e, z in codes if not han.search(z) or (e == z and c["code"] != "quality.grade")]
        check(not bad, f"{what}: every reason in Chinese with --lang zh ({bad[:3]})")
        check(all(re.search("[a-z]", e) for c, e, _ in codes if c["code"] != "quality.grade"),
              f"{what}: English reasons in English with --lang en")
    # Text follows --lang, and the locale when --lang is not given.
    doc = json.loads(run(b, ["partners", "--enterprise", "E0020", "--lang", "zh", "--json"], env).stdout)
    text = run(b, ["partners", "--enterprise", "E0020", "--lang", "zh"], env).stdout
    check("理由：" + "；".join(doc["items"][0]["why"]) in text, "partners text: why in Chinese with --lang zh")
    check("合作伙伴推荐（供应商）" in text and "个候选" in text and "匹配度" in text,
          "partners text: heading, counts and component names in Chinese with --lang zh")
    en_text = run(b, ["partners", "--enterprise", "E0020", "--lang", "en"], env).stdout
    check("Partners (suppliers) for" in en_text and "why: " in en_text and "fit " in en_text,
          "partners text: in English with --lang en")
    by_locale = run(b, ["partners", "--enterprise", "E0020", "--json"], dict(env, LC_ALL="zh_CN.UTF-8")).stdout
    check(json.loads(by_locale) == doc, "LC_ALL=zh_CN.UTF-8: the reasons in Chinese without --lang")
    en_doc = json.loads(run(b, ["partners", "--enterprise", "E0020", "--json"], env).stdout)
    check(en_doc["items"][0]["why"][0] != doc["items"][0]["why"][0], "LC_ALL=C.UTF-8: English by default")


def has_cjk(text):
    return re.search("[\u4e00-\u9fff]", text) is not None


def text_in_both_languages(a, b, env):
    """Issue 11, CLI: text output, errors and import problems follow --lang (else the locale)."""
    targets_file = os.path.join(os.path.dirname(os.path.abspath(a.fixtures)), "..", "data", "targets",
                                "tonglu-2025.csv")
    eid = json.loads(run(b, ["search", "桐庐", "--kind", "enterprise", "--limit", "1", "--json"], env).stdout)["results"][0]["id"]
    cases = [
        ("stats", ["stats", "--region", "330122"], "Graph: ", "图谱："),
        ("show", ["show", eid], "  provenance", "  数据来源"),
        ("show region", ["show", "region:330122"], "  level ", "  层级 "),
        ("indicators", ["indicators", "--region", "330122", "--targets", targets_file],
         "Plan indicators of ", "规划指标："),
        ("relatedness", ["relatedness", "--region", "330122", "--top", "3"], "Relatedness at county level",
         "县级关联度"),
        ("clusters", ["clusters"], "Communities of the enterprise network", "企业网络的社群"),
        ("chain", ["chain", "--region", "330122", "--track", "endo"], "Chain panorama of ", "产业链全景："),
    ]
    for what, args, en_word, zh_word in cases:
        en = run(b, args + ["--lang", "en"], env).stdout
        zh = run(b, args + ["--lang", "zh"], env).stdout
        default = run(b, args, env).stdout
        check(en == default, f"{what}: --lang en is the default under LC_ALL=C.UTF-8")
        check(en_word in en and zh_word not in en, f"{what}: English text with --lang en")
        check(zh_word in zh and en_word not in zh, f"{what}: Chinese text with --lang zh: {zh[:200]}")
        by_locale = run(b, args, dict(env, LC_ALL="zh_CN.UTF-8")).stdout
        check(by_locale == zh, f"{what}: LC_ALL=zh_CN.UTF-8 gives the Chinese text without --lang")
    # The English words are the old ones (tests above and these lines pin some of them).
    stats_en = run(b, ["stats", "--lang", "en"], env).stdout
    check("\nNodes\n" in stats_en and "supplies by evidence (docs/ontology.md):" in stats_en
          and "segments enterprises" in stats_en, "stats: the English headings")
    stats_zh = run(b, ["stats", "--lang", "zh"], env).stdout
    check("\n节点\n" in stats_zh and "企业 enterprise" in stats_zh and "供应 supplies" in stats_zh,
          f"stats: Chinese headings and kind names: {stats_zh[:300]}")
    ind_zh = run(b, ["indicators", "--region", "330122", "--targets", targets_file, "--lang", "zh"], env).stdout
    check("目标 " in ind_zh and "规上企业数" in ind_zh and " target " not in ind_zh,
          f"indicators: targets and names in Chinese: {ind_zh[:300]}")

    # Errors: the message in the language, the exit code and the JSON code unchanged.
    for lang_args, lenv, want in [(["--lang", "zh"], env, "找不到企业"), ([], dict(env, LC_ALL="zh_CN.UTF-8"), "找不到企业"),
                                  (["--lang", "en"], env, "no enterprise 'no-such-firm'")]:
        p = run(b, ["partners", "--enterprise", "no-such-firm"] + lang_args, lenv, expect=3)
        check(want in p.stderr, f"unknown enterprise {lang_args}: {p.stderr[:200]}")
        check(("最接近的匹配：" if want != "no enterprise 'no-such-firm'" else "closest matches:") in p.stderr,
              f"unknown enterprise {lang_args}: the matches' heading in the language")
    err = json.loads(run(b, ["show", "no-such-thing", "--lang", "zh", "--json"], env, expect=3).stdout)["error"]
    check(err["code"] == "not found" and err["message_code"] == "lookup.not_found"
          and err["params"]["text"] == "no-such-thing" and err["message"] == "找不到实体“no-such-thing”"
          and err["suggestions"], f"--json error in Chinese keeps its codes: {err}")
    err = json.loads(run(b, ["show", "no-such-thing", "--lang", "en", "--json"], env, expect=3).stdout)["error"]
    check(err["message"] == "no entity 'no-such-thing'" and err["message_code"] == "lookup.not_found",
          f"--json error in English: {err}")
    p = run(b, ["import", os.path.join(a.fixtures, "small"), "--lang", "zh"], env, expect=2)
    check("import 需要 --db 文件" in p.stderr, f"import without --db, in Chinese: {p.stderr}")
    p = run(b, ["stats", "--db", os.path.join(a.workdir, "absent.db"), "--lang", "zh"], env, expect=3)
    check("数据库不存在" in p.stderr, f"a missing database, in Chinese: {p.stderr}")
    # A value out of range: the request's own check (server/requests.h), naming the field as the
    # Thrift and HTTP callers know it; the same message there (tests/service_test.py).
    p = run(b, ["targets", "--region", "330122", "--top", "0", "--lang", "zh"], env, expect=2)
    check("top 须在 1 到 10000 之间，不能是 0" in p.stderr and "--top" not in p.stderr,
          f"top out of range, in Chinese: {p.stderr}")
    p = run(b, ["gaps", "--lang", "zh"], env, expect=2)
    check("缺少必需的选项 --region" in p.stderr, f"a missing option in Chinese: {p.stderr}")
    p = run(b, ["stats", "--db", "a.db", "--db", "b.db", "--lang", "zh"], env, expect=2)
    check("命令行参数有误：--db" in p.stderr, f"another usage error, CLI11's words in a Chinese sentence: {p.stderr}")
    p = run(b, ["targets", "--region", "330122", "--top", "-1", "--lang", "en"], env, expect=2)
    check("top must be between 1 and 10000, not -1" in p.stderr and not has_cjk(p.stderr),
          f"a negative top in English, as given: {p.stderr}")
    for args, value in [(["search", "a", "--limit", "0"], "limit must be between 1 and 10000, not 0"),
                        (["relatedness", "--top", "10001"], "top must be between 0 and 10000, not 10001"),
                        (["leaders", "--top", "0"], "top must be between 1 and 10000, not 0")]:
        p = run(b, args + ["--lang", "en"], env, expect=2)
        check(value in p.stderr, f"{' '.join(args)}: {p.stderr}")
    err = json.loads(run(b, ["targets", "--region", "330122", "--top", "0", "--lang", "zh", "--json"], env,
                         expect=2).stdout)["error"]
    check(err["code"] == "invalid argument" and err["message_code"] == "option.range"
          and err["params"] == {"option": "top", "value": "0", "min": "1", "max": "10000"}
          and err["message"] == "top 须在 1 到 10000 之间，不能是 0", f"top out of range as JSON in Chinese: {err}")
    err = json.loads(run(b, ["targets", "--region", "330122", "--top", "0", "--lang", "en", "--json"], env,
                         expect=2).stdout)["error"]
    check(err["message"] == "top must be between 1 and 10000, not 0", f"top out of range as JSON in English: {err}")
    # serve with its HTTP port taken: a clear error in the language, exit code 5, nothing served.
    import socket
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    for lang, want in [("zh", f"HTTP 端口 127.0.0.1:{port}："), ("en", f"HTTP port 127.0.0.1:{port}: ")]:
        p = subprocess.run([b, "serve", "--port", "0", "--http-port", str(port), "--lang", lang],
                           capture_output=True, text=True, env=env, timeout=60)
        check(p.returncode == 5 and want in p.stderr, f"serve on a taken HTTP port, {lang}: rc {p.returncode} {p.stderr}")
    taken.close()
    # A range CLI11 checks (an option of the command line only): its usage error.
    p = run(b, ["serve", "--port", "70000", "--lang", "zh"], env, expect=2)
    check("--port 须在 0 到 65535 之间，不能是 70000" in p.stderr and "运行 --help 查看用法。" in p.stderr,
          f"a usage error (CLI11) in Chinese: {p.stderr}")
    p = run(b, ["serve", "--port", "70000", "--lang", "en"], env, expect=2)
    check("--port" in p.stderr and "Run with --help for more information." in p.stderr and not has_cjk(p.stderr),
          f"a usage error in English: {p.stderr}")
    err = json.loads(run(b, ["serve", "--port", "70000", "--lang", "zh", "--json"], env, expect=2).stdout)["error"]
    check(err["code"] == "invalid argument" and err["message_code"] == "usage.range"
          and err["params"] == {"option": "--port", "value": "70000", "min": "0", "max": "65535"},
          f"a usage error as JSON: {err}")
    # --help: every description, heading and label in the language (else the locale).
    subcommands = ["import", "stats", "show", "search", "export", "chain", "gaps", "partners", "pairings",
                   "targets", "relatedness", "leaders", "clusters", "indicators", "serve"]
    for sub in [[]] + [[s] for s in subcommands]:
        what = f"chainatlas {' '.join(sub)} --help"
        zh = run(b, ["--lang", "zh"] + sub + ["--help"], env).stdout
        en = run(b, ["--lang", "en"] + sub + ["--help"], env).stdout
        check(run(b, sub + ["--help"], dict(env, LC_ALL="zh_CN.UTF-8")).stdout == zh,
              f"{what}: LC_ALL=zh_CN.UTF-8 gives the Chinese help")
        check("用法:" in zh and "选项:" in zh and "Usage" not in zh and "Options" not in zh,
              f"{what}: headings in Chinese: {zh[:300]}")
        check("Usage:" in en and not has_cjk(en.replace("产学研医", "").replace("链主", "").translate(
            {ord(c): None for c in "上海市江苏省杭州市缺链弱链强链延链未涉及"})),
              f"{what}: English with --lang en: {en[:300]}")
        # Each entry (an option, a positional or a subcommand with its description, which may
        # wrap onto the next lines) holds Chinese.
        entries = []
        for line in zh.splitlines()[1:]:
            if line.startswith("  ") and not line.startswith("   " + " " * 20):
                entries.append(line)
            elif line.startswith("   ") and entries:
                entries[-1] += line
        bare = [e.strip() for e in entries if not has_cjk(e)]
        check(entries and not bare, f"{what}: every entry described in Chinese ({bare[:3]})")
    p = run(b, ["partners", "--enterprise", eid, "--role", "buyer", "--lang", "zh"], env, expect=2)
    check("未知的角色“buyer”" in p.stderr, f"an unknown role, in Chinese: {p.stderr}")
    p = run(b, ["relatedness", "--level", "park", "--lang", "zh"], env, expect=2)
    check("level 须是" in p.stderr, f"relatedness --level park, in Chinese: {p.stderr}")

    # Import: the summary, the rejection and each problem in the language; the JSON report keeps
    # the problem's code beside its text.
    db = os.path.join(a.workdir, "zh.db")
    p = run(b, ["import", "--db", db, os.path.join(a.fixtures, "small"), "--lang", "zh"], env)
    check("已将“" in p.stdout and "实体：新增 24" in p.stdout, f"import summary in Chinese: {p.stdout}")
    p = run(b, ["import", "--db", db, os.path.join(a.fixtures, "small"), "--lang", "en"], env)
    check(p.stdout.startswith("imported '") and "  entities:  0 inserted" in p.stdout, f"import summary in English: {p.stdout}")
    bad = os.path.join(a.workdir, "zh_broken")
    shutil.rmtree(bad, ignore_errors=True)
    shutil.copytree(os.path.join(a.fixtures, "small"), bad)
    with open(os.path.join(bad, "produces.csv"), "a") as f:
        f.write("E2,endo.lens,1.7\nE2,endo.lense,0.5\n")
    with open(os.path.join(bad, "enterprises.csv"), "a") as f:
        f.write("E99,桐庐示例丙有限公司,桐庐县,,,,,,,,,,,1,\n")
    before = sha(db)
    en = run(b, ["import", "--db", db, bad, "--lang", "en"], env, expect=1).stderr
    zh = run(b, ["import", "--db", db, bad, "--lang", "zh"], env, expect=1).stderr
    check(sha(db) == before, "rejected imports leave the database unchanged")
    for words in ["produces.csv:9: share 1.7 is out of range (0, 1]",
                  "produces.csv:10: unknown segment 'endo.lense' (did you mean endo.lens)",
                  "region '桐庐县' does not exist (a region is written by its code; '桐庐县' is the name of 330122)",
                  "import rejected: 3 problems;"]:
        check(words in en, f"English problem '{words}' in: {en}")
    for words in ["produces.csv:9：share 1.7 超出范围 (0, 1]",
                  "produces.csv:10：未知的环节“endo.lense”（是否想写 endo.lens）",
                  "地区“桐庐县”不存在（地区须写代码；“桐庐县”是 330122 的名称）",
                  "导入被拒绝：3 个问题；"]:
        check(words in zh, f"Chinese problem '{words}' in: {zh}")
    check(not re.search("[a-z]{4,} [a-z]{4,} [a-z]{4,}", zh.replace(bad, "")),
          f"no English sentence left in the Chinese rejection: {zh}")
    doc_en = json.loads(run(b, ["import", "--db", db, bad, "--lang", "en", "--json"], env, expect=1).stdout)
    doc_zh = json.loads(run(b, ["import", "--db", db, bad, "--lang", "zh", "--json"], env, expect=1).stdout)
    codes = [(p["code"], p["params"]) for p in doc_en["problems"]]
    check(codes == [(p["code"], p["params"]) for p in doc_zh["problems"]], "the problems' codes in both languages")
    check({c for c, _ in codes} == {"row.out_of_range", "import.unknown_ref", "import.no_region"},
          f"the problems' codes: {codes}")
    check(any(p["reason"] == "unknown segment 'endo.lense' (did you mean endo.lens)" for p in doc_en["problems"]),
          f"the English reason in the JSON report: {doc_en['problems']}")
    check(any(p["reason"] == "未知的环节“endo.lense”（是否想写 endo.lens）" for p in doc_zh["problems"]),
          f"the Chinese reason in the JSON report: {doc_zh['problems']}")


def xlsx_rows(path):
    """The first sheet of an XLSX file as a list of rows of strings (numbers as text), read with
    the standard library only: the zip, sharedStrings.xml and sheet1.xml."""
    import re
    import zipfile
    from xml.etree import ElementTree as ET
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = {}
        for c in row.findall("m:c", ns):
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            index = 0
            for ch in col:
                index = index * 26 + ord(ch) - 64
            v = c.find("m:v", ns)
            text = "" if v is None else v.text
            cells[index - 1] = strings[int(text)] if c.get("t") == "s" else text
        rows.append([cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)])
    return rows


def exports(a, b, env):
    """--format csv|xlsx --output FILE: the main table of each command's document, Chinese
    column labels, provenance rows above, read back with the standard library."""
    import csv
    cases = [(["gaps", "--region", "330122", "--track", "endo"], "segments", "name"),
             (["chain", "--region", "330122", "--track", "endo"], "segments", "name"),
             (["targets", "--region", "330122", "--track", "endo", "--top", "15"], "items", "name"),
             (["partners", "--enterprise", "E0020", "--top", "12"], "items", "name"),
             (["pairings", "--enterprise", "E0020", "--kind", "triad"], "items", "name"),
             (["leaders", "--region", "330100"], "items", "name"),
             (["indicators", "--region", "330122"], "indicators", "name")]
    for args, key, field in cases:
        doc = json.loads(run(b, args + ["--json"], env).stdout)
        want = [x[field] for x in doc[key]]
        for fmt in ["csv", "xlsx"]:
            out = os.path.join(a.workdir, f"{args[0]}.{fmt}")
            p = run(b, args + ["--format", fmt, "--output", out], env)
            check(f"wrote {len(want)} rows" in p.stdout, f"{args[0]} --format {fmt}: says what it wrote")
            if fmt == "csv":
                with open(out, encoding="utf-8", newline="") as f:
                    text = f.read()
                check(text.startswith("\ufeff"), f"{args[0]} csv starts with a byte-order mark")
                rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
            else:
                rows = xlsx_rows(out)
            provenance = [r for r in rows if r and r[0].startswith(("# 数据", "数据 (data)", "# 导出", "导出"))]
            check(len(provenance) >= 2, f"{args[0]} {fmt}: provenance rows above the table")
            header = next((i for i, r in enumerate(rows) if r and "(" in r[0] and not r[0].startswith(("#", "数据", "导出", "命令", "示例"))), None)
            check(header is not None and any("\u4e00" <= ch <= "\u9fff" for ch in rows[header][0]),
                  f"{args[0]} {fmt}: a Chinese-labelled header row")
            if header is None:
                continue
            body = [r for r in rows[header + 1:] if any(r)]
            names_col = 1 if rows[header][0].startswith("排名") else 0
            got = [r[names_col] for r in body]
            check(got == want, f"{args[0]} {fmt}: the rows are the document's {key} in order "
                               f"({len(got)} vs {len(want)})")
    # Nothing is left behind when the file cannot be written; a usage error without --output.
    bad = os.path.join(a.workdir, "no-such-folder", "x.xlsx")
    run(b, ["gaps", "--region", "330122", "--format", "xlsx", "--output", bad], env, expect=5)
    check(not os.path.exists(os.path.dirname(bad)), "a failed export leaves nothing behind")
    run(b, ["gaps", "--region", "330122", "--format", "csv"], env, expect="nonzero")
    run(b, ["stats", "--format", "csv", "--output", os.path.join(a.workdir, "s.csv")], env, expect="nonzero")


def write_ckg(folder, lines):
    """A ChainKnowledgeGraph folder: the eight JSON-lines files, with `lines` ({file: [bytes]})
    appended to one good company and its product."""
    os.makedirs(folder, exist_ok=True)
    base = {
        "company.json": ['{"name": "甲科技", "fullname": "浙江甲科技股份有限公司", "code": "600001.SH"}'],
        "product.json": ['{"name": "玉米"}'],
        "company_product.json": ['{"company_name": "甲科技", "company_code": "600001.SH", '
                                 '"product_name": "玉米", "rel": "主营产品", "rel_weight": 0.6}'],
    }
    for f in ["company", "industry", "industry_industry", "industry_up", "company_industry",
              "product", "company_product", "product_product"]:
        name = f + ".json"
        with open(os.path.join(folder, name), "wb") as out:
            for line in base.get(name, []):
                out.write(line.encode() + b"\n")
            for line in lines.get(name, []):
                out.write(line + b"\n")


def hostile_input(a, b, env):
    """Issue 13: hostile files give file:line: reason, exit 1-5, valid JSON, nothing changed."""
    db = os.path.join(a.workdir, "hostile.db")
    run(b, ["import", "--db", db, os.path.join(a.fixtures, "small")], env)
    before = sha(db)

    def rejected(path, expect, words, *extra):
        p = run(b, ["import", "--db", db, *extra, path], env, expect=expect)
        check(words in p.stderr, f"{path}: '{words}' in: {p.stderr[-500:]}")
        check(sha(db) == before, f"{path}: database unchanged")
        return p

    ckg = os.path.join(a.workdir, "hostile_ckg")
    # D1: a line nested 100,000 deep is a bad row, not a stack overflow.
    write_ckg(ckg, {"product.json": [b'{"name": ' + b"[" * 100000 + b"]" * 100000 + b"}"]})
    rejected(ckg, 1, "product.json:2: JSON nested deeper than 64 levels", "--format", "ckg")
    # D3: a number out of double range is a bad row.
    write_ckg(ckg, {"company_product.json": [
        b'{"company_name": "x", "company_code": "600001.SH", "product_name": "y", "rel": "\xe4\xb8\xbb'
        b'\xe8\x90\xa5\xe4\xba\xa7\xe5\x93\x81", "rel_weight": 1e309}']})
    rejected(ckg, 1, "company_product.json:2: number '1e309' is out of range", "--format", "ckg")
    # D8, D9: NUL in a name, a weight below the smallest float.
    write_ckg(ckg, {"company.json": [b'{"fullname": "\\u0000", "code": "600002"}'],
                    "company_product.json": [
        b'{"company_name": "x", "company_code": "600001.SH", "product_name": "y", "rel": "\xe4\xb8\xbb'
        b'\xe8\x90\xa5\xe4\xba\xa7\xe5\x93\x81", "rel_weight": 1e-50}']})
    p = rejected(ckg, 1, "company.json:2: fullname contains a control character (\\x00)",
                 "--format", "ckg")
    check("company_product.json:2: rel_weight 1e-50 is below the smallest weight" in p.stderr,
          f"tiny weight rejected: {p.stderr[-500:]}")
    # The same problems in Chinese, and the JSON report's codes (issue 11).
    p = run(b, ["import", "--db", db, "--format", "ckg", "--lang", "zh", ckg], env, expect=1)
    check("company.json:2：fullname 含有控制字符（\\x00）" in p.stderr
          and "company_product.json:2：rel_weight 1e-50 小于最小权重" in p.stderr and "导入被拒绝：" in p.stderr
          and "ChainKnowledgeGraph：读取并检查用时" in p.stdout,
          f"ckg problems in Chinese: {p.stdout[-300:]} {p.stderr[-500:]}")
    doc = json.loads(run(b, ["import", "--db", db, "--format", "ckg", "--lang", "zh", "--json", ckg], env,
                         expect=1).stdout)
    check({p["code"] for p in doc["problems"]} >= {"ckg_import.control", "ckg_import.weight_tiny"},
          f"ckg problems' codes: {[p['code'] for p in doc['problems']]}")
    # D3: a file replaced by a folder.
    write_ckg(ckg, {})
    os.remove(os.path.join(ckg, "industry.json"))
    os.mkdir(os.path.join(ckg, "industry.json"))
    rejected(ckg, 5, "industry.json: cannot read: not a regular file", "--format", "ckg")
    shutil.rmtree(ckg)

    # D2: --skip-bad-rows --json with a skipped line of invalid UTF-8: the import commits, the
    # report is valid JSON (the bytes escaped) and the exit code is 0.
    write_ckg(ckg, {"product_product.json": [b'{"from_entity": "\xff\xfe", "to_entity": "x"}']})
    skip_db = os.path.join(a.workdir, "hostile_skip.db")
    p = run(b, ["import", "--db", skip_db, "--format", "ckg", "--skip-bad-rows", "--json", ckg], env)
    doc = json.loads(p.stdout)
    check(doc["accepted"] and any("product_product.json:1:" in s["message"] and "\\xff" in s["message"]
                                  for s in doc["skipped"]),
          f"skipped line with invalid UTF-8 reported, escaped: {doc.get('skipped')}")

    bundle = os.path.join(a.workdir, "hostile_bundle")
    shutil.rmtree(bundle, ignore_errors=True)
    shutil.copytree(os.path.join(a.fixtures, "small"), bundle)
    manifest = os.path.join(bundle, "manifest.json")
    good_manifest = open(manifest, "rb").read()
    # D3: invalid UTF-8 in manifest.json with --json: exit 1 and one valid JSON document.
    with open(manifest, "wb") as f:
        f.write(good_manifest.replace(b'"test-small"', b'"test-\xff"'))
    p = run(b, ["import", "--db", db, "--json", bundle], env, expect=1)
    doc = json.loads(p.stdout)
    check(not doc["accepted"] and "ill-formed UTF-8" in doc["problems"][0]["reason"],
          f"invalid UTF-8 in the manifest: {doc['problems']}")
    check(sha(db) == before, "invalid UTF-8 manifest: database unchanged")
    # D1: a deeply nested manifest.
    with open(manifest, "wb") as f:
        f.write(b'{"files": ' + b"[" * 100000 + b"]" * 100000 + b"}")
    rejected(bundle, 1, "manifest.json: not valid JSON: JSON nested deeper than 64 levels")
    # D6: paths outside the bundle, devices and FIFOs are refused without being read.
    outside = os.path.join(a.workdir, "outside.csv")
    shutil.copy(os.path.join(bundle, "invests.csv"), outside)
    os.symlink(outside, os.path.join(bundle, "link.csv"))
    os.mkfifo(os.path.join(bundle, "fifo.csv"))
    with open(manifest, "wb") as f:
        f.write(good_manifest.replace(b'"trades_with.csv"', b'"../../../../etc/shadow"')
                .replace(b'"serves.csv"', b'"/dev/zero"').replace(b'"cooperates.csv"', b'"fifo.csv"')
                .replace(b'"invests.csv"', b'"link.csv"'))
    p = rejected(bundle, 1, "named in the manifest as 'trades_with' but must not contain '..'")
    for words in ["'serves' but must be a path relative to the bundle's folder",
                  "'cooperates' but is not a regular file", "'invests' but resolves to"]:
        check(words in p.stderr, f"{words}: {p.stderr[-800:]}")
    # D3: a symlink loop.
    loop = os.path.join(a.workdir, "loop")
    for x, y in (("loop", "loop2"), ("loop2", "loop")):
        if not os.path.lexists(os.path.join(a.workdir, x)):
            os.symlink(os.path.join(a.workdir, y), os.path.join(a.workdir, x))
    rejected(loop, 5, "Too many levels of symbolic links")


if __name__ == "__main__":
    sys.exit(main())
