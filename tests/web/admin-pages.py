#!/usr/bin/python3
"""admin-pages - the administrators' pages of cdr-web over HTTP.

Usage: admin-pages.py BUILD_DIR SOURCE_DIR

Fills a quarantine of 300 varied messages (build/bench/web-fill: one
subject in fifty carries "<script>" and U+202E, one sender in 97 is
"<script>@evil.example"), starts cdr-web on a loopback port and, as a
browser would (a cookie, the CSRF field of the last page), checks:
the login wall; the dashboard's four SVG charts (ids, <title>, one bar a
day, the hostile sender shown as text); the search (each field, dates,
paging, a bad date answered 400, hostile subjects come back as text and
no <script> element anywhere); a message's report (li.removal with what
and why, the attachments table); the queue (deny needs a reason, deny,
approve, a decided request refused, a POST without the CSRF field
refused); the audit log (who and from where). Pages are parsed with
html.parser and the checks are on the parsed tree (text and elements),
not on the HTML source. Prints TAP.
"""
import html.parser
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webenv import Client, WebEnv  # noqa: E402

VOID = {"br", "input", "meta", "link", "img", "hr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all(self, tag=None, cls=None, id=None):
        for c in self.children:
            if isinstance(c, str):
                continue
            if ((tag is None or c.tag == tag) and (cls is None or cls in c.classes())
                    and (id is None or c.attrs.get("id") == id)):
                yield c
            yield from c.all(tag, cls, id)

    def one(self, tag=None, cls=None, id=None):
        found = list(self.all(tag, cls, id))
        if len(found) != 1:
            raise AssertionError(f"{len(found)} of {tag}.{cls}#{id}, want 1")
        return found[0]


class Tree(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", [], None)
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}"
          + ("" if ok else f"\n# {detail}"))


def page(client, path, status=200, method="GET", form=None):
    got, headers, text = client.request(method, path, form)
    tree = Tree(text).root
    if got != status:
        raise AssertionError(f"{method} {path}: {got}, want {status}\n{text[:2000]}")
    # no page ever has a script element, whatever the mail held
    if list(tree.all("script")):
        raise AssertionError(f"{path}: a <script> element")
    return tree, headers


def rows_text(tree, table_id, cls):
    return [r for r in tree.one("table", id=table_id).all("tr", cls)]


def test_login_wall(env):
    c = Client(env.port)
    status, headers, _ = c.request("GET", "/admin/search")
    check("GET /admin/search without a login: 303 to /login",
          status == 303 and headers.get("Location", "").startswith("/login"), status)
    c.request("GET", "/login")
    status, _, _ = c.request("POST", "/admin/release/1/approve", {"csrf": c.csrf})
    check("POST approve without a login: 403", status == 403, status)


def test_dashboard(c):
    tree, headers = page(c, "/admin")
    csp = headers.get("Content-Security-Policy", "")
    check("dashboard: CSP without script", "default-src 'none'" in csp and "script" not in csp,
          csp)
    for chart in ["chart-per-day", "chart-verdicts", "chart-reasons", "chart-senders"]:
        svg = tree.one("svg", id=chart)
        titles = [n for n in svg.children if not isinstance(n, str) and n.tag == "title"]
        check(f"dashboard: svg.chart#{chart} with a <title>",
              "chart" in svg.classes() and len(titles) == 1 and titles[0].text(), chart)
        check(f"dashboard: #{chart} refers to nothing outside",
              not any(k in n.attrs for n in svg.all() for k in ("href", "xlink:href", "style")))
    bars = list(tree.one("svg", id="chart-per-day").all("rect", "bar"))
    check("dashboard: one bar a day for 30 days", len(bars) == 30, len(bars))
    total = sum(int(b.attrs["data-value"]) for b in bars)
    check("dashboard: the days hold every message (all within 10 days)", total == 300, total)
    senders = [t.text() for t in tree.one("svg", id="chart-senders").all("text", "label")]
    check("dashboard: the hostile sender shown as text, first",
          senders and senders[0] == "<script>@evil.example", senders)
    reasons = [t.text() for t in tree.one("svg", id="chart-reasons").all("text", "label")]
    check("dashboard: reasons name macro and encrypted",
          any(r.startswith("macro") for r in reasons)
          and any(r.startswith("encrypted") for r in reasons), reasons)
    tree, _ = page(c, "/admin?days=7&lang=en")
    bars = list(tree.one("svg", id="chart-per-day").all("rect", "bar"))
    check("dashboard: ?days=7 gives 7 bars, in English",
          len(bars) == 7 and tree.one("html").attrs.get("lang") == "en", len(bars))


def result_ids(tree):
    ids = []
    for row in rows_text(tree, "results", "message"):
        links = [a.attrs["href"] for a in row.all("a")
                 if a.attrs.get("href", "").startswith("/admin/message/")]
        ids.append(links[0].split("/")[3].split("?")[0])
    return ids


