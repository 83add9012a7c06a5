#!/usr/bin/env bash
# Make sure headless Chromium (Debian's `chromium` package) is there for the documentation
# site's browser test (tests/integration/test_publish.py). Installs it with apt-get when it
# is missing and this runs as root; otherwise says what to install. Never fails by itself:
# the browser test fails under CI=true (and skips elsewhere) when Chromium is missing.
# Prints the path of the browser when there is one.
set -uo pipefail

browser="${CHROMIUM:-chromium}"
if path="$(command -v "$browser")"; then
    echo "$path"
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "install_chromium.sh: installing Debian's chromium package with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2; then
        command -v "$browser" && exit 0
    fi
    echo "install_chromium.sh: apt-get could not install chromium" >&2
else
    echo "install_chromium.sh: $browser not found; install Debian's chromium package" \
         "(as root: apt-get install chromium) or set CHROMIUM=/path/to/chromium" >&2
fi
exit 0
