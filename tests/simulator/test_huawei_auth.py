from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .client import Huawei, aksk_headers, hw_date, iam_token_request, send
from .fixture import Simulator
from .world import (CCE_CLUSTER_ID, HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY,
                    HW_TEMP_SECRET_KEY)

NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_CLUSTER_ID}/nodes"
REMOVE = NODES + "/operation/remove"
HYPER = f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def remove_body(uid: str) -> dict[str, Any]:
    return {"apiVersion": "v3", "kind": "RemoveNodesTask",
            "spec": {"login": {"sshKey": "KeyPair-demo"}, "nodes": [{"uid": uid}]}}


def test_iam_token(sim: Simulator) -> None:
    response = iam_token_request(sim.url, "demo", "demo-password", "demo", HW_PROJECT_ID)
    assert response.status == 201
    token = response.headers["x-subject-token"]
    assert len(token) > 32
    assert UUID_RE.fullmatch(response.headers["x-request-id"])
    body = response.json()["token"]
    assert body["methods"] == ["password"]
    assert body["project"]["id"] == HW_PROJECT_ID
    assert body["user"]["name"] == "demo"
    expires = dt.datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(hours=24)
    nodes = Huawei(sim.url, token=token).request("GET", NODES)
    assert nodes.status == 200
    assert len(nodes.json()["items"]) == 3
    assert not [call for call in sim.calls() if call["write"]]  # token requests are no writes


@pytest.mark.parametrize("user, password, domain", [
    ("demo", "wrong", "demo"), ("nobody", "demo-password", "demo"), ("demo", "demo-password", "other")])
def test_iam_wrong_credentials_401(sim: Simulator, user: str, password: str, domain: str) -> None:
    response = iam_token_request(sim.url, user, password, domain, HW_PROJECT_ID)
    assert response.status == 401
    assert "x-subject-token" not in response.headers
    assert set(response.json()) == {"error_code", "error_msg"}


def test_iam_bad_request_and_unknown_project(sim: Simulator) -> None:
    assert send("POST", sim.url + "/v3/auth/tokens", b"{not json").status == 400
    assert send("POST", sim.url + "/v3/auth/tokens", json.dumps({"auth": {}}).encode()).status == 400
    assert iam_token_request(sim.url, "demo", "demo-password", "demo", "ffff").status == 401


def test_bad_or_missing_token_401(sim: Simulator) -> None:
    response = Huawei(sim.url, token="MIIforged").request("GET", NODES)
    assert response.status == 401
    assert response.json()["error_code"] == "APIGW.0301"
    assert "x-request-id" in response.headers
    assert send("GET", sim.url + NODES).status == 401


def test_token_is_scoped_to_its_project(sim: Simulator) -> None:
    unscoped = iam_token_request(sim.url, "demo", "demo-password", "demo", None).headers["x-subject-token"]
    assert Huawei(sim.url, token=unscoped).request("GET", NODES).status == 401
    scoped = iam_token_request(sim.url, "demo", "demo-password", "demo", HW_PROJECT_ID).headers["x-subject-token"]
    other = NODES.replace(HW_PROJECT_ID, "ffffffffffffffffffffffffffffffff")
    assert Huawei(sim.url, token=scoped).request("GET", other).status == 401


