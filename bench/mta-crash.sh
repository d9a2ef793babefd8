#!/usr/bin/env bash
# MTA crash benchmark (issue 10, "Reliability tests"), at full size: Herald delivers 20,000 messages (4 recipient
# domains, one recipient each) as a separate process over the static route to Postfix's smtp-sink on loopback and is
# killed with kill -9 three times (at a quarter, half and three quarters of the send at the sink), then restarted to
# finish. It prints what the sink got: every recipient at least once, the extra copies beside their bound (the
# recipients in flight, i.e. still 'sending', at each kill), and the time; python3-dkim verifies every captured copy.
# It is the suite's MtaCrashTest run at this size, so the assertions are the suite's.
# Usage: bench/mta-crash.sh [messages] (default 20000). BATCH, LANES and RATE set the worker's batch size and
# concurrency and the shaping's message rate per destination and node (defaults 50, 32: Herald's; and 5000/s, so that
# the rate does not hide the worker's own speed). Only loopback is used.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
herald_require_maven
MESSAGES=${1:-20000}
bin/install-test-tools
mvn -B -q -ntp test -Dtest='MtaCrashTest#killed_three_times*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dherald.crash.messages="$MESSAGES" -Dherald.crash.batch-size="${BATCH:-50}" -Dherald.crash.concurrency="${LANES:-32}" \
  -Dherald.crash.rate="${RATE:-5000/s}" 2>&1 | tee /tmp/herald-mta-crash.log | grep -E "^MTA crash test|Tests run|FAIL|ERROR\]" || true
grep -q "^MTA crash test" /tmp/herald-mta-crash.log && ! grep -q "FAILURE" /tmp/herald-mta-crash.log
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
