#!/usr/bin/python3
"""`chainatlas import` killed with SIGKILL at a random moment leaves the database whole.

A database holding a previous state (the old bundle) takes an import of a larger bundle (the new
bundle) that needs a second or more; in each trial (fixed seed) a copy of the old database is
imported into and the import is killed with SIGKILL at a random moment of that time (from just
after start to a little past its usual end). Afterwards `chainatlas stats --db` must work, and
the database must be exactly the old state or exactly the new state (row counts and a checksum of
every table against the two reference databases; only the new import's own timestamps differ),
with `PRAGMA integrity_check` ok.

The bundles are synthetic (bench/gen_bundle.py, invented regions: no ../shared needed). The old
bundle is the new one with half of the enterprises and every relation row naming them left out,
and the weights of the relations it keeps changed: the new import inserts entities and relations
and updates others.

  kill_import_test.py --binary build/chainatlas --gen bench/gen_bundle.py --workdir DIR
                      [--trials 20] [--seed 13] [--enterprises 20000] [--relations 300000]
"""
import argparse
import csv
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from testlib import check, summary

# Columns written by the import itself at the time it runs: they differ between two runs of the
# same import and are left out of the comparison.
VOLATILE = {("imports", "started_at"), ("imports", "finished_at")}
RELATION_FILES = {"produces", "supplies", "trades_with", "researches", "clinical", "serves",
                  "cooperates", "invests", "member_of"}
WEIGHT_COLUMNS = {"share", "weight", "strength", "demand"}


