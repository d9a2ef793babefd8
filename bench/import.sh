#!/usr/bin/env bash
# Import benchmark (issue 4, issue 9): 1,000,000 subscribers (email, name, 5 custom fields) imported through
# Herald's API into an empty list, then at once a second 1,000,000 new addresses into another list (the
# staging table then holds statistics of the first job: issue 9's hang), then the first file again as
# updates, beside PostgreSQL's own raw COPY of the same
# file into a plain table on the same server in the same run. Herald runs with -Xmx512m and its peak heap
# is sampled with jstat. The organization has a suppression list of 1% of the file's addresses (set aside by
# the import) plus other entries, so the screening does real work. Only loopback is used.
# Usage: bench/import.sh [rows] (default 1000000). BENCH_JAR=path runs that jar instead of building this tree
# (for A/B runs of two commits under the same load).
. "$(dirname "$0")/lib.sh"
bench_init import
ROWS=${1:-1000000}

echo "== generating $ROWS rows"
bench_subscribers "$ROWS" "$WORK/subscribers.csv"
ls -l "$WORK/subscribers.csv" | awk '{printf "   file: %.1f MB\n", $5/1048576}'
cp "$WORK/subscribers.csv" "$WORK/updates.csv"
sed -i '2,$ s/,City /,Town /' "$WORK/updates.csv"
# The second import: as many new addresses, for another list.
sed '2,$ s/^person/other/' "$WORK/subscribers.csv" > "$WORK/others.csv"

echo "== building and starting Herald (embedded PostgreSQL, -Xmx512m)"
bench_jar
bench_start_herald --herald.imports.poll=PT0.2S
KEY=$(bench_org_key bench lists:write)
API="http://127.0.0.1:$PORT/api/v1/orgs/bench"
auth=(-H "Authorization: Bearer $KEY")
LIST=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"Bench list","optin":"single"}' "$API/lists" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
LIST2=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"Second list","optin":"single"}' "$API/lists" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for f in 'city text' 'plan choice' 'age number' 'joined date' 'vip boolean'; do
  set -- $f
  choices=""
  [ "$2" = choice ] && choices=',"choices":["free","pro","team"]'
  body="{\"key\":\"$1\",\"type\":\"$2\"$choices}"
  curl -sS --fail-with-body "${auth[@]}" -H "Content-Type: application/json" -d "$body" "$API/fields" >/dev/null
done

# A suppression list the import must screen every row against: 1 address in 100 of the file (set aside),
# plus 200 whole domains that match none of its rows, and as many installation-wide entries.
$PSQL <<SQL
insert into suppression (organization_id, address, address_hash, reason, source)
  select o.id, k, sha256(convert_to(k, 'UTF8')), 'manual', 'bench'
  from organization o, generate_series(0, $ROWS - 1, 100) i, lateral (select 'person' || i || '@example' || (i % 97) || '.com' as k) a
  where o.slug = 'bench';
insert into suppression (organization_id, domain, reason, source)
  select o.id, 'blocked' || i || '.example', 'manual', 'bench' from organization o, generate_series(1, 200) i where o.slug = 'bench';
insert into suppression (organization_id, address, address_hash, reason, source)
  select null, k, sha256(convert_to(k, 'UTF8')), 'complaint', 'bench'
  from generate_series(1, $ROWS / 100) i, lateral (select 'elsewhere' || i || '@example.net' as k) a;
analyze suppression;
SQL
echo "   suppression list: $($PSQL -c "select count(*) from suppression") entries ($((ROWS / 100)) of the file's addresses)"

# Peak heap: sampled in the background, so the measurement loop below stays cheap and does not slow the import.
bench_sample_heap

run_import() { # $1 file, $2 overwrite, $3 list → job rate (server clock) and end-to-end rate (upload to merged)
  local start id status
  start=$(date +%s.%N)
  id=$(curl -sf "${auth[@]}" -F "file=@$1;filename=bench.csv" -F "listId=$3" -F "consentBasis=benchmark data" \
        -F "overwrite=$2" "$API/imports" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for _ in $(seq 1 36000); do
    status=$($PSQL -c "select status from import_job where id = $id")
    [ "$status" = finished ] || [ "$status" = failed ] && break
    sleep 0.1
  done
  $PSQL -c "select status, total_rows, inserted, updated, skipped,
              round(total_rows / extract(epoch from finished_at - started_at))::bigint,
              round(extract(epoch from finished_at - started_at)::numeric, 2),
              extract(epoch from finished_at)
            from import_job where id = $id" | tr '|' ' ' | {
    read -r st total ins upd skip rate secs finished
    e2e=$(echo "$finished - $start" | bc)
    printf "   status %s: %s rows (%s new, %s updated, %s set aside)\n" "$st" "$total" "$ins" "$upd" "$skip"
    printf "     job (read, check, COPY, merge): %ss = %s rows/s\n" "$secs" "$rate"
    printf "     end to end (upload request to merged): %.2fs = %.0f rows/s\n" "$e2e" "$(echo "$total / $e2e" | bc -l)"
    echo "$(echo "$total / $e2e" | bc)" > "$WORK/rate"
  }
  echo "     steps (s): $($PSQL -c "select string_agg(step || ' ' || round(extract(epoch from finished_at - started_at)::numeric, 2), ', '
                                 order by started_at) from import_step where job_id = $id")"
}

