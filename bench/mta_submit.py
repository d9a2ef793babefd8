"""The MTA benchmark's messages for Herald's batch send API (bench/mta.sh runs it).

usage: mta_submit.py generate <dir> <from> <first> <count> <domains> <defer every n (0: none)>
       mta_submit.py send <dir> <api base> <key>

generate writes the request bodies (batches of 1,000) to <dir> before the clock starts, so the client's own work
does not compete with Herald for the two cores while it is timed. Message i (from <first>) goes to
user<i>@r<i % domains>.rcpt.example, or to defer<i>@... when i is a multiple of <defer every n>; its subject, text
and HTML carry i, so every message is distinct. HTML is about 12 KB and text about 7 KB, so the built MIME message
is about 20 KB.

send posts the batches in order on two connections at once; prints the number accepted; exits non-zero if any
message was refused.
"""
import http.client
import json
import os
import sys
import threading
import urllib.parse

BATCH = 1000

PARAGRAPH = ("Herald benchmark paragraph {i}.{p}: the quick brown fox jumps over the lazy dog while the queue "
             "worker signs and delivers every message on loopback, and nothing here is real mail. ")


def message(i, sender, domains, defer_every):
    local = f"defer{i}" if defer_every and i % defer_every == 0 else f"user{i}"
    html_paragraphs = "".join(f"<p style=\"margin:0 0 12px\">{PARAGRAPH.format(i=i, p=p)}</p>\n" for p in range(60))
    text_paragraphs = "".join(PARAGRAPH.format(i=i, p=p) + "\n\n" for p in range(38))
    return {
        "from": sender,
        "fromName": "Herald Bench",
        "to": [f"{local}@r{i % domains}.rcpt.example"],
        "subject": f"Benchmark message {i}",
        "html": f"<html><body><h1>Message {i}</h1>\n{html_paragraphs}</body></html>",
        "text": f"Message {i}\n\n{text_paragraphs}",
        "tags": ["bench"],
    }


def generate(directory, sender, first, count, domains, defer_every):
    for n, start in enumerate(range(first, first + count, BATCH)):
        size = min(BATCH, first + count - start)
        body = {"messages": [message(i, sender, domains, defer_every) for i in range(start, start + size)]}
        with open(os.path.join(directory, f"batch-{n:05d}.json"), "w", encoding="utf-8") as f:
            json.dump(body, f)


lock = threading.Lock()
accepted = 0
refused = []


def submit(url, key, batches):
    global accepted
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    while True:
        with lock:
            if not batches:
                break
            path = batches.pop(0)
        with open(path, "rb") as f:
            body = f.read()
        conn.request("POST", url.path + "/messages/batch", body,
                     {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
        if response.status != 202:
            with lock:
                refused.append(f"{os.path.basename(path)}: HTTP {response.status} {answer[:500]!r}")
            continue
        result = json.loads(answer)
        with lock:
            accepted += result["accepted"]
            if result["refused"]:
                refused.append(f"{os.path.basename(path)}: {result['refused']} refused, e.g. "
                               + json.dumps([r for r in result["results"] if r.get("problem")][:1]))
    conn.close()


def send(directory, api, key):
    url = urllib.parse.urlsplit(api)
    batches = [os.path.join(directory, name) for name in sorted(os.listdir(directory))]
    threads = [threading.Thread(target=submit, args=(url, key, batches)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(accepted)
    if refused:
        print("\n".join(refused[:5]), file=sys.stderr)
        sys.exit(1)


if sys.argv[1] == "generate":
    generate(sys.argv[2], sys.argv[3], *map(int, sys.argv[4:8]))
elif sys.argv[1] == "send":
    send(*sys.argv[2:5])
else:
    sys.exit(__doc__)
