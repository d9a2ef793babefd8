# The DKIM oracle for DkimOracleTest: Debian's python3-dkim verifies every DKIM-Signature of every message.
# Usage: /usr/bin/python3 dkim_verify.py KEYS_FILE MESSAGE...   (an argument @LIST names a file of message paths, one a line)
# KEYS_FILE has one "name TAB record" line per DNS TXT record (name without the final dot).
# Prints one line per signature: "<file> <index> pass" or "<file> <index> fail <reason>".
import logging
import sys

import dkim

records = {}
with open(sys.argv[1], encoding="ascii") as keys:
    for line in keys:
        name, record = line.rstrip("\n").split("\t", 1)
        records[name.lower() + "."] = record.encode("ascii")


def dns(name, timeout=5):
    return records.get(name.decode("ascii").lower())


paths = []
for arg in sys.argv[2:]:
    if arg.startswith("@"):
        with open(arg[1:], encoding="utf-8") as listed:
            paths.extend(line.rstrip("\n") for line in listed if line.strip())
    else:
        paths.append(arg)

for path in paths:
    with open(path, "rb") as f:
        message = f.read()
    count = sum(1 for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))
    if count == 0:
        print(path, 0, "fail no-signature")
    for index in range(count):
        d = dkim.DKIM(message, logger=logging.getLogger("quiet"), minkey=1024)
        try:
            ok = d.verify(idx=index, dnsfunc=dns)
            print(path, index, "pass" if ok else "fail verify-false")
        except dkim.DKIMException as e:
            print(path, index, "fail", str(e).replace("\n", " "))
