"""Text by reference (docs/architecture.md, Text moves once).

The first rows pass writes every row's text. A later rows pass writes a row's text only where
one of its stages changed it; every other row it writes (kept or rejected) carries `text_ref`
instead: the file (relative to the run directory) and row number that hold its text, and a
null `text`. So a run whose global stages only decide which rows stay (dedup) writes the text
once, and the passes that apply their decisions read no text at all.

Readers that want the text call `resolve` (through `TextFiles`, which reads the referenced
row groups' `text` column only); `outputs.kept` and `outputs.rejected` do it for you.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline.schema import RECORD_SCHEMA

TEXT_REF = "text_ref"
TEXT_REF_TYPE = RECORD_SCHEMA.field(TEXT_REF).type
#: the text a rows pass read for a row, beside `text`, so the pass can tell which texts its
#: stages changed (never written)
TEXT_IN = "_text_in"


def refs(file: str, first_row: int, count: int) -> pa.StructArray:
    """References to rows `first_row ..` of `file` (relative to the run directory)."""
    files = pa.repeat(pa.scalar(file, pa.string()), count)
    rows = pa.array(np.arange(first_row, first_row + count, dtype=np.int64))
    return pa.StructArray.from_arrays([files, rows], fields=list(TEXT_REF_TYPE))


def with_refs(table: pa.Table, file: str, first_row: int) -> pa.Table:
    """`table` (rows `first_row ..` of `file`, read without their text where they hold it) with
    every row's `text_ref` set: its own where it had one, else into `file`."""
    own = refs(file, first_row, table.num_rows)
    if TEXT_REF in table.column_names:
        column = table.column(TEXT_REF).combine_chunks()
        if column.null_count < len(column):
            own = pc.if_else(pc.is_valid(column), column, own)
        return table.set_column(table.column_names.index(TEXT_REF), TEXT_REF, own)
    return table.append_column(TEXT_REF, own)


def stored(table: pa.Table) -> pa.Table:
    """`table` as a rows pass writes it: a row whose text its stages left as it was read (or
    did not read) keeps its `text_ref` and a null `text`; a changed text is written and its
    reference dropped. `TEXT_IN` is removed."""
    names = table.column_names
    if TEXT_REF not in names:
        return table.drop_columns([TEXT_IN]) if TEXT_IN in names else table
    ref = table.column(TEXT_REF).combine_chunks()
    if ref.null_count == len(ref):
        return table.drop_columns([TEXT_IN]) if TEXT_IN in names else table
    text = table.column("text").combine_chunks() if "text" in names else pa.nulls(len(ref), pa.large_string())
    if TEXT_IN in names:
        unchanged = pc.fill_null(pc.equal(text, table.column(TEXT_IN).combine_chunks()), False)
        table = table.drop_columns([TEXT_IN])
    else:
        unchanged = pc.is_null(text)
    keep = pc.and_(pc.is_valid(ref), unchanged)
    text = pc.if_else(keep, pa.scalar(None, text.type), text)
    ref = pa.StructArray.from_arrays(
        [ref.field("file"), ref.field("row")], fields=list(TEXT_REF_TYPE), mask=pc.invert(keep)
    )
    table = table.set_column(table.column_names.index(TEXT_REF), TEXT_REF, ref)
    if "text" in table.column_names:
        return table.set_column(table.column_names.index("text"), "text", text)
    return table


def run_dir_of(rows_file: str | Path) -> Path:
    """The run directory of a rows file (`<run>/stages/<segment>/<shard>.parquet`, or
    `<run>/rejected/<stage>/<shard>.parquet`)."""
    return Path(rows_file).parents[2]


class TextFiles:
    """Texts by (file, row) from a run directory's Parquet files: the row groups holding the
    rows asked for, the `text` column only; the last groups read from each file are kept, as
    consecutive batches of a pass ask for rows of the same groups."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._files: dict[str, tuple[pq.ParquetFile, np.ndarray]] = {}
        self._last: dict[str, tuple[tuple[int, ...], pa.Array]] = {}

    def _open(self, file: str) -> tuple[pq.ParquetFile, np.ndarray]:
        if file not in self._files:
            parquet = pq.ParquetFile(self.run_dir / file)
            meta = parquet.metadata
            counts = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
            self._files[file] = (parquet, np.concatenate(([0], np.cumsum(counts, dtype=np.int64))))
        return self._files[file]

    def texts(self, file: str, rows: np.ndarray) -> pa.Array:
        """The texts of `rows` of `file`, in the order asked."""
        parquet, starts = self._open(file)
        if len(rows) and (rows.min() < 0 or rows.max() >= starts[-1]):
            raise ValueError(
                f"{self.run_dir / file}: has {starts[-1]} rows, a text reference asks for row {rows.max()}"
            )
        group_of = np.searchsorted(starts, rows, side="right") - 1
        groups = tuple(int(g) for g in np.unique(group_of))
        cached = self._last.get(file)
        if cached is None or not set(groups) <= set(cached[0]):
            column = parquet.read_row_groups(list(groups), columns=["text"], use_threads=False).column(0)
            cached = (groups, column.combine_chunks().cast(pa.large_string()))
            self._last[file] = cached
        held = np.array(cached[0], dtype=np.int64)
        base = np.concatenate(([0], np.cumsum(starts[held + 1] - starts[held])))
        local = rows - starts[group_of] + base[np.searchsorted(held, group_of)]
        return cached[1].take(pa.array(local))


def resolve(table: pa.Table, files: TextFiles) -> pa.Table:
    """`table` with the text of every row that holds a `text_ref` instead, read from its file."""
    if TEXT_REF not in table.column_names:
        return table
    ref = table.column(TEXT_REF).combine_chunks()
    if ref.null_count == len(ref):
        return table
    text = (
        table.column("text").combine_chunks().cast(pa.large_string())
        if "text" in table.column_names
        else pa.nulls(len(ref), pa.large_string())
    )
    wanted = pc.and_(pc.is_valid(ref), pc.is_null(text)).to_numpy(zero_copy_only=False)
    where = np.flatnonzero(wanted)
    if not len(where):
        return table
    file = ref.field("file").take(pa.array(where)).to_numpy(zero_copy_only=False)
    row = ref.field("row").take(pa.array(where)).to_numpy(zero_copy_only=False)
    index = np.arange(len(text), dtype=np.int64)
    parts = [text]
    offset = len(text)
    for name in dict.fromkeys(file):
        mine = file == name
        parts.append(files.texts(name, row[mine]))
        index[where[mine]] = offset + np.arange(int(mine.sum()))
        offset += int(mine.sum())
    filled = pa.concat_arrays(parts).take(pa.array(index))
    if "text" in table.column_names:
        return table.set_column(table.column_names.index("text"), "text", filled)
    return table.append_column("text", filled)
