# shellcheck shell=bash
# Shared by the role targets' runme.sh (sourced; alias needs/target/setup_simulator).
# ansible-test runs runme.sh in the target's directory with INVENTORY_PATH set; the simulator's
# URL and credentials are in tests/integration/integration_config.yml (hack/integration.sh).
integration_config="$(cd ../.. && pwd)/integration_config.yml"
output_dir="$(mktemp -d)"
# The control-API lookup (lookup_plugins/sim_api.py); the task-file targets get it from their
# meta/main.yml dependency on this role.
ANSIBLE_LOOKUP_PLUGINS="$(cd ../setup_simulator && pwd)/lookup_plugins"
export ANSIBLE_LOOKUP_PLUGINS
trap 'rm -rf "$output_dir"' EXIT

# run_playbook NAME PLAYBOOK [ARGS...]: run it, show its output and keep it as NAME.
run_playbook() {
    local name="$1"
    shift
    ansible-playbook -i "$INVENTORY_PATH" -e "@$integration_config" "$@" 2>&1 | tee "$output_dir/$name.out"
}

# expect_line NAME TEXT: the output of run NAME has a debug message starting with TEXT.
expect_line() {
    if ! grep -F -- "\"msg\": \"$2" "$output_dir/$1.out" >/dev/null; then
        echo "expected a message starting with: $2" >&2
        exit 1
    fi
}

# expect_in NAME TEXT: the output of run NAME has TEXT somewhere.
expect_in() {
    if ! grep -F -- "$2" "$output_dir/$1.out" >/dev/null; then
        echo "expected in the output: $2" >&2
        exit 1
    fi
}
