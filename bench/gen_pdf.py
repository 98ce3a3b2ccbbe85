#!/usr/bin/python3
# gen_pdf.py - the PDF benchmark inputs for bench/pdf.sh, in a scratch directory
# (never committed):
#   DIR/report.pdf  a ~100-page text report: standard Helvetica (not embedded),
#                   headings, a rule and a bar chart or table grid of lines and
#                   rectangles on every page, an outline (chapters and pages),
#                   internal and URI link annotations, Flate content streams,
#                   object streams (as current office suites write them)
#   DIR/scan.pdf    a 50-page "scanned" document: one full-page 1700x2200
#                   grayscale JPEG per page (paper noise, dark text-like marks,
#                   a stamp), quality 75, DCTDecode; ~26 MB
#   DIR/form.pdf    an AcroForm over 3 pages: 40 text fields and 12 checkboxes,
#                   every widget with its appearance streams
#   DIR/small/      20 small letters and notices of 1-3 pages (per-file overhead)
# Deterministic (fixed seed; every file is saved with a fixed /ID), so
# every run measures the same bytes.
# Usage: gen_pdf.py DIR [--report-pages N] [--scan-pages N] [--small N]
import argparse
import io
import os
import random
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image, ImageDraw, ImageFilter

W, H = 612, 792  # US Letter, points

WORDS = ("the of and to in is for that on with as by this are be from at or an it "
         "which budget review office service municipal network policy committee "
         "report annual planning resident application procedure department system "
         "security information document approval schedule contract maintenance "
         "quarterly analysis result figure table section appendix summary data "
         "request record period transfer training support operation").split()


def sentence(r, n):
    s = " ".join(r.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def pdf_str(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def flate_stream(pdf, data, **kw):
    """A content or form stream, compressed as producers write it."""
    return pikepdf.Stream(pdf, zlib.compress(data, 6), Filter=Name.FlateDecode, **kw)


def helvetica(pdf, base="/Helvetica"):
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name(base), Encoding=Name.WinAnsiEncoding))


def info(pdf, title):
    pdf.docinfo[Name.Title] = title
    pdf.docinfo[Name.Author] = "Somchai Tanaka"
    pdf.docinfo[Name.Creator] = "Writer"
    pdf.docinfo[Name.Producer] = "LibreOffice 7.4"
    pdf.docinfo[Name.CreationDate] = "D:20240401093000+09'00'"
    pdf.docinfo[Name.ModDate] = "D:20240402101500+09'00'"


def save(pdf, path, objstm=False):
    pdf.save(path, compress_streams=True, static_id=True,
             object_stream_mode=(pikepdf.ObjectStreamMode.generate if objstm
                                 else pikepdf.ObjectStreamMode.disable))


# --- (a) the text report -------------------------------------------------------

