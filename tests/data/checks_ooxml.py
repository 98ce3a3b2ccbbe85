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
#     for a missing part, no TargetMode="External" but hyperlinks to
#     http(s)://host or mailto: without control characters or backslashes;
#     every part reachable from _rels/.rels;
#   - every XML part parses and has no DOCTYPE; every r:id / r:embed / r:link
#     (any attribute in the relationships namespace) names a relationship of
#     its own part (a dangling one makes Office ask to repair), and only from
#     an element that may use a relationship of that type (ALLOWED_USES: a
#     web link only from hyperlink elements, a picture only from a:blip and
#     VML image elements, ...); no VML src/href/o:href naming a file or URL
#     but a shape's href to a web link;
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
#   - nothing of Strict Open XML is left (purl.oclc.org/ooxml namespaces and
#     relationship types): Strict input is written as Transitional;
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
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DGM_NS = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"

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


def web_target(target):
    """The default [links] schemes: http(s) with a host, or mailto; no
    control characters or backslashes anywhere (Windows reads those as
    share paths)."""
    t = target.lstrip("".join(chr(c) for c in range(33)))
    if re.search(r"[\x00-\x1f\x7f\\]", t):
        return False
    return bool(re.match(r"(?i)(https?://[^/]|mailto:)", t))


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


def check_word_fields(name, data, doc, problems):
    for why in wordfields.ooxml_field_problems(name, data):
        problems.add("%s", why)
    if doc is None:
        return
    for el in walk(doc.documentElement):
        if el.namespaceURI in W_NS and local(el) in ("control", "subDoc"):
            problems.add("%s: w:%s left", name, local(el))


# Formulas, judged here with regular expressions over the text with its
# string literals blanked (independently of the handler's tokenizer).
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
C15_NS = "http://schemas.microsoft.com/office/drawing/2012/chart"
FORMULA_ELEMENTS = {(S_NS, "f"), (S_NS, "formula"), (S_NS, "formula1"), (S_NS, "formula2"),
                    (S_NS, "definedName"), (S_NS, "calculatedColumnFormula"),
                    (S_NS, "totalsRowFormula"), (XM_NS, "f"), (C_NS, "f"), (C15_NS, "f")}
FORMULA_ATTRIBUTES = {(S_NS, "cacheField"): "formula", (S_NS, "calculatedItem"): "formula",
                      (S_NS, "hyperlink"): "location"}
FORBIDDEN_FUNCTIONS = re.compile(
    r"(?i)(?<![\w.])(?:_xl[a-z]+\.)*(WEBSERVICE|IMAGE|RTD|STOCKHISTORY|TRANSLATE|DETECTLANGUAGE|"
    r"COPILOT|SQL\.REQUEST|PY|CALL|REGISTER|REGISTER\.ID|"
    r"UNREGISTER|EXEC|EXECUTE|RUN|EVALUATE|FOPEN|FWRITE|FWRITELN|FREAD|FREADLN|FCLOSE|"
    r"INITIATE|POKE|REQUEST|TERMINATE|SEND\.KEYS|ON\.[A-Z]+|SET\.NAME|SET\.VALUE|"
    r"FORMULA(\.ARRAY|\.FILL)?)\s*\(")


def formula_problem(formula):
    """Why a formula reaches out, or None."""
    if formula.count('"') % 2:
        return "a string left open"
    plain = re.sub(r'"[^"]*"', '""', formula)        # "" inside a string splits it in two
    for q in re.findall(r"'((?:[^']|'')*)'", plain):
        if re.search(r"[\[\]\\/?*]", q):
            return "a quoted name that is a path or another workbook"
    bare = re.sub(r"'(?:[^']|'')*'", "Q", plain)
    if "|" in re.sub(r"\[[^\]]*\]", "", bare):
        return "DDE"
    if "\\" in bare:
        return "a path"
    for mt in re.finditer(r"\[([^\]]*)\]", bare):
        before = bare[mt.start() - 1] if mt.start() else ""
        after = bare[mt.end()] if mt.end() < len(bare) else ""
        if not (before and (before.isalnum() or before in "_.[],")) and \
                mt.group(1)[:1] not in ("@", "#", "[") and \
                after and (after.isalnum() or after in "_!'Q$."):
            return "another workbook"
    if FORBIDDEN_FUNCTIONS.search(bare):
        return "a function that fetches or runs code"
    for mt in re.finditer(r"(?i)(?<![\w.])(?:_xl[a-z]+\.)*HYPERLINK\s*\(", formula):
        arg = re.match(r'\s*"((?:[^"]|"")*)"\s*[,)]', formula[mt.end():])
        if not arg or not (web_target(arg.group(1).replace('""', '"')) or
                           re.match(r"#[^\[\]\\/:]*$", arg.group(1))):
            return "HYPERLINK to %r" % formula[mt.end():mt.end() + 40]
    return None


