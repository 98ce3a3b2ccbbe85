#!/usr/bin/python3
# gen_tree.py - makes the benchmark inputs in a scratch directory (never committed):
#   DIR/tree/      ~N mixed files in a few folders, like a USB stick or a file share:
#                  40% JPEG photos (1280-1600 px, a few hundred KB, most with camera
#                  EXIF, some with GPS), 20% PNG screenshots, 10% GIFs (some
#                  animated), 20% Japanese text in UTF-8/Shift_JIS/EUC-JP/ISO-2022-JP/
#                  UTF-16, 10% CSV (some with formula cells)
#   DIR/jpeg-set/  hard links to the tree's JPEGs (per-format throughput, jpegtran)
#   DIR/png-set/   hard links to the tree's PNGs
# Deterministic (fixed seed), so every run measures the same bytes.
# Usage: gen_tree.py DIR [--files N]
import argparse
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                                "gen"))
from PIL import Image, ImageDraw  # noqa: E402

from fixturelib import photo, jis_from_cp932  # noqa: E402
from make_jpeg import camera_exif  # noqa: E402

FOLDERS = ["", "写真/2024", "写真/2024/運動会", "資料", "資料/会議", "スクリーンショット", "data"]

PHRASES = ["本日の会議では、来年度の予算案について議論しました。",
           "住民サービスの向上に向けて、窓口業務の見直しを進めます。",
           "①申請書の受付 ②内容の確認 ③決裁 の順に処理します。",
           "詳細は総務課（内線1234）までお問い合わせください。",
           "令和6年4月1日から新しい手続きが始まります。",
           "表計算ソフトの能力を活かして集計作業を効率化します。",
           "Please find the attached minutes of the meeting.",
           "㈱山田システムとの保守契約を更新しました。"]


def screenshot(w, h, r):
    im = Image.new("RGB", (w, h), (245, 245, 245))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, w, 28), fill=(30, 80, 150))
    d.rectangle((0, 28, 220, h), fill=(225, 228, 232))
    for i in range(r.randrange(20, 45)):
        y = 40 + i * 16
        if y > h - 20:
            break
        words = "".join(r.choice("abcdefghijklmnopqrstuvwxyz      0123456789")
                        for _ in range(r.randrange(20, 90)))
        d.text((240, y), words, fill=(20, 20, 20))
        d.text((10, y), "Menu item %d" % i, fill=(60, 60, 60))
    for _ in range(3):
        x, y = r.randrange(240, w - 200), r.randrange(40, h - 120)
        d.rectangle((x, y, x + r.randrange(80, 200), y + r.randrange(40, 120)),
                    fill=(r.randrange(256), r.randrange(256), r.randrange(256)))
    return im


def gif_file(r, path):
    if r.random() < 0.5:
        frames = []
        for i in range(r.randrange(3, 7)):
            im = Image.new("P", (160, 120), 0)
            im.putpalette([r.randrange(256) for _ in range(48)] + [0] * (768 - 48))
            d = ImageDraw.Draw(im)
            for k in range(8):
                x, y = r.randrange(150), r.randrange(110)
                d.ellipse((x, y, x + 20, y + 20), fill=1 + (i + k) % 15)
            frames.append(im)
        frames[0].save(path, "GIF", save_all=True, append_images=frames[1:],
                       duration=[r.choice((50, 100, 200)) for _ in frames], loop=0)
    else:
        im = Image.linear_gradient("L").resize((r.randrange(100, 300), r.randrange(60, 200)))
        im.convert("P").save(path, "GIF")


def text_bytes(r, kind):
    lines = [r.choice(PHRASES) for _ in range(r.randrange(20, 600))]
    s = "\r\n".join(lines) + "\r\n"
    if kind == "utf-8":
        return s.encode("utf-8")
    if kind == "cp932":
        return s.encode("cp932")
    if kind == "euc-jp":
        return s.replace("①", "(1)").replace("②", "(2)").replace("③", "(3)") \
            .replace("㈱", "(株)").encode("euc-jp")
    if kind == "iso-2022-jp":
        return jis_from_cp932(s)
    return b"\xff\xfe" + s.encode("utf-16-le")


