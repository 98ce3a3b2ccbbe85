#!/usr/bin/python3
# pdf_check.py - runs cdr-file over many PDFs and asks independent readers
# whether each output opens: `qpdf --check` (exit 0 clean, 3 warnings, 2
# errors), pikepdf, poppler's pdfinfo (page count) and pdftoppm (page 1 at 36
# dpi), each compared with what the same tool makes of the input.
#
#   bench/pdf_check.py [--mutate] [--verbose] PATH...
#
# PATH: PDF files or directories searched for *.pdf and *.pdf.gz (gzip files
# are read decompressed). --mutate adds, for every input, the damaged variants
# that public corpora are full of (hand-written, truncated or "repaired"
# files): the xref table or startxref lost, the trailer without /Size, a direct
# /Root, offsets off by some bytes, CR line ends, keywords in upper case, junk
# before the header, everything on one line. They are made in memory, the same
# on every run.
#
# Prints one line per input that was not clean in every respect, then the
# totals: blocked, outputs, outputs qpdf --check fails (errors) or warns about,
# outputs pikepdf cannot open without a warning, page counts or page-1
# renderings that differ from the input's (counted only where poppler reads the
# input). It reports; it never fails on a number.
#
# Environment: CDR_FILE (default build/cli/cdr-file), MUGAIKA_WORKER (default
# build/cdr-worker).
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TIMEOUT = 120


def inputs(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.lower().endswith((".pdf", ".pdf.gz")):
                        yield os.path.join(root, f)
        else:
            yield p


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def mutations(data):
    """(suffix, bytes) of damaged variants of one PDF."""
    out = []
    eof = data.rfind(b"startxref")
    if eof > 0:
        out.append(("no-startxref", data[:eof]))
        xref = data.rfind(b"\nxref", 0, eof)
        trailer = data.rfind(b"trailer", 0, eof)
        if 0 < xref < trailer:
            out.append(("no-xref-table", data[:xref + 1] + data[trailer:eof]))
        out.append(("startxref-off", data[:eof] + b"startxref\n7\n%%EOF\n"))
    no_size = re.sub(rb"/Size\s+\d+", b"", data)
    if no_size != data:
        out.append(("no-size", no_size))
        if eof > 0:
            out.append(("no-size-no-startxref", no_size[:no_size.rfind(b"startxref")]))
    root = re.search(rb"/Root\s+(\d+)\s+(\d+)\s+R", data)
    if root:
        m = re.search(rb"\n%s\s+%s\s+obj\s*(<<.*?>>)\s*endobj" % (root.group(1), root.group(2)),
                      data, re.S)
        if m and data.count(b"<<", m.start(1), m.end(1)) == 1:
            out.append(("direct-root", data[:eof if eof > 0 else len(data)].replace(
                root.group(0), b"/Root " + m.group(1)) + b"%%EOF\n"))
    out.append(("offsets-shifted", b"%PDF-1.7\n%" + b"x" * 40 + b"\n" + data))
    out.append(("cr-only", data.replace(b"\r\n", b"\r").replace(b"\n", b"\r")))
    out.append(("keywords-upper", data.replace(b" obj", b" OBJ").replace(b"endobj", b"ENDOBJ")))
    out.append(("truncated", data[:len(data) * 9 // 10]))
    out.append(("one-line", data.replace(b"\r", b" ").replace(b"\n", b" ")))
    return out


def run(argv, data=None, suffix=".pdf"):
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        try:
            return subprocess.run(argv + [f.name], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return None


def qpdf_check(data):
    p = run(["qpdf", "--check"], data)
    if p is None:
        return "timeout", ""
    text = (p.stdout + p.stderr).decode("utf-8", "replace")
    kind = {0: "clean", 3: "warnings"}.get(p.returncode, "errors")
    lines = [l for l in text.splitlines() if l.startswith(("WARNING", "qpdf:", "ERROR"))]
    return kind, (lines[0] if lines else "")[:160]


def pages(data):
    p = run(["pdfinfo"], data)
    if p is None or p.returncode != 0:
        return None
    m = re.search(rb"^Pages:\s+(\d+)", p.stdout, re.M)
    return int(m.group(1)) if m else None


def render(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as f:
            f.write(data)
        try:
            subprocess.run(["pdftoppm", "-r", "36", "-f", "1", "-l", "1", "-png", src,
                            os.path.join(tmp, "page")], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return None
        pngs = sorted(f for f in os.listdir(tmp) if f.startswith("page"))
        if not pngs:
            return None
        from PIL import Image
        with Image.open(os.path.join(tmp, pngs[0])) as im:
            im = im.convert("RGB")
            return im.size, im.tobytes()


def pikepdf_pages(data):
    """Pages as pikepdf (libqpdf from python) counts them, None when it
    cannot open the file or warns while opening it."""
    import io
    import pikepdf
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            return None if pdf.get_warnings() else n
    except Exception:
        return None


def sanitize(cdr, data):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "r.jsonl")
        p = subprocess.run([cdr, "-c", "-q", "-n", "in.pdf", "-r", report], input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        with open(report) as f:
            rec = json.loads(f.readline())
        return rec, p.stdout if rec["verdict"] != "blocked" else None


def main():
    ap = argparse.ArgumentParser(description="cdr-file outputs checked by qpdf and poppler")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--mutate", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    cdr = os.environ.get("CDR_FILE", os.path.join(REPO, "build/cli/cdr-file"))
    os.environ.setdefault("MUGAIKA_WORKER", os.path.join(REPO, "build/cdr-worker"))

    totals = dict.fromkeys(["inputs", "blocked", "outputs", "qpdf-errors", "qpdf-warnings",
                            "pikepdf-fails", "pages-differ", "render-differs",
                            "input-qpdf-errors"], 0)
    for path in inputs(args.paths):
        try:
            original = read(path)
        except OSError as e:
            print("skip %s: %s" % (path, e), file=sys.stderr)
            continue
        cases = [(path, original)]
        if args.mutate:
            cases += [(path + "#" + s, d) for s, d in mutations(original)]
        for name, data in cases:
            totals["inputs"] += 1
            in_check, _ = qpdf_check(data)
            totals["input-qpdf-errors"] += in_check != "clean" and in_check != "warnings"
            rec, out = sanitize(cdr, data)
            notes = []
            if out is None:
                totals["blocked"] += 1
                line = "blocked (%s: %s)" % (rec.get("error"), rec.get("reason", "")[:100])
                if args.verbose:
                    print("%s: %s [input qpdf --check: %s]" % (name, line, in_check))
                continue
            totals["outputs"] += 1
            check, why = qpdf_check(out)
            if check == "errors" or check == "timeout":
                totals["qpdf-errors"] += 1
                notes.append("qpdf --check %s: %s" % (check, why))
            elif check == "warnings":
                totals["qpdf-warnings"] += 1
                notes.append("qpdf --check warns: %s" % why)
            if pikepdf_pages(out) is None:
                totals["pikepdf-fails"] += 1
                notes.append("pikepdf cannot open it cleanly")
            n_in, n_out = pages(data), pages(out)
            if n_in is not None and n_in != n_out:
                totals["pages-differ"] += 1
                notes.append("pages %s -> %s" % (n_in, n_out))
            r_in = render(data) if n_in is not None else None
            if r_in is not None and r_in != render(out):
                totals["render-differs"] += 1
                notes.append("page 1 renders differently")
            if notes or args.verbose:
                acts = ",".join(a["what"] for a in rec.get("actions", []))
                print("%s: %s [%s] %s" % (name, rec["verdict"], acts, "; ".join(notes)))
    print("== " + ", ".join("%s %d" % kv for kv in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
