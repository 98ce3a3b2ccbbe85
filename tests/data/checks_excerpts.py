# checks_excerpts.py - an independent check of the attachment text excerpts of
# mail text mode ([mail] attachment_text), plugged into run-fixtures.py. It
# shares no code with cdr/excerpt.c or sanitizer/excerpt-*.c.
#
# mail-excerpts: Python's email package reads the input mail and the output;
# the output text holds the heading "──── 添付ファイルの本文（テキスト化・抜粋） ────"
# and, below it, one "■ name" block per attachment of the input, in order.
# Each block is compared with the text an independent reader takes from the
# same attachment: poppler's pdftotext for PDF; zipfile + ElementTree for
# docx (w:t of the body, w:rt ruby and w:vanish runs left out), xlsx (first 30 rows of
# xl/worksheets/sheetN.xml by number, shared strings without rPh), pptx
# (a:t of ppt/slides/slideN.xml by number); a small RTF reader written here
# for RTF (its own tokenizer: font charsets, \'hh, \uN, skipped destinations);
# olefile and small readers written here for .doc (piece table, fields,
# deleted and hidden runs), .xls (BIFF8 SST with CONTINUE, cell records) and
# .ppt (persist directory, slide list, text atoms);
# Python's codecs for text; olefile for Outlook items (.msg): the forwarded
# heading, From/Date/Subject from the __substg1.0_ streams and the fixed
# properties, PR_BODY (or the no-body line), then each attachment's name and
# its own reader text, an embedded item (PR_ATTACH_DATA_OBJ) read the same way.
# The
# block's characters, white space dropped, NFC, "[U+XXXX]" read back as the
# character and a final "…" taken off, must be the start of the reader's
# (white space and control characters dropped, NFC). An entry's
# `excerpt_reasons` {name: text} says which blocks are a one-line reason
# holding that text instead; a PDF the reader finds no text in must say
# "（画像のみのため本文なし）".
import datetime
import email
import email.policy
import os
import re
import struct
import subprocess
import tempfile
import unicodedata
import struct
import zipfile
import olefile
import xml.etree.ElementTree as ET

import olefile

HEADING = "──── 添付ファイルの本文（テキスト化・抜粋） ────"
IMAGES_ONLY = "（画像のみのため本文なし）"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


class ExcerptCheckFailed(Exception):
    pass


def fail(msg, *args):
    raise ExcerptCheckFailed(msg % args if args else msg)


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        p = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.stdout.decode("utf-8", "replace") if p.returncode == 0 else None


def hidden_run(e):
    """A w:r whose w:rPr has w:vanish not turned off by w:val."""
    v = e.find(W + "rPr/" + W + "vanish") if e.tag == W + "r" else None
    return v is not None and v.get(W + "val", "true").lower() not in ("0", "false", "off")


def texts_outside(elem, text_tag, skip_tag):
    out = []

    def walk(e):
        if e.tag == skip_tag or hidden_run(e):
            return
        if e.tag == text_tag and e.text:
            out.append(e.text)
        for c in e:
            walk(c)
    walk(elem)
    return "".join(out)


def numbered(z, prefix):
    found = []
    for n in z.namelist():
        m = re.fullmatch(re.escape(prefix) + r"(\d+)\.xml", n)
        if m:
            found.append((int(m.group(1)), n))
    return [n for _, n in sorted(found)]


def ooxml_text(data):
    import io
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = z.namelist()
    except zipfile.BadZipFile:
        return None
    for n in names:
        if b"<!DOCTYPE" in z.read(n):
            return None
    if "word/document.xml" in names:
        root = ET.fromstring(z.read("word/document.xml"))
        return "\n".join(texts_outside(para, W + "t", W + "rt")
                         for para in root.iter(W + "p"))
    if "xl/workbook.xml" in names:
        shared = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(S + "si"):
                shared.append(texts_outside(si, S + "t", S + "rPh"))
        out = []
        for sheet in numbered(z, "xl/worksheets/sheet"):
            for row in list(ET.fromstring(z.read(sheet)).iter(S + "row"))[:30]:
                for c in row.iter(S + "c"):
                    v = c.find(S + "v")
                    if c.get("t") == "s" and v is not None:
                        out.append(shared[int(v.text)])
                    elif c.get("t") == "inlineStr":
                        out.append(texts_outside(c, S + "t", S + "rPh"))
                    elif v is not None and v.text:
                        out.append(v.text)
        return "\n".join(out)
    if "ppt/presentation.xml" in names:
        return "\n".join("".join(t.text or "" for t in ET.fromstring(z.read(s)).iter(A + "t"))
                         for s in numbered(z, "ppt/slides/slide"))
    return None


