#!/usr/bin/python3
"""Partner-recommendation quality on ChainKnowledgeGraph (issue 10 item 5).

  bench/quality.py [--bin build/chainatlas] [--baseline-bin OLD] [--shared ../shared]
                   [--work /tmp/chainatlas-quality] [--out-json FILE] [--markdown]

For each binary (this version; with --baseline-bin also the version before the change) the real
ChainKnowledgeGraph is imported into a fresh database, then measured on real supplier -> customer
relations between listed companies:

  * dev:     ../shared/data/supply/dev_pairs.tsv (14 relations; a measure only, never an input);
  * holdout: bench/holdout_pairs.tsv (publicly reported relations not in dev_pairs.tsv, written
             for this benchmark and never used to build or tune anything);
  * holdout2: bench/holdout2_pairs.tsv (a second such set, written later, before any rank on it was
             computed; `--sets dev,holdout` leaves it out while a rule is being designed).

For a pair (s, c): the rank of s in `partners --enterprise c --role supplier --top 10000` and the
rank of c in `partners --enterprise s --role customer --top 10000`. Per role: recall@10,
recall@50 and MRR (1 / rank, 0 when absent). The same measures for a text-similarity baseline
computed here over the raw JSON (character-bigram TF-IDF cosine of each company's product and
industry names; role-blind: for subject x every other company is ranked by similarity to x).

Precision guard: the 8 companies with the most product-level upstream producers (from the raw
JSON: distinct other companies making a direct input of one of the company's products, where an
input is a 上游材料 row's to_entity, or a 下游产品 row's from_entity), top 20 suppliers each:
  * backed (both binaries, same computation): the supplier makes a product that is a direct input
    of a product the subject makes, by the raw JSON;
  * raw leaks (both binaries): an item that is not backed ranked above one that is; and an item
    that is not backed whose paths go through a part_of (产品小类) step;
  * via (both binaries, from the engine's own `via` segments): items through a product segment
    (segment:ckg.*), and items through Shenwan industry segments only (segment:sw.*) ranked above
    one through a product segment;
  * with the evidence field (items' "evidence": {kind, tier, rule}): items with tier "product";
    leaks = items with tier "industry" ranked above an item with tier "product", plus items whose
    paths go through a part_of step while their evidence kind is not curated/product/inferred.

Prints a compact table (on stderr with --markdown, whose section for bench/RESULTS.md goes to
stdout). bench/run.sh runs it in its ChainKnowledgeGraph section (`--quality-baseline OLD_BIN` adds
the version before the change; `--no-quality` skips it) and puts the section into RESULTS.md.
Without ../shared/data/ckg (or its dev_pairs.tsv) it prints a message and exits 0.
Deterministic: no randomness; ties are broken by stock code.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOLDOUTS = (("holdout", os.path.join(ROOT, "bench", "holdout_pairs.tsv")),
            ("holdout2", os.path.join(ROOT, "bench", "holdout2_pairs.tsv")))
GUARD_SUBJECTS = 8
GUARD_TOP = 20
DEEP_TOP = 10000
KS = (10, 50)
ROLES = ("supplier", "customer")
# Bookkeeping lines of a revenue breakdown (docs/ckg-import.md, accounting_line): not products.
BOOKKEEPING = {"平衡项目", "调整项目", "分部间抵销", "分部间抵消", "内部抵销", "内部抵消", "抵销", "抵消", "合并抵销"}
PRODUCT_KINDS = {"curated", "product", "inferred"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def rel(path):
    """A path as written in the report: relative to the repository root where inside it."""
    p = os.path.abspath(path)
    if p.startswith(ROOT + os.sep):
        return os.path.relpath(p, ROOT)
    parent = os.path.dirname(ROOT)
    if p.startswith(parent + os.sep):
        return "../" + os.path.relpath(p, parent)
    return p


# ------------------------------------------------------------------------------------ raw data

def rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def code_of(raw):
    return str(raw).split(".")[0].strip()


def clean(name):
    return str(name).strip(" \t\r\n\x7f")


def noise(name):
    return not name or "\\" in name or any(ord(ch) < 32 for ch in name) or not re.search(r"[^\W\d_]", name)


class Raw:
    """The eight files as plain dictionaries; nothing here comes from the importer."""

    def __init__(self, d):
        self.names = {}
        for r in rows(os.path.join(d, "company.json")):
            self.names.setdefault(code_of(r["code"]), r.get("name", ""))
        self.companies = sorted(self.names)
        self.products_of = defaultdict(set)   # company -> products (rel_weight > 0)
        self.makers = defaultdict(set)        # product -> companies
        for r in rows(os.path.join(d, "company_product.json")):
            c, p = code_of(r["company_code"]), clean(r["product_name"])
            w = r.get("rel_weight")
            if c in self.names and isinstance(w, (int, float)) and w > 0 and not noise(p) \
                    and p not in BOOKKEEPING:
                self.products_of[c].add(p)
                self.makers[p].add(c)
        self.industries_of = defaultdict(set)
        for r in rows(os.path.join(d, "company_industry.json")):
            c = code_of(r["company_code"])
            if c in self.names and r.get("industry_name"):
                self.industries_of[c].add(clean(r["industry_name"]))
        self.inputs = defaultdict(set)        # product -> its direct inputs
        for r in rows(os.path.join(d, "product_product.json")):
            a, b = clean(r["from_entity"]), clean(r["to_entity"])
            if not a or not b or a == b:
                continue
            if r["rel"] == "上游材料":
                self.inputs[a].add(b)
            elif r["rel"] == "下游产品":
                self.inputs[b].add(a)

    def direct_inputs(self, c):
        """Products that are a direct input of a product c makes."""
        out = set()
        for p in self.products_of.get(c, ()):
            out |= self.inputs.get(p, set())
        return out

    def upstream_producers(self, c):
        out = set()
        for u in self.direct_inputs(c):
            out |= self.makers.get(u, set())
        out.discard(c)
        return out

    def backed(self, subject, supplier, inputs=None):
        """supplier makes a product that is a direct input of a product subject makes."""
        inputs = self.direct_inputs(subject) if inputs is None else inputs
        return bool(self.products_of.get(supplier, set()) & inputs)


def read_pairs(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                raise SystemExit(f"{path}:{n}: expected supplier<TAB>customer<TAB>what")
            out.append((parts[0].strip(), parts[1].strip(), parts[2].strip() if len(parts) > 2 else ""))
    return out


# ------------------------------------------------------------------------------------ text baseline

class TextBaseline:
    """Character-bigram TF-IDF over each company's product and industry names; cosine similarity.
    Bigrams are taken within each name (a one-character name counts as itself); tf = raw count,
    idf = ln((1 + N) / (1 + df)) + 1, vectors L2-normalised. Companies with an empty document
    are never ranked."""

    def __init__(self, raw):
        docs = {}
        for c in raw.companies:
            grams = Counter()
            for name in sorted(raw.products_of.get(c, set()) | raw.industries_of.get(c, set())):
                name = re.sub(r"\s+", "", name)
                if len(name) == 1:
                    grams[name] += 1
                for i in range(len(name) - 1):
                    grams[name[i:i + 2]] += 1
            if grams:
                docs[c] = grams
        n = len(docs)
        df = Counter()
        for g in docs.values():
            df.update(g.keys())
        idf = {t: math.log((1 + n) / (1 + k)) + 1 for t, k in df.items()}
        self.vec = {}
        self.postings = defaultdict(list)
        for c, g in docs.items():
            v = {t: tf * idf[t] for t, tf in g.items()}
            norm = math.sqrt(sum(x * x for x in v.values()))
            v = {t: x / norm for t, x in v.items()}
            self.vec[c] = v
            for t, x in v.items():
                self.postings[t].append((c, x))

    def ranking(self, subject):
        """Every other company with a positive similarity, best first (ties by code)."""
        v = self.vec.get(subject)
        if not v:
            return []
        sim = defaultdict(float)
        for t, x in v.items():
            for c, y in self.postings[t]:
                sim[c] += x * y
        sim.pop(subject, None)
        return [c for c, s in sorted(sim.items(), key=lambda kv: (-kv[1], kv[0])) if s > 1e-12]


# ------------------------------------------------------------------------------------ engine

def run_bin(cmd, tries=6, wait=20):
    """Runs cmd; retries while the binary is missing or fails as during a rebuild."""
    last = ""
    for i in range(tries):
        if os.path.exists(cmd[0]):
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode == 0:
                return p.stdout
            last = f"exit {p.returncode}: {p.stderr.strip()[-500:]}"
        else:
            last = f"{cmd[0]} does not exist"
        if i + 1 < tries:
            log(f"   {last}; retrying in {wait} s")
            time.sleep(wait)
    raise RuntimeError(f"{' '.join(cmd)} failed: {last}")


def entity_code(key):
    """'enterprise:300750' or '300750' -> '300750'."""
    key = str(key)
    return key.split(":", 1)[1] if key.startswith("enterprise:") else key


def item_key(item):
    for k in ("entity", "key", "id"):
        v = item.get(k)
        if isinstance(v, dict):
            v = v.get("key") or v.get("id")
        if v:
            return entity_code(v)
    return ""


def path_steps(item):
    """Every step of every path of an item, as dictionaries or strings."""
    for p in item.get("paths") or []:
        steps = p.get("steps") if isinstance(p, dict) else p
        if isinstance(steps, list):
            for s in steps:
                yield s
        elif steps is not None:
            yield steps


def via_tier(item):
    """'product' when the item comes through a product segment (segment:ckg.*), 'industry' when only
    through Shenwan industry segments (segment:sw.*), else None: the engine's own `via` field."""
    ids = [str(v.get("id", "")) if isinstance(v, dict) else str(v) for v in item.get("via") or []]
    if any(i.startswith("segment:ckg.") for i in ids):
        return "product"
    if any(i.startswith("segment:sw.") for i in ids):
        return "industry"
    return None


