# checks_odf.py - the independent structure check for OpenDocument outputs
# (odt/ods/odp/odg, their templates, and flat fodt/fods/fodp/fodg), plugged
# into run-fixtures.py.
#
# odf-clean: Python's zipfile and expat only, nothing of mugaika's code. It
# verifies that the output is a package LibreOffice opens and that nothing of
# the kinds the odf handler removes is left:
#   - a valid zip (CRCs, no encryption, no duplicate names ignoring case, no
#     "..", absolute or backslash names) whose first member is `mimetype`,
#     stored, without an extra field, holding the expected type;
#   - META-INF/manifest.xml without encryption data, whose root entry holds
#     the same type and which lists exactly the members (but mimetype and
#     itself), and the folders of the embedded objects;
#   - only the members a document needs: content.xml, styles.xml, meta.xml,
#     settings.xml, the manifest, pictures (Pictures/, ObjectReplacements/)
#     that are PNG, JPEG or GIF and nothing after IEND, each used by some XML,
#     and embedded charts and formulas (Object N/ with the same four parts):
#     no Basic/, Scripts/, Dialogs/, Configurations2/, Thumbnails/, signatures,
#     fonts, OLE objects, manifest.rdf;
#   - every XML part parses without a DOCTYPE; namespaces are read the way
#     LibreOffice reads them (urn:oasis:names:tc:ANY:xmlns:NAME:1.x is
#     NAME's ODF namespace, W3C SVG/XSL-FO/SMIL/XForms spellings mapped), and
#     nothing is in the script, XML-events or XForms namespace; none of the
#     elements that run, fetch or connect (text:script, text:execute-macro,
#     table:error-macro, draw:applet/plugin/floating-frame/object-ole,
#     anim:command/audio, presentation:sound, linked sections and tables, DDE,
#     database sources and fields, embedded fonts, form connections);
#   - every attribute named href (any namespace): a hyperlink element's target
#     is a place in the document (#...) or http(s)://host / mailto:; a
#     picture's is a picture member of the package; an object's an embedded
#     chart or formula; a chart's ".."; nothing else has one; no xml:base; no
#     attribute value that is a macro or command URL (vnd.sun.star.script:,
#     macro:, .uno:, slot:, service:); slide actions only move between slides or
#     show an allowed target;
#   - every formula attribute (formula, condition, expression, *-address,
#     *-ranges, calcext:value) refers to no other document ('file:...'#...),
#     calls no DDE, WEBSERVICE, RTD, IMAGE or macro function and no HYPERLINK
#     to a refused target (msoxl: formulas through the OOXML check's rule);
#   - properties hold no author, printer or user-defined property, template or
#     reload link; settings no printer setup, printer name, data source or other
#     binary; forms no data source, command, SQL list source, foreign
#     control implementation or URL property; Word field codes kept by
#     LibreOffice (field:param) are no DDE/INCLUDE*/IMPORT/LINK;
#   - the body holds the kind of document the type says;
#   - the manifest's `absent` and `member_text_absent` strings are in no member
#     name and no decompressed member; each `member_text_present` string is in
#     some member (or in the flat document).
import base64
import io
import posixpath
import re
import struct
import urllib.parse
import xml.parsers.expat
import zipfile

from checks_ooxml import formula_problem as excel_formula_problem
from checks_ooxml import image_kind, png_ends_at_iend, web_target

OASIS = "urn:oasis:names:tc:opendocument:xmlns:"
OFFICE = OASIS + "office:1.0"
META = OASIS + "meta:1.0"
CONFIG = OASIS + "config:1.0"
TEXT = OASIS + "text:1.0"
TABLE = OASIS + "table:1.0"
DRAW = OASIS + "drawing:1.0"
PRESENTATION = OASIS + "presentation:1.0"
ANIM = OASIS + "animation:1.0"
SCRIPT = OASIS + "script:1.0"
FORM = OASIS + "form:1.0"
STYLE = OASIS + "style:1.0"
CHART = OASIS + "chart:1.0"
SVG = OASIS + "svg-compatible:1.0"
MANIFEST = OASIS + "manifest:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
FIELD = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"
DC = "http://purl.org/dc/elements/1.1/"
XLINK = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XFORMS = "http://www.w3.org/2002/xforms"
DOM = "http://www.w3.org/2001/xml-events"
MATH = "http://www.w3.org/1998/Math/MathML"
OF = OASIS + "of:1.2"
OOOW = "http://openoffice.org/2004/writer"
OOOC = "http://openoffice.org/2004/calc"
MSOXL = "http://schemas.microsoft.com/office/excel/formula"

