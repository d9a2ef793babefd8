-- module: reports
-- The organization overview's figures of closed days (issue 12, bench/reports.sh: 30 days of an organization with a
-- campaign of 1,000,000 recipients took 2.7 to 4.4 s at load 20 to 30, every view a pass over a month of its queue
-- rows, opens, clicks and feedback). A UTC day is closed an hour after it ends: delivery, feedback and tracking stamp
-- their rows with the time they write them (tracking's writer holds events for at most its flush, seconds), so no row
-- of a closed day comes later; an erasure anonymizes rows and keeps their counts. Its figures, as the owners' daily
-- queries give them, are then written here the first time a view needs them, a day without mail too (zeros); a view
-- reads these and computes only the open days (today, and yesterday in its first hour). The owners' figures, not the
-- report's sums: sent, bounced and the rates are still derived by OrganizationReports.
create table organization_report_day (
  organization_id bigint not null references organization (id) on delete cascade,
  day             date not null,
  delivered       bigint not null,
  bounced         bigint not null,  -- refused while sending (delivery)
  later_bounces   bigint not null,  -- bounces reported after an acceptance (feedback)
  hard_bounces    bigint not null,
  complaints      bigint not null,
  opens           bigint not null,
  clicks          bigint not null,
  machine_opens   bigint not null,
  machine_clicks  bigint not null,
  primary key (organization_id, day)
);
