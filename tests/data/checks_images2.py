# checks_images2.py - independent checks for the BMP, TIFF, WebP, HEIF and SVG
# handlers (loaded by run-fixtures.py). Readers: PIL for BMP/TIFF/WebP/JPEG
# pixels, frames and tags; libtiff's tiffinfo for tags by number; libheif's
# heif-convert for decoding the HEIC inputs; librsvg's rsvg-convert for
# rendering SVG; Python's expat (no DTD, no entities) for SVG structure.
# Never mugaika's own code.
import io
import os
import re
import subprocess
import tempfile
import xml.parsers.expat

try:
    from PIL import Image, ImageSequence
except ImportError:
    Image = None


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


def open_image(data):
    if Image is None:
        fail("PIL is not available to this interpreter (use /usr/bin/python3)")
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def rgba(im):
    return im.convert("RGBA").tobytes()


def png_chunk_types(data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        fail("output is not a PNG")
    pos, types = 8, []
    while pos + 8 <= len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        types.append(data[pos + 4:pos + 8].decode("latin-1"))
        pos += 12 + n
    return types


def check_bmp_pixels(ctx):
    """PIL reads the BMP input and the PNG output: same size, same RGBA pixels;
    the output is a PNG with only critical chunks."""
    a, b = open_image(ctx["input"]), open_image(ctx["output"])
    if b.format != "PNG":
        fail("output is %s, not PNG", b.format)
    bad = [t for t in png_chunk_types(ctx["output"]) if t not in ("IHDR", "PLTE", "IDAT", "IEND")]
    if bad:
        fail("output has chunks %s", bad)
    if a.size != b.size:
        fail("size %s became %s", a.size, b.size)
    if rgba(a) != rgba(b):
        pa, pb = rgba(a), rgba(b)
        fail("RGBA pixels differ (%d of %d bytes)",
             sum(1 for x, y in zip(pa, pb) if x != y), len(pa))


CHECKS = {
    "bmp-pixels": check_bmp_pixels,
}


def riff_chunks(data):
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        fail("output is not a RIFF/WEBP file")
    size = int.from_bytes(data[4:8], "little")
    if size + 8 != len(data):
        fail("RIFF size %d does not match the file (%d bytes)", size + 8, len(data))
    pos, out = 12, []
    while pos + 8 <= len(data):
        n = int.from_bytes(data[pos + 4:pos + 8], "little")
        out.append(data[pos:pos + 4].decode("latin-1"))
        if pos + 8 + n > len(data):
            fail("chunk %s runs past the end", out[-1])
        pos += 8 + n + (n & 1)
    if pos != len(data):
        fail("bytes after the last chunk")
    return out


def check_webp_chunks(ctx):
    """Output chunks limited to image data and animation; RIFF size exact."""
    bad = [c for c in riff_chunks(ctx["output"])
           if c not in ("VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF")]
    if bad:
        fail("output keeps chunks %s", bad)


def frames_of(im):
    out = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        out.append((im.info.get("duration"), im.convert("RGBA").tobytes()))
    return out


def check_webp_frames(ctx):
    """PIL: same canvas size, frame count, loop count, per-frame durations and
    composited RGBA (exact: the output is lossless and made from libwebp's
    decoding of the input, which is what PIL shows too)."""
    a, b = open_image(ctx["input"]), open_image(ctx["output"])
    if b.format != "WEBP":
        fail("output is %s, not WebP", b.format)
    if a.size != b.size:
        fail("size %s became %s", a.size, b.size)
    if getattr(a, "n_frames", 1) > 1 and a.info.get("loop") != b.info.get("loop"):
        fail("loop %r became %r", a.info.get("loop"), b.info.get("loop"))
    fa, fb = frames_of(a), frames_of(b)
    if len(fa) != len(fb):
        fail("%d frames became %d", len(fa), len(fb))
    for i, ((da, pa), (db, pb)) in enumerate(zip(fa, fb)):
        if len(fa) > 1 and da != db:
            fail("frame %d: duration %r ms became %r", i, da, db)
        if pa != pb:
            fail("frame %d: RGBA pixels differ", i)


def check_webp_pixels_exact(ctx):
    """The output is lossless: dwebp (libwebp's own tool) decodes input and
    output to the same PAM bytes."""
    def dwebp(data):
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in.webp"), os.path.join(d, "out.pam")
            with open(src, "wb") as f:
                f.write(data)
            subprocess.run(["dwebp", "-quiet", src, "-pam", "-o", dst], check=True)
            with open(dst, "rb") as f:
                return f.read()
    if dwebp(ctx["input"]) != dwebp(ctx["output"]):
        fail("dwebp decodes the output to other pixels than the input")
    if b"VP8L" not in ctx["output"][12:20]:
        fail("output is not a simple lossless (VP8L) file")


CHECKS.update({
    "webp-chunks": check_webp_chunks,
    "webp-frames": check_webp_frames,
    "webp-pixels-exact": check_webp_pixels_exact,
})
