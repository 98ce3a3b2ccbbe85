# checks_ole2.py - the independent check of legacy Office outputs (ole2
# handler), plugged into run-fixtures.py. It reads input and output with
# python3-olefile, not with libgsf or any code of mugaika's.
#
# ole2-clean: olefile opens the output without complaint; the output is the
# same kind of document as the input (WordDocument / Workbook or Book /
# "PowerPoint Document"); every entry of it is on the kind's allow-list (no
# storage at all but Excel's _SX_DB_CUR pivot caches), so none of Macros,
# _VBA_PROJECT_CUR, VBA, ObjectPool, MBD*, \001Ole10Native, Equation Native,
# \003ObjInfo, _signatures/_xmlsignatures, Ctls or unknown streams is left;
# a root \001Ole is the inert 20-byte form; every kept stream (the main one
# above all) is byte-identical to the input's stream of that name, and the
# root CLSID is the input's. A Word document's text, read through its piece
# table by wordfields.py (not by mugaika's reader), holds no field the rules
# of mugaika(7) "Word fields" remove: no DDE, INCLUDE*, LINK, DATABASE, RD,
# PRINT, MACROBUTTON but NoMacro, computed keyword or HYPERLINK to a target
# but http(s)/mailto/a bookmark. An Excel or PowerPoint main stream, read as
# UTF-16LE text at both alignments, names no file, share or program target
# (file:, smb:, javascript:, vbscript:, ms-*:, \\host, //host); an Excel one has no
# SUPBOOK but this workbook's and the add-in functions', a PowerPoint one no
# click action that runs a macro, a program or an OLE verb.
import io
import re
import struct

import wordfields

try:
    import olefile
except ImportError:  # the check then fails with a clear diagnostic
    olefile = None

COMMON = {"\x05summaryinformation", "\x05documentsummaryinformation", "\x01compobj", "\x01ole"}
KEEP = {
    "word": {"worddocument", "1table", "0table", "data"} | COMMON,
    "excel": {"workbook", "book"} | COMMON,
    "ppt": {"powerpoint document", "current user", "pictures"} | COMMON,
}
MAIN = {"word": "WordDocument", "excel": "Workbook", "ppt": "PowerPoint Document"}
INERT_OLE = bytes.fromhex("0100000200000000000000000000000000000000")


def _kind(ole):
    if ole.exists("WordDocument"):
        return "word"
    if ole.exists("Workbook") or ole.exists("Book"):
        return "excel"
    if ole.exists("PowerPoint Document"):
        return "ppt"
    return None


OUTSIDE_TARGET = re.compile(r"(?i)(?:\b(?:file|smb|javascript|vbscript|data|ms-[a-z-]+):|"
                            r"\\\\[a-z0-9]|(?<![:/])//[a-z0-9])")


def _outside_targets(stream):
    """Targets of outside kinds in the stream's UTF-16LE text."""
    found = []
    for shift in (0, 1):
        text = stream[shift:len(stream) - (len(stream) - shift) % 2].decode("utf-16-le", "replace")
        found += OUTSIDE_TARGET.findall(text)
    return found


def _excel_problems(wb):
    problems, pos = [], 0
    while pos + 4 <= len(wb):
        t, n = struct.unpack_from("<HH", wb, pos)
        d = wb[pos + 4:pos + 4 + n]
        if t == 0x01AE and (len(d) < 4 or struct.unpack_from("<H", d, 2)[0] not in (0x0401, 0x3A01)):
            problems.append("SUPBOOK of another workbook or a DDE/OLE link")
        pos += 4 + n
    return problems


def _ppt_problems(doc):
    problems, pos = [], 0
    while pos + 8 <= len(doc):
        vi, t, n = struct.unpack_from("<HHI", doc, pos)
        if t == 0x0FF3 and pos + 16 < len(doc) and doc[pos + 16] in (1, 2, 5):
            problems.append("InteractiveInfoAtom action %d" % doc[pos + 16])
        pos += 8 if vi & 0x0F == 0x0F else 8 + n
    return problems


def check_ole2_clean(ctx):
    if olefile is None:
        raise AssertionError("python3-olefile is not installed")
    try:
        out = olefile.OleFileIO(io.BytesIO(ctx["output"]), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception as x:
        raise AssertionError("olefile cannot read the output: %s" % x)
    src = olefile.OleFileIO(io.BytesIO(ctx["input"]))
    kind = _kind(src)
    if not kind or _kind(out) != kind:
        raise AssertionError("output kind %r, input kind %r" % (_kind(out), kind))
    if src.root.clsid != out.root.clsid:
        raise AssertionError("root CLSID %s, input's %s" % (out.root.clsid, src.root.clsid))
    for path in out.listdir(streams=True, storages=True):
        top = path[0].lower()
        if out.get_type(path) == olefile.STGTY_STORAGE or len(path) > 1:
            if kind == "excel" and top == "_sx_db_cur" and len(path) <= 2:
                continue
            raise AssertionError("storage content left in the output: %r" % "/".join(path))
        if top not in KEEP[kind]:
            raise AssertionError("stream not on the %s allow-list: %r" % (kind, path[0]))
        data = out.openstream(path).read()
        if top == "\x01ole" and data != INERT_OLE:
            raise AssertionError("\\001Ole stream is not the inert form: %s" % data.hex())
        if not src.exists(path) or src.openstream(path).read() != data:
            raise AssertionError("stream %r differs from the input's" % "/".join(path))
    main = MAIN[kind] if kind != "excel" or out.exists("Workbook") else "Book"
    if not out.exists(main):
        raise AssertionError("main stream %r missing" % main)
    if kind in ("excel", "ppt"):
        stream = out.openstream(main).read()
        problems = ["target %r" % t for t in _outside_targets(stream)]
        problems += _excel_problems(stream) if kind == "excel" else _ppt_problems(stream)
        if problems:
            raise AssertionError("outside references left: %s" % "; ".join(problems[:5]))
    if kind == "word":
        tables = [out.openstream(t).read() if out.exists(t) else b"" for t in ("0Table", "1Table")]
        try:
            text = wordfields.doc_text(out.openstream("WordDocument").read(), *tables)
        except (ValueError, IndexError, __import__("struct").error) as x:
            raise AssertionError("the Word text cannot be read: %s" % x)
        problems = wordfields.doc_field_problems(text)
        if problems:
            raise AssertionError("Word fields left: %s" % "; ".join(problems[:5]))


CHECKS = {
    "ole2-clean": check_ole2_clean,
}
