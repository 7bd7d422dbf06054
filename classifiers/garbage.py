"""Garbage text: what a broken extraction or a wrong charset leaves instead of prose.

Character scores (shares of the non-space characters):
- `garbage_replacement_ratio`: U+FFFD, bytes a decoder could not read;
- `garbage_private_use_ratio`: private-use code points, glyphs of a PDF font with no Unicode map;
- `garbage_control_ratio`: control characters (not tab, newline, carriage return);
- `garbage_mojibake_ratio`: characters inside mojibake: UTF-8 read as Latin-1/cp1252 ("Ã©",
  "â€™", "æ•°æ®"), UTF-8 read as GBK ("鏁版嵁娓呮礂": a run of non-ASCII characters whose GBK
  bytes are valid UTF-8 of other text), and the classic "锟斤拷" / "烫烫烫";
- `garbage_symbol_ratio`: Unicode symbols (`\\p{S}`: math, currency, box drawing, dingbats).
Plus `garbage_chars` and `garbage_lid_unsure_share` (from lid.176, set by the stage): the
share of the text's bytes in segments no language is recognised in with confidence. Real
prose mixing Chinese, Japanese or Korean with English terms stays near 0; text in a
shifted font encoding ("Wkh slsholqh") or symbol soup goes near 1.

Characters come from classifiers/scripts.py; checks are `rules_base.Check`s like the
quality rule sets, so thresholds are a typed config and every failed check names a reason.
"""

from __future__ import annotations

import regex

from datamill.classifiers import scripts
from datamill.classifiers.rules_base import Check, RuleParams, failures

__all__ = ["CHECKS", "Params", "failures", "scores"]

_CC = scripts.char_class
_PRIVATE_USE = regex.compile(f"[{_CC(scripts.PRIVATE_USE)}]")
_CONTROL = regex.compile(f"[{_CC(scripts.CONTROL)}]")
_LATIN1_MOJIBAKE = regex.compile(
    f"[{_CC(scripts.UTF8_LEAD_AS_LATIN1)}][{_CC(scripts.UTF8_CONTINUATION_AS_LATIN1)}]+|锟斤拷|烫烫|屯屯"
)
_NON_ASCII_RUN = regex.compile(f"[^{_CC(scripts.ASCII)}\ufffd]{{4,}}")
_SYMBOL = regex.compile(r"\p{S}")
_SPACE = regex.compile(r"\s+")
MAX_GBK_SCAN = 20_000  # characters of non-ASCII runs checked for UTF-8-read-as-GBK


class Params(RuleParams):
    # shares of the non-space characters; None switches a check off
    max_mojibake_ratio: float | None = 0.05  # clean prose here: 0 (accented Latin included)
    max_private_use_ratio: float | None = 0.05  # icon fonts leave a few; whole runs are glyph ids
    max_replacement_ratio: float | None = 0.01
    max_control_ratio: float | None = 0.01
    max_symbol_ratio: float | None = 0.25  # tables of numbers stay far below; box-drawing soup above
    # share of the bytes in segments lid.176 is unsure of: mixed zh/en prose stays under 0.05
    max_lid_unsure_share: float | None = 0.5
    min_chars: int = 20  # shorter texts are scored but not judged (a ratio of 3 characters says little)
    min_chars_for_lid: int = 50  # shorter texts: lid.176 is not asked (too little to judge)
    lid_min_prob: float = 0.5  # a segment whose top language is less likely than this is unsure


# the most specific first: mojibake also leaves replacement characters and symbols
CHECKS = (
    Check("garbage_mojibake_ratio", "max", "max_mojibake_ratio", "mojibake"),  # a wrong charset
    # a PDF font without a Unicode map
    Check("garbage_private_use_ratio", "max", "max_private_use_ratio", "private_use_chars"),
    Check("garbage_replacement_ratio", "max", "max_replacement_ratio", "replacement_chars"),  # undecodable
    Check("garbage_control_ratio", "max", "max_control_ratio", "control_chars"),  # binary read as text
    Check("garbage_symbol_ratio", "max", "max_symbol_ratio", "symbols"),
    # a shifted font encoding, base64, letters of no language
    Check("garbage_lid_unsure_share", "max", "max_lid_unsure_share", "no_language"),
)


def scores(text: str) -> dict[str, float]:
    """The character scores of `text` (not the lid.176 share: the stage batches that)."""
    chars = len(text) - sum(len(m) for m in _SPACE.findall(text))
    n = max(1, chars)
    return {
        "garbage_chars": float(chars),
        "garbage_replacement_ratio": text.count("\ufffd") / n,
        "garbage_private_use_ratio": len(_PRIVATE_USE.findall(text)) / n,
        "garbage_control_ratio": len(_CONTROL.findall(text)) / n,
        "garbage_mojibake_ratio": _mojibake_chars(text) / n,
        "garbage_symbol_ratio": len(_SYMBOL.findall(text)) / n,
    }


def _mojibake_chars(text: str) -> int:
    count = sum(len(m) for m in _LATIN1_MOJIBAKE.findall(text))
    scanned = 0
    for run in _NON_ASCII_RUN.findall(text):
        if scanned > MAX_GBK_SCAN:
            break
        scanned += len(run)
        count += len(run) if _utf8_read_as_gbk(run) else 0
    return count


def _utf8_read_as_gbk(run: str) -> bool:
    """Whether `run` is UTF-8 text that was decoded as GBK: its GBK bytes decode as UTF-8
    (real Chinese in GBK almost never does: its bytes break UTF-8's lead/continuation
    pattern within a few characters)."""
    try:
        raw = run.encode("gbk")
    except UnicodeEncodeError:
        return False
    fixed = raw.decode("utf-8", "replace")
    return fixed.count("\ufffd") * 10 <= len(fixed) and fixed != run
