-- The export layout an import's file was recognized as (Ghost, listmonk, Herald's own, ...), shown in the mapping
-- step and the API's import detail; null when the headers match no known layout.
alter table import_job add column layout text;
