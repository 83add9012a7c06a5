from __future__ import annotations

# Huawei Cloud identity: IAM password tokens (POST /v3/auth/tokens) and the check every
# CCE/ModelArts call passes, either X-Auth-Token or an AK/SK signature verified by
# recomputing the canonical request of docs/api-decisions.md, "Authentication" (SDK-HMAC-SHA256).

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from .messages import Reply, Request, json_reply
from .world import (HW_ACCESS_KEY, HW_PROJECT_ID, HW_REGION, HW_SECRET_KEY, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY,
                    HW_TEMP_SECRET_KEY, IAM_USERS, World, iso)

TOKEN_TTL_SECONDS = 24 * 3600
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SDK_SKEW_SECONDS = 15 * 60
ALGORITHM = "SDK-HMAC-SHA256"
AUTH_ERROR = "APIGW.0301"

# access key -> (secret key, security token required or None); both belong to user "demo".
ACCESS_KEYS: dict[str, tuple[str, str | None]] = {
    HW_ACCESS_KEY: (HW_SECRET_KEY, None),
    HW_TEMP_ACCESS_KEY: (HW_TEMP_SECRET_KEY, HW_SECURITY_TOKEN),
}


def hw_error(status: int, code: str, message: str) -> Reply:
    return json_reply({"error_code": code, "error_msg": message}, status=status)


@dataclass
class Principal:
    user: str
    read_only: bool
    method: str  # "token" | "aksk"


class AuthError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- IAM tokens -------------------------------------------------------------------------

def _dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def issue_token(world: World, req: Request) -> Reply:
    if req.method != "POST":
        return hw_error(405, "IAM.0001", f"{req.method} is not supported on /v3/auth/tokens")
    try:
        body = req.json()
    except ValueError:
        return hw_error(400, "IAM.0001", "request body is not JSON")
    methods = _dig(body, "auth", "identity", "methods")
    if not isinstance(methods, list) or "password" not in methods:
        return hw_error(400, "IAM.0001", "auth.identity.methods must contain \"password\"")
    user = _dig(body, "auth", "identity", "password", "user")
    name, password = _dig(user, "name"), _dig(user, "password")
    domain = _dig(user, "domain", "name")
    if not all(isinstance(value, str) and value for value in (name, password, domain)):
        return hw_error(400, "IAM.0001", "user name, password and domain name are required")
    account = IAM_USERS.get(name)
    if account is None or not hmac.compare_digest(account["password"], password) or account["domain"] != domain:
        return hw_error(401, "IAM.0002", "The username or password is wrong.")
    project_id = None
    scope_project = _dig(body, "auth", "scope", "project")
    if scope_project is not None:
        wanted_id, wanted_name = _dig(scope_project, "id"), _dig(scope_project, "name")
        if wanted_id == HW_PROJECT_ID or (wanted_id is None and wanted_name == HW_REGION):
            project_id = HW_PROJECT_ID
        else:
            return hw_error(401, "IAM.0002", "The project in the scope does not exist or is not accessible.")
    now = time.time()
    tokens = world.state["tokens"]
    for stale in [key for key, value in tokens.items() if value["expires_at"] <= now]:
        del tokens[stale]
    token = "MIIsim" + secrets.token_urlsafe(48)
    tokens[token] = {"user": name, "domain": domain, "project_id": project_id, "issued_at": now,
                     "expires_at": now + TOKEN_TTL_SECONDS}
    world.changed()
    token_body: dict[str, Any] = {
        "expires_at": iso(now + TOKEN_TTL_SECONDS),
        "issued_at": iso(now),
        "methods": ["password"],
        "user": {"name": name, "domain": {"name": domain}},
    }
    if project_id:
        token_body["project"] = {"id": project_id, "name": HW_REGION, "domain": {"name": domain}}
    return json_reply({"token": token_body}, status=201, headers={"X-Subject-Token": token})


# --- request authentication ---------------------------------------------------------------

