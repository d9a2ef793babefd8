#!/usr/bin/env bash
# Bounce classification accuracy (issue 12): runs Herald's FeedbackParser over a labelled corpus (default
# ../shared/corpora/bounces: a maildir of real bounces, complaints and auto-replies and expected.json) and prints class
# and reason accuracy, overall and per class, and the confusion between classes. Herald's `block` counts as the
# corpus's `soft` (docs/bounce-classification.md). No network, no database: one JVM, a few seconds.
# Usage: bench/bounces.sh [corpus-dir] [--mistakes | --groups]
#   --mistakes lists every recipient that was got wrong;
#   --groups prints the leave-one-group-out table (BounceGroups): per source (reporting MTA or provider), the accuracy
#   with every phrase and without the phrases only that source's bounces match, i.e. on phrasing no rule was written for.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
herald_find_jdk
CORPUS=${1:-../shared/corpora/bounces}
CP_FILE=$(mktemp /tmp/herald-bounces-cp.XXXXXX)
trap 'rm -f "$CP_FILE"' EXIT
# Maven's own JVM warnings go to stderr; show its output only when it fails.
if ! out=$(mvn -q -B -ntp test-compile 2>&1); then echo "$out" >&2; exit 1; fi
if ! out=$(mvn -q -B -ntp dependency:build-classpath -Dmdep.outputFile="$CP_FILE" 2>&1); then echo "$out" >&2; exit 1; fi
echo "== corpus $CORPUS ($(ls "$CORPUS/maildir" | wc -l) messages); load: $(uptime | sed 's/.*load average: //')"
java -cp "target/classes:target/test-classes:$(cat "$CP_FILE")" dev.herald.feedback.BounceCorpus "$CORPUS" "${2:-}"
