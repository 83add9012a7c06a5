# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud AK/SK request signing, SDK-HMAC-SHA256 (private to hpcops.clusters).

The canonical request follows huaweicloud-sdk-python-v3's core signer (the reference
our unit tests compare against): every path segment quoted with ``~`` safe and a
trailing ``/``; the query sorted and quoted the same way; each signed header as
``name:value`` with the value stripped; then the signed header names and the SHA-256
of the body.
"""

from __future__ import annotations

__metaclass__ = type

import datetime
import hashlib
import hmac
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _quote(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    uri = "/".join(_quote(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join("%s=%s" % (_quote(k), _quote(v)) for k, v in pairs)


def canonical_request(method: str, url: str, headers: dict, signed_headers: list, body: bytes) -> str:
    parts = urlsplit(url)
    lowered = dict((k.lower(), str(v).strip()) for k, v in headers.items())
    header_lines = "".join("%s:%s\n" % (name, lowered[name]) for name in signed_headers)
    return "\n".join((method.upper(), canonical_uri(parts.path), canonical_query(parts.query),
                      header_lines, ";".join(signed_headers), hashlib.sha256(body or b"").hexdigest()))


def host_header(url: str) -> str:
    return urlsplit(url).netloc


def sign(method: str, url: str, headers: dict, body: bytes, access_key: str, secret_key: str,
         now: datetime.datetime | None = None) -> dict:
    """Return ``headers`` plus X-Sdk-Date, Host and Authorization for this request.

    Every header given is signed, as the reference SDK does (it skips names with
    ``_``, which HTTP proxies may drop).
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    signed = dict(headers)
    signed.setdefault("X-Sdk-Date", now.strftime(DATE_FORMAT))
    if not any(k.lower() == "host" for k in signed):
        signed["Host"] = host_header(url)
    names = sorted(k.lower() for k in signed if "_" not in k)
    canonical = canonical_request(method, url, signed, names, body)
    to_sign = "%s\n%s\n%s" % (ALGORITHM, signed["X-Sdk-Date"], hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    signature = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, ";".join(names), signature)
    return signed
