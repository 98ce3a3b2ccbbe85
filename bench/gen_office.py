#!/usr/bin/python3
# gen_office.py - the Office benchmark inputs for bench/office.sh, in a scratch
# directory (never committed):
#   DIR/report.docx   a 30-page report (~60 paragraphs of Japanese and English
#                     text, 3 tables, 15 pictures: JPEG photos ~900x600 and PNG
#                     charts), styles, header/footer, core/app properties;
#   DIR/deck.pptx     200 slides (title + bullets, every 4th with a PNG picture),
#                     one master, one layout, a theme;
#   DIR/sheet.xlsx    ~50 MB (--mb) of numbers and strings: one worksheet of
#                     rows (id, date serial, amount, quantity, rate, shared
#                     string, inline string, formula), a shared-string table;
#   DIR/small/        20 small documents (docx, xlsx, pptx; 5-60 KB), as a
#                     mail attachment stream.
# Written part by part with python's zipfile (deflate, fixed times) and PIL;
# deterministic (fixed seeds), so every run measures the same bytes.
# Usage: gen_office.py DIR [--mb N]
import argparse
import io
import os
import random
import zipfile

from PIL import Image, ImageDraw, ImageFilter

ZIP_DATE = (2024, 4, 1, 9, 0, 0)
X = "http://schemas.openxmlformats.org/"
R = X + "officeDocument/2006/relationships/"
OX = "application/vnd.openxmlformats-officedocument."
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W_NS = ('xmlns:w="%swordprocessingml/2006/main" xmlns:r="%sofficeDocument/2006/relationships" '
        'xmlns:wp="%sdrawingml/2006/wordprocessingDrawing" xmlns:a="%sdrawingml/2006/main" '
        'xmlns:pic="%sdrawingml/2006/picture"' % (X, X, X, X, X))
P_NS = ('xmlns:a="%sdrawingml/2006/main" xmlns:r="%sofficeDocument/2006/relationships" '
        'xmlns:p="%spresentationml/2006/main"' % (X, X, X))
S_NS = 'xmlns="%sspreadsheetml/2006/main" xmlns:r="%sofficeDocument/2006/relationships"' % (X, X)
CORE = (DECL + '<cp:coreProperties xmlns:cp="%spackage/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>%%s</dc:title>'
        '<dc:creator>総務部 山田</dc:creator><cp:lastModifiedBy>佐藤</cp:lastModifiedBy>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-04-01T09:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-04-02T18:30:00Z</dcterms:modified>'
        '</cp:coreProperties>' % X)
APP = (DECL + '<Properties xmlns="%sofficeDocument/2006/extended-properties"><Application>'
       'Microsoft Office Word</Application><Company>Example K.K.</Company></Properties>' % X)

JA = ("本年度の事業計画について報告します。", "売上は前年同期比で12%増加しました。",
      "新規顧客は34社、既存顧客の継続率は92%です。", "次四半期は物流費の削減に取り組みます。",
      "会議の議事録は社内サイトに掲載しています。", "予算案は原案どおり承認されました。")
EN = ("Quarterly results exceeded the plan in every region.",
      "The logistics project enters its second phase in July.",
      "Customer satisfaction rose for the third quarter in a row.")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rels(items):
    return (DECL + '<Relationships xmlns="%spackage/2006/relationships">' % X +
            "".join('<Relationship Id="%s" Type="%s%s" Target="%s"%s/>' % (
                i, R if not t.startswith("http") else "", t, tg,
                ' TargetMode="External"' if ext else "") for i, t, tg, ext in items) +
            "</Relationships>")


def types(defaults, overrides):
    return (DECL + '<Types xmlns="%spackage/2006/content-types">' % X +
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
            "".join('<Default Extension="%s" ContentType="%s"/>' % d for d in defaults) +
            "".join('<Override PartName="/%s" ContentType="%s"/>' % o for o in overrides) +
            "</Types>")


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data.encode("utf-8") if isinstance(data, str) else data)


