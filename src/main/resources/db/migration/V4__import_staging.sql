-- Rows of an import on their way in: COPY'd here, checked and merged set-wise, then deleted.
-- Unlogged: fast, and nothing is lost by a crash that empties it, because a job that was running is
-- restarted from its file (kept in import_job.content until the job finishes).
create unlogged table import_row (
  job_id       bigint not null,
  line         bigint not null,
  email        text not null,
  email_key    text not null,
  smtputf8     boolean not null,
  name         text,
  attributes   jsonb not null,
  tags         text[] not null,
  optin_time   timestamptz,
  optin_ip     text,
  confirm_time timestamptz,
  skip         text
);
create index import_row_job_key on import_row (job_id, email_key);
