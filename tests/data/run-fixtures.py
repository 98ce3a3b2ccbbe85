#!/usr/bin/python3
# run-fixtures.py - the data-driven test: every fixture in fixtures/*/manifest.json
# goes through `cdr-file -c -n NAME -r REPORT`, and the result is judged against
# the manifest (exit status, verdict, error kind, actions, strings that must be
# absent or present) and then by INDEPENDENT readers, never by mugaika's own
# code: PIL decodes images (same size, mode and pixels; GIF frames, delays and
# loop; EXIF holds only the orientation), a small zlib-based PNG reader written
# here compares samples at full bit depth (PIL reduces 16-bit RGB), byte walkers
# here list the JPEG markers, PNG chunks and GIF blocks left in the output, and
# Python's csv module re-reads CSV cells. Finally the output goes through
# cdr-file again and must come back byte-identical with verdict "clean".
#
# Usage: run-fixtures.py CDR_FILE [--fixtures DIR] [--only SUBSTRING]... [--format F]... [--skip-format F]...
# Format-specific checks may live in tests/data/checks_<name>.py (see load_check_modules).
# Output: TAP (one test point per fixture result and per check). Exit 0 only
# when every point is ok. Manifest format: fixtures/README.md.
import argparse
import csv
import glob
import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
import zlib

try:
    from PIL import Image
except ImportError:  # the image checks then fail with a clear diagnostic
    Image = None

ACTIONS = {"metadata", "comment", "trailing-data", "csv-formula", "color-profile", "renamed"}
# mail (mime handler); documented in mugaika(7)
ACTIONS |= {"attachment", "html-converted", "header", "signature", "encrypted-part",
            "unsupported-part", "ambiguous-mime"}
# mail text mode: a removed attachment's text shown (issue 17); mugaika(7)
ACTIONS |= {"attachment-text", "links-styled"}
# PDF (pdf handler); documented in mugaika(7)
ACTIONS |= {"member-removed"}
ACTIONS |= {"javascript", "auto-action", "action", "embedded-object", "multimedia", "xfa",
            "external-link", "encryption", "repaired", "leading-data"}
# archives (archive handler); documented in mugaika(7)
ACTIONS |= {"unsafe-name", "duplicate-name", "link", "special-file"}
# Office documents (ooxml, ole2, rtf handlers); documented in mugaika(7)
ACTIONS |= {"macro", "activex", "external-reference", "data-connection", "field", "add-in",
            "printer-settings", "font", "media-replaced", "macro-free-type"}
# images (bmp, tiff, webp, heif, svg handlers); documented in mugaika(7)
ACTIONS |= {"extra-image"}
TIMEOUT = 120


class CheckFailed(Exception):
    pass


class Skip(Exception):
    pass


def fail(msg, *args):
    raise CheckFailed(msg % args if args else msg)


def alternatives(spec):
    return set(spec.split("|")) if spec else set()


# ------------------------------------------------------------------ running

