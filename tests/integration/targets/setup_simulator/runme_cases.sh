# shellcheck shell=bash
# Checks of a run's output for the role targets that run many cases in one playbook, one
# inventory host per case (sourced after runme_lib.sh, which keeps each run's output).
# output_dir is runme_lib.sh's.
# shellcheck disable=SC2154

# host_messages NAME: one line "HOST<tab>STATUS<tab>MESSAGE" per debug message (a string) that
# run NAME printed; STATUS is ok or changed, MESSAGE as printed (JSON-escaped).
host_messages() {
    awk '
        /^(ok|changed): \[[^]]+\] => \{$/ {
            match($0, /\[[^]]+\]/)
            host = substr($0, RSTART + 1, RLENGTH - 2)
            status = substr($0, 1, index($0, ":") - 1)
            pending = 1
            next
        }
        pending && /^    "msg": ".*"$/ {
            text = $0
            sub(/^    "msg": "/, "", text)
            sub(/"$/, "", text)
            print host "\t" status "\t" text
        }
        { pending = 0 }
    ' "$output_dir/$1.out"
}

# expect_msg NAME HOST TEXT [STATUS]: host HOST printed a message starting with TEXT (from a
# task that was STATUS: ok or changed, when given).
expect_msg() {
    if ! host_messages "$1" | want_host="$2" want_text="$3" want_status="${4:-}" awk -F '\t' '
            $1 == ENVIRON["want_host"] && (ENVIRON["want_status"] == "" || $2 == ENVIRON["want_status"]) \
                && index($3, ENVIRON["want_text"]) == 1 { found = 1 }
            END { exit !found }'; then
        echo "expected from $2 a ${4:-} message starting with: $3" >&2
        exit 1
    fi
}

# expect_announced NAME COUNT: the playbook announced COUNT messages "expected role message: TEXT"
# (messages it works out from the simulator's state, such as node IDs), and each host printed
# the TEXT it announced, exactly, itself too.
expect_announced() {
    if ! host_messages "$1" | want_count="$2" awk -F '\t' '
            BEGIN { prefix = "expected role message: " }
            index($3, prefix) == 1 { want[$1 "\t" substr($3, length(prefix) + 1)] = 1; count++; next }
            { seen[$1 "\t" $3] = 1 }
            END {
                for (key in want) if (!(key in seen)) { print "not printed: " key > "/dev/stderr"; bad = 1 }
                if (count != ENVIRON["want_count"]) { print "announced " count + 0 " messages" > "/dev/stderr"; bad = 1 }
                exit bad
            }'; then
        echo "expected the role messages the playbook announced" >&2
        exit 1
    fi
}

# expect_recap NAME HOST FIELD...: the play recap's line of HOST has each FIELD (e.g. changed=1).
expect_recap() {
    local name="$1" host="$2" field line
    shift 2
    line="$(grep -E "^$host +: " "$output_dir/$name.out" || true)"
    for field in "$@"; do
        if ! grep -E "[[:space:]]$field([[:space:]]|$)" <<<"$line" >/dev/null; then
            echo "expected $field in the recap of $host: $line" >&2
            exit 1
        fi
    done
}