def has_part_of(item):
    for s in path_steps(item):
        if isinstance(s, dict):
            if any(str(v) == "part_of" for v in s.values()):
                return True
        elif "part_of" in str(s):
            return True
    return False


class Engine:
    def __init__(self, label, binary, work, ckg, regions):
        self.label = label
        self.source = os.path.abspath(binary)
        d = os.path.join(work, label)
        os.makedirs(d, exist_ok=True)
        # A private copy, so that a rebuild of the source binary during the run changes nothing.
        self.bin = os.path.join(d, "chainatlas")
        for i in range(6):
            try:
                shutil.copy2(self.source, self.bin)
                break
            except (FileNotFoundError, OSError) as e:
                if i == 5:
                    raise RuntimeError(f"{self.source}: {e}")
                log(f"   {self.source}: {e}; retrying in 20 s")
                time.sleep(20)
        self.db = os.path.join(d, "ckg.db")
        for p in (self.db, self.db + "-journal", self.db + "-wal", self.db + "-shm"):
            if os.path.exists(p):
                os.remove(p)
        self.import_cmd = [self.bin, "import", "--format", "ckg", ckg, "--regions", regions,
                           "--db", self.db]
        log(f"== {label}: import ({self.source})")
        t0 = time.perf_counter()
        try:
            run_bin(self.import_cmd, tries=1)
        except RuntimeError:
            # A build whose import rejects bad rows by default: import the rest.
            self.import_cmd.insert(4, "--skip-bad-rows")
            run_bin(self.import_cmd, tries=1)
        self.import_seconds = time.perf_counter() - t0
        self.cache = {}
        self.errors = []
        self.has_evidence = False

    def partners(self, subject, role, top):
        key = (subject, role)
        hit = self.cache.get(key)
        if hit is not None and (hit[0] >= top or len(hit[1]) < hit[0]):
            return hit[1][:top]
        try:
            # The binary is a private copy: a failure here is the query's own, so no long retries.
            out = run_bin([self.bin, "partners", "--db", self.db, "--enterprise", subject, "--role", role,
                           "--top", str(top), "--json"], tries=2, wait=2)
            j = json.loads(out)
        except (RuntimeError, json.JSONDecodeError) as e:
            log(f"   {self.label}: partners {subject} {role} failed: {str(e)[-300:]}")
            self.errors.append(f"partners --enterprise {subject} --role {role}: {str(e)[-200:]}")
            j = {"items": []}
        items = j.get("items", j if isinstance(j, list) else [])
        if any(isinstance(it.get("evidence"), dict) for it in items):
            self.has_evidence = True
        self.cache[key] = (top, items)
        return items