def cdr_args(e, tmpdir):
    """A manifest entry's further cdr-file arguments: "config" (mugaika.conf
    text, written to a file for -C) and "args" ({dir}: the entry's folder)."""
    args = []
    if e.get("config") is not None:
        path = os.path.join(tmpdir, "mugaika.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(e["config"])
        args += ["-C", path]
    return args + [a.replace("{dir}", e["_dir"]) for a in e.get("args", [])]


def names_handler(e):
    """cdr-file -m and -a name the handler: the report has no `detected` then."""
    return any(a in ("-m", "--mail-build", "-a", "--as") or a.startswith("--mail-build=") or
               a.startswith("--as=") for a in e.get("args", []))


def run_cdr(cdr, name, data, tmpdir, extra=()):
    report = os.path.join(tmpdir, "report.jsonl")
    if os.path.exists(report):
        os.unlink(report)
    try:
        p = subprocess.run([cdr, "-c", "-n", name, "-r", report] + list(extra), input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout after %ds" % TIMEOUT, []
    records = []
    if os.path.exists(report):
        with open(report, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        records.append(json.loads(line))
                    except ValueError as x:
                        try:  # keep going, but flag it: the report must be valid JSON
                            rec = json.loads(line, strict=False)
                        except ValueError:
                            rec = {}
                        rec["_invalid_json"] = str(x)
                        records.append(rec)
    return p.returncode, p.stdout, p.stderr, records


# ------------------------------------------------------------------ readers

def pil_open(data, is_input=False):
    """Open with PIL. Inputs are our own fixtures, some built to trip safety
    limits (a zTXt bomb): for them PIL's text-chunk limit is raised so the
    pixels can be compared; outputs are read with PIL's defaults."""
    if Image is None:
        fail("PIL is not available to this interpreter (use /usr/bin/python3)")
    from PIL import PngImagePlugin
    saved = PngImagePlugin.MAX_TEXT_CHUNK
    if is_input:
        PngImagePlugin.MAX_TEXT_CHUNK = 1 << 28
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    finally:
        PngImagePlugin.MAX_TEXT_CHUNK = saved
    return im


def pixels_of(im):
    if im.mode in ("P", "PA"):
        return im.convert("RGBA").tobytes()
    return im.tobytes()


PNG_SIG = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
         (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png_chunks(data):
    """[(type, payload)] up to IEND, and the offset after IEND (None if absent)."""
    if not data.startswith(PNG_SIG):
        fail("not a PNG (signature)")
    pos = 8
    chunks = []
    while pos + 12 <= len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        ctype = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            fail("PNG chunk %r runs past the end", ctype)
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if crc != zlib.crc32(ctype + body) & 0xffffffff:
            fail("PNG chunk %r has a bad CRC", ctype)
        chunks.append((ctype.decode("latin-1"), body))
        pos += 12 + n
        if ctype == b"IEND":
            return chunks, pos
    return chunks, None


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(ft, line, prev, bpp):
    n = len(line)
    if ft == 0:
        return
    if ft == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 0xff
    elif ft == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 0xff
    elif ft == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
    elif ft == 4:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            ul = prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _paeth(left, prev[i], ul)) & 0xff
    else:
        fail("PNG filter type %d", ft)


def _samples(line, depth, count):
    if depth == 8:
        return list(line[:count])
    if depth == 16:
        return [line[2 * i] << 8 | line[2 * i + 1] for i in range(count)]
    per = 8 // depth
    mask = (1 << depth) - 1
    out = []
    for i in range(count):
        byte = line[i // per]
        out.append((byte >> (8 - depth * (i % per + 1))) & mask)
    return out


def png_decode(data, strict=True):
    """Independent PNG decoder: (w, h, value_depth, [RGBA tuples row-major]).

    strict: a palette index past the PLTE fails (outputs); otherwise such a
    pixel reads as opaque black (inputs, which may be hostile)."""
    chunks, _ = png_chunks(data)
    if not chunks or chunks[0][0] != "IHDR":
        fail("PNG does not start with IHDR")
    w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", chunks[0][1])
    plte = b"".join(b for t, b in chunks if t == "PLTE")
    trns = b"".join(b for t, b in chunks if t == "tRNS")
    raw = zlib.decompress(b"".join(b for t, b in chunks if t == "IDAT"))
    ch = CHANNELS[ctype]
    bits = ch * depth
    bpp = max(1, bits // 8)
    px = [None] * (w * h)
    off = 0
    for (x0, y0, dx, dy) in (ADAM7 if inter else ((0, 0, 1, 1),)):
        pw = (w - x0 + dx - 1) // dx if x0 < w else 0
        ph = (h - y0 + dy - 1) // dy if y0 < h else 0
        if not pw or not ph:
            continue
        stride = (pw * bits + 7) // 8
        prev = bytearray(stride)
        for r in range(ph):
            if off + 1 + stride > len(raw):
                fail("PNG image data too short")
            line = bytearray(raw[off + 1:off + 1 + stride])
            _unfilter(raw[off], line, prev, bpp)
            off += 1 + stride
            s = _samples(line, depth, pw * ch)
            y = y0 + r * dy
            for i in range(pw):
                px[y * w + x0 + i * dx] = tuple(s[i * ch:(i + 1) * ch])
            prev = line
    top = (1 << depth) - 1
    out = []
    if ctype == 3:
        pal = [tuple(plte[i:i + 3]) for i in range(0, len(plte), 3)]
        for (i,) in px:
            if i >= len(pal):
                if strict:
                    fail("palette index %d past the %d-entry PLTE", i, len(pal))
                out.append((0, 0, 0, 255))
                continue
            a = trns[i] if i < len(trns) else 255
            out.append(pal[i] + (a,))
        return w, h, 8, out
    key = None
    if trns and ctype == 0:
        key = struct.unpack(">H", trns[:2])
    elif trns and ctype == 2:
        key = struct.unpack(">HHH", trns[:6])
    for p in px:
        if ctype == 0:
            out.append((p[0], p[0], p[0], 0 if key == p else top))
        elif ctype == 2:
            out.append(p + (0 if key == p else top,))
        elif ctype == 4:
            out.append((p[0], p[0], p[0], p[1]))
        else:
            out.append(p)
    return w, h, depth, out


def jpeg_walk(data):
    """[(marker, payload)] of the marker segments, and the offset after EOI."""
    if not data.startswith(b"\xff\xd8"):
        fail("not a JPEG (no SOI)")
    pos = 2
    segs = []
    n = len(data)
    while pos + 1 < n:
        if data[pos] != 0xff:
            fail("JPEG: expected a marker at offset %d", pos)
        while pos + 1 < n and data[pos + 1] == 0xff:
            pos += 1
        m = data[pos + 1]
        if m == 0xd9:
            segs.append((m, b""))
            return segs, pos + 2
        if 0xd0 <= m <= 0xd7 or m == 0x01:
            segs.append((m, b""))
            pos += 2
            continue
        if pos + 4 > n:
            fail("JPEG: truncated marker")
        ln, = struct.unpack(">H", data[pos + 2:pos + 4])
        if ln < 2 or pos + 2 + ln > n:
            fail("JPEG: segment %02X has a bad length", m)
        segs.append((m, data[pos + 4:pos + 2 + ln]))
        pos += 2 + ln
        if m == 0xda:
            while pos + 1 < n and not (data[pos] == 0xff and data[pos + 1] != 0 and
                                       not 0xd0 <= data[pos + 1] <= 0xd7):
                pos += 1
    return segs, None


def gif_walk(data):
    """[(kind, detail)] of the GIF blocks, and the offset after the trailer."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        fail("not a GIF (signature)")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    blocks = []

    def skip_sub(p):
        while True:
            if p >= len(data):
                fail("GIF: sub-blocks run past the end")
            k = data[p]
            p += 1
            if k == 0:
                return p
            p += k

    while pos < len(data):
        b = data[pos]
        if b == 0x3b:
            blocks.append(("trailer", None))
            return blocks, pos + 1
        if b == 0x21:
            label = data[pos + 1]
            if label == 0xff:
                ident = data[pos + 3:pos + 3 + data[pos + 2]]
                blocks.append(("app", ident.decode("latin-1")))
                pos = skip_sub(pos + 3 + data[pos + 2])
            else:
                blocks.append(("ext", label))
                pos = skip_sub(pos + 2)
        elif b == 0x2c:
            blocks.append(("frame", struct.unpack("<HHHH", data[pos + 1:pos + 9])))
            f = data[pos + 9]
            pos += 10 + (3 * (2 << (f & 7)) if f & 0x80 else 0)
            blocks.append(("image", None))
            pos = skip_sub(pos + 1)
        else:
            fail("GIF: unexpected byte %02X at %d", b, pos)
    return blocks, None


# ------------------------------------------------------------------ checks

def kind_of(data):
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data.startswith(PNG_SIG):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return "other"


def check_image_same_pixels(ctx):
    a, b = pil_open(ctx["input"], is_input=True), pil_open(ctx["output"])
    if a.size != b.size:
        fail("size %s became %s", a.size, b.size)
    if a.mode != b.mode:
        fail("mode %s became %s", a.mode, b.mode)
    if pixels_of(a) != pixels_of(b):
        pa, pb = pixels_of(a), pixels_of(b)
        diff = sum(1 for x, y in zip(pa, pb) if x != y)
        fail("pixels differ (%d of %d bytes)", diff, len(pa))


def check_png_samples(ctx):
    b = png_decode(ctx["output"])
    a = png_decode(ctx["input"], strict=False)
    if a[:2] != b[:2]:
        fail("size %s became %s", a[:2], b[:2])
    if a[2] != b[2]:
        fail("sample depth %d became %d", a[2], b[2])
    if a[3] != b[3]:
        diff = sum(1 for x, y in zip(a[3], b[3]) if x != y)
        fail("%d of %d pixels differ at full depth", diff, len(a[3]))


PNG_ALLOWED = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT",
               "pHYs", "bKGD", "acTL", "fcTL", "fdAT"}


def check_png_chunks(ctx):
    chunks, end = png_chunks(ctx["output"])
    types = [t for t, _ in chunks]
    bad = [t for t in types if t not in PNG_ALLOWED]
    if bad:
        fail("output keeps chunks %s", ", ".join(sorted(set(bad))))
    if end != len(ctx["output"]):
        fail("bytes after IEND (or no IEND)")


def check_jpeg_markers(ctx):
    segs, end = jpeg_walk(ctx["output"])
    for m, payload in segs:
        if m == 0xfe:
            fail("output keeps a COM segment")
        if 0xe0 <= m <= 0xef:
            ok = ((m == 0xe0 and payload.startswith(b"JFIF\0")) or
                  (m == 0xe1 and payload.startswith(b"Exif\0\0")) or
                  (m == 0xee and payload.startswith(b"Adobe")))
            if not ok:
                fail("output keeps APP%d %r", m - 0xe0, payload[:16])
    if end is None:
        fail("output has no EOI")


def check_exif_orientation(ctx):
    a, b = pil_open(ctx["input"], is_input=True), pil_open(ctx["output"])
    want = a.getexif().get(0x0112)
    got = dict(b.getexif())
    if want and want != 1:
        if got != {0x0112: want}:
            fail("input Orientation=%s; output EXIF is %r (want only Orientation=%s)",
                 want, got, want)
    elif got not in ({}, {0x0112: 1}):
        fail("input had no orientation; output EXIF is %r", got)


def check_no_exif(ctx):
    b = pil_open(ctx["output"])
    got = dict(b.getexif())
    if got:
        fail("output still has EXIF %r", got)
    if b.info.get("exif") or getattr(b, "text", None):
        fail("output still has metadata: %r", sorted(b.info))


def check_ends_cleanly(ctx):
    out = ctx["output"]
    k = kind_of(out)
    if k == "jpeg":
        _, end = jpeg_walk(out)
    elif k == "png":
        _, end = png_chunks(out)
    elif k == "gif":
        _, end = gif_walk(out)
    else:
        fail("output is not an image")
    if end != len(out):
        fail("%s bytes after the end of the %s", "some" if end is None else len(out) - end, k)
    if zipfile.is_zipfile(io.BytesIO(out)):
        fail("output is still readable as a zip archive")


def check_gif_frames(ctx):
    a, b = pil_open(ctx["input"], is_input=True), pil_open(ctx["output"])
    na, nb = getattr(a, "n_frames", 1), getattr(b, "n_frames", 1)
    if na != nb:
        fail("%d frames became %d", na, nb)
    if a.size != b.size:
        fail("size %s became %s", a.size, b.size)
    if a.info.get("loop") != b.info.get("loop"):
        fail("loop %r became %r", a.info.get("loop"), b.info.get("loop"))
    for i in range(na):
        a.seek(i)
        b.seek(i)
        if a.info.get("duration") != b.info.get("duration"):
            fail("frame %d: delay %r ms became %r", i, a.info.get("duration"),
                 b.info.get("duration"))
        if a.convert("RGBA").tobytes() != b.convert("RGBA").tobytes():
            fail("frame %d: RGBA pixels differ", i)


def check_gif_blocks(ctx):
    out = ctx["output"]
    blocks, end = gif_walk(out)
    sw, sh = struct.unpack("<HH", out[6:10])
    for kind, detail in blocks:
        if kind == "frame":
            x, y, w, h = detail
            if w == 0 or h == 0 or x + w > sw or y + h > sh:
                fail("output frame %dx%d at (%d,%d) is not inside the %dx%d screen",
                     w, h, x, y, sw, sh)
        if kind == "app" and detail not in ("NETSCAPE2.0", "ANIMEXTS1.0"):
            fail("output keeps application extension %r", detail)
        if kind == "ext" and detail != 0xf9:
            fail("output keeps extension 0x%02X (%s)", detail,
                 {0xfe: "comment", 0x01: "plain text"}.get(detail, "unknown"))
    if end != len(ctx["output"]):
        fail("bytes after the GIF trailer (or no trailer)")


def check_text_bytes_equal(ctx):
    a, b = ctx["input"], ctx["output"]
    if a != b:
        at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        fail("bytes differ from offset %d (in %d bytes, out %d bytes)", at, len(a), len(b))


NUMBER_CHARS = set("0123456789+-., %/:eE")
# What a spreadsheet skips before it looks at a cell's first character.
CELL_BLANKS = "".join(map(chr, range(1, 0x20))) + " \x7f\""


# Characters a reader may trim or show as nothing before a cell's sign:
# ideographic, no-break and typographic spaces, zero-width ones, word
# joiner, a BOM inside the text.
INVISIBLE_SPACES = set("\u3000\u00a0\u202f\u205f\u2060\ufeff") | \
    set(map(chr, range(0x2000, 0x200e)))


def fullwidth_to_ascii(s):
    """Fullwidth forms as Japanese Excel may read them (＝ is =); the spaces
    above as a space."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else
                   " " if c in INVISIBLE_SPACES else "-" if c == "\u2212" else c for c in s)


def cell_is_formula(cell, strict=True):
    """strict: a + or - cell is a formula unless it is a plain number. Not
    strict (a separator the file was not written for, where cells run
    together): only when it holds a DDE '|', a reference '!' '[' or a call."""
    s = fullwidth_to_ascii(cell).lstrip(CELL_BLANKS)
    if not s:
        return False
    if s[0] in "=@":
        return True
    if s[0] in "+-" and strict:
        return not set(s) <= NUMBER_CHARS | set(CELL_BLANKS)
    if s[0] in "+-":
        return bool(re.search(r"[|!\[]|[A-Za-z][A-Za-z0-9._]*\(", s))
    return False


def decode_text(data, encoding):
    if encoding:
        return data.decode(encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("utf-8")


def csv_rows(text, delim):
    if text.startswith("\ufeff"):
        text = text[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))


def cp932_greedy(data):
    """CP932 as a decoder that takes a lead byte and whatever follows as one
    character (Python's codec, like Windows, goes on after a bad trail byte)."""
    out, i = [], 0
    while i < len(data):
        b = data[i]
        n = 2 if (0x81 <= b <= 0x9F or 0xE0 <= b <= 0xFC) and i + 1 < len(data) else 1
        ch = data[i:i + n].decode("cp932", "replace")
        out.append("\ufffd" if n == 2 and len(ch) != 1 else ch)
        i += n
    return "".join(out)


def csv_readings(data, encoding):
    """The texts a spreadsheet may make of the bytes, each with whether a
    spreadsheet reads it so by default: what a BOM says, else the declared
    encoding and CP932 (Japanese Excel reads every .csv without BOM so),
    then UTF-8 (LibreOffice) and CP932 read greedily."""
    if data.startswith(b"\xef\xbb\xbf"):
        return {"utf-8 (BOM)": (data[3:].decode("utf-8", "replace"), True)}
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return {"utf-16 (BOM)": (data.decode("utf-16", "replace"), True)}
    own = encoding or "utf-8"
    texts = {enc: (data.decode(enc, "replace"), enc in (own, "cp932"))
             for enc in {own, "utf-8", "cp932"}}
    texts["cp932-greedy"] = (cp932_greedy(data), False)
    return texts


def csv_separators(text):
    """',' ';' and tab, and the X of a first line "sep=X" (Excel splits on
    X); and that X (None without one)."""
    first = text.lstrip(CELL_BLANKS.replace("\n", "").replace("\r", ""))
    x = first[4] if first[:4].lower() == "sep=" and first[4:5] not in ("", "\r", "\n", '"') \
        else None
    return list(dict.fromkeys([",", ";", "\t"] + ([x] if x else []))), x


# What may be put before a formula sign, and the signs, as bytes: ASCII; the
# fullwidth ＝＋－＠ in UTF-8, CP932, EUC-JP and ISO-2022-JP (double-byte mode).
# In ISO-2022-JP an apostrophe wrapped in escapes, or inside a double-byte run
# an escape that repeats the mode (invisible to ISO-2022-JP readers, ESC and
# two letters to the others).
CSV_MARKS = [b"\x1b(B'\x1b$B", b"\x1b(B'\x1b(I", b"\x0f\x1b(B\x0e", b"\x0f'\x0e",
             b"\x1b$B", b"\x1b(I", b"'"]
CSV_SIGNS = [b"=", b"+", b"-", b"@",
             b"\xef\xbc\x9d", b"\xef\xbc\x8b", b"\xef\xbc\x8d", b"\xef\xbc\xa0",
             b"\x81\x81", b"\x81\x7b", b"\x81\x7c", b"\x81\x97",
             b"\xa1\xe1", b"\xa1\xdc", b"\xa1\xdd", b"\xa1\xf7",
             b"!a", b"!\\", b"!]", b"!w"]


def csv_inserted_marks(a, b, unit):
    """How many marks turn input a into output b, each right before a formula
    sign (None if b is anything else)."""
    if unit == 2:  # UTF-16: compare code units; the mark is an apostrophe unit
        codec = "utf-16-le" if a[:2] == b"\xff\xfe" else "utf-16-be"
        marks = ["'".encode(codec)]
        signs = [c.encode(codec) for c in "=+-@\uff1d\uff0b\uff0d\uff20"]
    else:
        marks, signs = CSV_MARKS, CSV_SIGNS
    i = j = n = 0
    while j < len(b):
        if b[j:j + unit] == a[i:i + unit]:
            i, j = i + unit, j + unit
            continue
        mark = next((m for m in marks if b.startswith(m, j)), None)
        if mark is None or not any(b.startswith(sg, j + len(mark)) for sg in signs):
            return None
        j, n = j + len(mark), n + 1
    return n if i == len(a) else None


def check_csv_cells(ctx):
    """No formula cell under any reading of the output; the output is the
    input with an apostrophe (in ISO-2022-JP double-byte runs wrapped in
    escapes) put right before formula signs and nothing else; under the
    file's own reading every formula cell of the input got one before its
    first character."""
    e = ctx["entry"]
    unit = 2 if ctx["input"][:2] in (b"\xff\xfe", b"\xfe\xff") else 1
    delim = "\t" if ctx["name"].lower().endswith(".tsv") or unit == 2 else ","
    enc = e.get("encoding")
    for rname, (text, usual) in csv_readings(ctx["output"], enc).items():
        seps, directive = csv_separators(text)
        for sep in seps:
            strict = sep == directive or (usual and sep == delim)
            for r, row in enumerate(csv_rows(text, sep), 1):
                for c, cell in enumerate(row, 1):
                    if cell_is_formula(cell, strict):
                        fail("read as %s with separator %r: row %d cell %d is a formula: %r",
                             rname, sep, r, c, cell)
    marks = csv_inserted_marks(ctx["input"], ctx["output"], unit)
    if marks is None:
        fail("the output is not the input with apostrophes before formula signs")
    if marks and ctx["record"].get("verdict") != "sanitized":
        fail("%d apostrophes inserted, verdict %r", marks, ctx["record"].get("verdict"))
    if enc == "utf-16-le" and unit == 2:
        enc = "utf-16"
    a = csv_rows(decode_text(ctx["input"], enc), delim)
    b = csv_rows(decode_text(ctx["output"], enc), delim)
    if len(a) != len(b):
        fail("%d rows became %d", len(a), len(b))
    for r, (ra, rb) in enumerate(zip(a, b), 1):
        if len(ra) != len(rb):
            fail("row %d: %d cells became %d", r, len(ra), len(rb))
        for c, (x, y) in enumerate(zip(ra, rb), 1):
            if cell_is_formula(x) and not fullwidth_to_ascii(y).lstrip(CELL_BLANKS) \
                    .startswith("'"):
                fail("row %d cell %d: formula %r -> %r has no leading apostrophe", r, c, x, y)
            if re.sub("'(?=[-+=@\uff0b\uff0d\uff1d\uff20\u2212])", "", y) != \
                    re.sub("'(?=[-+=@\uff0b\uff0d\uff1d\uff20\u2212])", "", x):
                fail("row %d cell %d: %r -> %r changed more than apostrophes before signs",
                     r, c, x, y)


def without_x_mugaika(b):
    """A rebuilt message records what *its* pass did in X-Mugaika (verdict, id,
    counts); a second pass rightly writes another. Everything else must match."""
    import re
    return re.sub(rb"(?m)^X-Mugaika:.*\r?\n(?:[ \t].*\r?\n)*", b"", b)


def check_idempotent(ctx):
    # The same input twice gives the same bytes (no uninitialised memory, no clock).
    rc, again, err, _ = run_cdr(ctx["cdr"], ctx["name"], ctx["input"], ctx["tmpdir"],
                                cdr_args(ctx["entry"], ctx["tmpdir"]))
    if again != ctx["output"]:
        fail("not deterministic: the same input gave different bytes on a second run")
    name = ctx["record"].get("out_name") or ctx["name"]
    rc, out, err, recs = run_cdr(ctx["cdr"], name, ctx["output"], ctx["tmpdir"],
                                 cdr_args(ctx["entry"], ctx["tmpdir"]))
    if rc != 0:
        fail("second pass (as %r) exited %s: %s", name, rc, err.decode("utf-8", "replace").strip())
    v = recs[0].get("verdict") if recs else None
    if v != "clean":
        fail("second pass verdict %r (want clean), actions %r", v,
             recs[0].get("actions") if recs else None)
    if without_x_mugaika(out) != without_x_mugaika(ctx["output"]):
        fail("second pass changed the bytes (%d -> %d bytes)", len(ctx["output"]), len(out))


# Headers a text-mode message may carry: the allow-list (DESIGN.md "mime") plus
# what the rewriter adds.
MAIL_HEADERS = {"from", "to", "cc", "reply-to", "subject", "date", "message-id",
                "in-reply-to", "references", "x-mugaika", "mime-version", "content-type",
                "content-transfer-encoding"}


def check_mail(ctx):
    """Python's email package (policy.default) reads the output: no defects, one
    text/plain leaf (text mode), headers only from the allow-list, each once, no
    CR/LF in a decoded header value, CRLF lines of at most 998 bytes; then the
    manifest's `text_present`, `text_absent` and `absent` strings are looked for
    in the DECODED headers and text (not in the base64)."""
    import email
    import email.policy
    e, out = ctx["entry"], ctx["output"]
    if b"\n" in out.replace(b"\r\n", b"") or b"\r" in out.replace(b"\r\n", b""):
        fail("bare CR or LF in the output (lines must end in CRLF)")
    long_lines = [ln for ln in out.split(b"\r\n") if len(ln) > 998]
    if long_lines:
        fail("%d line(s) over 998 bytes", len(long_lines))
    msg = email.message_from_bytes(out, policy=email.policy.default)
    names = [k.lower() for k in msg.keys()]
    bad = sorted(set(n for n in names if n not in MAIL_HEADERS))
    if bad:
        fail("headers not on the allow-list: %s", ", ".join(bad))
    twice = sorted(set(n for n in names if names.count(n) > 1))
    if twice:
        fail("headers more than once: %s", ", ".join(twice))
    for n in ("x-mugaika", "mime-version", "content-type"):
        if n not in names:
            fail("no %s header", n)
    leaves = [p for p in msg.walk() if not p.is_multipart()]
    if len(leaves) != 1 or leaves[0].get_content_type() != "text/plain":
        fail("want exactly one text/plain part, got %s",
             [p.get_content_type() for p in leaves])
    text = leaves[0].get_content()
    hdrs = []
    for k, raw in msg.raw_items():
        try:
            v = msg.policy.header_fetch_parse(k, raw)
            sv = str(v)
        except Exception as x:  # e.g. an address whose decoded display name holds CR/LF
            fail("%s header unreadable (%s: %s): %r", k, x.__class__.__name__, x, raw)
        if "\r" in sv or "\n" in sv:
            fail("decoded %s header holds CR/LF: %r", k, sv)
        for d in getattr(v, "defects", ()):
            fail("%s header: %s", k, d.__class__.__name__)
        hdrs.append("%s: %s" % (k, sv))
    defects = [(p.get_content_type(), d.__class__.__name__) for p in msg.walk()
               for d in p.defects]
    if defects:
        fail("email parser defects: %s", defects)
    decoded = "\n".join(hdrs) + "\n\n" + text
    problems = []
    for s in dict.fromkeys(e.get("text_absent", []) + e.get("absent", [])):
        if s in decoded:
            i = decoded.index(s)
            problems.append("decoded output contains %r (…%r…)" % (s, decoded[max(0, i - 40):i + 40]))
    for s in e.get("text_present", []):
        if s not in decoded:
            problems.append("decoded output lacks %r" % s)
    if problems:
        fail("%s\n--- decoded output ---\n%s", "; ".join(problems), decoded)


# ------------------------------------------------------------------ archives
# The archive handler's output is a zip; Python's zipfile is the independent
# reader. Every member name must be one that Windows, macOS and Info-ZIP unzip
# extract where it says, inside the target folder, under that very name.

ZIP_NESTING = 4           # zips inside the output are checked this deep
ZIP_FORBIDDEN = set('<>:"|?*\\')


def zip_name_problem(name, raw, flags):
    """What is wrong with one member name of an output zip (None if nothing)."""
    if not name:
        return "empty name"
    if name.startswith("/"):
        return "absolute name"
    if any(c in ZIP_FORBIDDEN for c in name):
        return "character Windows forbids or treats as a separator/stream (\\ : < > ...)"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "control or format (bidi/zero-width) character"
    if any(not 0x20 <= b < 0x7f for b in raw) and not flags & 0x800:
        return "non-ASCII name without the UTF-8 flag (bit 11)"
    comps = name.rstrip("/").split("/")
    for c in comps:
        if c in ("", ".", ".."):
            return "empty, '.' or '..' component"
        problem = component_problem(c)
        if problem:
            return "component %r: %s" % (c, problem)
    return None


def zip_walk(data, where, depth, problems, blobs):
    """Checks one zip (and the zips inside it); collects member bytes in blobs.
    Returns the member names, in order."""
    import stat
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as x:
        problems.append("%s: zipfile cannot open it: %s" % (where, x))
        return []
    try:
        bad = z.testzip()
    except Exception as x:  # encrypted, unsupported method, overlapping entries, ...
        bad = "(%s: %s)" % (type(x).__name__, x)
    if bad:
        problems.append("%s: testzip() fails at %s" % (where, bad))
        return [i.filename for i in z.infolist()]
    if z.comment:
        problems.append("%s: archive comment kept: %r" % (where, z.comment[:60]))
    names = []
    seen = {}
    infos = z.infolist()
    files = {i.filename.rstrip("/").casefold() for i in infos if not i.is_dir()}
    for info in infos:
        name, what = info.filename, "%s: member %r" % (where, info.orig_filename)
        names.append(name)
        raw = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        # zipfile cuts a name at NUL: judge the name as stored
        p = zip_name_problem(info.orig_filename, raw, info.flag_bits)
        if p:
            problems.append("%s: %s" % (what, p))
        key = name.rstrip("/").casefold()
        if key in seen:
            problems.append("%s: same name as %r (case-insensitively)" % (what, seen[key]))
        seen.setdefault(key, name)
        parts = key.split("/")
        for k in range(1, len(parts)):
            if "/".join(parts[:k]) in files:
                problems.append("%s: a file of the same name as its folder %r exists" %
                                (what, "/".join(parts[:k])))
        if info.flag_bits & 0x800 and info.create_system == 0 and not raw.isascii():
            # Info-ZIP's unzip (Debian) converts MS-DOS members' names from
            # CP437 whatever the UTF-8 flag says: 議事録.txt shows as ޡ������.txt
            problems.append("%s: UTF-8 name in a member made by MS-DOS (unzip garbles it)"
                            % what)
        if info.flag_bits & 0x1:
            problems.append("%s: encrypted" % what)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append("%s: compression method %d (want stored or deflate)" %
                            (what, info.compress_type))
        if info.comment:
            problems.append("%s: member comment kept" % what)
        mode = info.external_attr >> 16
        if info.create_system == 3 and mode:
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                problems.append("%s: Unix file type %o (link, device or FIFO)" %
                                (what, stat.S_IFMT(mode)))
            if mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX):
                problems.append("%s: setuid/setgid/sticky mode %o" % (what, mode & 0o7777))
    if problems:
        return names
    # Extract with zipfile itself and check that every file lands where its name
    # says, inside the folder (zipfile's own sanitizing must have had nothing to do).
    with tempfile.TemporaryDirectory(prefix="mugaika-zip-") as tmp:
        root = os.path.realpath(tmp)
        for info in infos:
            want = os.path.realpath(os.path.join(root, info.filename))
            got = os.path.realpath(z.extract(info, root))
            if os.path.commonpath([root, want]) != root or \
                    os.path.commonpath([root, got]) != root:
                problems.append("%s: member %r escapes the folder" % (where, info.filename))
            elif got.rstrip("/") != want.rstrip("/"):
                problems.append("%s: member %r was extracted as %r" %
                                (where, info.filename, os.path.relpath(got, root)))
            elif not info.is_dir() and os.path.getsize(got) != info.file_size:
                problems.append("%s: member %r extracted to %d bytes, not %d" %
                                (where, info.filename, os.path.getsize(got), info.file_size))
    for info in infos:
        if info.is_dir():
            continue
        body = z.read(info)
        blobs.append(body)
        if depth < ZIP_NESTING and body[:4] == b"PK\x03\x04" and \
                zipfile.is_zipfile(io.BytesIO(body)):
            zip_walk(body, "%s/%s" % (where, info.filename), depth + 1, problems, blobs)
    return names


def check_zip_output(ctx):
    """Python's zipfile opens the output; testzip() passes; every member name
    is safe (relative, no '..'/'.'/empty component, no '\\' ':' or other
    character Windows forbids, no control/bidi character, no device name, no
    trailing dot/space, UTF-8 flag when not ASCII), unique case-insensitively,
    never both a file and a folder; no links, devices, setuid modes,
    encryption or comments; extracted with zipfile, each member lands inside
    the folder under its own name. Zips inside are checked the same way.
    Then the manifest's `members` (exact names in order; "a|b" for either)
    and `member_text_absent`/`member_text_present` (in the decompressed
    member bytes, nested zips included)."""
    e, out = ctx["entry"], ctx["output"]
    if out[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        fail("output does not start with a zip local header (%r)", out[:4])
    problems, blobs = [], []
    names = zip_walk(out, "zip", 1, problems, blobs)
    want = e.get("members")
    if want is not None:
        ok = len(names) == len(want) and all(n in alternatives(w) for n, w in zip(names, want))
        if not ok:
            problems.append("members %r, want %r" % (names, want))
    enc = e.get("encoding")
    text = b"\n".join(blobs)
    for s in e.get("member_text_absent", []):
        if in_encoding(s, enc) in text:
            problems.append("member bytes still contain %r" % s)
    for s in e.get("member_text_present", []):
        if in_encoding(s, enc) not in text:
            problems.append("member bytes lack %r" % s)
    if problems:
        fail("; ".join(problems))


# ------------------------------------------------------------------ PDF
# Independent readers: the qpdf command line (its own parse of our output, not
# libqpdf through our code) and poppler's pdftoppm.

# Keys and names that must not survive anywhere in a disarmed PDF (as PDF name
# tokens, after qpdf --qdf has normalized hex escapes and expanded streams).
PDF_FORBIDDEN = ["JS", "JavaScript", "OpenAction", "AA", "Launch", "GoToR", "GoToE",
                 "ImportData", "SubmitForm", "Rendition", "Movie", "Sound", "RichMedia",
                 "RichMediaExecute", "RichMediaContent", "3D", "Screen", "Hide",
                 "EmbeddedFiles", "EmbeddedFile", "FileAttachment", "EF", "AF", "Collection",
                 "XFA", "Perms", "DocMDP", "GoTo3DView", "ECMAScript"]


def run_tool(argv, data, suffix=".pdf"):
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        return subprocess.run(argv + [f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)


def check_qpdf_check(ctx):
    """qpdf --check passes without a single warning (exit 3 is warnings)."""
    p = run_tool(["qpdf", "--check"], ctx["output"])
    if p.returncode != 0:
        fail("qpdf --check exited %d: %s", p.returncode,
             (p.stdout + p.stderr).decode("utf-8", "replace")[-600:])


def pdf_page_count(data):
    """Pages as poppler's pdfinfo counts them, else as pikepdf (qpdf with its
    recovery) does; None when neither can read the file."""
    p = run_tool(["pdfinfo"], data)
    m = re.search(rb"^Pages:\s+(\d+)", p.stdout, re.M) if p.returncode == 0 else None
    if m:
        return int(m.group(1))
    try:
        import pikepdf
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception:
        return None


def check_pdf_pages_same(ctx):
    """The output has the page count of the input (pdfinfo, or pikepdf where
    poppler cannot read the input)."""
    want = pdf_page_count(ctx["input"])
    if want is None:
        fail("neither pdfinfo nor pikepdf reads the input: this check does not apply")
    got = pdf_page_count(ctx["output"])
    if got != want:
        fail("the output has %s pages, the input %d", got, want)


def pdf_qdf(data):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pdf"), os.path.join(tmp, "qdf.pdf")
        with open(src, "wb") as f:
            f.write(data)
        p = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", src, dst],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        if p.returncode not in (0, 3):  # 3: warnings only
            fail("qpdf --qdf exited %d: %s", p.returncode, p.stderr.decode("utf-8", "replace"))
        with open(dst, "rb") as f:
            return f.read()


def check_pdf_no_active(ctx):
    """No forbidden key or action type in the QDF form of the output; the
    manifest's text_absent strings absent and text_present strings present in it."""
    import re
    e = ctx["entry"]
    qdf = pdf_qdf(ctx["output"])
    problems = []
    for name in PDF_FORBIDDEN:
        m = re.search(rb"/" + re.escape(name.encode()) + rb"(?![A-Za-z0-9#._-])", qdf)
        if m:
            problems.append("/%s (…%r…)" % (name, qdf[max(0, m.start() - 60):m.end() + 40]))
    for s in e.get("text_absent", []):
        if s.encode("latin-1") in qdf:
            problems.append("%r" % s)
    missing = [s for s in e.get("text_present", []) if s.encode("latin-1") not in qdf]
    if problems:
        fail("the output still holds: %s", "; ".join(problems))
    if missing:
        fail("the output lost what must stay: %s", ", ".join(map(repr, missing)))


def pdf_render(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as f:
            f.write(data)
        p = subprocess.run(["pdftoppm", "-r", "36", "-f", "1", "-l", "1", "-png", src,
                            os.path.join(tmp, "page")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        pages = sorted(glob.glob(os.path.join(tmp, "page*.png")))
        if p.returncode != 0 or not pages:
            fail("pdftoppm exited %d: %s", p.returncode, p.stderr.decode("utf-8", "replace"))
        with open(pages[0], "rb") as f:
            return f.read()


def check_pdf_render_same(ctx):
    """poppler renders page 1 of input and output to the same pixels."""
    if Image is None:
        fail("python3-pil is not installed")
    a = Image.open(io.BytesIO(pdf_render(ctx["input"]))).convert("RGB")
    b = Image.open(io.BytesIO(pdf_render(ctx["output"]))).convert("RGB")
    if a.size != b.size:
        fail("page 1 renders at %s, the input at %s", b.size, a.size)
    if a.tobytes() != b.tobytes():
        fail("page 1 renders differently from the input")


CHECKS = {
    "qpdf-check": check_qpdf_check,
    "pdf-no-active": check_pdf_no_active,
    "pdf-render-same": check_pdf_render_same,
    "pdf-pages-same": check_pdf_pages_same,
    "image-same-pixels": check_image_same_pixels,
    "png-samples": check_png_samples,
    "png-chunks": check_png_chunks,
    "jpeg-markers": check_jpeg_markers,
    "exif-orientation": check_exif_orientation,
    "no-exif": check_no_exif,
    "ends-cleanly": check_ends_cleanly,
    "gif-frames": check_gif_frames,
    "gif-blocks": check_gif_blocks,
    "text-bytes-equal": check_text_bytes_equal,
    "csv-cells": check_csv_cells,
    "idempotent": check_idempotent,
    "mail": check_mail,
    "zip-output": check_zip_output,
}



# check name -> function(list of ctx): work for many fixtures at once (one
# LibreOffice start for a batch of files), done after every fixture has gone
# through cdr-file and before the check runs on each; the check itself still
# decides, per fixture.
BATCHES = {}


def load_check_modules():
    """Checks for a format can live in their own file, tests/data/checks_<name>.py,
    as a dict CHECKS of name -> function(ctx); a check fails by raising
    AssertionError (or CheckFailed) with the reason. An optional dict BATCHES
    of name -> function(ctxs) prepares that check for every fixture that
    runs it (see BATCHES above)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    for path in sorted(glob.glob(os.path.join(here, "checks_*.py"))):
        mod = __import__(os.path.splitext(os.path.basename(path))[0])
        for name, fn in mod.CHECKS.items():
            if name in CHECKS:
                raise SystemExit("%s: check %s defined twice" % (path, name))
            CHECKS[name] = fn
        BATCHES.update(getattr(mod, "BATCHES", {}))


load_check_modules()

# Windows device names (Microsoft's "Naming Files, Paths, and Namespaces"):
# also with an extension, with spaces before the dot, and COM/LPT with 0-9
# and the superscript digits.
RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"} | \
    {p + d for p in ("com", "lpt") for d in "0123456789\u00b9\u00b2\u00b3"}
# Characters Windows' best-fit conversion to a code page turns into '\' or
# '/': yen (CP932), won (CP949), fullwidth solidus/reverse solidus, division
# and fraction slash.
BEST_FIT_SEPARATORS = set("\u00a5\u20a9\uff0f\uff3c\u2215\u2044")


def component_problem(c):
    """What Windows makes of one path component (None if nothing)."""
    if any(ch in '<>:"|?*/\\' for ch in c):
        return "a character Windows forbids or treats as a separator/stream"
    if any(ch in BEST_FIT_SEPARATORS for ch in c):
        return "a character best-fit conversion turns into a path separator"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in c):
        return "a control or format (bidi/zero-width) character"
    if c[-1] in ". ":
        return "ends in a dot or space"
    if c.split(".")[0].rstrip(" ").lower() in RESERVED:
        return "a Windows device name"
    if len(c.encode("utf-8")) > 255:
        return "longer than 255 bytes"
    if "." in c and c.rsplit(".", 1)[1].startswith("{") and c.endswith("}"):
        return "a CLSID extension (a shell junction folder)"
    return None


def safe_name_problem(name):
    if not name:
        return "empty output name"
    problem = component_problem(name)
    return "output name: " + problem if problem else None


def in_encoding(s, enc):
    if enc in (None, "utf-8"):
        return s.encode("utf-8")
    return s.encode(enc)


WORKER_FAILURES = {"timeout", "cpu-limit", "memory-limit", "crash", "sandbox-violation"}


def file_mime_type(data):
    # through a pipe: libmagic then sees bytes as the worker's magic_buffer()
    # does (a file lets it seek to the end and call an SFX zip a zip)
    p = subprocess.run(["file", "-b", "--mime-type", "-e", "compress", "-"], input=data,
                       stdout=subprocess.PIPE, check=True)
    return p.stdout.decode().strip()


def find_child(rec, name):
    """The first report below `rec` (depth first) with this name, or None."""
    for c in rec.get("children") or []:
        if c.get("name") == name:
            return c
        found = find_child(c, name)
        if found is not None:
            return found
    return None


def check_result(ctx):
    e, rc, out, err, recs = ctx["entry"], ctx["rc"], ctx["output"], ctx["stderr"], ctx["records"]
    problems = []
    if rc is None:
        fail("cdr-file timed out")
    if len(recs) != 1:
        fail("report has %d records (want 1); exit %s; stderr: %s", len(recs), rc,
             err.decode("utf-8", "replace").strip())
    rec = recs[0]
    ctx["record"] = rec
    verdict = rec.get("verdict")
    want = alternatives(e["verdict"])
    ctx["usable"] = verdict in ("clean", "sanitized", "blocked")  # checks may still run
    if verdict not in want:
        fail("verdict %r (want %s); error %r; reason %r", verdict, e["verdict"],
             rec.get("error"), rec.get("reason"))
    want_rc = 1 if verdict == "blocked" else 0
    if rc != want_rc:
        problems.append("exit status %s for verdict %s (want %d)" % (rc, verdict, want_rc))
    if rec.get("_invalid_json"):
        problems.append("report line is not valid JSON (%s)" % rec["_invalid_json"])
    if rec.get("name") != ctx["name"]:
        problems.append("report name %r, want %r" % (rec.get("name"), ctx["name"]))
    if rec.get("sha256_in") != hashlib.sha256(ctx["input"]).hexdigest():
        problems.append("report sha256_in does not match the input")
    if rec.get("size_in") != len(ctx["input"]):
        problems.append("report size_in %r, want %d" % (rec.get("size_in"), len(ctx["input"])))
    if names_handler(e):
        if rec.get("detected") is not None:
            problems.append("detected %r although the handler was named" % rec.get("detected"))
    elif rec.get("error") not in WORKER_FAILURES:
        # `detected` is libmagic's type of the input (mugaika(7)), also for
        # formats a handler knows by its signature; file(1) is libmagic's
        # own front end, run with the engine's flags
        want_type = file_mime_type(ctx["input"])
        if rec.get("detected") != want_type:
            problems.append("detected %r, file(1) says %r" % (rec.get("detected"), want_type))
    # handler_type is the type the handler wrote: present exactly when
    # there is an output, and then the output's type
    if rec.get("handler_type") != (rec.get("out_type") if rec.get("verdict") != "blocked"
                                   else None):
        problems.append("handler_type %r with verdict %r and out_type %r"
                        % (rec.get("handler_type"), rec.get("verdict"), rec.get("out_type")))
    if e.get("handler_type") and rec.get("handler_type") != e["handler_type"]:
        problems.append("handler_type %r, want %r" % (rec.get("handler_type"),
                                                     e["handler_type"]))
    for cname, ckind in sorted((e.get("child_errors") or {}).items()):
        found = find_child(rec, cname)
        if found is None:
            problems.append("no child report named %r" % cname)
        elif found.get("verdict") != "blocked" or found.get("error") not in alternatives(ckind):
            problems.append("child %r: verdict %r, error %r (want blocked, %s); reason %r"
                            % (cname, found.get("verdict"), found.get("error"), ckind,
                               found.get("reason")))
    whats = [a.get("what") for a in rec.get("actions") or []]
    unknown = [w for w in whats if w not in ACTIONS]
    if unknown:
        problems.append("undocumented action names %r" % unknown)
    if verdict == "blocked":
        if out:
            problems.append("blocked, yet %d bytes on stdout" % len(out))
        if e.get("error") and rec.get("error") not in alternatives(e["error"]):
            problems.append("error %r (want %s); reason %r" % (rec.get("error"), e["error"],
                                                               rec.get("reason")))
        if not rec.get("reason"):
            problems.append("blocked without a reason")
        for s in e.get("reason_present", []):
            if s not in (rec.get("reason") or ""):
                problems.append("reason %r lacks %r" % (rec.get("reason"), s))
    else:
        if rec.get("sha256_out") != hashlib.sha256(out).hexdigest():
            problems.append("report sha256_out does not match stdout")
        if not out and ctx["input"]:
            problems.append("verdict %s but nothing on stdout" % verdict)
        for spec in e.get("actions", []):
            if not alternatives(spec) & set(whats):
                problems.append("action %s missing (got %r)" % (spec, whats))
        if verdict == "clean" and [w for w in whats if w != "renamed"]:
            problems.append("verdict clean with actions %r" % whats)
        changed_children = [c for c in rec.get("children") or [] if c.get("verdict") != "clean"]
        if verdict == "sanitized" and not whats and not changed_children:
            problems.append("verdict sanitized without any action or changed child")
        oname = rec.get("out_name") or ""
        p = safe_name_problem(oname)
        if p:
            problems.append("%s: %r" % (p, oname))
        if e.get("out_name") and oname != e["out_name"]:
            problems.append("out_name %r, want %r" % (oname, e["out_name"]))
        if e.get("out_ext") and not oname.lower().endswith("." + e["out_ext"]):
            problems.append("out_name %r does not end in .%s" % (oname, e["out_ext"]))
        if e.get("out_type") and rec.get("out_type") != e["out_type"]:
            problems.append("out_type %r, want %r" % (rec.get("out_type"), e["out_type"]))
        enc = e.get("encoding")
        for s in e.get("absent", []):
            if in_encoding(s, enc) in out:
                problems.append("output still contains %r" % s)
        for h in e.get("absent_hex", []):
            if bytes.fromhex(h) in out:
                problems.append("output still contains bytes %s" % h)
        for s in e.get("present", []):
            if in_encoding(s, enc) not in out:
                problems.append("output lacks %r" % s)
        for h in e.get("present_hex", []):
            if bytes.fromhex(h) not in out:
                problems.append("output lacks bytes %s" % h)
    if problems:
        fail("; ".join(problems))


# ------------------------------------------------------------------ main

def load(fixtures, only, formats, skip_formats):
    cases = []
    for mf in sorted(glob.glob(os.path.join(fixtures, "*", "manifest.json"))):
        fmt_dir = os.path.dirname(mf)
        fmt = os.path.basename(fmt_dir)
        if (formats and fmt not in formats) or fmt in skip_formats:
            continue
        with open(mf, encoding="utf-8") as f:
            doc = json.load(f)
        for e in doc["fixtures"]:
            label = "%s/%s" % (os.path.basename(fmt_dir), e["path"])
            if only and not any(o in label for o in only):
                continue
            unknown = [c for c in e.get("checks", []) if c not in CHECKS]
            if unknown:
                raise SystemExit("%s: unknown checks %s" % (label, unknown))
            e["_dir"] = fmt_dir
            cases.append((label, os.path.join(fmt_dir, e["path"]), e))
    return cases


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("cdr_file")
    ap.add_argument("--fixtures", default=os.path.normpath(os.path.join(here, "..", "..",
                                                                         "fixtures")))
    ap.add_argument("--only", action="append", default=[],
                    help="run only fixtures whose path contains this (repeatable)")
    ap.add_argument("--format", action="append", default=[],
                    help="run only this fixtures/<format>/ folder (repeatable)")
    ap.add_argument("--skip-format", action="append", default=[],
                    help="leave out this fixtures/<format>/ folder (repeatable)")
    args = ap.parse_args()
    cdr = os.path.abspath(args.cdr_file)

    cases = load(args.fixtures, args.only, args.format, args.skip_format)
    total = sum(1 + len(e.get("checks", [])) for _, _, e in cases)
    print("1..%d" % total, flush=True)
    n = 0
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory(prefix="mugaika-fixtures-") as tmpdir:
        # Every fixture through cdr-file first, then the batched work of the
        # checks (BATCHES), then the test points in order.
        runs = []
        for label, path, e in cases:
            with open(path, "rb") as f:
                data = f.read()
            rc, out, err, recs = run_cdr(cdr, e["name"], data, tmpdir, cdr_args(e, tmpdir))
            ctx = {"entry": e, "name": e["name"], "input": data, "output": out, "rc": rc,
                   "stderr": err, "records": recs, "cdr": cdr, "tmpdir": tmpdir,
                   "record": {}}
            try:
                check_result(ctx)
                result = None
            except Exception as x:  # reported at its test point below
                result = x
            runs.append((label, e, ctx, result))
        for check, prepare in BATCHES.items():
            prepare([ctx for _, e, ctx, _ in runs
                     if check in e.get("checks", []) and ctx.get("usable")
                     and ctx["record"].get("verdict") != "blocked"])
        for label, e, ctx, result in runs:
            for check in ["result"] + e.get("checks", []):
                n += 1
                desc = "%s: %s" % (label, check)
                try:
                    if check == "result":
                        if result is not None:
                            raise result
                    else:
                        if not ctx.get("usable"):
                            raise CheckFailed("not run: no usable result (see the result "
                                              "test point)")
                        if ctx["record"].get("verdict") == "blocked":
                            if "blocked" in alternatives(e["verdict"]):
                                raise Skip("blocked (allowed by the manifest)")
                            raise CheckFailed("no output to check: blocked (%s)" %
                                              ctx["record"].get("reason"))
                        try:
                            CHECKS[check](ctx)
                        except AssertionError as a:
                            raise CheckFailed(str(a))
                    print("ok %d - %s" % (n, desc))
                    passed += 1
                except Skip as s:
                    print("ok %d - %s # SKIP %s" % (n, desc, s))
                    skipped += 1
                except CheckFailed as f:
                    print("not ok %d - %s" % (n, desc))
                    print("# %s" % str(f).replace("\n", "\n# "))
                    failed += 1
                except Exception as x:  # a reader crashed: the output is not sound
                    print("not ok %d - %s" % (n, desc))
                    print("# %s: %s" % (type(x).__name__, x))
                    failed += 1
                sys.stdout.flush()
    print("# %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