TYPES = {
    "odt": "text", "ott": "text-template", "ods": "spreadsheet",
    "ots": "spreadsheet-template", "odp": "presentation", "otp": "presentation-template",
    "odg": "graphics", "otg": "graphics-template",
}
BODY = {"text": "text", "spreadsheet": "spreadsheet", "presentation": "presentation",
        "graphics": "drawing"}
OBJECT_TYPES = {"application/vnd.oasis.opendocument.chart": "chart",
                "application/vnd.oasis.opendocument.formula": "formula"}
MACRO_URL = re.compile(r"(?i)^\s*(vnd\.sun\.star\.script:|vnd\.sun\.star\.basic:|macro:|"
                       r"service:|slot:|\.uno:|vnd\.sun\.star\.cmd:)")

FORBIDDEN_ELEMENTS = {
    (TEXT, "script"), (TEXT, "execute-macro"), (TABLE, "error-macro"), (OFFICE, "scripts"),
    (DRAW, "applet"), (DRAW, "plugin"), (DRAW, "floating-frame"), (DRAW, "object-ole"),
    (ANIM, "command"), (ANIM, "audio"), (PRESENTATION, "sound"),
    (TEXT, "section-source"), (TEXT, "alphabetical-index-auto-mark-file"),
    (OFFICE, "dde-source"), (TEXT, "dde-connection-decls"), (TEXT, "dde-connection-decl"),
    (TEXT, "dde-connection"), (TABLE, "dde-links"), (TABLE, "dde-link"),
    (TABLE, "table-source"), (TABLE, "cell-range-source"), (TABLE, "database-source-sql"),
    (TABLE, "database-source-table"), (TABLE, "database-source-query"),
    (TABLE, "source-service"), (TEXT, "database-display"), (TEXT, "database-next"),
    (TEXT, "database-row-select"), (TEXT, "database-row-number"), (TEXT, "database-name"),
    (FORM, "connection-resource"), (SVG, "font-face-uri"), (SVG, "definition-src"),
}
FORBIDDEN_NAMESPACES = {SCRIPT: "script", DOM: "XML events", XFORMS: "XForms"}
PERSONAL_META = {(META, "initial-creator"), (DC, "creator"), (META, "printed-by"),
                 (META, "template"), (META, "auto-reload")}
LINK_ELEMENTS = {(TEXT, "a"), (DRAW, "a"), (DRAW, "area-rectangle"), (DRAW, "area-circle"),
                 (DRAW, "area-polygon"), (FORM, "button"), (FORM, "image")}
PICTURE_ELEMENTS = {(DRAW, "image"), (DRAW, "fill-image"), (TEXT, "list-level-style-image"),
                    (STYLE, "background-image")}
SAFE_SLIDE_ACTIONS = {"none", "previous-page", "next-page", "first-page", "last-page", "hide",
                      "stop", "fade-out"}
FORBIDDEN_FUNCTIONS = re.compile(
    r"(?i)(?<![\w.])(?:COM\.MICROSOFT\.|ORG\.OPENOFFICE\.|ORG\.LIBREOFFICE\.|_xl[a-z]+\.)*"
    r"(DDE|WEBSERVICE|IMAGE|RTD|STOCKHISTORY|CALL|REGISTER|EXEC|EXECUTE|RUN|EVALUATE)\s*\(")
FIELD_CODES = re.compile(r'(?i)^[\s"]*(DDE|DDEAUTO|INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|'
                         r'LINK)\b')


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


