#!/usr/bin/env bash
# Tracking benchmark (issue 12, "Performance"). Loopback only; every loop is bounded in count and every wait in time.
#
#   bench/tracking.sh [recipients] [runs]    (default 2000 recipients, 3 runs; e.g. bench/tracking.sh 500 1 to try it)
#
# Setup, once, on a fresh Herald (-Xmx512m, roles web,worker,delivery, embedded PostgreSQL on a fresh data directory):
# an organization and API key; the sending domain bench.example verified against dnsmasq on a loopback port; a list of
# the recipients imported through the import API; a campaign with open and click tracking (three links) sent through
# Herald's MTA to an smtp-sink that keeps every message. The real open-pixel and click tokens are read from those
# messages (each recipient's pixel and links: recipients x 4 distinct tokens), and become two path files.
#
# Then a private nginx (Debian's; its own config under the temp dir, 127.0.0.1 on a free port, `worker_processes
# auto`, the access log written buffered to a file, as a pixel server records its hits) serves /t/o/* with its
# empty_gif module (the same 43-byte GIF) and answers /t/c/* with a 302 to a fixed URL, both with Herald's two
# response headers (Cache-Control: no-store, Referrer-Policy: no-referrer): the reference.
#
# Per run, for the open pixel and the click redirect, with keep-alive and with `Connection: close`, Herald then nginx:
# wrk (BENCH_THREADS threads, default 2; BENCH_CONNECTIONS connections, default 32; -d BENCH_DURATION seconds,
# default 10) with bench/tracking.lua, every request the next token of the file (each thread at its own place), the
# Host header the tracking host the mail's links name. A warm-up of BENCH_WARMUP seconds (default 10) on each Herald
# endpoint goes first, not counted (the JIT compiles; nginx has none to do).
#
# Printed per measurement: requests/s, p50 and p99 latency, non-2xx/3xx answers and socket errors, CPU per request in
# microseconds (Herald's JVM and its PostgreSQL from /proc, over the run and until its events were stored, net of what
# they use idle, measured over 5 s after the warm-up; nginx's process tree over its run), the ratio Herald / nginx and the machine's load. For Herald, the events stored in
# tracking_event (counted with psql once the writer has drained) against the 200s (opens) or 302s (clicks) wrk saw:
# they must be equal, or more by at most the connections' count (answers still on the wire when wrk stopped reading).
# Then the medians over the runs. Targets (the issue): >= 0.5 x nginx with keep-alive, p99 < 20 ms.
#
# BENCH_TRACKING_VIA says which of Herald's ports is measured: `listener` (the default: the tracking listener,
# herald.tracking.port, ADR 0009), `tomcat` (the main port, where TrackingValve answers), or `both` (each in turn, in the
# same window, so their CPU per request compares under the same load).
#
# BENCH_MODES limits the connection modes measured (default "keepalive close").
#
# Settings of bench/lib.sh apply (BENCH_JAR, BENCH_JAVA_OPTS e.g. a flight recording, BENCH_DB_URL, ports). Needs
# root (smtp-sink's -u), wrk and nginx (bin/install-test-tools), dnsmasq-base (installed if missing).
. "$(dirname "$0")/lib.sh"
bench_init tracking
N=${1:-2000}
RUNS=${2:-3}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-10}
[ "$N" -ge 1 ] && [ "$N" -le 100000 ] || { echo "recipients: 1 to 100,000" >&2; exit 1; }
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || { echo "runs: 1 to 20" >&2; exit 1; }
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 300 ] || { echo "BENCH_DURATION: 1 to 300 seconds" >&2; exit 1; }
TRACK_HOST=track.herald-bench.example
MODES=${BENCH_MODES:-keepalive close}
VIA=${BENCH_TRACKING_VIA:-listener}
case "$VIA" in
  listener) HERALDS=(listener) ;;
  tomcat) HERALDS=(tomcat) ;;
  both) HERALDS=(listener tomcat) ;;
  *) echo "BENCH_TRACKING_VIA: listener, tomcat or both" >&2; exit 1 ;;
esac

bench_mta_tools
NGINX_PORT=$(bench_free_port)
TRACKING_PORT=$(bench_free_port)
echo "== tracking: $N recipients, $RUNS run(s), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, Herald via ${HERALDS[*]}; machine: $(bench_machine)"
bench_jar

