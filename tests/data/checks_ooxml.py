# checks_ooxml.py - the independent structure check for OOXML outputs
# (docx/xlsx/pptx and their template variants), plugged into run-fixtures.py.
#
# ooxml-clean: Python's zipfile and expat/xml.dom.minidom only, nothing of
# mugaika's code. It verifies that the output is a package Office opens
# without a repair prompt and that nothing of the kinds the ooxml handler
# removes is left:
#   - a valid zip (CRCs, no encryption, no duplicate names ignoring case, no
#     "..", absolute or backslash names), [Content_Types].xml first;
#   - every part has a content type (Override or Default); no content type,
#     part name, relationship type or root element of a removed kind (VBA,
#     macro-enabled main types, XLM macro/dialog sheets, ActiveX, OLE objects
#     and embeddings, external links, connections, query tables, customUI,
#     web extensions/task panes, printer settings, signatures, obfuscated fonts);
#   - relationships: unique ids, every internal target exists, no rels part
#     for a missing part, no TargetMode="External" but hyperlinks to http:,
#     https:, mailto:; every part reachable from _rels/.rels;
#   - every XML part parses and has no DOCTYPE; every r:id / r:embed / r:link
#     (any attribute in the relationships namespace) names a relationship of
#     its own part (a dangling one makes Office ask to repair);
#   - Word: no field the rules of mugaika(7) "Word fields" remove, read by
#     wordfields.py (its own reader: w:fldSimple and complex fields, the code
#     reassembled across runs and paragraphs, read as written and with tracked
#     changes accepted and rejected, nested fields, text boxes): no DDE,
#     DDEAUTO, INCLUDE*, IMPORT, LINK, DATABASE, RD, PRINT, MACROBUTTON but
#     NoMacro, no keyword computed by a nested field, no HYPERLINK field to a
#     target but http(s)/mailto/a bookmark, no form field macros; no
#     w:control, o:OLEObject, w:subDoc;
#   - Excel: no <f> or definedName with a '|' outside quotes (DDE) or an
#     external [n] workbook reference; no Auto_Open/Close/Activate/Deactivate
#     names (any case, _xlnm. prefix); no externalReferences, oleObjects, controls;
#   - PowerPoint: no ppaction://program, ppaction://macro, ppaction://ole; no
#     p:oleObj, p:control;
#   - pictures (image relationships, image/* parts) are PNG, JPEG or GIF;
#   - the manifest's `absent` and `member_text_absent` strings are in no part
#     name and no decompressed part; each `member_text_present` string is in
#     some decompressed part (the output is deflated, so the result test's raw
#     byte search cannot see inside parts).
import io
import posixpath
import re
import urllib.parse
import zipfile
import xml.dom.minidom
import xml.parsers.expat

import wordfields

REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "http://purl.oclc.org/ooxml/officeDocument/relationships")
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main")

FORBIDDEN_CT = ("vbaproject", "macroenabled", "macrosheet", "dialogsheet", "activex",
                "oleobject", "externallink", "spreadsheetml.connections", "querytable",
                "webextension", "printersettings", "digital-signature", "obfuscatedfont",
                "vbadata", "keymapcustomizations", "sheet.binary", "addin", "ms-excel.12",
                "ms-excel.sheet.binary", "vnd.ms-office.vbaprojectsignature")
FORBIDDEN_NAME = re.compile(
    r"(vbaproject|vbadata|/activex/|(^|/)embeddings/|externallinks/|(^|/)connections\.xml$|"
    r"querytables/|(^|/)customui/|webextensions/|taskpanes|printersettings/|_xmlsignatures/|"
    r"\.odttf$|macrosheets/|dialogsheets/|keymapcustomizations|(^|/)customizations\.xml$|"
    r"\.bin$)", re.I)
FORBIDDEN_REL = re.compile(
    r"/(vbaProject|vbaProjectSignature|wordVbaData|keyMapCustomizations|oleObject|package|"
    r"control|activeXControlBinary|externalLink|externalLinkPath|connections|queryTable|"
    r"printerSettings|font|xlMacrosheet|xlIntlMacrosheet|dialogsheet|subDocument|"
    r"attachedTemplate|webextension|webextensiontaskpanes|extensibility|"
    r"digital-signature/[a-z]+)$", re.I)