def test_search(c):
    tree, _ = page(c, "/admin/search")
    first = result_ids(tree)
    check("search: no field gives a page of 50, newest first",
          len(first) == 50 and first == sorted(first, reverse=True), len(first))
    check("search: a next page link", tree.one("a", id="next-page") is not None)
    tree, _ = page(c, "/admin/search?page=1")
    second = result_ids(tree)
    check("search: page 2 follows page 1", len(second) == 50 and second[0] < first[-1],
          (first[-1], second[:1]))
    tree, _ = page(c, "/admin/search?subject=SCRIPT")
    rows = rows_text(tree, "results", "message")
    subjects = [r.one("td", "res-subject").text() for r in rows]
    check("search: subject, any case: the 6 hostile subjects", len(rows) == 6, len(rows))
    check("search: a subject with <script> and U+202E comes back as that text",
          all(s.startswith("<script>alert(") and "\u202e" in s for s in subjects), subjects[:2])
    check("search: each hostile subject in a <bdi>, a span.bidi-warning naming U+202E beside",
          all("\u202e" in r.one("td", "res-subject").one("bdi").text()
              and "U+202E" in r.one("td", "res-subject").one("span", "bidi-warning").text()
              for r in rows))
    plain = rows_text(page(c, "/admin/search")[0], "results", "message")
    check("search: no warning beside a subject without direction controls",
          not any(list(r.all("span", "bidi-warning")) for r in plain
                  if "\u202e" not in r.one("td", "res-subject").text()))
    check("search: the subject field keeps its value",
          tree.one("input", id="s-subject").attrs.get("value") == "SCRIPT")
    tree, _ = page(c, "/admin/search?subject=script&page=3")
    check("search: a page past the end: no row, range 0-0, no next link",
          not rows_text(tree, "results", "message")
          and tree.one("span", "range").text() == "0\u20130"
          and not list(tree.all("a", id="next-page")), tree.one("span", "range").text())
    tree, _ = page(c, "/admin/search?sender=evil.example")
    senders = {r.one("td", "res-sender").text() for r in rows_text(tree, "results", "message")}
    check("search: sender", senders == {"<script>@evil.example"}, senders)
    tree, _ = page(c, "/admin/search?recipient=STAFF45%40&verdict=blocked")
    rows = rows_text(tree, "results", "message")
    check("search: recipient and verdict",
          rows and all(r.one("td", "res-verdict").text() == "blocked" for r in rows), len(rows))
    tree, _ = page(c, "/admin/search?encrypted=yes")
    rows = rows_text(tree, "results", "message")
    check("search: encrypted",
          rows and all(r.one("td", "res-encrypted").text() for r in rows), len(rows))
    since = first[-1][:4] + "-" + first[-1][4:6] + "-" + first[-1][6:8]
    tree, _ = page(c, f"/admin/search?since={since}&until={since}")
    ids = result_ids(tree)
    check("search: since and until are days, both included",
          ids and all(i.startswith(since.replace("-", "")) for i in ids), (since, ids[:3]))
    tree, _ = page(c, "/admin/search?since=2026-13-01", status=400)
    check("search: a bad date answers 400 with p.flash.error",
          tree.one("p", "flash") and "error" in tree.one("p", "flash").classes())
    page(c, "/admin/search?verdict=%3Cscript%3E", status=400)
    check("search: an unknown verdict answers 400", True)
    return first


def test_message(c, ids):
    tree, _ = page(c, "/admin/search?encrypted=yes")
    mid = result_ids(tree)[0]
    tree, _ = page(c, f"/admin/message/{mid}")
    report = tree.one(id="report")
    removals = [li.text() for li in report.all("li", "removal")]
    check("message: #report lists the encrypted zip blocked with its reason",
          any("encrypted" in r and "会議.zip" in r for r in removals), removals)
    atts = rows_text(tree, "attachments", "attachment")
    check("message: the attachments table",
          len(atts) == 1 and atts[0].one("td", "att-name").text().startswith("会議.zip")
          and atts[0].one("td", "att-action").text() == "blocked", len(atts))
    tree, _ = page(c, "/admin/search?subject=script")
    hostile = result_ids(tree)[0]
    tree, _ = page(c, f"/admin/message/{hostile}")
    subject = tree.one(id="msg-subject").text()
    check("message: the hostile subject as text",
          subject.startswith("<script>alert(") and "\u202e" in subject, subject)
    check("message: #msg-subject keeps U+202E in its <bdi>, with span.bidi-warning",
          "\u202e" in tree.one(id="msg-subject").one("bdi").text()
          and "U+202E" in tree.one(id="msg-subject").one("span", "bidi-warning").text())
    removals = [li.text() for li in tree.one(id="report").all("li", "removal")]
    check("message: the docx macro removal with where and count",
          any("macro" in r and "報告.docx" in r for r in removals), removals)
    page(c, "/admin/message/20990101T000000-000000000000", status=404)
    page(c, "/admin/message/x%3Cscript%3E", status=404)
    status, _, _ = c.request("GET", "/admin/message/..%2F..%2Fetc")
    check("message: unknown and malformed ids answer 404 (an encoded / 400)",
          status in (400, 404), status)
    return hostile


