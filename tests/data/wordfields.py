# wordfields.py - an independent reading of Word field codes for the checks
# of ooxml, rtf and ole2 outputs (checks_ooxml.py, checks_rtf.py,
# checks_ole2.py). It shares no code with sanitizer/office-fields.c: it is
# written from Word's field reference and mugaika(7) "Word fields", with
# Python's unicodedata for what counts as a space or a letter.
#
# problem(code, computed, nested) says why a field with this code must not
# be in an output (None when it may): a keyword that runs or fetches
# something (DDE, DDEAUTO, INCLUDETEXT, INCLUDE, INCLUDEPICTURE, IMPORT,
# LINK, DATABASE, RD, DATA, SUBSCRIBER, PRINT, MACROBUTTON but NoMacro), a
# keyword computed by a nested field, a HYPERLINK to anything but http(s)
# with a host, mailto or a bookmark, or whose target a nested field makes.
# The keyword is read after any spaces, quotes and non-ASCII characters,
# full-width letters folded (NFKC); a control, format or space character
# inside it is read both as nothing and as a break.
#
# ooxml_field_problems(name, data) walks a WordprocessingML part with
# expat: complex fields (code from w:instrText, w:delInstrText, w:t and
# w:delText between begin and separate, read as written, with tracked
# changes accepted and rejected), w:fldSimple, nested fields, stories
# (text boxes, notes, comments) of their own; legacy form field macros.
#
# doc_text(word, table) reads a Word 97 document's text through its piece
# table (for checks_ole2.py) and doc_field_problems(text) judges its fields.
import re
import struct
import unicodedata
import xml.parsers.expat

REMOVED = {"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDE", "INCLUDEPICTURE", "IMPORT", "LINK",
           "DATABASE", "RD", "DATA", "SUBSCRIBER", "PRINT"}
QUOTES = "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\uff02\uff07"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def _kind(ch):
    """'letter' (with its upper-case ASCII), 'space', 'quote', 'soft' or 'other'."""
    if ch in " \t":
        return "space", None
    if ch in QUOTES:
        return "quote", None
    if ch == "\ufffc" or (ch != "\x00" and unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl",
                                                                          "Zp")):
        return "soft", None
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and folded.isascii() and folded.isalpha():
        return "letter", folded.upper()
    return "other", None


def _skip_leading(code):
    i = 0
    while i < len(code):
        kind, _ = _kind(code[i])
        if kind == "letter" or (kind == "other" and code[i].isascii()):
            break
        i += 1
    return i


def keyword_open(code):
    """True when the code ends before its keyword is complete."""
    for ch in code[_skip_leading(code):]:
        if _kind(ch)[0] not in ("letter", "soft"):
            return False
    return True


def _candidates(code):
    """(keyword, rest of the code) for every reading of the keyword."""
    i = _skip_leading(code)
    word = ""
    out = []
    while i < len(code):
        kind, up = _kind(code[i])
        if kind == "letter":
            word += up
        elif kind == "soft":
            if word:
                out.append((word, code[i:]))
        else:
            break
        i += 1
    if word:
        out.append((word, code[i:]))
    return out


def _args(rest):
    rest = "".join(" " if _kind(c)[0] == "soft" else c for c in rest)
    return [(q, w) for q, w in re.findall(r'"([^"]*)"?|([^\s"]+)', rest)]


def target_ok(t):
    """The default [links] schemes: http/https with a host, mailto; nothing with a
    control character or a backslash."""
    t = t.lstrip("".join(chr(c) for c in range(33)))
    if any(ord(c) < 32 or c in "\\\x7f" for c in t):
        return False
    return bool(re.match(r"(?i)(https?://[^/]|mailto:)", t))


def _hyperlink_problem(rest, nested):
    if nested:
        return "HYPERLINK whose target comes from a nested field"
    skip = False
    for quoted, word in _args(rest):
        if skip:
            skip = False
            continue
        if word.startswith("\\") and len(word) >= 2 and word[1] != "\\":
            skip = len(word) == 2 and word[1].lower() in "lot*#@"
            continue
        target = quoted if quoted or not word else word
        if target and not target_ok(target):
            return "HYPERLINK to %r" % target[:60]
    return None


def problem(code, computed=False, nested=False):
    """Why a field with this code may not stay in an output, or None."""
    if computed:
        return "keyword computed by a nested field (%r)" % code[:40]
    for kw, rest in _candidates(code):
        if kw in REMOVED:
            return "field %s (%r)" % (kw, code[:60])
        if kw == "MACROBUTTON":
            args = _args(rest)
            first = (args[0][0] or args[0][1]) if args else ""
            if first.lower() != "nomacro":
                return "MACROBUTTON %r" % first
        if kw == "HYPERLINK":
            why = _hyperlink_problem(rest, nested)
            if why:
                return why
    return None


# ---------------------------------------------------------------- OOXML

class _Field:
    def __init__(self):
        self.pieces = []   # (text, change) with change in "", "del", "ins"
        self.in_code = True
        self.computed = False
        self.nested = False

    def readings(self):
        return ["".join(t for t, c in self.pieces),
                "".join(t for t, c in self.pieces if c != "del"),
                "".join(t for t, c in self.pieces if c != "ins")]

    def on_nested(self):
        self.nested = True
        if any(keyword_open(r) for r in self.readings()):
            self.computed = True


STORIES = {"txbxContent", "footnote", "endnote", "comment", "docPart"}
RUN_CHARS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-",
             "softHyphen": "\u00ad"}


