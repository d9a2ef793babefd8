-- module: domains
-- Which DKIM signatures a domain's mail carries: both (RSA-2048 and Ed25519, the default) or RSA-2048 only. The large
-- mailbox providers verify RSA; few verify Ed25519 yet (RFC 8463), and the second signature costs CPU on every message
-- (bench/dkim-sign.sh: Ed25519 0.16 ms beside RSA's 0.39 ms per message) and a header. Both keys stay generated and
-- published either way, so switching back needs no DNS change.
alter table sending_domain add column dkim_signatures text not null default 'both'
  constraint sending_domain_dkim_signatures check (dkim_signatures in ('both', 'rsa'));
