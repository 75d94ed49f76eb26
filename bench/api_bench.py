#!/usr/bin/python3
"""The JSON API under load (issue 11): starts `chainatlas serve --http-port 0` on the default
database and, for each request, runs C keep-alive clients (threads, each its own connection) that
GET it back to back for S seconds; prints p50 / p99 / max latency and QPS per request as a
Markdown table (bench/SERVICE.md holds the last one). Client and server share the machine's cores,
and the Python client's own time is inside every number.

  bench/api_bench.py [--bin build/chainatlas] [--clients 8] [--seconds 5] [serve options...]
"""
import argparse
import http.client
import os
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUESTS = [("gaps", "/api/v1/gaps?region=330122&track=endo"),
            ("targets", "/api/v1/targets?region=330122&track=endo&top=20"),
            ("partners", "/api/v1/partners?enterprise=E0013&top=20"),
            ("stats", "/api/v1/stats?region=330122")]


def start_http_server(binary, serve_args):
    """Starts `chainatlas serve --port 0 --http-port 0` on the default database (building it if
    needed); returns the process and its HTTP port. Also used by bench/slow_clients_bench.py."""
    subprocess.run([binary, "stats"], check=True, capture_output=True)  # builds the default database
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--http-port", "0"] + serve_args,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server did not start")
        if line.startswith("listening: http"):
            return proc, int(line.rsplit(":", 1)[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "chainatlas"))
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=5)
    a, serve_args = ap.parse_known_args()
    proc, port = start_http_server(a.bin, serve_args)
    try:
        print(f"| request | clients | QPS | p50 ms | p99 ms | max ms | failures |")
        print("|---|---|---|---|---|---|---|")
        for name, target in REQUESTS:
            times, failures = [], [0]
            lock = threading.Lock()
            stop = time.time() + 0.5 + a.seconds
            start_measure = time.time() + 0.5

            def client():
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine = []
                while True:
                    t0 = time.time()
                    if t0 >= stop:
                        break
                    try:
                        c.request("GET", target)
                        r = c.getresponse()
                        r.read()
                        ok = r.status == 200
                    except Exception:
                        ok = False
                        c.close()
                        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    t1 = time.time()
                    if t0 >= start_measure:
                        if ok:
                            mine.append(t1 - t0)
                        else:
                            with lock:
                                failures[0] += 1
                c.close()
                with lock:
                    times.extend(mine)

            threads = [threading.Thread(target=client) for _ in range(a.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            times.sort()
            pct = lambda q: 1000 * times[min(len(times) - 1, int(q * len(times)))] if times else 0
            print(f"| {name} `{target}` | {a.clients} | {len(times) / a.seconds:.0f} | {pct(0.5):.2f} | "
                  f"{pct(0.99):.2f} | {1000 * times[-1] if times else 0:.2f} | {failures[0]} |")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
