#!/usr/bin/env python3
"""Write the embedded default dataset of ChainAtlas (data/) as an import bundle.

The bundle format is docs/bundle-format.md.  The dataset describes the Zhejiang
medical-device industry:

* regions: GB/T 2260 codes read from the regions tables (--regions DIR, default
  ../shared/data/regions beside the repository root), plus a few parks named by
  the seed policy documents;
* tracks, segments and the supply relations between segments: hand-written tables
  in scripts/default_dataset/ (one TSV per table, described in its README.md);
* hospitals, universities/institutes and real platforms: public facts only
  (name, region, grade, well-known departments), hand-written tables there too;
* enterprises named by the seed documents: only what the seeds say about them;
* every other enterprise and platform is INVENTED (illustrative=1, the token 示例
  right after the place name, no credit code), generated deterministically with
  random.Random(SEED), together with the relations among them.

Usage: python3 scripts/make_default_dataset.py [--regions DIR] [--out DIR]
Standard library only; the output is byte-for-byte reproducible.  Exit status:
0 written; 1 the self-check failed (nothing written); 2 a table is missing or does
not parse (header, number of fields, numbers, positions and levels), or the
regions tables are missing (the message names the path).
"""

import argparse
import csv
import json
import math
import os
import random
import sys

SEED = 20240517
SOURCE = "zhejiang-medical-devices"
THIS_YEAR = 2025          # latest founding year we generate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.normpath(os.path.join(ROOT, "data"))
DEFAULT_REGIONS = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "regions"))
REGION_FILES = ("provinces.csv", "cities.csv", "areas.csv")
# The hand-written tables: one UTF-8 TSV per table, its first line the column names
# (scripts/default_dataset/README.md).
TABLES = os.path.join(HERE, "default_dataset")


def fail(msg):
    """A missing or malformed input: say which, exit 2."""
    print("make_default_dataset.py: " + msg, file=sys.stderr)
    sys.exit(2)


def table(name, columns):
    """The rows (lists of strings) of TABLES/<name>.tsv, whose header must be `columns`.

    Tab-separated, no quoting, empty cells are empty strings; the callers split the
    list-valued cells (by spaces or by ';', as the README says for each table)."""
    path = os.path.join(TABLES, name + ".tsv")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
    except OSError as e:
        fail("cannot read table %s: %s" % (path, e.strerror or e))
    except UnicodeDecodeError as e:
        fail("table %s is not UTF-8: %s" % (path, e))
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != columns:
        fail("table %s: the first line must be the header %s (tab-separated)" % (path, " ".join(columns)))
    rows = []
    for n, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        if len(cells) != len(columns):
            fail("table %s, line %d: %d fields, want %d (%s)" % (path, n, len(cells), len(columns), " ".join(columns)))
        rows.append(cells)
    return rows


def number(cast, text, name):
    """int or float of a cell of table `name`; exit 2 naming the table when it is not one."""
    try:
        return cast(text)
    except ValueError:
        fail("table %s: %r is not %s" % (os.path.join(TABLES, name + ".tsv"), text,
                                         "an integer" if cast is int else "a number"))


SEED_DOCS = dict(table("seed_docs", ["seed", "document"]))

# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------

# Outside Zhejiang: only the places we use.  Beijing and Shanghai districts sit
# directly under the province (their GB/T city row is the anonymous "市辖区").
OUTSIDE_REGIONS = table("outside_regions", ["level", "code"])
for _level, _code in OUTSIDE_REGIONS:
    if _level not in ("province", "city", "county"):
        fail("table %s: region %s: level %r is not province, city or county"
             % (os.path.join(TABLES, "outside_regions.tsv"), _code, _level))
OUTSIDE_CITIES = [code for level, code in OUTSIDE_REGIONS if level == "city"]
OUTSIDE_COUNTIES = [code for level, code in OUTSIDE_REGIONS if level == "county"]
OUTSIDE_PROVINCES = [code for level, code in OUTSIDE_REGIONS if level == "province"]

# Parks named by the seeds (code, name, county, seed).
PARKS = [tuple(r) for r in table("parks", ["code", "name", "county", "seed"])]


def read_csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def build_regions(regions_dir):
    provs = {r["code"]: r["name"] for r in read_csv_rows(os.path.join(regions_dir, "provinces.csv"))}
    cities = {r["code"]: (r["name"], r["provinceCode"]) for r in read_csv_rows(os.path.join(regions_dir, "cities.csv"))}
    areas = {r["code"]: (r["name"], r["cityCode"], r["provinceCode"]) for r in read_csv_rows(os.path.join(regions_dir, "areas.csv"))}
    rows = []
    for p in sorted(set(["33"] + OUTSIDE_PROVINCES)):
        rows.append({"code": p + "0000", "name": provs[p], "level": "province", "parent": ""})
    for c in sorted(code for code, (_, p) in cities.items() if p == "33") + sorted(OUTSIDE_CITIES):
        name, p = cities[c]
        rows.append({"code": c + "00", "name": name, "level": "city", "parent": p + "0000"})
    zj = sorted(code for code, (_, _, p) in areas.items() if p == "33")
    for a in zj + sorted(OUTSIDE_COUNTIES):
        name, c, p = areas[a]
        parent = p + "0000" if p in ("11", "31") else c + "00"
        rows.append({"code": a, "name": name, "level": "county", "parent": parent})
    for code, name, county, seed in PARKS:
        rows.append({"code": code, "name": name, "level": "park", "parent": county,
                     "note": "named in " + SEED_DOCS[seed]})
    return rows


# ---------------------------------------------------------------------------
# Tracks and segments
# ---------------------------------------------------------------------------

TRACKS = [tuple(r) for r in table("tracks", ["id", "name", "name_en"])]

U, M, D = "upstream", "midstream", "downstream"
# (id, name, position, parent, name_en); the track is the id's prefix.
SEGMENTS = [tuple(r) for r in table("segments", ["id", "name", "position", "parent", "name_en"])]
for _sid, _, _pos, _, _ in SEGMENTS:
    if _pos not in (U, M, D):
        fail("table %s: segment %s: position %r is not %s, %s or %s"
             % (os.path.join(TABLES, "segments.tsv"), _sid, _pos, U, M, D))

