#!/usr/bin/python3
"""Idle and slow HTTP clients (issue 13 item 4): starts `chainatlas serve --http-port 0` on the
default database; times a normal HTTP client (a new connection per call, GET
/api/v1/stats?region=330122) N times alone, then again while IDLE connections sit open without a
byte and SLOW slowloris connections trickle a header byte each every 0.5 s; then waits for the
server to close the slow ones (the whole-request deadline, 10 s). Prints a Markdown table
(bench/SERVICE.md holds the last one). Target: every normal call answered within 1 s.

  bench/slow_clients_bench.py [--bin build/chainatlas] [--idle 2000] [--slow 100] [--calls 50]
"""
import argparse
import http.client
import os
import resource
import socket
import threading
import time

from api_bench import start_http_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "/api/v1/stats?region=330122"


def timed_calls(port, calls, pause):
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", TARGET)
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 200:
            raise SystemExit(f"GET {TARGET}: HTTP {r.status}")
        times.append(time.perf_counter() - t0)
        time.sleep(pause)
    first = times[0]
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    return pick(0.5), pick(0.99), times[-1] * 1000, first * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "chainatlas"))
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--slow", type=int, default=100)
    ap.add_argument("--calls", type=int, default=50)
    a, serve_args = ap.parse_known_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.idle + a.slow + 300
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want), hard))
    proc, port = start_http_server(a.bin, serve_args)
    try:
        timed_calls(port, 5, 0)  # warm
        alone = timed_calls(port, a.calls, 0.05)
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(a.idle)]
        slow = []
        for _ in range(a.slow):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET " + TARGET.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(s)
        started = time.time()
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in slow:
                    try:
                        s.sendall(b"X")
                    except OSError:
                        pass
                time.sleep(0.5)

        t = threading.Thread(target=trickle)
        t.start()
        beside = timed_calls(port, a.calls, 0.05)
        closed = 0
        for s in slow:
            s.settimeout(max(0.1, started + 16 - time.time()))
            try:
                while s.recv(4096):
                    pass
                closed += 1
            except (ConnectionResetError, BrokenPipeError):
                closed += 1
            except socket.timeout:
                pass
        closed_after = time.time() - started
        stop.set()
        t.join()
        for s in slow + idle:
            s.close()
        print(f"| normal HTTP client ({a.calls} calls, new connection each, 50 ms apart) | p50 ms | p99 ms | max ms | first call ms |")
        print("|---|---|---|---|---|")
        print("| alone | %.2f | %.2f | %.2f | %.2f |" % alone)
        print(f"| beside {a.idle} idle and {a.slow} slowloris connections (from the moment they opened) | %.2f | %.2f | %.2f | %.2f |" % beside)
        print()
        print(f"slowloris connections closed by the server: {closed} of {a.slow}, "
              f"all within {closed_after:.1f} s of their first byte (deadline 10 s)")
        print(f"target (every call within 1 s): {'met' if beside[2] <= 1000 else 'missed'}")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
