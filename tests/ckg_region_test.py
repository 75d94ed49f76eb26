#!/usr/bin/python3
"""ChainKnowledgeGraph through the command line: every region command on a whole region, without
--track (issue 10, item 4).

For Shenzhen (440300), Hangzhou (330100) and Shanghai (310000):

  * relatedness --region R answers at the region's own level on more segments than the 4000 the
    dense table used to refuse; densities lie in [0, 1] and a held segment has RCA >= 1;
  * gaps and chain answer; the counts add up to the listed segments plus those left out of the
    product track (absent_not_listed), and no listed segment of that track is absent unless it is
    the ancestor of a listed one;
  * targets answer with enterprises outside the region, scores the sum of their components;
  * leaders answer, and none of the ten first belongs to a trade, logistics or supply-chain-services
    industry. That is computed here from company_industry.json and the Shenwan tree alone (an
    industry is such when its name or an ancestor's holds one of the cues matcher/leaders.h
    documents), and the check is not empty: each region has such companies among the candidates.

Exits 77 (ctest: skipped) with a message when ../shared/data/ckg is absent.
"""
import argparse
import json
import os
import sys

from testlib import check, run, summary, json_lines, shared_ckg

SKIP = 77
REGIONS = {"440300": "city", "330100": "city", "310000": "province"}
CUES = ["贸易", "商贸", "供应链", "物流", "仓储", "经销", "分销", "批发", "零售", "电商", "配送", "渠道"]


rows = json_lines


def intermediary_companies(ckg):
    """Stock codes whose Shenwan industry (or an ancestor) is named with a trade cue."""
    name = {r["code"]: r["name"] for r in rows(os.path.join(ckg, "industry.json"))}
    parent = {r["from_code"]: r["to_code"] for r in rows(os.path.join(ckg, "industry_industry.json"))}
    by_name = {v: k for k, v in name.items()}

    def trade(code):
        while code:
            if any(c in name.get(code, "") for c in CUES):
                return True
            code = parent.get(code)
        return False

    out = set()
    for r in rows(os.path.join(ckg, "company_industry.json")):
        code = by_name.get(r["industry_name"], r["industry_code"])
        if trade(code) or any(c in r["industry_name"] for c in CUES):
            out.add(r["company_code"].split(".")[0])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", required=True, help="../shared/data")
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    found = shared_ckg(a.data, a.workdir)
    if not found:
        return SKIP
    ckg, regions = found
    db = os.path.join(a.workdir, "ckg.db")
    run(a.binary, ["import", "--format", "ckg", ckg, "--regions", regions, "--db", db])
    b = a.binary
    traders = intermediary_companies(ckg)

    def cli(args):
        p = run(b, args + ["--db", db, "--json"])
        return json.loads(p.stdout) if p.returncode == 0 else None

    for code, level in REGIONS.items():
        rid = "region:" + code
        prefix = "region:" + code.rstrip("0")
        rel = cli(["relatedness", "--region", code])
        if check(rel is not None, f"relatedness --region {code} answers"):
            check(rel["level"] == level, f"relatedness {code}: at the region's level ({level})")
            check(len(rel["segments"]) > 4000, f"relatedness {code}: above the old cap of 4000")
            check([r["id"] for r in rel["regions"]] == [rid], f"relatedness {code}: its row")
            cells = rel["regions"][0]["cells"]
            check(all(0 <= c["density"] <= 1 for c in cells), f"relatedness {code}: density in [0, 1]")
            check(all(c["rca"] >= 1 for c in cells if c["m"] == 1), f"relatedness {code}: M = 1 has RCA >= 1")

        for command in ["gaps", "chain"]:
            g = cli([command, "--region", code])
            if not check(g is not None, f"{command} --region {code} answers"):
                continue
            listed = len(g["segments"]) + g.get("absent_not_listed", 0)
            check(sum(g["counts"].values()) == listed,
                  f"{command} {code}: counts {sum(g['counts'].values())} = listed + left out {listed}")
            check(g.get("absent_not_listed", 0) > 0, f"{command} {code}: the product track is pruned")
            if command == "chain":
                product = [s for s in g["segments"] if s["track"]["id"] == "track:ckg.product"]
                # In tree order an absent segment is followed by a deeper one (its listed child).
                ok = all(s["status"] != "absent" or
                         (i + 1 < len(product) and product[i + 1]["depth"] > s["depth"])
                         for i, s in enumerate(product))
                check(ok, f"chain {code}: an absent product segment is listed only above a listed one")

        t = cli(["targets", "--region", code])
        if check(t is not None and len(t["items"]) > 0, f"targets --region {code} answers"):
            check(all(not (it["region"] or {}).get("id", "").startswith(prefix) for it in t["items"]),
                  f"targets {code}: from outside the region")
            check(all(abs(sum(c["points"] for c in it["components"]) - it["score"]) < 1e-9
                      for it in t["items"]), f"targets {code}: scores add up")

        led = cli(["leaders", "--region", code, "--top", "10000"])
        if check(led is not None and len(led["items"]) >= 10, f"leaders --region {code} answers"):
            ids = [it["id"].split(":", 1)[1] for it in led["items"]]
            check(any(i in traders for i in ids), f"leaders {code}: the region has trade companies")
            first = [i for i in ids[:10] if i in traders]
            check(not first, f"leaders {code}: no trade or logistics company in the ten first: {first}")
            check(all(abs(sum(c["points"] for c in it["components"]) - it["score"]) < 1e-9
                      for it in led["items"]), f"leaders {code}: scores add up")
    return summary("ckg regions")


if __name__ == "__main__":
    sys.exit(main())
