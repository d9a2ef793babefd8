#!/usr/bin/env bash
# Reports at size (issue 12). Loopback only; every loop is bounded in count and every wait in time.
#
#   bench/reports.sh [recipients] [runs]    (default 1,000,000 recipients, 3 runs; 1,000 to 2,000,000)
#
# Herald (-Xmx512m, roles web,worker, embedded PostgreSQL on a fresh data directory, or BENCH_DB_URL) with one
# organization whose campaign of [recipients] people is written straight into the tables by set-based SQL, no MTA run:
# the ledger (95 % handed off, 2.5 % skipped, 2.5 % pending, 1 % unsubscribed), the queue's recipients over 2,000
# domains (a quarter at the four largest) with their final states over two days (94 % delivered, 2 % bounced while
# sending, 2 % deferred, 1 % expired, 1 % dropped), about 1.75 events per delivered recipient in tracking_event (opens
# of two in three recipients, 1 to 3 each, clicks of one in five over five links; 10 % by machines, 10 % anonymous),
# and feedback: the synchronous bounces, 1.5 % of the delivered bounced later, 0.1 % complaints (1,000,000 recipients:
# 950,000 queue rows, 1,658,334 tracking events, 34,400 feedback events). Then VACUUM ANALYZE, as autovacuum would.
#
# The report's API is first asked until it answers 200 (at most 15 minutes): a campaign above herald.reports.live-up-to
# (BENCH_LIVE_UP_TO, default Herald's) answers 503 until a worker has computed its snapshot; printed: how long that
# took, and the worker's own time for it (took_ms). Per run then: the report's API (JSON), figures.csv and the
# organization overview's API (30 days), timed by curl. Then EXPLAIN (ANALYZE, BUFFERS) of the report's heaviest
# queries (their SQL copied from the owners), each one's execution time. Printed with the machine's load.
#
# Settings of bench/lib.sh apply (BENCH_JAR to measure another build, BENCH_DB_URL, ports).
. "$(dirname "$0")/lib.sh"
bench_init reports
N=${1:-1000000}
RUNS=${2:-3}
[ "$N" -ge 1000 ] && [ "$N" -le 2000000 ] || { echo "recipients: 1,000 to 2,000,000" >&2; exit 1; }
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || { echo "runs: 1 to 20" >&2; exit 1; }
echo "== reports: a campaign of $N recipients, $RUNS run(s); machine: $(bench_machine)"
bench_jar
bench_start_herald --herald.roles=web,worker ${BENCH_LIVE_UP_TO:+--herald.reports.live-up-to=$BENCH_LIVE_UP_TO}
KEY=$(bench_org_key bench reports:read,campaigns:write)
AUTH=(-H "Authorization: Bearer $KEY")
API="$API_BASE/bench"

echo "== filling (set-based SQL)"
started=$SECONDS
$PSQL -v n="$N" <<'SQL'
\set ON_ERROR_STOP 1
-- Every figure is of this organization, its list, message and campaign.
insert into mailing_list (organization_id, name, optin) select id, 'Readers', 'single' from organization where slug = 'bench';
insert into tracking_privacy (organization_id, campaign_id, mode, ip)
  select id, 0, 'identified', 'none' from organization where slug = 'bench' on conflict do nothing;
insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, track_opens, track_clicks)
  select id, 'campaign', 'news@bench.example', 'News', '<bench-reports@bench.example>', now() - interval '2 days', true, true
  from organization where slug = 'bench';
insert into campaign (organization_id, name, subject, from_address, state, message_id, recipients, started_at, finished_at)
  select o.id, 'At size', 'News', 'news@bench.example', 'finished', m.id, :n, now() - interval '50 hours', now() - interval '40 hours'
  from organization o join outbound_message m on m.organization_id = o.id where o.slug = 'bench';
insert into outbound_link (message_id, link_number, url)
  select m.id, k, 'https://shop.bench.example/' || k from outbound_message m, generate_series(1, 5) k;
create temp table b as select c.organization_id as org, c.id as campaign, c.message_id as message,
  (select id from mailing_list where organization_id = c.organization_id) as list from campaign c;
