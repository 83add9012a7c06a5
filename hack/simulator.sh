# shellcheck shell=bash
# Start the local API simulator (tests/simulator/server.py) for one script and stop it when the
# script exits: sourced by hack/demo.sh and hack/integration.sh.
#
#   sim_start LABEL PYTHON [server flags...]
#
# starts it on a free loopback port, waits (up to 30 s) for its `listening on URL` line and sets
# sim_url. On exit the simulator is stopped (SIGTERM, then SIGKILL after 5 s), its last output is
# shown when the script failed, and its scratch directory is removed. LABEL prefixes messages.

sim_label=simulator
sim_workdir=""
sim_log=""
sim_pid=""
sim_url=""

sim_fail() { echo "$sim_label: $*" >&2; exit 1; }

sim_cleanup() {
    local rc=$?
    if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$sim_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
        echo "$sim_label: simulator stopped"
    fi
    if [ "$rc" -ne 0 ] && [ -s "$sim_log" ]; then
        echo "$sim_label: last simulator output:" >&2
        tail -n 20 "$sim_log" >&2
    fi
    [ -z "$sim_workdir" ] || rm -rf "$sim_workdir"
    exit "$rc"
}

sim_start() {
    sim_label="$1"
    local python="$2"
    shift 2
    sim_workdir="$(mktemp -d "${TMPDIR:-/tmp}/hpcops-$sim_label.XXXXXX")"
    sim_log="$sim_workdir/simulator.log"
    trap sim_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # Made here, not by the background job's redirection: that may not have happened yet when
    # the loop below first reads the log, and a failed read ends the script (set -e, pipefail).
    : >"$sim_log"
    "$python" -u tests/simulator/server.py --host 127.0.0.1 --port 0 "$@" </dev/null >"$sim_log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 1 300); do   # up to 30 s
        sim_url="$(sed -n 's/.*listening on \([^[:space:]]*\).*/\1/p' "$sim_log" | head -n 1)"
        [ -n "$sim_url" ] && return 0
        kill -0 "$sim_pid" 2>/dev/null || sim_fail "simulator exited before it was ready"
        sleep 0.1
    done
    sim_fail "simulator did not print 'listening on URL' within 30 s"
}
