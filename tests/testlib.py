"""What the Python end-to-end tests share: counting checks and running the chainatlas binary."""
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(cond, what):
    """Counts one check; a failure is printed (with `what`) and the run goes on."""
    if cond:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAILED: {what}", file=sys.stderr)
    return cond


def run(binary, args, env=None, expect=0):
    """Runs `binary args`; checks the exit code: a number, "nonzero", or "any"."""
    p = subprocess.run([binary] + args, capture_output=True, text=True, env=env)
    if expect == "any":
        ok = True
    elif expect == "nonzero":
        ok = p.returncode != 0
    else:
        ok = p.returncode == expect
    check(ok, f"chainatlas {' '.join(args)} exited {p.returncode}, expected {expect}\n{p.stderr[-2000:]}")
    return p


def summary(name):
    """Prints the counts; returns the exit code (1 when anything failed)."""
    print(f"{name}: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def json_lines(path):
    """The JSON objects of a JSON-lines file, blank lines skipped."""
    import json
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def shared_ckg(data, workdir):
    """(ckg, regions) folders under `data` (../shared/data), with `workdir` made empty; None, with
    a message, when either folder is absent (the caller skips)."""
    import os
    import shutil
    data = os.path.abspath(data)
    ckg, regions = os.path.join(data, "ckg"), os.path.join(data, "regions")
    if not os.path.isdir(ckg) or not os.path.isdir(regions):
        print(f"skipped: {ckg} or {regions} is absent")
        return None
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    return ckg, regions


def without_key(doc, key):
    """A JSON document with every object's `key` left out, however deep."""
    if isinstance(doc, dict):
        return {k: without_key(v, key) for k, v in doc.items() if k != key}
    if isinstance(doc, list):
        return [without_key(x, key) for x in doc]
    return doc
