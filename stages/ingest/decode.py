"""Bytes to text: byte-order mark, declared charset (HTTP header, then <meta> or the XML
declaration), UTF-8, then detection.

Browsers treat GB2312/GBK labels as GB18030 and Latin-1 as windows-1252; so do we, since
real pages labelled that way use the wider set. Bytes that are valid UTF-8 (with non-ASCII
characters) are read as UTF-8 even when labelled with a legacy charset: legacy-encoded text
is almost never valid UTF-8 by chance, while UTF-8 pages mislabelled Latin-1 or GBK are common.
A declared charset that fails on a few stray bytes (at most 1 in 1000) still wins over
detection, with those bytes replaced.
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
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UNICODE = ("utf-8", "utf-16", "utf-32", "utf-8-sig")
MAX_BAD_SHARE = 0.001  # replaced characters a declared charset may cost
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


def declared_in_html(raw: bytes) -> str | None:
    """The charset a page declares in its first bytes (<meta charset>, http-equiv, or XML)."""
    head = raw[:4096]
    match = _META.search(head) or _XML_DECL.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def _tolerant(raw: bytes, codec: str) -> str | None:
    text = raw.decode(codec, errors="replace")
    bad = text.count("\ufffd") - raw.count("\ufffd".encode())
    return text if bad <= max(1, len(text) * MAX_BAD_SHARE) else None


def decode(raw: bytes, declared: str | None = None, html: bool = False) -> tuple[str, str]:
    """Return (text, codec used): a byte-order mark, UTF-8 where the bytes are valid UTF-8,
    the declared charset (argument, then in-page for HTML), detection; a declared charset
    with a few stray bytes before detection. UndecodableError when nothing fits."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = _strict(raw, codec)
            if text is not None:
                return text, codec
    if not raw.isascii():
        text = _strict(raw, "utf-8")
        if text is not None:
            return text, "utf-8"
    declared_codecs = [_codec(declared), _codec(declared_in_html(raw)) if html else None]
    candidates = list(dict.fromkeys(c for c in declared_codecs if c and c not in _UNICODE[1:]))
    for codec in [*candidates, "utf-8"]:
        text = _strict(raw, codec)
        if text is not None:
            return text, codec
    for codec in candidates:
        text = _tolerant(raw, codec)
        if text is not None:
            return text, codec
    best = charset_normalizer.from_bytes(raw, cp_isolation=WEB_CHARSETS).best()
    if best is None:
        text = _tolerant(raw, "utf-8")
        if text is None:
            raise UndecodableError("no charset decodes these bytes")
        return text, "utf-8"
    return str(best), best.encoding