# Supply relations: (input, output, weight).  Midstream -> downstream ties are
# added by downstream_supplies().
SUPPLIES = [(f, t, number(float, w, "supplies")) for f, t, w in table("supplies", ["input", "output", "weight"])]

# Downstream segments each track's midstream devices flow into: (downstream, weight, only-these-midstreams or None).
DOWNSTREAM = {}
for _track, _down, _w, _only in table("downstream", ["track", "downstream", "weight", "only_from"]):
    DOWNSTREAM.setdefault(_track, []).append((_down, number(float, _w, "downstream"), _only.split() or None))


def downstream_supplies(segments):
    out = []
    for track, _, _ in TRACKS:
        mids = [s for s in leaf_ids(segments) if s.startswith(track + ".") and segments[s]["position"] == M]
        for down, w, only in DOWNSTREAM.get(track, []):
            for m in mids:
                if only is None or m in only:
                    out.append((m, down, w))
    return out


def leaf_ids(segments):
    parents = {s["parent"] for s in segments.values() if s["parent"]}
    return [sid for sid in segments if sid not in parents]


# ---------------------------------------------------------------------------
# Real institutions (public facts only)
# ---------------------------------------------------------------------------

# Hospitals: (id, name, region, grade, clinical_trial, departments, focus tracks, note)
# grade / clinical_trial left empty where we are not sure.  A region at city level
# means we did not want to guess the district.
T3A = "三级甲等"
HOSPITALS = [tuple(r) for r in table("hospitals", ["id", "name", "region", "grade", "clinical_trial", "departments",
                                                   "focus_tracks", "note"])]

# Institutions: (id, name, region, kind, key_labs, research segments, note)
INSTITUTIONS = [tuple(r) for r in table("institutions", ["id", "name", "region", "kind", "key_labs", "research_segments",
                                                         "note"])]

# Real platforms: (id, name, region, kind, accreditations, tracks served, note)
REAL_PLATFORMS = [tuple(r) for r in table("real_platforms", ["id", "name", "region", "kind", "accreditations", "tracks",
                                                             "note"])]

# Invented platforms: (place, middle, kind, region, accreditations, tracks)
ILLUSTRATIVE_PLATFORMS = [tuple(r) for r in table("illustrative_platforms", ["place", "middle", "kind", "region",
                                                                             "accreditations", "tracks"])]

# ---------------------------------------------------------------------------
# Enterprises
# ---------------------------------------------------------------------------

# Named by the seeds: (id, name, region, note, produced segments (only as stated)).
SEED_ENTERPRISES = [(i, n, r, note, produces.split())
                    for i, n, r, note, produces in table("seed_enterprises", ["id", "name", "region", "note", "produces"])]


def _pairs(cell, cast, name):
    """'a=1 b=2' -> [('a', cast('1')), ('b', cast('2'))], from a cell of table `name`."""
    out = []
    for item in cell.split():
        if "=" not in item:
            fail("table %s: %r is not key=number" % (os.path.join(TABLES, name + ".tsv"), item))
        k, v = item.rsplit("=", 1)
        out.append((k, number(cast, v, name)))
    return out


# Clusters of invented enterprises: (county, track, [(primary segment, count)], park codes and shares)
# Tonglu (China's endoscope town) has many rigid-endoscope makers but no local
# CMOS-sensor, fibre-bundle or absorbable-suture maker, and a single maker of
# single-use scopes / ultrasonic scalpels: the gaps the engine should find.
CLUSTERS = [(county, track, _pairs(primaries, int, "clusters"), _pairs(parks, float, "clusters"))
            for county, track, primaries, parks in table("clusters", ["county", "track", "primaries", "parks"])]

# Segments a primary producer may also make (secondary products); weak or missing
# links are kept out so that their producer counts stay as designed.
SECONDARY_BLOCKLIST = {s for s, in table("secondary_blocklist", ["segment"])}
SECONDARY = {p: also.split() for p, also in table("secondary", ["primary", "also_makes"])}

# Place names used in invented names.
PLACE_BY_COUNTY = dict(table("place_by_county", ["county", "place"]))
PLACE_BY_PREFIX = dict(table("place_by_prefix", ["prefix", "place"]))

BRAND_CHARS = "".join(c for c, in table("brand_chars", ["chars"]))
WORDS = {(track, pos): words.split() for track, pos, words in table("name_words", ["track", "position", "words"])}

CLASS3_SEGMENTS = {s for s, in table("class3_segments", ["segment"])}

TAGS = ["high_tech", "specialised", "little_giant", "listed", "chain_leader", "foreign_funded", "startup"]


def place_of(county):
    if county in PLACE_BY_COUNTY:
        return PLACE_BY_COUNTY[county]
    return PLACE_BY_PREFIX[county[:4]]


def county_of(region):
    return region.split("-")[0]


def generate_enterprises(rng, segments):
    enterprises, produces = [], []
    used_names = set()
    for eid, name, region, note, segs in SEED_ENTERPRISES:
        enterprises.append({"id": eid, "name": name, "region": region, "illustrative": "0", "note": note})
        for s in segs:
            produces.append({"enterprise": eid, "segment": s, "share": ""})
    n = len(SEED_ENTERPRISES)
    for county, track, items, parks in CLUSTERS:
        for primary, count in items:
            for _ in range(count):
                n += 1
                eid = "E%04d" % n
                region = county
                r = rng.random()
                for park, share in parks:
                    if r < share:
                        region = park
                        break
                    r -= share
                pos = segments[primary]["position"]
                ent = invent_attributes(rng, eid, region, track, primary, pos, used_names)
                enterprises.append(ent)
                produces.extend(invent_products(rng, eid, primary, pos))
    mark_chain_leaders(enterprises, produces)
    return enterprises, produces


def invent_name(rng, county, track, pos, big, used):
    place = place_of(county)
    if county.startswith("33") and big and rng.random() < 0.3:
        place = "浙江"
    for _ in range(1000):
        brand = "".join(rng.sample(BRAND_CHARS, 2))
        word = rng.choice(WORDS[(track, pos)])
        if big:
            suffix = "股份有限公司"
        else:
            suffix = "有限责任公司" if rng.random() < 0.12 else "有限公司"
        name = place + "示例" + brand + word + suffix
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("could not invent a unique name")