-- the ledger
insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at, unsubscribed_at)
  select b.campaign, n, b.list, a, a,
    case when n % 40 = 0 then 'skipped' when n % 40 = 1 then 'pending' else 'handed_off' end,
    case when n % 40 > 1 then now() - interval '49 hours' + make_interval(secs => n % 36000) end,
    case when n % 100 = 7 then now() - interval '30 hours' end
  from b, generate_series(1, :n) n,
    lateral (select 'p' || n || '@' || case when n % 16 < 4 then (array['gmail', 'outlook', 'yahoo', 'icloud'])[n % 4 + 1]
      else 'd' || (n % 1996) end || '.example' as a) x;
-- the queue: every handed-off row, with its final state
insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, attempts, finished_at,
    last_attempt_at)
  select b.message, b.org, 'to', r.address, r.address_key, split_part(r.address, '@', 2), r.id,
    case when r.id % 100 < 94 then 'delivered' when r.id % 100 < 96 then 'bounced' when r.id % 100 < 98 then 'deferred'
      when r.id % 100 = 98 then 'expired' else 'failed' end, 1,
    case when r.id % 100 < 96 then r.handed_off_at + make_interval(secs => r.id % 600) end, r.handed_off_at
  from b join campaign_recipient r on r.campaign_id = b.campaign and r.state = 'handed_off';
-- opens and clicks: opens of two in three recipients (1 to 3 each), clicks of one in five, over two days
insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, link_number, machine, machine_reason)
  select b.org, k.kind, now() - interval '48 hours' + make_interval(secs => (r.id * 7 + k.i * 3607) % 172800), b.message,
    case when (r.id + k.i) % 10 = 3 then null else r.id end, b.campaign, k.link,
    (r.id + k.i) % 10 = 5, case when (r.id + k.i) % 10 = 5 then 'apple_privacy' end
  from b join outbound_recipient r on r.message_id = b.message and r.state = 'delivered'
  cross join lateral (
    select 'open' as kind, i, null::int as link from generate_series(1, 1 + (r.id % 3)::int) i where r.id % 3 <> 0
    union all
    select 'click', 10, 1 + (r.id % 5)::int where r.id % 5 = 0) k;
-- feedback: the synchronous bounces, asynchronous ones of 1.5 % of the delivered, complaints of 0.1 %
insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
    message_id, recipient_id, campaign_id)
  select b.org, 'bench:' || r.id || ':' || c.cls, coalesce(r.finished_at, now()) + interval '1 hour', c.src, c.cls,
    case c.cls when 'hard' then 'userunknown' when 'soft' then 'mailboxfull' when 'block' then 'blocked' else 'feedback' end,
    case c.cls when 'soft' then 'counted' else 'suppressed' end, r.address, r.address_key, b.message, r.id, b.campaign
  from b join outbound_recipient r on r.message_id = b.message
  cross join lateral (
    select 'synchronous' as src, 'hard' as cls where r.state = 'bounced'
    union all select 'smtp', (array['hard', 'soft', 'block'])[1 + (r.id / 1000 % 3)::int] where r.state = 'delivered' and r.id % 200 in (11, 12, 13)
    union all select 'smtp', 'complaint' where r.state = 'delivered' and r.id % 1000 = 17) c;
SQL
for t in campaign_recipient outbound_recipient tracking_event feedback_event; do $PSQL -c "vacuum analyze $t"; done
CAMPAIGN=$($PSQL -c "select id from campaign where name = 'At size'")
MESSAGE=$($PSQL -c "select message_id from campaign where id = $CAMPAIGN")
ORG=$($PSQL -c "select id from organization where slug = 'bench'")
echo "filled in $((SECONDS - started)) s: $($PSQL -c "select (select count(*) from campaign_recipient) || ' ledger rows, ' ||
  (select count(*) from outbound_recipient) || ' queue rows, ' || (select count(*) from tracking_event) || ' tracking events, ' ||
  (select count(*) from feedback_event) || ' feedback events'")"