# ---- legacy Office, read with olefile and the small readers below --------

def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def doc_text(word, tables):
    """The body (ccpText characters) from the piece table; field codes
    (0x13 .. 0x14) out, revision-deleted or vanished runs (CHPX sprms
    0x0800 / 0x083C, from the FKPs) out."""
    if u16(word, 0) != 0xA5EC or u16(word, 0x0A) & 0x0100:
        return None
    table = tables[1 if u16(word, 0x0A) & 0x0200 else 0]
    p = 32
    p += 2 + 2 * u16(word, p)
    ccp_text = u32(word, p + 2 + 4 * 3)
    p += 2 + 4 * u16(word, p) + 2
    fc_clx, lcb_clx = struct.unpack_from("<II", word, p + 8 * 33)
    fc_bte, lcb_bte = struct.unpack_from("<II", word, p + 8 * 12)
    hidden = []
    nb = (lcb_bte - 4) // 8
    for i in range(nb):
        page = word[(u32(table, fc_bte + 4 * (nb + 1) + 4 * i) & 0x3FFFFF) * 512:][:512]
        runs = page[511]
        for r in range(runs):
            at = page[4 * (runs + 1) + r] * 2
            if not at:
                continue
            grpprl, q = page[at + 1:at + 1 + page[at]], 0
            while q + 2 <= len(grpprl):
                op = u16(grpprl, q)
                size = [1, 1, 2, 4, 2, 2, None, 3][op >> 13]
                q += 2
                if size is None:
                    size = grpprl[q] + 1
                if op in (0x0800, 0x083C) and grpprl[q] & 1:
                    hidden.append((u32(page, 4 * r), u32(page, 4 * r + 4)))
                q += size
    clx = table[fc_clx:fc_clx + lcb_clx]
    while clx[0] == 1:
        clx = clx[3 + u16(clx, 1):]
    plc = clx[5:5 + u32(clx, 1)]
    n = (len(plc) - 4) // 12
    out, fields = [], []
    for i in range(n):
        cp0, cp1 = u32(plc, 4 * i), u32(plc, 4 * i + 4)
        fc = u32(plc, 4 * (n + 1) + 8 * i + 2)
        width, off = (1, (fc & 0x3FFFFFFF) // 2) if fc & 0x40000000 else (2, fc)
        for k in range(max(0, min(cp1, ccp_text) - cp0)):
            at = off + k * width
            ch = (word[at:at + 1].decode("cp1252", "replace") if width == 1
                  else word[at:at + 2].decode("utf-16-le", "surrogatepass"))
            if any(a <= at < b for a, b in hidden):
                continue
            if ch == "\x13":
                fields.append(True)
            elif ch == "\x14" and fields:
                fields[-1] = False
            elif ch == "\x15" and fields:
                fields.pop()
            elif not any(fields):
                out.append({"\x07": "\t", "\r": "\n", "\x0b": "\n", "\x1e": "\u2011"}.get(ch, ch))
    return "".join(out)


def xls_text(wb):
    """BIFF8: the SST (strings split over CONTINUE with their option byte),
    then LABELSST / LABEL / NUMBER / RK / MULRK of each worksheet, 30 rows."""
    recs, p = [], 0
    while p + 4 <= len(wb):
        t, n = struct.unpack_from("<HH", wb, p)
        recs.append((p, t, wb[p + 4:p + 4 + n]))
        p += 4 + n
    if recs[0][1] != 0x0809 or u16(recs[0][2], 0) != 0x0600:
        return None
    sst, sheets = [], []
    for i, (pos, t, d) in enumerate(recs):
        if t == 0x000A:
            break
        if t == 0x002F:
            return None
        if t == 0x0085 and d[5] == 0:
            sheets.append(u32(d, 0))
        if t == 0x00FC:
            segs = [d[8:]]
            for _, tt, c in recs[i + 1:]:
                if tt != 0x003C:
                    break
                segs.append(c)
            sst = sst_strings(segs, u32(d, 4))

    def num(v):
        return ("%.15g" % v)

    def rk(v):
        x = float(struct.unpack("<i", struct.pack("<I", v))[0] >> 2) if v & 2 else \
            struct.unpack("<d", struct.pack("<Q", (v & 0xFFFFFFFC) << 32))[0]
        return num(x / 100 if v & 1 else x)
    out = []
    for start in sheets:
        cells = {}
        k = next(i for i, r in enumerate(recs) if r[0] == start) + 1
        while recs[k][1] != 0x000A:
            t, d = recs[k][1], recs[k][2]
            if t == 0x00FD:
                cells[(u16(d, 0), u16(d, 2))] = sst[u32(d, 6)]
            elif t == 0x0204:
                cch, wide = u16(d, 6), d[8] & 1
                cells[(u16(d, 0), u16(d, 2))] = d[9:9 + cch * (1 + wide)].decode(
                    "utf-16-le" if wide else "latin-1")
            elif t == 0x0203:
                cells[(u16(d, 0), u16(d, 2))] = num(struct.unpack_from("<d", d, 6)[0])
            elif t == 0x027E:
                cells[(u16(d, 0), u16(d, 2))] = rk(u32(d, 6))
            elif t == 0x00BD:
                for j in range((len(d) - 6) // 6):
                    cells[(u16(d, 0), u16(d, 2) + j)] = rk(u32(d, 4 + 6 * j + 2))
            k += 1
        for r in sorted({r for r, _ in cells})[:30]:
            out.append("\t".join(cells.get((r, c), "") for c in range(40)))
    return "\n".join(out)


def sst_strings(segs, count):
    out, si, off = [], 0, 0

    def take(n):
        nonlocal si, off
        got = b""
        while len(got) < n:
            while off == len(segs[si]):
                si, off = si + 1, 0
            k = min(n - len(got), len(segs[si]) - off)
            got += segs[si][off:off + k]
            off += k
        return got
    for _ in range(count):
        cch, flags = u16(take(2), 0), take(1)[0]
        runs = u16(take(2), 0) if flags & 8 else 0
        ext = u32(take(4), 0) if flags & 4 else 0
        wide, chars = flags & 1, []
        for _ in range(cch):
            if off == len(segs[si]):
                si, off = si + 1, 0
                wide = take(1)[0] & 1
            chars.append(take(2) if wide else take(1) + b"\0")
        out.append(b"".join(chars).decode("utf-16-le", "replace"))
        take(4 * runs + ext)
    return out


def ppt_text(doc, user):
    """Slides in the order of the document's SlideListWithText, each slide
    found through the persist directories of the edit chain; the text atoms
    under the slide, OutlineTextRefAtom resolved to the list's atoms."""
    def rec(b, at):
        vi, t, n = struct.unpack_from("<HHI", b, at)
        return vi, t, b[at + 8:at + 8 + n]

    def children(b):
        at = 0
        while at + 8 <= len(b):
            r = rec(b, at)
            yield r
            at += 8 + len(r[2])
    persist, at = {}, u32(user, 16)
    doc_id = None
    while True:
        _, t, d = rec(doc, at)
        doc_id = u32(d, 16) if doc_id is None else doc_id
        _, _, pd = rec(doc, u32(d, 12))
        q = 0
        while q + 4 <= len(pd):
            info = u32(pd, q)
            q += 4
            for j in range(info >> 20):
                persist.setdefault((info & 0xFFFFF) + j, u32(pd, q))
                q += 4
        if not u32(d, 8):
            break
        at = u32(d, 8)

    def atom(t, d):
        s = d.decode("utf-16-le") if t == 0x0FA0 else d.decode("latin-1")
        return s.replace("\r", "\n").replace("\x0b", "\n") + "\n"

    def walk(d, listed):
        out = []
        for vi, t, c in children(d):
            if vi & 0xF == 0xF:
                out.append(walk(c, listed))
            elif t in (0x0FA0, 0x0FA8):
                out.append(atom(t, c))
            elif t == 0x0F9E and u32(c, 0) < len(listed):
                out.append(atom(*listed[u32(c, 0)]))
        return "".join(out)
    slides = []
    for vi, t, d in children(rec(doc, persist[doc_id])[2]):
        if t == 0x0FF0 and vi >> 4 == 0:
            cur = None
            for _, tt, c in children(d):
                if tt == 0x03F3:
                    cur = [u32(c, 0), []]
                    slides.append(cur)
                elif tt in (0x0FA0, 0x0FA8) and cur:
                    cur[1].append((tt, c))
            break
    return "\n".join(walk(rec(doc, persist[sid])[2], listed) for sid, listed in slides)


def ole2_text(data):
    import io
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        names = {"/".join(e).lower(): e for e in ole.listdir()}
        if "worddocument" in names:
            return doc_text(ole.openstream("WordDocument").read(),
                            [ole.openstream(n).read() if ole.exists(n) else b""
                             for n in ("0Table", "1Table")])
        if "workbook" in names:
            return xls_text(ole.openstream("Workbook").read())
        if "powerpoint document" in names:
            return ppt_text(ole.openstream("PowerPoint Document").read(),
                            ole.openstream("Current User").read())
    except (OSError, IndexError, KeyError, struct.error, StopIteration):
        return None
    return None


RTF_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?[0-9]{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])"
                       rb"|([^\\{}\r\n]+)|[\r\n]", re.S)