def _check_token(world: World, token: str, project_id: str, now: float) -> Principal:
    record = world.state["tokens"].get(token)
    if record is None:
        raise AuthError("Incorrect IAM authentication information: token is not valid")
    if record["expires_at"] <= now:
        raise AuthError("Incorrect IAM authentication information: token expired")
    if record["project_id"] != project_id:
        raise AuthError(f"Incorrect IAM authentication information: token is not scoped to project {project_id}")
    return Principal(user=record["user"], read_only=bool(IAM_USERS[record["user"]]["read_only"]), method="token")


def parse_authorization(value: str) -> dict[str, str]:
    if not value.startswith(ALGORITHM + " "):
        raise AuthError(f"Incorrect IAM authentication information: Authorization must use {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in value[len(ALGORITHM) + 1:].split(","):
        key, sep, item = part.strip().partition("=")
        if sep:
            fields[key] = item
    for required in ("Access", "SignedHeaders", "Signature"):
        if not fields.get(required):
            raise AuthError(f"Incorrect IAM authentication information: Authorization lacks {required}")
    return fields


def canonical_request(req: Request, signed_headers: list[str]) -> str:
    segments = [quote(segment, safe="~") for segment in unquote(req.raw_path).split("/")]
    uri = "/".join(segments)
    if not uri.endswith("/"):
        uri += "/"
    query = "&".join(f"{quote(key, safe='~')}={quote(value, safe='~')}" for key, value in sorted(req.query()))
    header_lines = ""
    for name in signed_headers:
        value = req.headers.get(name)
        if value is None:
            raise AuthError(f"Incorrect IAM authentication information: signed header {name} is missing")
        header_lines += f"{name}:{value.strip()}\n"
    # The SDK signs this header's value instead of the body hash when it sends one.
    payload_hash = req.headers.get("x-sdk-content-sha256") or hashlib.sha256(req.body).hexdigest()
    return "\n".join([req.method.upper(), uri, query, header_lines, ";".join(signed_headers), payload_hash])


def _check_aksk(req: Request, now: float) -> Principal:
    fields = parse_authorization(req.headers.get("authorization", ""))
    keys = ACCESS_KEYS.get(fields["Access"])
    if keys is None:
        raise AuthError("Incorrect IAM authentication information: unknown access key")
    secret, security_token = keys
    if security_token is not None and req.headers.get("x-security-token") != security_token:
        raise AuthError("Incorrect IAM authentication information: temporary access key needs its X-Security-Token")
    sdk_date = req.headers.get("x-sdk-date")
    if not sdk_date:
        raise AuthError("Incorrect IAM authentication information: X-Sdk-Date is missing")
    try:
        stamp = dt.datetime.strptime(sdk_date, SDK_DATE_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError as exc:
        raise AuthError("Incorrect IAM authentication information: X-Sdk-Date must be like 20240101T000000Z") from exc
    signed_headers = sorted(name.strip().lower() for name in fields["SignedHeaders"].split(";") if name.strip())
    if "x-sdk-date" not in signed_headers:
        raise AuthError("Incorrect IAM authentication information: X-Sdk-Date must be signed")
    string_to_sign = "\n".join([ALGORITHM, sdk_date,
                                hashlib.sha256(canonical_request(req, signed_headers).encode("utf-8")).hexdigest()])
    expected = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["Signature"].lower()):
        raise AuthError("Incorrect IAM authentication information: verify aksk signature fail")
    if abs(now - stamp.timestamp()) > MAX_SDK_SKEW_SECONDS:
        raise AuthError("Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes from server time")
    return Principal(user="demo", read_only=False, method="aksk")


def authenticate(world: World, req: Request, project_id: str) -> Principal | Reply:
    """The caller's identity for a call on project_id, or the 401 reply to send."""
    now = time.time()
    try:
        token = req.headers.get("x-auth-token")
        if token:
            return _check_token(world, token, project_id, now)
        if req.headers.get("authorization"):
            principal = _check_aksk(req, world.clock())
            if project_id != HW_PROJECT_ID:
                raise AuthError(f"Incorrect IAM authentication information: no access to project {project_id}")
            return principal
        raise AuthError("Incorrect IAM authentication information: no X-Auth-Token or Authorization header")
    except AuthError as exc:
        return hw_error(401, AUTH_ERROR, exc.message)
