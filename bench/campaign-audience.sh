#!/usr/bin/env bash
# Campaign audience benchmark (issue 11): the time to fix a campaign's audience of ROWS subscribers into its ledger,
# the one set-based statement a campaign runs at its start (subscribed people of its lists and segments, minus
# exclusions, suppressed addresses dropped, each address once). The subscribers come from the import benchmark's
# generator (bench/subscribers_csv.py) through Herald's own import API; the organization's suppression list holds 1 in
# 100 of them, so the screen does real work. In the same run, the reference: PostgreSQL copying the same rows with a
# plain INSERT ... SELECT of one table into another (no joins, no screening) on the same server. Two campaigns: the
# first in an organization that has erased no one, the second after 1,000 erasures (entries kept as a keyed hash alone,
# which make the screen hash every address), into a ledger that holds the first's rows.
# Herald runs with -Xmx512m on loopback only, without the delivery role: nothing is sent, the campaign is cancelled
# once it has started.
# Usage: bench/campaign-audience.sh [rows] (default 1000000). BENCH_JAR=path runs that jar instead of building this tree.
. "$(dirname "$0")/lib.sh"
bench_init audience
ROWS=${1:-1000000}

echo "== generating $ROWS rows"
bench_subscribers "$ROWS" "$WORK/subscribers.csv"

echo "== building and starting Herald (embedded PostgreSQL, -Xmx512m, roles web,worker)"
bench_jar
bench_start_herald --herald.roles=web,worker --herald.imports.poll=PT0.2S --herald.campaigns.poll=PT0.2S

# The organization, its API key and a verified sending domain go straight into the database: the setup, panel and
# DNS flows are not what is measured here (they have their own tests).
KEY=$(bench_org_key bench lists:write,campaigns:write)
$PSQL <<SQL
insert into sending_domain (organization_id, name, unicode_name, verified, verified_at, next_check_at)
  select id, 'bench.example', 'bench.example', true, now(), now() + interval '1 year' from organization where slug = 'bench';
SQL
API="http://127.0.0.1:$PORT/api/v1/orgs/bench"
auth=(-H "Authorization: Bearer $KEY")
LIST=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"Bench list","optin":"single"}' "$API/lists" | json_id)
$PSQL <<SQL
insert into suppression (organization_id, address, address_hash, reason, source)
  select o.id, k, sha256(convert_to(k, 'UTF8')), 'manual', 'bench'
  from organization o, generate_series(0, $ROWS - 1, 100) i, lateral (select 'person' || i || '@example' || (i % 97) || '.com' as k) a
  where o.slug = 'bench';
SQL

echo "== importing $ROWS subscribers into a list (Herald's import API)"
bench_import "$WORK/subscribers.csv" "$LIST" "$API" "$KEY"
echo "   import $IMPORT_STATUS: $($PSQL -c "select count(*) from subscription where list_id = $LIST and status = 'subscribed'") subscribed"
# the import vacuums and analyzes subscriber and subscription itself after a large merge
$PSQL -c "checkpoint"

# CPU seconds (user + system) of this run's PostgreSQL: the postmaster and its processes (lib.sh's tree_cpu)
pg_cpu() { tree_cpu "$PG_PID"; }
load() { cut -d ' ' -f 1-3 /proc/loadavg; }

# fix_campaign: a campaign to the list, started now and cancelled once started → FIXED, MS, PGCPU, LOAD
fix_campaign() {
  local cpu0 cpu1 campaign state line subscribed
  cpu0=$(pg_cpu)
  campaign=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$API/campaigns" -d "{\"name\":\"Bench\",
    \"subject\":\"Hello {{ subscriber.name }}\",\"fromAddress\":\"news@bench.example\",\"body\":\"<p>Hi</p>\",\"bodyFormat\":\"html\",
    \"audience\":{\"lists\":[$LIST]}}" | json_id)
  curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{}' "$API/campaigns/$campaign/schedule" >/dev/null
  for _ in $(seq 1 6000); do
    state=$($PSQL -c "select state from campaign where id = $campaign")
    [ "$state" != scheduled ] && break
    sleep 0.1
  done
  cpu1=$(pg_cpu)
  LOAD=$(load)
  curl -sf "${auth[@]}" -X POST "$API/campaigns/$campaign/cancel" >/dev/null || true
  line=$(grep "Campaign $campaign of organization" "$WORK/herald.log" | grep "fixed in the ledger" | tail -n 1)
  FIXED=$(echo "$line" | sed -E 's/.*started: ([0-9]+) recipients fixed in the ledger in ([0-9]+) ms.*/\1/')
  MS=$(echo "$line" | sed -E 's/.*started: ([0-9]+) recipients fixed in the ledger in ([0-9]+) ms.*/\2/')
  PGCPU=$(echo "$cpu1 - $cpu0" | bc -l)
  subscribed=$($PSQL -c "select count(*) from subscription where list_id = $LIST and status = 'subscribed'")
  printf "   %s recipients fixed in %.2f s (%s suppressed set aside); PostgreSQL CPU meanwhile %.2f s; load %s\n" "$FIXED" \
    "$(echo "$MS / 1000" | bc -l)" "$((subscribed - FIXED))" "$PGCPU" "$LOAD"
}

echo "== campaign to the list, sent now (the organization has erased no one)"
fix_campaign
FIXED1=$FIXED MS1=$MS PGCPU1=$PGCPU LOAD1=$LOAD

# An installation that has erased people keeps each as a keyed hash alone, which only a hash of every address of the
# audience can meet: the screen then hashes each row (suppression.Screening.admittedSql). 1,000 such entries.
echo "== second campaign to the list, after 1,000 erasures (the ledger holds the first campaign's rows)"
$PSQL <<SQL
insert into suppression (organization_id, address_hash, reason, source)
  select o.id, sha256(convert_to('erased' || i || '@example.org', 'UTF8')), 'erased', 'erasure'
  from organization o, generate_series(1, 1000) i where o.slug = 'bench';
checkpoint;
SQL
fix_campaign
FIXED2=$FIXED MS2=$MS PGCPU2=$PGCPU LOAD2=$LOAD

echo "== reference: a plain INSERT ... SELECT of the same subscribers' ids and addresses into a table (same server)"
$PSQL -c "create table bench_copy (id bigint, email text)"
start=$(date +%s.%N)
$PSQL -c "insert into bench_copy select id, email from subscriber"
end=$(date +%s.%N)
REF=$(echo "$end - $start" | bc)
printf "   plain INSERT ... SELECT: %.2f s; load %s\n" "$REF" "$(load)"

echo "== summary"
printf "   audience of %s fixed in %.2f s (target < 10 s) = %.2f x the plain INSERT ... SELECT; PostgreSQL CPU %.2f s; load %s\n" \
  "$FIXED1" "$(echo "$MS1 / 1000" | bc -l)" "$(echo "$MS1 / 1000 / $REF" | bc -l)" "$PGCPU1" "$LOAD1"
printf "   with 1,000 erased people: %s fixed in %.2f s = %.2f x the plain INSERT ... SELECT; PostgreSQL CPU %.2f s; load %s\n" \
  "$FIXED2" "$(echo "$MS2 / 1000" | bc -l)" "$(echo "$MS2 / 1000 / $REF" | bc -l)" "$PGCPU2" "$LOAD2"