class Problems(list):
    def add(self, msg, *args):
        self.append(msg % args if args else msg)


def as_libreoffice_reads(uri):
    """The namespace LibreOffice reads for `uri` (its NormalizeURI), or None
    for an OpenOffice.org 1.x / StarOffice namespace."""
    if re.match(r"(?i)http://(openoffice\.org/200[01]/|sun\.com/xmlns/staroffice/)", uri):
        return None
    if uri == OF:
        return uri
    m = re.match(r"urn:oasis:names:tc:[^:]*:xmlns:([^:]*):1\.[^:]+$", uri)
    if m:
        return OASIS + m.group(1) + ":1.0"
    w3c = {"http://www.w3.org/2000/svg": SVG,
           "http://www.w3.org/1999/XSL/Format": OASIS + "xsl-fo-compatible:1.0",
           "http://www.w3.org/2001/SMIL20/": OASIS + "smil-compatible:1.0",
           "http://www.w3.org/2001/SMIL20": OASIS + "smil-compatible:1.0"}
    if uri in w3c:
        return w3c[uri]
    if uri.startswith("http://www.w3.org/") and uri.endswith("xforms"):
        return XFORMS
    return uri


class Element:
    __slots__ = ("ns", "name", "attrs", "children", "text", "parent", "scope")

    def __init__(self, ns, name, attrs, parent, scope):
        self.ns, self.name, self.attrs, self.parent, self.scope = ns, name, attrs, parent, scope
        self.children = []
        self.text = []

    def key(self):
        return (self.ns, self.name)

    def get(self, ns, name):
        return self.attrs.get((ns, name))

    def all_text(self):
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    def walk(self):
        stack = [self]
        while stack:
            e = stack.pop()
            yield e
            stack.extend(reversed(e.children))


def parse(name, data, problems):
    """The tree of a part (Element), namespaces as LibreOffice reads them;
    None with a problem recorded for a DOCTYPE, malformed XML or a legacy
    namespace."""
    scopes = [{}]
    pending = {}
    stack = []
    root = []
    legacy = []

    def no_dtd(*a):
        raise ValueError("DOCTYPE")

    def ns_start(prefix, uri):
        mapped = as_libreoffice_reads(uri or "")
        if mapped is None:
            legacy.append(uri)
            mapped = uri
        pending[prefix or ""] = mapped

    def split(qname, is_attr):
        if ":" in qname:
            prefix, local = qname.split(":", 1)
            if prefix == "xml":
                return XML_NS, local
            return scopes[-1].get(prefix, "?" + prefix), local
        return (None if is_attr else scopes[-1].get("")), qname

    def start(qname, attrs):
        scope = dict(scopes[-1])
        scope.update(pending)
        pending.clear()
        scopes.append(scope)
        ns, local = split(qname, False)
        amap = {}
        for i in range(0, len(attrs), 2):
            amap[split(attrs[i], True)] = attrs[i + 1]
        parent = stack[-1] if stack else None
        e = Element(ns, local, amap, parent, scope)
        if parent is not None:
            parent.children.append(e)
        else:
            root.append(e)
        stack.append(e)

    def end(qname):
        stack.pop()
        scopes.pop()

    def chars(data):
        if stack:
            stack[-1].text.append(data)

    # expat does not resolve prefixes here: the declarations are read as
    # attributes and mapped as LibreOffice maps them
    def start_with_decls(qname, attrs):
        plain = []
        for i in range(0, len(attrs), 2):
            a = attrs[i]
            if a == "xmlns":
                ns_start("", attrs[i + 1])
            elif a.startswith("xmlns:"):
                ns_start(a[6:], attrs[i + 1])
            else:
                plain += [a, attrs[i + 1]]
        start(qname, plain)

    p = xml.parsers.expat.ParserCreate()
    p.ordered_attributes = True
    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler = start_with_decls
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    try:
        p.Parse(data, True)
    except ValueError:
        problems.add("%s: has a DOCTYPE", name)
        return None
    except xml.parsers.expat.ExpatError as e:
        problems.add("%s: not well-formed XML: %s", name, e)
        return None
    if legacy:
        problems.add("%s: declares a legacy namespace %r", name, legacy[0])
    return root[0] if root else None