echo "== Herald import, new rows (1st import into an empty list)"
run_import "$WORK/subscribers.csv" false "$LIST"; NEW_RATE=$(cat "$WORK/rate")
echo "== Herald import, new rows again (2nd import at once: $ROWS other addresses into another list)"
run_import "$WORK/others.csv" false "$LIST2"; SECOND_RATE=$(cat "$WORK/rate")
echo "== Herald import, updates (the first file's addresses, one field changed, overwrite)"
run_import "$WORK/updates.csv" true "$LIST"; UPD_RATE=$(cat "$WORK/rate")

echo "== reference: PostgreSQL's raw COPY of the same file into a plain table (same server)"
$PSQL -c "create table bench_raw (email text, name text, city text, plan text, age int, joined date, vip text)"
start=$(date +%s.%N)
$PSQL -c "\\copy bench_raw from '$WORK/subscribers.csv' with (format csv, header true)"
end=$(date +%s.%N)
RAW_RATE=$(echo "$ROWS / ($end - $start)" | bc)
printf "   raw COPY: %s rows in %.2fs = %s rows/s\n" "$ROWS" "$(echo "$end - $start" | bc)" "$RAW_RATE"

echo "== segment count over the $ROWS subscribers (API, 5 tries)"
SEG=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$API/segments" -d "{\"name\":\"bench\",\"conditions\":{\"match\":\"all\",
  \"rules\":[{\"type\":\"field\",\"subject\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"},
  {\"type\":\"field\",\"subject\":\"age\",\"op\":\"gte\",\"value\":\"30\"},
  {\"type\":\"list\",\"subject\":\"$LIST\",\"op\":\"in\",\"value\":\"subscribed\"}]}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in 1 2 3 4 5; do
  curl -sf -o "$WORK/count.json" -w '%{time_total}\n' "${auth[@]}" "$API/segments/$SEG/count" >> "$WORK/count-times"
done
SEG_COUNT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["count"])' "$WORK/count.json")
SEG_MEDIAN=$(sort -n "$WORK/count-times" | sed -n 3p)
printf "   plan = pro AND age >= 30 AND subscribed to the list: %s subscribers, median %.3fs over 5 requests\n" "$SEG_COUNT" "$SEG_MEDIAN"
echo "   plan of the count query (EXPLAIN ANALYZE, same predicate as Segments compiles):"
$PSQL -c "explain (analyze, costs off, timing on) select count(*) from subscriber s where s.organization_id = 1
  and s.attributes @> '{\"plan\":\"pro\"}' and cast(s.attributes ->> 'age' as numeric) >= 30
  and exists (select 1 from subscription x where x.subscriber_id = s.id and x.list_id = $LIST and x.status = 'subscribed')" \
  | sed 's/^/     /'

echo "== summary"
printf "   end to end, new rows: %8s rows/s  (target >= 50000)  = %.2f x raw COPY\n" "$NEW_RATE" "$(echo "$NEW_RATE / $RAW_RATE" | bc -l)"
printf "   end to end, 2nd new:  %8s rows/s  (issue 9: hung before) = %.2f x raw COPY\n" "$SECOND_RATE" "$(echo "$SECOND_RATE / $RAW_RATE" | bc -l)"
printf "   end to end, updates:  %8s rows/s  (target >= 25000)  = %.2f x raw COPY\n" "$UPD_RATE" "$(echo "$UPD_RATE / $RAW_RATE" | bc -l)"
printf "   peak heap: %8s MB      (target <= 512; JVM capped at -Xmx512m)\n" "$(bench_peak_heap)"
printf "   segment count: %.3fs median (target < 1 s)\n" "$SEG_MEDIAN"
