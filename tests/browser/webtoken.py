# webtoken.py - the staff link's token, written a second time from its
# description alone (cdr-web(8), cdr/release-token.h): it checks the tokens the
# gateway puts in its notices and makes the ones the gateway never would
# (expired, for an unknown message, for another recipient).
#
#	TOKEN = base64url(id NUL recipient NUL expiry-unix-seconds) "."
#	        base64url(HMAC-SHA256(key, first part))
#
# "first part" can be read as the base64url text before the dot or as the
# bytes it encodes, and base64url may or may not keep its "=" padding:
# read() finds out which the gateway's token uses (Convention), and sign()
# then writes the same way, so that a token of ours differs from the
# gateway's only where a test means it to.
import base64
import hashlib
import hmac


def b64url(data, padded):
    text = base64.urlsafe_b64encode(data).decode("ascii")
    return text if padded else text.rstrip("=")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Convention:
    def __init__(self, padded, mac_over_text):
        self.padded = padded
        self.mac_over_text = mac_over_text

    def __str__(self):
        return "base64url %s padding, HMAC over the %s" % (
            "with" if self.padded else "without",
            "encoded first part" if self.mac_over_text else "decoded first part")


def mac(key, first, convention):
    signed = first.encode("ascii") if convention.mac_over_text else b64url_decode(first)
    return hmac.new(key, signed, hashlib.sha256).digest()


def read(key, token):
    """(id, recipient, expiry, Convention) of a token whose signature verifies
    under either reading of the contract; raises ValueError otherwise."""
    first, dot, second = token.partition(".")
    if not dot or not first or not second:
        raise ValueError("not PAYLOAD.SIGNATURE: %r" % token)
    fields = b64url_decode(first).split(b"\0")
    if len(fields) != 3:
        raise ValueError("payload has %d NUL-separated fields, not 3" % len(fields))
    padded = first.endswith("=") or second.endswith("=")
    given = b64url_decode(second)
    for over_text in (True, False):
        convention = Convention(padded, over_text)
        if hmac.compare_digest(mac(key, first, convention), given):
            return (fields[0].decode("utf-8"), fields[1].decode("utf-8"),
                    int(fields[2].decode("ascii")), convention)
    raise ValueError("the signature verifies under no reading of the contract")


def sign(key, message_id, recipient, expiry, convention):
    payload = b"\0".join([message_id.encode("utf-8"), recipient.encode("utf-8"),
                          str(int(expiry)).encode("ascii")])
    first = b64url(payload, convention.padded)
    return first + "." + b64url(mac(key, first, convention), convention.padded)


def with_payload(token, payload_fields, convention):
    """TOKEN's signature under another payload (a forged recipient, say)."""
    first = b64url(b"\0".join(f.encode("utf-8") for f in payload_fields), convention.padded)
    return first + "." + token.partition(".")[2]


def change_one(text, index):
    """TEXT with the base64url character at INDEX replaced by another one
    (in the middle of a part, so the decoded bytes change for sure)."""
    c = text[index]
    other = "A" if c != "A" else "B"
    return text[:index] + other + text[index + 1:]
