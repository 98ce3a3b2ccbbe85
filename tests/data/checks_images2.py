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


def pages_of(data):
    im = open_image(data)
    out = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        im.load()
        out.append((im.size, im.mode, im.tobytes(), dict(im.tag_v2)))
    return out


def tiff_compare_pages(ctx, tolerance):
    a, b = pages_of(ctx["input"]), pages_of(ctx["output"])
    if len(a) != len(b):
        fail("%d pages became %d", len(a), len(b))
    for i, (pa, pb) in enumerate(zip(a, b)):
        if pa[0] != pb[0]:
            fail("page %d: size %s became %s", i, pa[0], pb[0])
        if tolerance == 0:
            if pa[1] != pb[1]:
                fail("page %d: mode %s became %s", i, pa[1], pb[1])
            if pa[2] != pb[2]:
                fail("page %d: pixels differ", i)
            continue
        if pa[1] != pb[1] or len(pa[2]) != len(pb[2]):
            fail("page %d: mode %s became %s", i, pa[1], pb[1])
        diffs = [abs(x - y) for x, y in zip(pa[2], pb[2])]
        if max(diffs) > tolerance or sum(diffs) / len(diffs) > 1.0:
            fail("page %d: pixels differ by up to %d (mean %.2f)", i, max(diffs),
                 sum(diffs) / len(diffs))


def check_tiff_pages(ctx):
    """PIL (its own IFD reader): same number of pages, and per page the same
    size, mode and pixels."""
    if open_image(ctx["output"]).format != "TIFF":
        fail("output is not a TIFF")
    tiff_compare_pages(ctx, 0)


def check_tiff_pages_close(ctx):
    """As tiff-pages, for JPEG-compressed input: decoders may round YCbCr
    differently, so samples may differ by a few steps."""
    tiff_compare_pages(ctx, 8)


# what a rebuilt page may carry (PIL's tag numbers)
TIFF_ALLOWED = {254, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 282, 283, 284, 292,
                293, 296, 297, 317, 320, 338, 339}


def check_tiff_tags(ctx):
    """Every output page holds only structural tags, orientation, resolution
    and page numbers; orientation and resolution are the input's."""
    a, b = pages_of(ctx["input"]), pages_of(ctx["output"])
    for i, (_, _, _, tags) in enumerate(b):
        bad = sorted(set(tags) - TIFF_ALLOWED)
        if bad:
            fail("page %d keeps tags %s", i, bad)
        if i < len(a):
            for t in (274, 282, 283, 296):
                if t in a[i][3] and a[i][3].get(t) != tags.get(t):
                    fail("page %d: tag %d %r became %r", i, t, a[i][3].get(t), tags.get(t))


def raw_samples(data):
    """libtiff's tiffcp writes the pages uncompressed and contiguous; the
    strips are then read by the small walker here."""
    import struct
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.tif"), os.path.join(d, "out.tif")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["tiffcp", "-c", "none", "-p", "contig", "-s", src, dst], check=True,
                       stderr=subprocess.DEVNULL)
        with open(dst, "rb") as f:
            t = f.read()
    e = "<" if t[:2] == b"II" else ">"
    ifd, = struct.unpack(e + "I", t[4:8])
    n, = struct.unpack(e + "H", t[ifd:ifd + 2])
    tags = {}
    for i in range(n):
        tag, typ, cnt, val = struct.unpack(e + "HHII", t[ifd + 2 + 12 * i:ifd + 14 + 12 * i])
        size = {3: 2, 4: 4}.get(typ, 1)
        raw = t[ifd + 10 + 12 * i:ifd + 14 + 12 * i] if cnt * size <= 4 else t[val:val + cnt * size]
        vals = struct.unpack(e + ("H" if size == 2 else "I") * cnt, raw[:cnt * size]) \
            if size in (2, 4) else raw
        tags[tag] = vals
    return (tags[256], tags[257], tags[258],
            b"".join(t[o:o + c] for o, c in zip(tags[273], tags[279])))


def check_tiff_samples(ctx):
    """First page's samples at full depth (tiffcp decompresses, the walker here
    reads the strips): identical bits, sizes and depths."""
    a, b = raw_samples(ctx["input"]), raw_samples(ctx["output"])
    if a[:3] != b[:3]:
        fail("size/depth %s became %s", a[:3], b[:3])
    if a[3] != b[3]:
        fail("samples differ")


CHECKS.update({
    "tiff-pages": check_tiff_pages,
    "tiff-pages-close": check_tiff_pages_close,
    "tiff-tags": check_tiff_tags,
    "tiff-samples": check_tiff_samples,
})


