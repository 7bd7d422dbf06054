"""Pass one's results joined in the driver: every input file's eligible rows as NumPy arrays,
in pool order (run, then id, stable), with the ids and the labels (source, licence, lang) as
small integers. Nothing here holds a string per row: the ids are ranked (mixes/order.py) and
dropped, the labels are codes into one list of values per column."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from datamill.mixes.order import string_ranks
from datamill.mixes.scan import LABELS, FileScan, Labels
from datamill.mixes.workers import release_unused


@dataclass(frozen=True)
class Eligible:
    """Rows allowed by the policy and taken by some component, in pool order: their input
    `file` (index into the export's files) and `row` in it, `tokens`, `matches` (a bool column
    per component), `ids` (dense ranks of the ids: equal ids, equal ranks) and `labels`."""

    file: np.ndarray
    row: np.ndarray
    tokens: np.ndarray
    matches: np.ndarray
    ids: np.ndarray
    labels: dict[str, Labels]

    def __len__(self) -> int:
        return len(self.file)


def join(scans: list[FileScan], run_ranks: list[int], components: int) -> Eligible:
    """The eligible rows of `scans` (one per input file, in order; `run_ranks`: each file's
    run's rank by name), ordered by (run, id), stable. Empties `scans` as it goes."""
    counts = [len(s.row) for s in scans]
    ids = [s.ids for s in scans]
    rows, tokens = [s.row for s in scans], [s.tokens for s in scans]
    matches = [s.matches for s in scans] or [np.zeros((0, components), bool)]
    labels = {name: [s.labels[name] for s in scans] for name in LABELS}
    scans.clear()  # the lists above hold each part until it is joined
    file = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    ids = pa.concat_arrays(ids) if ids else pa.array([], pa.large_string())
    release_unused()  # the parts' memory: else Arrow's pool keeps it
    id_ranks = string_ranks(ids)
    del ids
    order = np.lexsort((id_ranks, np.asarray(run_ranks, np.int64)[file]))
    return Eligible(
        file=file[order],
        row=_joined(rows, np.int64)[order],
        tokens=_joined(tokens, np.int64)[order],
        matches=np.concatenate(matches)[order],
        ids=id_ranks[order],
        labels={name: _unified(parts, order) for name, parts in labels.items()},
    )


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _unified(parts: list[Labels], order: np.ndarray) -> Labels:
    """One list of values for all files (in order of first appearance) and the rows' codes."""
    values: dict[str, int] = {}
    codes = []
    for part in parts:
        lookup = np.array([values.setdefault(v, len(values)) for v in part.values], np.int32)
        codes.append(lookup[part.codes] if len(lookup) else part.codes)
    return Labels(list(values), _joined(codes, np.int32)[order])


def breakdown(labels: Labels, rows: np.ndarray, tokens: np.ndarray) -> dict[str, dict[str, int]]:
    """Docs and tokens per value of `labels` at `rows` (with their `tokens`), by value."""
    codes = labels.codes[rows]
    docs = np.bincount(codes, minlength=len(labels.values))
    sums = np.zeros(len(labels.values), np.int64)
    np.add.at(sums, codes, tokens)
    present = sorted(np.flatnonzero(docs).tolist(), key=labels.values.__getitem__)
    return {labels.values[c]: {"docs": int(docs[c]), "tokens": int(sums[c])} for c in present}