def internal_link(target):
    return target.startswith("#") and not re.search(r"[\x00-\x1f\\]", target)


def allowed_link(target):
    t = (target or "").lstrip("".join(chr(c) for c in range(33)))
    return internal_link(t) or (web_target(t) and not MACRO_URL.match(t))


def openformula_problem(formula, writer=False):
    if formula.count('"') % 2:
        return "a string left open"
    plain = re.sub(r'"[^"]*"', '""', formula)
    for m in re.finditer(r"'((?:[^']|'')*)'", plain):
        after = plain[m.end():].lstrip()
        if after.startswith("#") or re.search(r"://|\\|^file:", m.group(1), re.I):
            return "a reference to another document"
    if plain.count("'") % 2:
        return "a name left open"
    bare = re.sub(r"'(?:[^']|'')*'", "Q", plain)
    if ("|" in bare and not writer) or "\\" in bare or "://" in bare or "#$" in bare:
        return "DDE, a path or another document"
    if FORBIDDEN_FUNCTIONS.search(bare):
        return "a function that connects, fetches or runs code"
    for mt in re.finditer(r"(?i)(?<![\w.])(?:COM\.MICROSOFT\.)?HYPERLINK\s*\(", formula):
        arg = re.match(r'\s*"((?:[^"]|"")*)"\s*[;,)]', formula[mt.end():])
        target = arg.group(1).replace('""', '"') if arg else None
        if target is None or not (web_target(target) or
                                  re.match(r"#[^\[\]\\/:?*]*$", target)):
            return "HYPERLINK to %r" % formula[mt.end():mt.end() + 40]
    return None


def formula_problem(element, value):
    m = re.match(r"([A-Za-z_][\w.-]*):", value)
    uri = element.scope.get(m.group(1)) if m else None
    if uri is None:
        return openformula_problem(value)
    rest = value[m.end():]
    if uri == MSOXL:
        return excel_formula_problem(rest[1:] if rest.startswith("=") else rest)
    if uri in (OF, OOOC, OOOW):
        return openformula_problem(rest, writer=uri == OOOW)
    return "a formula in an unknown grammar (%s)" % uri


def is_formula_attribute(ns, name):
    return (name in ("formula", "condition", "expression") or
            (ns == CALCEXT and name == "value") or name.endswith("-address") or
            name.endswith("-ranges") or name.endswith("cell-range") or name == "linked-cell")


class Package:
    """What the checks of one XML tree need to know of the package."""

    def __init__(self, members, objects):
        self.members = members        # name -> bytes
        self.objects = objects        # "Object 1" -> "chart" | "formula"
        self.used_pictures = set()

    def picture(self, base, href):
        path = urllib.parse.unquote(href)
        if re.match(r"[A-Za-z][\w+.-]*:", path) or path.startswith("/"):
            return None
        full = posixpath.normpath(posixpath.join(base, path))
        rel = full[len(base):] if full.startswith(base) else None
        if rel is None or not rel.startswith(("Pictures/", "ObjectReplacements/")):
            return None
        return full if full in self.members else None


