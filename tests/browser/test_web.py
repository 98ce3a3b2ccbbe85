#!/usr/bin/python3
# test_web.py - cdr-web in a real browser, the whole path through the
# private Postfix of tests/e2e/lib.sh (issue 15, "Tests"). Started by
# tests/e2e/test-web.sh, which has Postfix, cdr-milter (with [web]
# base_url, so its notices carry the staff link), the return path and
# cdr-web running, and passes where they are in the environment (see
# gateway.py, and WEB_URL, WEB_KEY, WEB_ADMIN, WEB_ADMIN_PASSWORD,
# WEB_LOG, E2E_LOG below). Prints TAP.
#
# Names of pages, forms, ids and classes are those fixed for issue 15
# (web/templates/); every assertion is on what a page shows
# (element.text, attributes, cookies) or on what arrived in the sink and
# what the store recorded. Each page visited is saved under
# E2E_LOG/screens/ (browser.py). The cases, in the order they run:
#	notices	every mail's notice carries its signed link (checked
#		with webtoken.py, an HMAC of our own)
#	a	docm, text mode: request, an administrator approves, the
#		docx arrives once (zipfile: no VBA project); approving
#		again changes nothing
#	a2	a link for any of two recipients: a stranger's address
#		refused, a recipient's release goes to that address alone
#	b, b2	PPAP zip: wrong then right password, delivered once;
#		[ppap] max_tries used up, then the right one refused
#	c	tampered, forged, expired and unknown links: error pages,
#		POSTs to them refused, nothing released
#	d	approve without or with a wrong CSRF token: 403, nothing
#		released; deny with a reason
#	e, e2	<script>, quotes, a long name shown as text; U+202E written out as [U+202E]
#	f	dashboard charts, search, a message's report, audit
#	g	/admin without a session goes to /login; logout
#	h	security headers; no token or password in cdr-web's log
#	k	HTTPS with tls_cert/tls_key; plain HTTP off loopback refused
#	j	failed logins end in 429 (last: it locks 127.0.0.1 out)
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtoken  # noqa: E402
from browser import Browser  # noqa: E402
from gateway import Gateway, attachments, notice_link, ooxml_disarmed, zip_disarmed  # noqa: E402
from tap import Skip, Tap, check, diag  # noqa: E402

ENV = os.environ
BASE = ENV["WEB_URL"].rstrip("/")
with open(ENV["WEB_KEY"], "rb") as _f:
    KEY = _f.read()
ADMIN = ENV.get("WEB_ADMIN", "admin")
ADMIN_PASSWORD = ENV["WEB_ADMIN_PASSWORD"]
LINK_DAYS = int(ENV.get("WEB_LINK_DAYS", "14"))

# [mail] mode = text: every attachment removed, listed in the notice
TEXT_TO = "tanaka@city.example.lg.jp"
PPAP_TO = "soumu@city.example.lg.jp"
OTHER_TO = "sato@city.example.lg.jp"
PPAP_RIGHT = "Mitsu2024!"  # fixtures/gen/ppap_mail.py
PPAP_WRONG = "wrong-1"
MAX_TRIES = int(ENV.get("WEB_PPAP_MAX_TRIES", "3"))  # [ppap] max_tries
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'")
SCRIPT = "<script>alert(1)</script>"
RLO = "\u202e"
# what would run or load something if a value from mail broke out of its
# escaping (the page itself has none of it)
ACTIVE = ("iframe, frame, object, embed, base, meta[http-equiv], [onerror], [onload], "
          "[onclick], [onmouseover], [onfocus], [srcdoc], a[href^='javascript:' i], "
          "form[action^='javascript:' i]")
PASSWORD_BUTTON = "パスワードで開く"
BUTTON = {"ja": "無害化して受け取る", "en": "Receive disarmed"}
STAMP = time.strftime("%H%M%S")

# The mails: name -> (sender, recipient, subject, attachment names)
MAILS = {
    "a": ("kato@example.co.jp", TEXT_TO, "議事録の送付 %s" % STAMP, ["議事録.docm"]),
    "b": ("yamada@example.co.jp", PPAP_TO, None, ["見積書.zip"]),
    "b2": ("sato@example.co.jp", PPAP_TO, None, ["見積書.zip"]),
    "d": ("suzuki@example.co.jp", TEXT_TO, "資料の件 %s" % STAMP, ["資料.docm"]),
    # one notice for two recipients: a link for any of them (its recipient empty)
    "m": ("ito@example.co.jp", TEXT_TO + "," + OTHER_TO, "回覧資料 %s" % STAMP, ["回覧.docm"]),
    "e": ("evil@example.net", TEXT_TO, "請求書 %s %sfdp.exe %s" % (SCRIPT, RLO, STAMP),
          ["%sinvoice%scod.docm" % (SCRIPT, RLO), "very-long-name-" * 14 + "end.txt",
           "x\" onmouseover=\"alert(1)\" '><img src=x onerror=alert(2)>.txt"]),
}