FORBIDDEN_ROOT = {"macrosheet", "dialogsheet", "ocx", "customUI", "webextension", "taskpanes",
                  "Signature", "vbaSuppData", "tcg", "externalLink", "connections",
                  "queryTable"}
OX = "application/vnd.openxmlformats-officedocument."
MAIN_TYPES = {OX + t + ".main+xml" for t in (
    "wordprocessingml.document", "wordprocessingml.template", "spreadsheetml.sheet",
    "spreadsheetml.template", "presentationml.presentation", "presentationml.template",
    "presentationml.slideshow")}
AUTO_NAMES = ("auto_open", "auto_close", "auto_activate", "auto_deactivate")
IMAGE_REL = re.compile(r"/image$")


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


class Problems(list):
    def add(self, msg, *args):
        self.append(msg % args if args else msg)


def parse_xml(name, data, problems):
    """minidom document, or None (a problem recorded). DOCTYPE rejected
    before minidom ever sees it: expat is run first with a handler that
    stops at any doctype or entity declaration."""
    def no_dtd(*a):
        raise ValueError("DOCTYPE")
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(data, True)
    except ValueError:
        problems.add("%s: has a DOCTYPE", name)
        return None
    except xml.parsers.expat.ExpatError as e:
        problems.add("%s: not well-formed XML: %s", name, e)
        return None
    try:
        return xml.dom.minidom.parseString(data)
    except Exception as e:  # noqa: BLE001 - any failure is a finding
        problems.add("%s: minidom cannot parse it: %s", name, e)
        return None


def local(node):
    return node.localName or node.nodeName.split(":")[-1]


