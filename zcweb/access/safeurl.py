"""Where a `next` or back link may lead: a path on this site, nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request

# Whitespace and control characters anywhere (browsers drop tabs and
# newlines inside a URL, so "/\t/evil" becomes "//evil").
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: whitespace and
    control characters stripped, then no scheme, no host, no backslash."""
    if not target:
        return None
    target = _INVISIBLE.sub("", target)
    if not target.startswith("/") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def local_referrer() -> str | None:
    """The path of the page that sent this request, when it is on this site."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return None
    return local_target(parts.path + (f"?{parts.query}" if parts.query else ""))
