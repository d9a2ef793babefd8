#!/usr/bin/env bash
# MTA benchmark (issue 10). Loopback only; every wait is bounded.
#
#   bench/mta.sh [messages] [runs]           (default 50000 messages, 3 runs; e.g. bench/mta.sh 2000 1 to try it)
#   bench/mta.sh --defer [messages] [runs]   the deferral mode (below)
#
# Normal mode, per run, each part against a fresh Postfix smtp-sink on 127.0.0.1:
#   ceiling  smtp-source → smtp-sink directly: the most the sink and loopback take (20 sessions, connections reused);
#   postfix  smtp-source → a private Postfix (bin/private-postfix: own config and queue in a temp dir, 127.0.0.1 only,
#            relayhost = the sink, otherwise Postfix's defaults, queue files synced) → smtp-sink, the same messages
#            (one ~20 KB MIME message like Herald's), timed from the first message submitted to the last accepted by
#            the sink;
#   herald   Herald (-Xmx512m, embedded PostgreSQL, fresh data directory) with herald.delivery.route=static to the
#            sink. An organization with an API key of scope `send` and a sending domain verified against a real DNS
#            server: dnsmasq on a loopback port (herald.dns.resolvers) serving exactly the records Herald asks for.
#            The messages, distinct ~20 KB HTML + text to 1,000 recipient domains, are written to disk first, then
#            submitted through POST /api/v1/orgs/{org}/messages/batch (1,000 per call, two calls at a time), timed
#            from the first call to the last message accepted by the sink (durable enqueueing included, as
#            Postfix's figure includes its durable acceptance). A warm-up of BENCH_WARMUP messages (default 1,000)
#            goes first and is not counted (the JIT compiles; Postfix has no warm-up to do).
# Printed per run and as medians: msg/s, CPU seconds per 1,000 messages (Herald's JVM from /proc/<pid>/stat, and its
# PostgreSQL process tree; Postfix's whole process tree), Herald's peak heap (jstat every 0.5 s), and the ratios.
#
# Deferral mode (--defer): Herald alone, twice per run, against bench/defer_sink.py (Postfix's smtp-sink can answer
# 4xx only for a whole command, not per recipient): once with no recipient deferred, once with every 10th
# recipient answered "450 4.2.0" at RCPT. It prints the rate of the other 90 % in both, so a slowdown of the rest
# shows as a ratio below 1.
#
# BENCH_JAR=path runs that jar instead of building this tree; BENCH_JAVA_OPTS adds JVM options to Herald's (e.g. a
# flight recording: -XX:StartFlightRecording=filename=/tmp/mta.jfr,settings=profile). For a look inside Herald's
# PostgreSQL: BENCH_PG_SQL runs after the warm-up (e.g. "select pg_stat_reset_shared('wal');"), BENCH_PG_AFTER before
# Herald stops (e.g. "select wal_records, wal_bytes from pg_stat_wal;"), its output and with BENCH_LOG_DIR=dir
# Herald's log kept in that directory. Needs root (Postfix), Debian's postfix (installed
# without a configuration by bin/install-test-tools) and dnsmasq-base (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
MODE=normal
if [ "${1:-}" = --defer ]; then MODE=defer; shift; fi
N=${1:-50000}
RUNS=${2:-3}
WARM=${BENCH_WARMUP:-1000}
DOMAINS=1000
PORT=${BENCH_PORT:-18086}
PGPORT=${BENCH_PG_PORT:-18433}
SINK_PORT=${BENCH_SINK_PORT:-18525}
POSTFIX_PORT=${BENCH_POSTFIX_PORT:-18526}
DNS_PORT=${BENCH_DNS_PORT:-18553}
SESSIONS=20
# The sink is one big server: with the static route every recipient domain's "MX" is 127.0.0.1, one site, so
# Herald's default shaping (10 connections, 100 msg/s, 100 messages per connection, KumoMTA's default) would
# hold the whole run to it. The private Postfix relays to the same sink under its defaults:
# default_destination_concurrency_limit = 20 connections, no rate delay, connections reused without a count
# limit (smtp_connection_reuse_count_limit = 0, for up to 300 s). Herald gets the same, as an operator would
# configure a destination known to be one large server: a site override for 127.0.0.1.
SINK_CONNECTIONS=20
DEADLINE=${BENCH_DEADLINE:-$((600 + N / 20))} # seconds any one wait may take
WORK=$(mktemp -d /tmp/herald-bench-mta.XXXXXX)
chmod 755 "$WORK" # Postfix's daemons (user postfix) reach their queue under it
TICK=$(getconf CLK_TCK)

