"""Role hpcops.clusters.cce_scale through playbooks/cce_scale.yml against the simulator's node pools.

The cluster comes from the simulator inventory (as `make demo` gives it), the rest with -e, as
AWX passes a survey's answers.
"""

from __future__ import annotations

import json

from tests.integration.role_runs import PLAYBOOKS, SIM, messages

CLUSTER = "cce-pools"


def pool_nodes(sim, name: str) -> list:
    clusters = sim.state()["cce"]["clusters"][CLUSTER]
    uid = next(p["uid"] for p in clusters["pools"].values() if p["name"] == name)
    return sorted((n for n in clusters["nodes"].values() if n.get("pool") == uid and n["phase"] != "Deleting"),
                  key=lambda n: n["created_at"])


def run_role(playbook_runner, *flags, **variables):
    return playbook_runner(PLAYBOOKS / "cce_scale.yml", SIM + ["-e", json.dumps(variables)] + list(flags))


def summary(run) -> str:
    return messages(run, "Summarise the change")[0]


def test_check_mode_then_scale_out_then_scale_in_keeping_protected_nodes(sim, playbook_runner):
    planned = run_role(playbook_runner, "--check", cce_scale_node_pool="pool-compute", cce_scale_count="5")
    assert planned.rc == 0, planned
    assert sim.writes() == []
    assert summary(planned) == ("node pool pool-compute of cce-pools: 2 now, 5 wanted (check mode: nothing was changed); "
                                "would add 3 node(s)")

    out = run_role(playbook_runner, cce_scale_node_pool="pool-compute", cce_scale_count=5)
    assert out.rc == 0, out
    nodes = pool_nodes(sim, "pool-compute")
    assert len(nodes) == 5
    added = ", ".join("%s (%s)" % (n["name"], n["uid"]) for n in nodes[2:])
    assert summary(out) == "node pool pool-compute of cce-pools: 2 -> 5; added %s" % added

    keep = [nodes[-1]["name"], nodes[-2]["name"]]
    sim.clear_calls()
    shrink = run_role(playbook_runner, cce_scale_node_pool="pool-compute", cce_scale_count="3",
                      cce_scale_protected_nodes="\n".join(keep) + "\n")
    assert shrink.rc == 0, shrink
    left = pool_nodes(sim, "pool-compute")
    assert len(left) == 3 and set(keep) <= set(n["name"] for n in left)
    assert [w["path"].rsplit("/", 1)[1] for w in sim.writes()] == ["locknodescaledown", "scale"]
    text = summary(shrink)
    assert text.startswith("node pool pool-compute of cce-pools: 5 -> 3; removed ")
    assert text.endswith("; locked against scale-down %s" % ", ".join(keep))

    again = run_role(playbook_runner, cce_scale_node_pool="pool-compute", cce_scale_count="3")
    assert again.rc == 0 and again.stats["localhost"]["changed"] == 0, again


def test_a_sold_out_pool_fails_the_role_with_the_modules_reason_and_no_write(sim, playbook_runner):
    run = run_role(playbook_runner, cce_scale_node_pool="pool-soldout", cce_scale_count="3")
    assert run.rc != 0 and run.failed, run
    assert "node pool pool-soldout can't grow" in run.result["msg"] and "ResourceInsufficient" in run.result["msg"]
    assert messages(run, "Report what was changed before the failure") == ["nothing was changed"]
    assert sim.writes() == []


def test_count_0_names_the_roles_variable(sim, playbook_runner):
    run = run_role(playbook_runner, cce_scale_node_pool="pool-compute", cce_scale_count=0)
    assert run.failed, run
    assert "set cce_scale_allow_empty=true" in run.result["msg"]
    assert [c for c in sim.calls() if not c["path"].startswith("/_sim/")] == []
