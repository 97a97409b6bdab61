"""Signed template metadata (模板标识).

A template carries a token naming its template version, batch and body,
signed with the server's secret, so that an upload of another body's, another
year's or an edited template is recognised.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

PREFIX = "zcweb1"


class TokenInvalid(ValueError):
    """The token is not one this server signed, or it was changed."""


def _mac(body: str, secret: bytes) -> str:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def make_token(payload: dict, secret: bytes) -> str:
    body = base64.urlsafe_b64encode(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).decode("ascii")
    return f"{PREFIX}.{body}.{_mac(body, secret)}"


def read_token(token: str, secret: bytes) -> dict:
    """The payload of a token; raises TokenInvalid when it was not signed
    with `secret` or does not parse."""
    try:
        prefix, body, mac = str(token).strip().split(".")
    except ValueError:
        raise TokenInvalid("malformed token") from None
    if prefix != PREFIX or not hmac.compare_digest(mac, _mac(body, secret)):
        raise TokenInvalid("bad signature")
    try:
        return json.loads(base64.urlsafe_b64decode(body.encode("ascii")))
    except ValueError:
        raise TokenInvalid("bad payload") from None
