#!/usr/bin/python3
# gen_archive.py - the archive benchmark inputs for bench/archive.sh, in a scratch
# directory (never committed):
#   DIR/mixed.zip     ~200 MB (--mb) of office files, deflated, as a user zips a
#                     folder: JPEG photos (1280-1600 px, ~450 KB, most with camera
#                     EXIF, some with GPS, some progressive; deflated like
#                     everything else, as zip tools do), PNG screenshots, Japanese text (UTF-8,
#                     Shift_JIS, EUC-JP, ISO-2022-JP, UTF-16) and CSV files, in
#                     nested folders with Japanese names. Names are written as
#                     Japanese Windows' Explorer writes them: CP932 without the
#                     UTF-8 flag (--names cp932, the default), or in UTF-8 with
#                     the flag, as 7-Zip, macOS and python's zipfile do
#                     (--names utf-8). The photos, screenshots and texts are
#                     made as gen_tree.py makes them.
#   DIR/bomb-42.zip   a 42.zip-style nested bomb: 16 zips in each of 5 levels, a
#                     single 4 GiB - 1 MiB file of zeros at the bottom of each
#                     branch: 16^5 x 4 GiB = 4.5 PB from ~40 KB. Well formed: every
#                     level passes a structure check; only the expansion gives it
#                     away.
#   DIR/bomb-overlap.zip  a Fifield-style overlapping-entry bomb ("A better zip
#                     bomb", 2019): 250 entries whose data overlap, each local
#                     header quoted by a stored deflate block in the entry
#                     before it, all ending in one shared kernel (21 MiB of
#                     'a', deflated to 22 KB): 5.5 GB from ~45 KB in one level.
# The bombs are written from precomputed deflate streams and CRCs (crc32_combine);
# nothing is ever decompressed here. Deterministic (fixed seed, fixed times), so
# every run measures the same bytes.
# Usage: gen_archive.py DIR [--mb N] [--names cp932|utf-8]
import argparse
import io
import os
import random
import struct
import sys
import zipfile
import zlib

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "fixtures", "gen"))
from fixturelib import photo  # noqa: E402
from gen_tree import csv_bytes, screenshot, text_bytes  # noqa: E402
from make_jpeg import camera_exif  # noqa: E402

ZIP_TIME = (2024, 4, 1, 9, 0, 0)
FOLDERS = ["令和6年度/総務課/会議資料", "令和6年度/総務課/会議資料/第3回",
           "令和6年度/写真/運動会", "令和6年度/写真/防災訓練", "スクリーンショット",
           "名簿", "報告書/表計算ソフト能力検定"]  # 表, ソ, 能: 0x5C second bytes in CP932


# ---- the mixed zip ----------------------------------------------------------

class CP932Info(zipfile.ZipInfo):
    """A zip entry whose name is written in CP932 without the UTF-8 flag, as
    Explorer on Japanese Windows writes it (zipfile would write UTF-8)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp932"), self.flag_bits & ~0x800


def mixed_zip(path, target, names):
    r = random.Random(20240401)
    bases = [photo(2000, 1500, seed=1000 + i) for i in range(4)]
    # one cycle of 20 members: 9 photos, 4 screenshots, 5 texts, 2 CSV files
    cycle = ["jpeg"] * 9 + ["png"] * 4 + ["text"] * 5 + ["csv"] * 2
    kinds = ["utf-8", "cp932", "euc-jp", "iso-2022-jp", "utf-16"]
    counts = dict.fromkeys(("jpeg", "png", "text", "csv"), 0)
    raw = 0
    with open(path, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        i = 0
        while f.tell() < target:
            kind = cycle[i % len(cycle)]
            n = counts[kind]
            counts[kind] += 1
            i += 1
            if kind == "jpeg":
                w, h = r.choice(((1600, 1200), (1440, 1080), (1280, 960)))
                b = bases[n % len(bases)]
                x, y = r.randrange(b.width - w), r.randrange(b.height - h)
                kw = {"quality": r.randrange(85, 95)}
                if r.random() < 0.8:
                    kw["exif"] = camera_exif(orientation=r.choice((None, 1, 6, 8)),
                                             gps=r.random() < 0.3)
                if r.random() < 0.15:
                    kw["progressive"] = True
                buf = io.BytesIO()
                b.crop((x, y, x + w, y + h)).save(buf, "JPEG", **kw)
                name = "%s/IMG_%04d.jpg" % (r.choice(FOLDERS[2:4]), 1000 + n)
            elif kind == "png":
                buf = io.BytesIO()
                screenshot(*r.choice(((1280, 800), (1024, 768), (1366, 768))), r).save(buf, "PNG")
                name = "%s/スクリーンショット %03d.png" % (r.choice((FOLDERS[4], FOLDERS[6])), n)
            elif kind == "text":
                buf = io.BytesIO(text_bytes(r, kinds[n % len(kinds)]))
                name = "%s/メモ_%03d.txt" % (r.choice(FOLDERS[:2] + FOLDERS[6:]), n)
            else:
                buf = io.BytesIO(csv_bytes(r))
                name = "%s/名簿_%03d.csv" % (FOLDERS[5], n)
            data = buf.getvalue()
            raw += len(data)
            zi = (CP932Info if names == "cp932" else zipfile.ZipInfo)(name, ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o100644 << 16
            z.writestr(zi, data, compresslevel=6)
    members = sum(counts.values())
    print("mixed.zip: %d members, %.1f MB in, %.1f MB zip, names %s (jpeg %d, png %d, text %d, "
          "csv %d)" % (members, raw / 1e6, os.path.getsize(path) / 1e6, names, counts["jpeg"],
                       counts["png"], counts["text"], counts["csv"]))


# ---- zips written field by field, for the bombs -----------------------------

def dos_time(t=ZIP_TIME):
    return ((t[3] << 11) | (t[4] << 5) | (t[5] // 2),
            ((t[0] - 1980) << 9) | (t[1] << 5) | t[2])


def local_header(name, crc, csize, usize, method=8):
    dtime, ddate = dos_time()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, dtime, ddate, crc, csize,
                       usize, len(name), 0) + name


def central_entry(name, crc, csize, usize, offset, method=8):
    dtime, ddate = dos_time()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | 20, 20, 0, method, dtime,
                       ddate, crc, csize, usize, len(name), 0, 0, 0, 0, 0o100644 << 16,
                       offset) + name


def end_record(count, cd_size, cd_offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)


def simple_zip(entries):
    """entries: (name bytes, deflated data, crc, size); no overlap, no tricks."""
    out, cd = bytearray(), bytearray()
    for name, body, crc, size in entries:
        cd += central_entry(name, crc, len(body), size, len(out))
        out += local_header(name, crc, len(body), size) + body
    cd_offset = len(out)
    out += cd + end_record(len(entries), len(cd), cd_offset)
    return bytes(out)


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


# CRC-32 of a concatenation from the CRCs of its parts (zlib's crc32_combine),
# so that gigabytes of content get a CRC without being produced.
def _gf2_times(mat, vec):
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1, crc2, len2):
    if len2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _gf2_square(odd)                            # two zero bits
    odd = _gf2_square(even)                            # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def repeated_stream(byte, mib):
    """A raw deflate stream of `mib` MiB of `byte`, its CRC and size, without
    compressing them all: after a full flush, every MiB compresses to the same
    bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes([byte]) * (1 << 20)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert first == piece
    stream = piece * mib + c.flush()
    crc, step, n, size = 0, zlib.crc32(chunk), mib, 1 << 20
    while n:  # binary ladder: crc of `mib` chunks
        if n & 1:
            crc = crc32_combine(crc, step, size)
        step = crc32_combine(step, step, size)
        size *= 2
        n >>= 1
    return stream, crc, mib << 20


