from __future__ import annotations

# Start/stop helpers: run server.py as a subprocess on a free port and drive its /_sim/
# control API with urllib.

import contextlib
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

from .world import (EHPC_CLUSTER_ID, HW_ACCESS_KEY, HW_DOMAIN, HW_PROJECT_ID, HW_REGION, HW_SECRET_KEY, QY_ACCESS_KEY,
                    QY_SECRET_KEY, QY_ZONE)

SERVER = Path(__file__).resolve().with_name("server.py")
BANNER = "listening on "
STARTUP_TIMEOUT = 20.0


class SimulatorError(RuntimeError):
    pass


def make_self_signed_cert(directory: str) -> tuple[str, str]:
    """A throw-away certificate for 127.0.0.1/localhost, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SimulatorError("TLS mode needs the openssl command")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=30)
    return cert, key


class Simulator:
    """A running simulator: its URL and its control API."""

    def __init__(self, url: str, process: subprocess.Popen[bytes], cafile: str | None, stderr_path: str) -> None:
        self.url = url
        self.process = process
        self.cafile = cafile
        self.stderr_path = stderr_path
        self.ssl_context = ssl.create_default_context(cafile=cafile) if cafile else None

    # --- plumbing ----------------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.ssl_context) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise SimulatorError(f"{method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}") from exc
        return json.loads(payload) if payload else None

    # --- control API -------------------------------------------------------------------------

    def calls(self) -> list[dict[str, Any]]:
        return self.control("GET", "/_sim/calls")

    def writes(self) -> list[dict[str, Any]]:
        return [call for call in self.calls() if call["write"]]

    def clear_calls(self) -> None:
        self.control("DELETE", "/_sim/calls")

    def reset(self) -> None:
        self.control("POST", "/_sim/reset")

    def fault(self, **spec: Any) -> list[dict[str, Any]]:
        return self.faults([spec])

    def faults(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.control("POST", "/_sim/faults", specs)["added"]

    def pending_faults(self) -> list[dict[str, Any]]:
        return self.control("GET", "/_sim/faults")

    def clear_faults(self) -> None:
        self.control("DELETE", "/_sim/faults")

    def config(self, **changes: Any) -> dict[str, Any]:
        """Change runtime config (job_seconds, delete_job_key, clock_offset_seconds, ehpc_delete_ids_key,
        ehpc_restart_route, job_list_status_param, cce_page_size, latency_seconds); with no argument just read it."""
        if changes:
            return self.control("POST", "/_sim/config", changes)
        return self.control("GET", "/_sim/config")

    def state(self) -> dict[str, Any]:
        return self.control("GET", "/_sim/state")

    def world(self, **counts: int) -> dict[str, Any]:
        """Rebuild the default world with other sizes: ehpc_compute_nodes, ehpc_login_nodes, cce_nodes."""
        return self.control("POST", "/_sim/world", counts)

    def start_hpc_job(self, nodes: list[str], *, cluster_id: str = EHPC_CLUSTER_ID, job_name: str = "sim",
                      seconds: float | None = None) -> int:
        body: dict[str, Any] = {"cluster_id": cluster_id, "nodes": nodes, "job_name": job_name}
        if seconds is not None:
            body["seconds"] = seconds
        return int(self.control("POST", "/_sim/hpc_jobs", body)["job_id"])

    def start_unplaced_hpc_job(self, job_node_list: str, *, cluster_id: str = EHPC_CLUSTER_ID,
                               job_name: str = "sim") -> int:
        """A running job whose job/list entry shows ``job_node_list`` as given (e.g. "" or "ghost[1-2]")."""
        body = {"cluster_id": cluster_id, "job_name": job_name, "job_node_list": job_node_list}
        return int(self.control("POST", "/_sim/hpc_jobs", body)["job_id"])

    def queue_hpc_job(self, *, cluster_id: str = EHPC_CLUSTER_ID, job_name: str = "sim") -> int:
        """A job that waits in the queue (pending, no nodes yet) until finish_hpc_job."""
        body = {"cluster_id": cluster_id, "job_name": job_name, "job_status": "pending"}
        return int(self.control("POST", "/_sim/hpc_jobs", body)["job_id"])

    def finish_hpc_job(self, job_id: int) -> None:
        self.control("POST", f"/_sim/hpc_jobs/{job_id}/finish", {})

    def node_pool(self, name: str, **settings: Any) -> dict[str, Any]:
        """Add a CCE node pool (default cluster cce-pools): nodes, autoscaling {min, max}, capacity,
        sold_out {reason, message}, billing_mode; returns its uid and name."""
        return self.control("POST", "/_sim/cce/node_pools", dict(settings, name=name))

    def set_node_pool(self, pool: str, **settings: Any) -> dict[str, Any]:
        """Change a node pool (uid or name): autoscaling, capacity, sold_out (null to clear), billing_mode."""
        return self.control("POST", f"/_sim/cce/node_pools/{pool}", settings)

    def env(self) -> dict[str, str]:
        """Environment variables (the names in docs/credentials.md) pointing a client at this simulator."""
        return {
            "QINGCLOUD_ACCESS_KEY_ID": QY_ACCESS_KEY,
            "QINGCLOUD_SECRET_ACCESS_KEY": QY_SECRET_KEY,
            "QINGCLOUD_ZONE": QY_ZONE,
            "QINGCLOUD_EHPC_ENDPOINT": self.url,
            "HW_REGION_NAME": HW_REGION,
            "HW_PROJECT_ID": HW_PROJECT_ID,
            "HW_ACCESS_KEY": HW_ACCESS_KEY,
            "HW_SECRET_KEY": HW_SECRET_KEY,
            "HW_DOMAIN_NAME": HW_DOMAIN,
            "HW_IAM_ENDPOINT": self.url,
            "HW_CCE_ENDPOINT": self.url,
            "HW_MODELARTS_ENDPOINT": self.url,
        }

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait, and return the exit status (killing it if it hangs)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    # Keeps draining stdout after the banner so the child can never block on a full pipe.
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
    lines.put(None)


@contextlib.contextmanager
def running_simulator(job_seconds: float = 0.2, tls: bool = False, extra_args: tuple[str, ...] | list[str] = (),
                      startup_timeout: float = STARTUP_TIMEOUT) -> Iterator[Simulator]:
    with tempfile.TemporaryDirectory(prefix="hpcops-sim-") as tmp:
        args = [sys.executable, str(SERVER), "--host", "127.0.0.1", "--port", "0", "--job-seconds", str(job_seconds)]
        cafile = None
        if tls:
            cafile, key = make_self_signed_cert(tmp)
            args += ["--tls-cert", cafile, "--tls-key", key]
        args += list(extra_args)
        stderr_path = os.path.join(tmp, "stderr.log")
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr)
        lines: queue.Queue[str | None] = queue.Queue()
        pump = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
        pump.start()
        sim: Simulator | None = None
        try:
            deadline = time.monotonic() + startup_timeout
            while sim is None:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty as exc:
                    raise SimulatorError(f"simulator did not start within {startup_timeout} s") from exc
                if line is None:
                    process.wait()
                    with open(stderr_path, encoding="utf-8", errors="replace") as handle:
                        raise SimulatorError(f"simulator exited with {process.returncode}: {handle.read()}")
                if line.startswith(BANNER):
                    sim = Simulator(line[len(BANNER):].strip(), process, cafile, stderr_path)
            yield sim
        finally:
            if sim is not None:
                sim.stop()
            elif process.poll() is None:
                process.kill()
                process.wait()
            pump.join(timeout=5)
            if process.stdout is not None and not pump.is_alive():
                process.stdout.close()