def photo(w, h, seed):
    rnd = random.Random(seed)
    im = Image.merge("RGB", (Image.linear_gradient("L").resize((w, h)),
                             Image.linear_gradient("L").rotate(90).resize((w, h)),
                             Image.new("L", (w, h), rnd.randrange(40, 200))))
    d = ImageDraw.Draw(im)
    for _ in range(14):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        d.ellipse((x0, y0, x0 + rnd.randrange(20, w // 2), y0 + rnd.randrange(20, h // 2)),
                  fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    im = im.filter(ImageFilter.GaussianBlur(2))
    grain = Image.frombytes("L", (w, h), rnd.randbytes(w * h))
    return Image.blend(im, Image.merge("RGB", (grain, grain, grain)), 0.06)


def chart(w, h, seed):
    rnd = random.Random(seed)
    im = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(im)
    n = 12
    for i in range(n):
        v = rnd.randrange(h // 5, h - 20)
        d.rectangle((20 + i * (w - 40) // n, h - v, 20 + (i + 1) * (w - 40) // n - 6, h - 10),
                    fill=(40, 90 + i * 10, 200))
    return im


def img_bytes(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


# ---------------------------------------------------------------- docx

def w_par(text, style=None):
    ppr = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
    return '<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (ppr, esc(text))


def w_pic(rid, pid, cx, cy):
    return ('<w:p><w:r><w:drawing><wp:inline><wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" '
            'name="Picture %d"/><a:graphic><a:graphicData uri="%sdrawingml/2006/picture">'
            '<pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="p%d"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip r:embed="%s"/><a:stretch><a:fillRect/></a:stretch>'
            '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>') % (
                cx, cy, pid, pid, X, pid, pid, rid, cx, cy)


def w_table(rnd, rows, cols):
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           '</w:tblPr><w:tblGrid>' + '<w:gridCol w:w="1800"/>' * cols + "</w:tblGrid>"]
    for r in range(rows):
        out.append("<w:tr>" + "".join(
            '<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>' % (
                "項目%d" % r if c == 0 else "{:,}".format(rnd.randrange(1000, 9999999)))
            for c in range(cols)) + "</w:tr>")
    return "".join(out) + "</w:tbl>"


def report_docx(path):
    rnd = random.Random(30)
    body, media, drels = [], [], [("rId1", "styles", "styles.xml", False),
                                  ("rId2", "settings", "settings.xml", False),
                                  ("rId3", "header", "header1.xml", False)]
    pid = 0
    for page in range(30):
        body.append(w_par("第%d章 事業報告 Chapter %d" % (page + 1, page + 1), "Heading1"))
        for _ in range(6):
            body.append(w_par(" ".join(rnd.choice(JA + EN) for _ in range(7))))
        if page % 2 == 0:
            pid += 1
            rid = "rId%d" % (10 + pid)
            if pid % 3:
                name, data = "image%d.jpeg" % pid, img_bytes(photo(900, 600, pid), "JPEG",
                                                               quality=85)
            else:
                name, data = "image%d.png" % pid, img_bytes(chart(800, 450, pid), "PNG")
            media.append(("word/media/" + name, data))
            drels.append((rid, "image", "media/" + name, False))
            body.append(w_pic(rid, pid, 5400000, 3600000))
        if page % 10 == 5:
            body.append(w_table(rnd, 12, 5))
        body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    doc = (DECL + '<w:document %s><w:body>%s<w:sectPr><w:headerReference w:type="default" '
           'r:id="rId3"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" '
           'w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/>'
           '</w:sectPr></w:body></w:document>') % (W_NS, "".join(body))
    styles = (DECL + '<w:styles %s><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
              '<w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1">'
              '<w:name w:val="heading 1"/><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>'
              '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
              '</w:style></w:styles>') % W_NS
    header = (DECL + '<w:hdr %s>%s</w:hdr>') % (W_NS, w_par("社外秘 2024年度 事業報告書"))
    overrides = [("word/document.xml", OX + "wordprocessingml.document.main+xml"),
                 ("word/styles.xml", OX + "wordprocessingml.styles+xml"),
                 ("word/settings.xml", OX + "wordprocessingml.settings+xml"),
                 ("word/header1.xml", OX + "wordprocessingml.header+xml"),
                 ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                 ("docProps/app.xml", OX + "extended-properties+xml")]
    write_zip(path, [
        ("[Content_Types].xml", types([("jpeg", "image/jpeg"), ("png", "image/png")], overrides)),
        ("_rels/.rels", rels([("rId1", "officeDocument", "word/document.xml", False),
                              ("rId2", "http://schemas.openxmlformats.org/package/2006/"
                               "relationships/metadata/core-properties", "docProps/core.xml",
                               False), ("rId3", "extended-properties", "docProps/app.xml",
                                        False)])),
        ("word/document.xml", doc), ("word/_rels/document.xml.rels", rels(drels)),
        ("word/styles.xml", styles),
        ("word/settings.xml", DECL + '<w:settings %s><w:defaultTabStop w:val="720"/>'
         '</w:settings>' % W_NS),
        ("word/header1.xml", header)] + media + [
        ("docProps/core.xml", CORE % "2024年度 事業報告書"), ("docProps/app.xml", APP)])


# ---------------------------------------------------------------- pptx

THEME = (DECL + '<a:theme xmlns:a="%sdrawingml/2006/main" name="Bench"><a:themeElements>'
         '<a:clrScheme name="Bench"><a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr '
         'val="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="1F497D"/></a:dk2><a:lt2><a:srgbClr '
         'val="EEECE1"/></a:lt2>' % X + "".join(
             '<a:accent%d><a:srgbClr val="%s"/></a:accent%d>' % (i, c, i) for i, c in enumerate(
                 ("4F81BD", "C0504D", "9BBB59", "8064A2", "4BACC6", "F79646"), 1)) +
         '<a:hlink><a:srgbClr val="0000FF"/></a:hlink><a:folHlink><a:srgbClr val="800080"/>'
         '</a:folHlink></a:clrScheme><a:fontScheme name="Bench"><a:majorFont><a:latin '
         'typeface="Liberation Sans"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
         '<a:minorFont><a:latin typeface="Liberation Sans"/><a:ea typeface=""/><a:cs typeface=""/>'
         '</a:minorFont></a:fontScheme><a:fmtScheme name="Bench"><a:fillStyleLst>' +
         '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 + '</a:fillStyleLst>'
         '<a:lnStyleLst>' + '<a:ln w="9525"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
         '</a:ln>' * 3 + '</a:lnStyleLst><a:effectStyleLst>' +
         '<a:effectStyle><a:effectLst/></a:effectStyle>' * 3 + '</a:effectStyleLst>'
         '<a:bgFillStyleLst>' + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 +
         '</a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>')
SP_TREE_HEAD = ('<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
                '<p:grpSpPr/>')


def p_text(sid, y, cy, paras, size):
    return ('<p:sp><p:nvSpPr><p:cNvPr id="%d" name="Text %d"/><p:cNvSpPr txBox="1"/><p:nvPr/>'
            '</p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="%d"/><a:ext cx="8229600" cy="%d"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody>'
            '<a:bodyPr/><a:lstStyle/>%s</p:txBody></p:sp>') % (
                sid, sid, y, cy, "".join('<a:p><a:r><a:rPr lang="ja-JP" sz="%d"/><a:t>%s</a:t>'
                                         '</a:r></a:p>' % (size, esc(p)) for p in paras))


def deck_pptx(path, slides=200):
    rnd = random.Random(200)
    members, media = [], []
    sld_ids, pres_rels = [], [("rId1", "slideMaster", "slideMasters/slideMaster1.xml", False),
                              ("rId2", "theme", "theme/theme1.xml", False)]
    overrides = [("ppt/presentation.xml", OX + "presentationml.presentation.main+xml"),
                 ("ppt/slideMasters/slideMaster1.xml", OX + "presentationml.slideMaster+xml"),
                 ("ppt/slideLayouts/slideLayout1.xml", OX + "presentationml.slideLayout+xml"),
                 ("ppt/theme/theme1.xml", OX + "theme+xml"),
                 ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")]
    for i in range(1, slides + 1):
        shapes = [p_text(2, 274638, 1143000, ["第%d部 四半期報告 Slide %d" % (i, i)], 3200),
                  p_text(3, 1600200, 3000000,
                         [" ".join(rnd.choice(JA + EN) for _ in range(2)) for _ in range(5)],
                         1800)]
        srels = [("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml", False)]
        if i % 4 == 0:
            name = "image%d.png" % i
            media.append(("ppt/media/" + name, img_bytes(chart(640, 360, i), "PNG")))
            srels.append(("rId2", "image", "../media/" + name, False))
            shapes.append('<p:pic><p:nvPicPr><p:cNvPr id="4" name="Chart"/><p:cNvPicPr/><p:nvPr/>'
                          '</p:nvPicPr><p:blipFill><a:blip r:embed="rId2"/><a:stretch>'
                          '<a:fillRect/></a:stretch></p:blipFill><p:spPr><a:xfrm><a:off '
                          'x="4572000" y="3657600"/><a:ext cx="4114800" cy="2314575"/></a:xfrm>'
                          '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>')
        members.append(("ppt/slides/slide%d.xml" % i, DECL + '<p:sld %s><p:cSld><p:spTree>%s%s'
                        '</p:spTree></p:cSld></p:sld>' % (P_NS, SP_TREE_HEAD, "".join(shapes))))
        members.append(("ppt/slides/_rels/slide%d.xml.rels" % i, rels(srels)))
        overrides.append(("ppt/slides/slide%d.xml" % i, OX + "presentationml.slide+xml"))
        pres_rels.append(("rId%d" % (10 + i), "slide", "slides/slide%d.xml" % i, False))
        sld_ids.append('<p:sldId id="%d" r:id="rId%d"/>' % (255 + i, 10 + i))
    pres = (DECL + '<p:presentation %s><p:sldMasterIdLst><p:sldMasterId id="2147483648" '
            'r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst>%s</p:sldIdLst><p:sldSz cx="9144000" '
            'cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>') % (
                P_NS, "".join(sld_ids))
    master = (DECL + '<p:sldMaster %s><p:cSld><p:spTree>%s</p:spTree></p:cSld><p:clrMap bg1="lt1" '
              'tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3"'
              ' accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" '
              'folHlink="folHlink"/><p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/>'
              '</p:sldLayoutIdLst></p:sldMaster>') % (P_NS, SP_TREE_HEAD)
    layout = (DECL + '<p:sldLayout %s type="blank"><p:cSld name="Blank"><p:spTree>%s</p:spTree>'
              '</p:cSld></p:sldLayout>') % (P_NS, SP_TREE_HEAD)
    write_zip(path, [
        ("[Content_Types].xml", types([("png", "image/png")], overrides)),
        ("_rels/.rels", rels([("rId1", "officeDocument", "ppt/presentation.xml", False),
                              ("rId2", "http://schemas.openxmlformats.org/package/2006/"
                               "relationships/metadata/core-properties", "docProps/core.xml",
                               False)])),
        ("ppt/presentation.xml", pres), ("ppt/_rels/presentation.xml.rels", rels(pres_rels)),
        ("ppt/slideMasters/slideMaster1.xml", master),
        ("ppt/slideMasters/_rels/slideMaster1.xml.rels",
         rels([("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml", False),
               ("rId2", "theme", "../theme/theme1.xml", False)])),
        ("ppt/slideLayouts/slideLayout1.xml", layout),
        ("ppt/slideLayouts/_rels/slideLayout1.xml.rels",
         rels([("rId1", "slideMaster", "../slideMasters/slideMaster1.xml", False)])),
        ("ppt/theme/theme1.xml", THEME)] + members + media + [
        ("docProps/core.xml", CORE % "四半期報告")])


# ---------------------------------------------------------------- xlsx

def sheet_xlsx(path, mb, rows=None, seed=50):
    """Rows until the zip holds ~mb MB (or exactly `rows` rows)."""
    rnd = random.Random(seed)
    words = ["%s-%04d" % (w, i) for i, w in enumerate(
        ["東京", "大阪", "名古屋", "札幌", "福岡", "仙台", "広島", "京都"] * 250)]
    target = mb * 1000 * 1000
    overrides = [("xl/workbook.xml", OX + "spreadsheetml.sheet.main+xml"),
                 ("xl/worksheets/sheet1.xml", OX + "spreadsheetml.worksheet+xml"),
                 ("xl/sharedStrings.xml", OX + "spreadsheetml.sharedStrings+xml"),
                 ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")]
    with open(path, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED,
                                                  compresslevel=6) as z:
        def put(name, data):
            zi = zipfile.ZipInfo(name, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data.encode("utf-8"))
        put("[Content_Types].xml", types([], overrides))
        put("_rels/.rels", rels([("rId1", "officeDocument", "xl/workbook.xml", False),
                                 ("rId2", "http://schemas.openxmlformats.org/package/2006/"
                                  "relationships/metadata/core-properties", "docProps/core.xml",
                                  False)]))
        put("xl/workbook.xml", DECL + '<workbook %s><sheets><sheet name="売上明細" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>' % S_NS)
        put("xl/_rels/workbook.xml.rels", rels([
            ("rId1", "worksheet", "worksheets/sheet1.xml", False),
            ("rId2", "sharedStrings", "sharedStrings.xml", False)]))
        zi = zipfile.ZipInfo("xl/worksheets/sheet1.xml", ZIP_DATE)
        zi.compress_type = zipfile.ZIP_DEFLATED
        n = 0
        with z.open(zi, "w", force_zip64=True) as f:
            f.write((DECL + '<worksheet %s><sheetData>' % S_NS).encode())
            while True:
                block = []
                for _ in range(5000):
                    n += 1
                    block.append(
                        '<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" s="0"><v>%d</v></c>'
                        '<c r="C%d"><v>%.2f</v></c><c r="D%d"><v>%d</v></c><c r="E%d"><v>%.4f'
                        '</v></c><c r="F%d" t="s"><v>%d</v></c><c r="G%d" t="inlineStr"><is><t>'
                        '注文%08d</t></is></c><c r="H%d"><f>C%d*D%d</f><v>%.2f</v></c></row>' % (
                            n, n, 100000 + n, n, 45000 + rnd.randrange(400), n,
                            rnd.randrange(100, 10000000) / 100, n, rnd.randrange(1, 500), n,
                            rnd.random(), n, rnd.randrange(len(words)), n, rnd.randrange(10**8),
                            n, n, n, rnd.randrange(100, 10000000) / 100))
                f.write("".join(block).encode())
                if (rows and n >= rows) or (not rows and raw.tell() >= target):
                    break
            f.write(b"</sheetData></worksheet>")
        put("xl/sharedStrings.xml", DECL + '<sst %s count="%d" uniqueCount="%d">%s</sst>' % (
            S_NS, len(words), len(words), "".join("<si><t>%s</t></si>" % w for w in words)))
        put("docProps/core.xml", CORE % "売上明細")
    return n


def small_set(d):
    os.makedirs(d, exist_ok=True)
    for i in range(20):
        kind = ("docx", "xlsx", "pptx")[i % 3]
        p = os.path.join(d, "doc%02d.%s" % (i, kind))
        if kind == "xlsx":
            sheet_xlsx(p, 0, rows=100 + 50 * i, seed=i)
        elif kind == "pptx":
            deck_pptx(p, slides=3 + i)
        else:
            small_docx(p, i)


def small_docx(path, i):
    rnd = random.Random(i)
    body = "".join(w_par(" ".join(rnd.choice(JA + EN) for _ in range(6)))
                   for _ in range(20 + 10 * i))
    doc = (DECL + '<w:document %s><w:body>%s<w:sectPr/></w:body></w:document>') % (W_NS, body)
    write_zip(path, [
        ("[Content_Types].xml", types([], [
            ("word/document.xml", OX + "wordprocessingml.document.main+xml"),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")])),
        ("_rels/.rels", rels([("rId1", "officeDocument", "word/document.xml", False),
                              ("rId2", "http://schemas.openxmlformats.org/package/2006/"
                               "relationships/metadata/core-properties", "docProps/core.xml",
                               False)])),
        ("word/document.xml", doc), ("docProps/core.xml", CORE % ("文書%d" % i))])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mb", type=int, default=50)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    report_docx(os.path.join(a.dir, "report.docx"))
    deck_pptx(os.path.join(a.dir, "deck.pptx"))
    rows = sheet_xlsx(os.path.join(a.dir, "sheet.xlsx"), a.mb)
    small_set(os.path.join(a.dir, "small"))
    for f in sorted(os.listdir(a.dir)):
        p = os.path.join(a.dir, f)
        if os.path.isfile(p):
            print("  %-12s %10d bytes%s" % (f, os.path.getsize(p),
                                            " (%d rows)" % rows if f == "sheet.xlsx" else ""))


if __name__ == "__main__":
    main()
