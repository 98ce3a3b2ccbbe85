#!/usr/bin/python3
# gen_mail.py - a corpus of typical mail for bench/mail.sh: small plain
# Japanese notes (ISO-2022-JP), HTML newsletters (multipart/alternative,
# UTF-8 quoted-printable), Shift_JIS mail with a small attachment, and a few
# 5 MB messages with attachments. Fixed seed; nothing is committed.
# Usage: gen_mail.py DIR [--messages N]
import argparse, base64, os, random
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header

JA = "お世話になっております。来週の会議資料を送付いたします。ご確認のほどよろしくお願いいたします。①②③㈱"


def plain(i):
    body = (JA + "\n") * random.randint(3, 30)
    m = MIMEText(body.replace("①②③㈱", ""), "plain", "iso-2022-jp")
    m["Subject"] = Header(f"会議のご案内 {i}", "iso-2022-jp")
    return m


def newsletter(i):
    m = MIMEMultipart("alternative")
    m["Subject"] = Header(f"メールマガジン 第{i}号", "utf-8")
    rows = "".join(f"<tr><td>品目{k}</td><td>{k * 100}円</td></tr>" for k in range(20))
    html = (f"<html><head><style>p{{color:red}}</style></head><body><h1>お知らせ</h1>"
            f"<p>{JA}</p><table>{rows}</table><ul><li>一</li><li>二</li></ul>"
            f"<a href='https://example.jp/{i}'>詳しくはこちら</a><img src='x.png' alt='ロゴ'>"
            f"<div style='display:none'>hidden</div></body></html>")
    m.attach(MIMEText("", "plain", "utf-8"))
    m.attach(MIMEText(html * 3, "html", "utf-8"))
    return m


def with_attachment(i, size):
    m = MIMEMultipart("mixed")
    m["Subject"] = Header(f"資料送付 {i}", "shift_jis")
    m.attach(MIMEText(JA.replace("①②③㈱", "") * 3, "plain", "shift_jis"))
    a = MIMEApplication(random.randbytes(size), "octet-stream")
    a.add_header("Content-Disposition", "attachment", filename=("utf-8", "", f"見積書{i}.xlsm"))
    m.attach(a)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--messages", type=int, default=1000)
    args = ap.parse_args()
    random.seed(1)
    os.makedirs(args.dir, exist_ok=True)
    for i in range(args.messages):
        kind = i % 10
        if i % 250 == 249:
            m = with_attachment(i, 5 * 1024 * 1024)
        elif kind < 5:
            m = plain(i)
        elif kind < 8:
            m = newsletter(i)
        else:
            m = with_attachment(i, 20 * 1024)
        m["From"] = Header("山田 太郎", "iso-2022-jp").encode() + " <yamada@example.jp>"
        m["To"] = "soumu@city.example.lg.jp"
        m["Message-ID"] = f"<{i}@example.jp>"
        with open(os.path.join(args.dir, f"{i:05d}.eml"), "wb") as f:
            f.write(m.as_bytes().replace(b"\n", b"\r\n"))


main()