def bomb_42(levels=5, fanout=16, bottom_mib=4095):
    """42.zip: a zip of 16 zips of 16 zips ... of one big file of zeros."""
    body, crc, size = repeated_stream(0, bottom_mib)
    z = simple_zip([(b"0.txt", body, crc, size)])
    prefixes = ["page", "doc", "chapter", "book", "lib"]
    expanded = size
    for level in range(levels):
        inner = deflate(z)
        icrc = zlib.crc32(z)
        entries = [(("%s %x.zip" % (prefixes[level % 5], k)).encode(), inner, icrc, len(z))
                   for k in range(fanout)]
        z = simple_zip(entries)
        expanded *= fanout
    return z, expanded


def bomb_overlap(files=250, kernel_mib=21):
    """Fifield's overlapping-entry bomb: entry i's data is a non-final stored
    deflate block holding entry i+1's local header, then (the same bytes as)
    entry i+1's data; the last entry's data is the kernel. Every entry
    inflates to the kernel's content plus the quoted headers."""
    kernel, kcrc, ksize = repeated_stream(ord("a"), kernel_mib)
    names = [("%03d.txt" % i).encode() for i in range(files)]
    crc, csize, usize = [0] * files, [0] * files, [0] * files
    headers = [b""] * files
    crc[-1], csize[-1], usize[-1] = kcrc, len(kernel), ksize
    for i in range(files - 2, -1, -1):  # from the end: each header quotes the next
        headers[i + 1] = local_header(names[i + 1], crc[i + 1], csize[i + 1], usize[i + 1])
        quoted = len(headers[i + 1])
        usize[i] = quoted + usize[i + 1]
        crc[i] = crc32_combine(zlib.crc32(headers[i + 1]), crc[i + 1], usize[i + 1])
        csize[i] = 5 + quoted + csize[i + 1]
    headers[0] = local_header(names[0], crc[0], csize[0], usize[0])
    out, offsets = bytearray(), []
    for i in range(files):
        offsets.append(len(out))
        out += headers[i]
        if i < files - 1:  # BFINAL 0, BTYPE 00 (stored), LEN, NLEN
            n = len(headers[i + 1])
            out += struct.pack("<BHH", 0, n, n ^ 0xFFFF)
        else:
            out += kernel
    cd = b"".join(central_entry(names[i], crc[i], csize[i], usize[i], offsets[i])
                  for i in range(files))
    cd_offset = len(out)
    out += cd + end_record(files, len(cd), cd_offset)
    return bytes(out), sum(usize)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mb", type=float, default=200, help="size of mixed.zip in MB")
    ap.add_argument("--names", choices=("cp932", "utf-8"), default="cp932")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for name, (data, expanded) in (("bomb-42.zip", bomb_42()),
                                   ("bomb-overlap.zip", bomb_overlap())):
        with open(os.path.join(a.dir, name), "wb") as f:
            f.write(data)
        print("%s: %d bytes, expands to %.3g bytes" % (name, len(data), expanded))
    mixed_zip(os.path.join(a.dir, "mixed.zip"), int(a.mb * 1e6), a.names)


if __name__ == "__main__":
    main()
