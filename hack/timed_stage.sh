#!/usr/bin/env bash
# Run one stage of `make test` and append "<stage> <seconds>" to .tmp/stage-times.txt;
# pytest prints the stages' times just before its own summary line (tests/conftest.py).
#   hack/timed_stage.sh NAME COMMAND [ARGS...]
set -uo pipefail
name="$1"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/.tmp"
start=$(date +%s)
"$@"
rc=$?
echo "$name $(( $(date +%s) - start ))" >> "$root/.tmp/stage-times.txt"
exit "$rc"
