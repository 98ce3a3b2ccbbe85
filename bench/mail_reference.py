#!/usr/bin/python3
# mail_reference.py - the reference conversion bench/mail.sh compares with:
# python's email parser plus html.parser, doing the same job in the plainest
# way (decode headers, take the plain or HTML text, drop attachments, write a
# new text/plain message). Usage: mail_reference.py IN_DIR OUT_DIR
import email, email.policy, os, sys
from email.message import EmailMessage
from html.parser import HTMLParser


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in ("p", "div", "br", "tr", "li", "h1", "h2"):
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def convert(path, out_path):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    body = m.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body else ""
    if body is not None and body.get_content_subtype() == "html":
        p = Text()
        p.feed(text)
        text = "".join(p.out)
    removed = [a.get_filename() for a in m.iter_attachments()]
    out = EmailMessage()
    for h in ("From", "To", "Subject", "Date", "Message-ID"):
        if m[h]:
            out[h] = str(m[h])
    out.set_content("removed: " + ", ".join(map(str, removed)) + "\n\n" + text)
    with open(out_path, "wb") as f:
        f.write(out.as_bytes())


src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    convert(os.path.join(src, name), os.path.join(dst, name))