X_NS = "urn:schemas-microsoft-com:office:excel"
SHAPE_NS = ("http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
            "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing")


def check_formulas(name, doc, problems):
    """Every formula Excel evaluates (cells, rules, validations, names,
    x14 extensions, charts, tables, pivot fields, form controls and shapes
    in drawings) is harmless, no control or shape runs a macro, and every
    shared-formula follower has its master before it."""
    masters = set()
    for el in walk(doc.documentElement):
        key = (el.namespaceURI, local(el))
        texts = []
        if key in FORMULA_ELEMENTS:
            texts.append(text_of(el))
        if key in FORMULA_ATTRIBUTES and el.hasAttribute(FORMULA_ATTRIBUTES[key]):
            texts.append(el.getAttribute(FORMULA_ATTRIBUTES[key]))
        if el.namespaceURI == X_NS and key[1].lower().startswith("fmla"):
            if key[1].lower() == "fmlamacro":
                problems.add("%s: form control runs the macro %r", name, text_of(el)[:60])
            texts.append(text_of(el))
        if el.namespaceURI in SHAPE_NS:
            if el.getAttribute("macro"):
                problems.add("%s: <%s> runs the macro %r", name, el.tagName,
                             el.getAttribute("macro")[:60])
            texts.append(el.getAttribute("textlink"))
        for t in texts:
            why = formula_problem(t)
            if why:
                problems.add("%s: <%s> formula %r: %s", name, el.tagName, t[:60], why)
        if key == (S_NS, "f") and el.getAttribute("t") == "shared":
            si = el.getAttribute("si")
            if text_of(el).strip():
                masters.add(si)
            elif si not in masters:
                problems.add("%s: shared formula follower si=%s without its master", name, si)


def check_excel(name, doc, problems):
    for el in walk(doc.documentElement):
        ln = local(el)
        if ln == "definedName":
            n = el.getAttribute("name").lower()
            if n.startswith("_xlnm."):
                n = n[len("_xlnm."):]
            if n.startswith(AUTO_NAMES):
                problems.add("%s: auto-run name %r", name, el.getAttribute("name"))
        if ln in ("externalReferences", "externalReference", "oleObjects", "oleObject",
                  "controls", "webPublishItem", "webPublishObject"):
            problems.add("%s: <%s> left", name, ln)


def check_powerpoint(name, doc, problems):
    for el in walk(doc.documentElement):
        act = el.getAttribute("action").lower() if el.hasAttribute("action") else ""
        if re.match(r"\s*ppaction://(program|macro|ole)", act):
            problems.add("%s: %s action %r", name, local(el), act)
        if local(el) in ("oleObj", "control") and "presentationml" in (el.namespaceURI or ""):
            problems.add("%s: p:%s left", name, local(el))


