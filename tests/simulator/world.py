from __future__ import annotations

# The simulated clouds' state: the default world, JSON persistence, the single lock
# and the asynchronous jobs, which complete lazily when a request observes that their
# `done_at` has passed.

import datetime as dt
import ipaddress
import json
import os
import random
import secrets
import string
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

# --- default credentials and identifiers ------------------------------------------------

QY_ACCESS_KEY = "QYACCESSKEYIDEXAMPLE"
QY_SECRET_KEY = "SECRETACCESSKEY"
QY_ZONE = "jn1a"
EHPC_CLUSTER_ID = "ehpc-8jqdq0mz"

HW_PROJECT_ID = "0123456789abcdef0123456789abcdef"
HW_REGION = "cn-north-4"
HW_ACCESS_KEY = "HWSIMACCESSKEY"
HW_SECRET_KEY = "HWSIMSECRETKEY"
HW_TEMP_ACCESS_KEY = "HWSIMTEMPACCESSKEY"
HW_TEMP_SECRET_KEY = "HWSIMTEMPSECRETKEY"
HW_SECURITY_TOKEN = "HWSIMSECURITYTOKEN"
HW_DOMAIN = "demo"
IAM_USERS: dict[str, dict[str, Any]] = {
    "demo": {"password": "demo-password", "domain": HW_DOMAIN, "read_only": False},
    "viewer": {"password": "viewer-password", "domain": HW_DOMAIN, "read_only": True},
}
CCE_CLUSTER_ID = "cce-demo"
# A second CCE cluster whose nodes all belong to node pools (tests/simulator/cce_pools.py); cce-demo's
# nodes belong to no pool, as a cluster's nodes made before any pool do.
CCE_POOL_CLUSTER_ID = "cce-pools"
CCE_POOL_ANNOTATION = "kubernetes.io/node-pool.id"
HYPER_CLUSTER_HPS = "hc-demo-hps"
HYPER_CLUSTER_ECS = "hc-demo-ecs"

DEFAULT_COUNTS = {"ehpc_login_nodes": 1, "ehpc_compute_nodes": 2, "cce_nodes": 3}
MAX_WORLD_NODES = 20000

# The default world's timestamps start here; nodes made later are stamped with the
# wall clock (never earlier than the newest existing node, so create_time grows).
_WORLD_EPOCH = dt.datetime(2024, 6, 1, 8, 0, 0, tzinfo=dt.timezone.utc).timestamp()
STATE_FORMAT = 3  # 2: hyper clusters shaped as the ModelArts SDK models them; 3: CCE node pools

_ALNUM = string.ascii_lowercase + string.digits


# --- small helpers ------------------------------------------------------------------------

def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cce_time(ts: float) -> str:
    # CCE prints Go's time format, e.g. "2024-06-01 08:00:00.000000 +0000 UTC".
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")


def random_alnum(length: int, rng: random.Random | None = None) -> str:
    if rng is None:
        return "".join(secrets.choice(_ALNUM) for _index in range(length))
    return "".join(rng.choice(_ALNUM) for _index in range(length))


def random_uuid(rng: random.Random | None = None) -> str:
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def nth_ip(base: str, index: int) -> str:
    return str(ipaddress.IPv4Address(base) + index)


def make_ehpc_node(cluster_id: str, node_id: str, instance_id: str, role: str, name: str,
                   private_ip: str, created: float, status: str = "active",
                   transition_status: str = "") -> dict[str, Any]:
    return {
        "node_id": node_id,
        "role": role,
        "status": status,
        "transition_status": transition_status,
        "name": name,
        "private_ip": private_ip,
        "instance_id": instance_id,
        "cluster_id": cluster_id,
        "create_time": iso(created),
    }