def make_old_bundle(new, old, rng):
    """Writes `old`: `new` without half of its enterprises (and the relation rows naming them),
    other relation weights changed."""
    os.makedirs(old)
    import json
    manifest = json.load(open(os.path.join(new, "manifest.json"), encoding="utf-8"))
    files = manifest["files"]
    with open(os.path.join(new, files["enterprises"]), encoding="utf-8", newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    dropped = set(ids[len(ids) // 2:])
    for kind, name in files.items():
        src, dst = os.path.join(new, name), os.path.join(old, name)
        with open(src, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows = list(reader)
        if kind == "enterprises":
            rows = [r for r in rows if r[header.index("id")] not in dropped]
        elif kind in RELATION_FILES:
            keep = []
            weights = [i for i, h in enumerate(header) if h in WEIGHT_COLUMNS]
            for r in rows:
                if any(v.split(":", 1)[-1] in dropped for v in r):
                    continue
                if rng.random() < 0.3:
                    for i in weights:
                        if r[i] not in ("", "0"):
                            r[i] = "%.3g" % max(0.001, round(rng.random(), 3))
                keep.append(r)
            rows = keep
        with open(dst, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    manifest["source"] = manifest.get("source", "synthetic") + "-old"
    with open(os.path.join(old, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)


def state(db):
    """{table: (row count, sha256 of its rows in key order)} of every table; VOLATILE columns
    left out."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        for t in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')
                    if (t, r[1]) not in VOLATILE]
            pk = [r[1] for r in sorted(con.execute(f'PRAGMA table_info("{t}")'),
                                       key=lambda r: r[5]) if r[5] > 0]
            order = ", ".join(f'"{c}"' for c in (pk or cols))
            h = hashlib.sha256()
            n = 0
            for row in con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} '
                                   f'FROM "{t}" ORDER BY {order}'):
                h.update(repr(row).encode())
                n += 1
            out[t] = (n, h.hexdigest())
        out["user_version"] = con.execute("PRAGMA user_version").fetchone()[0]
        return out
    finally:
        con.close()


def integrity(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def remove_db(db):
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)


def copy_db(src, dst):
    remove_db(dst)
    shutil.copyfile(src, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--gen", required=True, help="bench/gen_bundle.py")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--enterprises", type=int, default=20000)
    ap.add_argument("--relations", type=int, default=300000)
    args = ap.parse_args()
    started = time.monotonic()
    rng = random.Random(args.seed)
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    new_bundle, old_bundle = os.path.join(work, "new"), os.path.join(work, "old")
    subprocess.run([sys.executable, args.gen, "--regions", "", "--seed", str(args.seed),
                    "--enterprises", str(args.enterprises), "--relations", str(args.relations),
                    "--out", new_bundle], check=True, stdout=subprocess.DEVNULL)
    make_old_bundle(new_bundle, old_bundle, rng)

    def import_cmd(db):
        return [args.binary, "import", "--db", db, new_bundle]

    # The two reference states.
    old_db, new_db, db = (os.path.join(work, n) for n in ("old.db", "new.db", "trial.db"))
    p = subprocess.run([args.binary, "import", "--db", old_db, old_bundle], capture_output=True,
                       text=True)
    if not check(p.returncode == 0, f"old import exited {p.returncode}: {p.stderr[-2000:]}"):
        return summary("kill_import")
    copy_db(old_db, new_db)
    t0 = time.monotonic()
    p = subprocess.run(import_cmd(new_db), capture_output=True, text=True)
    full = time.monotonic() - t0
    if not check(p.returncode == 0, f"new import exited {p.returncode}: {p.stderr[-2000:]}"):
        return summary("kill_import")
    old_state, new_state = state(old_db), state(new_db)
    check(old_state != new_state, "the old and the new state differ")
    print(f"full import: {full:.2f} s; old edges {old_state['edges'][0]}, new edges "
          f"{new_state['edges'][0]}")
    check(full >= 0.5, f"the import takes long enough to be killed inside it ({full:.2f} s)")

    outcomes = {"old": 0, "new": 0}
    killed_running = 0
    hot_journals = 0
    for trial in range(args.trials):
        copy_db(old_db, db)
        # Half the trials anywhere in the run, half in its last part, where the import writes
        # and commits.
        delay = rng.uniform(0.02, full * 1.1) if trial % 2 else rng.uniform(full * 0.6, full * 1.05)
        proc = subprocess.Popen(import_cmd(db), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        rc = proc.wait()
        killed_running += running and rc == -signal.SIGKILL
        journal = os.path.exists(db + "-journal") and os.path.getsize(db + "-journal") > 0
        hot_journals += journal
        what = f"trial {trial} (kill at {delay:.2f} s, exit {rc}{', journal left' if journal else ''})"
        # The next user of the database is chainatlas itself: a read command on the file the
        # killed import left (hot journal and all).
        p = subprocess.run([args.binary, "stats", "--db", db], capture_output=True, text=True)
        check(p.returncode == 0, f"{what}: stats --db exited {p.returncode}: {p.stderr[-2000:]}")
        try:
            ok = integrity(db)
            st = state(db)
        except sqlite3.Error as e:
            check(False, f"{what}: cannot read the database: {e}")
            continue
        check(ok == ["ok"], f"{what}: integrity_check: {ok[:5]}")
        if st == old_state:
            outcomes["old"] += 1
        elif st == new_state:
            outcomes["new"] += 1
        else:
            diff = [t for t in new_state if st.get(t) not in (old_state.get(t), new_state.get(t))]
            mixed = [t for t in new_state if st.get(t) != old_state.get(t)]
            check(False, f"{what}: neither the old nor the new state: tables matching neither "
                         f"{diff}, tables differing from the old state {mixed}")
        print(f"{what}: {'old' if st == old_state else 'new' if st == new_state else 'MIXED'}"
              f"{'' if running else ' (had already exited)'}")
    check(killed_running > 0, "at least one import was killed while running")
    print(f"{args.trials} trials: {outcomes['old']} old state, {outcomes['new']} new state, "
          f"{killed_running} killed while running, {hot_journals} left a journal; {time.monotonic() - started:.1f} s in all")
    shutil.rmtree(work, ignore_errors=True)
    return summary("kill_import")


if __name__ == "__main__":
    sys.exit(main())
