-- module: audiences
-- The steps of an import (reading the file, checking duplicates, screening, merging, writing consent), one
-- row each as it starts, with what the merge found so far. Written outside the merge's transaction, so the
-- panel and the API see the step and the counts while the merge runs; kept afterwards as the job's timeline.
create table import_step (
  job_id      bigint not null references import_job (id) on delete cascade,
  step        text not null,
  started_at  timestamptz not null,
  finished_at timestamptz,
  set_aside   bigint not null default 0,
  inserted    bigint not null default 0,
  updated     bigint not null default 0,
  primary key (job_id, step)
);