timed() { # $1 label, $2 url → one line: label, HTTP code, seconds, bytes
  curl -sS -o /dev/null "${AUTH[@]}" --max-time 300 -w "$1 %{http_code} %{time_total} s %{size_download} B\n" "$2"
}
run() {
  timed "report.json     " "$API/campaigns/$CAMPAIGN/report"
  timed "figures.csv     " "$API/campaigns/$CAMPAIGN/report/figures.csv"
  timed "overview (30 d) " "$API/reports/overview?days=30"
}
echo "== first answer of the report, load $(bench_load)"
started=$SECONDS
for i in $(seq 1 900); do
  code=$(curl -sS -o /dev/null "${AUTH[@]}" --max-time 300 -w '%{http_code}' "$API/campaigns/$CAMPAIGN/report")
  [ "$code" = 200 ] && break
  [ "$code" = 503 ] || { echo "the report answered $code" >&2; exit 1; }
  [ $((SECONDS - started)) -lt 900 ] || { echo "no report within 900 s" >&2; exit 1; }
  sleep 1
done
echo "200 after $((SECONDS - started)) s; the snapshot's computation: $($PSQL -c "select coalesce(took_ms::text || ' ms', 'none (read live)')
  from (select 1) x left join campaign_report_snapshot s on s.campaign_id = $CAMPAIGN" 2>/dev/null || echo 'none (no snapshots in this build)')"
echo "== cold (first request of each), load $(bench_load)"
run
for i in $(seq 1 "$RUNS"); do
  echo "== run $i, load $(bench_load)"
  run
done

echo "== plans of the heaviest queries (EXPLAIN ANALYZE, execution time), load $(bench_load)"
explain() { # $1 label, $2 SQL
  printf '%-22s %s\n' "$1" "$($PSQL -c "explain (analyze, buffers) $2" | grep -E 'Execution Time' | sed 's/ *Execution Time: //')"
}
explain "ledger" "select (select count(*) from campaign_recipient where campaign_id = $CAMPAIGN and handed_off_at is not null),
  (select count(*) from campaign_recipient where campaign_id = $CAMPAIGN and state = 'skipped'),
  (select count(*) from campaign_recipient where campaign_id = $CAMPAIGN and state = 'pending'),
  (select count(*) from campaign_recipient where campaign_id = $CAMPAIGN and unsubscribed_at is not null)"
explain "queue states" "select state, count(*) from outbound_recipient where message_id = $MESSAGE group by state"
explain "finished by hour" "select date_trunc('hour', finished_at, 'UTC') as t, count(*) filter (where state = 'delivered')
  from outbound_recipient where message_id = $MESSAGE and state in ('delivered', 'bounced', 'expired') and finished_at is not null group by t"
explain "engagement counts" "select kind, count(*) filter (where not machine), count(distinct recipient_id) filter (where not machine),
  count(*) filter (where not machine and recipient_id is null), count(*) filter (where machine)
  from tracking_event where campaign_id = $CAMPAIGN and organization_id = $ORG group by kind"
explain "clicks per link" "select link_number, count(*) filter (where not machine), count(distinct recipient_id) filter (where not machine)
  from tracking_event where campaign_id = $CAMPAIGN and organization_id = $ORG and kind = 'click' group by link_number"
explain "engagement by hour" "select date_trunc('hour', occurred_at, 'UTC') as t, count(*) filter (where kind = 'open' and not machine)
  from tracking_event where campaign_id = $CAMPAIGN and organization_id = $ORG group by t"
explain "openers (ids)" "select distinct recipient_id from tracking_event
  where campaign_id = $CAMPAIGN and organization_id = $ORG and kind = 'open' and not machine and recipient_id is not null"
explain "feedback totals" "select count(distinct coalesce(recipient_id::text, address_key, id::text)) filter (where feedback_class in ('hard', 'soft', 'block'))
  from feedback_event where campaign_id = $CAMPAIGN and organization_id = $ORG"
explain "domains" "select r.domain, count(*) from outbound_recipient r where r.message_id = $MESSAGE group by r.domain order by count(*) desc limit 20"
echo "== done, load $(bench_load)"
