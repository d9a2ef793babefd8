-- module: suppression
-- A campaign's audience is screened against the address entries by their text (suppression.Screening.admittedSql),
-- a hash join on text instead of a SHA-256 of every one of a million addresses. That admits exactly the addresses the
-- hash lookups admit only while an entry's hash is the SHA-256 of its own address, which Suppressions always wrote
-- (V6: "an address entry always carries address_hash = sha256(address key)"); the check makes it a rule.
alter table suppression add constraint suppression_address_hashed
  check (address is null or address_hash = sha256(convert_to(address, 'UTF8')));
-- The entries kept as a hash alone (erased people): only they need a hash of each address, and the screen asks
-- whether the organization or the installation has any before it hashes anything.
create index suppression_hash_only on suppression (coalesce(organization_id, 0)) where address is null and address_hash is not null;
