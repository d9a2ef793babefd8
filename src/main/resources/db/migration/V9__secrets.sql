-- platform: secrets Herald must use itself (the link-signing key; later DKIM private keys, webhook signing
-- keys, delivery-server passwords), never stored in plain text (DESIGN.md security rule 7). One table for
-- all of them, so rotating the master key is one loop over it (Secrets.rotateToCurrentKey).
create table secret (
  name        text primary key,               -- namespaced by the owning capability, e.g. domains:dkim:42
  key_id      text not null,                  -- which master key of HERALD_SECRET_KEYS / secret.keys encrypted it
  ciphertext  bytea not null,                 -- AES-256-GCM: 12-byte nonce || ciphertext || 16-byte tag; the name is the AAD
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