# Which element may name which kind of relationship (the last segment of
# its type), written here from the schemas independently of the handler's
# table: (namespace, element, attribute or None for any) -> types.
ALLOWED_USES = {
    (W_NS[0], "hyperlink", "id"): {"hyperlink"},
    (W_NS[0], "headerReference", "id"): {"header"},
    (W_NS[0], "footerReference", "id"): {"footer"},
    (A_NS, "blip", "embed"): {"image"},
    (A_NS, "blip", "link"): {"image"},
    ("http://schemas.microsoft.com/office/drawing/2016/SVG/main", "svgBlip", "embed"): {"image"},
    (A_NS, "hlinkClick", "id"): {"hyperlink", "slide"},
    (A_NS, "hlinkHover", "id"): {"hyperlink", "slide"},
    (A_NS, "hlinkMouseOver", "id"): {"hyperlink", "slide"},
    (C_NS, "chart", "id"): {"chart"},
    (C_NS, "userShapes", "id"): {"chartUserShapes"},
    (C_NS, "legacyDrawingHF", "id"): {"vmlDrawing"},
    (DGM_NS, "relIds", "dm"): {"diagramData"},
    (DGM_NS, "relIds", "lo"): {"diagramLayout"},
    (DGM_NS, "relIds", "qs"): {"diagramQuickStyle"},
    (DGM_NS, "relIds", "cs"): {"diagramColors"},
    (V_NS, "imagedata", None): {"image"},
    (V_NS, "fill", None): {"image"},
    (V_NS, "stroke", None): {"image"},
    (V_NS, "image", None): {"image"},
    (S_NS, "sheet", "id"): {"worksheet", "chartsheet"},
    (S_NS, "pivotCache", "id"): {"pivotCacheDefinition"},
    (S_NS, "pivotCacheDefinition", "id"): {"pivotCacheRecords"},
    (S_NS, "drawing", "id"): {"drawing"},
    (S_NS, "legacyDrawing", "id"): {"vmlDrawing"},
    (S_NS, "legacyDrawingHF", "id"): {"vmlDrawing"},
    (S_NS, "hyperlink", "id"): {"hyperlink"},
    (S_NS, "picture", "id"): {"image"},
    (S_NS, "tablePart", "id"): {"table"},
    (P_NS, "sldMasterId", "id"): {"slideMaster"},
    (P_NS, "notesMasterId", "id"): {"notesMaster"},
    (P_NS, "handoutMasterId", "id"): {"handoutMaster"},
    (P_NS, "sldId", "id"): {"slide"},
    (P_NS, "sldLayoutId", "id"): {"slideLayout"},
    (P_NS, "sld", "id"): {"slide"},
    (P_NS, "tags", "id"): {"tags"},
}
VML_SHAPES = {"shape", "rect", "roundrect", "oval", "line", "polyline", "arc", "curve", "image",
              "group"}


def check_relationship_uses(name, doc, ids, problems):
    """Every attribute naming a relationship is a use the table above
    allows for the relationship's type; no VML attribute names a file or
    URL directly but a shape's href to a web link."""
    for el in walk(doc.documentElement):
        ns, ln = el.namespaceURI or "", local(el)
        attrs = el.attributes
        for k in range(attrs.length):
            a = attrs.item(k)
            aln = a.localName or a.name
            if (a.namespaceURI in REL_NS or (a.namespaceURI == O_NS and aln == "relid")) \
                    and a.value and a.value in ids:
                rtype = ids[a.value][0].rsplit("/", 1)[-1]
                allowed = ALLOWED_USES.get((ns, ln, aln if a.namespaceURI in REL_NS else None),
                                           ALLOWED_USES.get((ns, ln, None), set()))
                if rtype not in allowed:
                    problems.add("%s: <%s %s> uses a %s relationship (%s)", name, el.tagName,
                                 a.name, rtype, ids[a.value][1][:60])
            if ns in (V_NS, O_NS) and a.namespaceURI in (None, O_NS, V_NS) and \
                    aln in ("src", "href", "althref") and a.value:
                if aln == "href" and a.namespaceURI is None and ns == V_NS and \
                        ln in VML_SHAPES and (web_target(a.value) or
                                              re.match(r"#[^:/\\]*$", a.value)):
                    continue
                problems.add("%s: VML <%s %s=%r> names a file or URL", name, el.tagName,
                             a.name, a.value[:60])


def check_common_elements(name, doc, problems):
    for el in walk(doc.documentElement):
        if local(el) == "OLEObject":
            problems.add("%s: o:OLEObject left", name)


BIG_PART = 8 * 1024 * 1024
STREAM_FORMULAS = ("f", "definedName", "formula", "formula1", "formula2")


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
        if ln in STREAM_FORMULAS and ("spreadsheetml" in ns or ns == XM_NS):
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
        if ln in STREAM_FORMULAS:
            why = formula_problem(text)
            if why:
                problems.add("%s: formula %r: %s", name, text[:60], why)
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
        if b"purl.oclc.org/ooxml" in parts[n]:
            problems.add("%s: a Strict Open XML namespace or relationship type (the "
                         "output is Transitional)", n)
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
                ok = rtype.endswith("/hyperlink") and web_target(target)
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
        check_relationship_uses(n, doc, ids, problems)
        root_ns = doc.documentElement.namespaceURI or ""
        if root_ns in W_NS or n.startswith("word/"):
            check_word_fields(n, parts[n], doc, problems)
        if "spreadsheetml" in root_ns or n.startswith("xl/"):
            check_excel(n, doc, problems)
        check_formulas(n, doc, problems)
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
