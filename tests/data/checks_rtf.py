# checks_rtf.py - an independent check of the rtf handler's output, plugged
# into run-fixtures.py. It shares no code with sanitizer/rtf*.c: a small RTF
# tokenizer written here from the RTF 1.9.1 specification.
#
# rtf-clean: the output is 7-bit ASCII, starts with {\rtf1, has balanced
# braces nested at most 1000 deep and nothing after the final brace; no \binN;
# no control word, in any letter case, that makes an object, a data store, a
# template, a mail merge source, an embedded font or theme data; no field whose
# instruction (gathered from all its runs, \'hh and \uN) starts with DDE,
# DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, INCLUDE, IMPORT, LINK, DATABASE or RD;
# HYPERLINK targets are http(s)/mailto or a bookmark; picture data is hex only
# and PNG/JPEG pictures decode with PIL, with nothing after IEND/EOI.
import io
import re

FORBIDDEN = {"object", "objdata", "objclass", "objemb", "objlink", "objautlink",
             "objupdate", "objocx", "objhtml", "objname", "objalias", "objsect",
             "oleclsid", "datastore", "template", "mailmerge", "fontemb", "fontfile",
             "themedata", "colorschememapping", "bin"}
RUNNING = {"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT",
           "LINK", "DATABASE", "RD"}
TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|"
                   rb"([\r\n]+)|([^\\{}\r\n]+)", re.S)


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


class Group:
    def __init__(self, parent):
        self.parent = parent
        self.dest = None        # first control word
        self.star = False
        self.text = bytearray()  # text of this group and its non-\* descendants
        self.hexdata = bytearray()
        self.words = []


def tokens(data):
    pos = 0
    while pos < len(data):
        m = TOKEN.match(data, pos)
        if not m:
            fail("cannot tokenize at byte %d", pos)
        pos = m.end()
        yield m


def check_picture(g):
    words = set(g.words)
    hexd = bytes(c for c in g.hexdata if c not in b" \t\r\n")
    if re.search(rb"[^0-9a-fA-F]", hexd):
        fail("non-hex bytes in picture data")
    raw = bytes.fromhex(hexd.decode()) if len(hexd) % 2 == 0 else fail("odd hex in picture")
    if not raw:
        return
    if "pngblip" in words or "jpegblip" in words:
        from PIL import Image
        im = Image.open(io.BytesIO(raw))
        im.load()
        if "pngblip" in words:
            end = raw.find(b"IEND")
            if im.format != "PNG" or end < 0 or end + 8 != len(raw):
                fail("pngblip is not a PNG ending at IEND")
        elif im.format != "JPEG" or not raw.endswith(b"\xff\xd9"):
            fail("jpegblip is not a JPEG ending at EOI")


def check_field_instr(text):
    s = text.decode("latin-1").lstrip(" \t\"")
    kw = re.match(r"[A-Za-z]*", s).group(0).upper()
    if kw in RUNNING:
        fail("field %s left in the output", kw)
    if kw == "HYPERLINK":
        args = re.findall(r'"([^"]*)"|(\S+)', s[len(kw):])
        skip = False
        for quoted, word in args:
            a = quoted or word
            if skip:
                skip = False
                continue
            if word and word.startswith("\\") and len(word) == 2:
                skip = word[1].lower() in "lot"
                continue
            if not re.match(r"(?i)(https?://|mailto:)", a):
                fail("hyperlink to %r left in the output", a)
            break


def check_rtf_clean(ctx):
    out = ctx["output"]
    if any(b > 0x7e or (b < 0x20 and b not in (9, 10, 13)) for b in out):
        fail("output is not 7-bit printable ASCII")
    if not out.startswith(b"{\\rtf1"):
        fail("output does not start with {\\rtf1")
    root = None
    g = None
    depth = 0
    pending_star = False
    uc_skip = 0
    ended = None
    for m in tokens(out):
        if ended is not None:
            if m.group(6) is None:
                fail("bytes after the final closing brace")
            continue
        word, param, hexb, sym, brace, nl, text = m.groups()
        if brace == b"{":
            g = Group(g)
            root = root or g
            depth += 1
            if depth > 1000:
                fail("groups nested deeper than 1000")
            continue
        if brace == b"}":
            if g is None:
                fail("unbalanced '}'")
            if g.dest == "fldinst":
                check_field_instr(bytes(g.text))
            if g.dest == "pict":
                check_picture(g)
            if g.dest == "hlsrc":
                t = bytes(g.text).decode("latin-1").strip()
                if t and not re.match(r"(?i)(https?://|mailto:)", t):
                    fail("\\hlsrc %r left in the output", t)
            parent = g.parent
            if parent is not None and not g.star and g.dest not in ("pict", "fldrslt"):
                parent.text += g.text
            g = parent
            depth -= 1
            if g is None:
                ended = m.end()
            continue
        if nl:
            continue
        if g is None:
            fail("content outside the document group")
        if word is not None:
            name = word.decode()
            if name.lower() in FORBIDDEN:
                fail("forbidden control word \\%s", name)
            if g.dest is None and not g.words:
                g.dest = name
                g.star = pending_star
            pending_star = False
            g.words.append(name)
            if name == "u" and param:
                v = int(param)
                g.text.append((v + 65536 if v < 0 else v) if 0 < v < 128 else 0x3f)
                uc_skip = 1
            continue
        if sym is not None:
            if sym == b"*":
                pending_star = True
            elif sym in (b"\\", b"{", b"}"):
                g.text += sym
            continue
        if hexb is not None:
            if uc_skip:
                uc_skip -= 1
            else:
                g.text.append(int(hexb, 16))
            continue
        if text is not None:
            if g.dest == "pict":
                g.hexdata += text
            else:
                if uc_skip:
                    text = text[uc_skip:]
                    uc_skip = 0
                g.text += text
    if depth != 0 or ended is None:
        fail("unbalanced braces: %d groups left open", depth)


CHECKS = {
    "rtf-clean": check_rtf_clean,
}