def invent_attributes(rng, eid, region, track, primary, pos, used_names):
    founded = THIS_YEAR - int(min(35, rng.expovariate(1 / 11.0)))
    age = THIS_YEAR - founded
    startup = founded >= 2020 and rng.random() < 0.6
    mu = {U: math.log(2600), M: math.log(3000), D: math.log(1500)}[pos]
    if not region.startswith("33"):
        mu += 0.7            # the firms elsewhere are the stronger investment targets
    revenue = rng.lognormvariate(mu, 1.35) * min(1.0, (age + 1) / 8.0)
    if startup:
        revenue *= 0.4
    revenue = max(30.0, min(revenue, 400000.0))
    revenue = round(revenue, 1)
    big = revenue > 60000
    tags = []
    if pos != D and rng.random() < (0.2 + (0.35 if revenue > 3000 else 0.0) + (0.2 if startup else 0.0)):
        tags.append("high_tech")
    if "high_tech" in tags and revenue > 1500 and rng.random() < 0.3:
        tags.append("specialised")
        if revenue > 8000 and rng.random() < 0.3:
            tags.append("little_giant")
    if revenue > 80000 and rng.random() < 0.6:
        tags.append("listed")
    if rng.random() < 0.03:
        tags.append("foreign_funded")
    if startup and revenue < 1500:
        tags.append("startup")
    employees = max(3, int(revenue / rng.uniform(45, 95)))
    device = pos == M
    class2 = class3 = 0
    if device:
        class2 = int(rng.lognormvariate(math.log(3 + revenue / 4000), 0.8))
        if primary in CLASS3_SEGMENTS:
            class3 = int(rng.lognormvariate(math.log(1 + revenue / 8000), 0.9))
    patents = int(rng.lognormvariate(math.log(4 + revenue / 400), 0.8)) if pos != D else rng.randint(0, 3)
    if pos == D:
        rd = rng.uniform(0.003, 0.02)
    elif startup:
        rd = rng.uniform(0.15, 0.45)
    else:
        rd = rng.uniform(0.025, 0.12)
    return {
        "id": eid, "name": invent_name(rng, county_of(region), track, pos, big, used_names), "region": region, "uscc": "",
        "founded": str(founded), "above_scale": "1" if revenue >= 2000 else "0", "revenue": fmt(revenue),
        "employees": str(employees), "tags": ";".join(t for t in TAGS if t in tags), "class2_certs": str(class2),
        "class3_certs": str(class3), "patents": str(patents), "rd_ratio": fmt(round(rd, 3)), "illustrative": "1", "note": "",
        "_track": track, "_revenue": revenue,
    }


def invent_products(rng, eid, primary, pos):
    options = [s for s in SECONDARY.get(primary, []) if s not in SECONDARY_BLOCKLIST]
    k = min(len(options), rng.choice([0, 0, 1, 1, 1, 2, 3]))
    extra = sorted(rng.sample(options, k)) if k else []
    if not extra:
        return [{"enterprise": eid, "segment": primary, "share": "1"}]
    main = round(rng.uniform(0.5, 0.85), 2)
    rest = 1.0 - main
    weights = [rng.uniform(0.3, 1.0) for _ in extra]
    total = sum(weights) * rng.uniform(1.0, 1.15)      # shares may sum to a little under 1
    rows = [{"enterprise": eid, "segment": primary, "share": fmt(main)}]
    for s, w in zip(extra, weights):
        share = max(0.01, math.floor(rest * w / total * 100) / 100)
        rows.append({"enterprise": eid, "segment": s, "share": fmt(share)})
    return rows


# (county, track, revenue floor in 万元): the largest invented device maker of the
# cluster is its declared chain leader, grown to at least the floor.
LEADERS = [(county, track, number(int, floor, "chain_leaders"))
           for county, track, floor in table("chain_leaders", ["county", "track", "revenue_floor"])]


