# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud EHPC API client (private to hpcops.clusters).

Calls: deleteNodes, restartNodes (or the seed page's ``resatrtNodes``), addNodes, listNodes,
operation (job status) and job/list, as the EHPC API reference and QingCloud's EHPC SDK
(PyPI ``qingcloud-hpc``) make them (docs/api-decisions.md).
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import answer_shapes, paging, waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud import answer_shapes as qingcloud_shapes
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud import hpc_jobs
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud import signer as qingcloud_signer
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.api_limits import MAX_NODES_PER_ADD
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import HttpRequest, json_body

DEFAULT_ENDPOINT = "https://hpc-api.qingcloud.com"
PAGE_SIZE = 100  # listNodes, job/list and operation cap ``limit`` at 100

# The restart route: ``restartNodes`` in the SDK (sdk_api/hpc.py) and the later doc page
# restartnodes.md, ``resatrtNodes`` in the seed's page; the second is tried only when the
# first answers HTTP 404 (docs/api-decisions.md, "Where the sources disagree").
RESTART_PATHS = ("/cluster/restartNodes", "/cluster/resatrtNodes")

# ret_codes from the EHPC error code page. 5100 (busy) and 5300 (updating) are refusals:
# nothing was done, so even a write may be re-sent. 5000 (internal error) may come after
# the work started. 2500 (quota) is not retried: the API call quota is per day.
REFUSED_CODES = frozenset((5100, 5300))
AMBIGUOUS_CODES = frozenset((5000,))
ERROR_NAMES = {
    1100: "bad parameters",
    1200: "authentication failed (check access_key_id and secret_access_key)",
    1300: "request expired (check this machine's clock)",
    1400: "permission denied or resource in a state that cannot change",
    2100: "resource not found",
    2500: "quota exceeded: the daily API call quota (or a resource quota) is used up, not retried",
    5000: "internal error",
    5100: "server busy",
    5300: "service updating",
}


def ehpc_error(response):
    body = json_body(response)
    if not isinstance(body, dict):
        return None  # a >= 400 is the transport's HTTP error; a 2xx fails the shape check
    ret_code = body.get("ret_code")
    if ret_code == 0 and not isinstance(ret_code, bool):
        return None
    if ret_code is None:
        return None  # no ret_code at all: the shape check names it
    try:
        ret_code = int(ret_code)
    except (TypeError, ValueError):
        pass
    name = ERROR_NAMES.get(ret_code)
    message = body.get("message") or name or "EHPC error"
    if name and body.get("message"):
        message = "%s: %s" % (name, body["message"])
    return ApiError(message, code=ret_code, retryable=ret_code in REFUSED_CODES | AMBIGUOUS_CODES,
                    ambiguous=ret_code in AMBIGUOUS_CODES)


class EhpcClient:
    def __init__(self, transport, access_key_id: str, secret_access_key: str, zone: str,
                 endpoint: str | None = None):
        self.transport = transport
        self.access_key_id = access_key_id
        self._secret_access_key = secret_access_key
        self.zone = zone
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        # The restart route that answered, kept for the rest of the task (RESTART_PATHS).
        self._restart_path = None

    def call(self, method: str, path: str, params: dict | None = None, safe_to_repeat: bool = False) -> dict:
        """One signed call; POST parameters travel as the JSON body, GET ones in the query.

        ``zone`` goes with the action parameters, in the query of a GET and in the body of a
        POST, as the SDK (sdk_api/hpc.py) sends it.
        """
        path = "/api" + path
        params = dict(params or {}, zone=self.zone)
        if method == "POST":
            body = qingcloud_signer.body_bytes(params)
            query_params = {}
        else:
            body = b""
            query_params = params

        def build():
            query = qingcloud_signer.signed_query(method, path, query_params, body, self.access_key_id,
                                                  self._secret_access_key)
            headers = {"Content-Type": "application/json"} if method == "POST" else {}
            return HttpRequest(method, "%s%s?%s" % (self.endpoint, path, query), headers, body or None)

        response = self.transport.send(build, check=ehpc_error, safe_to_repeat=safe_to_repeat)
        call = _call_name(path)
        answer = json_body(response)
        if isinstance(answer, dict) and answer.get("ret_code") is None:
            raise answer_shapes.unexpected_answer(self.endpoint, call, "no `ret_code`")
        return qingcloud_shapes.checked(answer, call, self.endpoint)

    def _pages(self, path: str, params: dict, key: str, ident: str) -> list:
        # The first page tells total_count; the rest are read a few at a time, and a list
        # that is short or changes under the read fails (module_utils/paging.py).
        def fetch(offset, limit):
            page = self.call("GET", path, dict(params, limit=limit, offset=offset), safe_to_repeat=True)
            return page[key], page["total_count"]

        return paging.offset_pages(fetch, PAGE_SIZE, "%s at %s" % (_call_name("/api" + path), self.endpoint),
                                   key=lambda item: item.get(ident) if isinstance(item, dict) else None)

    def list_nodes(self, cluster_id: str) -> list:
        return self._pages("/cluster/listNodes", {"cluster_id": cluster_id, "verbose": 1}, "hpc_app_nodes_set",
                           "node_id")

    def list_hpc_jobs(self, cluster_id: str, status: str = "running") -> list:
        """The cluster's HPC jobs in ``status``, each entry shape-checked.

        The docs name the filter ``jobs_status``, QingCloud's SDK ``job_status``: both are
        sent, and the answer is filtered again on each job's own ``job_status``, since a
        server may ignore the name it doesn't know (docs/api-decisions.md, "HPC job list").
        """
        jobs = self._pages("/job/list", {"cluster_id": cluster_id, "job_status": status, "jobs_status": status},
                           "hpc_job_set", "job_id")
        return hpc_jobs.jobs_in_status(jobs, status, self.endpoint)

    def add_nodes(self, cluster_id: str, role: str, count: int, node_name: str | None = None,
                  private_ips: list | None = None, resource_conf: str | None = None) -> str:
        if not 1 <= count <= MAX_NODES_PER_ADD:
            raise ApiError("addNodes takes 1 to %d nodes, not %d" % (MAX_NODES_PER_ADD, count))
        params = {"cluster_id": cluster_id, "node_role": role, "node_count": str(count)}
        for key, value in (("node_name", node_name), ("private_ips", private_ips), ("resource_conf", resource_conf)):
            if value:
                params[key] = value
        return self._job_id(self.call("POST", "/cluster/addNodes", params))

    def delete_nodes(self, cluster_id: str, node_ids: list) -> list:
        # The ids go under both names: the seed's table says ``node_list``, the SDK (a
        # required field) and the later page's example ``node_ids`` (docs/api-decisions.md).
        answer = self.call("POST", "/cluster/deleteNodes",
                           {"cluster_id": cluster_id, "node_ids": list(node_ids), "node_list": list(node_ids)})
        # The API page's table names the key ``job_ids`` and its example ``job_id``.
        job_ids = _as_list(answer.get("job_ids") or answer.get("job_id"))
        if not job_ids:
            raise answer_shapes.unexpected_answer(self.endpoint, "EHPC deleteNodes", "no `job_ids` or `job_id`")
        return job_ids

    def restart_nodes(self, cluster_id: str, node_ids: list) -> str:
        params = {"cluster_id": cluster_id, "node_ids": list(node_ids)}
        if self._restart_path is not None:
            return self._job_id(self.call("POST", self._restart_path, params))
        first, seed = RESTART_PATHS
        try:
            answer = self.call("POST", first, params)
        except ApiError as err:
            # An HTTP 404 is a route the server does not have: nothing was done, so the
            # seed page's spelling is tried, once.
            if err.status != 404:
                raise
            try:
                answer = self.call("POST", seed, params)
            except ApiError as seed_err:
                if seed_err.status == 404:
                    seed_err.message = "neither /api%s nor /api%s exists here (HTTP 404 for both): %s" % (
                        first, seed, seed_err.message)
                raise
            self._restart_path = seed
        else:
            self._restart_path = first
        return self._job_id(answer)

    def job_statuses(self, job_ids: list) -> dict:
        """The jobs' records by id, asked for ``PAGE_SIZE`` at a time.

        ``limit`` defaults to 10 on /api/operation (its doc page; the SDK sends it only when
        given), so each call asks for as many jobs as it names.
        """
        found = {}
        job_ids = list(dict.fromkeys(job_ids))
        for start in range(0, len(job_ids), PAGE_SIZE):
            batch = job_ids[start:start + PAGE_SIZE]
            answer = self.call("GET", "/operation", {"job_ids": ",".join(batch), "limit": len(batch)},
                               safe_to_repeat=True)
            for job in answer["job_set"]:
                found[job["job_id"]] = job
        return found

    def wait_for_jobs(self, job_ids: list, timeout: float | waiters.Deadline, sleep=None) -> dict:
        """Wait until every job is ``successful``; WaitError names a failed, vanished or late job."""
        pending = list(job_ids)
        last = {}
        missing_polls = {}

        def check():
            answer = self.job_statuses(pending)
            for job_id in list(pending):
                job = answer.get(job_id)
                if job is None:
                    missing_polls[job_id] = missing_polls.get(job_id, 0) + 1
                    if missing_polls[job_id] >= waiters.VANISHED_AFTER_MISSES:
                        raise WaitError("EHPC job %s is unknown to the API (vanished)" % job_id,
                                        job_id=job_id, status="missing")
                    continue
                missing_polls[job_id] = 0
                last[job_id] = job
                status = job.get("status")
                if status == "failed":
                    raise WaitError("EHPC job %s failed%s" % (
                        job_id, " (error codes: %s)" % job["error_codes"] if job.get("error_codes") else ""),
                        job_id=job_id, status=status)
                if status == "successful":
                    pending.remove(job_id)
            return not pending, last

        def describe(_value):
            job_id = pending[0] if pending else None
            status = last.get(job_id, {}).get("status", "unknown")
            return job_id, status, "EHPC job %s (status %s)" % (", ".join(pending), status)

        kwargs = {"sleep": sleep} if sleep else {}
        return waiters.poll(check, timeout, describe, **kwargs)

    @staticmethod
    def _job_id(answer: dict) -> str:
        return answer["job_id"]  # present and a string: checked with the answer's shape


def _call_name(path: str) -> str:
    """``/api/cluster/listNodes`` -> ``EHPC listNodes``; ``/job/list`` -> ``EHPC job/list``."""
    name = path[len("/api"):] if path.startswith("/api/") else path
    if name.startswith("/cluster/"):
        name = name[len("/cluster"):]
    return "EHPC " + name.lstrip("/")


def _as_list(value) -> list:
    if not value:
        return []
    if isinstance(value, list):
        return value
    return [part for part in str(value).replace(",", " ").split() if part]
