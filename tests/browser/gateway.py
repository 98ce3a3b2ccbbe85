# gateway.py - the mail side of the browser scenarios: make the mails,
# send them through the private Postfix of tests/e2e/lib.sh (its functions,
# called in bash: e2e_send, e2e_sink_files, e2e_sink_find,
# e2e_sink_message), find the notice and its link, count and read what the
# return path delivered, and ask the store (cdr-quarantine show -j).
#
# Environment (set by tests/e2e/test-web.sh):
#	E2E_LIB		tests/e2e/lib.sh
#	E2E_DIR		the Postfix instance
#	WEB_AUDIT	the milter's audit log (queue id -> quarantine id)
#	WEB_QTOOL	cdr-quarantine, WEB_CONF its configuration
#	WEB_BIN		cdr-web (its "link" command)
#	WEB_SRC		the source tree (fixtures)
import email
import email.policy
import io
import json
import os
import re
import subprocess
import time
import zipfile
from email.message import EmailMessage
from email.utils import formatdate

FOLLOWUP = re.compile(rb"^X-Mugaika-Followup: *([A-Za-z-]+); *id=([^\s;]+)", re.M | re.I)
DOCM_TYPE = "application/vnd.ms-word.document.macroEnabled.12"


class Gateway:
    def __init__(self, env=os.environ):
        self.lib = env["E2E_LIB"]
        self.dir = env["E2E_DIR"]
        self.audit = env["WEB_AUDIT"]
        self.qtool = [env["WEB_QTOOL"], "-c", env["WEB_CONF"]]
        self.web = [env["WEB_BIN"], "-c", env["WEB_CONF"]]
        self.src = env["WEB_SRC"]
        self.work = env["WEB_WORK"]
        self.sent = 0

    # ---- tests/e2e/lib.sh

    def e2e(self, *command):
        """Run a lib.sh function on the instance; its stdout, its status."""
        r = subprocess.run(["bash", "-c", '. "$1" && e2e_use "$2" || exit 99; shift 2; "$@"',
                            "e2e", self.lib, self.dir] + list(command),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return r.stdout.decode("utf-8", "replace"), r.returncode

    def sink_files(self):
        out, _ = self.e2e("e2e_sink_files")
        return [line for line in out.splitlines() if line]

    def sink_message(self, path):
        r = subprocess.run(["bash", "-c", '. "$1" && e2e_sink_message "$2"', "e2e",
                            self.lib, path], stdout=subprocess.PIPE, check=True)
        return email.message_from_bytes(r.stdout, policy=email.policy.default)

    # ---- sending

    def send(self, sender, recipient, data, tag):
        """Send DATA (bytes); returns (queue id, quarantine id) once the
        message is delivered (its notice in the sink)."""
        self.sent += 1
        path = os.path.join(self.work, "%02d-%s.eml" % (self.sent, tag))
        with open(path, "wb") as f:
            f.write(data)
        reply, status = self.e2e("e2e_send", sender, recipient, path)
        m = re.search(r"queued as ([0-9A-Za-z]+)", reply)
        if status != 0 or not m:
            raise AssertionError("sending %s: %s" % (tag, reply.strip()))
        qid = m.group(1)
        quid = None
        for _ in range(50):
            quid = self.quarantine_id(qid)
            if quid:
                break
            time.sleep(0.1)
        if not quid:
            raise AssertionError("%s (queue id %s): no quarantine id in the audit log" % (tag, qid))
        return qid, quid

    def quarantine_id(self, qid):
        try:
            with open(self.audit, encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    if r.get("queue_id") == qid and r.get("quarantine_id"):
                        return r["quarantine_id"]
        except FileNotFoundError:
            pass
        return None

    def delivered(self, qid, timeout=30):
        """The message Postfix queued as QID, as the sink received it."""
        out, status = self.e2e("e2e_sink_find", qid, str(timeout))
        if status != 0 or not out.strip():
            raise AssertionError("queue id %s not delivered within %d s" % (qid, timeout))
        return self.sink_message(out.strip())

    # ---- what the return path delivered

    def followups(self, quid):
        """Sink files carrying X-Mugaika-Followup: KIND; id=QUID: [(kind, path)]."""
        found = []
        for path in self.sink_files():
            with open(path, "rb") as f:
                head = f.read(16384).split(b"\n\n", 1)[0]
            for kind, ident in FOLLOWUP.findall(head):
                if ident.decode("ascii", "replace") == quid:
                    found.append((kind.decode("ascii"), path))
        return found

    def wait_release(self, quid, timeout=60, settle=3):
        """Wait for the first message released for QUID, then SETTLE seconds
        more: exactly one must be there. Returns it (an EmailMessage)."""
        end = time.monotonic() + timeout
        while not self.followups(quid):
            if time.monotonic() > end:
                raise AssertionError("nothing released for %s after %d s" % (quid, timeout))
            time.sleep(0.3)
        time.sleep(settle)
        found = self.followups(quid)
        if len(found) != 1:
            raise AssertionError("%d messages released for %s: %s" % (len(found), quid, found))
        return self.sink_message(found[0][1])

    def show(self, quid):
        """The store's record of QUID (cdr-quarantine show -j)."""
        r = subprocess.run(self.qtool + ["show", "-j", quid], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise AssertionError("cdr-quarantine show %s: %s" % (quid, r.stderr.decode().strip()))
        return json.loads(r.stdout)

    def cdr_web_link(self, quid, recipient):
        """The staff link cdr-web prints (cdr-web link ID RECIPIENT)."""
        r = subprocess.run(self.web + ["link", quid, recipient], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise AssertionError("cdr-web link: %s" % r.stderr.decode().strip())
        return r.stdout.decode().strip()

    def released_states(self, quid):
        return [x.get("state") for x in self.show(quid).get("releases", [])]

    # ---- the mails

    def fixture(self, path):
        with open(os.path.join(self.src, "fixtures", path), "rb") as f:
            return f.read()

    def mail(self, sender, recipient, subject, attachments, body="添付ファイルをお送りします。\n"):
        """A message with ATTACHMENTS [(name, type, bytes)], as a mail client
        writes it (non-ASCII subject in RFC 2047, names in RFC 2231)."""
        m = EmailMessage(policy=email.policy.SMTP)
        m["From"] = sender
        m["To"] = recipient
        m["Subject"] = subject
        m["Date"] = formatdate(localtime=True)
        m["Message-ID"] = "<web-%d-%d@example.co.jp>" % (os.getpid(), self.sent + 1)
        m.set_content(body)
        for name, ctype, data in attachments:
            main, sub = ctype.split("/")
            m.add_attachment(data, maintype=main, subtype=sub, filename=name)
        return m.as_bytes()

    def docm_mail(self, sender, recipient, subject, name="議事録.docm"):
        return self.mail(sender, recipient, subject,
                         [(name, DOCM_TYPE, self.fixture("ooxml/hostile/macro-vba.docm"))])

    def ppap_mail(self, sender, recipient):
        """fixtures/ppap/benign/mitsumori.eml (fixtures/gen/ppap_mail.py:
        見積書.zip, ZipCrypto, password Mitsu2024!, none in the mail) from
        SENDER to RECIPIENT, with a Message-ID of its own."""
        data = self.fixture("ppap/benign/mitsumori.eml")
        data = data.replace(b"yamada@example.co.jp", sender.encode())
        data = data.replace(b"To: soumu@city.example.lg.jp", b"To: " + recipient.encode())
        return re.sub(rb"Message-ID: <", b"Message-ID: <web%d." % os.getpid(), data, count=1)


# ---- reading what arrived

def notice_link(msg, base_url):
    """The staff link in a delivered notice (every text part is searched)."""
    text = "".join(p.get_content() for p in msg.walk() if p.get_content_maintype() == "text")
    links = re.findall(re.escape(base_url.rstrip("/")) + r"/r/[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+",
                       text)
    if not links:
        raise AssertionError("no %s/r/ link in the notice:\n%s" % (base_url, text[:1500]))
    if len(set(links)) != 1:
        raise AssertionError("several links in the notice: %s" % sorted(set(links)))
    return links[0]


def attachments(msg):
    return [(p.get_filename(), p.get_payload(decode=True)) for p in msg.walk()
            if p.get_filename()]


def ooxml_disarmed(name, data):
    """DATA is an OOXML package without a VBA project (python's zipfile)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    if any("vbaproject" in n.lower() or "vbadata" in n.lower() for n in names):
        raise AssertionError("%s keeps its VBA project: %s" % (name, names))
    types = z.read("[Content_Types].xml").decode("utf-8")
    if "macroEnabled" in types or "vbaProject" in types:
        raise AssertionError("%s still declares macros in [Content_Types].xml" % name)
    return names


def zip_disarmed(name, data):
    """DATA is a zip, not encrypted, whose Word files have no VBA project;
    returns its member names."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    if not names:
        raise AssertionError("%s is empty" % name)
    for info in z.infolist():
        if info.flag_bits & 1:
            raise AssertionError("%s: %s still encrypted" % (name, info.filename))
        if info.filename.lower().endswith((".docx", ".docm", ".xlsx", ".xlsm")):
            ooxml_disarmed(info.filename, z.read(info))
    return names