def check_tree(part, base, root, pkg, problems):
    """Every rule above on one XML tree; pkg is None in a flat document."""
    for e in root.walk():
        k = e.key()
        where = "%s <%s>" % (part, e.name)
        if e.ns in FORBIDDEN_NAMESPACES:
            problems.add("%s: an element in the %s namespace", where, FORBIDDEN_NAMESPACES[e.ns])
        if k in FORBIDDEN_ELEMENTS:
            problems.add("%s: forbidden element", where)
        if e.parent is not None and e.parent.key() == (OFFICE, "meta"):
            if k in PERSONAL_META:
                problems.add("%s: personal or linking property", where)
            if k == (META, "user-defined") and (e.get(META, "name") or e.all_text()):
                problems.add("%s: a user-defined property", where)
        if e.parent is not None and e.parent.key() == (OFFICE, "event-listeners") and \
                k != (PRESENTATION, "event-listener"):
            problems.add("%s: an event listener", where)
        if k == (PRESENTATION, "event-listener"):
            action = e.get(PRESENTATION, "action")
            if action not in SAFE_SLIDE_ACTIONS and action != "show":
                problems.add("%s: a click action %r", where, action)
        if k == (CONFIG, "config-item"):
            check_setting(where, e, problems)
        if k == (FIELD, "param") and (e.get(FIELD, "name") or "").endswith(".field.code") and \
                FIELD_CODES.match(e.get(FIELD, "value") or ""):
            problems.add("%s: a Word field code %r", where, e.get(FIELD, "value")[:40])
        if k == (OFFICE, "binary-data"):
            if e.parent is None or e.parent.key() not in PICTURE_ELEMENTS:
                problems.add("%s: binary data outside a picture", where)
            else:
                try:
                    pic = base64.b64decode("".join(e.text), validate=False)
                except ValueError:
                    pic = b""
                if not image_kind(pic) or (pic.startswith(b"\x89PNG") and
                                           not png_ends_at_iend(pic)):
                    problems.add("%s: inline picture that is no clean PNG/JPEG/GIF", where)
        if k == (FORM, "form"):
            for (ans, an), v in e.attrs.items():
                if ans == FORM and an in ("command", "datasource", "filter", "order",
                                          "master-fields", "detail-fields") and v:
                    problems.add("%s: form %s %r", where, an, v[:40])
        if e.ns == FORM and e.get(FORM, "list-source-type") not in (None, "value-list"):
            problems.add("%s: a list filled from a database", where)
        impl = e.get(FORM, "control-implementation")
        if impl is not None and not re.match(r"(com\.sun\.star|stardiv\.one)\.form\.component\.",
                                             impl.split(":", 1)[-1]):
            problems.add("%s: control implementation %r", where, impl)
        if k in ((FORM, "property"), (FORM, "list-property")):
            name = e.get(FORM, "property-name") or ""
            value = e.get(OFFICE, "string-value") or e.all_text()
            if name.lower().endswith("url") and value and \
                    not (name == "TargetURL" and allowed_link(value)):
                problems.add("%s: property %s = %r", where, name, value[:40])
            if name == "DefaultControl" and not re.match(
                    r"(com\.sun\.star|stardiv\.one)\.form\.control\.", value or ""):
                problems.add("%s: the control shown is %r", where, value)
        for (ans, an), v in e.attrs.items():
            check_attribute(part, base, e, ans, an, v, pkg, problems)


def check_setting(where, e, problems):
    name = e.get(CONFIG, "name") or ""
    value = e.all_text()
    if not value:
        return
    if name in ("PrinterSetup", "PrinterName", "PrintFaxName"):
        problems.add("%s: printer setting %s", where, name)
    if name in ("CurrentDatabaseDataSource", "CurrentDatabaseCommand", "EmbeddedDatabaseName",
                "DataSourceName"):
        problems.add("%s: data source %s = %r", where, name, value[:40])
    if e.get(CONFIG, "type") == "base64Binary" and name != "RedlineProtectionKey":
        problems.add("%s: binary setting %s", where, name)
    if MACRO_URL.match(value):
        problems.add("%s: setting %s is a macro URL", where, name)


