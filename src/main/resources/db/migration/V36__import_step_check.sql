-- module: audiences
-- An import's steps are a closed set (ImportStep): the column allows exactly its texts, as every stored enum's does.
alter table import_step add constraint import_step_step_check
  check (step in ('reading', 'checking_duplicates', 'screening', 'merging', 'writing_consent'));
