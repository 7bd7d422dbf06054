"""The one hash helper behind ids, config shas and fingerprints."""

from __future__ import annotations

import hashlib


def sha256_hex(data: str | bytes, length: int = 16) -> str:
    """The first `length` hex characters of sha256(`data`) (text hashed as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:length]
