# checks_office.py - the independent "opens in an office suite" check for
# Office outputs (ooxml, ole2, rtf, odf), plugged into run-fixtures.py.
#
# office-opens: LibreOffice (headless, from Debian) converts the output to
# PDF, and the manifest's `text_present` strings are in its text. A file it cannot load makes it exit non-zero or write no PDF; the PDF
# must have at least one page (pdfinfo). This is the project's stand-in for
# "opens in Word/Excel/PowerPoint without a repair prompt": LibreOffice is
# stricter than Office about some broken packages and laxer about others, so
# the ooxml/ole2/rtf checks of structure run beside it.
#
# LibreOffice starts once per batch of BATCH_SIZE outputs (its start, not the
# conversion, is most of the time): run-fixtures.py calls
# prepare_office_opens() with every fixture that runs the check, and the
# check then reads its PDF from the batch. An output that gets no PDF there
# (LibreOffice cannot load it, crashes or hangs on it) is converted again on
# its own inside its check, which then fails with its name and LibreOffice's
# message, as before.
import os
import re
import shutil
import subprocess
import tempfile

TIMEOUT = 120
# files per LibreOffice start, and the time each adds to a batch's timeout
BATCH_SIZE = 40
BATCH_FILE_TIMEOUT = 15


def _soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise AssertionError("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    return exe


def _convert(srcs, outdir, tmpdir, timeout):
    """Run LibreOffice once on the files `srcs`; each PDF lands in `outdir`
    under its source's name with .pdf."""
    # one profile per run-fixtures process: the first start builds it (slow)
    profile = os.path.join(tmpdir, "lo-profile")
    return subprocess.run([_soffice(), "--headless", "--norestore",
                           "-env:UserInstallation=file://" + profile,
                           "--convert-to", "pdf", "--outdir", outdir] + srcs,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def _source_name(ctx):
    return ctx["record"].get("out_name") or ctx["name"]


def _suffix(name):
    return os.path.splitext(name)[1].lower()


def prepare_office_opens(ctxs):
    """Convert the outputs of `ctxs` to PDF, BATCH_SIZE per LibreOffice start;
    ctx["office_pdf"] is the PDF of each one that got one."""
    for first in range(0, len(ctxs), BATCH_SIZE):
        batch = ctxs[first:first + BATCH_SIZE]
        tmpdir = batch[0]["tmpdir"]
        work = tempfile.mkdtemp(prefix="office-batch-", dir=tmpdir)
        try:
            srcs = []
            for i, ctx in enumerate(batch):
                srcs.append(os.path.join(work, "%04d%s" % (i, _suffix(_source_name(ctx)))))
                with open(srcs[-1], "wb") as f:
                    f.write(ctx["output"])
            try:
                _convert(srcs, work, tmpdir, TIMEOUT + BATCH_FILE_TIMEOUT * len(batch))
            except subprocess.TimeoutExpired:
                pass  # the files without a PDF are converted alone in their check
            for i, ctx in enumerate(batch):
                pdf = os.path.join(work, "%04d.pdf" % i)
                if os.path.exists(pdf) and os.path.getsize(pdf) > 0:
                    with open(pdf, "rb") as f:
                        ctx["office_pdf"] = f.read()
        finally:
            shutil.rmtree(work, ignore_errors=True)


def convert_to_pdf(data, name, tmpdir):
    """PDF bytes of `data` (a document called `name`) as LibreOffice renders it."""
    work = tempfile.mkdtemp(prefix="office-", dir=tmpdir)
    try:
        src = os.path.join(work, "in" + _suffix(name))
        with open(src, "wb") as f:
            f.write(data)
        p = _convert([src], work, tmpdir, TIMEOUT)
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
    pdf = ctx.get("office_pdf") or convert_to_pdf(ctx["output"], _source_name(ctx),
                                                  ctx["tmpdir"])
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
BATCHES = {
    "office-opens": prepare_office_opens,
}
