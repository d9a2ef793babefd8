# Shared by the benchmarks under bench/ (sourced, not run): the JDK, the jar, Herald on a fresh embedded PostgreSQL
# or a given one, its organization and API key, the subscriber file, smtp-sink, dnsmasq serving a verified sending
# domain, the private Postfix reference, CPU and heap sampling. Only loopback is used; every wait is bounded.
#
# A script starts with:
#   . "$(dirname "$0")/lib.sh"; bench_init <name>
# which moves to the repository, finds JDK 25, makes $WORK (removed at exit, with every process started through
# these functions stopped) and sets the defaults below. What the functions set is named in their comments.
#
# Settings every script honours:
#   BENCH_JAR=path        run that jar instead of building this tree (A/B runs of two commits under the same load)
#   BENCH_JAVA_OPTS=...   more JVM options for Herald (e.g. a flight recording)
#   BENCH_DB_URL=jdbc:postgresql://127.0.0.1:5432/db  (with BENCH_DB_USER, BENCH_DB_PASSWORD) use that PostgreSQL
#                         instead of a fresh embedded one; it must be empty, and on loopback. Its CPU is then not
#                         measured unless BENCH_PG_PID names its postmaster.
#   BENCH_PORT, BENCH_PG_PORT, BENCH_SINK_PORT, BENCH_POSTFIX_PORT, BENCH_DNS_PORT   the loopback ports (free ones
#                         otherwise)

bench_init() { # $1 name → WORK, TICK, PIDS, ports, cleanup at exit
  set -euo pipefail
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  . bin/find-jdk.sh
  herald_find_jdk
  command -v psql >/dev/null || { echo "psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
  # Free ports unless given: other benchmarks may run beside this one, and a health check answered by another
  # Herald would send this one's requests to it.
  PORT=${BENCH_PORT:-$(bench_free_port)}
  PGPORT=${BENCH_PG_PORT:-$(bench_free_port)}
  SINK_PORT=${BENCH_SINK_PORT:-$(bench_free_port)}
  POSTFIX_PORT=${BENCH_POSTFIX_PORT:-$(bench_free_port)}
  DNS_PORT=${BENCH_DNS_PORT:-$(bench_free_port udp)}
  WORK=$(mktemp -d "/tmp/herald-bench-$1.XXXXXX")
  chmod 755 "$WORK" # Postfix's daemons (user postfix) and smtp-sink (nobody) reach their files under it
  TICK=$(getconf CLK_TCK)
  PIDS=()
  POSTFIX_DIR=""
  HERALD_PID=""
  trap bench_cleanup EXIT
}

# A loopback port free now for TCP (and UDP too with $1 = udp), in 20000-29999 (below Linux's ephemeral range).
bench_free_port() {
  python3 - "${1:-}" <<'PY'
import random, socket, sys
for _ in range(200):
    port = random.randint(20000, 29999)
    socks = []
    try:
        for kind in [socket.SOCK_STREAM] + ([socket.SOCK_DGRAM] if sys.argv[1] == "udp" else []):
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        print(port)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
else:
    sys.exit("no free port")
PY
}

bench_cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -f "$WORK/herald.log" ]; then tail -n 40 "$WORK/herald.log" >&2; fi
  [ -n "$POSTFIX_DIR" ] && bin/private-postfix stop "$POSTFIX_DIR"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit $rc
}

bench_stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

