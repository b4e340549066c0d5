"""ETags from ticket versions, and If-Match read into the versions a write may apply to."""

from __future__ import annotations

import re

from flask import request

VERSION = re.compile(r"[0-9]{1,18}")


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_versions() -> set[int] | None:
    """None when any version will do (no If-Match, or `*`); else the versions named."""
    if "If-Match" not in request.headers or request.if_match.star_tag:
        return None
    # Weak tags never match If-Match (RFC 9110 §13.1.1), so only strong ones count.
    return {int(tag) for tag in request.if_match.as_set() if tag and VERSION.fullmatch(tag)}
