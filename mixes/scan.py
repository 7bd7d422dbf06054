"""Pass one of an export: the narrow columns of one kept-rows file, never its text.

A task reads the columns the mix needs (licence, opt-out, source, lang, the filters' columns)
and the stored `tokens`; only a file without usable counts, or a mix whose filter reads
`text`, has its text read, a batch at a time, counted and dropped. Each row keeps its place
(`_file`, `_row`) so pass two can fetch its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from datamill.mixes.inputs import SIGNAL_PREFIX, signal_column
from datamill.mixes.shards import EXPORT_SCHEMA
from datamill.mixes.tokens import TokenCounter
from datamill.pipeline.schema import RECORD_SCHEMA, SIGNALS, conform
from datamill.pipeline.textref import TEXT_REF, TextFiles, resolve, run_dir_of

FILE, ROW = "_file", "_row"
MATCH = "_match_"  # `_match_<i>`: component i's filter, evaluated batch by batch (it reads text)
BASE_COLUMNS = ("id", "source", "lang", "license", "tdm_opt_out")
_BATCH_ROWS = 65536
_TEXT_BATCH_ROWS = 512  # rows per batch when the text is read


@dataclass(frozen=True)
class ScanRequest:
    """What pass one reads of every file: `columns` (record columns, besides `tokens`),
    `signal_keys` as `signal_<key>` columns, and the filters that need the text."""

    columns: tuple[str, ...]
    signal_keys: tuple[str, ...]
    text_filters: tuple[tuple[int, str], ...]  # (component index, SQL)
    counter: TokenCounter
    use_stored: bool  # the run's stored tokens were counted as the spec asks


@dataclass(frozen=True)
class FileSizes:
    """Sizes from a file's Parquet footer (no data read): rows, and the uncompressed bytes of
    the export's columns, text apart."""

    rows: int
    text_raw: int
    other_raw: int


def _stored_usable(parquet: pq.ParquetFile) -> bool:
    """Every row group has a `tokens` column with statistics saying it holds no null."""
    meta = parquet.metadata
    paths = [meta.schema.column(i).path for i in range(meta.num_columns)]
    if "tokens" not in paths:
        return False
    index = paths.index("tokens")  # a Parquet leaf column, not an Arrow field index
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_null_count or stats.null_count:
            return False
    return True


def sizes(parquet: pq.ParquetFile, run_dir: Path) -> FileSizes:
    """Footer sizes; the text a file holds by reference (textref.py) is counted as its share
    of the referenced files' text (from their footers and the `text_ref.file` statistics)."""
    meta = parquet.metadata
    wanted = set(EXPORT_SCHEMA.names)
    raw = text_raw = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            column = group.column(c)
            name = column.path_in_schema
            if name == "text":
                text_raw += column.total_uncompressed_size
            elif name in wanted:
                raw += column.total_uncompressed_size
    for file, rows in _referenced_rows(parquet).items():
        held = sizes(pq.ParquetFile(run_dir / file), run_dir)
        text_raw += held.text_raw * rows // max(1, held.rows)
    return FileSizes(meta.num_rows, text_raw, raw)


def _referenced_rows(parquet: pq.ParquetFile) -> dict[str, int]:
    """Rows per referenced file, from each row group's `text_ref.file` statistics (a group
    referring to more than one file has that column read)."""
    meta = parquet.metadata
    paths = [meta.schema.column(i).path for i in range(meta.num_columns)]
    if f"{TEXT_REF}.file" not in paths:
        return {}
    index = paths.index(f"{TEXT_REF}.file")
    out: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is not None and stats.has_null_count:
            valid = meta.row_group(g).num_rows - stats.null_count
            if not valid:
                continue
            if stats.has_min_max and stats.min == stats.max:
                out[stats.min] = out.get(stats.min, 0) + valid
                continue
        refs = parquet.read_row_group(g, columns=[TEXT_REF]).column(0).combine_chunks()
        for file in refs.flatten()[0].drop_null().to_pylist():
            out[file] = out.get(file, 0) + 1
    return out


def scan_file(path: str, file_index: int, run: str, request: ScanRequest) -> tuple[pa.Table, FileSizes]:
    """The narrow rows of one file (`request.columns`, `tokens`, `_file`, `_row`, matches)."""
    run_dir = run_dir_of(path)
    parquet = pq.ParquetFile(path, pre_buffer=False)  # read a column chunk as it is needed
    present = set(parquet.schema_arrow.names)
    stored = request.use_stored and _stored_usable(parquet)
    needs_text = not stored or bool(request.text_filters)
    read = [c for c in request.columns if c in present and c != "text"]
    read += ["tokens"] if stored else []
    read += ["text"] if needs_text and "text" in present else []
    read += [TEXT_REF] if "text" in read and TEXT_REF in present else []
    texts = TextFiles(run_dir)
    read += ["signals"] if request.signal_keys and "signals" in present else []
    schema = scan_schema(request)
    out, start = [], 0
    batch_rows = _TEXT_BATCH_ROWS if "text" in read else _BATCH_ROWS
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=read):
        table = resolve(pa.Table.from_batches([batch]), texts)
        n = table.num_rows
        if not stored:
            texts = table["text"] if "text" in table.column_names else pa.nulls(n, pa.large_string())
            table = table.append_column("tokens", pa.array(request.counter.count(texts), pa.int64()))
        for key in request.signal_keys:
            maps = table["signals"] if "signals" in table.column_names else pa.nulls(n, SIGNALS)
            table = table.append_column(SIGNAL_PREFIX + key, signal_column(maps, key))
        if request.text_filters:
            frame = pl.from_arrow(conform(table, _filter_schema(request))).with_columns(run=pl.lit(run))
            for i, sql in request.text_filters:
                hit = frame.select(pl.sql_expr(sql).fill_null(False).alias("m"))["m"]
                table = table.append_column(f"{MATCH}{i}", hit.to_arrow())
        table = table.append_column(FILE, pa.array(np.full(n, file_index, np.int32)))
        table = table.append_column(ROW, pa.array(np.arange(start, start + n, dtype=np.int64)))
        out.append(conform(table, schema))
        start += n
    return (pa.concat_tables(out) if out else schema.empty_table()), sizes(parquet, run_dir)


def _filter_schema(request: ScanRequest) -> pa.Schema:
    """The columns a filter on the text may read, in one batch."""
    fields = [RECORD_SCHEMA.field(c) for c in request.columns] + [pa.field("tokens", pa.int64())]
    return pa.schema(fields + [pa.field(SIGNAL_PREFIX + k, pa.float64()) for k in request.signal_keys])


def scan_schema(request: ScanRequest) -> pa.Schema:
    fields = [f for f in _filter_schema(request) if f.name != "text"]
    fields += [pa.field(f"{MATCH}{i}", pa.bool_()) for i, _ in request.text_filters]
    return pa.schema([*fields, pa.field(FILE, pa.int32()), pa.field(ROW, pa.int64())])
