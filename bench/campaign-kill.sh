#!/usr/bin/env bash
# Campaign kill benchmark (issue 11, "Reliability tests"), at full size: a campaign to 20,000 subscribers sent by Herald
# nodes running as separate processes (roles delivery and worker) over one PostgreSQL, through the static route to
# Postfix's smtp-sink on loopback; the node is killed with kill -9 three times (at a quarter, half and three quarters of
# the send at the sink), then a fourth finishes. It prints the recipients, the missing ones (must be 0), the extra
# copies beside their bound (the recipients in flight, i.e. still 'sending', at each kill), and the campaign's ledger
# and queue when it was first seen finished (only once all were handed off and delivered). Every captured copy passes
# the MIME lint and python3-dkim against the DKIM keys its domain published. It is the suite's CampaignCrashTest run at
# this size, so the assertions are the suite's.
# Usage: bench/campaign-kill.sh [recipients] (default 20000). BATCH, LANES, RATE and CHUNK set the nodes' worker batch
# size and lanes, the message rate per destination and node, and the campaign hand-off's chunk (defaults 50, 32, 5000/s,
# 2000: Herald's own batch, lanes and chunk, and a rate that does not hide the worker's own speed). Only loopback is used.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
herald_require_maven
RECIPIENTS=${1:-20000}
LOG=$(mktemp /tmp/herald-campaign-kill.XXXXXX.log)
bin/install-test-tools
echo "== $RECIPIENTS recipients, kill -9 three times; load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$SECONDS
timeout 5400 mvn -B -q -ntp test -Dtest='CampaignCrashTest#killed_three_times*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dherald.campaign-crash.recipients="$RECIPIENTS" -Dherald.campaign-crash.batch-size="${BATCH:-50}" \
  -Dherald.campaign-crash.concurrency="${LANES:-32}" -Dherald.campaign-crash.rate="${RATE:-5000/s}" \
  -Dherald.campaign-crash.chunk="${CHUNK:-2000}" > "$LOG" 2>&1 || true
grep -E "^Campaign crash test|Tests run:|FAIL|ERROR\]" "$LOG" | grep -v "^\[ERROR\] *$" | head -n 30 || true
echo "took $((SECONDS - start)) s (the test's build, four node starts and the checks included); log: $LOG"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -q "^Campaign crash test: finished only when done" "$LOG" && ! grep -q "FAILURE" "$LOG"