def ooxml_field_problems(name, data):
    """Problems of the Word fields in one WordprocessingML part (bytes)."""
    problems = []
    stories = [[]]          # a stack of stacks of open _Field
    path = []               # (namespace, local name) of open elements
    state = {"del": 0, "ins": 0, "text": None, "change": ""}

    def judge(f, where):
        for code in f.readings():
            why = problem(code, f.computed, f.nested)
            if why:
                problems.append("%s: %s %s" % (name, where, why))
                return

    def current():
        fields = stories[-1]
        return fields[-1] if fields and fields[-1].in_code else None

    def add(text, change):
        f = current()
        if f is not None and text:
            f.pieces.append((text, change))

    def change_now(deleted):
        if deleted or state["del"]:
            return "del"
        return "ins" if state["ins"] else ""

    def start(tag, attrs):
        ns, _, ln = tag.rpartition(" ")
        ns = W if ns == W_STRICT else ns
        attrs = {k.replace(W_STRICT, W): v for k, v in attrs.items()}
        parent = path[-1] if path else ("", "")
        path.append((ns, ln))
        if ns != W:
            if ln == "AlternateContent" and current() is not None:
                current().on_nested()   # Word reads one branch
            if parent == (W, "r"):
                add("\ufffc", change_now(False))
            return
        if ln in ("del", "moveFrom"):
            state["del"] += 1
        elif ln in ("ins", "moveTo"):
            state["ins"] += 1
        if ln in STORIES:
            stories.append([])
        if ln == "fldChar":
            kind = attrs.get(W + " fldCharType")
            fields = stories[-1]
            if kind == "begin":
                if current() is not None:
                    current().on_nested()
                fields.append(_Field())
            elif kind == "separate" and fields and fields[-1].in_code:
                fields[-1].in_code = False
                judge(fields[-1], "complex field")
            elif kind == "end" and fields:
                f = fields.pop()
                if f.in_code:
                    judge(f, "complex field")
        elif ln == "fldSimple":
            if current() is not None:
                current().on_nested()
            why = problem(attrs.get(W + " instr", ""))
            if why:
                problems.append("%s: w:fldSimple %s" % (name, why))
        elif ln in ("entryMacro", "exitMacro"):
            problems.append("%s: form field w:%s %r left" % (name, ln, attrs.get(W + " val")))
        elif ln in ("instrText", "delInstrText") or \
                (ln in ("t", "delText") and parent == (W, "r")):
            state["text"] = []
            state["change"] = change_now(ln.startswith("del"))
        elif parent == (W, "r") and ln != "rPr":
            if ln == "sym":
                c = int(attrs.get(W + " char", "fffc"), 16)
                add(chr(c - 0xF000 if 0xF000 <= c <= 0xF0FF else c), change_now(False))
            else:
                add(RUN_CHARS.get(ln, "\ufffc"), change_now(False))

    def end(tag):
        ns, _, ln = tag.rpartition(" ")
        ns = W if ns == W_STRICT else ns
        path.pop()
        if ns != W:
            return
        if state["text"] is not None and ln in ("instrText", "delInstrText", "t", "delText"):
            add("".join(state["text"]), state["change"])
            state["text"] = None
        if ln in ("del", "moveFrom"):
            state["del"] -= 1
        elif ln in ("ins", "moveTo"):
            state["ins"] -= 1
        elif ln == "p":
            add("\n", change_now(False))
        if ln in STORIES:
            for f in stories.pop():
                if f.in_code:
                    judge(f, "complex field left open")

    def chars(text):
        if state["text"] is not None:
            state["text"].append(text)

    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        problems.append("%s: not well-formed XML: %s" % (name, e))
        return problems
    for f in stories[0]:
        if f.in_code:
            judge(f, "complex field left open")
    return problems


# ---------------------------------------------------------------- Word 97

def doc_text(word, table0, table1):
    """The text of a Word 97 document through its piece table, as str."""
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    table = table1 if flags & 0x0200 else table0
    pos = 32
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + 2 * csw
    cslw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + 4 * cslw
    pos += 2
    fc_clx, lcb_clx = struct.unpack_from("<II", word, pos + 8 * 33)
    clx = table[fc_clx:fc_clx + lcb_clx]
    i = 0
    while clx[i] == 0x01:
        i += 3 + struct.unpack_from("<H", clx, i + 1)[0]
    if clx[i] != 0x02:
        raise ValueError("no piece table")
    size = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5:i + 5 + size]
    n = (size - 4) // 12
    cps = struct.unpack_from("<%dI" % (n + 1), plc, 0)
    out = []
    for k in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        count = cps[k + 1] - cps[k]
        if fc & 0x40000000:
            off = (fc & 0x3FFFFFFF) // 2
            out.append(word[off:off + count].decode("cp1252", "replace"))
        else:
            out.append(word[fc:fc + 2 * count].decode("utf-16-le", "replace"))
    return "".join(out)


def doc_field_problems(text):
    """Problems of the fields of a Word 97 text (0x13 code 0x14 result 0x15)."""
    problems = []
    stack = []   # [code, computed, nested, in_code]
    for ch in text:
        if ch == "\x13":
            if stack and stack[-1][3]:
                stack[-1][2] = True
                stack[-1][1] = stack[-1][1] or keyword_open(stack[-1][0])
            stack.append(["", False, False, True])
        elif ch in "\x14\x15" and stack:
            f = stack[-1]
            if f[3]:
                why = problem(f[0], f[1], f[2])
                if why:
                    problems.append(why)
                f[3] = False
            if ch == "\x15":
                stack.pop()
        elif stack and stack[-1][3]:
            stack[-1][0] += {"\x1f": "\u00ad", "\x1e": "\u2011"}.get(ch, ch)
    for f in stack:
        if f[3]:
            why = problem(f[0], f[1], f[2])
            if why:
                problems.append(why)
    return problems
