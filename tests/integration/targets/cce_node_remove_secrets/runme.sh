#!/usr/bin/env bash
# cce_node_remove's secrets against the simulator, checked in the whole output of a -vvv run
# (every task's result and invocation): a login password never shows, and the key pair name,
# no secret, is shown as given and masks nothing. A script target because only the output of
# ansible-playbook itself shows what -vvv prints; playbook.yml asserts the results.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

# The password playbook.yml gives; distinctive, so a match can only be a leak of it. The $ are
# part of it (a crypt-style salt), not expansions.
# shellcheck disable=SC2016
password='Salted$6$zqxHW-NeverShowMe-7731'

run_playbook secrets playbook.yml -vvv

# expect_not_in TEXT: the run's output lacks TEXT (output_dir: runme_lib.sh's, where
# run_playbook keeps each run's output).
# shellcheck disable=SC2154
expect_not_in() {
    if grep -F -- "$1" "$output_dir/secrets.out" >/dev/null; then
        echo "not expected in the output: $1" >&2
        exit 1
    fi
}

# The password login never appears in the verbose output, nor any piece of it.
expect_not_in "$password"
expect_not_in NeverShowMe
# The API's answer echoes the login spec (password masked): it is not returned at all.
expect_not_in userPassword
# The key pair name is no secret: the invocation shows it as given, and no word is blanked.
expect_in secrets '"ssh_key": "default"'
expect_not_in 'cce-********-node'
