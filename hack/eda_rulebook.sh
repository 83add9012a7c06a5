#!/usr/bin/env bash
# ansible-rulebook for the EDA test (tests/integration/test_ehpc_autoscale_rulebook.py), in its
# own venv .tmp/eda-venv: ansible-rulebook and its dependencies must not move the pins of the
# shared .venv (ansible-core, ansible-lint). Installed from hack/eda-rulebook-requirements.lock
# (exactly that lock, with hashes: hack/venv_install.sh). It needs a Java 17 runtime: installed with apt
# when missing and root, otherwise the command to run is printed. Prints nothing else on success.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.tmp/eda-venv"

if ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    else
        echo "eda: Java 17 is missing; install it: apt-get install openjdk-17-jre-headless" >&2
        exit 1
    fi
fi
bash "$ROOT/hack/venv_install.sh" "$VENV" "$ROOT/hack/eda-rulebook-requirements.lock" --quiet >/dev/null
