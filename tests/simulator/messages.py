from __future__ import annotations

# Transport-neutral request and reply objects shared by the service modules.

import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Request:
    """One HTTP request as received: the path and query are kept exactly as sent."""

    method: str
    raw_path: str
    raw_query: str
    headers: dict[str, str]  # lower-case names, first occurrence wins
    body: bytes

    def query(self) -> list[tuple[str, str]]:
        """The query decoded once, in order, repeated names kept."""
        return parse_qsl(self.raw_query, keep_blank_values=True)

    def query_first(self, name: str) -> str | None:
        for key, value in self.query():
            if key == name:
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able object; None means an empty body
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a non-JSON body (bad_answer faults), sent as text/html

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body=body, headers=dict(headers or {}))


def request_id() -> str:
    return str(uuid.uuid4())
