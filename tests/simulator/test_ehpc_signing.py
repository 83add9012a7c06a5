from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import quote

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
    # One of the two restart routes is served (restartNodes by default); the other is a web
    # server's HTML 404, before any check.
    unserved = qy.post("/api/cluster/resatrtNodes", {"zone": QY_ZONE})
    assert unserved.status == 404 and unserved.headers["content-type"].startswith("text/html")


def test_the_path_is_signed_with_a_trailing_slash(qy: QingCloud) -> None:
    url = qy.signed_url("GET", "/api/cluster/listNodes", [("zone", QY_ZONE), ("cluster_id", EHPC_CLUSTER_ID)])
    assert send("GET", url).json()["ret_code"] == 0
    # Signed as sent (no "/"), which is what the signature page and the SDK do not do: refused.
    query, _sep, _sig = url.partition("?")[2].rpartition("&signature=")
    to_sign = "\n".join(["GET", "/api/cluster/listNodes", query, hashlib.md5(b"").hexdigest()])
    digest = base64.b64encode(hmac.new(qy.secret.encode(), to_sign.encode(), hashlib.sha256).digest()).decode()
    unslashed = f"{qy.base_url}/api/cluster/listNodes?{query}&signature={quote(quote(digest, safe=''), safe='')}"
    assert send("GET", unslashed).json()["ret_code"] == 1200


def test_zone_may_be_in_the_post_body_only_or_in_the_query_too(qy: QingCloud, sim: Simulator) -> None:
    body = {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE, "node_count": "1"}
    # The SDK's way: zone in the body, not in the query.
    assert qy.post("/api/cluster/addNodes", body, omit=("zone",)).json()["ret_code"] == 0
    # The signature page lists zone as a common (query) parameter: accepted when it agrees.
    assert qy.post("/api/cluster/addNodes", body).json()["ret_code"] == 0
    assert _node_count(sim) == 5
    no_zone = {"cluster_id": EHPC_CLUSTER_ID, "node_count": "1"}
    assert qy.post("/api/cluster/addNodes", no_zone, omit=("zone",)).json()["ret_code"] == 1100
    assert qy.get("/api/cluster/listNodes", {"cluster_id": EHPC_CLUSTER_ID}, omit=("zone",)).json()["ret_code"] == 1100


def test_the_body_hash_is_of_the_bytes_received(qy: QingCloud, sim: Simulator) -> None:
    body = {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE, "node_count": "1"}
    for raw in (json.dumps(body, sort_keys=True).encode(), json.dumps(body, separators=(",", ":")).encode()):
        url = qy.signed_url("POST", "/api/cluster/addNodes", (), raw, omit=("zone",))
        assert send("POST", url, raw, {"Content-Type": "application/json"}).json()["ret_code"] == 0
    assert _node_count(sim) == 5


def test_a_slash_in_a_value_is_signed_unencoded_as_the_sdk_does(qy: QingCloud) -> None:
    # quote() keeps "/" (the SDK's process_canonical_query_string); sent either way it verifies.
    url = qy.signed_url("GET", "/api/cluster/listNodes", [("zone", QY_ZONE), ("cluster_id", EHPC_CLUSTER_ID),
                                                          ("search_word", "a/b c")])
    assert "search_word=a/b%20c" in url
    assert send("GET", url).json()["ret_code"] == 0
    assert send("GET", url.replace("a/b%20c", "a%2Fb%20c")).json()["ret_code"] == 0
