"""Make ``ansible-test --venv`` work on machines that cannot reach ansible's CI file host.

``ansible-test ... --venv`` bootstraps pip into every virtual environment it
creates by running a ``get-pip.py`` script that it downloads from
``ci-files.testing.ansible.com`` and caches as
``~/.ansible/test/cache/get_pip_<pip version with _>.py``.  When that host is
unreachable the run fails with "... does not have pip available".

This script fills that cache entry before ansible-test needs it:

* a real cached get-pip is used as it is (nothing is downloaded);
* otherwise (no file, or this script's stand-in from an earlier offline run) it
  downloads the real script from the URL ansible-test uses, with a short timeout,
  and caches it when the answer is Python source;
* only when that download fails does it write (or keep) a small stand-in, which

  - runs ``python -m ensurepip`` (the pip bundled with CPython, no network),
  - drops the get-pip-only options ``--no-setuptools`` / ``--no-wheel``,
  - runs ``python -m pip install <remaining options and packages>`` (this
    upgrades pip to the version ansible-test asks for, from the package index),
    adding ``--cert <system CA bundle>`` when a system CA bundle exists.

The pip version and the download URL are read from the installed ansible-test
(``ansible_test/_internal/python_requirements.py`` and
``ansible_test/_util/target/setup/requirements.py``).

Usage: ``python hack/ansible_test_bootstrap.py [--python-version 3.11] [--cache-dir DIR]
[--timeout SECONDS] [--url URL]`` (run it with the interpreter of the venv that holds
ansible-core).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import types
import urllib.request

DEFAULT_PIP_VERSION = '24.2'  # what ansible-core 2.19 uses; only a fallback
DEFAULT_URL = 'https://ci-files.testing.ansible.com/ansible-test/get-pip-%s.py'  # ansible-core 2.19's; only a fallback
DEFAULT_TIMEOUT = 10.0
STAND_IN_MARKER = 'Offline stand-in for get-pip.py, written by hpcops.clusters'
CA_BUNDLES = (
    '/etc/ssl/certs/ca-certificates.crt',  # Debian / Ubuntu
    '/etc/pki/tls/certs/ca-bundle.crt',  # Fedora / RHEL
    '/etc/ssl/cert.pem',  # Alpine / macOS
)

STAND_IN = '''\
"""Offline stand-in for get-pip.py, written by hpcops.clusters hack/ansible_test_bootstrap.py.

ansible-test runs it as: python get_pip.py <pip options> pip==<version> --no-setuptools --no-wheel
Delete this file to let ansible-test download the real get-pip.py again.
"""
import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")
CA_BUNDLES = {ca_bundles!r}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    command = [sys.executable, "-m", "pip", "install"] + args
    for bundle in CA_BUNDLES:
        if os.path.isfile(bundle):
            command += ["--cert", bundle]
            break
    sys.exit(subprocess.call(command))


if __name__ == "__main__":
    main()
'''


def pip_version_from_ansible_test(python_version: str) -> str:
    """Return the pip version the installed ansible-test bootstraps into its venvs."""
    try:
        from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel

        return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']
    except Exception:  # pylint: disable=broad-except
        pass

    try:
        import ansible_test  # pylint: disable=import-outside-toplevel

        path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
        with open(path, encoding='utf-8') as source:
            match = re.search(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", source.read())
        if match:
            return match.group(1)
    except (ImportError, OSError):
        pass

    print(f'ansible_test_bootstrap: cannot read the pip version from ansible-test; assuming {DEFAULT_PIP_VERSION}',
          file=sys.stderr)
    return DEFAULT_PIP_VERSION


def url_template_from_ansible_test() -> str:
    """The get-pip URL (with ``%s`` for the pip version) that ansible-test downloads."""
    try:
        import ansible_test  # pylint: disable=import-outside-toplevel

        path = os.path.join(os.path.dirname(ansible_test.__file__), '_util', 'target', 'setup', 'requirements.py')
        with open(path, encoding='utf-8') as source:
            match = re.search(r"""['"](https://[^'"]*get-pip-%s\.py)['"]""", source.read())
        if match:
            return match.group(1)
    except (ImportError, OSError):
        pass
    return DEFAULT_URL


def download(url: str, timeout: float) -> bytes | None:
    """The real get-pip.py, or None (with the reason on stderr) when it can't be had."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            body = answer.read()
        # A proxy's or captive portal's HTML page must not be cached as the script.
        compile(body, url, 'exec')
    except (OSError, ValueError, SyntaxError) as exc:
        print(f'ansible_test_bootstrap: cannot download {url}: {exc}', file=sys.stderr)
        return None
    return body


def is_stand_in(path: str) -> bool:
    with open(path, encoding='utf-8', errors='replace') as cached:
        return STAND_IN_MARKER in cached.read(4096)


def write_atomically(path: str, data: bytes) -> None:
    temp_path = '%s.%d.tmp' % (path, os.getpid())
    with open(temp_path, 'wb') as target:
        target.write(data)
    os.replace(temp_path, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--python-version', default='%d.%d' % sys.version_info[:2])
    parser.add_argument('--cache-dir', default=os.path.expanduser('~/.ansible/test/cache'))
    parser.add_argument('--timeout', type=float, default=DEFAULT_TIMEOUT, help='download timeout in seconds')
    parser.add_argument('--url', help='get-pip URL, %%s for the pip version (default: the one ansible-test uses)')
    args = parser.parse_args()

    pip_version = pip_version_from_ansible_test(args.python_version)
    path = os.path.join(args.cache_dir, 'get_pip_%s.py' % pip_version.replace('.', '_'))
    stand_in = os.path.exists(path) and is_stand_in(path)

    if os.path.exists(path) and not stand_in:
        print(f'ansible_test_bootstrap: using cached {path}')
        return 0

    os.makedirs(args.cache_dir, exist_ok=True)
    url_template = args.url or url_template_from_ansible_test()
    url = url_template % pip_version if '%s' in url_template else url_template
    real = download(url, args.timeout)
    if real is not None:
        write_atomically(path, real)
        print(f'ansible_test_bootstrap: downloaded get-pip for pip {pip_version}: {path}')
        return 0
    if stand_in:
        print(f'ansible_test_bootstrap: download failed; keeping the offline stand-in {path}')
        return 0
    write_atomically(path, STAND_IN.format(ca_bundles=CA_BUNDLES).encode('utf-8'))
    print(f'ansible_test_bootstrap: download failed; wrote an offline get-pip stand-in for pip {pip_version}: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
