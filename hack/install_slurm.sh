#!/usr/bin/env bash
# Slurm and MUNGE for the real-Slurm tests (tests/integration/test_slurm_node.py): the fixture
# in tests/integration/slurm_cluster.py starts munged, slurmctld and slurmd from these packages.
# Installs Debian's slurm-wlm and munge with apt-get when a daemon is missing and this runs as
# root; otherwise prints what to install and exits non-zero (the Slurm tests then skip, and
# fail under CI=true). Prints nothing on success.
set -euo pipefail
# The daemons live in /usr/sbin, which a non-root PATH often lacks.
PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"

missing=()
for command in slurmctld slurmd munged; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

packages=(slurm-wlm munge)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
        exit 0
    fi
    echo "install_slurm.sh: apt-get could not install ${packages[*]}" >&2
    exit 1
fi
echo "install_slurm.sh: ${missing[*]} not found; install Slurm and MUNGE" \
     "(Debian/Ubuntu, as root: apt-get install --no-install-recommends ${packages[*]})" >&2
exit 1
