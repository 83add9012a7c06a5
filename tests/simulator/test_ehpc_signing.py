from __future__ import annotations

import datetime as dt
import json

from .client import QingCloud, send
from .fixture import Simulator
from .world import EHPC_CLUSTER_ID, QY_ACCESS_KEY, QY_ZONE


def _node_count(sim: Simulator) -> int:
    return len(sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"])


def test_good_signature_is_accepted(qy: QingCloud) -> None:
    body = qy.list_nodes(EHPC_CLUSTER_ID).json()
    assert body["ret_code"] == 0
    assert body["total_count"] == 3


def test_good_signature_on_post(qy: QingCloud, sim: Simulator) -> None:
    body = qy.add_nodes(EHPC_CLUSTER_ID, node_count="1").json()
    assert body["ret_code"] == 0, body
    assert _node_count(sim) == 4


def test_wrong_secret_is_1200(sim: Simulator) -> None:
    bad = QingCloud(sim.url, QY_ACCESS_KEY, "NOT-THE-SECRET", QY_ZONE)
    response = bad.list_nodes(EHPC_CLUSTER_ID)
    assert response.status == 200
    assert response.json()["ret_code"] == 1200


def test_unknown_access_key_is_1200(sim: Simulator) -> None:
    bad = QingCloud(sim.url, "QYUNKNOWNKEY", "SECRETACCESSKEY", QY_ZONE)
    assert bad.list_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 1200


def test_tampered_body_is_1200_and_changes_nothing(qy: QingCloud, sim: Simulator) -> None:
    signed = {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE, "node_count": "1"}
    sent = json.dumps({**signed, "node_count": "5"}).encode()
    response = qy.post("/api/cluster/addNodes", signed, raw_body=sent)
    assert response.json()["ret_code"] == 1200
    assert _node_count(sim) == 3


def test_tampered_query_is_1200(qy: QingCloud) -> None:
    url = qy.signed_url("GET", "/api/cluster/listNodes", [("cluster_id", EHPC_CLUSTER_ID), ("limit", "1")])
    response = send("GET", url.replace("limit=1", "limit=2"))
    assert response.json()["ret_code"] == 1200


def test_signature_is_sent_double_encoded(qy: QingCloud) -> None:
    url = qy.signed_url("GET", "/api/cluster/listNodes", [("cluster_id", EHPC_CLUSTER_ID)])
    # A SHA-256 base64 signature always ends with "=", which goes out as %253D.
    assert url.endswith("%253D")
    assert send("GET", url).json()["ret_code"] == 0


def test_old_timestamp_is_1300(qy: QingCloud) -> None:
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=2)
    assert qy.list_nodes(EHPC_CLUSTER_ID, timestamp=old).json()["ret_code"] == 1300


def test_future_timestamp_is_1300(qy: QingCloud) -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=2)
    response = qy.get("/api/cluster/listNodes", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID}, timestamp=later)
    assert response.json()["ret_code"] == 1300


def test_slightly_skewed_timestamp_is_fine(qy: QingCloud) -> None:
    close = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=30)
    assert qy.list_nodes(EHPC_CLUSTER_ID, timestamp=close).json()["ret_code"] == 0


def test_missing_common_param_is_1100(qy: QingCloud) -> None:
    for name in ("access_key_id", "timestamp", "signature_method", "version"):
        url = qy.signed_url("GET", "/api/cluster/listNodes", [("cluster_id", EHPC_CLUSTER_ID)], omit=(name,))
        assert send("GET", url).json()["ret_code"] == 1100, name
    unsigned = qy.signed_url("GET", "/api/cluster/listNodes", [("cluster_id", EHPC_CLUSTER_ID)]).rpartition("&signature=")[0]
    assert send("GET", unsigned).json()["ret_code"] == 1100


def test_path_is_part_of_the_signature(qy: QingCloud) -> None:
    url = qy.signed_url("GET", "/api/cluster/listNodes", [("zone", QY_ZONE), ("cluster_id", EHPC_CLUSTER_ID)])
    moved = url.replace("/api/cluster/listNodes", "/api/job/list")
    assert send("GET", moved).json()["ret_code"] == 1200


def test_unknown_path_and_wrong_method(qy: QingCloud) -> None:
    response = qy.get("/api/cluster/noSuchThing", {"zone": QY_ZONE})
    assert response.status == 404
    assert response.json()["ret_code"] == 1100
    response = qy.get("/api/cluster/addNodes", {"zone": QY_ZONE})
    assert response.status == 405
    assert response.json()["ret_code"] == 1100
    # The vendor page's path is resatrtNodes; the "fixed" spelling does not exist.
    assert qy.post("/api/cluster/restartNodes", {"zone": QY_ZONE}).status == 404
