# Herald's MIME lint (testsupport/MimeLint runs it with Debian's /usr/bin/python3). Debian packages no MIME linter, so
# this is Python's email package with policy=strict (raises on any defect) plus the wire rules it does not check.
# Usage: mime_lint.py [--utf8] MESSAGE...   (--utf8: the message goes with SMTPUTF8, so UTF-8 headers are allowed)
# For each message prints "== <file>", the structure (one line per part: depth, content type, charset, transfer
# encoding, filename) and the main decoded headers; or "defect: <file>: <what>". Exit status 1 when any has a defect.
import email
import email.policy
import re
import sys

HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]?.*$|^[ \t].*$")
QP_LINE = re.compile(rb"^(?:[!-<>-~ \t]|=[0-9A-F]{2})*=?$")
B64_LINE = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")
ONCE = ("from", "sender", "reply-to", "to", "cc", "subject", "date", "message-id", "mime-version")


class Defect(Exception):
    pass


def wire(raw, utf8):
    """CRLF only, lines of at most 998 octets, no NUL, header ASCII (UTF-8 with SMTPUTF8)."""
    if b"\0" in raw:
        raise Defect("NUL byte at %d" % raw.index(b"\0"))
    if not raw.endswith(b"\r\n"):
        raise Defect("does not end with CRLF")
    lines = raw[:-2].split(b"\r\n")
    for n, line in enumerate(lines):
        if b"\r" in line or b"\n" in line:
            raise Defect("bare CR or LF on line %d" % (n + 1))
        if len(line) > 998:
            raise Defect("line %d is %d octets (more than 998)" % (n + 1, len(line)))
    if b"" not in lines:
        raise Defect("no empty line between header and body")
    header = lines[: lines.index(b"")]
    for n, line in enumerate(header):
        if not HEADER_LINE.match(line):
            raise Defect("not a header line: %r" % line[:80])
        if any(b > 127 for b in line):
            if not utf8:
                raise Defect("8-bit header without SMTPUTF8: %r" % line[:80])
            line.decode("utf-8")  # raises on invalid UTF-8


def raw_payload(part):
    # get_payload(decode=False) decodes 8-bit bytes with the part's charset; the stored payload keeps them as
    # surrogate escapes, which give the wire bytes back.
    payload = part._payload if isinstance(part._payload, str) else part.get_payload(decode=False)
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return payload.encode("utf-8", "surrogateescape")


def leaf(part, path):
    cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
    body = raw_payload(part)
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if cte == "7bit":
        if any(b > 127 for b in body):
            raise Defect("%s: 8-bit content in a part declared 7bit" % path)
    elif cte == "8bit":
        pass
    elif cte == "quoted-printable":
        for line in lines:
            if len(line) > 76:
                raise Defect("%s: quoted-printable line of %d characters (more than 76)" % (path, len(line)))
            if not QP_LINE.match(line):
                raise Defect("%s: not quoted-printable: %r" % (path, line[:80]))
            if line.endswith((b" ", b"\t")):
                raise Defect("%s: quoted-printable line ends in white space" % path)
    elif cte == "base64":
        joined = b"".join(lines)
        if any(len(line) > 76 for line in lines) or any(not B64_LINE.match(line) for line in lines) or len(joined) % 4:
            raise Defect("%s: not base64 in lines of at most 76 characters" % path)
    else:
        raise Defect("%s: transfer encoding %s (binary is not for SMTP)" % (path, cte))
    content = part.get_content()  # decodes the transfer encoding and the charset: fails on a bad one
    if part.get_content_maintype() == "text" and isinstance(content, str) and any(ord(c) > 127 for c in content):
        if part.get_param("charset") is None:
            raise Defect("%s: non-ASCII text without a charset" % path)


def walk(part, depth, path, out):
    if part.defects:
        raise Defect("%s: %s" % (path, part.defects))
    ctype = part.get_content_type()
    out.append(" ".join(str(x) for x in (depth, ctype, part.get_content_charset() or "-",
                                          part.get("Content-Transfer-Encoding", "-"), part.get_filename() or "-")))
    if part.is_multipart():
        cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
        if cte not in ("7bit", "8bit", "binary"):
            raise Defect("%s: a multipart with transfer encoding %s" % (path, cte))
        children = list(part.iter_parts())
        if not children:
            raise Defect("%s: a multipart without parts" % path)
        if ctype == "multipart/related":
            root = part.get_param("type")
            if root is None or root.lower() != children[0].get_content_type():
                raise Defect("%s: multipart/related type=%s, root part is %s" % (path, root, children[0].get_content_type()))
        if ctype == "multipart/alternative" and len(children) < 2:
            raise Defect("%s: multipart/alternative with one part" % path)
        for i, child in enumerate(children):
            walk(child, depth + 1, "%s.%d" % (path, i + 1), out)
    else:
        leaf(part, path)


def lint(raw, utf8):
    wire(raw, utf8)
    if utf8:
        # RFC 6532 headers: parsed as the UTF-8 text they are (the bytes parser takes them for undecodable bytes)
        message = email.message_from_string(raw.decode("utf-8"), policy=email.policy.strict.clone(utf8=True))
    else:
        message = email.message_from_bytes(raw, policy=email.policy.strict)
    for name in ONCE:
        if len(message.get_all(name, [])) > 1:
            raise Defect("more than one %s header" % name)
    for name, value in message.items():  # parses every header; strict records a header's defects on it
        defects = [d for d in getattr(value, "defects", ()) if not (utf8 and type(d).__name__ == "NonASCIILocalPartDefect")]
        if defects:
            raise Defect("%s header: %s" % (name, defects))
    for name in ("from", "date", "message-id"):
        if message[name] is None:
            raise Defect("no %s header" % name)
    if message["content-type"] is not None and str(message["mime-version"]).strip() != "1.0":
        raise Defect("MIME-Version is not 1.0")
    if message["date"].datetime is None:
        raise Defect("unreadable Date")
    out = []
    walk(message, 0, "message", out)
    for name in ("subject", "from", "to", "cc", "reply-to", "list-unsubscribe", "x-campaign"):
        if message[name] is not None:
            out.append(name + ": " + str(message[name]))
    return out


def main(args):
    utf8 = "--utf8" in args
    failed = False
    paths = [a for a in args if a != "--utf8"]
    for path in paths:
        with open(path, "rb") as f:
            raw = f.read()
        try:
            if len(paths) > 1:
                print("== " + path)
            print("\n".join(lint(raw, utf8)))
        except Exception as e:  # a Defect, or the strict policy's own exception
            print("defect: %s: %s %s" % (path, type(e).__name__, e))
            failed = True
    sys.exit(1 if failed else 0)


main(sys.argv[1:])
