#!/usr/bin/env bash
# Campaign audience benchmark (issue 11): the time to fix a campaign's audience of ROWS subscribers into its ledger,
# the one set-based statement a campaign runs at its start (subscribed people of its lists and segments, minus
# exclusions, suppressed addresses dropped, each address once). The subscribers come from the import benchmark's
# generator (bench/subscribers_csv.py) through Herald's own import API; the organization's suppression list holds 1 in
# 100 of them, so the screen does real work. In the same run, the reference: PostgreSQL copying the same rows with a
# plain INSERT ... SELECT of one table into another (no joins, no screening) on the same server.
# Herald runs with -Xmx512m on loopback only, without the delivery role: nothing is sent, the campaign is cancelled
# once it has started.
# Usage: bench/campaign-audience.sh [rows] (default 1000000). BENCH_JAR=path runs that jar instead of building this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
ROWS=${1:-1000000}
PORT=${BENCH_PORT:-18086}
PGPORT=${BENCH_PG_PORT:-18433}
WORK=$(mktemp -d /tmp/herald-bench-audience.XXXXXX)
KEY="hrld_benchkey01_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -d herald -v ON_ERROR_STOP=1 -qAt"
command -v psql >/dev/null || { echo "psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
HERALD_PID=""
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -f "$WORK/herald.log" ]; then tail -n 40 "$WORK/herald.log" >&2; fi
  if [ -n "$HERALD_PID" ]; then kill "$HERALD_PID" 2>/dev/null; wait "$HERALD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

echo "== generating $ROWS rows"
python3 bench/subscribers_csv.py "$ROWS" "$WORK/subscribers.csv"

echo "== building and starting Herald (embedded PostgreSQL, -Xmx512m, roles web,worker)"
if [ -n "${BENCH_JAR:-}" ]; then
  JAR=$BENCH_JAR
else
  mvn -q -B -ntp package -DskipTests
  JAR=$(ls target/herald-*.jar | grep -v original | head -n 1)
fi
"$JAVA_HOME/bin/java" -Xmx512m -jar "$JAR" --server.port="$PORT" --herald.data-dir="$WORK/data" --herald.roles=web,worker \
  --herald.db.embedded-port="$PGPORT" --herald.imports.poll=PT0.2S --herald.campaigns.poll=PT0.2S > "$WORK/herald.log" 2>&1 &
HERALD_PID=$!
for _ in $(seq 1 480); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null || { tail -50 "$WORK/herald.log"; exit 1; }

# The organization, its API key and a verified sending domain go straight into the database: the setup, panel and
# DNS flows are not what is measured here (they have their own tests).
$PSQL <<SQL
insert into organization (slug, name) values ('bench', 'Bench');
insert into api_key (organization_id, name, prefix, secret_hash, scopes)
  select id, 'bench', 'benchkey01', encode(sha256('$KEY'::bytea), 'hex'), '{lists:write,campaigns:write}' from organization where slug = 'bench';
insert into sending_domain (organization_id, name, unicode_name, verified, verified_at, next_check_at)
  select id, 'bench.example', 'bench.example', true, now(), now() + interval '1 year' from organization where slug = 'bench';
SQL
API="http://127.0.0.1:$PORT/api/v1/orgs/bench"
auth=(-H "Authorization: Bearer $KEY")
json_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
LIST=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"Bench list","optin":"single"}' "$API/lists" | json_id)
$PSQL <<SQL
insert into suppression (organization_id, address, address_hash, reason, source)
  select o.id, k, sha256(convert_to(k, 'UTF8')), 'manual', 'bench'
  from organization o, generate_series(0, $ROWS - 1, 100) i, lateral (select 'person' || i || '@example' || (i % 97) || '.com' as k) a
  where o.slug = 'bench';
SQL

echo "== importing $ROWS subscribers into a list (Herald's import API)"
IMPORT=$(curl -sf "${auth[@]}" -F "file=@$WORK/subscribers.csv;filename=bench.csv" -F "listId=$LIST" -F "consentBasis=benchmark data" \
  "$API/imports" | json_id)
for _ in $(seq 1 36000); do
  status=$($PSQL -c "select status from import_job where id = $IMPORT")
  [ "$status" = finished ] || [ "$status" = failed ] && break
  sleep 0.2
done
echo "   import $status: $($PSQL -c "select count(*) from subscription where list_id = $LIST and status = 'subscribed'") subscribed"
# the import vacuums and analyzes subscriber and subscription itself after a large merge
$PSQL -c "checkpoint"

echo "== campaign to the list, sent now"
CAMPAIGN=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$API/campaigns" -d "{\"name\":\"Bench\",
  \"subject\":\"Hello {{ subscriber.name }}\",\"fromAddress\":\"news@bench.example\",\"body\":\"<p>Hi</p>\",\"bodyFormat\":\"html\",
  \"audience\":{\"lists\":[$LIST]}}" | json_id)
curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{}' "$API/campaigns/$CAMPAIGN/schedule" >/dev/null
for _ in $(seq 1 6000); do
  state=$($PSQL -c "select state from campaign where id = $CAMPAIGN")
  [ "$state" != scheduled ] && break
  sleep 0.1
done
curl -sf "${auth[@]}" -X POST "$API/campaigns/$CAMPAIGN/cancel" >/dev/null || true
LINE=$(grep "Campaign $CAMPAIGN of organization" "$WORK/herald.log" | grep "fixed in the ledger" | tail -n 1)
FIXED=$(echo "$LINE" | sed -E 's/.*started: ([0-9]+) recipients fixed in the ledger in ([0-9]+) ms.*/\1/')
MS=$(echo "$LINE" | sed -E 's/.*started: ([0-9]+) recipients fixed in the ledger in ([0-9]+) ms.*/\2/')
SUBSCRIBED=$($PSQL -c "select count(*) from subscription where list_id = $LIST and status = 'subscribed'")
printf "   %s recipients fixed in %.2f s (%s suppressed set aside)\n" "$FIXED" "$(echo "$MS / 1000" | bc -l)" "$((SUBSCRIBED - FIXED))"

echo "== reference: a plain INSERT ... SELECT of the same subscribers' ids and addresses into a table (same server)"
$PSQL -c "create table bench_copy (id bigint, email text)"
start=$(date +%s.%N)
$PSQL -c "insert into bench_copy select id, email from subscriber"
end=$(date +%s.%N)
REF=$(echo "$end - $start" | bc)
printf "   plain INSERT ... SELECT: %.2f s\n" "$REF"

echo "== summary"
printf "   audience of %s fixed in %.2f s (target < 10 s) = %.2f x the plain INSERT ... SELECT\n" "$FIXED" \
  "$(echo "$MS / 1000" | bc -l)" "$(echo "$MS / 1000 / $REF" | bc -l)"
