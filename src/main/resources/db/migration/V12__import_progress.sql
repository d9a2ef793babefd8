-- How far the worker has read the stored file (0 to 1): the progress while rows are still being counted.
alter table import_job add column read_fraction real not null default 0;
