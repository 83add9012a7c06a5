"""hack/ansible_test_bootstrap.py caches the real get-pip.py when it can be downloaded, and
writes its offline stand-in only when the download fails."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "hack", "ansible_test_bootstrap.py")
REAL_GET_PIP = b"#!/usr/bin/env python\n# the real get-pip.py, as far as these tests go\nprint('get-pip')\n"
MARKER = b"Offline stand-in for get-pip.py"


class Host:
    """A local stand-in for ansible's file host: answers every GET with one status and body."""

    def __init__(self) -> None:
        self.status = 200
        self.body = REAL_GET_PIP
        self.requests: list = []
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # pylint: disable=invalid-name
                host.requests.append(self.path)
                self.send_response(host.status)
                self.send_header("Content-Length", str(len(host.body)))
                self.end_headers()
                self.wfile.write(host.body)

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/get-pip-%%s.py" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host():
    server = Host()
    yield server
    server.close()


def bootstrap(cache_dir, url: str) -> str:
    proc = subprocess.run([sys.executable, SCRIPT, "--cache-dir", str(cache_dir), "--url", url, "--timeout", "10"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def cached(cache_dir) -> bytes:
    files = sorted(p for p in os.listdir(cache_dir) if p.startswith("get_pip_") and p.endswith(".py"))
    assert len(files) == 1, files
    assert not [p for p in os.listdir(cache_dir) if p.endswith(".tmp")]
    with open(os.path.join(cache_dir, files[0]), "rb") as handle:
        return handle.read()


def test_the_real_script_is_cached_when_the_download_works(host, tmp_path):
    output = bootstrap(tmp_path, host.url)
    assert cached(tmp_path) == REAL_GET_PIP
    assert "downloaded" in output
    assert len(host.requests) == 1 and host.requests[0].startswith("/get-pip-")


@pytest.mark.parametrize("status, body", [(404, b"not found"), (200, b"<html><body>proxy login</body></html>")])
def test_the_stand_in_is_written_only_when_the_download_fails(host, tmp_path, status, body):
    host.status, host.body = status, body
    output = bootstrap(tmp_path, host.url)
    stand_in = cached(tmp_path)
    assert MARKER in stand_in
    compile(stand_in, "get_pip.py", "exec")
    assert "download failed" in output and "wrote" in output


def test_a_stand_in_from_an_offline_run_gives_way_to_the_real_script(host, tmp_path):
    host.status = 503
    bootstrap(tmp_path, host.url)
    assert MARKER in cached(tmp_path)
    host.status = 200
    bootstrap(tmp_path, host.url)
    assert cached(tmp_path) == REAL_GET_PIP


def test_a_cached_real_script_is_used_without_a_download(host, tmp_path):
    bootstrap(tmp_path, host.url)
    host.body = b"print('a newer script')\n"
    output = bootstrap(tmp_path, host.url)
    assert cached(tmp_path) == REAL_GET_PIP
    assert len(host.requests) == 1
    assert "using cached" in output
