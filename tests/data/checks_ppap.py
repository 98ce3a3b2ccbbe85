# checks_ppap.py - the independent check of PPAP outputs (fixtures/ppap):
# converted originals, follow-ups, listings and releases, plugged into
# run-fixtures.py.
#
# ppap-mail: Python's email package (policy.default) and zipfile only, and
# checks_ooxml.py's reader on the Office files inside. It verifies that
#   - every line ends in CRLF and is at most 998 bytes; the parser finds no
#     defect; headers come from the allow-list (From To Cc Reply-To Subject
#     Date Message-ID In-Reply-To References, X-Mugaika, MIME) plus, for a
#     follow-up, Sender and X-Mugaika-Followup, each once; no decoded header
#     holds CR or LF;
#   - a follow-up (manifest "followup_kind": followup, listing or release)
#     says so in X-Mugaika-Followup, has a Message-ID of its own, the
#     original's as In-Reply-To and last in References, and the manifest's
#     "sender" as Sender; anything else has neither header;
#   - the first leaf is the text/plain body; the attachments are exactly the
#     manifest's "attachments" (file names, in order), nothing but the body
#     when there are none;
#   - every zip attached opens with zipfile, passes testzip(), has no
#     encrypted member, holds exactly "members" (the first zip), and its
#     decompressed members (and the parts of the Office files among them)
#     hold none of "member_text_absent"; each Office file inside passes the
#     ooxml-clean check;
#   - a forwarded message attached (message/rfc822) counts as one attachment
#     under its file name;
#   - "text_present" and "text_absent" in the decoded headers and text;
#     "text_absent" (a masked password) also in every other text part, in
#     the attachments' file names and in the headers and text of every
#     message attached, however deep.
#
# no-secrets: a password is never logged in clear text. None of the
# manifest's "secrets" (every password the fixtures use, ASCII and
# full-width) is in the report record or on stderr, and no line of a
# password file given with -P (the paired message's passwords) is in the
# output: raw, or in its decoded headers and text parts.
import email
import email.policy
import io
import json
import zipfile

from checks_ooxml import ooxml_problems

HEADERS = {"from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to",
           "references", "x-mugaika", "mime-version", "content-type",
           "content-transfer-encoding"}
FOLLOWUP_HEADERS = {"sender", "x-mugaika-followup"}
OFFICE = (".docx", ".xlsx", ".pptx")


def fail(msg, *args):
    raise AssertionError(msg % args if args else msg)


def decoded_headers(msg, problems):
    out = []
    for k, raw in msg.raw_items():
        v = str(msg.policy.header_fetch_parse(k, raw))
        if "\r" in v or "\n" in v:
            problems.append("decoded %s holds CR/LF" % k)
        out.append("%s: %s" % (k, v))
    return out


def check_headers(msg, entry, original, problems):
    names = [k.lower() for k in msg.keys()]
    kind = entry.get("followup_kind")
    allowed = HEADERS | (FOLLOWUP_HEADERS if kind else set())
    bad = sorted(set(n for n in names if n not in allowed))
    if bad:
        problems.append("headers not allowed here: %s" % ", ".join(bad))
    twice = sorted(set(n for n in names if names.count(n) > 1))
    if twice:
        problems.append("headers more than once: %s" % ", ".join(twice))
    if not kind:
        return
    marker = msg.get("x-mugaika-followup", "")
    if marker.split(";")[0].strip() != kind:
        problems.append("X-Mugaika-Followup %r, want kind %s" % (marker, kind))
    orig_id = original.get("message-id", "").strip()
    new_id = msg.get("message-id", "").strip()
    if not new_id or new_id == orig_id:
        problems.append("Message-ID %r is not a new one (original %r)" % (new_id, orig_id))
    if orig_id and msg.get("in-reply-to", "").strip() != orig_id:
        problems.append("In-Reply-To %r, want %r" % (msg.get("in-reply-to"), orig_id))
    if orig_id and not msg.get("references", "").strip().endswith(orig_id):
        problems.append("References %r does not end with %r" % (msg.get("references"), orig_id))
    if entry.get("sender") and msg.get("sender", "").strip() != entry["sender"]:
        problems.append("Sender %r, want %r" % (msg.get("sender"), entry["sender"]))