# ------------------------------------------------------------------------------------ measures

def rank_in(keys, target):
    try:
        return keys.index(target) + 1
    except ValueError:
        return None


def summarise(ranks):
    n = len(ranks)
    out = {"pairs": n}
    for k in KS:
        hits = sum(1 for r in ranks if r is not None and r <= k)
        out[f"hits@{k}"] = hits
        out[f"recall@{k}"] = hits / n if n else 0.0
    out["mrr"] = sum(1.0 / r for r in ranks if r) / n if n else 0.0
    out["found"] = sum(1 for r in ranks if r is not None)
    return out


def measure_pairs(pairs, supplier_list, customer_list):
    """supplier_list(c) -> ranked codes of c's suppliers; customer_list(s) likewise."""
    per_pair = []
    for s, c, what in pairs:
        rs = rank_in(supplier_list(c), s)
        rc = rank_in(customer_list(s), c)
        per_pair.append({"supplier": s, "customer": c, "what": what,
                         "supplier_rank": rs, "customer_rank": rc})
    return {"supplier": summarise([p["supplier_rank"] for p in per_pair]),
            "customer": summarise([p["customer_rank"] for p in per_pair]),
            "pairs": per_pair}


def guard(raw, subjects, engine):
    res = {"subjects": [], "items": 0, "backed": 0, "raw_outranked": 0, "raw_part_of": 0,
           "via_product": 0, "via_industry_above_product": 0, "evidence": engine.has_evidence}
    ev = {"tier_product": 0, "kind_product_level": 0, "tier_industry": 0, "no_evidence": 0, "leak_tier": 0,
          "leak_part_of": 0, "leaks": 0, "kinds": Counter()}
    for subj in subjects:
        items = engine.partners(subj, "supplier", GUARD_TOP)
        inputs = raw.direct_inputs(subj)
        rows_ = []
        for i, it in enumerate(items):
            code = item_key(it)
            e = it.get("evidence") if isinstance(it.get("evidence"), dict) else None
            rows_.append({"rank": i + 1, "code": code, "name": raw.names.get(code, ""),
                          "backed": raw.backed(subj, code, inputs), "part_of": has_part_of(it),
                          "via": via_tier(it),
                          "tier": e.get("tier") if e else None, "kind": e.get("kind") if e else None,
                          "rule": e.get("rule") if e else None})
        # Raw measures (the same for every binary).
        last_backed = max((r["rank"] for r in rows_ if r["backed"]), default=0)
        for r in rows_:
            r["raw_outranks_backed"] = (not r["backed"]) and r["rank"] < last_backed
            r["raw_part_of_leak"] = (not r["backed"]) and r["part_of"]
        last_via_product = max((r["rank"] for r in rows_ if r["via"] == "product"), default=0)
        for r in rows_:
            r["via_industry_above_product"] = r["via"] == "industry" and r["rank"] < last_via_product
        # Evidence measures (builds with the evidence field).
        last_product = max((r["rank"] for r in rows_ if r["tier"] == "product"), default=0)
        for r in rows_:
            r["leak_tier"] = r["tier"] == "industry" and r["rank"] < last_product
            r["leak_part_of"] = r["part_of"] and r["kind"] not in PRODUCT_KINDS
            if r["tier"] is None:
                ev["no_evidence"] += 1
            elif r["tier"] == "product":
                ev["tier_product"] += 1
            elif r["tier"] == "industry":
                ev["tier_industry"] += 1
            if r["kind"]:
                ev["kinds"][r["kind"]] += 1
            ev["kind_product_level"] += r["kind"] in PRODUCT_KINDS
            ev["leak_tier"] += r["leak_tier"]
            ev["leak_part_of"] += r["leak_part_of"]
            ev["leaks"] += r["leak_tier"] or r["leak_part_of"]
        res["items"] += len(rows_)
        res["backed"] += sum(r["backed"] for r in rows_)
        res["raw_outranked"] += sum(r["raw_outranks_backed"] for r in rows_)
        res["raw_part_of"] += sum(r["raw_part_of_leak"] for r in rows_)
        res["via_product"] += sum(r["via"] == "product" for r in rows_)
        res["via_industry_above_product"] += sum(r["via_industry_above_product"] for r in rows_)
        res["subjects"].append({"subject": subj, "name": raw.names.get(subj, ""), "items": rows_})
    ev["kinds"] = dict(ev["kinds"])
    res["evidence_measures"] = ev if engine.has_evidence else None
    return res