bench_machine() { echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(bench_load)"; }

# Waits until the command succeeds, at most $1 seconds (polling every 0.1 s); fails with $2 otherwise.
bench_until() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { echo "no $what within ${limit}s" >&2; return 1; }
    sleep 0.1
  done
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench_jar() { # → JAR
  if [ -n "${BENCH_JAR:-}" ]; then
    JAR=$BENCH_JAR
  else
    echo "== building Herald"
    herald_require_maven
    mvn -q -B -ntp package -Dmaven.test.skip=true # the tests are not built: only the jar is run
    JAR=$(ls target/herald-*.jar | grep -v -e original -e '-plain\.jar$' | head -n 1)
  fi
}

# The benchmarks' subscriber file (the import benchmark's generator): $1 rows into $2.
bench_subscribers() { python3 bench/subscribers_csv.py "$1" "$2"; }

# Herald (-Xmx512m) on a fresh data directory and a fresh embedded PostgreSQL (or BENCH_DB_URL), with these extra
# arguments; waits (at most 10 minutes: a loaded machine) for its health. → HERALD_PID, PG_PID (empty when not known), PSQL, API_BASE;
# its log in $WORK/herald.log.
bench_start_herald() {
  local data="$WORK/herald-$RANDOM" db=()
  if [ -n "${BENCH_DB_URL:-}" ]; then
    db=(--herald.db.url="$BENCH_DB_URL" --herald.db.username="${BENCH_DB_USER:-postgres}" --herald.db.password="${BENCH_DB_PASSWORD:-}")
    local hostport=${BENCH_DB_URL#jdbc:postgresql://}
    local path=${hostport#*/}
    hostport=${hostport%%/*}
    PSQL="psql -h ${hostport%%:*} -p ${hostport##*:} -U ${BENCH_DB_USER:-postgres} -d ${path%%\?*} -v ON_ERROR_STOP=1 -qAt"
    export PGPASSWORD=${BENCH_DB_PASSWORD:-}
  else
    db=(--herald.db.embedded-port="$PGPORT")
    PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -d herald -v ON_ERROR_STOP=1 -qAt"
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is taken: set BENCH_PORT" >&2; exit 1; fi
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" -Xmx512m ${BENCH_JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --herald.data-dir="$data" "${db[@]}" "$@" \
    > "$WORK/herald.log" 2>&1 &
  HERALD_PID=$!
  PIDS+=("$HERALD_PID")
  bench_until 600 "health from Herald" bench_herald_up || { tail -n 50 "$WORK/herald.log"; exit 1; }
  PG_PID=${BENCH_PG_PID:-}
  if [ -z "${BENCH_DB_URL:-}" ]; then PG_PID=$(head -n 1 "$(find "$data" -name postmaster.pid | head -n 1)"); fi
  API_BASE="http://127.0.0.1:$PORT/api/v1/orgs"
}

bench_herald_up() {
  kill -0 "$HERALD_PID" 2>/dev/null || { echo "Herald stopped while starting" >&2; tail -n 50 "$WORK/herald.log" >&2; exit 1; }
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health"
}

bench_stop_herald() {
  bench_stop "$HERALD_PID"
  [ -n "${BENCH_LOG_DIR:-}" ] && cp "$WORK/herald.log" "$BENCH_LOG_DIR/herald-$RANDOM.log"
  HERALD_PID=""
}

# An organization (slug $1) and an API key of these scopes ($2, e.g. "lists:write,campaigns:write") straight into the
# database: the setup and panel flows are not what is measured (they have their own tests). → the key on stdout.
bench_org_key() {
  local slug=$1 scopes=$2 prefix key
  prefix="bk$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  key="hrld_${prefix}_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
  $PSQL <<SQL
insert into organization (slug, name) select '$slug', '$slug' where not exists (select 1 from organization where slug = '$slug');
insert into api_key (organization_id, name, prefix, secret_hash, scopes)
  select id, 'bench', '$prefix', encode(sha256('$key'::bytea), 'hex'), '{$scopes}' from organization where slug = '$slug';
SQL
  echo "$key"
}

json_id() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

# Imports the CSV $1 into list $2 through the API ($3 base of the organization, $4 key); waits (at most $5 s,
# default 3600) for the job. → IMPORT_STATUS
bench_import() {
  local file=$1 list=$2 api=$3 key=$4 limit=${5:-3600} id deadline
  id=$(curl -sf -H "Authorization: Bearer $key" -F "file=@$file;filename=bench.csv" -F "listId=$list" \
    -F "consentBasis=benchmark data" "$api/imports" | json_id)
  deadline=$((SECONDS + limit))
  while :; do
    IMPORT_STATUS=$($PSQL -c "select status from import_job where id = $id")
    [ "$IMPORT_STATUS" = finished ] || [ "$IMPORT_STATUS" = failed ] && break
    [ $SECONDS -lt $deadline ] || { echo "import $id still $IMPORT_STATUS after ${limit}s" >&2; return 1; }
    sleep 0.2
  done
  IMPORT_ID=$id
}

# Peak heap: jstat every 0.5 s (S0U+S1U+EU+OU, MB) into $WORK/heap.txt while Herald lives; bench_reset_heap starts
# a new window, bench_peak_heap prints the largest sample since.
bench_sample_heap() {
  : > "$WORK/heap.txt"
  ( while kill -0 "$HERALD_PID" 2>/dev/null; do
      "$JAVA_HOME/bin/jstat" -gc "$HERALD_PID" 2>/dev/null | awk 'NR==2 {printf "%d\n", ($3+$4+$6+$8)/1024}'
      sleep 0.5
    done >> "$WORK/heap.txt" ) & # appended, so that emptying the file starts a new window cleanly
  PIDS+=("$!")
}
bench_reset_heap() { : > "$WORK/heap.txt"; }
bench_peak_heap() { sort -n "$WORK/heap.txt" | tail -n 1; }

# CPU seconds of a process and its descendants (utime+stime, plus what exited children used: cutime+cstime).
tree_cpu() {
  [ -n "$1" ] || { echo 0; return; }
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
# Per thread of a process: "tid<TAB>name<TAB>CPU ticks" (threads' names from /proc/<pid>/task/<tid>/comm).
thread_cpu() {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" \
      "$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$t/stat" 2>/dev/null)"
  done
}
# Where the JVM's CPU went between two thread_cpu snapshots, CPU s per 1,000 messages by thread group: garbage
# collection, the JIT, the request threads (send API: virtual threads, so their carriers), the delivery lanes, the rest. Threads that ended in between
# are missing (the JVM's total above counts them).
thread_split() { # $1 before, $2 after, $3 messages
  python3 - "$1" "$2" "$3" "$TICK" <<'PY'
import re, sys
def load(path):
    rows = {}
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[2]:
            rows[parts[0]] = (parts[1], int(parts[2]))
    return rows
before, after, n, tick = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
groups = {}
for tid, (name, ticks) in after.items():
    used = ticks - before.get(tid, (name, 0))[1]
    if re.match(r"(GC Thread|G1 |VM Thread|GC )", name): group = "GC"
    elif re.match(r"(C1 |C2 )Compiler", name): group = "JIT"
    elif name.startswith(("ForkJoinPool", "tomcat")): group = "requests"
    elif name.startswith("delivery"): group = "delivery"
    else: group = "other"
    groups[group] = groups.get(group, 0) + used
print("   JVM CPU s per 1,000 by threads: " + ", ".join(f"{g} {groups.get(g, 0) / tick * 1000 / n:.3f}"
      for g in ("requests", "delivery", "GC", "JIT", "other")))
PY
}

# Postfix's smtp-sink on 127.0.0.1:$SINK_PORT; with $1 a directory, it keeps each message there (-d). → SINK_PID;
# its counters in $WORK/sink.out (bench_sink_count).
bench_start_sink() {
  local dump=()
  if [ -n "${1:-}" ]; then mkdir -p "$1"; chmod 777 "$1"; dump=(-d "$1/m."); fi
  smtp-sink -u nobody "${dump[@]}" -c "127.0.0.1:$SINK_PORT" 256 > "$WORK/sink.out" 2>&1 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  bench_until 5 "smtp-sink listening" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SINK_PORT" 2>/dev/null \
    || { echo "smtp-sink did not start" >&2; exit 1; }
}
bench_sink_count() { tail -c 200 "$WORK/sink.out" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -n 1 | cut -d= -f2 || echo 0; }
# SMTP sessions the sink has seen end so far (its -c counters; the listening probe of bench_start_sink is one).
bench_sink_sessions() { tail -c 200 "$WORK/sink.out" | tr '\r' '\n' | grep -o 'sess=[0-9]*' | tail -n 1 | cut -d= -f2 || echo 0; }
# Waits (at most $2 s) until the sink has accepted $1 messages; prints the time it saw that.
bench_wait_sink() {
  local deadline=$((SECONDS + $2)) c
  while [ $SECONDS -lt $deadline ]; do
    c=$(bench_sink_count); c=${c:-0}
    if [ "$c" -ge "$1" ]; then date +%s.%N; return 0; fi
    sleep 0.05
  done
  echo "the sink got $(bench_sink_count) of $1 messages within $2 s" >&2; return 1
}

# Herald's arguments for delivering every domain to the sink, as to one large server (an operator's site override for
# 127.0.0.1: 20 connections like Postfix's default_destination_concurrency_limit, no rate or per-connection cap), and
# for the DNS of bench_verified_domain.
bench_sink_route_args() {
  echo --herald.delivery.route=static --herald.delivery.static-route="127.0.0.1:$SINK_PORT" \
    "--herald.delivery.shaping.sites[0].mx-suffix=127.0.0.1" "--herald.delivery.shaping.sites[0].connection-limit=20" \
    "--herald.delivery.shaping.sites[0].deliveries-per-connection=100000" "--herald.delivery.shaping.sites[0].message-rate=100000/s" \
    --herald.dns.resolvers="127.0.0.1:$DNS_PORT" --herald.sending.spf-include=_spf.herald-bench.example \
    --herald.sending.bounce-host=bounce.herald-bench.example --herald.sending.tracking-host=track.herald-bench.example
}

# Adds the sending domain $1 to the organization ($2 its API base, $3 a key of scope domains:write), serves exactly
# the records Herald lists for it (DKIM RSA-2048 and Ed25519 keys, SPF, return path, tracking) from dnsmasq on
# 127.0.0.1:$DNS_PORT, and checks it: it must come out verified. → DNS_PID
bench_verified_domain() {
  local name=$1 api=$2 key=$3 domain id
  domain=$(curl -sS --fail-with-body -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\"}" "$api/domains")
  id=$(echo "$domain" | json_id)
  # Every record as a dnsmasq option (TXT split into strings of at most 255 octets), and what they point at.
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
  bench_until 5 "dnsmasq answering" bash -c "exec 3<>/dev/tcp/127.0.0.1/$DNS_PORT" 2>/dev/null
  curl -sS --fail-with-body -H "Authorization: Bearer $key" -X POST "$api/domains/$id/check" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["verified"] else "'"$name"' not verified: " + json.dumps(d["records"]))'
  # BENCH_DKIM: which signatures every message carries, "both" (RSA-2048 and Ed25519, Herald's default) or "rsa"
  # (RSA-2048 only, the issues' definition of the MTA and campaign benchmarks). Said in the output either way.
  if [ "${BENCH_DKIM:-both}" != both ]; then
    curl -sS --fail-with-body -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -X PATCH \
      -d "{\"dkimSignatures\":\"$BENCH_DKIM\"}" "$api/domains/$id"
  fi
  echo "   DKIM signatures of $name: ${BENCH_DKIM:-both}"
}

# The tools of the MTA benchmarks: Postfix's smtp-sink/smtp-source and postfix (bin/install-test-tools), dnsmasq.
bench_mta_tools() {
  bin/install-test-tools
  command -v dnsmasq >/dev/null || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dnsmasq-base >/dev/null
  }
}

# The reference: smtp-source sending $1 copies of the message file $2 (envelope from $3) through a private Postfix
# (bin/private-postfix: own config and queue, 127.0.0.1 only, relayhost = the sink, Postfix's defaults otherwise,
# queue files synced) to a fresh smtp-sink, 20 sessions; timed from the first message submitted to the last accepted
# by the sink (at most $4 s). → PF_RATE (msg/s), PF_SECS, PF_CPU (CPU s per 1,000 messages, Postfix's process tree)
bench_postfix_relay() {
  local n=$1 message=$2 from=$3 limit=$4 master t0 t1 c0 c1
  bench_start_sink
  POSTFIX_DIR="$WORK/postfix"
  rm -rf "$POSTFIX_DIR"
  bin/private-postfix start "$POSTFIX_DIR" "$POSTFIX_PORT" relay "127.0.0.1:$SINK_PORT"
  master=$(tr -d ' ' < "$POSTFIX_DIR/queue/pid/master.pid")
  c0=$(tree_cpu "$master")
  t0=$(date +%s.%N)
  timeout "$limit" smtp-source -d -s 20 -m "$n" -F "$message" -f "$from" -t user@rcpt.example -N "127.0.0.1:$POSTFIX_PORT"
  t1=$(bench_wait_sink "$n" "$limit")
  c1=$(tree_cpu "$master")
  bin/private-postfix stop "$POSTFIX_DIR"
  POSTFIX_DIR=""
  bench_stop "$SINK_PID"
  PF_SECS=$(echo "$t1 - $t0" | bc)
  PF_RATE=$(echo "$n / $PF_SECS" | bc)
  PF_CPU=$(echo "scale=3; ($c1 - $c0) * 1000 / $n" | bc)
}