bin/install-test-tools
command -v dnsmasq >/dev/null || {
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dnsmasq-base >/dev/null
}
command -v psql >/dev/null || { echo "psql is needed (apt-get install postgresql-client)" >&2; exit 1; }

PIDS=()
POSTFIX_DIR=""
cleanup() {
  local rc=$?
  [ -n "$POSTFIX_DIR" ] && bin/private-postfix stop "$POSTFIX_DIR"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# CPU seconds of a process and its descendants (utime+stime, plus what exited children used: cutime+cstime).
tree_cpu() {
  python3 - "$1" "$TICK" <<'PY'
import os, sys
root, tick = int(sys.argv[1]), int(sys.argv[2])
stats = {}
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            stats[int(p)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
        except (OSError, IndexError):
            pass
total, todo = 0, [root]
while todo:
    pid = todo.pop()
    if pid in stats:
        total += stats[pid][1]
        todo += [c for c, (ppid, _) in stats.items() if ppid == pid]
print(f"{total / tick:.2f}")
PY
}
# CPU seconds of one process's own threads (the JVM).
own_cpu() { awk -v t="$TICK" '{ sub(/.*\) /, ""); printf "%.2f\n", ($12 + $13) / t }' "/proc/$1/stat"; }

start_sink() { # → SINK_PID; counts in $WORK/sink.out
  smtp-sink -u nobody -c "127.0.0.1:$SINK_PORT" 256 > "$WORK/sink.out" 2>&1 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "smtp-sink did not start" >&2; exit 1
}
sink_count() { tail -c 200 "$WORK/sink.out" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -n 1 | cut -d= -f2 || echo 0; }
wait_sink() { # $1 count → prints the time it was reached
  local deadline=$((SECONDS + DEADLINE)) c
  while [ $SECONDS -lt $deadline ]; do
    c=$(sink_count); c=${c:-0}
    if [ "$c" -ge "$1" ]; then date +%s.%N; return 0; fi
    sleep 0.05
  done
  echo "the sink got $(sink_count) of $1 messages within ${DEADLINE}s" >&2; return 1
}
defer_status() { cat "$WORK/defer.status" 2>/dev/null || echo "0 0 0"; }
wait_defer_sink() { # $1 accepted count → prints the time of the last acceptance
  local deadline=$((SECONDS + DEADLINE)) a d t
  while [ $SECONDS -lt $deadline ]; do
    read -r a d t < <(defer_status)
    if [ "$a" -ge "$1" ]; then echo "$t"; return 0; fi
    sleep 0.05
  done
  echo "the deferring sink accepted $(defer_status | cut -d' ' -f1) of $1 messages within ${DEADLINE}s" >&2; return 1
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== $MODE mode: $N messages of ~20 KB, $RUNS run(s), warm-up $WARM; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== writing the messages (Herald's request bodies, and one message file for smtp-source)"
mkdir -p "$WORK/warm" "$WORK/main" "$WORK/main-defer"
FROM=news@bench.example
python3 bench/mta_submit.py generate "$WORK/warm" "$FROM" 0 "$WARM" "$DOMAINS" 0
python3 bench/mta_submit.py generate "$WORK/main" "$FROM" "$WARM" "$N" "$DOMAINS" 0
[ "$MODE" = defer ] && python3 bench/mta_submit.py generate "$WORK/main-defer" "$FROM" "$WARM" "$N" "$DOMAINS" 10
DEFERRED=$(python3 -c "print(sum(1 for i in range($WARM, $WARM + $N) if i % 10 == 0))")
# smtp-source's message: the same shape and size as Herald's (headers, multipart/alternative, quoted-printable).
python3 - "$WORK/message.eml" <<'PY'
import email.policy, sys
from email.message import EmailMessage
para = ("Herald benchmark paragraph 0.{p}: the quick brown fox jumps over the lazy dog while the queue "
        "worker signs and delivers every message on loopback, and nothing here is real mail. ")
m = EmailMessage(policy=email.policy.SMTP)
m["From"] = "Herald Bench <news@bench.example>"
m["To"] = "user@rcpt.example"
m["Subject"] = "Benchmark message"
m["Message-ID"] = "<bench.0@bench.example>"
m["Date"] = "Sun, 06 Dec 2026 20:00:00 +0000"
m.set_content("Message 0\n\n" + "".join(para.format(p=p) + "\n\n" for p in range(38)), cte="quoted-printable")
m.add_alternative("<html><body><h1>Message 0</h1>\n" + "".join(f"<p style=\"margin:0 0 12px\">{para.format(p=p)}</p>\n"
                  for p in range(60)) + "</body></html>", subtype="html", cte="quoted-printable")
open(sys.argv[1], "w", newline="").write(m.as_string().replace("\r\n", "\n"))
PY
printf "   smtp-source's message: %s bytes\n" "$(wc -c < "$WORK/message.eml")"

if [ -n "${BENCH_JAR:-}" ]; then
  JAR=$BENCH_JAR
else
  echo "== building Herald"
  mvn -q -B -ntp package -DskipTests
  JAR=$(ls target/herald-*.jar | grep -v -- '-plain\.jar$' | head -n 1)
fi

ceiling_run() { # → CEIL_RATE
  start_sink
  local t0 t1
  t0=$(date +%s.%N)
  smtp-source -d -s "$SESSIONS" -m "$N" -F "$WORK/message.eml" -f "$FROM" -t user@rcpt.example -N "127.0.0.1:$SINK_PORT"
  t1=$(wait_sink "$N")
  stop "$SINK_PID"
  CEIL_RATE=$(echo "$N / ($t1 - $t0)" | bc)
  printf "   ceiling, smtp-source → smtp-sink: %s msg/s (%.2f s)\n" "$CEIL_RATE" "$(echo "$t1 - $t0" | bc)"
}

postfix_run() { # → PF_RATE, PF_CPU
  start_sink
  POSTFIX_DIR="$WORK/postfix"
  rm -rf "$POSTFIX_DIR"
  bin/private-postfix start "$POSTFIX_DIR" "$POSTFIX_PORT" relay "127.0.0.1:$SINK_PORT"
  local master t0 t1 c0 c1
  master=$(tr -d ' ' < "$POSTFIX_DIR/queue/pid/master.pid")
  c0=$(tree_cpu "$master")
  t0=$(date +%s.%N)
  smtp-source -d -s "$SESSIONS" -m "$N" -F "$WORK/message.eml" -f "$FROM" -t user@rcpt.example -N "127.0.0.1:$POSTFIX_PORT"
  t1=$(wait_sink "$N")
  c1=$(tree_cpu "$master")
  bin/private-postfix stop "$POSTFIX_DIR"
  POSTFIX_DIR=""
  stop "$SINK_PID"
  PF_RATE=$(echo "$N / ($t1 - $t0)" | bc)
  PF_CPU=$(echo "scale=3; ($c1 - $c0) * 1000 / $N" | bc)
  printf "   Postfix relaying, smtp-source → Postfix → smtp-sink: %s msg/s (%.2f s), %s CPU s per 1,000\n" \
    "$PF_RATE" "$(echo "$t1 - $t0" | bc)" "$PF_CPU"
}

# Herald on a fresh data directory, delivering to 127.0.0.1:$1; a domain verified through dnsmasq.
start_herald() {
  local sink=$1 data="$WORK/herald-$RANDOM"
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" -Xmx512m ${BENCH_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --herald.data-dir="$data" \
    --herald.db.embedded-port="$PGPORT" --herald.delivery.route=static --herald.delivery.static-route="127.0.0.1:$sink" \
    "--herald.delivery.shaping.sites[0].mx-suffix=127.0.0.1" "--herald.delivery.shaping.sites[0].connection-limit=$SINK_CONNECTIONS" \
    "--herald.delivery.shaping.sites[0].deliveries-per-connection=100000" "--herald.delivery.shaping.sites[0].message-rate=100000/s" \
    --herald.dns.resolvers="127.0.0.1:$DNS_PORT" --herald.sending.spf-include=_spf.herald-bench.example \
    --herald.sending.bounce-host=bounce.herald-bench.example --herald.sending.tracking-host=track.herald-bench.example \
    > "$WORK/herald.log" 2>&1 &
  HERALD_PID=$!
  PIDS+=("$HERALD_PID")
  for _ in $(seq 1 480); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 0.5; done
  curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null || { tail -50 "$WORK/herald.log"; exit 1; }
  PG_PID=$(head -n 1 "$(find "$data" -name postmaster.pid | head -n 1)")
  PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -d herald -v ON_ERROR_STOP=1 -qAt"
  SEND_KEY="hrld_benchsend1_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
  SETUP_KEY="hrld_benchdoms1_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
  # The organization and its keys go straight into the database (their flows have their own tests).
  $PSQL <<SQL
insert into organization (slug, name) values ('bench', 'Bench');
insert into api_key (organization_id, name, prefix, secret_hash, scopes)
  select id, 'bench send', 'benchsend1', encode(sha256('$SEND_KEY'::bytea), 'hex'), '{send}' from organization where slug = 'bench';
insert into api_key (organization_id, name, prefix, secret_hash, scopes)
  select id, 'bench domains', 'benchdoms1', encode(sha256('$SETUP_KEY'::bytea), 'hex'), '{domains:write}' from organization where slug = 'bench';
SQL
  API="http://127.0.0.1:$PORT/api/v1/orgs/bench"
  local domain id
  domain=$(curl -sS --fail-with-body -H "Authorization: Bearer $SETUP_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench.example"}' "$API/domains")
  id=$(echo "$domain" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  # The zone: every record Herald asks for, as dnsmasq options (TXT split into strings of at most 255 octets),
  # plus what they point at (the SPF include, the bounce and tracking hosts).
  echo "$domain" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["records"]:
    host, value = r["host"], r["value"]
    if r["type"] == "TXT":
        print("txt-record=" + host + "," + ",".join(chr(34) + value[i:i + 255] + chr(34) for i in range(0, len(value), 255)))
    elif r["type"] == "MX":
        pref, target = value.split()
        print(f"mx-host={host},{target.rstrip(chr(46))},{pref}")
    elif r["type"] == "CNAME":
        print(f"cname={host},{value.rstrip(chr(46))}")
print("txt-record=_spf.herald-bench.example,\"v=spf1 ip4:127.0.0.1 -all\"")
print("host-record=bounce.herald-bench.example,127.0.0.1")
print("host-record=track.herald-bench.example,127.0.0.1")
' > "$WORK/zone.conf"
  dnsmasq --keep-in-foreground --conf-file="$WORK/zone.conf" --port="$DNS_PORT" --listen-address=127.0.0.1 \
    --bind-interfaces --no-resolv --no-hosts --user=nobody --pid-file= --log-facility=- 2>> "$WORK/dnsmasq.log" &
  DNS_PID=$!
  PIDS+=("$DNS_PID")
  sleep 0.3
  curl -sS --fail-with-body -H "Authorization: Bearer $SETUP_KEY" -X POST "$API/domains/$id/check" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["verified"] else "bench.example not verified: " + json.dumps(d["records"]))'
  # Peak heap: jstat every 0.5 s (S0U+S1U+EU+OU, MB).
  ( while kill -0 "$HERALD_PID" 2>/dev/null; do
      "$JAVA_HOME/bin/jstat" -gc "$HERALD_PID" 2>/dev/null | awk 'NR==2 {printf "%d\n", ($3+$4+$6+$8)/1024}'
      sleep 0.5
    done > "$WORK/heap.txt" ) &
  PIDS+=("$!")
}

stop_herald() {
  [ -n "${BENCH_PG_AFTER:-}" ] && $PSQL -F ' | ' <<< "$BENCH_PG_AFTER" > "${BENCH_LOG_DIR:-$WORK}/pg-after-$RANDOM.txt"
  stop "$HERALD_PID"
  [ -n "${BENCH_LOG_DIR:-}" ] && cp "$WORK/herald.log" "$BENCH_LOG_DIR/herald-$RANDOM.log"
  stop "$DNS_PID"
}

submit() { python3 bench/mta_submit.py send "$1" "$API" "$SEND_KEY" > /dev/null; }

herald_run() { # → H_RATE, H_CPU, H_PG_CPU, H_HEAP
  start_sink
  start_herald "$SINK_PORT"
  submit "$WORK/warm"
  wait_sink "$WARM" > /dev/null
  [ -n "${BENCH_PG_SQL:-}" ] && $PSQL <<< "$BENCH_PG_SQL" > /dev/null
  local t0 t1 te c0 c1 p0 p1 delivered
  c0=$(own_cpu "$HERALD_PID"); p0=$(tree_cpu "$PG_PID")
  : > "$WORK/heap.txt"
  t0=$(date +%s.%N)
  submit "$WORK/main"
  te=$(date +%s.%N)
  t1=$(wait_sink "$((WARM + N))")
  c1=$(own_cpu "$HERALD_PID"); p1=$(tree_cpu "$PG_PID")
  delivered=$($PSQL -c "select count(*) filter (where state = 'delivered') || ' delivered, ' || count(*) filter (where state <> 'delivered') || ' not' from outbound_recipient")
  H_HEAP=$(sort -n "$WORK/heap.txt" | tail -n 1)
  stop_herald
  stop "$SINK_PID"
  H_RATE=$(echo "$N / ($t1 - $t0)" | bc)
  H_CPU=$(echo "scale=3; ($c1 - $c0) * 1000 / $N" | bc)
  H_PG_CPU=$(echo "scale=3; ($p1 - $p0) * 1000 / $N" | bc)
  printf "   Herald, send API → queue → smtp-sink: %s msg/s (%.2f s; enqueueing took %.2f s), %s CPU s per 1,000 (JVM) + %s (PostgreSQL), peak heap %s MB; recipients: %s\n" \
    "$H_RATE" "$(echo "$t1 - $t0" | bc)" "$(echo "$te - $t0" | bc)" "$H_CPU" "$H_PG_CPU" "$H_HEAP" "$delivered"
}

herald_defer_run() { # $1 batch dir, $2 recipients deferred → D_RATE (of the others)
  python3 bench/defer_sink.py "$SINK_PORT" "$WORK/defer.status" &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  rm -f "$WORK/defer.status"
  start_herald "$SINK_PORT"
  submit "$WORK/warm"
  wait_defer_sink "$WARM" > /dev/null
  local t0 t1 states
  t0=$(date +%s.%N)
  submit "$1"
  t1=$(wait_defer_sink "$((WARM + N - $2))")
  states=$($PSQL -c "select string_agg(state || ' ' || n, ', ' order by state) from (select state, count(*) n from outbound_recipient group by state) s")
  stop_herald
  stop "$SINK_PID"
  D_RATE=$(echo "($N - $2) / ($t1 - $t0)" | bc)
  printf "   Herald, %s of %s recipients deferred: the other %s in %.2f s = %s msg/s; deferred answers at the sink: %s; recipients: %s\n" \
    "$2" "$N" "$((N - $2))" "$(echo "$t1 - $t0" | bc)" "$D_RATE" "$(defer_status | cut -d' ' -f2)" "$states"
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ "$MODE" = normal ]; then
    ceiling_run; echo "$CEIL_RATE" >> "$WORK/ceil"
    postfix_run; echo "$PF_RATE" >> "$WORK/pf"; echo "$PF_CPU" >> "$WORK/pfcpu"
    herald_run; echo "$H_RATE" >> "$WORK/h"; echo "$H_CPU" >> "$WORK/hcpu"; echo "$H_PG_CPU" >> "$WORK/hpg"; echo "$H_HEAP" >> "$WORK/heap"
    printf "   run %s: Herald / Postfix = %.2f, Herald / ceiling = %.3f\n" "$run" \
      "$(echo "$H_RATE / $PF_RATE" | bc -l)" "$(echo "$H_RATE / $CEIL_RATE" | bc -l)"
  else
    herald_defer_run "$WORK/main" 0; echo "$D_RATE" >> "$WORK/d0"
    herald_defer_run "$WORK/main-defer" "$DEFERRED"; echo "$D_RATE" >> "$WORK/d10"
    printf "   run %s: the others' rate with 10 %% deferred / with none = %.2f\n" "$run" \
      "$(echo "$(tail -n 1 "$WORK/d10") / $(tail -n 1 "$WORK/d0")" | bc -l)"
  fi
done

echo "== summary ($N messages, median of $RUNS run(s); load now $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$MODE" = normal ]; then
  H=$(median < "$WORK/h"); PF=$(median < "$WORK/pf"); CEIL=$(median < "$WORK/ceil")
  printf "   Herald:   %8s msg/s  (runs: %s)  target >= 2 x Postfix\n" "$H" "$(paste -sd' ' "$WORK/h")"
  printf "   Postfix:  %8s msg/s  (runs: %s)\n" "$PF" "$(paste -sd' ' "$WORK/pf")"
  printf "   ceiling:  %8s msg/s  (runs: %s)\n" "$CEIL" "$(paste -sd' ' "$WORK/ceil")"
  printf "   Herald / Postfix = %.2f, Herald / ceiling = %.3f, Postfix / ceiling = %.3f\n" \
    "$(echo "$H / $PF" | bc -l)" "$(echo "$H / $CEIL" | bc -l)" "$(echo "$PF / $CEIL" | bc -l)"
  printf "   CPU s per 1,000 messages: Herald JVM %s + its PostgreSQL %s (runs: %s / %s); Postfix %s (runs: %s)\n" \
    "$(median < "$WORK/hcpu")" "$(median < "$WORK/hpg")" "$(paste -sd' ' "$WORK/hcpu")" "$(paste -sd' ' "$WORK/hpg")" \
    "$(median < "$WORK/pfcpu")" "$(paste -sd' ' "$WORK/pfcpu")"
  printf "   peak heap: %s MB (runs: %s)  target <= 512, JVM capped at -Xmx512m\n" "$(median < "$WORK/heap")" "$(paste -sd' ' "$WORK/heap")"
else
  D0=$(median < "$WORK/d0"); D10=$(median < "$WORK/d10")
  printf "   the other 90 %%: %s msg/s with 10 %% deferred (runs: %s) vs %s msg/s with none deferred (runs: %s): ratio %.2f\n" \
    "$D10" "$(paste -sd' ' "$WORK/d10")" "$D0" "$(paste -sd' ' "$WORK/d0")" "$(echo "$D10 / $D0" | bc -l)"
fi