def zip_members(data, where, problems, blobs, depth=0):
    """Names of a zip (checked), with every member's bytes (and, a level or
    two down, those of zips inside, Office files included) in blobs."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        bad = z.testzip()
    except Exception as x:
        problems.append("%s: zipfile: %s" % (where, x))
        return []
    if bad:
        problems.append("%s: testzip fails at %s" % (where, bad))
        return []
    names = []
    for info in z.infolist():
        names.append(info.filename)
        if info.flag_bits & 0x1:
            problems.append("%s: member %s is encrypted" % (where, info.filename))
            continue
        body = z.read(info)
        blobs.append(info.filename.encode("utf-8"))
        blobs.append(body)
        if depth < 2 and body[:4] == b"PK\x03\x04":
            zip_members(body, "%s/%s" % (where, info.filename), problems, blobs, depth + 1)
        if info.filename.lower().endswith(OFFICE):
            for p in ooxml_problems(body, {}):
                problems.append("%s/%s: %s" % (where, info.filename, p))
    return names


def leaves_of(msg):
    """The parts that are not multipart, a message/rfc822 part as one."""
    if msg.get_content_type() == "message/rfc822":
        return [msg]
    if msg.is_multipart():
        return [leaf for p in msg.iter_parts() for leaf in leaves_of(p)]
    return [msg]


def all_text(msg, depth=0):
    """Decoded headers and every text part, those of attached messages too."""
    texts = decoded_headers(msg, [])
    for part in leaves_of(msg) if msg.is_multipart() else [msg]:
        texts.append(part.get_filename() or "")
        if part.get_content_type() == "message/rfc822" and depth < 8:
            for inner in part.iter_parts():
                texts.append(all_text(inner, depth + 1))
        elif part.get_content_maintype() == "text":
            texts.append(part.get_content())
    return "\n".join(texts)


def check_attachments(msg, entry, problems):
    leaves = leaves_of(msg)
    if not leaves or leaves[0].get_content_type() != "text/plain":
        problems.append("the first part is not the text/plain body: %s" %
                        [p.get_content_type() for p in leaves])
        return ""
    text = leaves[0].get_content()
    names = [p.get_filename() for p in leaves[1:]]
    if names != entry.get("attachments", []):
        problems.append("attachments %r, want %r" % (names, entry.get("attachments", [])))
    zips = 0
    for part in leaves[1:]:
        data = part.get_content()
        if not isinstance(data, bytes) or data[:4] != b"PK\x03\x04":
            continue
        blobs = []
        members = zip_members(data, part.get_filename(), problems, blobs)
        if zips == 0 and entry.get("members") is not None and members != entry["members"]:
            problems.append("members %r, want %r" % (members, entry["members"]))
        zips += 1
        joined = b"\n".join(blobs)
        for s in entry.get("member_text_absent", []):
            if s.encode("utf-8") in joined:
                problems.append("%s still holds %r" % (part.get_filename(), s))
    return text


def check_ppap_mail(ctx):
    e, out = ctx["entry"], ctx["output"]
    problems = []
    if b"\n" in out.replace(b"\r\n", b"") or b"\r" in out.replace(b"\r\n", b""):
        problems.append("bare CR or LF (lines must end in CRLF)")
    if any(len(line) > 998 for line in out.split(b"\r\n")):
        problems.append("a line over 998 bytes")
    msg = email.message_from_bytes(out, policy=email.policy.default)
    original = email.message_from_bytes(ctx["input"], policy=email.policy.default)
    defects = [(p.get_content_type(), d.__class__.__name__) for p in msg.walk()
               for d in p.defects]
    if defects:
        problems.append("email parser defects: %s" % defects)
    check_headers(msg, e, original, problems)
    text = check_attachments(msg, e, problems)
    decoded = "\n".join(decoded_headers(msg, problems)) + "\n\n" + text
    everywhere = all_text(msg)
    for s in e.get("text_absent", []):
        if s in decoded or s in everywhere:
            problems.append("decoded output holds %r" % s)
    for s in e.get("text_present", []):
        if s not in decoded:
            problems.append("decoded output lacks %r" % s)
    if problems:
        fail("%s\n--- decoded output ---\n%s", "; ".join(problems), decoded)


def password_file_lines(entry):
    args, lines = entry.get("args", []), []
    for flag, value in zip(args, args[1:]):
        if flag in ("-P", "--password-file"):
            with open(value.replace("{dir}", entry["_dir"]), encoding="utf-8") as f:
                lines += [line for line in f.read().splitlines() if line]
    return lines


def decoded_output(out):
    msg = email.message_from_bytes(out, policy=email.policy.default)
    texts = decoded_headers(msg, [])
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            texts.append(part.get_content())
    return "\n".join(texts)


def check_no_secrets(ctx):
    e, problems = ctx["entry"], []
    secrets = e.get("secrets")
    if not secrets:
        fail("no-secrets needs a manifest \"secrets\" list")
    logged = "\n".join(json.dumps(r, ensure_ascii=False) for r in ctx["records"])
    stderr = ctx["stderr"].decode("utf-8", "replace")
    for s in secrets:
        if s in logged:
            problems.append("the report holds %r" % s)
        if s in stderr:
            problems.append("stderr holds %r" % s)
    given = password_file_lines(e)
    if given:
        decoded = decoded_output(ctx["output"])
        for s in given:
            if s.encode("utf-8") in ctx["output"] or s in decoded:
                problems.append("the output holds the given password %r" % s)
    if problems:
        fail("; ".join(problems))


CHECKS = {
    "ppap-mail": check_ppap_mail,
    "no-secrets": check_no_secrets,
}