# ------------------------------------------------------------------------------------ report

def fmt(x):
    return f"{x:.2f}"


def table(results):
    """Markdown table: rows = system x set, columns = per role R@10, R@50, MRR."""
    L = ["| system | set | pairs | supplier R@10 | R@50 | MRR | customer R@10 | R@50 | MRR |",
         "|---|---|---|---|---|---|---|---|---|"]
    for label, sets in results:
        for name, m in sets.items():
            s, c = m["supplier"], m["customer"]
            L.append(f"| {label} | {name} | {s['pairs']} | "
                     f"{fmt(s['recall@10'])} ({s['hits@10']}) | {fmt(s['recall@50'])} ({s['hits@50']}) | {s['mrr']:.3f} | "
                     f"{fmt(c['recall@10'])} ({c['hits@10']}) | {fmt(c['recall@50'])} ({c['hits@50']}) | {c['mrr']:.3f} |")
    return L


def guard_lines(label, g):
    n = g["items"]
    line = (f"- {label}: {n} suppliers listed (of {GUARD_SUBJECTS} x {GUARD_TOP}); "
            f"raw-JSON backed (makes a direct 上游材料 of a subject product) {g['backed']} of {n}; "
            f"not backed but ranked above a backed one {g['raw_outranked']}; "
            f"not backed and through a part_of step {g['raw_part_of']}; "
            f"`via` a product segment {g['via_product']}, via industry segments only but ranked above "
            f"one via a product segment {g['via_industry_above_product']}")
    e = g.get("evidence_measures")
    if e:
        line += (f"; evidence: tier product {e['tier_product']} of {n} (of which kind curated/product/inferred "
                 f"{e['kind_product_level']}), tier industry {e['tier_industry']}, "
                 f"without evidence {e['no_evidence']}; kinds {json.dumps(e['kinds'], ensure_ascii=False)}; "
                 f"**leaks {e['leaks']}** (industry above product {e['leak_tier']}, "
                 f"part_of without product-level evidence {e['leak_part_of']})")
    else:
        line += "; no evidence field in this build"
    return line


