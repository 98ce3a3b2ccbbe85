# checks_office.py - the independent "opens in an office suite" check for
# Office outputs (ooxml, ole2, rtf, odf), plugged into run-fixtures.py.
#
# office-opens: LibreOffice (headless, from Debian) converts the output to
# PDF, and the manifest's `text_present` strings are in its text. A file it cannot load makes it exit non-zero or write no PDF; the PDF
# must have at least one page (pdfinfo). This is the project's stand-in for
# "opens in Word/Excel/PowerPoint without a repair prompt": LibreOffice is
# stricter than Office about some broken packages and laxer about others, so
# the ooxml/ole2/rtf checks of structure run beside it.
import os
import re
import shutil
import subprocess
import tempfile

TIMEOUT = 120


def _soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise AssertionError("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    return exe


def convert_to_pdf(data, name, tmpdir):
    """PDF bytes of `data` (a document called `name`) as LibreOffice renders it."""
    work = tempfile.mkdtemp(prefix="office-", dir=tmpdir)
    try:
        # one profile per run-fixtures process: the first start builds it (slow)
        profile = os.path.join(tmpdir, "lo-profile")
        src = os.path.join(work, "in" + os.path.splitext(name)[1].lower())
        with open(src, "wb") as f:
            f.write(data)
        p = subprocess.run([_soffice(), "--headless", "--norestore",
                            "-env:UserInstallation=file://" + profile,
                            "--convert-to", "pdf", "--outdir", work, src],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        pdf = os.path.join(work, "in.pdf")
        if p.returncode != 0 or not os.path.exists(pdf) or os.path.getsize(pdf) == 0:
            raise AssertionError("LibreOffice could not convert %s (exit %d): %s" % (
                name, p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace").strip()))
        with open(pdf, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pdf_pages(pdf, tmpdir):
    with tempfile.NamedTemporaryFile(suffix=".pdf", dir=tmpdir) as f:
        f.write(pdf)
        f.flush()
        p = subprocess.run(["pdfinfo", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m = re.search(rb"^Pages:\s+(\d+)", p.stdout, re.M)
    return int(m.group(1)) if m else 0


def check_office_opens(ctx):
    """LibreOffice converts the output to a PDF of at least one page, and
    every string of the manifest's `text_present` is in that PDF's text
    (pdftotext; whitespace ignored, since layout breaks lines)."""
    name = ctx["record"].get("out_name") or ctx["name"]
    pdf = convert_to_pdf(ctx["output"], name, ctx["tmpdir"])
    if pdf_pages(pdf, ctx["tmpdir"]) < 1:
        raise AssertionError("LibreOffice's PDF of the output has no pages")
    want = ctx["entry"].get("text_present", [])
    if not want:
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf", dir=ctx["tmpdir"]) as f:
        f.write(pdf)
        f.flush()
        p = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    flat = re.sub(r"\s+", "", p.stdout.decode("utf-8", "replace"))
    missing = [s for s in want if re.sub(r"\s+", "", s) not in flat]
    if missing:
        raise AssertionError("LibreOffice shows no %r in the output" % missing)


CHECKS = {
    "office-opens": check_office_opens,
}