def heif_convert(data):
    """libheif's heif-convert decodes the input (the reference decoding)."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.heic"), os.path.join(d, "out.png")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["heif-convert", src, dst], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if not os.path.exists(dst):  # several top-level images: out-1.png is the first
            dst = os.path.join(d, "out-1.png")
        with open(dst, "rb") as f:
            return open_image(f.read())


def check_heif_decoded(ctx):
    """heif-convert's decoding of the input against PIL's of the output: same
    size; RGBA identical for a PNG output (alpha), PSNR of at least 30 dB for
    the JPEG (quality 92, 4:2:0, on grainy test pictures: about 32-36 dB); the output holds a single image (no EXIF, no thumbnail)."""
    import math
    a, b = heif_convert(ctx["input"]), open_image(ctx["output"])
    if a.size != b.size:
        fail("size %s became %s", a.size, b.size)
    if b.format == "PNG":
        if rgba(a) != rgba(b):
            fail("PNG output: RGBA pixels differ from heif-convert's")
        return
    if b.format != "JPEG":
        fail("output is %s, not JPEG", b.format)
    pa, pb = a.convert("RGB").tobytes(), b.convert("RGB").tobytes()
    mse = sum((x - y) ** 2 for x, y in zip(pa, pb)) / len(pa)
    psnr = 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)
    if psnr < 30:
        fail("PSNR %.1f dB against heif-convert's decoding (want >= 30)", psnr)


CHECKS.update({"heif-decoded": check_heif_decoded})


SVG_NS = "http://www.w3.org/2000/svg"
SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "set", "animate",
                 "animateMotion", "animateTransform", "animateColor", "handler", "listener"}


def squeeze(value):
    return "".join(c for c in value if c > " ").lower()


def svg_walk(data):
    """expat, without DTD or entities: (elements [(ns, name, attrs)], texts,
    has_doctype, processing instructions)."""
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    out = {"elements": [], "texts": [], "doctype": False, "pis": []}

    def start(name, attrs):
        ns, _, local = name.rpartition(" ")
        out["elements"].append((ns, local, attrs))

    p.StartElementHandler = start
    p.CharacterDataHandler = lambda t: out["texts"].append(t)
    p.StartDoctypeDeclHandler = lambda *a: out.__setitem__("doctype", True)
    p.ProcessingInstructionHandler = lambda t, d: out["pis"].append(t)
    p.EntityDeclHandler = lambda *a: fail("output declares an entity")
    p.Parse(data, True)
    return out


def check_data_uri(uri):
    import base64
    head, _, payload = uri.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        fail("data: URI of another kind: %r", head)
    raw = base64.b64decode(payload)
    if b"PK\x03\x04" in raw or b"<script" in raw or b"javascript:" in raw.lower():
        fail("an embedded %s still carries a zip or a script", head)
    if head.startswith("data:image/svg+xml"):
        check_svg_bytes(raw)
    else:
        open_image(raw)


def check_svg_bytes(data):
    w = svg_walk(data)
    if w["doctype"]:
        fail("output has a DOCTYPE")
    if w["pis"]:
        fail("output has processing instructions %s", w["pis"])
    for ns, name, attrs in w["elements"]:
        if ns != SVG_NS:
            fail("element %s in namespace %r", name, ns)
        if name in SVG_FORBIDDEN:
            fail("output keeps <%s>", name)
        for k, v in attrs.items():
            local = k.rpartition(" ")[2]
            sv = squeeze(v)
            if local.lower().startswith("on"):
                fail("<%s> keeps event attribute %s", name, local)
            if "javascript:" in sv or "vbscript:" in sv or "expression(" in sv:
                fail("<%s %s=%r>", name, local, v)
            for u in re.findall(r"url\(([^)]*)\)", sv):
                if not u.strip("'\"").startswith("#"):
                    fail("<%s %s> points outside: url(%s)", name, local, u)
            if local == "href":
                if v.startswith("#"):
                    continue
                if name == "a" and re.match(r"(?i)^(https?:|mailto:)", v):
                    continue
                if name in ("image", "feImage") and v.startswith("data:"):
                    check_data_uri(v)
                    continue
                fail("<%s href=%r>", name, v)
    css = "".join(w["texts"]).lower()
    if "@import" in css or "expression(" in css or "javascript:" in css:
        fail("style or text keeps @import, expression() or javascript:")
    for u in re.findall(r"url\(([^)]*)\)", squeeze("".join(w["texts"]))):
        if not u.strip("'\"").startswith("#"):
            fail("a stylesheet points outside: url(%s)", u)


def check_svg_clean(ctx):
    """Python's expat (no DTD, no entities) reads the output: no DOCTYPE, no
    processing instruction, only SVG-namespace elements, no script,
    foreignObject, iframe or animation, no event attribute, no javascript:
    or expression() anywhere, url() and href only to #ids, links only http(s)
    and mailto, embedded pictures only data:image/ that PIL (or, for SVG,
    this check) reads, with no zip or script inside."""
    check_svg_bytes(ctx["output"])


def rsvg_render(data):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.svg"), os.path.join(d, "out.png")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["rsvg-convert", "-o", dst, src], check=True,
                       stderr=subprocess.DEVNULL)
        with open(dst, "rb") as f:
            return open_image(f.read())


def check_svg_render_same(ctx):
    """librsvg's rsvg-convert renders input and output to the same pixels."""
    a, b = rsvg_render(ctx["input"]), rsvg_render(ctx["output"])
    if a.size != b.size:
        fail("rendered size %s became %s", a.size, b.size)
    if rgba(a) != rgba(b):
        pa, pb = rgba(a), rgba(b)
        fail("renderings differ (%d of %d bytes)", sum(1 for x, y in zip(pa, pb) if x != y),
             len(pa))


CHECKS.update({"svg-clean": check_svg_clean, "svg-render-same": check_svg_render_same})
