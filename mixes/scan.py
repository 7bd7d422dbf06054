"""Pass one of an export: one kept-rows file's narrow columns, never its text, reduced to what
sampling and the plan need.

A task reads the columns the mix needs (licence, opt-out, source, lang, the filters' columns)
and the stored `tokens`; only a file without usable counts, or a mix whose filter reads
`text`, has its text read, a batch at a time, counted and dropped. The licence policy and the
components' filters (row predicates) are applied here, so only the file's eligible rows
(allowed by the policy and taken by some component) come back, compactly: NumPy arrays of their
row numbers, tokens and filter matches, their ids as one Arrow array, and source, licence and
lang as codes into the file's own list of values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.mixes import policy
from datamill.mixes.inputs import SIGNAL_PREFIX, signal_column
from datamill.mixes.shards import EXPORT_SCHEMA
from datamill.mixes.spec import LicensePolicy, MixSpecError
from datamill.mixes.tokens import TokenCounter
from datamill.pipeline.schema import RECORD_SCHEMA, SIGNALS, conform
from datamill.pipeline.textref import TEXT_REF, TextFiles, resolve, run_dir_of

MATCH = "_match_"  # `_match_<i>`: component i's filter on the text, evaluated batch by batch
BASE_COLUMNS = ("id", "source", "lang", "license", "tdm_opt_out")
LABELS = {"source": "", "license": policy.UNKNOWN, "lang": "und"}  # column: what null reads as
_HIT = "_hit"  # where a filter holds
_REASON = "_policy"  # why the policy excludes a row (null: it does not)
_BATCH_ROWS = 65536
_TEXT_BATCH_ROWS = 512  # rows per batch when the text is read


@dataclass(frozen=True)
class Filter:
    """A component's filter as one run's files see it: `sql` None when the component takes
    nothing of that run."""

    component: str
    sql: str | None
    reads_text: bool


@dataclass(frozen=True)
class ScanRequest:
    """What pass one reads of every file of a run: `columns` (record columns, besides
    `tokens`), `signal_keys` as `signal_<key>` columns; and what it applies: the licence
    policy and each component's filter."""

    run: str
    columns: tuple[str, ...]
    signal_keys: tuple[str, ...]
    filters: tuple[Filter, ...]  # one per component
    policy: LicensePolicy
    counter: TokenCounter
    use_stored: bool  # the run's stored tokens were counted as the spec asks


@dataclass(frozen=True)
class FileSizes:
    """Sizes from a file's Parquet footer (no data read): rows, and the uncompressed bytes of
    the export's columns, text apart."""

    rows: int
    text_raw: int
    other_raw: int


@dataclass(frozen=True)
class Labels:
    """A string column as codes (int32) into `values` (null read as LABELS says)."""

    values: list[str]
    codes: np.ndarray


@dataclass(frozen=True)
class FileScan:
    """One file's pass one: its sizes, kept rows and their tokens, what the policy excluded
    (reason -> (docs, tokens)), and its eligible rows (`row` in the file, `tokens`, `matches`
    (a bool column per component), `ids`, `labels` of LABELS' columns)."""

    sizes: FileSizes
    rows: int
    all_tokens: int
    excluded: dict[str, tuple[int, int]]
    row: np.ndarray
    tokens: np.ndarray
    matches: np.ndarray
    ids: pa.Array
    labels: dict[str, Labels]


def _stored_usable(parquet: pq.ParquetFile) -> bool:
    """Every row group has a `tokens` column with statistics saying it holds no null."""
    meta = parquet.metadata
    if "tokens" not in parquet.schema_arrow.names:
        return False
    paths = _leaf_paths(meta)
    index = paths.index("tokens") if paths else -1  # a Parquet leaf column, not an Arrow field index
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or not stats.has_null_count or stats.null_count:
            return False
    return True


def _leaf_paths(meta: pq.FileMetaData) -> list[str]:
    """The Parquet leaf columns' paths, from the first row group: `meta.schema` and the
    metadata refer to each other, a cycle that keeps the decoded footer (1.7 MB a file here)
    until the garbage collector's rare full pass, so 80 files held 130 MB."""
    first = meta.row_group(0) if meta.num_row_groups else None
    return [first.column(c).path_in_schema for c in range(first.num_columns)] if first else []


def sizes(parquet: pq.ParquetFile, run_dir: Path) -> FileSizes:
    """Footer sizes; the text a file holds by reference (textref.py) is counted as its share
    of the referenced files' text (from their footers and the `text_ref.file` statistics)."""
    meta = parquet.metadata
    paths = _leaf_paths(meta)
    text = [c for c, name in enumerate(paths) if name == "text"]
    other = [c for c, name in enumerate(paths) if name in EXPORT_SCHEMA.names and name != "text"]
    raw = text_raw = 0
    for g in range(meta.num_row_groups):  # the wanted columns only: metadata calls cost
        group = meta.row_group(g)
        text_raw += sum(group.column(c).total_uncompressed_size for c in text)
        raw += sum(group.column(c).total_uncompressed_size for c in other)
    for file, rows in _referenced_rows(parquet).items():
        held = sizes(pq.ParquetFile(run_dir / file), run_dir)
        text_raw += held.text_raw * rows // max(1, held.rows)
    return FileSizes(meta.num_rows, text_raw, raw)


def _referenced_rows(parquet: pq.ParquetFile) -> dict[str, int]:
    """Rows per referenced file, from each row group's `text_ref.file` statistics (a group
    referring to more than one file has that column read)."""
    meta = parquet.metadata
    paths = _leaf_paths(meta)
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