def report_page(r, n, chapter):
    ops = []
    y = H - 72
    if n % 10 == 0:
        ops.append("BT /F2 20 Tf 72 %d Td (Chapter %d: %s) Tj ET" %
                   (y, chapter, pdf_str(sentence(r, 3)[:-1].title())))
        y -= 14
        ops.append("0.2 0.3 0.6 RG 1.5 w 72 %d m %d %d l S" % (y, W - 72, y))
        y -= 26
    else:
        ops.append("BT /F2 13 Tf 72 %d Td (%d.%d %s) Tj ET" %
                   (y, chapter, n % 10, pdf_str(sentence(r, 4)[:-1].title())))
        y -= 24
    # Body text: one BT block per paragraph, leading 13 pt, lines of ~95 chars.
    while True:  # leave room for the figure (175 pt) above the footer
        lines = [sentence(r, r.randint(12, 15))[:90] for _ in range(r.randint(4, 8))]
        if y - 13 * len(lines) - 10 < 250:
            break
        ops.append("BT /F1 10 Tf 13 TL 72 %d Td" % y)
        ops.extend("(%s) '" % pdf_str(t) for t in lines)
        ops.append("ET")
        y -= 13 * len(lines) + 10
    # A figure: bars or a table grid, in lines and rectangles.
    top = y - 10
    if n % 2:
        ops.append("0 0 0 RG 0.5 w 90 %d m 90 %d l %d %d l S" % (top, top - 160, W - 90, top - 160))
        for i in range(12):
            h = r.randint(20, 150)
            ops.append("%.2f %.2f %.2f rg %d %d 28 %d re f" %
                       (0.2 + i / 30, 0.4, 0.7 - i / 40, 100 + i * 36, top - 160, h))
        ops.append("BT /F1 8 Tf 100 %d Td (Figure %d.%d: %s) Tj ET" %
                   (top - 175, chapter, n % 10, pdf_str(sentence(r, 6))))
    else:
        ops.append("0.5 w 0 0 0 RG")
        for row in range(9):
            ops.append("72 %d m %d %d l S" % (top - row * 18, W - 72, top - row * 18))
        for col in range(5):
            x = 72 + col * (W - 144) // 4
            ops.append("%d %d m %d %d l S" % (x, top, x, top - 144))
        for row in range(8):
            cells = ["%s %d" % (r.choice(WORDS), r.randint(1, 9999)) for _ in range(4)]
            ops.append("BT /F1 8 Tf %s ET" % " ".join(
                "1 0 0 1 %d %d Tm (%s) Tj" % (76 + c * (W - 144) // 4, top - 13 - row * 18,
                                             pdf_str(t)) for c, t in enumerate(cells)))
    ops.append("BT /F1 8 Tf 290 40 Td (- %d -) Tj ET" % (n + 1))
    ops.append("BT /F1 9 Tf 0 0 1 rg 72 56 Td (See also: section %d and https://example.jp/"
               "reports/%d) Tj ET" % (r.randint(1, 9), n))
    return "\n".join(ops).encode("latin-1")


