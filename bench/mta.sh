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
# BENCH_DKIM=rsa signs every message with RSA-2048 only (the issue's definition of this benchmark); the default,
# both, adds the Ed25519 signature Herald makes by default (a domain's "DKIM signatures" setting).
# BENCH_JAR=path runs that jar instead of building this tree; BENCH_JAVA_OPTS adds JVM options to Herald's (e.g. a
# flight recording: -XX:StartFlightRecording=filename=/tmp/mta.jfr,settings=profile). For a look inside Herald's
# PostgreSQL: BENCH_PG_SQL runs after the warm-up (e.g. "select pg_stat_reset_shared('wal');"), BENCH_PG_AFTER before
# Herald stops (e.g. "select wal_records, wal_bytes from pg_stat_wal;"), its output and with BENCH_LOG_DIR=dir
# Herald's log kept in that directory. Needs root (Postfix), Debian's postfix (installed
# without a configuration by bin/install-test-tools) and dnsmasq-base (installed here if missing).
. "$(dirname "$0")/lib.sh"
bench_init mta
MODE=normal
if [ "${1:-}" = --defer ]; then MODE=defer; shift; fi
N=${1:-50000}
RUNS=${2:-3}
WARM=${BENCH_WARMUP:-1000}
DOMAINS=1000
SESSIONS=20
# The sink is one big server: with the static route every recipient domain's "MX" is 127.0.0.1, one site, so
# Herald's default shaping (10 connections, 100 msg/s, 100 messages per connection, KumoMTA's default) would
# hold the whole run to it. The private Postfix relays to the same sink under its defaults:
# default_destination_concurrency_limit = 20 connections, no rate delay, connections reused without a count
# limit (smtp_connection_reuse_count_limit = 0, for up to 300 s). Herald gets the same, as an operator would
# configure a destination known to be one large server: a site override for 127.0.0.1 (bench_sink_route_args).
DEADLINE=${BENCH_DEADLINE:-$((600 + N / 20))} # seconds any one wait may take

bench_mta_tools

start_sink() { bench_start_sink; }
wait_sink() { bench_wait_sink "$1" "$DEADLINE"; }
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

bench_jar

ceiling_run() { # → CEIL_RATE
  start_sink
  local t0 t1
  t0=$(date +%s.%N)
  smtp-source -d -s "$SESSIONS" -m "$N" -F "$WORK/message.eml" -f "$FROM" -t user@rcpt.example -N "127.0.0.1:$SINK_PORT"
  t1=$(wait_sink "$N")
  bench_stop "$SINK_PID"
  CEIL_RATE=$(echo "$N / ($t1 - $t0)" | bc)
  printf "   ceiling, smtp-source → smtp-sink: %s msg/s (%.2f s)\n" "$CEIL_RATE" "$(echo "$t1 - $t0" | bc)"
}

postfix_run() { # → PF_RATE, PF_CPU
  bench_postfix_relay "$N" "$WORK/message.eml" "$FROM" "$DEADLINE"
  printf "   Postfix relaying, smtp-source → Postfix → smtp-sink: %s msg/s (%.2f s), %s CPU s per 1,000\n" \
    "$PF_RATE" "$PF_SECS" "$PF_CPU"
}

# Herald on a fresh data directory, delivering to the sink; bench.example verified through dnsmasq; keys of scope
# send (SEND_KEY) and domains:write.
start_herald() {
  # shellcheck disable=SC2046
  bench_start_herald $(bench_sink_route_args)
  SEND_KEY=$(bench_org_key bench send)
  API="$API_BASE/bench"
  bench_verified_domain bench.example "$API" "$(bench_org_key bench domains:write)"
  bench_sample_heap
}

stop_herald() {
  [ -n "${BENCH_PG_AFTER:-}" ] && $PSQL -F ' | ' <<< "$BENCH_PG_AFTER" > "${BENCH_LOG_DIR:-$WORK}/pg-after-$RANDOM.txt"
  bench_stop_herald
  bench_stop "$DNS_PID"
}

submit() { python3 bench/mta_submit.py send "$1" "$API" "$SEND_KEY" > /dev/null; }

herald_run() { # → H_RATE, H_CPU, H_PG_CPU, H_HEAP
  start_sink
  start_herald "$SINK_PORT"
  submit "$WORK/warm"
  wait_sink "$WARM" > /dev/null
  [ -n "${BENCH_PG_SQL:-}" ] && $PSQL <<< "$BENCH_PG_SQL" > /dev/null
  local t0 t1 te c0 c1 p0 p1 delivered s0 s1
  s0=$(bench_sink_sessions)
  c0=$(own_cpu "$HERALD_PID"); p0=$(tree_cpu "$PG_PID"); thread_cpu "$HERALD_PID" > "$WORK/threads0"
  bench_reset_heap
  t0=$(date +%s.%N)
  submit "$WORK/main"
  te=$(date +%s.%N)
  t1=$(wait_sink "$((WARM + N))")
  c1=$(own_cpu "$HERALD_PID"); p1=$(tree_cpu "$PG_PID"); thread_cpu "$HERALD_PID" > "$WORK/threads1"
  delivered=$($PSQL -c "select count(*) filter (where state = 'delivered') || ' delivered, ' || count(*) filter (where state <> 'delivered') || ' not' from outbound_recipient")
  H_HEAP=$(bench_peak_heap)
  stop_herald
  sleep 0.5
  s1=$(bench_sink_sessions) # Herald has stopped: every session of the run has ended
  bench_stop "$SINK_PID"
  H_RATE=$(echo "$N / ($t1 - $t0)" | bc)
  H_CPU=$(echo "scale=3; ($c1 - $c0) * 1000 / $N" | bc)
  H_PG_CPU=$(echo "scale=3; ($p1 - $p0) * 1000 / $N" | bc)
  printf "   Herald, send API → queue → smtp-sink: %s msg/s (%.2f s; enqueueing took %.2f s), %s CPU s per 1,000 (JVM) + %s (PostgreSQL), peak heap %s MB; recipients: %s; SMTP sessions after the warm-up: %s\n" \
    "$H_RATE" "$(echo "$t1 - $t0" | bc)" "$(echo "$te - $t0" | bc)" "$H_CPU" "$H_PG_CPU" "$H_HEAP" "$delivered" "$((s1 - s0))"
  thread_split "$WORK/threads0" "$WORK/threads1" "$N"
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
  bench_stop "$SINK_PID"
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