RTF_SKIP = {"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "fldinst",
            "datastore", "themedata", "latentstyles", "listtable", "listoverridetable",
            "rsidtbl", "generator", "xmlnstbl", "header", "footer", "footnote", "sp"}
RTF_CHARSETS = {128: "cp932", 134: "gbk", 136: "big5", 129: "euc-kr"}


def rtf_text(data):
    """The body text of an RTF file: the font table read for \\fcharset, \\* and
    non-text destinations skipped, \\'hh in the font's or \\ansicpg's code page,
    \\uN with its \\ucN fallback skipped, \\par/\\line/\\row as line ends."""
    out, pend = [], bytearray()
    state = {"cp": "cp1252", "fonts": {}, "tfont": None, "skipfb": 0}
    stack = [{"skip": False, "ftbl": False, "font": None, "uc": 1}]

    def codec():
        cs = state["fonts"].get(stack[-1]["font"])
        return RTF_CHARSETS.get(cs, state["cp"])

    def flush():
        if pend:
            out.append(bytes(pend).decode(codec(), "replace"))
            pend.clear()

    def byte(b):
        if state["skipfb"]:
            state["skipfb"] -= 1
        else:
            pend.append(b)
    for m in RTF_TOKEN.finditer(data):
        word, num, hexb, sym, brace, text = m.groups()
        g = stack[-1]
        if brace == b"{":
            stack.append(dict(g))
        elif brace == b"}":
            flush()
            if len(stack) > 1:
                stack.pop()
        elif word is not None:
            w = word.decode()
            if g["ftbl"]:
                if w == "f" and num:
                    state["tfont"] = int(num)
                elif w == "fcharset" and num:
                    state["fonts"][state["tfont"]] = int(num)
                continue
            if w in RTF_SKIP:
                flush()
                g["skip"], g["ftbl"] = w != "fonttbl", w == "fonttbl"
                continue
            if g["skip"]:
                continue
            if w == "ansicpg" and num:
                state["cp"] = {932: "cp932"}.get(int(num), "cp%d" % int(num))
            elif w == "f" and num:
                flush()
                g["font"] = int(num)
            elif w == "uc" and num:
                g["uc"] = int(num)
            elif w == "u" and num:
                flush()
                n = int(num)
                out.append(chr(n + 65536 if n < 0 else n))
                state["skipfb"] = g["uc"]
                continue
            elif w in ("par", "line", "row", "sect", "page"):
                flush()
                out.append("\n")
            elif w in ("tab", "cell"):
                flush()
                out.append("\t")
            state["skipfb"] = 0
        elif sym is not None:
            if sym == b"*":
                flush()
                g["skip"] = True
            elif not g["skip"] and not g["ftbl"] and sym in b"\\{}":
                byte(sym[0])
        elif hexb is not None and not g["skip"] and not g["ftbl"]:
            byte(int(hexb, 16))
        elif text is not None and not g["skip"] and not g["ftbl"]:
            for b in text:
                byte(b)
    flush()
    return "".join(out)


