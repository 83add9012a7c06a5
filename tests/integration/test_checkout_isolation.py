"""The tests run this checkout's code, whatever else is on the machine.

Version 0.1's runner pointed every ansible-playbook at a link under the system temporary
directory shared by all checkouts; a link left there by another checkout made the run
test that checkout's code. These tests plant such a decoy and show it changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.integration.ansible_runner import REPO_ROOT, base_env, collections_path, run_module

CLUSTER = "ehpc-8jqdq0mz"

DECOY_MODULE = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
DOCUMENTATION = "module: ehpc_nodes_info"
def main():
    AnsibleModule(argument_spec={}, bypass_checks=True).fail_json(msg="DECOY COLLECTION RAN")
if __name__ == "__main__":
    main()
'''


def plant_decoy(temp_root: Path) -> Path:
    """A broken copy of the collection at the path version 0.1 used, in ``temp_root``."""
    decoy = temp_root / "decoy-checkout"
    (decoy / "plugins" / "modules").mkdir(parents=True)
    (decoy / "meta").mkdir()
    shutil.copy(REPO_ROOT / "galaxy.yml", decoy / "galaxy.yml")
    shutil.copy(REPO_ROOT / "meta" / "runtime.yml", decoy / "meta" / "runtime.yml")
    (decoy / "plugins" / "modules" / "ehpc_nodes_info.py").write_text(DECOY_MODULE)
    link = temp_root / ("hpcops-collections-%d" % os.getuid()) / "ansible_collections" / "hpcops" / "clusters"
    link.parent.mkdir(parents=True)
    link.symlink_to(decoy, target_is_directory=True)
    return link


def test_collection_tree_is_inside_this_checkout():
    root = collections_path()
    assert root.resolve().is_relative_to(REPO_ROOT.resolve())
    link = root / "ansible_collections" / "hpcops" / "clusters"
    assert link.resolve() == REPO_ROOT.resolve()
    env = base_env("http://127.0.0.1:9")
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CALLBACK_PLUGINS"):
        assert Path(env[name]).resolve().is_relative_to(REPO_ROOT.resolve()), (name, env[name])


def test_a_decoy_at_the_old_shared_path_changes_nothing(sim, tmp_path, monkeypatch):
    decoy_link = plant_decoy(tmp_path)
    # Point both this process and the ansible-playbook child at the temporary directory
    # holding the decoy, as another checkout on the same machine would have left it.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert tempfile.gettempdir() == str(tmp_path)

    run = run_module("ehpc_nodes_info", {"cluster_id": CLUSTER}, sim.url, tmp_dir=tmp_path)
    assert not run.failed, run
    assert "DECOY" not in run.output
    assert {n["role"] for n in run.result["nodes"]} == {"login", "compute"}
    assert decoy_link.is_symlink()  # still there: nothing removed or re-pointed it


def test_collection_tree_script_repoints_a_stale_link(tmp_path):
    # On a copy of the script, so the link the running suite uses is never touched.
    checkout = tmp_path / "checkout"
    (checkout / "hack").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "hack" / "collection_tree.sh", checkout / "hack")
    link = checkout / ".tmp" / "collections" / "ansible_collections" / "hpcops" / "clusters"
    link.parent.mkdir(parents=True)
    elsewhere = tmp_path / "other-checkout"
    elsewhere.mkdir()
    link.symlink_to(elsewhere, target_is_directory=True)
    subprocess.run(["bash", str(checkout / "hack" / "collection_tree.sh")], check=True, capture_output=True)
    assert link.resolve() == checkout.resolve()
