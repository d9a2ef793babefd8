"""An SMTP sink that defers chosen recipients, for bench/mta.sh's deferral mode.

usage: defer_sink.py <port> <status file> [defer prefix]

Postfix's smtp-sink can answer 4xx only per command (-r RCPT defers every recipient), not per recipient, so this
sink does what it does (PIPELINING, discards what it accepts) and answers RCPT with a per-message 450 (4.2.0, not a
throttling reply) when the local part starts with the prefix (default "defer"). Listens on 127.0.0.1 only. Every
0.1 s it rewrites the status file with "<messages accepted> <recipients deferred> <epoch of the last acceptance>",
which the benchmark polls for its end time.
"""
import asyncio
import os
import sys
import time

port, status_path = int(sys.argv[1]), sys.argv[2]
prefix = (sys.argv[3] if len(sys.argv) > 3 else "defer").encode()
accepted = 0
deferred = 0
last_accept = 0.0


async def session(reader, writer):
    global accepted, deferred, last_accept
    writer.write(b"220 defer-sink ESMTP\r\n")
    recipients = 0
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-defer-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 52428800\r\n"
                             b"250 ENHANCEDSTATUSCODES\r\n")
            elif verb == b"HELO":
                writer.write(b"250 defer-sink\r\n")
            elif verb == b"MAIL":
                recipients = 0
                writer.write(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                address = line[line.index(b"<") + 1:line.index(b">")] if b"<" in line else b""
                if address.startswith(prefix):
                    deferred += 1
                    writer.write(b"450 4.2.0 <" + address + b">: Recipient address rejected: mailbox temporarily unavailable\r\n")
                else:
                    recipients += 1
                    writer.write(b"250 2.1.5 Ok\r\n")
            elif verb == b"DATA":
                if recipients == 0:
                    writer.write(b"554 5.5.1 Error: no valid recipients\r\n")
                    continue
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await writer.drain()
                await reader.readuntil(b"\r\n.\r\n")
                accepted += 1
                last_accept = time.time()
                recipients = 0
                writer.write(b"250 2.0.0 Ok: queued\r\n")
            elif verb == b"RSET":
                recipients = 0
                writer.write(b"250 2.0.0 Ok\r\n")
            elif verb == b"NOOP":
                writer.write(b"250 2.0.0 Ok\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"502 5.5.2 Error: command not recognized\r\n")
            # Replies to a pipelined group go out together, as a real server's do.
            if not reader._buffer:
                await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def report():
    shown = None
    while True:
        now = (accepted, deferred, last_accept)
        if now != shown:
            with open(status_path + ".tmp", "w") as f:
                f.write(f"{accepted} {deferred} {last_accept:.3f}\n")
            os.replace(status_path + ".tmp", status_path)
            shown = now
        await asyncio.sleep(0.1)


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", port, limit=64 * 1024 * 1024, backlog=256)
    async with server:
        await asyncio.gather(server.serve_forever(), report())


asyncio.run(main())
