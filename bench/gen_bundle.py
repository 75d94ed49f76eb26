#!/usr/bin/env python3
"""Writes a synthetic ChainAtlas import bundle (docs/bundle-format.md) for benchmarks.

Deterministic for a given (--seed, size, --regions): the same arguments write the same bytes.
Everything in it is invented: every organisation is illustrative=1 and every enterprise name
contains 示例.

  python3 bench/gen_bundle.py --size medium --out /tmp/bundle        # 100k nodes, ~1M relations
  python3 bench/gen_bundle.py --enterprises 100000 --relations 1000000 --out /tmp/bundle

Sizes (nodes = regions + tracks + segments + organisations; relations as imported, a clinical
row with demand and strength counting twice):
  small   ~10k nodes,  ~100k relations, 3 provinces (Zhejiang, Jiangsu, Shanghai)
  medium  ~100k nodes, ~1M relations,   10 provinces
  large   ~1M nodes,   ~10M relations,  all 31 provinces
--enterprises / --relations / --provinces override a size's numbers.

Regions: the real GB/T 2260 provinces, cities and counties of the chosen provinces, read from
--regions (default ../shared/data/regions next to the repository, when present: provinces.csv,
cities.csv, areas.csv); without that folder, invented codes in the same shape. Some counties get
industrial parks (code-P01..).

Shape, with realistic skew: 10 tracks of 50 segments (500) in trees, supplies mostly from a
segment to a later (more downstream) one of its track; every county specialises in one to three
tracks (drawn hub-heavy), and 70% of an enterprise's segments lie in one home track, usually one
of its county's specialities (geographic clustering of segments); counties draw enterprises with
power-law weights; produces lists have power-law sizes; hospitals, institutions and platforms;
trades_with / cooperates / invests with preferential (hub-heavy) endpoints, and half of the
trade ties stay within the supplier's county or province. Relation keys are unique, there are no
self-loops, weights lie in (0, 1] and every reference resolves.

The relation budget is split as produces 36%, trades_with 28%, cooperates 12%, supplies <=0.5%,
researches 5%, clinical 6%, serves 6%, invests 6%. Prints a JSON summary (CSV rows, nodes and the
expected relation count) on stdout.
"""
import argparse
import bisect
import csv
import itertools
import json
import os
import random
import sys

PROVINCES = [
    ("330000", "浙江省", ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市",
                       "衢州市", "舟山市", "台州市", "丽水市"]),
    ("320000", "江苏省", ["南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市"]),
    ("310000", "上海市", []),  # counties (districts) directly under the province
]
COUNTY_SUFFIX = ["区", "区", "区", "县", "市"]
SYLLABLES = list("康瑞华泰明德安信恒宁博远星辰启航科创睿智联合鑫源汇通嘉禾盛达亿丰天弘优普凯新锐"
                 "伟业正元和润金诚永立东方佳美迈清微海峰云祥仁爱医健生辉同光卓越")
ENT_SUFFIX = ["医疗器械有限公司", "生物科技有限公司", "医疗科技股份有限公司", "精密仪器有限公司",
              "医用材料有限公司", "智能科技有限公司", "诊断技术有限公司", "光电科技有限公司"]
TRACKS = [
    ("endo", "微创外科与内窥镜", "Minimally invasive surgery and endoscopes"),
    ("ivd", "体外诊断与POCT", "In-vitro diagnostics and POCT"),
    ("img", "医学影像设备", "Medical imaging"),
    ("bio", "生物材料与植入器械", "Biomaterials and implants"),
    ("rehab", "康复与辅助器具", "Rehabilitation and assistive devices"),
    ("bci", "脑机接口与神经调控", "Brain-computer interfaces and neuromodulation"),
    ("cardio", "心血管介入器械", "Cardiovascular interventional devices"),
    ("dental", "口腔医疗器械", "Dental devices"),
    ("monitor", "监护与生命支持", "Monitoring and life support"),
    ("consum", "医用耗材", "Medical consumables"),
]
SEG_WORDS = ["光学透镜", "传感器", "芯片", "电源模块", "精密结构件", "高分子材料", "金属材料",
             "软件算法", "试剂原料", "抗体", "酶", "导管", "球囊", "支架", "线圈", "探测器",
             "显示模组", "电机", "控制板", "整机装配", "灭菌包装", "检测服务", "临床应用",
             "注册申报", "售后维修", "耗材配件", "数据平台", "人工智能", "电极", "涂层"]
