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
