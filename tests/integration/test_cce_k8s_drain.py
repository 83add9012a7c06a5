"""cce_scale_in with cce_scale_in_k8s_drain, as far as this machine allows.

This machine has no Kubernetes cluster and no kubernetes.core. The role must fail clearly, before
any API call, when the collection is missing. For the order of drain, removal and uncordon, a
test double of kubernetes.core (tmp_path, first on ANSIBLE_COLLECTIONS_PATH) provides a
``k8s_drain`` that logs each call with its time and answers as the real module does (a pod still
running at its wait_timeout is a warning, not a failure).
"""

from __future__ import annotations

import json
import os

from tests.integration.ansible_runner import collections_path, run_playbook

CCE_CLUSTER = "cce-demo"
REMOVE = "nodes/operation/remove"

FAKE_K8S_DRAIN = '''#!/usr/bin/python
from __future__ import annotations
import json
import os
import time
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="drain", choices=["cordon", "drain", "uncordon"]),
        kubeconfig=dict(type="raw"), context=dict(type="str"),
        delete_options=dict(type="dict")), supports_check_mode=True)
    with open(os.environ["HPCOPS_K8S_LOG"], "a") as log:
        log.write(json.dumps({"time": time.time(), "name": module.params["name"], "state": module.params["state"],
                              "delete_options": module.params["delete_options"]}) + "\\n")
    if module.params["state"] == "drain" and os.environ.get("HPCOPS_K8S_LATE") == module.params["name"]:
        module.exit_json(changed=True, result="node marked unschedulable. 1 Pod(s) deleted from node.",
                         warnings=["timeout reached while pods were still running."])
    module.exit_json(changed=True, result="node %s done." % module.params["name"])


if __name__ == "__main__":
    main()
'''


def fake_kubernetes_core(tmp_path, version="5.0.0"):
    root = tmp_path / "fake_collections"
    collection = root / "ansible_collections" / "kubernetes" / "core"
    (collection / "plugins" / "modules").mkdir(parents=True)
    (collection / "meta").mkdir()
    (collection / "meta" / "runtime.yml").write_text("requires_ansible: '>=2.15.0'\n")
    (collection / "MANIFEST.json").write_text(json.dumps({"collection_info": {
        "namespace": "kubernetes", "name": "core", "version": version}, "format": 1}))
    (collection / "plugins" / "modules" / "k8s_drain.py").write_text(FAKE_K8S_DRAIN)
    return {"ANSIBLE_COLLECTIONS_PATH": "%s%s%s" % (collections_path(), os.pathsep, root),
            "HPCOPS_K8S_LOG": str(tmp_path / "k8s.log")}


def k8s_calls(tmp_path):
    log = tmp_path / "k8s.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def scale_in(sim, tmp_path, env=None, check=False, **extra):
    role_vars = dict({"cce_scale_in_cluster_id": CCE_CLUSTER, "cce_scale_in_nodes": ["cce-demo-node-3"],
                      "cce_scale_in_ssh_key": "KeyPair-demo", "cce_scale_in_k8s_drain": True,
                      "cce_scale_in_k8s_drain_timeout": 30}, **extra)
    play = [{"name": "role under test", "hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "hpcops.clusters.cce_scale_in", "vars": role_vars}]}]
    path = tmp_path / "play.json"
    path.write_text(json.dumps(play))
    return run_playbook(path, sim.url, ["--check"] if check else [], env=env)


def removals(sim):
    return [c for c in sim.calls() if REMOVE in c["path"]]


def node_names(sim):
    return sorted(n["name"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values()
                  if n["phase"] != "Deleting")


def test_k8s_drain_without_kubernetes_core_fails_before_any_api_call(sim, tmp_path):
    run = scale_in(sim, tmp_path)

    assert run.rc != 0 and run.failed, run
    assert run.result["msg"].startswith(
        "cce_scale_in_k8s_drain needs the kubernetes.core collection (2.3.0 or later) on the controller"), run
    assert "nothing was changed" in run.result["msg"]
    assert sim.calls() == []


def test_k8s_drain_with_a_too_old_kubernetes_core_fails_before_any_api_call(sim, tmp_path):
    run = scale_in(sim, tmp_path, env=fake_kubernetes_core(tmp_path, version="2.2.3"))

    assert run.rc != 0 and run.failed, run
    assert "needs kubernetes.core 2.3.0 or later, found 2.2.3" in run.result["msg"], run
    assert sim.calls() == [] and k8s_calls(tmp_path) == []


def test_k8s_drain_drains_the_node_by_private_ip_before_the_removal(sim, tmp_path):
    ip = [n["privateIP"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values()
          if n["name"] == "cce-demo-node-3"][0]
    run = scale_in(sim, tmp_path, env=fake_kubernetes_core(tmp_path))

    assert run.rc == 0, run
    drains = k8s_calls(tmp_path)
    assert [(c["name"], c["state"]) for c in drains] == [(ip, "drain")]
    assert drains[0]["delete_options"] == {"ignore_daemonsets": True, "delete_emptydir_data": False,
                                           "wait_timeout": 30}
    assert len(removals(sim)) == 1 and drains[0]["time"] < removals(sim)[0]["time"]
    assert node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2"]
    assert "removed cce-demo-node-3 (" in run.stdout and "from CCE cluster cce-demo: 3 -> 2 nodes" in run.stdout


def test_k8s_drain_timeout_uncordons_the_node_and_removes_nothing(sim, tmp_path):
    env = fake_kubernetes_core(tmp_path)
    env["HPCOPS_K8S_LATE"] = "cce-demo-node-3"
    run = scale_in(sim, tmp_path, env=env, cce_scale_in_k8s_node_attribute="name")

    assert run.rc != 0 and run.failed, run
    msg = run.result["msg"]
    assert msg.startswith("drained scale-in of CCE cluster cce-demo stopped: pods were still running on "
                          "cce-demo-node-3 after 30 s"), msg
    assert "uncordoned: cce-demo-node-3" in msg
    assert [(c["name"], c["state"]) for c in k8s_calls(tmp_path)] == [
        ("cce-demo-node-3", "drain"), ("cce-demo-node-3", "uncordon")]
    assert removals(sim) == []


def test_k8s_drain_failed_removal_uncordons_the_node(sim, tmp_path):
    sim.fault(kind="job_fail", path=REMOVE)
    run = scale_in(sim, tmp_path, env=fake_kubernetes_core(tmp_path), cce_scale_in_k8s_node_attribute="name")

    assert run.rc != 0 and run.failed, run
    assert "uncordoned: cce-demo-node-3" in run.result["msg"], run
    calls = k8s_calls(tmp_path)
    assert [c["state"] for c in calls] == ["drain", "uncordon"]
    assert calls[0]["time"] < removals(sim)[0]["time"] < calls[1]["time"]
    assert "cce-demo-node-3" in node_names(sim)


def test_k8s_drain_in_check_mode_drains_nothing_and_writes_nothing(sim, tmp_path):
    run = scale_in(sim, tmp_path, env=fake_kubernetes_core(tmp_path), check=True)

    assert run.rc == 0, run
    assert k8s_calls(tmp_path) == [] and sim.writes() == []
    assert "would remove cce-demo-node-3" in run.stdout