POSITIONS = ["upstream", "midstream", "downstream"]
GRADES = ["三级甲等", "三级甲等", "三级乙等", "三级", "二级甲等", "二级乙等", "二级", "一级", "其他"]
DEPTS = ["心血管内科", "骨科", "眼科", "神经外科", "普通外科", "呼吸与危重症医学科", "检验科",
         "放射科", "康复医学科", "口腔科", "急诊医学科", "泌尿外科"]
INST_KINDS = ["university", "institute", "lab"]
PLAT_KINDS = ["incubator", "cdmo", "cro", "cmo", "cso", "testing", "sterilisation",
              "registration", "machining", "sales", "fund", "park"]
TAGS = ["high_tech", "specialised", "little_giant", "listed", "chain_leader", "foreign_funded",
        "startup"]
COOP_KINDS = ["joint_lab", "clinical_trial", "tech_transfer", "agreement", "contract_manufacturing"]


def weight(rng, empty_share=0.1):
    """A weight in (0, 1] as text, or '' (default 1) now and then."""
    if rng.random() < empty_share:
        return ""
    return "%.3g" % max(0.001, round(rng.random(), 3))


class Weighted:
    """Draws indices 0..n-1 with power-law (hub-heavy) probabilities."""

    def __init__(self, rng, n, alpha):
        w = [rng.paretovariate(alpha) for _ in range(n)]
        self.cum = list(itertools.accumulate(w))
        self.total = self.cum[-1]
        self.rng = rng
        self.n = n

    def draw(self):
        return min(self.n - 1, bisect.bisect_left(self.cum, self.rng.random() * self.total))


# size: (enterprises, relations, provinces). Enterprises are set so that all nodes come to about
# 10k / 100k / 1M with the regions of those provinces.
SIZES = {
    "small": (9000, 100000, ["33", "32", "31"]),
    "medium": (97000, 1000000, ["33", "32", "31", "34", "44", "11", "12", "37", "42", "51"]),
    "large": (975000, 10000000, None),  # None: every province
}
DEFAULT_REGIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                               "data", "regions")