def check_attribute(part, base, e, ans, an, v, pkg, problems):
    k = e.key()
    where = "%s <%s %s=%r>" % (part, e.name, an, v[:60])
    if ans == XML_NS and an == "base":
        problems.add("%s: xml:base", where)
    if MACRO_URL.match(v):
        problems.add("%s: a macro or command URL", where)
    if is_formula_attribute(ans, an) and v:
        why = formula_problem(e, v)
        if why:
            problems.add("%s: %s", where, why)
    if ans == FORM and an == "image-data" and v:
        full = pkg.picture(base, v) if pkg else None
        if not full:
            problems.add("%s: a form picture that is not a picture of the package", where)
        else:
            pkg.used_pictures.add(full)
    if an != "href":
        return
    if ans != XLINK:
        problems.add("%s: an href outside the XLink namespace", where)
    elif k in LINK_ELEMENTS or (k == (PRESENTATION, "event-listener") and
                                e.get(PRESENTATION, "action") == "show"):
        if not allowed_link(v):
            problems.add("%s: a link target the rule refuses", where)
    elif k in PICTURE_ELEMENTS:
        full = pkg.picture(base, v) if pkg else None
        if not full:
            problems.add("%s: a picture that is not a picture of the package", where)
        else:
            pkg.used_pictures.add(full)
    elif k == (DRAW, "object"):
        name = urllib.parse.unquote(v)
        name = name[2:] if name.startswith("./") else name
        if not pkg or base or pkg.objects.get(name.rstrip("/")) is None:
            problems.add("%s: an object that is not an embedded chart or formula", where)
    elif k == (CHART, "chart"):
        if v not in ("..", "../"):
            problems.add("%s: a chart's data elsewhere", where)
    else:
        problems.add("%s: a reference from an element that is no link, picture or object",
                     where)


def body_kind(root):
    bodies = [c for c in root.children if c.key() == (OFFICE, "body")]
    if len(bodies) != 1:
        return None
    kinds = [c.name for c in bodies[0].children if c.ns == OFFICE]
    return kinds[0] if len(kinds) == 1 and len(bodies[0].children) == 1 else None


def local_header_extra(data, offset):
    return struct.unpack("<H", data[offset + 28:offset + 30])[0]


def manifest_entries(data, problems):
    root = parse("META-INF/manifest.xml", data, problems)
    entries = {}
    if root is None or root.key() != (MANIFEST, "manifest"):
        problems.add("META-INF/manifest.xml: not a manifest")
        return entries
    for e in root.walk():
        if e.key() == (MANIFEST, "encryption-data"):
            problems.add("META-INF/manifest.xml: encryption data")
        if e.key() == (MANIFEST, "file-entry"):
            path = e.get(MANIFEST, "full-path")
            if path in entries:
                problems.add("META-INF/manifest.xml: %r listed twice", path)
            entries[path] = e.get(MANIFEST, "media-type")
    return entries


def allowed_member(name, objects):
    if name in ("mimetype", "META-INF/manifest.xml", "content.xml", "styles.xml", "meta.xml",
                "settings.xml") or name.startswith(("Pictures/", "ObjectReplacements/")):
        return True
    top, _, rest = name.partition("/")
    return top in objects and (rest in ("content.xml", "styles.xml", "meta.xml",
                                        "settings.xml") or rest.startswith("Pictures/"))