def make_report(path, pages, r):
    pdf = pikepdf.new()
    info(pdf, "Annual report of the information systems department")
    f1, f2 = helvetica(pdf), helvetica(pdf, "/Helvetica-Bold")
    res = Dictionary(Font=Dictionary(F1=f1, F2=f2), ProcSet=Array([Name.PDF, Name.Text]))
    for n in range(pages):
        page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, W, H]),
                                       Resources=res,
                                       Contents=flate_stream(pdf, report_page(r, n, n // 10 + 1))))
        pdf.pages.append(page)
    for n, page in enumerate(pdf.pages):
        annots = Array()
        target = pdf.pages[r.randrange(pages)]
        annots.append(pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([160, 53, 215, 65]),
            Border=Array([0, 0, 0]), Dest=Array([target.obj, Name.XYZ, 0, H, 0]))))
        annots.append(pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([225, 53, 380, 65]),
            Border=Array([0, 0, 0]),
            A=Dictionary(S=Name.URI, URI=String("https://example.jp/reports/%d" % n)))))
        page.obj.Annots = annots
    with pdf.open_outline() as outline:
        for c in range(0, pages, 10):
            item = pikepdf.OutlineItem("Chapter %d" % (c // 10 + 1), c)
            item.children.extend(pikepdf.OutlineItem("Section %d.%d" % (c // 10 + 1, k), c + k)
                                 for k in range(1, min(10, pages - c)))
            outline.root.append(item)
    save(pdf, path, objstm=True)


# --- (b) the scanned document -------------------------------------------------

def scan_image(r, n, w=1700, h=2200):
    # Paper: light gray with sensor noise (what makes scans large).
    noise = Image.frombytes("L", (w, h), r.randbytes(w * h))
    im = noise.point(lambda v: 210 + v * 40 // 256)
    d = ImageDraw.Draw(im)
    y = 200
    d.rectangle((200, y, 200 + r.randint(500, 900), y + 40), fill=40)  # title
    y += 120
    while y < h - 300:
        x = 200
        end = w - 200 if r.random() > 0.15 else r.randint(600, w - 300)
        while x < end:  # a line of "words"
            wl = r.randint(30, 140)
            d.rectangle((x, y, min(x + wl, end), y + 18), fill=r.randint(20, 70))
            x += wl + r.randint(14, 22)
        y += 42 if r.random() > 0.1 else 90
    if n % 3 == 0:  # a round seal, as on Japanese paperwork
        cx, cy = r.randint(1100, 1400), r.randint(1700, 1900)
        d.ellipse((cx - 110, cy - 110, cx + 110, cy + 110), outline=90, width=10)
    im = im.filter(ImageFilter.GaussianBlur(0.6)).rotate(r.uniform(-0.6, 0.6), fillcolor=235)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=75, dpi=(200, 200))
    return buf.getvalue(), w, h


def make_scan(path, pages, r):
    pdf = pikepdf.new()
    info(pdf, "Scanned document")
    pdf.docinfo[Name.Creator] = "ScanSnap Manager"
    for n in range(pages):
        data, w, h = scan_image(r, n)
        img = pikepdf.Stream(pdf, data, Type=Name.XObject, Subtype=Name.Image, Width=w,
                             Height=h, ColorSpace=Name.DeviceGray, BitsPerComponent=8,
                             Filter=Name.DCTDecode)
        content = pikepdf.Stream(pdf, b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (W, H))
        pdf.pages.append(pikepdf.Page(Dictionary(
            Type=Name.Page, MediaBox=Array([0, 0, W, H]), Contents=content,
            Resources=Dictionary(XObject=Dictionary(Im0=img)))))
    save(pdf, path)


# --- (c) the form -------------------------------------------------------------

def make_form(path, pages, text_fields, checkboxes, r):
    pdf = pikepdf.new()
    info(pdf, "Application for a residence certificate")
    helv = helvetica(pdf)
    zadb = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.ZapfDingbats))
    dr = Dictionary(Font=Dictionary(Helv=helv, ZaDb=zadb))
    fields = Array()
    per_page_tx = -(-text_fields // pages)
    per_page_cb = -(-checkboxes // pages)
    tx_n = cb_n = 0
    for p in range(pages):
        ops = ["BT /Helv 16 Tf 72 740 Td (Application form, part %d) Tj ET" % (p + 1),
               "0.5 w 72 730 m 540 730 l S"]
        annots = Array()
        y = 700
        for _ in range(per_page_tx):
            if tx_n == text_fields:
                break
            tx_n += 1
            label = "%s %d" % (r.choice(WORDS).title(), tx_n)
            value = sentence(r, r.randint(1, 3))[:-1]
            ops.append("BT /Helv 10 Tf 72 %d Td (%s) Tj ET" % (y + 5, pdf_str(label)))
            ap = flate_stream(pdf, ("/Tx BMC q BT /Helv 10 Tf 0 g 2 5 Td (%s) Tj ET Q EMC" %
                                    pdf_str(value)).encode("latin-1"),
                              Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 300, 18]),
                              Resources=Dictionary(Font=Dictionary(Helv=helv)))
            w = pdf.make_indirect(Dictionary(
                Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("field%d" % tx_n),
                TU=String(label), V=String(value), DA=String("/Helv 10 Tf 0 g"), F=4,
                Rect=Array([220, y, 520, y + 18]), MK=Dictionary(BC=Array([0]), BG=Array([1])),
                AP=Dictionary(N=ap)))
            annots.append(w)
            fields.append(w)
            y -= 30
        y -= 10
        for _ in range(per_page_cb):
            if cb_n == checkboxes:
                break
            cb_n += 1
            on = r.random() < 0.5
            yes = flate_stream(pdf, b"q 0 g BT /ZaDb 12 Tf 2 3 Td (4) Tj ET Q",
                               Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 14, 14]),
                               Resources=Dictionary(Font=Dictionary(ZaDb=zadb)))
            off = flate_stream(pdf, b"", Type=Name.XObject, Subtype=Name.Form,
                               BBox=Array([0, 0, 14, 14]))
            ops.append("BT /Helv 10 Tf 95 %d Td (%s) Tj ET" %
                       (y + 3, pdf_str(sentence(r, 5))))
            ops.append("0.5 w 72 %d 14 14 re S" % y)
            w = pdf.make_indirect(Dictionary(
                Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, T=String("check%d" % cb_n),
                V=Name.Yes if on else Name.Off, AS=Name.Yes if on else Name.Off, F=4,
                DA=String("/ZaDb 12 Tf 0 g"), Rect=Array([72, y, 86, y + 14]),
                MK=Dictionary(CA=String("4")), AP=Dictionary(N=Dictionary(Yes=yes, Off=off))))
            annots.append(w)
            fields.append(w)
            y -= 24
        page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, W, H]),
                                       Resources=Dictionary(Font=Dictionary(Helv=helv)),
                                       Contents=flate_stream(pdf, "\n".join(ops).encode("latin-1")),
                                       Annots=annots))
        pdf.pages.append(page)
        for a in annots:
            a.P = pdf.pages[p].obj
    pdf.Root.AcroForm = Dictionary(Fields=fields, DR=dr, DA=String("/Helv 0 Tf 0 g"),
                                   NeedAppearances=False)
    save(pdf, path)


