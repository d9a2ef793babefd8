#!/usr/bin/env bash
# DKIM signing cost on one thread (ADR 0007): RSA-2048 by the JDK and by OpenSSL's libcrypto through the FFM API,
# interleaved (JDK, OpenSSL, JDK, OpenSSL) in one JVM, plus Ed25519, both keys, and MIME building of the same
# ~20 KB message, for scale. Prints CPU ms per signature (the thread's own CPU: the machine may be shared), the median
# of the rounds after the first (a JIT warm-up), each round listed, with the load before and after; and
# `openssl speed rsa2048` as the library's own figure. Bounded: MESSAGES per round (default 2000) x ROUNDS (default 6).
# Usage: bench/dkim-sign.sh [messages per round] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
MESSAGES=${1:-2000}
ROUNDS=${2:-6}
echo "== load before: $(uptime)"
mvn -B -q -ntp test -Dtest=DkimSigningThroughput -Dsurefire.failIfNoSpecifiedTests=false -Dherald.bench=true \
  -Dherald.bench.messages="$MESSAGES" -Dherald.bench.rounds="$ROUNDS" 2>&1 \
  | grep -E '^(message:|RSA signing:|build|sign)' || { echo "DkimSigningThroughput failed" >&2; exit 1; }
echo "== load after: $(uptime)"
if command -v openssl >/dev/null; then
  echo "== openssl speed -seconds 3 rsa2048 (the library alone, one thread)"
  openssl speed -seconds 3 rsa2048 2>/dev/null | grep -E '^(rsa 2048|OpenSSL)' || true
fi