def pair_lines(report):
    """Per-pair ranks: one line per pair, each system's supplier / customer rank."""
    labels = [lab for lab, _ in report["systems"]]
    L = ["| set | supplier -> customer | " + " | ".join(f"{lab}: s / c rank" for lab in labels) + " |",
         "|---|---|" + "---|" * len(labels)]
    for set_name in report["set_names"]:
        per = [dict(sets)[set_name]["pairs"] if set_name in dict(sets) else None
               for _, sets in report["systems"]]
        if not per or per[0] is None:
            continue
        for i, p in enumerate(per[0]):
            cells = []
            for lst in per:
                q = lst[i]
                cells.append(f"{q['supplier_rank'] or '-'} / {q['customer_rank'] or '-'}")
            L.append(f"| {set_name} | {p['supplier']} {report['names'].get(p['supplier'], '')} -> "
                     f"{p['customer']} {report['names'].get(p['customer'], '')} ({p['what']}) | "
                     + " | ".join(cells) + " |")
    return L


def markdown(report):
    L = ["## Quality on real data: ChainKnowledgeGraph partners against real supply relations (issue 10 item 5)",
         "",
         f"Measured by `{report['command']}`"
         + (f", run by `{report['run_by']}`," if report.get("run_by") else "")
         + f" on {report['date']} UTC. Each binary imports "
         f"{rel(report['ckg'])} into a fresh database; then for each pair (s, c) the rank of s in "
         f"`partners --enterprise c --role supplier --top {DEEP_TOP} --json` and of c in "
         f"`partners --enterprise s --role customer --top {DEEP_TOP} --json` (MRR: 1/rank, 0 when absent; "
         "hits in brackets). The text baseline is character-bigram TF-IDF cosine over each company's "
         "product names (revenue share > 0) and Shenwan industry names from the raw JSON (bigrams within "
         "each name, tf = count, idf = ln((1+N)/(1+df))+1), role-blind. dev = "
         f"{rel(report['dev_file'])} ({report['dev_pairs']} relations); "
         + "; ".join(f"{n} = {rel(path)} ({report['set_sizes'][n]} other publicly reported relations, never used "
                     "to build or tune anything)" for n, path in HOLDOUTS if n in report["set_sizes"]) + ".",
         ""]
    for label, src in report["binaries"].items():
        errs = report["errors"].get(label) or []
        line = f"- {label}: `{src['path']}` (built {src['built']} UTC)"
        if errs:
            line += f"; **{len(errs)} failed queries** (counted as absent), e.g. {errs[0]}"
        L.append(line)
    L.append("")
    L += table(report["systems"])
    subjects = ", ".join(f"{s} {report['names'].get(s, '')} ({n})" for s, n in report["guard_subjects"])
    L += ["",
          f"Precision guard: the {GUARD_SUBJECTS} companies with the most product-level upstream producers "
          f"({subjects}), "
          f"top {GUARD_TOP} suppliers each. \"Backed\" is computed from the raw JSON the same way for every "
          "binary; the evidence measures need the items' `evidence` field (target: 0 leaks).",
          ""]
    for label, g in report["guard"].items():
        L.append(guard_lines(label, g))
    L += ["", "<details><summary>Per-pair ranks (supplier role / customer role; - = absent)</summary>", ""]
    L += pair_lines(report)
    L += ["", "</details>", ""]
    return L