def test_queue(c):
    tree, _ = page(c, "/admin/queue")
    requests = rows_text(tree, "queue", "request")
    numbers = [r.attrs["data-number"] for r in requests]
    def named(form, name):
        return [i for i in form.all("input") if i.attrs.get("name") == name]
    check("queue: the 5 requests, each with approve and deny forms carrying csrf",
          len(requests) == 5 and all(
              named(r.one("form", "approve-form"), "csrf")
              and named(r.one("form", "deny-form"), "reason")
              and named(r.one("form", "deny-form"), "csrf") for r in requests), numbers)
    n = numbers[0]
    tree, _ = page(c, f"/admin/release/{n}/deny", 400, "POST", {"csrf": c.csrf, "reason": "  "})
    check("queue: deny without a reason refused with p.flash.error",
          "error" in tree.one("p", "flash").classes())
    reason = "<b>not needed</b> & \u202e"
    tree, _ = page(c, f"/admin/release/{n}/deny", 200, "POST", {"csrf": c.csrf,
                                                                  "reason": reason})
    check("queue: deny with a reason: p.flash.ok", "ok" in tree.one("p", "flash").classes())
    check("queue: the answer's language link is the queue's",
          tree.one("a", id="lang-switch").attrs.get("href") == "/admin/queue?lang=en",
          tree.one("a", id="lang-switch").attrs)
    left = [r.attrs["data-number"] for r in rows_text(tree, "queue", "request")]
    decided = {r.attrs["data-number"]: r for r in rows_text(tree, "recent", "decided")}
    check("queue: the denied request leaves the queue, with its reason as text",
          n not in left and n in decided and reason in decided[n].text(), left)
    m = numbers[1]
    status, _, _ = c.request("POST", f"/admin/release/{m}/approve", {})
    check("queue: approve without the CSRF field: 403", status == 403, status)
    status, _, _ = c.request("POST", f"/admin/release/{m}/approve", {"csrf": "0" * 64})
    check("queue: approve with a wrong CSRF token: 403", status == 403, status)
    tree, _ = page(c, f"/admin/release/{m}/approve", 200, "POST", {"csrf": c.csrf})
    check("queue: approve: p.flash.ok", "ok" in tree.one("p", "flash").classes())
    tree, _ = page(c, f"/admin/release/{m}/approve", 409, "POST", {"csrf": c.csrf})
    check("queue: a decided request is not decided again",
          "error" in tree.one("p", "flash").classes())
    page(c, "/admin/release/999999/approve", 404, "POST", {"csrf": c.csrf})
    check("queue: an unknown request: 404", True)
    return n, m


def test_audit(c, hostile, denied, approved):
    tree, _ = page(c, "/admin/audit")
    events = rows_text(tree, "audit", "event")
    seen = [(e.one("td", "ev-what").text(), e.one("td", "ev-by").text(),
             e.one("td", "ev-origin").text()) for e in events]
    for what in ["web-admin-view", "release-denied", "release-approved", "login"]:
        check(f"audit: {what} by admin from web 127.0.0.1",
              (what, "admin", "web 127.0.0.1") in seen, seen[:6])
    check("audit: newest first", events[0].attrs["data-number"] > events[-1].attrs[
        "data-number"] if len(events) > 1 else False)


def main():
    build, source = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="mugaika-web-admin-") as base:
        os.chmod(base, 0o755)
        env = WebEnv(build, source, os.path.join(base, "env"), 300, days=10, releases=5)
        env.start()
        try:
            test_login_wall(env)
            c = Client(env.port)
            c.login()
            test_dashboard(c)
            ids = test_search(c)
            hostile = test_message(c, ids)
            denied, approved = test_queue(c)
            test_audit(c, hostile, denied, approved)
        except Exception as e:  # a failed step: the rest cannot run
            check("no exception", False, repr(e))
        finally:
            env.stop()
            log = open(env.log_path, errors="replace").read()
            check("cdr-web stopped cleanly, no sanitizer report in its log",
                  env.proc.returncode == 0 and "Sanitizer" not in log
                  and "runtime error" not in log, f"exit {env.proc.returncode}")
            if not all(results):
                sys.stdout.write("# cdr-web log:\n" + "".join(
                    "# " + line for line in open(env.log_path).readlines()[-40:]))
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
