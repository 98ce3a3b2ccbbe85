#!/usr/bin/python3
# gen_excerpts.py OUTDIR [--messages N] - the mail set of bench/excerpts.sh:
# N messages (fixed seed), 20 % carrying a ~200 KB Japanese PDF (LibreOffice
# pages from fixtures/excerpts/src/long-ja.pdf, joined with qpdf to 20
# pages), 10 % a Japanese docx, the rest plain ISO-2022-JP notes. Nothing is
# committed: the script writes into OUTDIR.
import argparse
import os
import random
import subprocess
import sys
import tempfile
from email.message import EmailMessage
import email.policy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures", "gen"))
import make_excerpts  # noqa: E402

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def big_pdf():
    src = os.path.join(HERE, "..", "fixtures", "excerpts", "src", "long-ja.pdf")
    with tempfile.TemporaryDirectory() as d:
        # ten files, not one ten times: qpdf would share the fonts of one
        copies = []
        for k in range(10):
            copies.append(os.path.join(d, "part%d.pdf" % k))
            with open(copies[-1], "wb") as f:
                f.write(open(src, "rb").read())
        out = os.path.join(d, "big.pdf")
        subprocess.run(["qpdf", "--empty", "--pages"] + copies + ["--", out], check=True)
        return open(out, "rb").read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--messages", type=int, default=500)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(17)
    pdf = big_pdf()
    docx = make_excerpts.docx([make_excerpts.p(make_excerpts.run(t))
                               for t in make_excerpts.LONG[:20]])
    body = "各位\n\n来週の会議資料を送付します。ご確認ください。\n" * 5
    kinds = {"pdf": 0, "docx": 0, "text": 0}
    for i in range(a.messages):
        m = EmailMessage(policy=email.policy.SMTP)
        m["From"] = "sender%d@example.jp" % i
        m["To"] = "soumu@city.example.lg.jp"
        m["Subject"] = "会議資料 %d" % i
        m.set_content(body, charset="iso-2022-jp")
        r = rnd.random()
        if r < 0.2:
            m.add_attachment(pdf, maintype="application", subtype="pdf", filename="資料%d.pdf" % i)
            kinds["pdf"] += 1
        elif r < 0.3:
            maintype, subtype = DOCX.split("/")
            m.add_attachment(docx, maintype=maintype, subtype=subtype,
                             filename="議事録%d.docx" % i)
            kinds["docx"] += 1
        else:
            kinds["text"] += 1
        with open(os.path.join(a.out, "m%05d.eml" % i), "wb") as f:
            f.write(m.as_bytes())
    print("excerpt corpus: %d messages (%d with a %d KB PDF, %d with a docx, %d text only)"
          % (a.messages, kinds["pdf"], len(pdf) // 1024, kinds["docx"], kinds["text"]))


if __name__ == "__main__":
    main()
