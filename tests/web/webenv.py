"""webenv - a quarantine store and a running cdr-web for tests and bench.

Shared by tests/web/admin-pages.py and bench/web.sh (bench/web-load.py):
fills a store with build/bench/web-fill, writes a mugaika.conf with [web]
on a free loopback port, an administrator account (cdr-web passwd) and a
link key, starts `cdr-web -f` and waits until it answers. As root, cdr-web
drops to nobody:nogroup ([milter] user), so the directory is theirs.
"""
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse

ADMIN_USER = "admin"
ADMIN_PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebEnv:
    def __init__(self, build, source, base, messages, days=60, releases=20):
        self.build, self.source, self.base = build, source, base
        self.store = os.path.join(base, "quarantine")
        self.conf = os.path.join(base, "mugaika.conf")
        self.log_path = os.path.join(base, "cdr-web.log")
        self.port = free_port()
        self.proc = None
        os.makedirs(base, exist_ok=True)
        t0 = time.time()
        out = subprocess.run([os.path.join(build, "bench/web-fill"), "--messages",
                              str(messages), "--days", str(days), "--releases",
                              str(releases), self.store], check=True,
                             capture_output=True, text=True).stdout
        self.fill_report = out.strip()
        self.fill_seconds = time.time() - t0
        with open(os.path.join(base, "web.key"), "wb") as f:
            f.write(os.urandom(32))
        with open(self.conf, "w") as f:
            f.write(f"""[milter]
user = nobody
group = nogroup
quarantine_dir = {self.store}
syslog = false
audit_log =

[web]
listen = 127.0.0.1:{self.port}
secret_file = {base}/web.key
accounts = {base}/web.passwd
approval = admin
""")
        subprocess.run([os.path.join(build, "web/cdr-web"), "-c", self.conf, "passwd",
                        ADMIN_USER], input=ADMIN_PASSWORD + "\n", text=True, check=True,
                       capture_output=True)
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(base):
                for name in dirs + files + [""]:
                    shutil.chown(os.path.join(root, name), "nobody", "nogroup")

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([os.path.join(self.build, "web/cdr-web"), "-f", "-c",
                                      self.conf, "-d", os.path.join(self.source, "web")],
                                     stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/login")
                c.getresponse().read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("cdr-web exited: see " + self.log_path)
                time.sleep(0.05)
        raise RuntimeError("cdr-web did not answer: see " + self.log_path)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


class Client:
    """One browser: its session cookie, the CSRF token of its last page."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, form=None):
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                text = r.read().decode("utf-8")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for value in r.headers.get_all("Set-Cookie") or []:
            m = re.match(r"(mugaika_session=[^;]*)", value)
            if m:
                self.cookie = m.group(1)
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', text)
        if m:
            self.csrf = m.group(1)
        return r.status, r.headers, text

    def login(self):
        self.request("GET", "/login")
        status, headers, _ = self.request("POST", "/login", {
            "csrf": self.csrf, "user": ADMIN_USER, "password": ADMIN_PASSWORD})
        if status != 303 or not headers.get("Location", "").startswith("/admin"):
            raise RuntimeError(f"login failed: {status}")