def read_regions(folder, provinces):
    """Real GB/T 2260 regions of the chosen provinces (2-digit codes; None: all) as
    [(code, name, level, parent)] and the county codes; None when the folder lacks the tables."""
    paths = [os.path.join(folder, f) for f in ("provinces.csv", "cities.csv", "areas.csv")]
    if not all(os.path.exists(p) for p in paths):
        return None
    def rows(p):
        with open(p, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    prov_rows, city_rows, area_rows = (rows(p) for p in paths)
    keep = set(provinces) if provinces else {r["code"] for r in prov_rows}
    regions, counties = [], []
    for r in prov_rows:
        if r["code"] in keep:
            regions.append((r["code"] + "0000", r["name"], "province", ""))
    city_codes = set()
    for r in city_rows:
        if r["provinceCode"] in keep:
            code = r["code"] + "00"
            city_codes.add(code)
            # 市辖区 / 县 placeholders get their province's name in front, to be readable.
            name = r["name"]
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                name = next(p[1] for p in regions if p[0][:2] == r["provinceCode"]) + name
            regions.append((code, name, "city", r["provinceCode"] + "0000"))
    for r in area_rows:
        # A county whose code is its city's (东莞市 441900) would repeat the city: left out.
        if r["provinceCode"] in keep and r["code"] not in city_codes:
            regions.append((r["code"], r["name"], "county", r["cityCode"] + "00"))
            counties.append(r["code"])
    return regions, counties


def generated_regions(rng):
    """Invented regions in the GB/T 2260 shape (3 provinces), when no real table is at hand."""
    regions, counties = [], []
    for pcode, pname, cities in PROVINCES:
        regions.append((pcode, pname, "province", ""))
        pp = pcode[:2]
        parents = [(pcode, pname[:-1])] if not cities else []
        for ci, cname in enumerate(cities, start=1):
            ccode = "%s%02d00" % (pp, ci)
            regions.append((ccode, cname, "city", pcode))
            parents.append((ccode, cname[:-1]))
        for parent_code, stem in parents:
            n_counties = rng.randint(6, 12) if cities else 16
            for di in range(1, n_counties + 1):
                code = parent_code[:4] + "%02d" % (di + 1)
                name = stem + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(COUNTY_SUFFIX)
                regions.append((code, name, "county", parent_code))
                counties.append(code)
    return regions, counties


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default=None,
                    help="a preset: small (~10k nodes), medium (~100k nodes, ~1M relations), "
                         "large (~1M nodes, ~10M relations)")
    ap.add_argument("--enterprises", type=int, default=None, help="default: the size's, or 10000")
    ap.add_argument("--relations", type=int, default=None,
                    help="approximate number of relations (rows; a clinical row may count twice); "
                         "default: the size's, or 100000")
    ap.add_argument("--provinces", default=None,
                    help="comma-separated 2-digit province codes, or 'all' (default: the size's)")
    ap.add_argument("--regions", default=DEFAULT_REGIONS,
                    help="GB/T 2260 tables (provinces.csv, cities.csv, areas.csv); '' or a folder "
                         "without them: invented codes")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--segments-per-track", type=int, default=50)
    args = ap.parse_args()
    preset = SIZES[args.size] if args.size else (10000, 100000, ["33", "32", "31"])
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    n_ent = max(10, args.enterprises if args.enterprises is not None else preset[0])
    budget = max(100, args.relations if args.relations is not None else preset[1])
    provinces = preset[2]
    if args.provinces:
        provinces = None if args.provinces == "all" else args.provinces.split(",")

    def writer(name, header):
        f = open(os.path.join(args.out, name), "w", encoding="utf-8", newline="")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        return f, w

    # ---- regions -------------------------------------------------------------------------------
    real = read_regions(args.regions, provinces) if args.regions else None
    regions, counties = real if real else generated_regions(rng)
    region_source = os.path.abspath(args.regions) if real else "generated"
    county_names = {code: name for code, name, _, _ in regions}
    for code in list(counties):
        if rng.random() < 0.1:  # a few industrial parks
            for pi in range(1, rng.randint(1, 3) + 1):
                park = "%s-P%02d" % (code, pi)
                regions.append((park, county_names[code] + "医疗器械产业园" + str(pi), "park", code))
                counties.append(park)
    f, w = writer("regions.csv", ["code", "name", "level", "parent", "note"])
    for r in regions:
        w.writerow(list(r) + ["synthetic" if not real else ""])
    f.close()
    region_pick = Weighted(rng, len(counties), 1.2)

    # ---- tracks and segments -------------------------------------------------------------------
    f, w = writer("tracks.csv", ["id", "name", "name_en"])
    for t in TRACKS:
        w.writerow(t)
    f.close()
    segments = []     # (id, track index)
    f, w = writer("segments.csv", ["id", "track", "name", "position", "parent", "name_en"])
    for ti, (tid, tname, _) in enumerate(TRACKS):
        ids = []
        for si in range(args.segments_per_track):
            sid = "%s.s%03d" % (tid, si)
            # A tree: the first few are roots, later ones hang under an earlier segment.
            parent = "" if si < 4 else ids[rng.randrange(len(ids))]
            pos = POSITIONS[min(2, si * 3 // args.segments_per_track)]
            w.writerow([sid, tid, tname[:2] + rng.choice(SEG_WORDS) + str(si), pos, parent,
                        "%s segment %d" % (tid, si)])
            ids.append(sid)
            segments.append((sid, ti))
    f.close()
    n_seg = len(segments)
    seg_pick = Weighted(rng, n_seg, 1.5)

    # ---- organisations -------------------------------------------------------------------------
    n_hosp = max(5, n_ent // 200)
    n_inst = max(5, n_ent // 300)
    n_plat = max(5, n_ent // 100)
    ent_ids = ["E%07d" % i for i in range(n_ent)]
    hosp_ids = ["H%05d" % i for i in range(n_hosp)]
    inst_ids = ["U%05d" % i for i in range(n_inst)]
    plat_ids = ["P%05d" % i for i in range(n_plat)]

    # Geographic clustering: every county specialises in 1-3 tracks (hub-heavy over tracks), and
    # an enterprise's home track is one of its county's specialities 80% of the time.
    track_pick = Weighted(rng, len(TRACKS), 1.2)
    specialities = [sorted({track_pick.draw() for _ in range(rng.randint(1, 3))})
                    for _ in counties]
    ent_county = [0] * n_ent
    ent_home = [0] * n_ent
    by_county = {}
    names = set()
    f, w = writer("enterprises.csv",
                  ["id", "name", "region", "uscc", "founded", "above_scale", "revenue", "employees",
                   "tags", "class2_certs", "class3_certs", "patents", "rd_ratio", "illustrative",
                   "note"])
    for i, eid in enumerate(ent_ids):
        ci = region_pick.draw()
        region = counties[ci]
        ent_county[i] = ci
        ent_home[i] = (rng.choice(specialities[ci]) if rng.random() < 0.8
                       else rng.randrange(len(TRACKS)))
        by_county.setdefault(ci, []).append(i)
        base = "".join(rng.choice(SYLLABLES) for _ in range(2)) + "示例" + rng.choice(ENT_SUFFIX)
        name, k = base, 1
        while name in names:
            k += 1
            name = base[:2] + str(k) + base[2:]
        names.add(name)
        tags = ";".join(t for t in TAGS if rng.random() < 0.08)
        w.writerow([eid, name, region, "", rng.randint(1985, 2024), rng.randint(0, 1),
                    "%.1f" % (rng.paretovariate(1.3) * 500), int(rng.paretovariate(1.4) * 20),
                    tags, rng.randint(0, 12), rng.randint(0, 4), rng.randint(0, 200),
                    "%.3f" % rng.uniform(0, 0.3), 1, ""])
    f.close()
    f, w = writer("hospitals.csv", ["id", "name", "region", "grade", "clinical_trial", "demo_base",
                                    "departments", "illustrative", "note"])
    for i, hid in enumerate(hosp_ids):
        w.writerow([hid, "示例第%d人民医院" % (i + 1), counties[region_pick.draw()], rng.choice(GRADES),
                    int(rng.random() < 0.3), int(rng.random() < 0.1),
                    ";".join(rng.sample(DEPTS, rng.randint(0, 4))), 1, ""])
    f.close()
    f, w = writer("institutions.csv", ["id", "name", "region", "kind", "key_labs", "illustrative",
                                       "note"])
    for i, uid in enumerate(inst_ids):
        w.writerow([uid, "示例医工研究院%d" % (i + 1), counties[region_pick.draw()],
                    rng.choice(INST_KINDS), "生物医学工程重点实验室%d" % i if rng.random() < 0.3 else "",
                    1, ""])
    f.close()
    f, w = writer("platforms.csv", ["id", "name", "region", "kind", "accreditations",
                                    "illustrative", "note"])
    for i, pid in enumerate(plat_ids):
        w.writerow([pid, "示例服务平台%d" % (i + 1), counties[region_pick.draw()], rng.choice(PLAT_KINDS),
                    "CMA;CNAS" if rng.random() < 0.2 else "", 1, ""])
    f.close()

    rows = {}
    relations = 0

    def pairs(name, header, n_target, capacity, draw_src, draw_dst, row):
        """Writes up to n_target unique (src, dst) pairs, no self-loops."""
        nonlocal relations
        n_target = int(min(n_target, capacity * 0.6))
        seen = set()
        f, w = writer(name, header)
        tries = 0
        while len(seen) < n_target and tries < n_target * 20:
            tries += 1
            s, d = draw_src(), draw_dst()
            if s == d or (s, d) in seen:
                continue
            seen.add((s, d))
            r, n_rel = row(s, d)
            w.writerow(r)
            relations += n_rel
        f.close()
        rows[name[:-4]] = len(seen)

    # produces: power-law sized lists of distinct segments.
    target = budget * 0.36
    raw = [rng.paretovariate(1.7) for _ in range(n_ent)]
    scale = target / sum(raw)
    f, w = writer("produces.csv", ["enterprise", "segment", "share"])
    n_prod = 0
    for i, eid in enumerate(ent_ids):
        k = max(1, min(n_seg // 2, round(raw[i] * scale)))
        chosen = set()
        home = ent_home[i]  # most of an enterprise's segments lie in one track
        while len(chosen) < k:
            s = seg_pick.draw()
            if rng.random() < 0.7:
                s = home * args.segments_per_track + s % args.segments_per_track
            chosen.add(s)
        for s in sorted(chosen):
            w.writerow([eid, segments[s][0], weight(rng, 0.3) if k > 1 else ""])
        n_prod += k
    f.close()
    rows["produces"] = n_prod
    relations += n_prod

    # supplies: segment -> segment, mostly within one track, now and then across tracks.
    spt = args.segments_per_track
    n_sup = int(min(budget * 0.005, n_seg * 8))
    seen = set()
    f, w = writer("supplies.csv", ["from", "to", "weight"])
    while len(seen) < n_sup:
        s = rng.randrange(n_seg)
        if rng.random() < 0.8:  # within the track, mostly towards a later (more downstream) one
            lo = s % spt
            d = segments[s][1] * spt + (rng.randrange(lo, spt) if rng.random() < 0.85
                                        else rng.randrange(spt))
        else:
            d = rng.randrange(n_seg)
        if s == d or (s, d) in seen:
            continue
        seen.add((s, d))
        w.writerow([segments[s][0], segments[d][0], weight(rng)])
    f.close()
    rows["supplies"] = n_sup
    relations += n_sup

    ent_pick = Weighted(rng, n_ent, 1.3)
    # Half of the trade ties are local: the customer sits in the supplier's county.
    last_supplier = [0]
    def trade_src():
        last_supplier[0] = ent_pick.draw()
        return last_supplier[0]
    def trade_dst():
        if rng.random() < 0.5:
            local = by_county[ent_county[last_supplier[0]]]
            return local[rng.randrange(len(local))]
        return ent_pick.draw()
    pairs("trades_with.csv", ["supplier", "customer", "weight"], budget * 0.28, n_ent * n_ent,
          trade_src, trade_dst, lambda s, d: ([ent_ids[s], ent_ids[d], weight(rng)], 1))
    pairs("researches.csv", ["institution", "segment", "strength"], budget * 0.05, n_inst * n_seg,
          lambda: rng.randrange(n_inst), seg_pick.draw,
          lambda s, d: ([inst_ids[s], segments[d][0], weight(rng)], 1))

    def clinical_row(s, d):
        demand = "%.2f" % rng.uniform(0.01, 1) if rng.random() < 0.8 else ""
        strength = "%.2f" % rng.uniform(0.01, 1) if (rng.random() < 0.6 or not demand) else ""
        return ([hosp_ids[s], segments[d][0], rng.choice(DEPTS) if rng.random() < 0.5 else "",
                 demand, strength], (demand != "") + (strength != ""))
    pairs("clinical.csv", ["hospital", "segment", "department", "demand", "strength"],
          budget * 0.06 / 1.4, n_hosp * n_seg, lambda: rng.randrange(n_hosp), seg_pick.draw,
          clinical_row)
    pairs("serves.csv", ["platform", "segment", "weight"], budget * 0.06, n_plat * n_seg,
          lambda: rng.randrange(n_plat), seg_pick.draw,
          lambda s, d: ([plat_ids[s], segments[d][0], weight(rng)], 1))

    # cooperates: any organisation to any organisation; mostly enterprises.
    orgs = [("enterprise", ent_ids), ("hospital", hosp_ids), ("institution", inst_ids),
            ("platform", plat_ids)]
    def org_draw():
        x = rng.random()
        if x < 0.7:
            return (0, ent_pick.draw())
        k = 1 + int((x - 0.7) / 0.1)
        return (k, rng.randrange(len(orgs[k][1])))
    def org_ref(o):
        kind, ids = orgs[o[0]]
        # ids are unambiguous across kinds (E/H/U/P prefixes): use both forms.
        return ids[o[1]] if rng.random() < 0.5 else kind + ":" + ids[o[1]]
    n_orgs = n_ent + n_hosp + n_inst + n_plat
    pairs("cooperates.csv", ["from", "to", "kind", "weight"], budget * 0.12, n_orgs * n_orgs,
          org_draw, org_draw,
          lambda s, d: ([org_ref(s), org_ref(d),
                         rng.choice(COOP_KINDS) if rng.random() < 0.7 else "", weight(rng)], 1))
    def inv_src():
        return (1, rng.randrange(n_plat)) if rng.random() < 0.3 else (0, ent_pick.draw())
    pairs("invests.csv", ["investor", "investee", "share"], budget * 0.06, n_orgs * n_ent,
          inv_src, lambda: (0, rng.randrange(n_ent)),
          lambda s, d: (["platform:" + plat_ids[s[1]] if s[0] else ent_ids[s[1]], ent_ids[d[1]],
                         "%.3f" % max(0.001, rng.uniform(0, 0.6))], 1))

    files = {k: k + ".csv" for k in ["regions", "tracks", "segments", "enterprises", "hospitals",
                                      "institutions", "platforms", "produces", "supplies",
                                      "trades_with", "researches", "clinical", "serves",
                                      "cooperates", "invests"]}
    manifest = {
        "format": "chainatlas-bundle",
        "version": 1,
        "source": "bench-synthetic-seed%d" % args.seed,
        "description": "Synthetic benchmark bundle written by bench/gen_bundle.py (seed %d, %d "
                       "enterprises, ~%d relations). Every organisation is INVENTED "
                       "(illustrative=1, 名称含“示例”)." % (args.seed, n_ent, budget),
        "files": files,
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as mf:
        json.dump(manifest, mf, ensure_ascii=False, indent=2)
        mf.write("\n")
    summary = {
        "out": args.out, "seed": args.seed, "size": args.size,
        "regions_from": region_source,
        "nodes": len(regions) + len(TRACKS) + n_seg + n_ent + n_hosp + n_inst + n_plat,
        "entities": {"regions": len(regions), "tracks": len(TRACKS), "segments": n_seg,
                     "enterprises": n_ent, "hospitals": n_hosp, "institutions": n_inst,
                     "platforms": n_plat},
        "relation_csv_rows": rows,
        "relation_csv_rows_total": sum(rows.values()),
        "relations_expected": relations,
    }
    json.dump(summary, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