# --- (d) small files ------------------------------------------------------------

def make_small(path, r, i):
    pdf = pikepdf.new()
    info(pdf, "Notice %d" % i)
    f1 = helvetica(pdf)
    for p in range(r.randint(1, 3)):
        ops = ["BT /F1 14 Tf 72 720 Td (Notice %d, page %d) Tj ET" % (i, p + 1),
               "0.8 0.1 0.1 RG 2 w 72 705 m 300 705 l S"]
        ops.append("BT /F1 10 Tf 13 TL 72 680 Td")
        ops.extend("(%s) '" % pdf_str(sentence(r, r.randint(10, 14))[:90])
                   for _ in range(r.randint(10, 35)))
        ops.append("ET 0.9 0.9 0.95 rg 72 100 200 60 re f")
        pdf.pages.append(pikepdf.Page(Dictionary(
            Type=Name.Page, MediaBox=Array([0, 0, W, H]),
            Resources=Dictionary(Font=Dictionary(F1=f1)),
            Contents=flate_stream(pdf, "\n".join(ops).encode("latin-1")))))
    if i % 4 == 0:  # a letterhead logo on some
        im = Image.new("RGB", (160, 60), (30, 80, 150))
        ImageDraw.Draw(im).ellipse((10, 10, 50, 50), fill=(250, 200, 0))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        logo = pikepdf.Stream(pdf, buf.getvalue(), Type=Name.XObject, Subtype=Name.Image,
                              Width=160, Height=60, ColorSpace=Name.DeviceRGB,
                              BitsPerComponent=8, Filter=Name.DCTDecode)
        pg = pdf.pages[0]
        pg.obj.Resources.XObject = Dictionary(Logo=logo)
        pg.contents_add(pikepdf.Stream(pdf, b"q 120 0 0 45 420 720 cm /Logo Do Q"))
    save(pdf, path, objstm=(i % 2 == 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--report-pages", type=int, default=100)
    ap.add_argument("--scan-pages", type=int, default=50)
    ap.add_argument("--small", type=int, default=20)
    a = ap.parse_args()
    os.makedirs(os.path.join(a.dir, "small"), exist_ok=True)
    make_report(os.path.join(a.dir, "report.pdf"), a.report_pages, random.Random(1))
    make_scan(os.path.join(a.dir, "scan.pdf"), a.scan_pages, random.Random(2))
    make_form(os.path.join(a.dir, "form.pdf"), 3, 40, 12, random.Random(3))
    r = random.Random(4)
    for i in range(a.small):
        make_small(os.path.join(a.dir, "small", "notice-%02d.pdf" % (i + 1)), r, i + 1)


if __name__ == "__main__":
    main()