def build_state(ehpc_login_nodes: int = 1, ehpc_compute_nodes: int = 2, cce_nodes: int = 3) -> dict[str, Any]:
    """The default world; ids come from a fixed seed so every reset gives the same ids."""
    rng = random.Random(20240601)
    ts = _WORLD_EPOCH
    ehpc_nodes: dict[str, dict[str, Any]] = {}
    roles = [("login", i) for i in range(1, ehpc_login_nodes + 1)]
    roles += [("compute", i) for i in range(1, ehpc_compute_nodes + 1)]
    for index, (role, number) in enumerate(roles):
        node_id = "cln-" + random_alnum(8, rng)
        while node_id in ehpc_nodes:
            node_id = "cln-" + random_alnum(8, rng)
        ehpc_nodes[node_id] = make_ehpc_node(
            EHPC_CLUSTER_ID, node_id, "i-" + random_alnum(8, rng), role, f"{role}{number:02d}",
            nth_ip("192.168.100.10", index), ts)
        ts += 1
    cce: dict[str, dict[str, Any]] = {}
    for index in range(cce_nodes):
        uid = random_uuid(rng)
        cce[uid] = {
            "uid": uid,
            "name": f"{CCE_CLUSTER_ID}-node-{index + 1}",
            "creationTimestamp": cce_time(ts),
            "flavor": "c7.large.2",
            "az": f"{HW_REGION}a",
            "sshKey": "KeyPair-demo",
            "phase": "Active",
            "privateIP": nth_ip("192.168.0.10", index),
            "jobID": None,
        }
        ts += 1
    hyper = {}
    for cluster_id, name, kind, subnet in ((HYPER_CLUSTER_HPS, "demo-hps", "HPS", 1), (HYPER_CLUSTER_ECS, "demo-ecs", "ECS", 2)):
        hyper[cluster_id] = {
            "id": cluster_id,
            "name": name,
            "type": kind,
            "status": "Running",
            # HyperClusterNetworkInfo of huaweicloudsdkmodelarts: a subnet name and whether it is the default.
            "network_info": [
                {"hyper_cluster_subnet_id": f"subnet-demo-000{subnet}", "is_default": True},
                {"hyper_cluster_subnet_id": f"subnet-demo-010{subnet}", "is_default": False},
            ],
            # Kept for the simulator's own use (order of the list, the deletion under way);
            # the API answers neither.
            "created_at": ts,
            "project_id": HW_PROJECT_ID,
        }
        ts += 1
    pool_cluster, ts = build_pool_cluster(rng, ts)
    return {
        "format": STATE_FORMAT,
        "counts": {"ehpc_login_nodes": ehpc_login_nodes, "ehpc_compute_nodes": ehpc_compute_nodes, "cce_nodes": cce_nodes},
        "last_create": ts,
        "ehpc": {
            "zones": [QY_ZONE],
            "clusters": {EHPC_CLUSTER_ID: {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE, "nodes": ehpc_nodes}},
        },
        "hpc_jobs": {},
        "next_hpc_job_id": 19453,
        "cce": {"clusters": {CCE_CLUSTER_ID: {"cluster_id": CCE_CLUSTER_ID, "nodes": cce},
                             CCE_POOL_CLUSTER_ID: pool_cluster}},
        "hyper_clusters": hyper,
        "jobs": {},
        "tokens": {},
    }


def make_cce_node(uid: str, name: str, created: float, private_ip: str, phase: str = "Active",
                  pool: str | None = None, flavor: str = "c7.large.2") -> dict[str, Any]:
    """A CCE node record; ``pool`` is the uid of its node pool (ListNodes shows it as an annotation)."""
    node = {"uid": uid, "name": name, "creationTimestamp": cce_time(created), "flavor": flavor,
            "az": f"{HW_REGION}a", "sshKey": "KeyPair-demo", "phase": phase, "privateIP": private_ip, "jobID": None}
    if pool is not None:
        # Kept for the simulator: the pool, scale-down protection, when a creating node becomes
        # Active and when a deleting one is gone (world.advance).
        node.update(pool=pool, locked=False, ready_at=None, gone_at=None, created_at=created)
    return node


def make_pool(uid: str, name: str, created: float, autoscaling: dict[str, Any] | None = None,
              billing_mode: int = 0) -> dict[str, Any]:
    """A node pool record (NodePool of huaweicloudsdkcce: metadata, spec, status are rendered from it)."""
    return {
        "uid": uid, "name": name, "type": "vm", "flavor": "c7.large.2", "az": f"{HW_REGION}a",
        "billingMode": billing_mode, "creationTimestamp": cce_time(created), "created_at": created,
        "initialNodeCount": 0,
        # NodePoolNodeAutoscaling: enable, minNodeCount, maxNodeCount.
        "autoscaling": autoscaling or {"enable": False},
        # The Scalable condition (NodePoolCondition): "True", or "False" with reason and message.
        "scalable": {"status": "True", "reason": "", "message": ""},
        # How many more nodes the region can still give this pool (None: no limit); past it the
        # pool turns Scalable False ("sold out").
        "capacity": None,
        "next_ip": 0,
    }


