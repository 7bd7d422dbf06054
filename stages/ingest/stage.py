"""Ingest: input files to record batches (the first step of every run).

Sources are cut into shards (a WARC file, a JSONL/Parquet file, or a group of files from a
folder). `read_shard` yields Arrow batches in the working schema; a record that cannot be read
(broken WARC record, malformed JSON line, undecodable text, unsupported type) becomes a row
with a `drop_reason`, so nothing disappears silently: a WARC record whose header is cut short
is `ingest:malformed_warc_record:header`, a WARC or JSONL file holding no record at all one row
`ingest:empty_file`.
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.schema import WORKING_SCHEMA, conform, make_id
from datamill.pipeline.stage import Shard, SourceStage, StageConfig
from datamill.stages.ingest.decode import UndecodableError, decode, header_charset
from datamill.stages.ingest.formats import (
    FILE_SUFFIXES,
    SUPPORTED_TYPES,
    TEXT_TYPES,
    mime_type,
)
from datamill.stages.ingest.sources import FilesSource, Source, SourceConfig, TableSource, expand_paths

NAME = "ingest"
VERSION = "3"

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
GZIP_MAGIC = b"\x1f\x8b\x08"
JSONL_BLOCK_BYTES = 1 << 20  # JSONL lines parsed together (Arrow's parser was fastest at 1 MiB)
# values Arrow's JSON parser (RapidJSON, NaN and Inf allowed) takes and `json.loads` rejects:
# -NaN, Inf and -Inf (both take NaN, Infinity and -Infinity); in a string, only a false alarm
_NOT_PYTHON_JSON = re.compile(rb"[:,\[][ \t\r]*(?:-NaN|-?Inf)[ \t\r]*[,}\]]")


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def plan_shards(sources: list[SourceConfig], base: Path) -> list[Shard]:
    """Cut every source into shards, in a stable order."""
    shards: list[Shard] = []
    for source in sources:
        files: list[Path] = []
        for path in expand_paths(base, source.input_paths):
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
        if source.format == "warc":
            files = [f for f in files if f.name.endswith(WARC_SUFFIXES)]
        elif source.format in ("jsonl", "parquet"):
            suffixes = (".jsonl", ".json", ".jsonl.gz") if source.format == "jsonl" else (".parquet",)
            files = [f for f in files if f.name.endswith(suffixes)]
        rel = [_rel(f, base) for f in dict.fromkeys(files)]
        step = source.files_per_shard if isinstance(source, FilesSource) else 1
        for i in range(0, len(rel), step):
            shards.append(Shard(source.name, source.kind, tuple(rel[i : i + step])))
    return shards


# a batch ends at `batch_rows` rows or once its text and raw bytes reach this, whichever
# comes first: large batches spread the per-batch costs (lineage, Arrow calls) of every stage
# of a pass, the cap keeps a batch of PDFs or large pages from holding gigabytes
BATCH_BYTES = 64 << 20


class _Batcher:
    """Collects rows (one at a time, or tables of them) and hands out Arrow batches of the
    working schema: `batch_rows` rows each but the last, or fewer where their bytes reach
    BATCH_BYTES."""

    def __init__(self, source: str, batch_rows: int, max_bytes: int) -> None:
        self.source = source
        self.batch_rows = batch_rows
        self.max_bytes = max_bytes  # a document larger than this is rejected unread
        self.rows: list[dict[str, Any]] = []  # after `tables`
        self.tables: list[pa.Table] = []
        self.pending = 0  # rows in both
        self.held = 0  # their bytes (text and raw)
        self.counters: Counter[str] = Counter()
        self.schema = WORKING_SCHEMA.append(pa.field("drop_reason", pa.string()))

    def add(self, uri: str, locator: str, drop_reason: str | None = None, **fields: Any) -> pa.Table | None:
        row = {
            "id": make_id(self.source, uri, locator),
            "source": self.source,
            "uri": uri,
            "locator": locator,
            "kind": "natural",
            "drop_reason": drop_reason,
            **fields,
        }
        self.rows.append(row)
        self.pending += 1
        self.held += len(fields.get("raw") or b"") + len(fields.get("text") or "")
        return self.flush() if self.pending >= self.batch_rows or self.held >= BATCH_BYTES else None

    def add_table(self, table: pa.Table) -> list[pa.Table]:
        """Rows already in the batch schema; the batches they fill."""
        self._seal()
        self.tables.append(table)
        self.pending += table.num_rows
        self.held += table.nbytes
        if self.held >= BATCH_BYTES and self.pending <= self.batch_rows:
            return [self.flush()]
        if self.pending < self.batch_rows:
            return []
        whole = pa.concat_tables(self.tables)
        full = whole.num_rows - whole.num_rows % self.batch_rows
        rest = whole.slice(full)
        self.tables, self.pending = ([rest] if rest.num_rows else []), rest.num_rows
        self.held = rest.nbytes
        return [whole.slice(start, self.batch_rows) for start in range(0, full, self.batch_rows)]

    def flush(self) -> pa.Table | None:
        self._seal()
        if not self.tables:
            return None
        table = self.tables[0] if len(self.tables) == 1 else pa.concat_tables(self.tables)
        self.tables, self.pending, self.held = [], 0, 0
        return table

    def _seal(self) -> None:
        """The rows added one at a time, as a table after the others."""
        if self.rows:
            self.tables.append(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []


def _warc_records(stream: BinaryIO, path: str, out: _Batcher) -> Iterator[pa.Table]:
    """Read every record; after a broken one, resync at the next gzip member and go on.
    warcio reports absolute offsets; `iterator.offset` is where the failing record began."""
    start = 0
    records = 0
    while True:
        stream.seek(start)
        iterator = ArchiveIterator(stream, check_digests=False)
        try:
            for record in iterator:
                records += 1
                batch = _warc_record(record, path, iterator.offset, out)
                if batch is not None:
                    yield batch
            if records == 0 and start == 0:  # not one record (an empty file): a row, never nothing
                batch = out.add(path, path, "ingest:empty_file")
                if batch is not None:
                    yield batch
            return
        except (
            ArchiveLoadFailed,
            zlib.error,
            EOFError,
            ValueError,
            OSError,
            AttributeError,
            TypeError,
        ) as exc:
            # warcio raises AttributeError/TypeError on a header missing its fields (cut short)
            failed_at = iterator.offset
            locator = f"{path}@{failed_at}"
            detail = "header" if isinstance(exc, AttributeError | TypeError) else type(exc).__name__
            batch = out.add(locator, locator, f"ingest:malformed_warc_record:{detail}")
            if batch is not None:
                yield batch
            nxt = _next_gzip_member(stream, failed_at + 1)
            if nxt is None:
                return
            start = nxt


def _next_gzip_member(stream: BinaryIO, position: int) -> int | None:
    stream.seek(position)
    chunk_size = 1 << 20
    while True:
        chunk = stream.read(chunk_size + 2)
        if not chunk:
            return None
        found = chunk.find(GZIP_MAGIC)
        if found >= 0:
            return position + found
        if len(chunk) <= 2:
            return None
        position += chunk_size
        stream.seek(position)


def _warc_record(record: Any, path: str, offset: int, out: _Batcher) -> pa.Table | None:
    if record.rec_headers.get_header("Content-Length") is None:  # a header cut short (or none)
        locator = f"{path}@{offset}"
        return out.add(locator, locator, "ingest:malformed_warc_record:header")
    if record.rec_type not in ("response", "resource"):
        out.counters[f"skipped_warc_{record.rec_type}"] += 1
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or f"{path}@{offset}"
    locator = f"{path}@{offset}"
    date = record.rec_headers.get_header("WARC-Date")
    fetched = _parse_date(date)
    headers: dict[str, str] = {}
    status = None
    if record.http_headers is not None:
        headers = {k.lower(): v for k, v in record.http_headers.headers}
        status = record.http_headers.get_statuscode()
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    raw = record.content_stream().read(out.max_bytes + 1)  # at most: a bomb is never inflated whole
    mime = mime_type(content_type)
    common = {
        "fetched_at": fetched,
        "content_type": mime,
        "http_headers": json.dumps(headers, ensure_ascii=False),
    }
    if len(raw) > out.max_bytes:
        return out.add(uri, locator, "ingest:doc_too_large", **common)
    if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended before Content-Length bytes
        return out.add(uri, locator, "ingest:truncated_warc_record", **common)
    if status and not str(status).startswith("2"):
        return out.add(uri, locator, f"ingest:http_status_{status}", **common)
    if mime not in SUPPORTED_TYPES:
        return out.add(uri, locator, f"ingest:unsupported_content_type:{mime or 'none'}", **common)
    if not headers.get("content-type"):
        headers["content-type"] = content_type or mime
    return _payload(out, uri, locator, raw, mime, content_type, common)


def _payload(
    out: _Batcher,
    uri: str,
    locator: str,
    raw: bytes,
    mime: str,
    content_type: str | None,
    common: dict[str, Any],
) -> pa.Table | None:
    if mime in TEXT_TYPES:
        try:
            text, _ = decode(raw, declared=header_charset(content_type))
        except UndecodableError:
            return out.add(uri, locator, "ingest:undecodable_text", **common)
        return out.add(uri, locator, None, text=text, **common)
    return out.add(uri, locator, None, raw=raw, **common)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def read_shard(
    shard: Shard, source: SourceConfig, base: Path, batch_rows: int, counters: Counter[str] | None = None
) -> Iterator[pa.Table]:
    """Yield working-schema batches (plus `drop_reason`) for every document of `shard`."""
    out = _Batcher(shard.source, batch_rows, source.max_doc_bytes)
    for rel in shard.files:
        path = base / rel
        if source.format == "warc":
            with path.open("rb") as stream:
                yield from _warc_records(stream, rel, out)
        elif source.format == "files":
            batch = _read_file(path, rel, out)
            if batch is not None:
                yield batch
        elif source.format == "jsonl":
            yield from _read_jsonl(path, rel, source, out)
        else:
            yield from _read_parquet(path, rel, source, out)
    last = out.flush()
    if last is not None:
        yield last
    if counters is not None:
        counters.update(out.counters)


def _read_file(path: Path, rel: str, out: _Batcher) -> pa.Table | None:
    mime = FILE_SUFFIXES.get(path.suffix.lower()) or mime_type(mimetypes.guess_type(path.name)[0])
    common = {"fetched_at": _mtime(path), "content_type": mime}
    if mime not in SUPPORTED_TYPES:
        return out.add(rel, rel, f"ingest:unsupported_file_type:{path.suffix.lower() or 'none'}", **common)
    if path.stat().st_size > out.max_bytes:
        return out.add(rel, rel, "ingest:doc_too_large", **common)
    return _payload(out, rel, rel, path.read_bytes(), mime, None, common)


def _read_jsonl(path: Path, rel: str, source: TableSource, out: _Batcher) -> Iterator[pa.Table]:
    """A JSONL file's rows, a block of whole lines at a time: parsed by Arrow at once where
    `_parse_block` can vouch for the result, else line by line (`_read_lines`)."""
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    fetched = _mtime(path)
    before = 0  # lines before the block
    empty = True
    with opener(path, "rb") as handle:
        for block in _blocks(handle, out.max_bytes, JSONL_BLOCK_BYTES):
            if block is None:  # a line over the cap, read past
                before += 1
                empty = False
                locator = f"{rel}#line={before}"
                batch = out.add(locator, locator, "ingest:doc_too_large", fetched_at=fetched)
                if batch is not None:
                    yield batch
                continue
            numbers, lines = _object_lines(block, before, out.max_bytes)
            table = _parse_block(block, numbers, rel, fetched, source, out)
            if table is not None:
                empty = False
                yield from out.add_table(table)
            else:
                batches, content = _read_lines(block, before, rel, fetched, source, out)
                empty = empty and not content
                yield from batches
            before += lines
    if empty:  # not one line: a row, never nothing
        batch = out.add(rel, rel, "ingest:empty_file", fetched_at=fetched)
        if batch is not None:
            yield batch


def _blocks(handle: BinaryIO, limit: int, size: int) -> Iterator[bytes | None]:
    """A file as runs of whole lines, about `size` bytes each (only the file's last line may
    lack its newline); None for a line longer than `limit` bytes that the run would have to
    finish (read past in chunks, never held whole)."""
    while chunk := handle.read(size):
        if chunk.endswith(b"\n"):
            yield chunk
            continue
        tail = handle.readline(limit + 1)
        if len(tail) <= limit or tail.endswith(b"\n"):  # the line ends (or the file does)
            yield chunk + tail
            continue
        whole = chunk.rfind(b"\n") + 1
        if whole:
            yield chunk[:whole]
        while tail and not tail.endswith(b"\n"):
            tail = handle.readline(1 << 20)
        yield None


def _read_lines(
    block: bytes, before: int, rel: str, fetched: datetime, source: TableSource, out: _Batcher
) -> tuple[list[pa.Table], bool]:
    """The rows of a block, a line at a time: every line its own verdict (over the cap,
    malformed, not an object, a lone surrogate, no text). Returns the batches they filled and
    whether any line was more than white space."""
    batches: list[pa.Table] = []
    content = False
    for lineno, line in enumerate(_lines(io.BytesIO(block), out.max_bytes), start=before + 1):
        locator = f"{rel}#line={lineno}"
        if line is None:
            content = True
            batch = out.add(locator, locator, "ingest:doc_too_large", fetched_at=fetched)
        elif not line.strip():
            continue
        else:
            content = True
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not an object")
            except ValueError:
                batch = out.add(locator, locator, "ingest:malformed_json_line", fetched_at=fetched)
            else:
                batch = _table_row(row, locator, fetched, source, out)
        if batch is not None:
            batches.append(batch)
    return batches, content


def _lines(handle: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of a file, None for a line longer than `limit` bytes (read past in chunks, never
    held whole)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = handle.readline(1 << 20)
        yield None


def _parse_block(
    block: bytes, numbers: list[int] | None, rel: str, fetched: datetime, source: TableSource, out: _Batcher
) -> pa.Table | None:
    """The block's rows (batch schema), its object lines `numbers` as `_object_lines` found
    them, parsed by Arrow at once; or None if `_read_lines` must read it. Arrow's parser rejects
    all that `json.loads` does (and duplicate keys, lone surrogates, fields of other types,
    numbers out of range) but the three values `_NOT_PYTHON_JSON` finds, and `_object_lines`
    keeps out what it would read otherwise (several objects or one object over several lines,
    bytes that are not UTF-8)."""
    if not numbers or len(block) >= 1 << 31:
        return None
    if _has_non_python_value(block):
        return None
    fields = dict.fromkeys((source.text_field, source.uri_field, source.title_field))
    options = pajson.ParseOptions(
        explicit_schema=pa.schema([(name, pa.string()) for name in fields]),
        unexpected_field_behavior="ignore",
    )
    try:
        parsed = pajson.read_json(
            io.BytesIO(block),
            read_options=pajson.ReadOptions(use_threads=False, block_size=len(block) + 1),
            parse_options=options,
        )
    except pa.ArrowException:
        return None
    if parsed.num_rows != len(numbers):
        return None
    return _parsed_rows(parsed, numbers, rel, fetched, source, out)


def _has_non_python_value(block: bytes) -> bool:
    """Whether `_NOT_PYTHON_JSON` matches in the block, tried only at its `I`s and `N`s: memchr
    finds those single bytes 7x faster than a search for `Inf` or the regex over the block (hex
    escapes are full of `f`)."""
    for letter, word in ((b"I", b"Inf"), (b"N", b"NaN")):
        at = block.find(letter)
        while at >= 0:
            if block.startswith(word, at):
                before = at - 1 - (block[at - 1 : at] == b"-")  # a minus sign is the value's
                while before >= 0 and block[before] in b" \t\r":
                    before -= 1
                if before >= 0 and _NOT_PYTHON_JSON.match(block, before):
                    return True
            at = block.find(letter, at + 1)
    return False


def _object_lines(block: bytes, before: int, limit: int) -> tuple[list[int] | None, int]:
    """(the numbers of a block's lines that are not blank, if each is one `{...}` (white space
    around it) of at most `limit` bytes in plain UTF-8 (no NUL, no byte order mark, which
    `json.loads` reads as other encodings), else None; the block's line count). Lines are found
    with `bytes.find` (memchr): a numpy scan or `bytes.count` over the block cost 10x more."""
    if b"\x00" in block or not (block.isascii() or _plain_utf8(block)):
        return None, _line_count(block)
    numbers = []
    lineno, start, size = before, 0, len(block)
    while start < size:
        end = block.find(b"\n", start)
        end = size if end < 0 else end
        lineno += 1
        if end - start > limit:
            return None, _line_count(block)
        if end > start and block[start] == 0x7B and block[end - 1] == 0x7D:  # the usual {...}
            numbers.append(lineno)
        elif line := block[start:end].strip():  # padded, or not an object
            if not (line.startswith(b"{") and line.endswith(b"}")):
                return None, _line_count(block)
            numbers.append(lineno)
        start = end + 1
    return numbers, lineno - before


def _plain_utf8(block: bytes) -> bool:
    """Strict UTF-8 (no encoded surrogates either) without a byte order mark."""
    try:
        return "\ufeff" not in block.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _line_count(block: bytes) -> int:
    """Lines in a block (the last may lack its newline)."""
    return block.count(b"\n") + (not block.endswith(b"\n"))


def _parsed_rows(
    parsed: pa.Table, numbers: Sequence[int], rel: str, fetched: datetime, source: TableSource, out: _Batcher
) -> pa.Table:
    """What `_table_row` makes of each parsed line, as one table: the URI field or else the
    locator, the title, the text or `ingest:missing_text_field`."""
    locators = [f"{rel}#line={lineno}" for lineno in numbers]
    given = parsed.column(source.uri_field).to_pylist()
    uris = [uri or locator for uri, locator in zip(given, locators, strict=True)]
    text = parsed.column(source.text_field)
    n = parsed.num_rows
    missing = f"ingest:missing_text_field:{source.text_field}"
    columns = {
        "id": _ids(out.source, uris, locators),
        "source": pa.repeat(pa.scalar(out.source), n),
        "uri": uris,
        "locator": locators,
        "fetched_at": pa.repeat(pa.scalar(fetched, pa.timestamp("us", tz="UTC")), n),
        "content_type": pa.repeat(pa.scalar("text/plain"), n),
        "kind": pa.repeat(pa.scalar("natural"), n),
        "text": text,
        "title": parsed.column(source.title_field),
        "drop_reason": pc.if_else(pc.is_null(text), missing, pa.scalar(None, pa.string())),
    }
    return conform(pa.table(columns), out.schema)


def _ids(source: str, uris: list[str], locators: list[str]) -> list[str]:
    """`make_id` of each (source, uri, locator), without a call per row."""
    prefix = f"{source}\x1f"
    return [
        hashlib.sha256(f"{prefix}{uri}\x1f{locator}".encode()).hexdigest()[:32]
        for uri, locator in zip(uris, locators, strict=True)
    ]


def _read_parquet(path: Path, rel: str, source: TableSource, out: _Batcher) -> Iterator[pa.Table]:
    """Column-wise: a Parquet batch becomes a record batch without a Python dict per row."""
    fetched = _mtime(path)
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    row_number = 0
    for record_batch in parquet.iter_batches(batch_size=out.batch_rows):
        n = record_batch.num_rows
        locators = [f"{rel}#row={i}" for i in range(row_number, row_number + n)]
        row_number += n
        uris = locators
        if source.uri_field in names:
            given = record_batch.column(source.uri_field).cast(pa.string()).to_pylist()
            uris = [u or loc for u, loc in zip(given, locators, strict=True)]
        if source.text_field in names:
            text = record_batch.column(source.text_field).cast(pa.large_string())
        else:
            text = pa.nulls(n, pa.large_string())
        missing = f"ingest:missing_text_field:{source.text_field}"
        columns = {
            "id": [make_id(out.source, u, loc) for u, loc in zip(uris, locators, strict=True)],
            "source": [out.source] * n,
            "uri": uris,
            "locator": locators,
            "fetched_at": pa.array([fetched] * n, pa.timestamp("us", tz="UTC")),
            "content_type": ["text/plain"] * n,
            "kind": ["natural"] * n,
            "text": text,
            "drop_reason": pc.if_else(pc.is_null(text), missing, pa.scalar(None, pa.string())),
        }
        if source.title_field in names:
            columns["title"] = record_batch.column(source.title_field).cast(pa.string())
        pending = out.flush()
        if pending is not None:
            yield pending
        yield conform(pa.table(columns), out.schema)


def _table_row(
    row: dict[str, Any], locator: str, fetched: datetime, source: TableSource, out: _Batcher
) -> pa.Table | None:
    uri = str(row.get(source.uri_field) or locator)
    text = row.get(source.text_field)
    title = row.get(source.title_field)
    fields = {
        "fetched_at": fetched,
        "content_type": "text/plain",
        "title": str(title) if title is not None else None,
    }
    bad = [
        name
        for name, value in (("url", uri), ("title", fields["title"]), ("text", text))
        if _unencodable(value)
    ]
    if bad:  # a lone surrogate ("\ud800") is valid JSON but no UTF-8: the row, not the file, fails
        return out.add(_valid(uri, locator), locator, f"ingest:lone_surrogate:{bad[0]}", fetched_at=fetched)
    if not isinstance(text, str):
        return out.add(uri, locator, f"ingest:missing_text_field:{source.text_field}", **fields)
    return out.add(uri, locator, None, text=text, **fields)


def _unencodable(value: object) -> bool:
    """A string UTF-8 cannot encode (it holds a lone surrogate)."""
    if not isinstance(value, str) or value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _valid(uri: str, fallback: str) -> str:
    return fallback if _unencodable(uri) else uri


class IngestConfig(StageConfig):
    """The run config's `sources[]`."""

    sources: list[Source]


class Ingest(SourceStage):
    """The source stage of every run: WARC files, folders of files, JSONL and Parquet (and the
    WARC files a crawl source writes) read into records."""

    name = NAME
    version = VERSION
    Config = IngestConfig

    def __init__(self, config: IngestConfig) -> None:
        super().__init__(config)
        self.sources: dict[str, SourceConfig] = {s.name: s for s in config.sources}

    def plan_shards(self, base_dir: Path) -> list[Shard]:
        return plan_shards(list(self.sources.values()), base_dir)

    def read_shard(self, shard: Shard, base_dir: Path, batch_rows: int) -> Iterator[pa.Table]:
        return read_shard(shard, self.sources[shard.source], base_dir, batch_rows, self.counters)

    def config_sha(self, source: str) -> str:
        return sha256_hex(self.sources[source].model_dump_json())