def csv_bytes(r):
    rows = ["氏名,所属,電話,金額,備考"]
    n = r.randrange(20, 800)
    formula_row = r.randrange(n) if r.random() < 0.2 else -1  # one file in five
    for i in range(n):
        note = r.choice(["", "確認済", "-5", "+81-3-1234-5678", "要連絡"])
        if i == formula_row:
            note = "=HYPERLINK(\"http://example.invalid/\",\"詳細\")"
        rows.append("職員%04d,総務課,03-%04d-%04d,%d,%s" % (i, r.randrange(10000),
                                                      r.randrange(10000), r.randrange(-9999, 99999),
                                                      note))
    s = "\r\n".join(rows) + "\r\n"
    return s.encode(r.choice(["utf-8", "cp932"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=1000)
    a = ap.parse_args()
    r = random.Random(20240401)
    tree = os.path.join(a.dir, "tree")
    for f in FOLDERS:
        os.makedirs(os.path.join(tree, f), exist_ok=True)
    for s in ("jpeg-set", "png-set"):
        os.makedirs(os.path.join(a.dir, s), exist_ok=True)

    bases = [photo(2000, 1500, seed=1000 + i) for i in range(4)]
    n_jpeg, n_png, n_gif, n_text = (int(a.files * p) for p in (0.4, 0.2, 0.1, 0.2))
    n_csv = a.files - n_jpeg - n_png - n_gif - n_text
    total = 0

    def place(name, sub=None):
        folder = sub if sub is not None else r.choice(FOLDERS)
        return os.path.join(tree, folder, name)

    for i in range(n_jpeg):
        w, h = r.choice(((1600, 1200), (1440, 1080), (1280, 960)))
        b = bases[i % len(bases)]
        x, y = r.randrange(b.width - w), r.randrange(b.height - h)
        im = b.crop((x, y, x + w, y + h))
        p = place("IMG_%04d.jpg" % (1000 + i), r.choice(FOLDERS[1:3]))
        kw = {"quality": r.randrange(85, 95)}
        if r.random() < 0.8:
            kw["exif"] = camera_exif(orientation=r.choice((None, 1, 6, 8)), gps=r.random() < 0.3)
        if r.random() < 0.15:
            kw["progressive"] = True
        im.save(p, "JPEG", **kw)
        os.link(p, os.path.join(a.dir, "jpeg-set", os.path.basename(p)))
        total += os.path.getsize(p)
    for i in range(n_png):
        p = place("スクリーンショット %03d.png" % i, r.choice(("スクリーンショット", "資料")))
        screenshot(*r.choice(((1280, 800), (1024, 768), (1366, 768))), r).save(p, "PNG")
        os.link(p, os.path.join(a.dir, "png-set", "%03d.png" % i))
        total += os.path.getsize(p)
    for i in range(n_gif):
        p = place("anime_%03d.gif" % i)
        gif_file(r, p)
        total += os.path.getsize(p)
    kinds = ["utf-8", "cp932", "euc-jp", "iso-2022-jp", "utf-16"]
    for i in range(n_text):
        p = place("メモ_%03d.txt" % i)
        with open(p, "wb") as f:
            f.write(text_bytes(r, kinds[i % len(kinds)]))
        total += os.path.getsize(p)
    for i in range(n_csv):
        p = place("名簿_%03d.csv" % i, "data")
        with open(p, "wb") as f:
            f.write(csv_bytes(r))
        total += os.path.getsize(p)
    print("tree: %d files, %.1f MB (jpeg %d, png %d, gif %d, text %d, csv %d)" %
          (a.files, total / 1e6, n_jpeg, n_png, n_gif, n_text, n_csv))


if __name__ == "__main__":
    main()
