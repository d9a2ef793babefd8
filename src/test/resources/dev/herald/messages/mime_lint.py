# A second opinion for MessageBuilderTest: Python's email package with policy=strict (raises on any defect).
# Usage: /usr/bin/python3 mime_lint.py MESSAGE
# Prints the structure (one line per part: depth, content type, charset, transfer encoding, filename),
# then "subject: <decoded subject>", or "defect: <what>" and exit status 1.
import email
import email.policy
import sys

with open(sys.argv[1], "rb") as f:
    raw = f.read()
try:
    message = email.message_from_bytes(raw, policy=email.policy.strict)

    def walk(part, depth):
        ctype = part.get_content_type()
        print(depth, ctype, part.get_content_charset() or "-", part.get("Content-Transfer-Encoding", "-"), part.get_filename() or "-")
        if part.is_multipart():
            for child in part.iter_parts():
                walk(child, depth + 1)
        else:
            part.get_content()  # decodes the transfer encoding and the charset: fails on a bad one

    walk(message, 0)
    for name in ("subject", "from", "to", "cc", "reply-to", "list-unsubscribe", "x-campaign"):
        if message[name] is not None:
            print(name + ":", str(message[name]))
    if message.defects:
        raise ValueError(message.defects)
except Exception as e:
    print("defect:", type(e).__name__, e)
    sys.exit(1)
