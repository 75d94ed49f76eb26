#!/usr/bin/python3
"""The source tree's rules, checked (issue 12): fails with file:line for each breach.

  1. Dependency direction: graph includes only graph; kernels (generic graph and matrix kernels)
     includes graph and kernels; ingest includes graph and ingest; matcher includes graph, kernels
     and matcher; server may include any of them. (CMake gives every library the
     repository root as its include path, so only this check keeps the direction.)
  2. Comments cite only documents that are in the repository: every `NAME.md` a source file names
     exists at that path from the root, beside the file, or under docs/.
  3. No Catch2 test name holds ';': CMake's catch_discover_tests splits a
     name at ';' into two ctest tests whose filters match nothing, and such a test passes without
     running.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED = {
    "graph": {"graph"},
    "kernels": {"graph", "kernels"},
    "ingest": {"graph", "ingest"},
    "matcher": {"graph", "kernels", "matcher"},
    "server": {"graph", "ingest", "kernels", "matcher", "server"},
}
SOURCES = (".cc", ".h", ".py", ".sh", ".cmake", ".txt")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
CITED_MD = re.compile(r"(?<![\w./-])([\w./-]*[A-Za-z0-9_-]+\.md)\b")


def files(folders):
    for folder in folders:
        base = os.path.join(ROOT, folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", "__pycache__", "corpus")]
            for name in filenames:
                if name.endswith(SOURCES):
                    yield os.path.join(dirpath, name)


def main():
    problems = []
    for layer, allowed in ALLOWED.items():
        for path in files([layer]):
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) in ALLOWED and m.group(1) not in allowed:
                        problems.append(f"{os.path.relpath(path, ROOT)}:{n}: {layer} may not include "
                                        f"{m.group(1)}/ (allowed: {', '.join(sorted(allowed))})")
    for path in files(["graph", "kernels", "ingest", "matcher", "server", "bench", "tests", "scripts", "fuzz"]):
        if os.path.abspath(path) == os.path.abspath(__file__):
            continue
        here = os.path.dirname(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                for name in CITED_MD.findall(line):
                    if name.startswith(("http", "www.")):
                        continue
                    candidates = [os.path.join(ROOT, name), os.path.join(here, name),
                                  os.path.join(ROOT, "docs", os.path.basename(name))]
                    if not any(os.path.isfile(c) for c in candidates):
                        problems.append(f"{os.path.relpath(path, ROOT)}:{n}: cites {name}, which is "
                                        f"not in the repository")
    for path in files(["tests"]):
        if not path.endswith(".cc"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = re.search(r'TEST_CASE\(\s*"([^"]*)"', line)
                if m and ";" in m.group(1):
                    problems.append(f"{os.path.relpath(path, ROOT)}:{n}: the test name holds ';', which "
                                    f"catch_discover_tests splits into tests that never run")
    for p in problems:
        print(p)
    print(f"layering: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