def pool_node_name(pool: dict[str, Any], rng: random.Random | None = None) -> str:
    # CCE names a pool's nodes after the pool with a random suffix (pool-compute-xk2p9).
    return f"{pool['name']}-{random_alnum(5, rng)}"


def build_pool_cluster(rng: random.Random, ts: float) -> tuple[dict[str, Any], float]:
    """cce-pools: pool-compute (2 nodes), pool-autoscale (2 nodes, autoscaling 1..4), pool-soldout
    (1 node, Scalable False)."""
    pools: dict[str, dict[str, Any]] = {}
    nodes: dict[str, dict[str, Any]] = {}
    seeds = (("pool-compute", 2, None, None), ("pool-autoscale", 2, {"enable": True, "minNodeCount": 1, "maxNodeCount": 4}, None),
             ("pool-soldout", 1, None, ("ResourceInsufficient", "flavor c7.large.2 is sold out in cn-north-4a")))
    for index, (name, count, autoscaling, sold_out) in enumerate(seeds):
        pool = make_pool(random_uuid(rng), name, ts, autoscaling)
        ts += 1
        pool["initialNodeCount"] = count
        if sold_out is not None:
            pool["capacity"] = 0
            pool["scalable"] = {"status": "False", "reason": sold_out[0], "message": sold_out[1]}
        for _number in range(count):
            uid = random_uuid(rng)
            nodes[uid] = make_cce_node(uid, pool_node_name(pool, rng), ts,
                                       nth_ip(f"192.168.{10 + index}.10", pool["next_ip"]), pool=pool["uid"])
            pool["next_ip"] += 1
            ts += 1
        pools[pool["uid"]] = pool
    return {"cluster_id": CCE_POOL_CLUSTER_ID, "nodes": nodes, "pools": pools}, ts


@dataclass
class CallContext:
    """Per-request hints from the fault queue, and the jobs the request created."""

    job_fault: str | None = None  # "job_fail" | "job_stuck" | "job_vanish"
    jobs_created: list[str] = field(default_factory=list)


