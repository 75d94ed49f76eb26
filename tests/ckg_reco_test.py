#!/usr/bin/python3
"""ChainKnowledgeGraph through the command line: import, then supplier and customer
recommendations checked against an independent computation over the raw JSON files.

For each sampled company (at least 50, fixed seed) the test computes from the eight files alone,
without the importer's code:

  * a SUPERSET of every company that could be a supplier: the company's products and their
    ancestors in the 产品小类 tree (every parent row, not only the first), their upstream materials
    (上游材料 from→to: `to` is an input of `from`; 下游产品 from→to: `from` is an input of `to`)
    and every descendant of those materials; the companies producing any of them. Plus the
    company's Shenwan industries and their ancestors, their upstream industries (industry_up) and
    every descendant of those, and the companies that belong to them;
  * a STRICT set that must all be recommended: companies directly producing (rel_weight > 0) a
    direct upstream material of one of the company's own products, or belonging to a direct
    upstream industry of the company's own industry.

`partners --role supplier --top 10000 --include-known --json` must return a subset of the
superset and a superset of the strict set, every item with a path starting at the company and
score components that add up to its score. Customers likewise, the other way round. A company
with a non-empty strict set therefore gets a non-empty answer.

It also checks the import's own accounting against the files (rows per file, records = used +
dropped + bad, enterprises = distinct stock codes) and the all-or-nothing rule with a malformed
line (rejected, database unchanged; --skip-bad-rows imports the rest and lists the line).

Exits 77 (ctest: skipped) with a message when ../shared/data/ckg is absent.
"""
import argparse
import json
import unicodedata
import os
import random
import re
import shutil
import sys
from collections import defaultdict

from testlib import check, run, summary, json_lines, shared_ckg

SKIP = 77  # ctest: SKIP_RETURN_CODE

rows = json_lines


def code_of(raw):
    return raw.split(".")[0]


def clean(name):
    return name.strip(" \t\r\n\x7f")


def noise(name):
    return "\\" in name or any(ord(ch) < 32 for ch in name) or not re.search(r"[^\W\d_]", name)


# Bookkeeping lines of a revenue breakdown (docs/ckg-import.md, accounting_line): not products.
BOOKKEEPING = {"平衡项目", "调整项目", "分部间抵销", "分部间抵消", "内部抵销", "内部抵消", "抵销", "抵消", "合并抵销"}


GENERIC_TAILS = ["业务单元", "业务", "产业", "产品", "系列", "板块", "销售", "收入", "制造业", "制造",
                 "及其他", "其他", "等", "类", "行业"]