def walk(node):
    """Elements in document order."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.nodeType == n.ELEMENT_NODE:
            yield n
        stack.extend(reversed(n.childNodes))


def text_of(el):
    return "".join(c.data for c in el.childNodes if c.nodeType in (c.TEXT_NODE,
                                                                     c.CDATA_SECTION_NODE))


def rels_source(name):
    """'word/_rels/document.xml.rels' -> 'word/document.xml'; '_rels/.rels' -> ''."""
    d, f = posixpath.split(name)
    if posixpath.basename(d) != "_rels" or not f.endswith(".rels"):
        return None
    parent = posixpath.dirname(d)
    src = f[:-len(".rels")]
    return posixpath.join(parent, src) if src else ""


def resolve(source, target):
    target = urllib.parse.unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def image_kind(data):
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def png_ends_at_iend(data):
    i = 8
    while i + 12 <= len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        t = data[i + 4:i + 8]
        i += 12 + n
        if t == b"IEND":
            return i == len(data)
    return False


def outside_quotes(formula):
    """The formula with "..." and '...' contents blanked out."""
    out, q = [], None
    for ch in formula:
        if q:
            if ch == q:
                q = None
            out.append(" ")
        elif ch in "\"'":
            q = ch
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def check_word_fields(name, data, doc, problems):
    for why in wordfields.ooxml_field_problems(name, data):
        problems.add("%s", why)
    if doc is None:
        return
    for el in walk(doc.documentElement):
        if el.namespaceURI in W_NS and local(el) in ("control", "subDoc"):
            problems.add("%s: w:%s left", name, local(el))


def check_excel(name, doc, problems):
    for el in walk(doc.documentElement):
        ln = local(el)
        if ln in ("f", "definedName"):
            formula = outside_quotes(text_of(el))
            if "|" in formula:
                problems.add("%s: DDE formula %r", name, text_of(el)[:60])
            if re.search(r"\[\d+\]", formula):
                problems.add("%s: external workbook reference %r", name, text_of(el)[:60])
        if ln == "definedName":
            n = el.getAttribute("name").lower()
            if n.startswith("_xlnm."):
                n = n[len("_xlnm."):]
            if n.startswith(AUTO_NAMES):
                problems.add("%s: auto-run name %r", name, el.getAttribute("name"))
        if ln in ("externalReferences", "externalReference", "oleObjects", "oleObject",
                  "controls"):
            problems.add("%s: <%s> left", name, ln)


def check_powerpoint(name, doc, problems):
    for el in walk(doc.documentElement):
        act = el.getAttribute("action").lower() if el.hasAttribute("action") else ""
        if re.match(r"\s*ppaction://(program|macro|ole)", act):
            problems.add("%s: %s action %r", name, local(el), act)
        if local(el) in ("oleObj", "control") and "presentationml" in (el.namespaceURI or ""):
            problems.add("%s: p:%s left", name, local(el))


def check_common_elements(name, doc, problems):
    for el in walk(doc.documentElement):
        if local(el) == "OLEObject":
            problems.add("%s: o:OLEObject left", name)


BIG_PART = 8 * 1024 * 1024


def stream_check(name, data, ids, problems):
    """The same per-part checks as above, with expat callbacks instead of a
    DOM, for parts too big to hold as one (a 250 MB worksheet): DOCTYPE, root
    element, relationship references, formulas and names, click actions,
    removed elements (Word fields: check_word_fields)."""
    state = {"root": None, "text": None, "dangling": 0}
    forbidden = {"OLEObject", "oleObj", "externalReferences", "externalReference",
                 "oleObjects", "subDoc"}

    def start(tag, attrs):
        ns, _, ln = tag.rpartition(" ")
        if state["root"] is None:
            state["root"] = ln
            if ln in FORBIDDEN_ROOT:
                problems.add("%s: root element <%s> of a removed kind", name, ln)
        for k, v in attrs.items():
            kns, _, kln = k.rpartition(" ")
            if kns in REL_NS and v and v not in ids:
                state["dangling"] += 1
                if state["dangling"] <= 3:
                    problems.add("%s: <%s %s=%r> names no relationship of the part", name, ln,
                                 kln, v)
            if kln == "action" and not kns and re.match(r"\s*ppaction://(program|macro|ole)",
                                                       v.lower()):
                problems.add("%s: %s action %r", name, ln, v)
        if ln in forbidden or (ln == "control" and ("presentationml" in ns or ns in W_NS)) or \
                (ln == "controls" and "spreadsheetml" in ns):
            problems.add("%s: <%s> left", name, ln)
        if ln in ("f", "definedName") and "spreadsheetml" in ns:
            state["text"] = []
            if ln == "definedName":
                nm = attrs.get("name", "").lower()
                nm = nm[len("_xlnm."):] if nm.startswith("_xlnm.") else nm
                if nm.startswith(AUTO_NAMES):
                    problems.add("%s: auto-run name %r", name, attrs.get("name"))

    def end(tag):
        ns, _, ln = tag.rpartition(" ")
        if state["text"] is None:
            return
        text = "".join(state["text"])
        if ln in ("f", "definedName"):
            formula = outside_quotes(text)
            if "|" in formula:
                problems.add("%s: DDE formula %r", name, text[:60])
            if re.search(r"\[\d+\]", formula):
                problems.add("%s: external workbook reference %r", name, text[:60])
            state["text"] = None

    def chars(data):
        if state["text"] is not None:
            state["text"].append(data)

    def no_dtd(*a):
        raise ValueError("DOCTYPE")
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    try:
        p.Parse(data, True)
    except ValueError:
        problems.add("%s: has a DOCTYPE", name)
    except xml.parsers.expat.ExpatError as e:
        problems.add("%s: not well-formed XML: %s", name, e)
    if state["dangling"] > 3:
        problems.add("%s: %d dangling relationship references in all", name, state["dangling"])


def content_type_of(name, defaults, overrides):
    ct = overrides.get("/" + name.lower())
    if ct is None:
        ext = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else ""
        ct = defaults.get(ext)
    return ct


def ooxml_problems(data, entry):
    problems = Problems()
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        fail("not a zip: %s", e)
    infos = z.infolist()
    names = [i.filename for i in infos]
    for i in infos:
        if i.flag_bits & 1:
            fail("%s: encrypted", i.filename)
    try:
        bad = z.testzip()
    except Exception as e:  # noqa: BLE001 - zlib errors and the like
        fail("a part does not decompress: %s", e)
    if bad is not None:
        fail("bad CRC in %s", bad)
    if data[:4] != b"PK\x03\x04":
        problems.add("data before the first local header")
    if not names or names[0] != "[Content_Types].xml":
        problems.add("[Content_Types].xml is not the first part (%r)", names[:1])
    seen = {}
    for i in infos:
        n = i.filename
        if i.flag_bits & 1:
            problems.add("%s: encrypted", n)
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.add("%s: compression method %d", n, i.compress_type)
        if n.startswith("/") or "\\" in n or ".." in n.split("/") or n.endswith("/") or not n:
            problems.add("bad part name %r", n)
        if n.lower() in seen:
            problems.add("part %r twice (ignoring case: %r)", n, seen[n.lower()])
        seen[n.lower()] = n
    parts = {n: z.read(n) for n in names}
    lower = {n.lower(): n for n in names}

    # content types
    ctdoc = parse_xml("[Content_Types].xml", parts.get("[Content_Types].xml", b""), problems)
    defaults, overrides = {}, {}
    if ctdoc is not None:
        for el in walk(ctdoc.documentElement):
            if local(el) == "Default":
                defaults[el.getAttribute("Extension").lower()] = el.getAttribute("ContentType")
            elif local(el) == "Override":
                overrides[el.getAttribute("PartName").lower()] = el.getAttribute("ContentType")
    for ct in list(defaults.values()) + list(overrides.values()):
        if any(f in ct.lower() for f in FORBIDDEN_CT):
            problems.add("content type of a removed kind: %s", ct)
    types = {}
    for n in names:
        if n == "[Content_Types].xml":
            continue
        ct = content_type_of(n, defaults, overrides)
        types[n] = ct
        if ct is None:
            problems.add("%s: no content type", n)
        if FORBIDDEN_NAME.search(n):
            problems.add("part of a removed kind: %s", n)

    # XML parts
    docs, big = {}, []
    for n in names:
        ct = (types.get(n) or "").lower()
        if n.endswith((".xml", ".rels", ".vml")) or ct.endswith("xml"):
            if len(parts[n]) > BIG_PART and rels_source(n) is None:
                big.append(n)   # streamed below, once the relationships are known
                continue
            doc = parse_xml(n, parts[n], problems)
            if doc is not None:
                docs[n] = doc
                if local(doc.documentElement) in FORBIDDEN_ROOT:
                    problems.add("%s: root element <%s> of a removed kind", n,
                                 local(doc.documentElement))

    # relationships
    rels = {}            # source -> {id: (type, target, external)}
    for n, doc in docs.items():
        src = rels_source(n)
        if src is None:
            continue
        if src and src not in parts:
            problems.add("%s: relationships of a part that is not there (%s)", n, src)
        table = rels.setdefault(src, {})
        for el in walk(doc.documentElement):
            if local(el) != "Relationship":
                continue
            rid, rtype = el.getAttribute("Id"), el.getAttribute("Type")
            target = el.getAttribute("Target")
            external = el.getAttribute("TargetMode") == "External"
            if rid in table:
                problems.add("%s: relationship id %s twice", n, rid)
            table[rid] = (rtype, target, external)
            if FORBIDDEN_REL.search(rtype):
                problems.add("%s: relationship of a removed kind %s -> %s", n,
                             rtype.rsplit("/", 1)[-1], target[:60])
            if external:
                ok = rtype.endswith("/hyperlink") and re.match(r"(?i)(https?|mailto):",
                                                                 target.strip())
                if not ok:
                    problems.add("%s: external relationship %s -> %r", n,
                                 rtype.rsplit("/", 1)[-1], target[:80])
            else:
                path = resolve(src, target)
                if path.lower() not in lower:
                    problems.add("%s: %s -> %s, a part that is not there", n,
                                 rtype.rsplit("/", 1)[-1], path)
                elif IMAGE_REL.search(rtype):
                    img = parts[lower[path.lower()]]
                    kind = image_kind(img)
                    if kind is None:
                        problems.add("%s: picture that is not PNG/JPEG/GIF (%r)", path, img[:8])
                    elif kind == "png" and not png_ends_at_iend(img):
                        problems.add("%s: PNG with data after IEND", path)
    if "" not in rels:
        problems.add("no _rels/.rels")
    else:
        mains = [t for t, _, e in rels[""].values() if t.endswith("/officeDocument") and not e]
        if len(mains) != 1:
            problems.add("%d officeDocument relationships (want 1)", len(mains))
        for rtype, target, external in rels[""].values():
            if rtype.endswith("/officeDocument") and not external:
                ct = types.get(lower.get(resolve("", target).lower(), ""))
                if ct not in MAIN_TYPES:
                    problems.add("main part %s has content type %r, not a macro-free "
                                 "document/template type", target, ct)
    # reachability from the package relationships
    reach, todo = set(), [""]
    while todo:
        src = todo.pop()
        for rtype, target, external in rels.get(src, {}).values():
            if external:
                continue
            p = lower.get(resolve(src, target).lower())
            if p and p not in reach:
                reach.add(p)
                todo.append(p)
    for n in names:
        if n == "[Content_Types].xml" or rels_source(n) is not None:
            continue
        if n not in reach:
            problems.add("%s: no relationship reaches it (orphan part)", n)
        ct = (types.get(n) or "").lower()
        if ct.startswith("image/") and image_kind(parts[n]) is None:
            problems.add("%s: %s part that is not PNG/JPEG/GIF", n, ct)

    # references from XML parts to their relationships, and the per-application checks
    for n, doc in docs.items():
        if rels_source(n) is not None or n == "[Content_Types].xml":
            continue
        ids = rels.get(n, {})
        for el in walk(doc.documentElement):
            attrs = el.attributes
            for k in range(attrs.length):
                a = attrs.item(k)
                if a.namespaceURI in REL_NS and a.value and a.value not in ids:
                    problems.add("%s: <%s %s=%r> names no relationship of the part", n,
                                 el.tagName, a.name, a.value)
        root_ns = doc.documentElement.namespaceURI or ""
        if root_ns in W_NS or n.startswith("word/"):
            check_word_fields(n, parts[n], doc, problems)
        if "spreadsheetml" in root_ns or n.startswith("xl/"):
            check_excel(n, doc, problems)
        if n.startswith("ppt/") or "presentationml" in root_ns:
            check_powerpoint(n, doc, problems)
        check_common_elements(n, doc, problems)

    for n in big:
        stream_check(n, parts[n], set(rels.get(n, {})), problems)
        if n.startswith("word/"):
            check_word_fields(n, parts[n], None, problems)

    # manifest markers, looked for inside the parts
    for s in list(entry.get("absent", [])) + list(entry.get("member_text_absent", [])):
        b = s.encode("utf-8")
        where = [n for n in names if b.lower() in n.encode("utf-8").lower() or b in parts[n]]
        if where:
            problems.add("%r still in %s", s, ", ".join(where[:3]))
    for s in entry.get("member_text_present", []):
        b = s.encode("utf-8")
        if not any(b in d for d in parts.values()):
            problems.add("%r is in no part", s)
    return problems


def check_ooxml_clean(ctx):
    problems = ooxml_problems(ctx["output"], ctx["entry"])
    if problems:
        fail("%d problem(s): %s", len(problems), "; ".join(problems[:12]))


CHECKS = {
    "ooxml-clean": check_ooxml_clean,
}


if __name__ == "__main__":
    # checks_ooxml.py FILE...: the check on files directly (no manifest markers)
    import sys
    rc = 0
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            try:
                pr = ooxml_problems(f.read(), {})
            except AssertionError as e:
                pr = [str(e)]
        print("%s: %s" % (path, "ok" if not pr else "; ".join(pr)))
        rc |= bool(pr)
    sys.exit(rc)
