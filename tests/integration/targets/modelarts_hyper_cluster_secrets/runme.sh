#!/usr/bin/env bash
# modelarts_hyper_cluster as a read-only IAM user: playbook.yml asserts the result, the calls and
# the world; this script asserts that the run's -vvv output holds neither the IAM password nor
# the IAM token. A script target and not a task target because only a script sees the output.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

# expect_not_in NAME TEXT: the output of run NAME has no TEXT anywhere (output_dir: runme_lib.sh).
# shellcheck disable=SC2154
expect_not_in() {
    if grep -F -- "$2" "$output_dir/$1.out" >/dev/null; then
        echo "expected nowhere in the output: $2" >&2
        exit 1
    fi
}

run_playbook iam playbook.yml -vvv
expect_in iam "permission denied"
expect_not_in iam "viewer-password"
# The simulator's IAM tokens start with MIIsim.
expect_not_in iam "MIIsim"