# ------------------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "chainatlas"))
    ap.add_argument("--baseline-bin", default="", help="the version before the change (optional)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"))
    ap.add_argument("--work", default="/tmp/chainatlas-quality")
    ap.add_argument("--out-json", default="")
    ap.add_argument("--markdown", action="store_true", help="print a markdown section for bench/RESULTS.md")
    ap.add_argument("--command", default="", help="the command to name in the markdown (default: this one)")
    ap.add_argument("--sets", default="dev,holdout,holdout2",
                    help="comma-separated pair sets to measure (dev, holdout, holdout2)")
    ap.add_argument("--run-by", default="", help="the command that ran this one (bench/run.sh), for the markdown")
    a = ap.parse_args()
    shown = []
    argv = iter(sys.argv[1:])
    for x in argv:
        if x in ("--run-by", "--command"):
            next(argv, None)
        elif not x.startswith(("--run-by=", "--command=")):
            shown.append(rel(x) if os.path.exists(x) else x)
    command = a.command or " ".join(["bench/quality.py"] + shown)

    data = os.path.join(os.path.abspath(a.shared), "data")
    ckg, regions = os.path.join(data, "ckg"), os.path.join(data, "regions")
    dev_file = os.path.join(data, "supply", "dev_pairs.tsv")
    for need in (os.path.join(ckg, "company.json"), dev_file):
        if not os.path.exists(need):
            print(f"quality: skipped: {need} is absent (the shared ChainKnowledgeGraph data is needed)")
            return 0

    t_start = time.perf_counter()
    log("== raw JSON")
    raw = Raw(ckg)
    dev = read_pairs(dev_file)
    wanted = [x.strip() for x in a.sets.split(",") if x.strip()]
    known = ["dev"] + [n for n, _ in HOLDOUTS]
    if any(x not in known for x in wanted):
        raise SystemExit(f"quality: --sets takes {', '.join(known)}")
    sets = {"dev": dev} if "dev" in wanted else {}
    seen = {(s, c): "dev" for s, c, _ in dev}
    for name, path in HOLDOUTS:
        if not os.path.exists(path):
            continue
        pairs = read_pairs(path)
        bad = [(s, c) for s, c, _ in pairs if (s, c) in seen]
        if bad:
            raise SystemExit(f"quality: {rel(path)} repeats pairs of another set: {bad}")
        seen.update({(s, c): name for s, c, _ in pairs})
        if name in wanted:
            sets[name] = pairs
    everything = [p for ps in sets.values() for p in ps]
    for s, c, _ in everything:
        for x in (s, c):
            if x not in raw.names:
                raise SystemExit(f"quality: {x} is not a company of {ckg}/company.json")

    # Guard subjects: most distinct product-level upstream producers (ties by code).
    counts = sorted(((len(raw.upstream_producers(c)), c) for c in raw.companies), key=lambda t: (-t[0], t[1]))
    guard_subjects = [(c, n) for n, c in counts[:GUARD_SUBJECTS]]

    report = {"command": command, "run_by": a.run_by, "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
              "ckg": ckg, "dev_file": dev_file, "dev_pairs": len(dev),
              "set_names": list(sets), "set_sizes": {n: len(p) for n, p in sets.items()},
              "binaries": {}, "systems": [], "guard": {}, "imports": {}, "errors": {},
              "guard_subjects": guard_subjects,
              "names": {c: raw.names.get(c, "") for s, c_, _ in everything for c in (s, c_)}}
    for c, _ in guard_subjects:
        report["names"][c] = raw.names.get(c, "")

    bins = [("this version", a.bin)]
    if a.baseline_bin:
        bins.append(("version before", a.baseline_bin))
    os.makedirs(a.work, exist_ok=True)
    for label, path in bins:
        eng = Engine(label.replace(" ", "-"), path, a.work, ckg, regions)
        built = time.strftime("%Y-%m-%d %H:%M", time.gmtime(os.path.getmtime(eng.bin)))
        report["binaries"][label] = {"path": rel(path), "built": built}
        report["imports"][label] = {"seconds": eng.import_seconds,
                                    "command": " ".join(rel(x) if os.sep in x else x for x in eng.import_cmd)}
        log(f"== {label}: partners for {sum(len(p) for p in sets.values())} pairs x 2 roles")

        def sup(c, eng=eng):
            return [item_key(it) for it in eng.partners(c, "supplier", DEEP_TOP)]

        def cus(s, eng=eng):
            return [item_key(it) for it in eng.partners(s, "customer", DEEP_TOP)]
        report["systems"].append((label, {n: measure_pairs(p, sup, cus) for n, p in sets.items()}))
        log(f"== {label}: precision guard")
        report["guard"][label] = guard(raw, [c for c, _ in guard_subjects], eng)
        report["errors"][label] = eng.errors

    log("== text baseline")
    tb = TextBaseline(raw)
    memo = {}

    def text(x):
        if x not in memo:
            memo[x] = tb.ranking(x)
        return memo[x]
    report["systems"].append(("text baseline", {n: measure_pairs(p, text, text) for n, p in sets.items()}))
    report["seconds"] = time.perf_counter() - t_start

    # Compact table on stderr (stdout carries the markdown when asked).
    out = sys.stdout if not a.markdown else sys.stderr
    print("", file=out)
    print(f"{'system':<16}{'set':<9}{'n':>3}  {'sup R@10':>8}{'R@50':>6}{'MRR':>6}  {'cus R@10':>8}{'R@50':>6}{'MRR':>6}", file=out)
    for label, sset in report["systems"]:
        for name, m in sset.items():
            s, c = m["supplier"], m["customer"]
            print(f"{label:<16}{name:<9}{s['pairs']:>3}  {s['recall@10']:>8.2f}{s['recall@50']:>6.2f}{s['mrr']:>6.3f}"
                  f"  {c['recall@10']:>8.2f}{c['recall@50']:>6.2f}{c['mrr']:>6.3f}", file=out)
    print("guard (top %d suppliers of %s):" % (GUARD_TOP, ", ".join(f"{c} {raw.names.get(c, '')}" for c, _ in guard_subjects)), file=out)
    for label, g in report["guard"].items():
        print("  " + guard_lines(label, g)[2:].replace("**", ""), file=out)
    for label, errs in report["errors"].items():
        if errs:
            print(f"{label}: {len(errs)} failed queries (counted as absent), e.g. {errs[0]}", file=out)
    print(f"({report['seconds']:.0f} s)", file=out)

    if a.out_json:
        j = dict(report)
        j["systems"] = {label: sset for label, sset in report["systems"]}
        with open(a.out_json, "w", encoding="utf-8") as f:
            json.dump(j, f, ensure_ascii=False, indent=1)
    if a.markdown:
        print("\n".join(markdown(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
