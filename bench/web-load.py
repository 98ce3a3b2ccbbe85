#!/usr/bin/python3
"""web-load - 200 concurrent page loads of cdr-web's admin pages.

Usage: web-load.py BUILD_DIR SOURCE_DIR BASE [--messages N] [--clients C] [--rounds R]

Fills BASE/env/quarantine with N messages (default 100,000, over 60 days;
kept between runs: a second run reuses it), starts cdr-web on a loopback
port, logs in once, and has C threads (default 200), each with its own
keep-alive connection and the administrator's session cookie, load a page
at the same moment (a barrier), R rounds (default 5) after one warm-up
round. Prints per page: median, p95 and max milliseconds from sending the
request to the last byte of the answer, and pages per second.

The pages: the search page as an administrator first sees it (no field:
the newest 50), a common subject word, a rare sender (about 1 message in
97 matches, so 50 hits read some 5,000 rows), a subject nothing has (every
row read: the worst case), page 10 of all messages, and the dashboard
(four charts over 30 days).
"""
import argparse
import http.client
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "web"))
from webenv import Client, WebEnv  # noqa: E402

PAGES = [
    ("search, no field (newest 50)", "/admin/search"),
    ("search, subject=会議 (common)", "/admin/search?subject=%E4%BC%9A%E8%AD%B0"),
    ("search, sender=evil (1 in 97)", "/admin/search?sender=evil"),
    ("search, subject=nothing-has-this (all rows)", "/admin/search?subject=nothing-has-this"),
    ("search, page 10", "/admin/search?page=9"),
    ("dashboard (30 days)", "/admin"),
]


def load(port, cookie, path, clients, rounds):
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=120)
             for _ in range(clients)]
    times = []
    lock = threading.Lock()
    failures = []

    def one(i, barrier, keep):
        barrier.wait()
        t0 = time.perf_counter()
        try:
            conns[i].request("GET", path, headers={"Cookie": cookie})
            r = conns[i].getresponse()
            r.read()
            ok = r.status == 200
        except (OSError, http.client.HTTPException) as e:
            ok = False
            conns[i].close()
            conns[i] = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            failures.append(repr(e))
        ms = (time.perf_counter() - t0) * 1000
        if keep:
            with lock:
                times.append(ms if ok else float("inf"))
        if not ok and not failures:
            failures.append(f"status {r.status}")

    wall = 0.0
    for rnd in range(rounds + 1):
        barrier = threading.Barrier(clients)
        threads = [threading.Thread(target=one, args=(i, barrier, rnd > 0))
                   for i in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if rnd > 0:
            wall += time.perf_counter() - t0
    for c in conns:
        c.close()
    return times, wall, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("source")
    ap.add_argument("base")
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    env = WebEnv(a.build, a.source, os.path.join(a.base, "env"), a.messages, days=60,
                 releases=20)
    print(f"store: {env.fill_report} ({env.fill_seconds:.0f} s)")
    env.start()
    try:
        c = Client(env.port)
        c.login()
        print(f"{a.clients} concurrent loads x {a.rounds} rounds (after one warm-up round)"
              f" per page, {a.messages} messages")
        print(f"{'page':46} {'median':>8} {'p95':>8} {'max':>8} {'pages/s':>8}")
        for name, path in PAGES:
            times, wall, failures = load(env.port, c.cookie, path, a.clients, a.rounds)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(f"{name:46} {statistics.median(times):8.0f} {p95:8.0f} {times[-1]:8.0f}"
                  f" {len(times) / wall:8.0f}" + (f"  FAILED: {failures[:3]}"
                                                  if failures else ""))
            sys.stdout.flush()
    finally:
        env.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