echo "== sending a tracked campaign to $N recipients (kept by smtp-sink)"
bench_start_sink "$WORK/dumps"
# shellcheck disable=SC2046
bench_start_herald --herald.roles=web,worker,delivery $(bench_sink_route_args) \
  --herald.imports.poll=PT0.2S --herald.campaigns.poll=PT0.2S --herald.tracking.port="$TRACKING_PORT" --herald.tracking.address=127.0.0.1
KEY=$(bench_org_key bench lists:write,campaigns:write,domains:write)
AUTH=(-H "Authorization: Bearer $KEY")
API="$API_BASE/bench"
bench_verified_domain bench.example "$API" "$KEY"
bench_subscribers "$N" "$WORK/all.csv"
cut -d, -f1,2 "$WORK/all.csv" > "$WORK/subscribers.csv"
LIST=$(curl -sS --fail-with-body "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"name":"Readers","optin":"single"}' "$API/lists" | json_id)
bench_import "$WORK/subscribers.csv" "$LIST" "$API" "$KEY" 600
[ "$IMPORT_STATUS" = finished ] || { echo "the import $IMPORT_STATUS" >&2; exit 1; }
python3 - "$LIST" > "$WORK/campaign.json" <<'PY'
import json, sys
body = ("<h1>Hello {{ subscriber.name }}</h1><p>This week's news.</p>"
        '<p><a href="https://shop.bench.example/new">New</a> <a href="https://shop.bench.example/sale?from=news&amp;x=1">Sale</a> '
        '<a href="https://blog.bench.example/2026/12/notes">Notes</a></p>'
        '<p style="font-size:12px"><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>')
print(json.dumps({"name": "Tracking bench", "subject": "News for {{ subscriber.name }}", "fromAddress": "news@bench.example",
                  "fromName": "Herald Bench", "body": body, "bodyFormat": "html", "trackOpens": True, "trackClicks": True,
                  "audience": {"lists": [int(sys.argv[1])]}}))
PY
CAMPAIGN=$(curl -sS --fail-with-body "${AUTH[@]}" -H 'Content-Type: application/json' -d @"$WORK/campaign.json" "$API/campaigns" | json_id)
curl -sS --fail-with-body "${AUTH[@]}" -H 'Content-Type: application/json' -d '{}' "$API/campaigns/$CAMPAIGN/schedule" > /dev/null
bench_wait_sink "$N" 900 > /dev/null
bench_stop "$SINK_PID"

# Every recipient's pixel and click tokens, from the HTML part as the mail reader decodes it.
python3 - "$WORK/dumps" "$WORK/open.paths" "$WORK/click.paths" "$N" <<'PY'
import email, email.policy, os, re, sys
d, open_out, click_out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
token = re.compile(r"https://[a-z0-9.-]+(/t/([oc])/[a-z2-7]{45})\"")
opens, clicks = set(), set()
for name in sorted(os.listdir(d))[: n + 10]:
    raw = open(os.path.join(d, name), "rb").read()
    if not raw:
        continue
    m = email.message_from_bytes(raw, policy=email.policy.default)
    part = m.get_body(("html",))
    if part is None:
        continue
    for path, kind in token.findall(part.get_content()):
        (opens if kind == "o" else clicks).add(path)
open(open_out, "w").write("\n".join(sorted(opens)) + "\n")
open(click_out, "w").write("\n".join(sorted(clicks)) + "\n")
print(f"   {len(opens)} open tokens and {len(clicks)} click tokens from {min(n, len(os.listdir(d)))} messages")
if len(opens) < n or len(clicks) < 3 * n:
    sys.exit(f"expected {n} open and {3 * n} click tokens")
PY
rm -rf "$WORK/dumps"

echo "== starting the reference: nginx on 127.0.0.1:$NGINX_PORT"
NGINX_DIR="$WORK/nginx"
mkdir -p "$NGINX_DIR/temp"
cat > "$NGINX_DIR/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
events { worker_connections 4096; }
http {
  access_log $NGINX_DIR/access.log combined buffer=64k flush=1s;
  client_body_temp_path $NGINX_DIR/temp/body;
  proxy_temp_path $NGINX_DIR/temp/proxy;
  fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
  uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
  scgi_temp_path $NGINX_DIR/temp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    server_name $TRACK_HOST;
    location /t/o/ { add_header Cache-Control no-store; add_header Referrer-Policy no-referrer; empty_gif; }
    location /t/c/ { add_header Cache-Control no-store; add_header Referrer-Policy no-referrer; return 302 https://shop.bench.example/new; }
  }
}
CONF
nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
bench_until 10 "nginx answering" curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/t/o/x"
[ "$(curl -s "http://127.0.0.1:$NGINX_PORT/t/o/x" | wc -c)" -eq 43 ] || { echo "nginx's GIF is not 43 bytes" >&2; exit 1; }

# wrk against $1 (listener|tomcat|nginx) for paths $2 (open|click), $3 keepalive|close, $4 seconds → the RESULT line's fields
# as shell variables (requests rps p50_ms p99_ms status_errors connect read write timeout).
wrk_run() {
  local port=$TRACKING_PORT out
  [ "$1" = tomcat ] && port=$PORT
  [ "$1" = nginx ] && port=$NGINX_PORT
  out=$(timeout $(($4 + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4"s --latency -s bench/tracking.lua \
    "http://127.0.0.1:$port" -- "$WORK/$2.paths" "$3" "$TRACK_HOST" 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" >> "$WORK/wrk.log"
  eval "$(echo "$out" | grep '^RESULT ' | cut -d' ' -f2-)"
}
# The one check of the answers themselves: a token from the mail gets the GIF and the redirect through both ports.
for p in "$PORT" "$TRACKING_PORT"; do
  curl -sf -H "Host: $TRACK_HOST" -o "$WORK/pixel.gif" "http://127.0.0.1:$p$(head -n 1 "$WORK/open.paths")"
  [ "$(wc -c < "$WORK/pixel.gif")" -eq 43 ] || { echo "Herald's pixel on port $p is not 43 bytes" >&2; exit 1; }
  curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' -H "Host: $TRACK_HOST" "http://127.0.0.1:$p$(head -n 1 "$WORK/click.paths")" \
    | grep -q '^302 https://' || { echo "Herald's click on port $p does not redirect" >&2; exit 1; }
done

stored() { $PSQL -c "select count(*) from tracking_event where kind = '$1'"; }
# Waits (at most 120 s) until the events of kind $1 stop growing for 1.5 s (the writer flushes every 200 ms): drained.
wait_drained() {
  local last now same=0 deadline=$((SECONDS + 120))
  last=$(stored "$1")
  while [ $SECONDS -lt $deadline ]; do
    sleep 0.5
    now=$(stored "$1")
    if [ "$now" = "$last" ]; then same=$((same + 1)); [ $same -ge 3 ] && return 0; else same=0; last=$now; fi
  done
  echo "the events of kind $1 still grew after 120 s" >&2; return 1
}

echo "== warm-up: ${WARMUP} s on each of Herald's endpoints (not counted)"
for via in "${HERALDS[@]}"; do for kind in open click; do wrk_run "$via" "$kind" keepalive "$WARMUP"; done; done
wait_drained open; wait_drained click
# What Herald's JVM and PostgreSQL use with no request at all (pollers, the scheduler, GC, the JIT finishing): over
# 5 s, in CPU seconds per second. On a loaded machine Herald answers few requests per second, and this would otherwise
# count as theirs; the per-request figures below are net of it (the raw ones are in the log line).
i0=$(own_cpu "$HERALD_PID"); q0=$(tree_cpu "$PG_PID"); w0=$(date +%s.%N)
sleep 5
i1=$(own_cpu "$HERALD_PID"); q1=$(tree_cpu "$PG_PID"); w1=$(date +%s.%N)
IDLE_JVM=$(echo "scale=4; ($i1 - $i0) / ($w1 - $w0)" | bc)
IDLE_PG=$(echo "scale=4; ($q1 - $q0) / ($w1 - $w0)" | bc)
echo "   idle: Herald's JVM $IDLE_JVM CPU s/s, its PostgreSQL $IDLE_PG CPU s/s"

# One measurement: Herald (listener or tomcat) or nginx, $2 kind, $3 mode; appends "value" lines to $WORK/<series> files.
measure() {
  local who=$1 kind=$2 mode=$3 c0 c1 p0 p1 s0 s1 w0 w1 ok load series cpu raw pg extra=""
  load=$(bench_load)
  series="$who-$kind-$mode"
  if [ "$who" != nginx ]; then
    s0=$(stored "$kind")
    w0=$(date +%s.%N)
    c0=$(own_cpu "$HERALD_PID"); p0=$(tree_cpu "$PG_PID")
  else
    c0=$(tree_cpu "$NGINX_PID")
  fi
  wrk_run "$who" "$kind" "$mode" "$DURATION"
  ok=$((requests - status_errors))
  if [ "$who" != nginx ]; then
    wait_drained "$kind"
    c1=$(own_cpu "$HERALD_PID"); p1=$(tree_cpu "$PG_PID")
    w1=$(date +%s.%N)
    s1=$(stored "$kind")
    raw=$(echo "scale=1; ($c1 - $c0) * 1000000 / $requests" | bc)
    cpu=$(echo "scale=1; ($c1 - $c0 - $IDLE_JVM * ($w1 - $w0)) * 1000000 / $requests" | bc)
    pg=$(echo "scale=1; ($p1 - $p0 - $IDLE_PG * ($w1 - $w0)) * 1000000 / $requests" | bc)
    local persisted=$((s1 - s0)) verdict=ok
    if [ "$persisted" -lt "$ok" ] || [ "$persisted" -gt $((ok + CONNECTIONS)) ]; then verdict=MISMATCH; echo "$series" >> "$WORK/mismatch"; fi
    extra=$(printf "; CPU/request net of idle: JVM %s us (raw %s) + PostgreSQL %s us; stored %s of %s answered (%s)" "$cpu" "$raw" "$pg" \
      "$persisted" "$ok" "$verdict")
    echo "$cpu" >> "$WORK/$series.cpu"; echo "$pg" >> "$WORK/$series.pg"
  else
    c1=$(tree_cpu "$NGINX_PID")
    cpu=$(echo "scale=1; ($c1 - $c0) * 1000000 / $requests" | bc)
    extra=$(printf "; CPU/request: %s us" "$cpu")
    echo "$cpu" >> "$WORK/$series.cpu"
  fi
  echo "$rps" >> "$WORK/$series.rps"; echo "$p50_ms" >> "$WORK/$series.p50"; echo "$p99_ms" >> "$WORK/$series.p99"
  printf "   %-8s %-5s %-9s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors: %s status, %s socket%s (load %s)\n" \
    "$who" "$kind" "$mode" "$rps" "$p50_ms" "$p99_ms" "$status_errors" "$((connect + read + write + timeout))" "$extra" "$load"
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS (load $(bench_load))"
  for mode in $MODES; do
    for kind in open click; do
      for via in "${HERALDS[@]}"; do measure "$via" "$kind" "$mode"; done
      measure nginx "$kind" "$mode"
      for via in "${HERALDS[@]}"; do
        echo "$(echo "$(tail -n 1 "$WORK/$via-$kind-$mode.rps") / $(tail -n 1 "$WORK/nginx-$kind-$mode.rps")" | bc -l)" >> "$WORK/ratio-$via-$kind-$mode"
      done
    done
  done
done

runs() { xargs printf "$1 " < "$2"; }
echo "== summary: medians of $RUNS run(s), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; load now $(bench_load)"
for mode in $MODES; do
  for kind in open click; do
    for via in "${HERALDS[@]}"; do
      h="$WORK/$via-$kind-$mode"; x="$WORK/nginx-$kind-$mode"
      printf "   %-5s %-9s Herald (%s) %6.0f req/s (p50 %.2f, p99 %.2f ms; CPU/req JVM %s + PG %s us)  nginx %6.0f req/s (p99 %.2f ms; %s us)  Herald/nginx %.2f (runs: %s)\n" \
        "$kind" "$mode" "$via" "$(median < "$h.rps")" "$(median < "$h.p50")" "$(median < "$h.p99")" "$(median < "$h.cpu")" "$(median < "$h.pg")" \
        "$(median < "$x.rps")" "$(median < "$x.p99")" "$(median < "$x.cpu")" "$(median < "$WORK/ratio-$via-$kind-$mode")" "$(runs %.2f "$WORK/ratio-$via-$kind-$mode")"
    done
  done
done
echo "   targets: Herald / nginx >= 0.5 with keep-alive; p99 < 20 ms"
if [ -f "$WORK/mismatch" ]; then
  echo "   events stored did NOT match the answers in: $(paste -sd' ' "$WORK/mismatch")"
  exit 1
fi
echo "   every measured open and click answered was stored (stored - answered within 0..$CONNECTIONS per measurement)"
