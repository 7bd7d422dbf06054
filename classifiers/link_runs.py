"""Navigation left in extracted text: runs of lines that are each the whole text of a link.

When a page has no <article>/<main> and its body is a plain <div> (text split by <br>, one
<div> or <span> per paragraph: common on Chinese news sites), trafilatura's fallback keeps the
menu and the sidebar's lists of links, one link per line. A run of `min_run` or more
consecutive lines each equal to some link's text on the page is navigation and is dropped; a
single link line inside an article (a "download the report" link, a reference) is kept.
Link texts are read from the raw HTML with one regular expression (no second parse).
"""

from __future__ import annotations

import re

_LINK_TEXT = re.compile(r"<a\b[^>]*>([^<]{1,200})</a>", re.I)
_SPACES = re.compile(r"\s+")
MIN_RUN = 3


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def drop_link_runs(text: str, html: str, min_run: int = MIN_RUN) -> tuple[str, int]:
    """`text` without runs of `min_run`+ lines that are each a whole link text of `html`,
    and the number of lines dropped."""
    lines = text.split("\n")
    links = {_norm(t) for t in _LINK_TEXT.findall(html)} - {""}
    if not links:
        return text, 0
    is_link = [_norm(line) in links for line in lines]
    keep = [True] * len(lines)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and is_link[end]:
            end += 1
        if end - start >= min_run:
            keep[start:end] = [False] * (end - start)
        start = end + 1 if end == start else end
    dropped = keep.count(False)
    return (
        ("\n".join(line for line, k in zip(lines, keep, strict=True) if k), dropped) if dropped else (text, 0)
    )