def test_viewer_reads_but_cannot_write(sim: Simulator, hw_viewer: Huawei) -> None:
    items = hw_viewer.request("GET", NODES).json()["items"]
    assert hw_viewer.request("GET", f"{HYPER}/hc-demo-hps").status == 200
    refused = hw_viewer.request("PUT", REMOVE, remove_body(items[0]["metadata"]["uid"]))
    assert refused.status == 403
    assert refused.json()["error_code"] == "CCE.01403001"
    assert hw_viewer.request("DELETE", f"{HYPER}/hc-demo-hps").status == 403
    state = sim.state()
    assert all(node["phase"] == "Active" for node in state["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values())
    assert state["hyper_clusters"]["hc-demo-hps"]["status"] == "Running"


def test_aksk_accepted(hw: Huawei) -> None:
    assert hw.request("GET", NODES).status == 200
    assert len(hw.request("GET", HYPER + "?type=ECS").json()["hyper_clusters"]) == 1


def test_aksk_bad_signature_401(sim: Simulator) -> None:
    assert Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key="WRONG").request("GET", NODES).status == 401
    assert Huawei(sim.url, access_key="NOPE", secret_key=HW_SECRET_KEY).request("GET", NODES).status == 401
    url = sim.url + NODES
    headers = aksk_headers("GET", url, b"", HW_ACCESS_KEY, HW_SECRET_KEY)
    assert send("GET", url, None, headers).status == 200
    assert send("GET", url + "?limit=1", None, headers).status == 401  # query not signed
    assert send("DELETE", url, None, headers).status in (401, 404)
    headers_body = aksk_headers("PUT", sim.url + REMOVE, b"{}", HW_ACCESS_KEY, HW_SECRET_KEY)
    tampered = send("PUT", sim.url + REMOVE, b'{"spec":{}}', headers_body)
    assert tampered.status == 401


def test_aksk_date_skew_401(sim: Simulator) -> None:
    url = sim.url + NODES
    stale = hw_date(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=16))
    assert send("GET", url, None, aksk_headers("GET", url, b"", HW_ACCESS_KEY, HW_SECRET_KEY, date=stale)).status == 401
    fine = hw_date(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=14))
    assert send("GET", url, None, aksk_headers("GET", url, b"", HW_ACCESS_KEY, HW_SECRET_KEY, date=fine)).status == 200


def test_temporary_credentials_need_security_token(sim: Simulator) -> None:
    with_token = Huawei(sim.url, access_key=HW_TEMP_ACCESS_KEY, secret_key=HW_TEMP_SECRET_KEY,
                        security_token=HW_SECURITY_TOKEN)
    assert with_token.request("GET", NODES).status == 200
    without = Huawei(sim.url, access_key=HW_TEMP_ACCESS_KEY, secret_key=HW_TEMP_SECRET_KEY)
    assert without.request("GET", NODES).status == 401
    wrong = Huawei(sim.url, access_key=HW_TEMP_ACCESS_KEY, secret_key=HW_TEMP_SECRET_KEY, security_token="nope")
    assert wrong.request("GET", NODES).status == 401


def _sdk_signed(sim: Simulator, method: str, path: str, query: list[tuple[str, Any]], body: bytes | None,
                security_token: str | None = None) -> tuple[str, dict[str, str]]:
    """Sign with huaweicloudsdkcore's own signer; return the URL and headers to send."""
    sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
    credentials_mod = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
    host = urlsplit(sim.url).netloc
    ak, sk = (HW_TEMP_ACCESS_KEY, HW_TEMP_SECRET_KEY) if security_token else (HW_ACCESS_KEY, HW_SECRET_KEY)
    credentials = credentials_mod.BasicCredentials(ak, sk, HW_PROJECT_ID)
    if security_token:
        credentials = credentials.with_security_token(security_token)
    request = sdk_request.SdkRequest(method=method, schema="http", host=host, resource_path=path,
                                     query_params=list(query), body=body,
                                     header_params={"Content-Type": "application/json", "X-Project-Id": HW_PROJECT_ID})
    signed = credentials.sign_request(request)
    return f"http://{host}{signed.uri}", dict(signed.header_params)


def test_huaweicloudsdkcore_signer_is_accepted(sim: Simulator) -> None:
    # Several query parameters, to check their sorted signing (the list ignores all but type).
    url, headers = _sdk_signed(sim, "GET", HYPER, [("type", "HPS"), ("limit", 10), ("offset", 0)], None)
    assert "SDK-HMAC-SHA256 Access=HWSIMACCESSKEY" in headers["Authorization"]
    response = send("GET", url, None, headers)
    assert response.status == 200, response.body
    assert [c["id"] for c in response.json()["hyper_clusters"]] == ["hc-demo-hps"]

    uid = Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY).request("GET", NODES).json()["items"][0]
    body = json.dumps(remove_body(uid["metadata"]["uid"])).encode()
    url, headers = _sdk_signed(sim, "PUT", REMOVE, [], body)
    response = send("PUT", url, body, headers)
    assert response.status == 200, response.body

    url, headers = _sdk_signed(sim, "GET", NODES, [], None, security_token=HW_SECURITY_TOKEN)
    assert headers["X-Security-Token"] == HW_SECURITY_TOKEN
    assert send("GET", url, None, headers).status == 200
    last = headers["Authorization"][-1]
    headers["Authorization"] = headers["Authorization"][:-1] + ("0" if last != "0" else "1")
    assert send("GET", url, None, headers).status == 401