class World:
    def __init__(self, job_seconds: float = 0.5, state_file: str | None = None, cce_page_size: int = 2000,
                 latency_seconds: float = 0.0) -> None:
        # One re-entrant lock guards the state, the call log, the faults and the config.
        self.lock = threading.RLock()
        self.startup_config: dict[str, Any] = {"job_seconds": float(job_seconds), "delete_job_key": "job_ids",
                                               # Readings where QingCloud's sources disagree (ehpc.py):
                                               # the SDK's by default.
                                               "ehpc_delete_ids_key": "node_ids", "ehpc_restart_route": "restartNodes",
                                               "job_list_status_param": "both",

                                               "cce_page_size": int(cce_page_size),
                                               "latency_seconds": float(latency_seconds)}
        self.config: dict[str, Any] = dict(self.startup_config)
        self.state_file = state_file
        self.state: dict[str, Any] = build_state()
        self.dirty = False

    # --- persistence ----------------------------------------------------------------

    def load(self) -> bool:
        if not self.state_file or not os.path.exists(self.state_file):
            return False
        with open(self.state_file, encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError(f"{self.state_file}: not a simulator state file (format {STATE_FORMAT})")
        self.state = data
        return True

    def save(self) -> None:
        """Atomic replace; no fsync because only process crashes, not power loss, matter here."""
        self.dirty = False
        if not self.state_file:
            return
        target = os.path.abspath(self.state_file)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".sim-state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.state, handle, indent=1)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def clock(self) -> float:
        """The time request timestamps are checked against (skewed by clock_offset_seconds)."""
        return time.time() + float(self.config.get("clock_offset_seconds", 0.0))

    def changed(self) -> None:
        self.dirty = True

    def save_if_dirty(self) -> None:
        if self.dirty:
            self.save()

    # --- world life cycle -------------------------------------------------------------

    def reset(self) -> None:
        self.config = dict(self.startup_config)
        self.state = build_state()
        self.changed()

    def rebuild(self, counts: dict[str, int]) -> None:
        """Replace the world by the default one with other node counts; tokens survive."""
        tokens = self.state.get("tokens", {})
        self.state = build_state(**counts)
        self.state["tokens"] = tokens
        self.changed()

    def next_create_ts(self, now: float) -> float:
        ts = max(float(int(now)), self.state["last_create"] + 1)
        self.state["last_create"] = ts
        return ts

    # --- jobs ---------------------------------------------------------------------------

    def new_job(self, ctx: CallContext, *, job_id: str, service: str, action: str, cluster_id: str,
                resource_ids: list[str], now: float) -> dict[str, Any]:
        duration = float(self.config["job_seconds"])
        fault = ctx.job_fault
        job = {
            "job_id": job_id,
            "service": service,
            "action": action,
            "cluster_id": cluster_id,
            "resource_ids": list(resource_ids),
            "created_at": now,
            "duration": duration,
            "done_at": None if fault == "job_stuck" else now + duration,
            "result": "failed" if fault == "job_fail" else "successful",
            "hidden": fault == "job_vanish",
            "fault": fault,
            "status": "pending",
            "finished_at": None,
            "reason": "",
        }
        self.state["jobs"][job_id] = job
        ctx.jobs_created.append(job_id)
        self.changed()
        return job

    def advance(self, now: float | None = None) -> None:
        """Finish every job (and timed HPC job) whose time has come, applying its effects."""
        now = time.time() if now is None else now
        self._advance_pool_nodes(now)
        for job in self.state["jobs"].values():
            if job["status"] == "pending" and job["done_at"] is not None and job["done_at"] <= now:
                self._finish(job)
        for hpc_job in self.state["hpc_jobs"].values():
            finish_at = hpc_job.get("finish_at")
            if hpc_job["job_status"] == "running" and finish_at is not None and finish_at <= now:
                hpc_job["job_status"] = "finished"
                hpc_job["finished_time"] = iso(finish_at)
                self.changed()

    def _advance_pool_nodes(self, now: float) -> None:
        """Node pools scale without a job: a creating node becomes Active, a deleting one leaves."""
        for cluster in self.state["cce"]["clusters"].values():
            nodes = cluster["nodes"]
            for uid in list(nodes):
                node = nodes[uid]
                if node.get("gone_at") is not None and node["gone_at"] <= now:
                    del nodes[uid]
                    self.changed()
                elif node.get("ready_at") is not None and node["ready_at"] <= now:
                    node["phase"] = "Active"
                    node["ready_at"] = None
                    self.changed()

    def _finish(self, job: dict[str, Any]) -> None:
        ok = job["result"] == "successful"
        job["status"] = job["result"]
        job["finished_at"] = job["done_at"]
        if not ok:
            job["reason"] = "simulated failure (job_fail fault)"
        service, action = job["service"], job["action"]
        if service == "ehpc":
            self._finish_ehpc(job, action, ok)
        elif service == "cce":
            nodes = self.state["cce"]["clusters"].get(job["cluster_id"], {}).get("nodes", {})
            for uid in job["resource_ids"]:
                node = nodes.get(uid)
                if node is None:
                    continue
                if ok:
                    del nodes[uid]
                else:  # a failed removal rolls back: the node stays, Active again
                    node["phase"] = "Active"
                    node["jobID"] = None
        elif service == "modelarts":
            cluster = self.state["hyper_clusters"].get(job["cluster_id"])
            if cluster is not None:
                if ok:
                    del self.state["hyper_clusters"][job["cluster_id"]]
                else:
                    cluster["status"] = "Running"
        self.changed()

    def _finish_ehpc(self, job: dict[str, Any], action: str, ok: bool) -> None:
        cluster = self.state["ehpc"]["clusters"].get(job["cluster_id"])
        if cluster is None:
            return
        nodes = cluster["nodes"]
        for node_id in job["resource_ids"]:
            node = nodes.get(node_id)
            if node is None:
                continue
            if action == "AddClusterNodes":
                if ok:
                    node["status"] = "active"
                    node["transition_status"] = ""
                else:  # creation failed: the half-made node goes away
                    del nodes[node_id]
            elif action == "DeleteClusterNodes":
                if ok:
                    del nodes[node_id]
                else:
                    node["transition_status"] = ""
            else:  # RestartClusterNodes: success or not, the node leaves its transition
                node["transition_status"] = ""

    def job_phase(self, job: dict[str, Any], now: float) -> str:
        """CCE-style phase: Initializing for the first third of the duration, then Running."""
        if job["status"] != "pending":
            return "Success" if job["status"] == "successful" else "Failed"
        if now < job["created_at"] + job["duration"] / 3.0:
            return "Initializing"
        return "Running"

    def visible_job(self, job_id: str, service: str) -> dict[str, Any] | None:
        job = self.state["jobs"].get(job_id)
        if job is None or job["service"] != service or job["hidden"]:
            return None
        return job
