#!/usr/bin/python3
"""web-load - 200 concurrent page loads of cdr-web's admin pages.

Usage: web-load.py BUILD_DIR SOURCE_DIR BASE [--messages N] [--clients C] [--rounds R]

Fills BASE/env/quarantine with N messages (default 100,000, over 60 days;
kept between runs: a second run reuses it), starts cdr-web on a loopback
port, logs in once, and loads each page C at a time (default 200) with
the administrator's session cookie, R x C loads (R default 5) after a
warm-up of C, with ApacheBench (ab, Debian's apache2-utils: a C load
generator, so the measuring costs little of the two cores), each load a
new connection as a browser's first. Prints per page ab's median, 95th
percentile and longest time (ms, connect to the last byte) and pages per
second; any answer other than 200 is counted and printed.

The pages: the search page as an administrator first sees it (no field:
the newest 50), a common subject word, a rare sender (about 1 message in
97 matches, so 50 hits read some 5,000 rows), a subject nothing has (every
row read: the worst case), page 10 of all messages, and the dashboard
(four charts over 30 days). *: the page that reads every row is loaded
C times only (one round), its loads take seconds each.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "web"))
from webenv import Client, WebEnv  # noqa: E402

PAGES = [
    ("search, no field (newest 50)", "/admin/search"),
    ("search, subject=会議 (common)", "/admin/search?subject=%E4%BC%9A%E8%AD%B0"),
    ("search, sender=evil (1 in 97)", "/admin/search?sender=evil"),
    ("search, subject=meeting (common, 3+ chars)", "/admin/search?subject=meeting"),
    ("search, recipient=staff7@ (1 in 25)", "/admin/search?recipient=staff7%40"),
    ("search, subject=nothing-has-this (all rows)*", "/admin/search?subject=nothing-has-this"),
    ("search, page 10", "/admin/search?page=9"),
    ("dashboard (30 days)", "/admin"),
]


def load(port, cookie, path, clients, rounds):
    url = f"http://127.0.0.1:{port}{path}"
    args = ["ab", "-q", "-c", str(clients), "-C", cookie]
    subprocess.run(args + ["-n", str(clients), url], check=True, capture_output=True)
    out = subprocess.run(args + ["-n", str(clients * rounds), url], check=True,
                         capture_output=True, text=True).stdout
    def field(pattern):
        m = re.search(pattern, out, re.M)
        return m.group(1) if m else None
    failed = int(field(r"^Failed requests:\s+(\d+)") or 0)
    non200 = int(field(r"^Non-2xx responses:\s+(\d+)") or 0)
    return (int(field(r"^\s+50%\s+(\d+)")), int(field(r"^\s+95%\s+(\d+)")),
            int(field(r"^\s+100%\s+(\d+)")), float(field(r"^Requests per second:\s+([\d.]+)")),
            failed + non200)


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
        print(f"ab -c {a.clients} -n {a.clients * a.rounds} per page (after -n {a.clients}"
              f" to warm up), {a.messages} messages")
        print(f"{'page':46} {'median':>8} {'p95':>8} {'max':>8} {'pages/s':>8}")
        for name, path in PAGES:
            rounds = 1 if name.endswith("*") else a.rounds
            median, p95, longest, rate, failed = load(env.port, c.cookie, path, a.clients,
                                                      rounds)
            print(f"{name:46} {median:8} {p95:8} {longest:8} {rate:8.0f}"
                  + (f"  NOT 200: {failed}" if failed else ""))
            sys.stdout.flush()
    finally:
        env.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