def package_problems(data, entry, out_name):
    problems = Problems()
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        bad = z.testzip()
    except Exception as e:  # noqa: BLE001 - any failure is a finding
        fail("not a readable zip: %s", e)
    if bad:
        problems.add("bad CRC in %s", bad)
    infos = z.infolist()
    names = [i.filename for i in infos]
    lower = [n.lower() for n in names]
    if len(set(lower)) != len(lower):
        problems.add("duplicate member names (ignoring case)")
    for i in infos:
        n = i.filename
        if n.startswith("/") or "\\" in n or ".." in n.split("/") or n.endswith("/"):
            problems.add("member name %r", n)
        if i.flag_bits & 1:
            problems.add("%s is encrypted", n)
    ext = out_name.rsplit(".", 1)[-1].lower()
    want = "application/vnd.oasis.opendocument." + TYPES.get(ext, "?")
    if not infos or infos[0].filename != "mimetype":
        problems.add("the first member is not mimetype")
    else:
        m = infos[0]
        if m.compress_type != zipfile.ZIP_STORED or m.extra or \
                local_header_extra(data, m.header_offset):
            problems.add("mimetype is compressed or has an extra field")
        if z.read(m) != want.encode():
            problems.add("mimetype %r, the output is named .%s", z.read(m)[:80], ext)
    members = {n: z.read(n) for n in names}
    manifest = manifest_entries(members.get("META-INF/manifest.xml", b""), problems)
    if manifest.get("/") != want:
        problems.add("manifest root entry %r", manifest.get("/"))
    objects = {}
    for path, mt in manifest.items():
        if path == "/":
            continue
        if path.endswith("/"):
            kind = OBJECT_TYPES.get(mt)
            if kind is None or path[:-1] + "/content.xml" not in members:
                problems.add("manifest lists %r (%s), not a chart or formula", path, mt)
            objects[path[:-1]] = kind
        elif path not in members:
            problems.add("manifest lists %r, which is not there", path)
    for n in names:
        if n not in ("mimetype", "META-INF/manifest.xml") and n not in manifest:
            problems.add("%r is not in the manifest", n)
        if not allowed_member(n, objects):
            problems.add("%r: a member a document does not need", n)
    pkg = Package(members, objects)
    for n in names:
        if not n.endswith(".xml") or n == "META-INF/manifest.xml":
            continue
        base = n.rsplit("/", 1)[0] + "/" if "/" in n else ""
        root = parse(n, members[n], problems)
        if root is None:
            continue
        if n == "content.xml" and body_kind(root) != BODY.get(TYPES.get(ext, "?").split("-")[0]):
            problems.add("content.xml holds a %r body, the type says %s", body_kind(root), ext)
        if base and n.endswith("/content.xml"):
            kind = objects.get(base[:-1])
            if kind == "chart" and body_kind(root) != "chart":
                problems.add("%s: not a chart", n)
            if kind == "formula" and root.key() != (MATH, "math"):
                problems.add("%s: not a formula", n)
        check_tree(n, base, root, pkg, problems)
    for n, d in members.items():
        if n.startswith(("Pictures/", "ObjectReplacements/")) or "/Pictures/" in n:
            kind = image_kind(d)
            if not kind or (kind == "png" and not png_ends_at_iend(d)):
                problems.add("%s is no clean PNG, JPEG or GIF", n)
            if n not in pkg.used_pictures:
                problems.add("%s is used by nothing", n)
    check_markers(entry, members, problems)
    return problems


def flat_problems(data, entry):
    problems = Problems()
    root = parse("document", data, problems)
    if root is None:
        return problems
    if root.key() != (OFFICE, "document"):
        problems.add("the root is not office:document")
    mime = root.get(OFFICE, "mimetype") or ""
    kind = mime.rsplit(".", 1)[-1].split("-")[0]
    if body_kind(root) != BODY.get(kind):
        problems.add("the body is %r, office:mimetype %r", body_kind(root), mime)
    check_tree("document", "", root, None, problems)
    check_markers(entry, {"document": data}, problems)
    return problems


def check_markers(entry, members, problems):
    for s in list(entry.get("absent", [])) + list(entry.get("member_text_absent", [])):
        b = s.encode("utf-8")
        where = [n for n, d in members.items() if b in d or s in n]
        if where:
            problems.add("%r still in %s", s, ", ".join(where[:3]))
    for s in entry.get("member_text_present", []):
        if not any(s.encode("utf-8") in d for d in members.values()):
            problems.add("%r is in no member", s)


def odf_problems(data, entry, out_name):
    if data.startswith(b"PK\x03\x04"):
        return package_problems(data, entry, out_name)
    return flat_problems(data, entry)


def check_odf_clean(ctx):
    name = ctx["record"].get("out_name") or ctx["name"]
    problems = odf_problems(ctx["output"], ctx["entry"], name)
    if problems:
        fail("%d problem(s): %s", len(problems), "; ".join(problems[:12]))


CHECKS = {
    "odf-clean": check_odf_clean,
}


if __name__ == "__main__":
    # checks_odf.py FILE...: the check on files directly (no manifest markers)
    import sys
    found = {p: odf_problems(open(p, "rb").read(), {}, p) for p in sys.argv[1:]}
    for path, pr in found.items():
        print("%s: %s" % (path, "; ".join(pr) or "ok"))
    sys.exit(any(found.values()))