def matches(frame: pl.DataFrame, f: Filter) -> np.ndarray:
    """Where `f` holds on the rows of `frame` (its record columns and `run`); MixSpecError
    naming the component if polars cannot evaluate it."""
    if f.sql is None:
        return np.zeros(frame.height, bool)
    try:
        hit = frame.with_columns(pl.sql_expr(f.sql).fill_null(False).alias(_HIT))[_HIT]  # literals too
    except (pl.exceptions.PolarsError, pl.exceptions.SQLInterfaceError) as exc:
        raise MixSpecError(f"component {f.component!r}: filter {f.sql!r} failed: {exc}") from exc
    return hit.to_numpy().astype(bool, copy=False)


def check_filters(request: ScanRequest) -> None:
    """Evaluate every filter on no rows, so that one polars cannot evaluate fails before any
    file is read (and even for a run without files)."""
    frame = pl.from_arrow(_filter_schema(request).empty_table()).with_columns(run=pl.lit(request.run))
    for f in request.filters:
        matches(frame, f)


def _read(parquet: pq.ParquetFile, run_dir: Path, request: ScanRequest) -> pa.Table:
    """The file's narrow columns (scan_schema), tokens counted and text filters evaluated a
    batch at a time where the text must be read (text held by reference resolved)."""
    present = set(parquet.schema_arrow.names)
    stored = request.use_stored and _stored_usable(parquet)
    text_filters = [(i, f) for i, f in enumerate(request.filters) if f.reads_text]
    needs_text = not stored or bool(text_filters)
    read = [c for c in request.columns if c in present and c != "text"]
    read += ["tokens"] if stored else []
    read += ["text"] if needs_text and "text" in present else []
    read += [TEXT_REF] if "text" in read and TEXT_REF in present else []
    text_files = TextFiles(run_dir)
    read += ["signals"] if request.signal_keys and "signals" in present else []
    schema = scan_schema(request)
    out = []
    batch_rows = _TEXT_BATCH_ROWS if "text" in read else _BATCH_ROWS
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=read):
        table = resolve(pa.Table.from_batches([batch]), text_files)
        n = table.num_rows
        if not stored:
            texts = table["text"] if "text" in table.column_names else pa.nulls(n, pa.large_string())
            table = table.append_column("tokens", pa.array(request.counter.count(texts), pa.int64()))
        for key in request.signal_keys:
            maps = table["signals"] if "signals" in table.column_names else pa.nulls(n, SIGNALS)
            table = table.append_column(SIGNAL_PREFIX + key, signal_column(maps, key))
        if text_filters:
            frame = pl.from_arrow(conform(table, _filter_schema(request)))
            frame = frame.with_columns(run=pl.lit(request.run))
            for i, f in text_filters:
                table = table.append_column(f"{MATCH}{i}", pa.array(matches(frame, f)))
        out.append(conform(table, schema))
    return pa.concat_tables(out) if out else schema.empty_table()


def scan_file(path: str, request: ScanRequest) -> FileScan:
    """Pass one of one file (see the module's docstring)."""
    parquet = pq.ParquetFile(path, pre_buffer=False)  # read a column chunk as it is needed
    run_dir = run_dir_of(path)
    table = _read(parquet, run_dir, request)
    frame = pl.from_arrow(table).with_columns(run=pl.lit(request.run))
    frame = frame.with_columns(policy.violation(request.policy, frame).alias(_REASON))
    excluded = (
        frame.filter(pl.col(_REASON).is_not_null())
        .group_by(_REASON)
        .agg(docs=pl.len(), tokens=pl.col("tokens").sum())
    )
    allowed = frame[_REASON].is_null()
    frame = frame.filter(allowed)
    allowed = allowed.to_numpy()
    hits = [
        frame[f"{MATCH}{i}"].to_numpy().astype(bool) if f.reads_text else matches(frame, f)
        for i, f in enumerate(request.filters)
    ]
    hits = np.column_stack(hits) if hits else np.zeros((frame.height, 0), bool)
    taken = hits.any(axis=1)
    keep = pa.array(np.flatnonzero(allowed)[taken])
    return FileScan(
        sizes=sizes(parquet, run_dir),
        rows=table.num_rows,
        all_tokens=int(pc.sum(table["tokens"]).as_py() or 0),
        excluded={r: (int(d), int(t)) for r, d, t in excluded.iter_rows()},
        row=keep.to_numpy(),
        tokens=frame["tokens"].to_numpy()[taken].astype(np.int64),
        matches=hits[taken],
        ids=table["id"].take(keep).combine_chunks().cast(pa.large_string()),
        labels={c: _labels(table[c].take(keep), null_as) for c, null_as in LABELS.items()},
    )


def _labels(column: pa.ChunkedArray, null_as: str) -> Labels:
    encoded = pc.dictionary_encode(pc.fill_null(column.combine_chunks(), null_as))
    return Labels(encoded.dictionary.to_pylist(), encoded.indices.to_numpy().astype(np.int32))


def _filter_schema(request: ScanRequest) -> pa.Schema:
    """The columns a filter on the text may read, in one batch."""
    fields = [RECORD_SCHEMA.field(c) for c in request.columns] + [pa.field("tokens", pa.int64())]
    return pa.schema(fields + [pa.field(SIGNAL_PREFIX + k, pa.float64()) for k in request.signal_keys])


def scan_schema(request: ScanRequest) -> pa.Schema:
    fields = [f for f in _filter_schema(request) if f.name != "text"]
    fields += [pa.field(f"{MATCH}{i}", pa.bool_()) for i, f in enumerate(request.filters) if f.reads_text]
    return pa.schema(fields)