def norm(name):
    """NFKC with case folding, white space removed (docs/ontology.md)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if not ch.isspace())


def core(name):
    """The name without generic tails, dropped repeatedly while more than one character stays."""
    again = True
    while again:
        again = False
        for t in GENERIC_TAILS:
            if name.endswith(t) and len(name) > len(t) + 1:
                name = name[: -len(t)]
                again = True
    return name


class Raw:
    """The files as plain dictionaries: nothing here comes from the importer."""

    def __init__(self, d):
        self.companies = {code_of(r["code"]) for r in rows(f"{d}/company.json")}
        self.products_of = defaultdict(set)  # company -> products, rel_weight > 0
        self.makers = defaultdict(set)  # product -> companies
        for r in rows(f"{d}/company_product.json"):
            c, p = code_of(r["company_code"]), clean(r["product_name"])
            if c in self.companies and r["rel_weight"] > 0 and not noise(p) and p not in BOOKKEEPING:
                self.products_of[c].add(p)
                self.makers[p].add(c)
        self.parents = defaultdict(set)  # 产品小类: child -> every parent
        self.children = defaultdict(set)
        self.inputs = defaultdict(set)  # product -> its direct inputs
        self.outputs = defaultdict(set)  # product -> what it is a direct input of
        for r in rows(f"{d}/product_product.json"):
            a, b = clean(r["from_entity"]), clean(r["to_entity"])
            if a == b or noise(a) or noise(b):
                continue
            if r["rel"] == "产品小类":
                self.parents[b].add(a)
                self.children[a].add(b)
            elif r["rel"] == "上游材料":
                self.inputs[a].add(b)
                self.outputs[b].add(a)
            elif r["rel"] == "下游产品":
                self.inputs[b].add(a)
                self.outputs[a].add(b)
        # docs/ontology.md, name-derived parents: a product named X + generic tails sits under the
        # product named X (re-implemented here from the documented rule, with Python's NFKC).
        names = set(self.parents) | set(self.children) | set(self.inputs) | set(self.outputs)
        names |= set(self.makers)
        by_norm = defaultdict(set)
        for n in names:
            by_norm[norm(n)].add(n)
        for n in names:
            c = core(norm(n))
            if c != norm(n):
                for parent in by_norm.get(c, ()):
                    if parent != n:
                        self.parents[n].add(parent)
                        self.children[parent].add(n)
        self.industry = {r["code"]: r["name"] for r in rows(f"{d}/industry.json")}
        self.code_by_name = {v: k for k, v in self.industry.items()}
        self.ind_parent = {r["from_code"]: r["to_code"] for r in rows(f"{d}/industry_industry.json")}
        self.ind_children = defaultdict(set)
        for c, p in self.ind_parent.items():
            self.ind_children[p].add(c)
        # company -> industry codes: the row's code and the code its name names (a superset of
        # whatever rule picks one of them).
        self.industries_of = defaultdict(set)
        self.strict_industry_of = defaultdict(set)
        self.members = defaultdict(set)  # loose: by the row's code and by its name
        self.strict_members = defaultdict(set)  # rows whose code and name agree
        self.codes_named = defaultdict(set)  # every code a company_industry row pairs a name with
        for r in rows(f"{d}/company_industry.json"):
            c = code_of(r["company_code"])
            if c not in self.companies:
                continue
            codes = {r["industry_code"]}
            self.codes_named[r["industry_name"]].add(r["industry_code"])
            if r["industry_name"] in self.code_by_name:
                codes.add(self.code_by_name[r["industry_name"]])
            for k in codes:
                self.industries_of[c].add(k)
                self.members[k].add(c)
            if self.industry.get(r["industry_code"]) == r["industry_name"]:
                self.strict_industry_of[c].add(r["industry_code"])
                self.strict_members[r["industry_code"]].add(c)
        # industry code -> upstream codes. industry_up.json names industries by name; strict
        # takes only names industry.json has, loose also any code company_industry.json pairs
        # an unknown name with.
        self.ups, self.downs = defaultdict(set), defaultdict(set)
        self.strict_ups, self.strict_downs = defaultdict(set), defaultdict(set)

        def codes(name):
            if name in self.code_by_name:
                return {self.code_by_name[name]}
            return self.codes_named.get(name, set())

        for r in rows(f"{d}/industry_up.json"):
            for me in codes(r["industry"]):
                for name, count in r["ups"].items():
                    for up in codes(name):
                        if up == me or count <= 0:
                            continue
                        self.ups[me].add(up)
                        self.downs[up].add(me)
                        if r["industry"] in self.code_by_name and name in self.code_by_name:
                            self.strict_ups[me].add(up)
                            self.strict_downs[up].add(me)

    @staticmethod
    def closure(start, step):
        seen, todo = set(start), list(start)
        while todo:
            for n in step.get(todo.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    def superset(self, c, role):
        mine = self.closure(self.products_of[c], self.parents)
        rel = self.inputs if role == "supplier" else self.outputs
        other = set()
        for p in mine:
            other |= rel.get(p, set())
        other = self.closure(other, self.children)
        out = set()
        for p in other:
            out |= self.makers.get(p, set())
        inds = self.closure(self.industries_of[c], {k: {v} for k, v in self.ind_parent.items()})
        irel = self.ups if role == "supplier" else self.downs
        oth = set()
        for i in inds:
            oth |= irel.get(i, set())
        oth = self.closure(oth, self.ind_children)
        for i in oth:
            out |= self.members.get(i, set())
        out.discard(c)
        return out

    def strict(self, c, role):
        rel = self.inputs if role == "supplier" else self.outputs
        out = set()
        for p in self.products_of[c]:
            for q in rel.get(p, ()):
                # A product the company makes itself is no supply: its makers are peers
                # (docs/ontology.md, role-aware partners).
                if q not in self.products_of[c]:
                    out |= self.makers.get(q, set())
        irel = self.strict_ups if role == "supplier" else self.strict_downs
        for i in self.strict_industry_of[c]:
            for j in irel.get(i, ()):
                out |= self.strict_members.get(j, set())
        out.discard(c)
        return out


def check_import(b, ckg, regions, workdir):
    db = os.path.join(workdir, "ckg.db")
    p = run(b, ["import", "--format", "ckg", ckg, "--regions", regions, "--db", db, "--json"])
    r = json.loads(p.stdout)
    check(r["accepted"], "the real data imports by default (no bad row)")
    for name, f in r["ckg_files"].items():
        with open(os.path.join(ckg, name), encoding="utf-8") as fh:
            lines = sum(1 for line in fh if line.strip())
        check(f["rows"] == lines, f"{name}: {f['rows']} rows reported, {lines} in the file")
        check(f["records"] == f["used"] + f["dropped"] + f["bad"], f"{name}: records add up")
        check(f["bad"] == 0, f"{name}: no bad row in the published data")
    codes = {code_of(x["code"]) for x in rows(os.path.join(ckg, "company.json"))}
    s = json.loads(run(b, ["stats", "--db", db, "--json"]).stdout)
    check(s["nodes"]["enterprise"] == len(codes),
          f"enterprises {s['nodes']['enterprise']} = distinct stock codes {len(codes)}")
    check(r["coverage"]["companies"] == len(codes), "coverage counts every company")
    cov = r["coverage"]
    check(cov["province"] + cov["city"] + cov["county"] + cov["unknown"] == cov["companies"],
          "coverage levels add up")
    for rule in ["duplicate_code", "weight_not_positive", "weight_clamped", "code_suffix",
                 "duplicate_relation", "self_loop", "unknown_company"]:
        check(r["quirk_counts"].get(rule, 0) > 0, f"quirk {rule} reported")
    return db


def check_bad_row(b, ckg, workdir):
    bad = os.path.join(workdir, "ckg-bad")
    os.makedirs(bad)
    for name in os.listdir(ckg):
        if name.endswith(".json") and name != "company_product.json":
            os.symlink(os.path.join(ckg, name), os.path.join(bad, name))
    src = os.path.join(ckg, "company_product.json")
    with open(src, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    shutil.copy(src, os.path.join(bad, "company_product.json"))
    with open(os.path.join(bad, "company_product.json"), "a", encoding="utf-8") as f:
        f.write('{"company_code": "688268.SH", "product_name": "特种气体", "rel": "主营产品"\n')
    db = os.path.join(workdir, "bad.db")
    p = run(b, ["import", "--format", "ckg", bad, "--db", db], expect=1)
    check(f"company_product.json:{n + 1}:" in p.stderr, f"malformed line named file:line\n{p.stderr[-500:]}")
    check("import rejected: 1 problem" in p.stderr, "rejection summary")
    p = run(b, ["stats", "--db", db, "--json"], expect="any")
    empty = p.returncode != 0 or json.loads(p.stdout)["nodes"].get("enterprise", 0) == 0
    check(empty, "a rejected import leaves the database without a row")
    p = run(b, ["import", "--format", "ckg", bad, "--db", db, "--skip-bad-rows"])
    check("skipped 1 bad row" in p.stdout and f"company_product.json:{n + 1}:" in p.stdout,
          "--skip-bad-rows prints the skipped line")
    p = run(b, ["import", "--db", db, bad, "--skip-bad-rows"], expect=2)
    check("--format ckg" in p.stderr, "ckg-only options need --format ckg")


def check_recommendations(b, db, raw, n):
    rng = random.Random(20261126)
    with_up = sorted(c for c in raw.companies if raw.strict(c, "supplier"))
    with_down = sorted(c for c in raw.companies if raw.strict(c, "customer"))
    rest = sorted(raw.companies - set(with_up))
    sample = {"supplier": rng.sample(with_up, n) + rng.sample(rest, 5),
              "customer": rng.sample(with_down, n)}
    nonempty = 0
    for role, companies in sample.items():
        for c in companies:
            p = run(b, ["partners", "--db", db, "--enterprise", c, "--role", role, "--top", "10000",
                        "--include-known", "--json"])
            answer = json.loads(p.stdout)
            items, me = answer["items"], answer["enterprise"]["name"]
            got = {it["id"].split(":", 1)[1] for it in items if it["kind"] == "enterprise"}
            # Items the engine says come from the source's own relations (product-level, or the
            # industry table) must lie in the superset computed from those relations; inferred,
            # learned and sector-rule items come from the ontology (docs/ontology.md).
            given = {it["id"].split(":", 1)[1] for it in items if it["kind"] == "enterprise"
                     and (it.get("evidence", {}).get("kind") == "product"
                          or it.get("evidence", {}).get("rule") == "industry_table")}
            sup, strict = raw.superset(c, role), raw.strict(c, role)
            extra = given - sup
            check(not extra, f"{role}s of {c}: {len(extra)} outside the independent superset, e.g. {sorted(extra)[:5]}")
            missing = strict - got
            check(not missing,
                  f"{role}s of {c}: {len(missing)} direct ones not recommended, e.g. {sorted(missing)[:5]}")
            if strict:
                nonempty += bool(items)
                check(bool(items), f"{role}s of {c}: empty although it has upstream relations")
            for it in items:
                total = sum(comp["points"] for comp in it["components"])
                check(abs(total - it["score"]) < 1e-9, f"{role} {it['id']} of {c}: components add up")
                # Each path runs from the company through a supply relation to the candidate:
                # `A —produces→ P ←needs— M ←produces— B` (or —supplies→ for customers), or, for
                # the same leaf industry, `A —member_of→ I ←member_of[industry]— B`.
                check(it["paths"] and all(
                    path.startswith(me + " ") and path.endswith(" " + it["name"])
                    and (re.search(r"←needs(\[\w+\])?—|—supplies(\[\w+\])?→", path)
                         or re.fullmatch(re.escape(me) + r" —member_of→ [^—←→]+ ←member_of\[industry\]— "
                                         + re.escape(it["name"]), path))
                    for path in it["paths"]),
                      f"{role} {it['id']} of {c}: a path from {me} to {it['name']}: {it['paths'][:1]}")
                # A same-industry item shares a Shenwan industry with the company (raw JSON).
                if it.get("evidence", {}).get("rule") == "same_industry":
                    other = it["id"].split(":", 1)[1]
                    check(bool(raw.industries_of[c] & raw.industries_of[other]),
                          f"{role} {other} of {c}: same_industry without a shared industry")
    print(f"checked {sum(len(v) for v in sample.values())} companies, {nonempty} with upstream/downstream relations answered")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", required=True, help="../shared/data")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--sample", type=int, default=50)
    a = ap.parse_args()
    found = shared_ckg(a.data, a.workdir)
    if not found:
        return SKIP
    ckg, regions = found
    db = check_import(a.binary, ckg, regions, a.workdir)
    check_bad_row(a.binary, ckg, a.workdir)
    check_recommendations(a.binary, db, Raw(ckg), a.sample)
    return summary("ckg recommendations")


if __name__ == "__main__":
    sys.exit(main())
