-- module: feedback
-- Whether a mailbox monitor verifies its server's certificate (its name and a trusted issuer) over TLS, as delivery
-- servers do: on by default; off only for a server on a trusted network with a certificate of its own making.
alter table feedback_mailbox add column verify_certificate boolean not null default true;