class Run:
    def __init__(self):
        work = ENV["WEB_WORK"]
        self.gw = Gateway()
        self.b = Browser(BASE, ENV["E2E_LOG"], tempfile.mkdtemp(prefix="chromium-", dir=work))
        self.sent = {}  # name -> {qid, quid, link, token, subject, ...}
        self.tokens = []  # every token used, to look for in cdr-web's log

    # ---- checks every page must pass (the contract's "Every page")

    def open(self, path, name):
        text = self.b.open(path, name)
        self.page_rules()
        return text

    def submit(self, form, fields=None, name=None):
        text = self.b.submit(form, fields, name)
        self.page_rules()
        return text

    def page_rules(self):
        b = self.b
        where = b.current_path()
        lang = b.one("html").get_attribute("lang")
        check(lang in ("ja", "en"), "%s: <html lang=%r>" % (where, lang))
        check(len(b.all("h1")) == 1, "%s: %d <h1> elements" % (where, len(b.all("h1"))))
        check(len(b.all("a#lang-switch")) == 1, "%s: no a#lang-switch" % where)
        check(not b.script_elements(), "%s: a <script> element in the page" % where)
        check(not b.alert_shown(), "%s: an alert is open" % where)
        active = b.all(ACTIVE)
        check(not active, "%s: active content in the page: %r" % (
            where, [e.tag_name for e in active]))
        for form in b.all("form"):
            if (form.get_attribute("method") or "get").lower() == "post":
                check(b.all("input[type=hidden][name=csrf]", form),
                      "%s: a POST form to %s without csrf" % (where, b.form_path(form)))

    # ---- helpers for the scenarios

    def need(self, name):
        m = self.sent.get(name)
        if not m or "convention" not in m:
            raise Skip("mail %s was not delivered, or without a link that verifies" % name)
        return m

    def staff_page(self, m, name):
        self.open(m["link"], name)
        err = self.b.error_page()
        check(err is None, "the staff page is an error page: %r" % (err,))

    def attachment_rows(self):
        rows = []
        for row in self.b.all("table#attachments tr.attachment"):
            rows.append({"row": row,
                         "name": self.b.text("td.att-name", row),
                         "action": self.b.text("td.att-action", row),
                         "reason": self.b.text("td.att-reason", row)})
        return rows

    def row_form(self, name, cls):
        """The form.CLS of the attachment shown as NAME (in its row, or the
        n-th of the page whose hidden attachment index is the row's)."""
        rows = self.attachment_rows()
        names = [r["name"] for r in rows]
        check(name in names, "attachment %r not listed; rows: %r" % (name, names))
        index = names.index(name)
        inside = self.b.all("form." + cls, rows[index]["row"])
        if inside:
            given = self.b.hidden(inside[0], "attachment")
            check(given == rows[index]["row"].get_attribute("data-index"),
                  "form.%s of %r sends attachment %r, its row has data-index %r" % (
                      cls, name, given, rows[index]["row"].get_attribute("data-index")))
            return inside[0]
        for form in self.b.all("form." + cls):
            if self.b.all("input[name=attachment]", form) and \
                    self.b.hidden(form, "attachment") == str(index):
                return form
        raise AssertionError("no form.%s for attachment %r" % (cls, name))

    def button_label(self, form):
        button = self.b.all("button, input[type=submit]", form)
        check(button, "a form without a button")
        return (button[0].text or button[0].get_attribute("value") or "").strip()

    def with_address(self, form, fields, recipient):
        """A link for any recipient asks for the address (contract)."""
        if self.b.all("input[name=address]", form):
            fields = dict(fields, address=recipient)
        return fields

    def request_states(self):
        return self.b.texts("table#requests tr.request td.req-state")

    def login(self):
        self.open("/admin", "admin-entry")
        if not self.b.current_path().startswith("/login"):
            return
        form = self.b.one("form#login")
        self.submit(form, {"user": ADMIN, "password": ADMIN_PASSWORD}, "login-admin")
        check(not self.b.flashes("error"), "login refused: %r" % self.b.flashes("error"))
        self.open("/admin", "admin-after-login")
        check(not self.b.current_path().startswith("/login"),
              "still sent to %s after logging in" % self.b.current_path())

    def queue_row(self, subject):
        """(row, number) of the queued request of the message with SUBJECT."""
        self.open("/admin/queue", "queue")
        rows = [r for r in self.b.all("table#queue tr.request[data-number]") if subject in r.text]
        check(len(rows) == 1, "%d queue rows show %r; the queue: %r" % (
            len(rows), subject, self.b.texts("table#queue tr.request")))
        return rows[0], rows[0].get_attribute("data-number")

    def approve(self, subject, name):
        row, number = self.queue_row(subject)
        form = self.b.one("form.approve-form", row)
        check(self.b.form_path(form) == "/admin/release/%s/approve" % number,
              "approve form posts to %s" % self.b.form_path(form))
        csrf = self.b.hidden(form, "csrf")
        self.submit(form, None, name)
        check(self.b.flashes("ok") and not self.b.flashes("error"),
              "approving: ok %r, error %r" % (self.b.flashes("ok"), self.b.flashes("error")))
        return number, csrf

    def send(self, name):
        sender, to, subject, _ = MAILS[name]
        if name in ("b", "b2"):
            data = self.gw.ppap_mail(sender, to)
            subject = "見積書送付の件"
        elif name == "e":
            gw = self.gw
            data = gw.mail(sender, to, subject, [
                (MAILS["e"][3][0], "application/vnd.ms-word.document.macroEnabled.12",
                 gw.fixture("ooxml/hostile/macro-vba.docm")),
                (MAILS["e"][3][1], "text/plain", "本文\n".encode()),
                (MAILS["e"][3][2], "text/plain", "本文\n".encode())])
        else:
            data = self.gw.docm_mail(sender, to, subject, MAILS[name][3][0])
        qid, quid = self.gw.send(sender, to, data, "mail-" + name)
        m = {"qid": qid, "quid": quid, "sender": sender, "to": to, "subject": subject}
        self.sent[name] = m
        notice = self.gw.delivered(qid)
        try:
            self.set_link(m, notice_link(notice, BASE))
        except AssertionError:
            # the notice case fails; the pages are still tested with the
            # link cdr-web itself prints
            self.set_link(m, self.gw.cdr_web_link(quid, to))
            raise
        return m

    def set_link(self, m, link):
        m["link"] = link
        m["token"] = link.rsplit("/r/", 1)[1]
        self.tokens.append(m["token"])

    # ---- the scenarios

    def notices(self):
        """Every mail delivered with a notice carrying its signed link."""
        sent_at = time.time()
        problems = []
        for name in MAILS:
            try:
                self.send(name)
            except AssertionError as e:
                problems.append("mail %s: %s" % (name, str(e).splitlines()[0]))
                diag("mail %s: %s" % (name, e))
                if name in self.sent:
                    diag("mail %s: the scenarios use cdr-web link's %s" % (
                        name, self.sent[name].get("link")))
        for name, m in self.sent.items():
            if "token" not in m:
                continue
            try:
                ident, recipient, expiry, m["convention"] = webtoken.read(KEY, m["token"])
            except ValueError as e:
                problems.append("mail %s: %s" % (name, e))
                continue
            if ident != m["quid"]:
                problems.append("mail %s: token for %r, not %r" % (name, ident, m["quid"]))
            want = "" if "," in m["to"] else m["to"]
            if recipient != want:
                problems.append("mail %s: token for recipient %r, not %r" % (
                    name, recipient, want))
            if abs(expiry - (sent_at + LINK_DAYS * 86400)) > 600:
                problems.append("mail %s: expiry %d is not %d days from now" % (
                    name, expiry, LINK_DAYS))
            diag("mail %s: %s, recipient %r, %s" % (name, m["quid"], recipient, m["convention"]))
        check(not problems, "; ".join(problems))

    def docm_released(self):
        """(a) docm, text mode: link -> request -> admin approves -> docx once."""
        m = self.need("a")
        b = self.b
        self.staff_page(m, "a-staff")
        check(m["sender"] in b.text("#msg-sender"), "#msg-sender %r" % b.text("#msg-sender"))
        check(b.text("#msg-subject") == m["subject"], "#msg-subject %r" % b.text("#msg-subject"))
        check(b.text("#msg-date").strip(), "#msg-date is empty")
        check(b.text("#msg-id") == m["quid"], "#msg-id %r" % b.text("#msg-id"))
        check(b.text("#msg-recipient") == m["to"], "#msg-recipient %r" % b.text("#msg-recipient"))
        rows = self.attachment_rows()
        check([r["name"] for r in rows] == ["議事録.docm"], "attachments %r" % rows)
        check(rows[0]["action"].strip() and rows[0]["reason"].strip(),
              "no action or reason shown: %r" % {k: rows[0][k] for k in ("action", "reason")})
        label = self.button_label(self.row_form("議事録.docm", "request-form"))
        check(label == BUTTON["ja"], "request button %r" % label)
        # the English page, and back
        b.follow(b.one("a#lang-switch"))
        b.page("a-staff-en")
        self.page_rules()
        check(b.one("html").get_attribute("lang") == "en", "lang-switch: still lang=%r" %
              b.one("html").get_attribute("lang"))
        label = self.button_label(self.row_form("議事録.docm", "request-form"))
        check(label == BUTTON["en"], "English request button %r" % label)
        b.follow(b.one("a#lang-switch"))
        b.page("a-staff-ja-again")
        check(b.one("html").get_attribute("lang") == "ja", "lang-switch back: lang=%r" %
              b.one("html").get_attribute("lang"))

        form = self.row_form("議事録.docm", "request-form")
        self.submit(form, self.with_address(form, {}, m["to"]), "a-requested")
        check(b.flashes("ok") and not b.flashes("error"), "request: ok %r, error %r" % (
            b.flashes("ok"), b.flashes("error")))
        check(self.request_states() == ["requested"], "requests shown: %r" % self.request_states())
        check(self.gw.released_states(m["quid"]) == ["requested"],
              "store: %r" % self.gw.released_states(m["quid"]))
        check(not self.gw.followups(m["quid"]), "released before an administrator approved")

        self.login()
        number, csrf = self.approve(m["subject"], "a-approved")
        msg = self.gw.wait_release(m["quid"])
        # the approval sent again (a second click, a reload): still once
        status, _, _ = b.request("POST", "/admin/release/%s/approve" % number, {"csrf": csrf})
        time.sleep(3)
        check(len(self.gw.followups(m["quid"])) == 1, "approved twice (%d): released again" %
              status)
        files = attachments(msg)
        check(len(files) == 1 and files[0][0].endswith(".docx"), "released files: %r" % [
            f[0] for f in files])
        names = ooxml_disarmed(*files[0])
        check("word/document.xml" in names, "no word/document.xml in %r" % names)
        self.only_to(m["quid"], m["to"])
        check(self.gw.released_states(m["quid"]) == ["delivered"],
              "store: %r" % self.gw.released_states(m["quid"]))
        self.staff_page(m, "a-staff-delivered")
        check(self.request_states() == ["delivered"], "requests shown: %r" % self.request_states())
        diag("released: %s (%d parts, no VBA project)" % (files[0][0], len(names)))

    def only_to(self, quid, recipient):
        """The release went to RECIPIENT alone (smtp-sink's X-Rcpt-Args)."""
        _, path = self.gw.followups(quid)[0]
        with open(path, "rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
        rcpts = re.findall(r"^X-Rcpt-Args: *<([^>]*)>", head, re.M)
        check(rcpts == [recipient], "released to %r, not only %s" % (rcpts, recipient))

    def ppap_released(self):
        """(b) PPAP: wrong password -> error, nothing; right -> disarmed once."""
        m = self.need("b")
        b = self.b
        self.staff_page(m, "b-staff")
        form = self.row_form("見積書.zip", "password-form")
        check(self.b.form_path(form).endswith("/password"), "password form posts to %s" %
              self.b.form_path(form))
        label = self.button_label(form)
        check(label == PASSWORD_BUTTON, "password button %r" % label)
        self.submit(form, self.with_address(form, {"password": PPAP_WRONG}, m["to"]),
                    "b-wrong-password")
        check(b.flashes("error"), "wrong password: no p.flash.error (ok %r)" % b.flashes("ok"))
        check(PPAP_WRONG not in b.body_text(), "the wrong password is shown on the page")
        for box in b.all("input[name=password]"):
            check(not box.get_attribute("value"), "the password is filled in again")
        time.sleep(2)
        check(not self.gw.followups(m["quid"]), "released after a wrong password")

        form = self.row_form("見積書.zip", "password-form")
        self.submit(form, self.with_address(form, {"password": PPAP_RIGHT}, m["to"]),
                    "b-right-password")
        check(b.flashes("ok") and not b.flashes("error"), "right password: ok %r, error %r" % (
            b.flashes("ok"), b.flashes("error")))
        check(PPAP_RIGHT not in b.body_text(), "the password is shown on the page")
        states = self.request_states()
        if states and states[-1] == "requested":
            diag("the opened zip waits for an administrator (approval = admin)")
            self.login()
            self.approve(m["subject"], "b-approved")
        msg = self.gw.wait_release(m["quid"])
        files = attachments(msg)
        zips = [f for f in files if f[0].lower().endswith(".zip")]
        check(len(zips) == 1, "released files: %r" % [f[0] for f in files])
        names = zip_disarmed(*zips[0])
        check(any(n.endswith((".docx", ".docm")) for n in names), "no Word file in %r" % names)
        self.only_to(m["quid"], m["to"])
        diag("released %s holding %s" % (zips[0][0], names))

    def bad_links(self):
        """(c) tampered, forged, expired, unknown links: error page, nothing released."""
        m = self.need("a")
        token, quid = m["token"], m["quid"]
        conv = m["convention"]
        before = (len(self.gw.followups(quid)), self.gw.released_states(quid))
        future = time.time() + 86400
        # our own signer first: a token it makes must open the page
        ours = webtoken.sign(KEY, quid, m["to"], future, conv)
        self.staff_page({"link": "/r/" + ours}, "c-own-signer")
        check(self.b.text("#msg-subject") == m["subject"], "own token shows %r" %
              self.b.text("#msg-subject"))
        csrf = [self.b.hidden(f, "csrf") for f in self.b.all("form.request-form")]
        check(csrf, "no request form on the page of our own token")
        first, _, sig = token.partition(".")
        cases = [
            ("signature-changed", first + "." + webtoken.change_one(sig, len(sig) // 2), 403),
            ("payload-changed", webtoken.change_one(first, len(first) // 2) + "." + sig, 403),
            ("recipient-forged", webtoken.with_payload(
                token, [quid, "kikaku@city.example.lg.jp", str(int(future))], conv), 403),
            ("expired", webtoken.sign(KEY, quid, m["to"], time.time() - 3600, conv), 410),
            ("unknown-message", webtoken.sign(KEY, "20260101T000000-000000000001", m["to"],
                                              future, conv), 404),
        ]
        problems = []
        for name, bad, status in cases:
            self.tokens.append(bad)
            got, _, _ = self.b.request("GET", "/r/" + bad, cookies=False)
            if got != status:
                problems.append("%s: GET status %d, not %d" % (name, got, status))
            self.open("/r/" + bad, "c-" + name)
            err = self.b.error_page()
            if not err or not err[0].strip():
                problems.append("%s: no h1#error shown" % name)
            if self.b.all("form.request-form, form.password-form"):
                problems.append("%s: the error page has request forms" % name)
            got, _, _ = self.b.request("POST", "/r/%s/request" % bad,
                                       {"csrf": csrf[0], "attachment": "0", "address": m["to"]})
            if got < 400:
                problems.append("%s: POST request answered %d" % (name, got))
        check(not problems, "; ".join(problems))
        time.sleep(2)
        after = (len(self.gw.followups(quid)), self.gw.released_states(quid))
        check(after == before, "released or requested: before %r, after %r" % (before, after))

    def csrf_refused(self):
        """(d) approve without (or with a wrong) CSRF token: 403, nothing released; deny works."""
        m = self.need("d")
        b = self.b
        self.staff_page(m, "d-staff")
        form = self.row_form("資料.docm", "request-form")
        self.submit(form, self.with_address(form, {}, m["to"]), "d-requested")
        check(self.request_states() == ["requested"], "requests shown: %r" % self.request_states())
        self.login()
        row, number = self.queue_row(m["subject"])
        token = b.hidden(b.one("form.approve-form", row), "csrf")
        path = "/admin/release/%s/approve" % number
        problems = []
        for name, fields, cookies, refused in (
                ("no csrf", {}, True, (403,)),
                ("empty csrf", {"csrf": ""}, True, (403,)),
                ("wrong csrf", {"csrf": webtoken.change_one(token, len(token) // 2)}, True,
                 (403,)),
                ("csrf without the session", {"csrf": token}, False, (302, 303, 401, 403))):
            status, headers, _ = b.request("POST", path, fields, cookies=cookies)
            if status not in refused:
                problems.append("%s: %d, not %s" % (name, status, refused))
        check(not problems, "; ".join(problems))
        time.sleep(3)
        check(not self.gw.followups(m["quid"]), "released without a valid CSRF token")
        check(self.gw.released_states(m["quid"]) == ["requested"],
              "store: %r" % self.gw.released_states(m["quid"]))
        # still in the queue; deny it with a reason
        row, _ = self.queue_row(m["subject"])
        self.submit(b.one("form.deny-form", row), {"reason": "業務に不要のため"}, "d-denied")
        check(b.flashes("ok") and not b.flashes("error"), "deny: ok %r, error %r" % (
            b.flashes("ok"), b.flashes("error")))
        check(self.gw.released_states(m["quid"]) == ["denied"],
              "store: %r" % self.gw.released_states(m["quid"]))
        self.staff_page(m, "d-staff-denied")
        check(self.request_states() == ["denied"], "requests shown: %r" % self.request_states())
        check(not self.gw.followups(m["quid"]), "released after deny")

    def shown_literally(self):
        """(e) <script>, quotes, a long name in subject and names: shown as text, nothing active."""
        m = self.need("e")
        b = self.b
        shown = {}
        self.staff_page(m, "e-staff")
        shown["staff #msg-subject"] = [b.text("#msg-subject")]
        # the name's line (a note about it may follow on lines of its own)
        shown["staff td.att-name"] = [r["name"].split("\n")[0] for r in self.attachment_rows()]
        shown["staff page"] = [b.body_text()]
        self.login()
        self.open("/admin/search?subject=" + urllib.parse.quote("請求書"), "e-search")
        rows = b.all("table#results tr.message")
        check(len(rows) == 1, "search for 請求書: %r" % [r.text for r in rows])
        shown["search result"] = [rows[0].text]
        self.open("/admin/message/" + m["quid"], "e-message")
        shown["message td.att-name"] = [n.split("\n")[0] for n in b.texts("td.att-name")]
        # U+202E is written out as the notice does ("[U+202E]"): e2 looks
        def same(text):
            return text.replace("[U+202E]", RLO)
        names = MAILS["e"][3]
        problems = []
        for where, want in (("staff #msg-subject", [m["subject"]]), ("staff td.att-name", names),
                            ("message td.att-name", names)):
            if [same(t) for t in shown[where]] != want:
                problems.append("%s %r, not %r" % (where, shown[where], want))
        if m["subject"] not in same(shown["search result"][0]):
            problems.append("search result %r lacks the subject" % shown["search result"])
        check(not problems, "; ".join(problems))

    def direction_shown(self):
        """(e2) U+202E written out as [U+202E] (as the notice does), never the raw
        character, with a .bidi-warning naming it beside the value."""
        # kept as the character, even inside a <bdi>, an RLO still reverses
        # the rest of its own value on screen ("invoice<RLO>cod.docm" reads
        # "invoicemcod.doc"): the page must show what the sender wrote
        m = self.need("e")
        b = self.b
        self.staff_page(m, "e2-staff")
        problems = []
        def written_out(text):
            return text.replace(RLO, "[U+202E]")
        got = b.texts("#msg-subject bdi")
        if got != [written_out(m["subject"])]:
            problems.append("#msg-subject bdi %r, not %r" % (got, [written_out(m["subject"])]))
        if RLO in b.body_text():
            problems.append("a raw U+202E on the page")
        in_table = b.all("table#attachments .bidi-warning")
        if not [w for w in b.all(".bidi-warning") if w not in in_table and "U+202E" in w.text]:
            problems.append("no .bidi-warning naming U+202E for the subject")
        for row in self.attachment_rows():
            bdi = b.texts("td.att-name bdi", row["row"])
            warned = [w for w in b.texts(".bidi-warning", row["row"]) if "U+202E" in w]
            if bdi not in ([written_out(n)] for n in MAILS["e"][3]):
                problems.append("td.att-name bdi %r" % bdi)
            if ("[U+202E]" in "".join(bdi)) != bool(warned):
                problems.append("name %r: warnings %r" % (bdi, warned))
        check(not problems, "; ".join(problems))

    def admin_pages(self):
        """(f) dashboard charts, search, one message's report, audit."""
        m = self.need("a")
        b = self.b
        self.login()
        self.open("/admin", "f-dashboard")
        for chart in ("chart-per-day", "chart-verdicts", "chart-reasons", "chart-senders"):
            svg = b.one("svg.chart#" + chart)
            titles = [t.get_attribute("textContent") for t in b.all("title", svg)]
            check(titles and titles[0].strip(), "%s: no <title>" % chart)
            check(b.all("text", svg), "%s: no text labels" % chart)
        self.open("/admin/search", "f-search-form")
        form = b.one("form#search")
        self.submit(form, {"subject": m["subject"]}, "f-search-results")
        rows = b.all("table#results tr.message")
        check(len(rows) == 1, "search for %r: %d results %r" % (
            m["subject"], len(rows), [r.text for r in rows]))
        hrefs = {urllib.parse.urlsplit(a.get_attribute("href")).path
                 for a in b.all("a[href^='/admin/message/']", rows[0])}
        check(hrefs == {"/admin/message/" + m["quid"]}, "the result links to %s" % hrefs)
        self.open("/admin/search?sender=nobody-sent-this%40example.invalid", "f-search-none")
        check(not b.all("table#results tr.message"), "a search for no sender found %r" %
              b.texts("table#results tr.message"))
        self.open("/admin/message/" + m["quid"], "f-message")
        check(b.all("#report li.removal"), "no li.removal in #report")
        check("議事録.docm" in b.texts("table#attachments td.att-name"),
              "attachments: %r" % b.texts("table#attachments td.att-name"))
        self.open("/admin/audit", "f-audit")
        # mail a's actions, each with who and from where (the contract's
        # list: view, request, approve; what the event is called may vary)
        events = [(b.text("td.ev-what", e), b.text("td.ev-by", e), b.text("td.ev-origin", e))
                  for e in b.all("table#audit tr.event") if m["quid"] in e.text]
        for action, by in (("view", m["to"]), ("request", m["to"]), ("approve", ADMIN)):
            check(any(action in what and who == by and origin == "web 127.0.0.1"
                      for what, who, origin in events),
                  "no %s event by %s from web 127.0.0.1 for %s in %r" % (
                      action, by, m["quid"], events))

    def login_required(self):
        """(g) /admin without a session -> /login; wrong password refused; logout."""
        b = self.b
        b.forget_session()
        problems = []
        for path in ("/admin", "/admin/queue", "/admin/search?subject=x", "/admin/audit",
                     "/admin/message/" + self.sent.get("a", {}).get("quid", "x")):
            status, headers, _ = b.request("GET", path, cookies=False)
            where = urllib.parse.urlsplit(headers.get("location", "")).path
            if status not in (302, 303) or where != "/login":
                problems.append("%s: %d to %r" % (path, status, headers.get("location")))
        check(not problems, "; ".join(problems))
        self.open("/admin", "g-admin-no-session")
        check(b.current_path().startswith("/login"), "/admin shows %s" % b.current_path())
        self.submit(b.one("form#login"), {"user": ADMIN, "password": "not-" + ADMIN_PASSWORD},
                    "g-wrong-login")
        check(b.flashes("error"), "wrong password: no p.flash.error")
        check(not b.driver.get_cookie("mugaika_session") or
              b.request("GET", "/admin")[0] in (302, 303), "a wrong password opened a session")
        self.login()
        cookie = b.driver.get_cookie("mugaika_session")
        check(cookie, "no mugaika_session cookie after login")
        check(cookie.get("httpOnly") and cookie.get("sameSite") == "Strict",
              "session cookie flags %r" % cookie)
        logout = [f for f in b.all("form") if b.form_path(f) == "/logout"]
        check(logout, "no logout form on /admin")
        self.submit(logout[0], None, "g-logged-out")
        self.open("/admin", "g-admin-after-logout")
        check(b.current_path().startswith("/login"), "after logout /admin shows %s" %
              b.current_path())

    def headers_and_log(self):
        """(h) security headers on every kind of response; no token or password in the log."""
        b = self.b
        problems = []
        paths = ["/login", "/static/style.css", "/r/x.y", "/admin"]
        if "a" in self.sent:
            paths.append(urllib.parse.urlsplit(self.sent["a"]["link"]).path)
        for path in paths:
            status, h, _ = b.request("GET", path, cookies=False)
            for name, want in (("content-security-policy", CSP),
                               ("x-content-type-options", "nosniff"),
                               ("referrer-policy", "no-referrer")):
                if h.get(name) != want:
                    problems.append("%s (%d): %s %r" % (path, status, name, h.get(name)))
        with open(ENV["WEB_LOG"], encoding="utf-8", errors="replace") as f:
            log = f.read()
        for secret in self.tokens + [ADMIN_PASSWORD, PPAP_RIGHT, PPAP_WRONG]:
            if secret in log:
                problems.append("cdr-web's log has %s..." % secret[:12])
        check(log.strip(), "cdr-web logged nothing")
        check(not problems, "; ".join(problems))


    def any_recipient(self):
        """(a2) link for any recipient: a stranger's address refused, one recipient's served."""
        m = self.need("m")
        b = self.b
        self.staff_page(m, "a2-staff")
        form = self.row_form("回覧.docm", "request-form")
        check(b.all("input[name=address]", form), "no input[name=address] in the request form")
        self.submit(form, {"address": "stranger@example.com"}, "a2-stranger")
        check(b.flashes("error") or b.error_page(), "a stranger's address: no error shown")
        check(not b.flashes("ok"), "a stranger's address: %r" % b.flashes("ok"))
        check(self.gw.released_states(m["quid"]) == [],
              "store after a stranger asked: %r" % self.gw.released_states(m["quid"]))
        self.open(m["link"], "a2-staff-again")
        form = self.row_form("回覧.docm", "request-form")
        self.submit(form, {"address": OTHER_TO}, "a2-requested")
        check(b.flashes("ok") and not b.flashes("error"), "request: ok %r, error %r" % (
            b.flashes("ok"), b.flashes("error")))
        self.login()
        self.approve(m["subject"], "a2-approved")
        msg = self.gw.wait_release(m["quid"])
        files = attachments(msg)
        check(len(files) == 1 and files[0][0].endswith(".docx"), "released files: %r" % [
            f[0] for f in files])
        ooxml_disarmed(*files[0])
        self.only_to(m["quid"], OTHER_TO)

    def ppap_tries(self):
        """(b2) PPAP: [ppap] max_tries (3) wrong passwords, then the right one refused (429)."""
        m = self.need("b2")
        b = self.b
        self.staff_page(m, "b2-staff")
        for i in range(MAX_TRIES):
            form = self.row_form("見積書.zip", "password-form")
            self.submit(form, self.with_address(form, {"password": "wrong-%d" % i}, m["to"]),
                        "b2-wrong-%d" % (i + 1))
            check(b.flashes("error") or b.error_page(), "wrong password %d: no error shown" % (
                i + 1))
        self.open(m["link"], "b2-staff-used-up")
        form = self.row_form("見積書.zip", "password-form")
        csrf = b.hidden(form, "csrf")
        self.submit(form, self.with_address(form, {"password": PPAP_RIGHT}, m["to"]),
                    "b2-right-refused")
        check(b.error_page() or b.flashes("error"), "the right password after the tries: no error")
        status, _, _ = b.request("POST", urllib.parse.urlsplit(m["link"]).path + "/password",
                                 {"csrf": csrf, "attachment": "0", "password": PPAP_RIGHT,
                                  "address": m["to"]})
        check(status == 429, "the right password after the tries: HTTP %d, not 429" % status)
        time.sleep(3)
        check(not self.gw.followups(m["quid"]), "released after the tries were used up")

    def https(self):
        """(k) HTTPS (tls_cert, tls_key): login, cookie Secure; plain HTTP off loopback refused."""
        b = self.b
        url = ENV.get("WEB_TLS_URL")
        if not url:
            with open(ENV["WEB_TLS_LOG"], encoding="utf-8", errors="replace") as f:
                raise AssertionError("cdr-web with tls_cert and tls_key did not start: %s" %
                                     f.read()[-500:])
        b.forget_session()
        self.open(url + "/admin", "k-https-admin")
        check(b.current_path().startswith("/login"), "https /admin shows %s" % b.current_path())
        self.submit(b.one("form#login"), {"user": ADMIN, "password": ADMIN_PASSWORD},
                    "k-https-login")
        self.open(url + "/admin", "k-https-dashboard")
        check(b.driver.current_url.startswith(url + "/admin"), "after logging in over HTTPS: %s" %
              b.driver.current_url)
        cookie = b.driver.get_cookie("mugaika_session")
        check(cookie and cookie.get("secure") and cookie.get("httpOnly") and
              cookie.get("sameSite") == "Strict", "session cookie over HTTPS: %r" % cookie)
        status, h, _ = b.request("GET", "/login", cookies=False, base=url)
        check(status == 200 and h.get("content-security-policy") == CSP,
              "https /login: %d, CSP %r" % (status, h.get("content-security-policy")))
        b.forget_session()
        # plain HTTP on an address that is not loopback: cdr-web -n says no
        with open(ENV["WEB_CONF"], encoding="utf-8") as f:
            text = re.sub(r"(?m)^listen = .*$", "listen = 0.0.0.0:8080", f.read())
        public = os.path.join(ENV["WEB_WORK"], "plain-public.conf")
        with open(public, "w", encoding="utf-8") as f:
            f.write(text)
        r = subprocess.run([ENV["WEB_BIN"], "-n", "-c", public], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        check(r.returncode != 0, "cdr-web -n accepts plain HTTP on 0.0.0.0")
        diag("cdr-web -n on 0.0.0.0 without TLS: %s" % r.stdout.decode().strip()[:200])

    def login_limit(self):
        """(j) failed logins limited: 429 after a few, then even the right password."""
        b = self.b
        b.forget_session()
        self.open("/login", "j-login")
        seen = 0
        for i in range(20):
            self.submit(b.one("form#login"), {"user": ADMIN, "password": "guess-%d" % i},
                        "j-wrong-%d" % (i + 1))
            if b.error_page():
                seen = i + 1
                break
            check(b.flashes("error"), "wrong login %d: no p.flash.error" % (i + 1))
        check(seen, "20 wrong passwords in a row and no error page")
        self.open("/login", "j-login-again")
        form = b.one("form#login")
        status, _, _ = b.request("POST", "/login", {"csrf": b.hidden(form, "csrf"), "user": ADMIN,
                                                    "password": ADMIN_PASSWORD})
        check(status == 429, "the right password while limited: HTTP %d, not 429" % status)
        diag("limited after %d wrong passwords in this test" % seen)


def main():
    # a TERM (meson's timeout, test-web.sh's trap) still closes Chromium
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run = None
    try:
        run = Run()
    except Exception as e:
        print("Bail out! Chromium did not start: %s" % e)
        return 1
    cases = (run.notices, run.docm_released, run.any_recipient, run.ppap_released,
             run.ppap_tries, run.bad_links, run.csrf_refused, run.shown_literally,
             run.direction_shown, run.admin_pages, run.login_required, run.headers_and_log,
             run.https, run.login_limit)  # login_limit last: it locks 127.0.0.1 out
    tap = Tap(len(cases), on_fail=lambda what: run.b.page("FAILED-" + what.split()[0].strip("()")))
    try:
        for method in cases:
            with tap.case(method.__doc__.strip()):
                method()
    finally:
        run.b.quit()
    return tap.exit_status()


if __name__ == "__main__":
    sys.exit(main())
