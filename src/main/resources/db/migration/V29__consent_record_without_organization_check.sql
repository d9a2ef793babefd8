-- module: audiences
-- A consent record's organization is its subscriber's, and the record goes with the subscriber (on delete
-- cascade), who goes with the organization: the foreign key on organization_id added nothing but a check per
-- row. PostgreSQL runs each foreign-key check as a query of its own, row by row; an import writes a consent
-- record per row, so this one cost a million queries per million rows (bench/import.sh, issue 9).
-- organization_id stays, for the queries that filter by it.
alter table consent_record drop constraint consent_record_organization_id_fkey;
