"""Make ``ansible-test --venv`` work on machines that cannot reach ansible's CI file host.

``ansible-test ... --venv`` bootstraps pip into every virtual environment it
creates by running a ``get-pip.py`` script that it downloads from
``ci-files.testing.ansible.com`` and caches as
``~/.ansible/test/cache/get_pip_<pip version with _>.py``.  When that host is
unreachable the run fails with "... does not have pip available".

This script writes a small stand-in for that cached file, **only when the file
is missing** (a real cached get-pip is never overwritten).  The stand-in:

* runs ``python -m ensurepip`` (the pip bundled with CPython, no network),
* drops the get-pip-only options ``--no-setuptools`` / ``--no-wheel``,
* runs ``python -m pip install <remaining options and packages>`` (this
  upgrades pip to the version ansible-test asks for, from the package index),
  adding ``--cert <system CA bundle>`` when a system CA bundle exists.

The pip version is read from the installed ansible-test (it is a constant in
``ansible_test/_internal/python_requirements.py``).

Usage: ``python hack/ansible_test_bootstrap.py [--python-version 3.11] [--cache-dir DIR]``
(run it with the interpreter of the venv that holds ansible-core).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import types

DEFAULT_PIP_VERSION = '24.2'  # what ansible-core 2.19 uses; only a fallback
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--python-version', default='%d.%d' % sys.version_info[:2])
    parser.add_argument('--cache-dir', default=os.path.expanduser('~/.ansible/test/cache'))
    args = parser.parse_args()

    pip_version = pip_version_from_ansible_test(args.python_version)
    path = os.path.join(args.cache_dir, 'get_pip_%s.py' % pip_version.replace('.', '_'))

    if os.path.exists(path):
        print(f'ansible_test_bootstrap: using existing {path}')
        return 0

    os.makedirs(args.cache_dir, exist_ok=True)
    temp_path = path + '.tmp'
    with open(temp_path, 'w', encoding='utf-8') as stand_in:
        stand_in.write(STAND_IN.format(ca_bundles=CA_BUNDLES))
    os.replace(temp_path, path)
    print(f'ansible_test_bootstrap: wrote get-pip stand-in for pip {pip_version}: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
