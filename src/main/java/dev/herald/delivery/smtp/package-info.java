/**
 * Herald's own SMTP client, the outbound MTA's voice: one blocking connection per {@link
 * dev.herald.delivery.smtp.SmtpConnection}, meant to run on a virtual thread.
 *
 * <p>It is our own because no Java library does what an MTA needs. Angus Mail has no PIPELINING,
 * so every recipient costs a round trip to a server that may be 150 ms away and caps connections per
 * IP. HubSpot's NioSmtpClient pipelines, but without PIPELINING it stops the whole transaction at
 * the first failed RCPT, so the good recipients after it get nothing (measured: sending-core.md
 * 2.3). An MTA must read one reply code per recipient, keep going past a refused one, bind a source
 * address from an IP pool, and apply RFC 5321's timeouts: this package does exactly that, plus what
 * a delivery server (smarthost) asks for: implicit TLS on port 465 and AUTH PLAIN or LOGIN, only over TLS
 * unless the server is on loopback. No CHUNKING, no other SASL mechanism.
 *
 * <p>Public here: {@link dev.herald.delivery.smtp.SmtpClient} opens connections, {@link
 * dev.herald.delivery.smtp.SmtpConnection#send} runs one transaction and answers a {@link
 * dev.herald.delivery.smtp.RecipientResult} per recipient. Everything else is package-private. The
 * dialogue runs over a {@code Wire}, so tests drive it with scripted replies and no socket.
 */
package dev.herald.delivery.smtp;
