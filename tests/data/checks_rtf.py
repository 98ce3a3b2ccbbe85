# checks_rtf.py - an independent check of the rtf handler's output, plugged
# into run-fixtures.py. It shares no code with sanitizer/rtf*.c: a small RTF
# tokenizer written here from the RTF 1.9.1 specification.
#
# rtf-clean: the output is 7-bit ASCII, starts with {\rtf1, has balanced
# braces nested at most 1000 deep and nothing after the final brace; no \binN;
# no control word, in any letter case, that makes an object, a data store, a
# template, a mail merge source, an embedded font or theme data; no field the
# rules of mugaika(7) "Word fields" remove, its code gathered from all its runs
# and groups (not \* ones), \'hh in the \ansicpg code page, \uN, \par, \tab,
# \~ and the like as their characters, \upr{ANSI}{\*\ud{Unicode}} read both ways,
# and judged by wordfields.py (DDE,
# DDEAUTO, INCLUDE*, IMPORT, LINK, DATABASE, RD, PRINT, MACROBUTTON but NoMacro,
# a keyword computed by a nested field, HYPERLINK targets but http(s)/mailto/a
# bookmark); \hlsrc targets the same; no shape property naming a linked
# picture (pibName, *BlipName); picture data is hex only and PNG/JPEG
# pictures decode with PIL, with nothing after IEND/EOI.
import codecs
import io
import re

import wordfields

FORBIDDEN = {"object", "objdata", "objclass", "objemb", "objlink", "objautlink",
             "objupdate", "objocx", "objhtml", "objname", "objalias", "objsect",
             "oleclsid", "datastore", "template", "mailmerge", "fontemb", "fontfile",
             "themedata", "colorschememapping", "bin"}
CHAR_WORDS = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "column": "\n",
              "cell": "\n", "row": "\n", "tab": "\t", "emspace": "\u2003",
              "enspace": "\u2002", "qmspace": "\u2005", "zwj": "\u200d", "zwnj": "\u200c",
              "zwbo": "\u200b", "zwnbo": "\ufeff", "ltrmark": "\u200e", "rtlmark": "\u200f",
              "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c",
              "rdblquote": "\u201d"}
SYMBOL_CHARS = {b"~": "\u00a0", b"-": "\u00ad", b"_": "\u2011", b"\\": "\\", b"{": "{",
                b"}": "}"}
TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|"
                   rb"([\r\n]+)|([^\\{}\r\n]+)", re.S)


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


class Text:
    """Text gathered from a group: bytes (escapes, plain text) and characters
    (\\uN, special words), decoded in the document's code page. Items from
    \\upr{ANSI}{\\*\\ud{Unicode}} are tagged, for the two readings."""

    def __init__(self):
        self.items = []   # (tag, bytes or str): tag None, "ansi" or "ud"

    def add_bytes(self, b):
        self.items.append((None, bytes(b)))

    def add_char(self, c):
        self.items.append((None, c))

    def extend(self, other, tag=None):
        self.items.extend((t or tag, it) for t, it in other.items)

    def value(self, codec, without=None):
        """The text, leaving out the items tagged `without`."""
        out, pending = [], b""
        for tag, it in self.items + [(None, "")]:
            if without is not None and tag == without:
                continue
            if isinstance(it, bytes):
                pending += it
                continue
            if pending:
                out.append(pending.decode(codec, "replace"))
                pending = b""
            out.append(it)
        return "".join(out)

    def readings(self, codec):
        """As a reader of the ANSI text and as a Unicode reader read it."""
        return [self.value(codec, "ud"), self.value(codec, "ansi")]


class Group:
    def __init__(self, parent):
        self.parent = parent
        self.dest = None        # first control word
        self.star = False
        self.text = Text()      # text of this group and its non-\* descendants
        self.hexdata = bytearray()
        self.words = []
        self.computed = False   # a \field: a nested field began before its keyword ended
        self.nested = False


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


def note_nested_field(g, codec):
    """A \\field group g begins: when it is inside another field's code, that
    field has a nested field, and a computed keyword if its code so far (the
    \\fldinst text and that of the groups still open below it) has no complete
    keyword in either reading."""
    chain, c = [], g.parent
    while c is not None and c.dest != "fldinst" and not c.star:
        chain.append(c)
        c = c.parent
    if c is None or c.dest != "fldinst" or c.parent is None or c.parent.dest != "field":
        return
    code = Text()
    code.extend(c.text)
    for x in reversed(chain):
        code.extend(x.text)
    outer = c.parent
    outer.nested = True
    outer.computed = outer.computed or any(wordfields.keyword_open(t)
                                           for t in code.readings(codec))


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
    codec = "cp1252"
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
                f = g.parent if g.parent is not None and g.parent.dest == "field" else None
                for code in g.text.readings(codec):
                    why = wordfields.problem(code, f is not None and f.computed,
                                             f is not None and f.nested)
                    if why:
                        fail("%s left in the output", why)
            if g.dest == "pict":
                check_picture(g)
            if g.dest == "sn":
                for t in g.text.readings(codec):
                    if re.search(r"(?i)(blipname|^pibname)\s*$", t.strip()):
                        fail("shape property %r (a linked picture) left in the output",
                             t.strip())
            if g.dest == "hlsrc":
                for t in g.text.readings(codec):
                    if t.strip() and not wordfields.target_ok(t.strip()):
                        fail("\\hlsrc %r left in the output", t.strip())
            parent = g.parent
            if parent is not None and g.dest == "ud" and parent.dest == "upr":
                parent.text.extend(g.text, "ud")
            elif parent is not None and g.dest == "upr":
                parent.text.extend(g.text, "ansi")
            elif parent is not None and not g.star and g.dest not in ("pict", "fldrslt",
                                                                      "field"):
                parent.text.extend(g.text)
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
                if name == "field":
                    note_nested_field(g, codec)
            pending_star = False
            g.words.append(name)
            if name == "ansicpg" and param:
                try:
                    codec = codecs.lookup("cp%d" % int(param)).name
                except LookupError:
                    codec = "cp1252"
            if name == "u" and param:
                v = int(param)
                g.text.add_char(chr(v + 65536 if v < 0 else v))
                uc_skip = 1
            elif name in CHAR_WORDS:
                g.text.add_char(CHAR_WORDS[name])
            continue
        if sym is not None:
            if sym == b"*":
                pending_star = True
            elif sym in SYMBOL_CHARS:
                g.text.add_char(SYMBOL_CHARS[sym])
            continue
        if hexb is not None:
            if uc_skip:
                uc_skip -= 1
            else:
                g.text.add_bytes(bytes([int(hexb, 16)]))
            continue
        if text is not None:
            if g.dest == "pict":
                g.hexdata += text
            else:
                if uc_skip:
                    text = text[uc_skip:]
                    uc_skip = 0
                g.text.add_bytes(text)
    if depth != 0 or ended is None:
        fail("unbalanced braces: %d groups left open", depth)


CHECKS = {
    "rtf-clean": check_rtf_clean,
}
