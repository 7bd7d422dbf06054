"""Bytes to text: declared charset (HTTP header, then <meta>), then detection.

Browsers treat GB2312/GBK labels as GB18030 and Latin-1 as windows-1252; so do we, since
real pages labelled that way use the wider set.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


# what detection may choose from: legacy encodings of real web pages (UTF-16/32 come with a BOM)
WEB_CHARSETS = [
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "cp1252",
    "cp1251",
    "iso8859_2",
    "koi8_r",
    "utf_16",
    "utf_32",
]


class UndecodableError(ValueError):
    """No declared or detected charset decodes the bytes."""


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER.search(content_type or "")
    return match.group(1) if match else None


def decode(raw: bytes, declared: str | None = None, html: bool = False) -> tuple[str, str]:
    """Return (text, codec used). Tries the declared charset, a <meta> charset (HTML), UTF-8,
    then detection; raises UndecodableError when nothing decodes cleanly."""
    candidates = [_codec(declared)]
    if html:
        match = _META.search(raw[:4096])
        candidates.append(_codec(match.group(1).decode("ascii", "ignore")) if match else None)
    candidates.append("utf-8")
    for codec in dict.fromkeys(c for c in candidates if c):
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(raw, cp_isolation=WEB_CHARSETS).best()
    if best is None:
        raise UndecodableError("no charset decodes these bytes")
    return str(best), best.encoding