def mark_chain_leaders(enterprises, produces):
    primary = {}
    for p in produces:
        primary.setdefault(p["enterprise"], p["segment"])
    seg_pos = {s[0]: s[2] for s in SEGMENTS}
    for county, track, floor in LEADERS:
        cands = [e for e in enterprises if e["illustrative"] == "1" and county_of(e["region"]) == county and e["_track"] == track]
        devices = [e for e in cands if seg_pos[primary[e["id"]]] == M] or cands
        best = max(devices, key=lambda e: (e["_revenue"], e["id"]))
        if best["_revenue"] < floor:
            factor = floor / best["_revenue"]
            best["_revenue"] = float(floor)
            best["revenue"] = fmt(float(floor))
            best["employees"] = str(int(int(best["employees"]) * factor ** 0.8))
            best["patents"] = str(int(int(best["patents"]) * factor ** 0.5) + 20)
            best["above_scale"] = "1"
            best["founded"] = str(min(int(best["founded"]), 2013 - floor // 25000))
            if seg_pos[primary[best["id"]]] == M:
                best["class2_certs"] = str(max(int(best["class2_certs"]), 25))
        tags = set(best["tags"].split(";")) if best["tags"] else set()
        tags |= {"chain_leader", "high_tech"}
        tags.discard("startup")
        if best["_revenue"] >= 150000:
            tags.add("listed")
        best["tags"] = ";".join(t for t in TAGS if t in tags)


def fmt(x):
    if isinstance(x, float):
        s = ("%.4f" % x).rstrip("0").rstrip(".")
        return s if s else "0"
    return str(x)


# ---------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------

def producers_by_segment(produces):
    out = {}
    for p in produces:
        out.setdefault(p["segment"], []).append(p["enterprise"])
    return {k: sorted(set(v)) for k, v in out.items()}


def proximity(a, b):
    """Geographic weight between two region codes (county > city > province > YRD > elsewhere)."""
    a, b = county_of(a), county_of(b)
    if a == b:
        return 4.0
    if a[:4] == b[:4] and not a.endswith("0000"):
        return 2.5
    if a[:2] == b[:2]:
        return 1.6
    yrd = {"31", "32", "33", "34"}
    return 1.0 if a[:2] in yrd and b[:2] in yrd else 0.7


def generate_trades(rng, enterprises, produces, supplies, target=360):
    ent = {e["id"]: e for e in enterprises}
    prod = producers_by_segment(produces)
    inputs = {}
    for f, t, w in supplies:
        inputs.setdefault(t, []).append((f, w))
    segs_of = {}
    for p in produces:
        segs_of.setdefault(p["enterprise"], []).append(p["segment"])
    keys, rows = set(), []

    def add(sup, cus, w):
        if sup != cus and (sup, cus) not in keys:
            keys.add((sup, cus))
            rows.append({"supplier": sup, "customer": cus, "weight": fmt(round(w, 2))})
            return True
        return False

    # Tonglu's camera-system and scope makers already buy CMOS sensors and fibre
    # bundles from outside the county (the gap is real, the trade exists).
    tonglu_buyers = sorted(e for e in segs_of if county_of(ent[e]["region"]) == "330122" and ent[e]["illustrative"] == "1"
                           and set(segs_of[e]) & {"endo.camera_system", "endo.gi_scope", "endo.single_use_scope", "endo.rigid_scope"})
    for cus in tonglu_buyers:
        needed = {f for f, _ in inputs_for(inputs, segs_of[cus])}
        need = [s for s in ("endo.cmos_sensor", "endo.fiber_bundle") if s in needed]
        for s in need:
            if rng.random() < 0.45:
                add(rng.choice(prod[s]), cus, rng.uniform(0.4, 1.0))

    customers = sorted(e for e in segs_of if ent[e]["illustrative"] == "1")
    rounds = 0
    while len(rows) < target and rounds < 10:
        rounds += 1
        for cus in customers:
            if len(rows) >= target:
                break
            if rng.random() < 0.45:
                continue
            cands = []
            for f, w in inputs_for(inputs, segs_of[cus]):
                for sup in prod.get(f, []):
                    if sup != cus and ent[sup]["illustrative"] == "1":
                        cands.append((sup, w * proximity(ent[sup]["region"], ent[cus]["region"])))
            if not cands:
                continue
            sup = weighted_choice(rng, cands)
            add(sup, cus, rng.uniform(0.2, 1.0))
    return rows


def inputs_for(inputs, segs):
    out = []
    for s in sorted(segs):
        out.extend(sorted(inputs.get(s, [])))
    return out


def weighted_choice(rng, items):
    total = sum(w for _, w in items)
    r = rng.uniform(0, total)
    for item, w in items:
        r -= w
        if r <= 0:
            return item
    return items[-1][0]


def generate_researches(rng):
    rows = []
    for iid, _, _, _, _, segs, _ in INSTITUTIONS:
        for i, s in enumerate(segs.split()):
            strength = 0.95 - 0.05 * i + rng.uniform(-0.1, 0.05)
            rows.append({"institution": iid, "segment": s, "strength": fmt(round(max(0.3, min(1.0, strength)), 2))})
    return rows


# The hospital departments that use each segment's products; a hospital's clinical row
# takes the first of them that is one of its key departments, else the first.
DEPARTMENT_OF = {s: depts.split(";") for s, depts in table("departments", ["segment", "departments"])}


def generate_clinical(rng, segments):
    rows = []
    leaves = leaf_ids(segments)
    for hid, _, _, grade, ct, depts, focus, _ in HOSPITALS:
        chosen = []
        for track in focus.split(";"):
            mids = [s for s in leaves if s.startswith(track + ".") and s in DEPARTMENT_OF]
            k = min(len(mids), 4 if grade == T3A else 2)
            chosen.extend(rng.sample(mids, k))
        for track in ("ivd", "inf"):        # every hospital uses some reagents and consumables
            if track not in focus.split(";"):
                mids = [s for s in leaves if s.startswith(track + ".") and s in DEPARTMENT_OF]
                chosen.append(rng.choice(mids))
        key_depts = depts.split(";") if depts else []
        for s in sorted(set(chosen)):
            cands = DEPARTMENT_OF[s]
            dept = next((d for d in cands if d in key_depts), cands[0])
            demand = rng.uniform(0.4, 1.0) if grade == T3A else rng.uniform(0.2, 0.7)
            if ct == "1":
                strength = rng.uniform(0.55, 1.0) + (0.1 if dept in key_depts else 0.0)
            elif grade == T3A:
                strength = rng.uniform(0.2, 0.6)
            else:
                strength = 0.0 if rng.random() < 0.6 else rng.uniform(0.05, 0.3)
            rows.append({"hospital": hid, "segment": s, "department": dept, "demand": fmt(round(demand, 2)),
                         "strength": fmt(round(min(1.0, strength), 2))})
    return rows


# The positions of the segments each kind of platform serves; the segments that need
# sterilisation (sterilisation platforms) and precision machining (machining platforms).
SERVE_POSITIONS = {kind: positions.split() for kind, positions in table("serve_positions", ["platform_kind", "positions"])}
STERILE = {s for s, in table("sterile_segments", ["segment"])}
MACHINED = {s for s, in table("machined_segments", ["segment"])}

# Ties known from the seeds and public facts: (from, to, kind, weight); the table's
# source column says where each is from.
KNOWN_COOPERATES = [(a, b, kind, number(float, w, "known_cooperates"))
                    for a, b, kind, w, _ in table("known_cooperates", ["from", "to", "kind", "weight", "source"])]


def generate_serves(rng, platforms, segments):
    rows = []
    leaves = leaf_ids(segments)
    for p in platforms:
        kind, tracks = p["kind"], p["_tracks"].split()
        cands = [s for s in leaves if s.split(".")[0] in tracks and segments[s]["position"] in SERVE_POSITIONS[kind]]
        if kind == "sterilisation":
            cands = [s for s in cands if s in STERILE]
        if kind == "machining":
            cands = [s for s in cands if s in MACHINED]
        k = min(len(cands), 12 if len(tracks) > 6 else 6)
        for s in sorted(rng.sample(cands, k)):
            rows.append({"platform": p["id"], "segment": s, "weight": fmt(round(rng.uniform(0.4, 1.0), 2))})
    return rows


def generate_cooperates(rng, enterprises, produces, hospitals_rows, institutions_rows, platforms, clinical, researches, serves):
    ent = {e["id"]: e for e in enterprises}
    rows, keys = [], set()

    def add(a, b, kind, w):
        if a != b and (a, b) not in keys and (b, a) not in keys:
            keys.add((a, b))
            rows.append({"from": a, "to": b, "kind": kind, "weight": fmt(round(w, 2))})

    # Known from the seeds and public facts.
    for a, b, kind, w in KNOWN_COOPERATES:
        add(a, b, kind, w)

    segs_of = {}
    for p in produces:
        segs_of.setdefault(p["enterprise"], []).append(p["segment"])
    hosp_by_seg, inst_by_seg, plat_by_seg = {}, {}, {}
    for c in clinical:
        if float(c["strength"] or 0) > 0.3:
            hosp_by_seg.setdefault(c["segment"], []).append((c["hospital"], float(c["strength"])))
    for r in researches:
        inst_by_seg.setdefault(r["segment"], []).append((r["institution"], float(r["strength"])))
    for s in serves:
        plat_by_seg.setdefault(s["segment"], []).append((s["platform"], float(s["weight"])))
    region = {}
    for h in hospitals_rows:
        region["hospital:" + h["id"]] = h["region"]
    for i in institutions_rows:
        region["institution:" + i["id"]] = i["region"]
    for p in platforms:
        region["platform:" + p["id"]] = p["region"]

    firms = sorted(e["id"] for e in enterprises if e["illustrative"] == "1" and e["id"] in segs_of)
    for eid in firms:
        e = ent[eid]
        if e["class2_certs"] in ("", "0") and e["class3_certs"] in ("", "0") and "high_tech" not in e["tags"]:
            continue
        r = rng.random()
        if r < 0.18:
            pool, kind, prefix = hosp_by_seg, "clinical_trial", "hospital:"
        elif r < 0.33:
            pool, kind, prefix = inst_by_seg, rng.choice(["joint_lab", "tech_transfer"]), "institution:"
        elif r < 0.45:
            pool, kind, prefix = plat_by_seg, "agreement", "platform:"
        else:
            continue
        cands = []
        for s in sorted(segs_of[eid]):
            for other, w in pool.get(s, []):
                cands.append((prefix + other, w * proximity(e["region"], region[prefix + other])))
        if cands:
            add("enterprise:" + eid, weighted_choice(rng, cands), kind, rng.uniform(0.4, 1.0))
    # Hospital - institution medical-engineering ties (医工结合).
    inst_ids = [i["id"] for i in institutions_rows]
    for h in hospitals_rows:
        if h["grade"] == T3A and rng.random() < 0.35:
            cands = [("institution:" + i, proximity(h["region"], region["institution:" + i])) for i in inst_ids]
            add("hospital:" + h["id"], weighted_choice(rng, cands), "medical_engineering", rng.uniform(0.4, 0.9))
    return rows


def generate_invests(rng, enterprises, platforms):
    rows, keys = [], set()
    funds = [p for p in platforms if p["kind"] == "fund" and p["illustrative"] == "1"]
    ill = [e for e in enterprises if e["illustrative"] == "1"]
    for f in funds:
        tracks = f["_tracks"].split()
        local = [e for e in ill if e["_track"] in tracks and proximity(e["region"], f["region"]) >= 2.5
                 and ("startup" in e["tags"] or "specialised" in e["tags"] or "high_tech" in e["tags"])]
        for e in sorted(rng.sample(local, min(len(local), 5)), key=lambda x: x["id"]):
            key = ("platform:" + f["id"], e["id"])
            if key not in keys:
                keys.add(key)
                rows.append({"investor": key[0], "investee": e["id"], "share": fmt(round(rng.uniform(0.03, 0.25), 3))})
    big = sorted((e for e in ill if e["_revenue"] > 20000), key=lambda e: e["id"])
    for b in big:
        small = [e for e in ill if e["_track"] == b["_track"] and e["id"] != b["id"] and e["_revenue"] < b["_revenue"] / 5]
        if not small or rng.random() < 0.35:
            continue
        e = weighted_choice(rng, [(x, proximity(x["region"], b["region"])) for x in small])
        key = ("enterprise:" + b["id"], e["id"])
        if key not in keys:
            keys.add(key)
            rows.append({"investor": key[0], "investee": e["id"], "share": fmt(round(rng.uniform(0.1, 0.7), 3))})
    return rows


# ---------------------------------------------------------------------------
# Assembly, checks, output
# ---------------------------------------------------------------------------

COLUMNS = {
    "regions": ["code", "name", "level", "parent", "note"],
    "tracks": ["id", "name", "name_en"],
    "segments": ["id", "track", "name", "position", "parent", "name_en"],
    "enterprises": ["id", "name", "region", "uscc", "founded", "above_scale", "revenue", "employees", "tags", "class2_certs",
                    "class3_certs", "patents", "rd_ratio", "illustrative", "note"],
    "hospitals": ["id", "name", "region", "grade", "clinical_trial", "demo_base", "departments", "illustrative", "note"],
    "institutions": ["id", "name", "region", "kind", "key_labs", "illustrative", "note"],
    "platforms": ["id", "name", "region", "kind", "accreditations", "illustrative", "note"],
    "produces": ["enterprise", "segment", "share"],
    "supplies": ["from", "to", "weight"],
    "trades_with": ["supplier", "customer", "weight"],
    "researches": ["institution", "segment", "strength"],
    "clinical": ["hospital", "segment", "department", "demand", "strength"],
    "serves": ["platform", "segment", "weight"],
    "cooperates": ["from", "to", "kind", "weight"],
    "invests": ["investor", "investee", "share"],
}
ORDER = list(COLUMNS)


def build():
    rng = random.Random(SEED)
    data = {}
    data["tracks"] = [{"id": t, "name": n, "name_en": e} for t, n, e in TRACKS]
    segs = {}
    for sid, name, pos, parent, en in SEGMENTS:
        segs[sid] = {"id": sid, "track": sid.split(".")[0], "name": name, "position": pos, "parent": parent, "name_en": en}
    data["segments"] = list(segs.values())
    supplies = list(SUPPLIES) + downstream_supplies(segs)
    data["supplies"] = [{"from": f, "to": t, "weight": fmt(float(w))} for f, t, w in supplies]
    data["hospitals"] = [{"id": h[0], "name": h[1], "region": h[2], "grade": h[3], "clinical_trial": h[4], "demo_base": "",
                          "departments": h[5], "illustrative": "0", "note": h[7]} for h in HOSPITALS]
    data["institutions"] = [{"id": i[0], "name": i[1], "region": i[2], "kind": i[3], "key_labs": i[4], "illustrative": "0",
                             "note": i[6]} for i in INSTITUTIONS]
    platforms = [{"id": p[0], "name": p[1], "region": p[2], "kind": p[3], "accreditations": p[4], "illustrative": "0",
                  "note": p[6], "_tracks": p[5]} for p in REAL_PLATFORMS]
    for i, (place, middle, kind, region, acc, tracks) in enumerate(ILLUSTRATIVE_PLATFORMS):
        platforms.append({"id": "P%03d" % (len(REAL_PLATFORMS) + i + 1), "name": place + "示例" + middle, "region": region,
                          "kind": kind, "accreditations": acc, "illustrative": "1", "note": "invented for illustration",
                          "_tracks": tracks})
    data["platforms"] = platforms
    enterprises, produces = generate_enterprises(rng, segs)
    data["enterprises"] = enterprises
    data["produces"] = produces
    data["trades_with"] = generate_trades(rng, enterprises, produces, supplies)
    data["researches"] = generate_researches(rng)
    data["clinical"] = generate_clinical(rng, segs)
    data["serves"] = generate_serves(rng, platforms, segs)
    data["cooperates"] = generate_cooperates(rng, enterprises, produces, data["hospitals"], data["institutions"], platforms,
                                             data["clinical"], data["researches"], data["serves"])
    data["invests"] = generate_invests(rng, enterprises, platforms)
    return data


class CheckError(Exception):
    pass


def check(data):
    errs = []

    def err(msg):
        errs.append(msg)

    regions = {r["code"]: r for r in data["regions"]}
    if len(regions) != len(data["regions"]):
        err("duplicate region codes")
    levels = ["province", "city", "county", "park"]
    for r in data["regions"]:
        lvl = r["level"]
        if lvl not in levels:
            err("region %s: bad level" % r["code"])
        if lvl == "province":
            if r["parent"]:
                err("province %s has a parent" % r["code"])
            continue
        par = regions.get(r["parent"])
        if par is None:
            err("region %s: parent %s missing" % (r["code"], r["parent"]))
            continue
        ok = {"city": ["province"], "county": ["city", "province"], "park": ["county"]}[lvl]
        if par["level"] not in ok:
            err("region %s: parent level %s" % (r["code"], par["level"]))
        if r["code"][:2] != r["parent"][:2]:
            err("region %s not in its province" % r["code"])
        if lvl == "park" and not (r["code"].startswith(r["parent"] + "-")):
            err("park %s code" % r["code"])
        if lvl != "park" and not (len(r["code"]) == 6 and r["code"].isdigit()):
            err("region code %s" % r["code"])

    ids = {}
    for kind in ["tracks", "segments", "enterprises", "hospitals", "institutions", "platforms"]:
        ids[kind] = set()
        for row in data[kind]:
            if row["id"] in ids[kind]:
                err("%s: duplicate id %s" % (kind, row["id"]))
            ids[kind].add(row["id"])
    names = [e["name"] for e in data["enterprises"]]
    if len(set(names)) != len(names):
        err("duplicate enterprise names")

    segs = {s["id"]: s for s in data["segments"]}
    for s in data["segments"]:
        if s["track"] not in ids["tracks"]:
            err("segment %s: track" % s["id"])
        if s["position"] not in ("upstream", "midstream", "downstream"):
            err("segment %s: position" % s["id"])
        if s["parent"]:
            p = segs.get(s["parent"])
            if p is None or p["track"] != s["track"]:
                err("segment %s: parent" % s["id"])
        seen, cur = set(), s["id"]
        while cur:
            if cur in seen:
                err("segment cycle at %s" % s["id"])
                break
            seen.add(cur)
            cur = segs[cur]["parent"] if cur in segs else ""

    def unit(v, what, lo_open=True, allow_empty=True):
        if v == "" and allow_empty:
            return
        try:
            x = float(v)
        except ValueError:
            err("%s: not a number %r" % (what, v))
            return
        if x > 1 or x < 0 or (lo_open and x == 0):
            err("%s: out of range %r" % (what, v))

    for kind in ["enterprises", "hospitals", "institutions", "platforms"]:
        for row in data[kind]:
            if row["region"] not in regions:
                err("%s %s: region %s" % (kind, row["id"], row["region"]))
            if row.get("illustrative") == "1" and "示例" not in row["name"]:
                err("%s %s: illustrative without 示例" % (kind, row["id"]))
            if row.get("illustrative") == "0" and "示例" in row["name"]:
                err("%s %s: real row with 示例" % (kind, row["id"]))
    for e in data["enterprises"]:
        w = "enterprise " + e["id"]
        if e.get("uscc"):
            err(w + ": uscc must stay empty")
        if e.get("founded") and not (1900 <= int(e["founded"]) <= THIS_YEAR):
            err(w + ": founded")
        for c in ("employees", "class2_certs", "class3_certs", "patents"):
            if e.get(c) and (not e[c].isdigit()):
                err(w + ": " + c)
        if e.get("revenue") and float(e["revenue"]) < 0:
            err(w + ": revenue")
        if e.get("above_scale") not in (None, "", "0", "1"):
            err(w + ": above_scale")
        unit(e.get("rd_ratio", ""), w + " rd_ratio", lo_open=False)
        for t in (e.get("tags") or "").split(";"):
            if t and t not in TAGS:
                err(w + ": tag " + t)
        if e["illustrative"] == "1":
            place = place_of(county_of(e["region"]))
            if not (e["name"].startswith(place + "示例") or e["name"].startswith("浙江示例")):
                err(w + ": 示例 not right after the place name")
    for h in data["hospitals"]:
        if h["grade"] and h["grade"] not in ("三级甲等", "三级乙等", "三级", "二级甲等", "二级乙等", "二级", "一级", "其他"):
            err("hospital %s grade" % h["id"])
        for c in ("clinical_trial", "demo_base"):
            if h[c] not in ("", "0", "1"):
                err("hospital %s %s" % (h["id"], c))
    for i in data["institutions"]:
        if i["kind"] not in ("university", "institute", "lab"):
            err("institution %s kind" % i["id"])
    pkinds = ("incubator", "cdmo", "cro", "cmo", "cso", "testing", "sterilisation", "registration", "machining", "sales", "fund", "park")
    for p in data["platforms"]:
        if p["kind"] not in pkinds:
            err("platform %s kind" % p["id"])

    def ref(value, kinds, what):
        if ":" in value:
            k, v = value.split(":", 1)
            plural = {"enterprise": "enterprises", "hospital": "hospitals", "institution": "institutions", "platform": "platforms"}.get(k)
            if plural not in kinds or v not in ids[plural]:
                err("%s: bad reference %s" % (what, value))
            return plural + ":" + v
        hits = [k for k in kinds if value in ids[k]]
        if len(hits) != 1:
            err("%s: reference %s resolves to %d kinds" % (what, value, len(hits)))
            return value
        return hits[0] + ":" + value

    rel = [("produces", "enterprise", ["enterprises"], "segment", ["segments"], "share"),
           ("supplies", "from", ["segments"], "to", ["segments"], "weight"),
           ("trades_with", "supplier", ["enterprises"], "customer", ["enterprises"], "weight"),
           ("researches", "institution", ["institutions"], "segment", ["segments"], "strength"),
           ("clinical", "hospital", ["hospitals"], "segment", ["segments"], None),
           ("serves", "platform", ["platforms"], "segment", ["segments"], "weight"),
           ("cooperates", "from", ["enterprises", "hospitals", "institutions", "platforms"], "to",
            ["enterprises", "hospitals", "institutions", "platforms"], "weight"),
           ("invests", "investor", ["enterprises", "platforms"], "investee", ["enterprises"], "share")]
    for kind, a, ak, b, bk, wcol in rel:
        keys = set()
        for n, row in enumerate(data[kind]):
            what = "%s row %d" % (kind, n + 2)
            x, y = ref(row[a], ak, what), ref(row[b], bk, what)
            if (x, y) in keys:
                err(what + ": duplicate key")
            keys.add((x, y))
            if x == y:
                err(what + ": self-loop")
            if wcol:
                unit(row[wcol], what + " " + wcol)
        if kind == "clinical":
            for n, row in enumerate(data[kind]):
                unit(row["demand"], "clinical demand", lo_open=False)
                unit(row["strength"], "clinical strength", lo_open=False)
                if float(row["demand"] or 0) <= 0 and float(row["strength"] or 0) <= 0:
                    err("clinical row %d: no edge" % (n + 2))
    share = {}
    for p in data["produces"]:
        share[p["enterprise"]] = share.get(p["enterprise"], 0.0) + float(p["share"] or 1)
    for e, s in share.items():
        if s > 1.0 + 1e-9:
            err("enterprise %s: shares sum to %.3f" % (e, s))
    leaves = set(leaf_ids(segs))
    for p in data["produces"]:
        if p["segment"] not in leaves:
            err("produces %s -> %s: not a leaf segment" % (p["enterprise"], p["segment"]))
    # trades must follow the chain
    prod = {}
    for p in data["produces"]:
        prod.setdefault(p["enterprise"], set()).add(p["segment"])
    sup_pairs = {(r["from"], r["to"]) for r in data["supplies"]}
    for t in data["trades_with"]:
        if not any((f, g) in sup_pairs for f in prod.get(t["supplier"], ()) for g in prod.get(t["customer"], ())):
            err("trade %s -> %s not backed by a supply relation" % (t["supplier"], t["customer"]))
    if errs:
        raise CheckError("\n".join(errs[:50]) + ("\n... %d errors" % len(errs) if len(errs) > 50 else ""))


def check_design(data):
    """The properties the dataset is designed to show; fail loudly if a table edit breaks them."""
    ent = {e["id"]: e for e in data["enterprises"]}
    by_seg = {}
    for p in data["produces"]:
        by_seg.setdefault(p["segment"], set()).add(p["enterprise"])
    tonglu = lambda s: {e for e in by_seg.get(s, ()) if county_of(ent[e]["region"]) == "330122"}
    problems = []
    for s in ("endo.cmos_sensor", "endo.fiber_bundle", "endo.absorbable_suture"):
        if tonglu(s):
            problems.append("Tonglu must not produce " + s)
        if not by_seg.get(s):
            problems.append("somebody outside Tonglu must produce " + s)
    for s in ("endo.single_use_scope", "endo.ultrasonic_scalpel"):
        if len(tonglu(s)) != 1:
            problems.append("Tonglu must have exactly one producer of " + s)
    outside = [t for t in data["trades_with"] if county_of(ent[t["customer"]]["region"]) == "330122"
               and county_of(ent[t["supplier"]]["region"]) != "330122"
               and by_seg.get("endo.cmos_sensor", set()) & {t["supplier"]}]
    if len(outside) < 3:
        problems.append("Tonglu firms should already buy CMOS sensors from outside (%d ties)" % len(outside))
    counts = {"tracks": 8, "segments": 100, "supplies": 150, "hospitals": 35, "institutions": 25, "platforms": 35,
              "enterprises": 400, "trades_with": 300, "clinical": 150, "serves": 100, "cooperates": 80, "invests": 30}
    for k, n in counts.items():
        if len(data[k]) < n:
            problems.append("%s: %d rows, want at least %d" % (k, len(data[k]), n))
    counties = {county_of(e["region"]) for e in data["enterprises"]}
    if len(counties) < 20:
        problems.append("enterprises in only %d counties" % len(counties))
    if problems:
        raise CheckError("\n".join(problems))


def write_csv(path, columns, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", default=DEFAULT_REGIONS, metavar="DIR",
                    help="folder with the GB/T 2260 tables provinces.csv, cities.csv and areas.csv "
                         "(default: ../shared/data/regions beside the repository root, here %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                    help="output bundle folder, created if needed (default: the repository's data/, here %(default)s)")
    args = ap.parse_args()
    missing = [p for p in [args.regions] + [os.path.join(args.regions, n) for n in REGION_FILES] if not os.path.exists(p)]
    if missing:
        fail("the GB/T 2260 regions tables are missing: %s does not exist (give their folder with --regions DIR)"
             % missing[0])
    data = build()
    data["regions"] = build_regions(args.regions)
    try:
        check(data)
        check_design(data)
    except CheckError as e:
        print("self-check failed:\n" + str(e), file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    files = {}
    for kind in ORDER:
        fname = kind + ".csv"
        write_csv(os.path.join(args.out, fname), COLUMNS[kind], data[kind])
        files[kind] = fname
    manifest = {
        "format": "chainatlas-bundle",
        "version": 1,
        "source": SOURCE,
        "description": ("Zhejiang medical-device industry (default dataset of ChainAtlas): GB/T 2260 regions and seed-named parks; "
                        "11 tracks of segments and their supply chain; real public hospitals, universities, institutes and "
                        "platforms (public facts only); enterprises named by the seed policy documents (only what the seeds "
                        "say). Every enterprise and platform marked illustrative=1 (名称含“示例”) is INVENTED, as are all "
                        "relations involving them: they carry no facts about real companies."),
        "files": files,
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme(data))
    for kind in ORDER:
        print("%-13s %5d" % (kind, len(data[kind])))
    return 0


README = """# Default dataset: the Zhejiang medical-device industry

This folder is a ChainAtlas import bundle (format: `docs/bundle-format.md`), embedded as the
default dataset. It is **generated**: edit the tables in `scripts/default_dataset/` (or the
generator, `scripts/make_default_dataset.py`) and run

    python3 scripts/make_default_dataset.py        # writes data/*.csv, manifest.json, README.md

The script uses the Python standard library only, a fixed random seed ({seed}) and no dict/set
ordering, so the output is byte-for-byte reproducible. It reads the GB/T 2260 tables from
`../shared/data/regions` beside the repository (`--regions DIR` to change) and self-checks every row (unique ids,
references resolve to the right kind, region parents, ranges and vocabularies, no duplicate
relation keys, no self-loops, every trade backed by a supply relation) before writing anything.

## Invented data: read this first

**Every enterprise and platform with `illustrative = 1` is invented.** Its name carries the token
`示例` ("example") right after the place name (`桐庐示例明澈内镜有限公司`), its credit code (`uscc`)
is empty, and all its attributes (founding year, revenue, staff, tags, certificates, patents, R&D
ratio) are random draws. Every relation row that involves an illustrative enterprise or platform
(produces, trades_with, cooperates, invests, serves) is invented too, including ties between an
invented firm and a real hospital or university. None of it is a fact about any real company.

## Where each part comes from

| part | source |
|---|---|
| regions | GB/T 2260 (2023) tables in `../shared/data/regions`: Zhejiang (330000), all 11 cities and all {zj_counties} counties/districts; outside Zhejiang only the places used (Beijing and Shanghai districts sit directly under the province). Parks (`330122-P01` …) are the parks the seed documents name. |
| tracks, segments, supplies | hand-written taxonomy of the tracks the seeds name (微创外科/内窥镜, 体外诊断/POCT, 医疗机器人, 医美, 康复/家用, 影像, 口腔, 输注耗材, 生物材料/植介入, 脑机接口, 可穿戴) with upstream / midstream / downstream segments and weighted input → output relations; midstream → downstream ties are added by rule. |
| hospitals | real public hospitals: name, region, grade, well-known key departments, clinical-trial institution status only where widely known. Empty grade / status = not sure, left out. A city-level region means we did not guess the district. Clinical demand/strength values are estimates. |
| institutions | real universities, institutes and labs (and the ones the seeds name, e.g. 杭电丽水研究院, 浙江大学-丽水生命健康联合创新中心, 微创器械创新及应用国家工程研究中心); research strengths per segment are estimates. |
| platforms | real public platforms named by the seeds or widely known (省医疗器械检验研究院, 审评中心, 柔性服务站, 绍兴医疗器械创新服务中心, parks …, `illustrative = 0`); every other platform is invented (`示例`, `illustrative = 1`). |
| enterprises | enterprises named by the seeds (`illustrative = 0`, note = the seed): only their name and region as the seeds give them, plus a `produces` row where the seed states the product; all other enterprises are invented. |

Seed documents (`../shared/seeds/`): 000 桐庐 three-year action plan (2023-2025); 001 越城区
implementation opinions (2024-2035); 002 Zhejiang province opinions on the device industry; 003
丽水 market-regulation bureau reply to CPPCC proposal no. 10 (2024); 004 a Guangdong city's plan
(the city is anonymised as XX; the text points to 湛江).

## Designed features

- Tonglu (330122, the endoscope town) has many rigid-endoscope, instrument, camera and
  light-source makers but **no** local CMOS image sensor, optical-fibre bundle or absorbable-suture
  maker (缺链) and exactly one maker of single-use electronic scopes and of ultrasonic scalpels
  (弱链); those inputs are made in Shanghai, Suzhou, Shenzhen, Ningbo and Yuyao, and Tonglu's
  makers already buy from some of them (`trades_with`).
- Clusters elsewhere: IVD in Binjiang/Yuhang, imaging/IVD/BCI in Yuecheng, MRI in Ningbo, optics in
  Yuyao, dental and biomaterials in Deqing, disposables in Yuhuan/Huangyan/Longquan, walking aids in
  Jinyun/Yongkang, aesthetics in Liandu; stronger firms outside Zhejiang as investment targets.
- A declared chain leader (`chain_leader`) in a dozen clusters; revenue is heavy-tailed.

## Files and counts

| file | rows |
|---|---|
{counts}

Enterprises sit in {n_counties} distinct regions (counties or parks; a city or province where a
seed gives no county); {n_seed} enterprises are named by the seeds and {n_ill}
are invented; {p_real} platforms are real and {p_ill} invented.
"""


def readme(data):
    counts = "\n".join("| %s.csv | %d |" % (k, len(data[k])) for k in ORDER)
    return README.format(
        seed=SEED, counts=counts,
        zj_counties=sum(1 for r in data["regions"] if r["level"] == "county" and r["code"].startswith("33")),
        n_counties=len({county_of(e["region"]) for e in data["enterprises"]}),
        n_seed=sum(1 for e in data["enterprises"] if e["illustrative"] == "0"),
        n_ill=sum(1 for e in data["enterprises"] if e["illustrative"] == "1"),
        p_real=sum(1 for p in data["platforms"] if p["illustrative"] == "0"),
        p_ill=sum(1 for p in data["platforms"] if p["illustrative"] == "1"))


if __name__ == "__main__":
    sys.exit(main())