def plain_text(data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    for enc in ("utf-8", "cp932", "euc-jp"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return None


FORWARDED = "──── 転送されたメール / Forwarded message ────"


def msg_string(ole, base, pid, codepage):
    for typ, enc in (("001F", "utf-16-le"), ("001E", "cp%d" % codepage)):
        path = base + ["__substg1.0_%04X%s" % (pid, typ)]
        if ole.exists("/".join(path)):
            return ole.openstream(path).read().decode(enc).rstrip("\0")
    return None


def msg_text(ole, base, header):
    raw = ole.openstream(base + ["__properties_version1.0"]).read()
    fixed = {struct.unpack_from("<I", raw, o)[0]: raw[o + 8:o + 16]
             for o in range(header, len(raw) - 15, 16)}
    cp = struct.unpack("<I", fixed.get(0x3FFD0003, fixed.get(0x3FDE0003, b"\xe4\x04\0\0"))[:4])[0]
    name, addr = msg_string(ole, base, 0x0C1A, cp), msg_string(ole, base, 0x0C1F, cp)
    if name is None and addr is None:
        name, addr = msg_string(ole, base, 0x0042, cp), msg_string(ole, base, 0x0065, cp)
    sender = "%s <%s>" % (name, addr) if name and addr else (name or addr or "")
    when = fixed.get(0x00390040, fixed.get(0x0E060040))
    date = ""
    if when:
        t = datetime.datetime(1601, 1, 1) + datetime.timedelta(
            microseconds=struct.unpack("<Q", when)[0] // 10)
        date = t.strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = msg_string(ole, base, 0x1000, cp)
    out = [FORWARDED, "From: " + sender, "Date: " + date,
           "Subject: " + (msg_string(ole, base, 0x0037, cp) or ""), "",
           body if body is not None else "（テキストの本文がありません / no plain-text body）"]
    top = len(base)
    attachments = sorted({e[top] for e in ole.listdir()
                          if e[:top] == base and len(e) > top + 1
                          and e[top].startswith("__attach_version1.0_#")})
    for a in attachments:
        ab = base + [a]
        aname = msg_string(ole, ab, 0x3707, cp) or msg_string(ole, ab, 0x3704, cp) or ""
        out.append("添付 / Attachment: " + aname)
        if ole.exists("/".join(ab + ["__substg1.0_3701000D"])):
            out.append(msg_text(ole, ab + ["__substg1.0_3701000D"], 24))
        else:
            data = ole.openstream(ab + ["__substg1.0_37010102"]).read()
            out.append(reader_text(aname, data) or "")
    return "\n".join(out)


def outlook_text(data):
    try:
        ole = olefile.OleFileIO(data)
        return msg_text(ole, [], 32)
    except Exception:
        return None


def reader_text(name, data):
    ext = name.rsplit(".", 1)[-1].lower()
    if ext == "msg":
        return outlook_text(data)
    if ext == "pdf":
        return pdf_text(data)
    if ext in ("docx", "xlsx", "pptx"):
        return ooxml_text(data)
    if ext in ("txt", "csv"):
        return plain_text(data)
    if ext == "rtf":
        return rtf_text(data)
    if ext in ("doc", "xls", "ppt"):
        return ole2_text(data)
    return None


def squash(s, shown=False):
    if shown:
        s = re.sub(r"\[U\+([0-9A-F]{4,6})\]", lambda m: chr(int(m.group(1), 16)), s)
        if s.endswith("…"):
            s = s[:-1]
    s = unicodedata.normalize("NFC", s)
    return "".join(c for c in s if not c.isspace() and unicodedata.category(c) != "Cc")


def blocks(text, names):
    """The excerpt section's blocks, by attachment name, in order."""
    if HEADING not in text:
        fail("no excerpt heading in the output")
    section = text.split(HEADING, 1)[1].replace("\r\n", "\n")
    parts = re.split(r"\n■ ", "\n" + section.lstrip("\n"))[1:]
    out = []
    for part in parts:
        name, _, body = part.partition("\n")
        out.append((name, body.strip("\n")))
    got = [n for n, _ in out]
    if got != names:
        fail("excerpt blocks %r, attachments %r", got, names)
    return out


def check_mail_excerpts(ctx):
    e = ctx["entry"]
    reasons = e.get("excerpt_reasons", {})
    inp = email.message_from_bytes(ctx["input"], policy=email.policy.default)
    atts = [(part.get_filename(), part.get_payload(decode=True))
            for part in inp.iter_attachments()]
    out = email.message_from_bytes(ctx["output"], policy=email.policy.default)
    leaves = [p for p in out.walk() if not p.is_multipart()]
    text = leaves[0].get_content()
    for (name, body), (_, data) in zip(blocks(text, [n for n, _ in atts]), atts):
        if name in reasons:
            if reasons[name] not in body or "\n" in body:
                fail("%s: want a one-line reason holding %r, got %r", name, reasons[name],
                     body[:200])
            continue
        ref = reader_text(name, data)
        if ref is None:
            fail("%s: the independent reader cannot read it, but no reason is expected", name)
        if not squash(ref):
            if name.lower().endswith(".pdf") and body == IMAGES_ONLY:
                continue
            fail("%s: the reader finds no text, the excerpt says %r", name, body[:200])
        a, b = squash(body, shown=True), squash(ref)
        if not a or not b.startswith(a):
            i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            fail("%s: excerpt differs from the reader's text at character %d: %r vs %r",
                 name, i, a[max(0, i - 20):i + 20], b[max(0, i - 20):i + 20])


CHECKS = {"mail-excerpts": check_mail_excerpts}
