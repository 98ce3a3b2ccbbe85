#!/usr/bin/python3
# gen_images2.py OUTDIR [N] - the image sample set of bench/images2.sh, fixed seed:
# per kind N files (default 8) in OUTDIR/<kind>/:
#   tiff-fax   3-page A4 faxes, 1728x2292 bilevel, CCITT G4, 204x196 dpi
#   tiff-scan  A4 colour scans at 150 dpi (1240x1754), LZW, 300 dpi tag
#   webp       lossy photos 1600x1200 (cwebp-like quality 80)
#   heic       phone photos 1600x1200 (heif-enc -q 60)
#   bmp        24-bit screenshots 1920x1080
#   svg        office drawings: 400 shapes, gradients, Japanese text, a style sheet
import os
import random
import subprocess
import sys
import tempfile

from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_office import photo as office_photo  # noqa: E402


def photo(w, h, r):
    return office_photo(w, h, r.randrange(1 << 30))


def page_of_text(w, h, r, mode="1"):
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    for y in range(120, h - 120, 36):
        x = 100
        while x < w - 200:
            n = r.randrange(20, 120)
            d.rectangle((x, y, x + n, y + 18), fill=0)
            x += n + r.randrange(10, 30)
    return im.convert(mode)


def svg_drawing(r):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           ' width="1000" height="700" viewBox="0 0 1000 700">',
           '<style>.w{fill:#eee;stroke:#333;stroke-width:2}.d{fill:#a52}</style>',
           '<defs><linearGradient id="g"><stop offset="0" stop-color="#9cf"/>'
           '<stop offset="1" stop-color="#fff"/></linearGradient></defs>',
           '<rect width="1000" height="700" fill="url(#g)"/>']
    for i in range(400):
        x, y = r.randrange(950), r.randrange(650)
        if i % 3 == 0:
            out.append('<rect class="w" x="%d" y="%d" width="%d" height="%d"/>'
                       % (x, y, r.randrange(10, 80), r.randrange(10, 60)))
        elif i % 3 == 1:
            out.append('<path d="M%d,%d L%d,%d Q%d,%d %d,%d" stroke="#036" fill="none"/>'
                       % (x, y, x + 30, y + 10, x + 40, y + 40, x + 5, y + 50))
        else:
            out.append('<text x="%d" y="%d" font-size="12">会議室%d</text>' % (x, y, i))
    out.append('</svg>')
    return "\n".join(out).encode("utf-8")


def main():
    outdir, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8
    r = random.Random(19)
    for kind in ("tiff-fax", "tiff-scan", "webp", "heic", "bmp", "svg"):
        os.makedirs(os.path.join(outdir, kind), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            pages = [page_of_text(1728, 2292, r) for _ in range(3)]
            pages[0].save(os.path.join(outdir, "tiff-fax", "fax%02d.tif" % i), compression="group4",
                          save_all=True, append_images=pages[1:], dpi=(204, 196))
            scan = Image.blend(page_of_text(1240, 1754, r, "L").convert("RGB"),
                               photo(1240, 1754, r), 0.15)
            scan.save(os.path.join(outdir, "tiff-scan", "scan%02d.tif" % i),
                      compression="tiff_lzw", dpi=(150, 150))
            p = photo(1600, 1200, r)
            p.save(os.path.join(outdir, "webp", "photo%02d.webp" % i), quality=80)
            src = os.path.join(tmp, "p%d.png" % i)
            p.save(src)
            subprocess.run(["heif-enc", "-q", "60", "-o",
                            os.path.join(outdir, "heic", "IMG_%04d.heic" % i), src],
                           check=True, stdout=subprocess.DEVNULL)
            shot = Image.blend(page_of_text(1920, 1080, r, "L").convert("RGB"),
                               photo(1920, 1080, r), 0.3)
            shot.save(os.path.join(outdir, "bmp", "screen%02d.bmp" % i))
            with open(os.path.join(outdir, "svg", "plan%02d.svg" % i), "wb") as f:
                f.write(svg_drawing(r))


if __name__ == "__main__":
    main()
