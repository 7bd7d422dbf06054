"""One streaming pass of fused row-local stages over one shard, written exactly once.

`run_shard` is the Ray task: its worker process builds and sets up the pass's stages once
(kept while it runs shards of the same pass), then for each shard reads batches (from the
input files or the previous segment's Parquet), runs every stage, routes rejected rows to
`rejected/<stage>/<shard>.parquet`, kept rows to `<segment>/<shard>.parquet`, and commits the
shard by writing its marker last.
"""

from __future__ import annotations

import functools
import json
import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline import decisions, textref
from datamill.pipeline.config import RunConfig
from datamill.pipeline.registry import source_stage, stage_class
from datamill.pipeline.rundir import RunDir, naming, no_space, write_json_atomic
from datamill.pipeline.schema import RECORD_SCHEMA, WORKING_SCHEMA, conform
from datamill.pipeline.stage import (
    DROP_REASON,
    PREPARED,
    SHARD,
    GlobalStage,
    RunContext,
    Shard,
    SourceStage,
    Stage,
    prepared_file,
)
from datamill.pipeline.stats import StageStats, reason_counts
from datamill.pipeline.view import View


@dataclass(frozen=True)
class ShardTask:
    """One shard of a rows pass: an input shard read by the source stage (first segment), or
    one Parquet file of rows (the previous rows pass's output, or rows a global stage added),
    which enters the pass's stages at `start`."""

    key: str
    input: Shard | str
    fingerprint: str
    start: int = 0

    def to_json(self) -> str:
        shard = self.input.__dict__ if isinstance(self.input, Shard) else None
        parquet = self.input if isinstance(self.input, str) else None
        data = {"key": self.key, "shard": shard, "parquet": parquet, "fingerprint": self.fingerprint}
        return json.dumps({**data, "start": self.start})

    @classmethod
    def from_json(cls, text: str) -> ShardTask:
        data = json.loads(text)
        shard = data["shard"]
        source = Shard(shard["source"], shard["kind"], tuple(shard["files"])) if shard else data["parquet"]
        return cls(data["key"], source, data["fingerprint"], data["start"])

    def describe(self) -> str:
        """The input files, for error messages."""
        return ", ".join(self.input.files) if isinstance(self.input, Shard) else self.input


def _text_bytes(batch: pa.Table) -> int:
    total = 0
    for name in ("text", "raw"):
        if name in batch.column_names:
            total += int(pc.sum(pc.binary_length(batch.column(name))).as_py() or 0)
    return total


def build_stages(config: RunConfig, names: list[str], decisions: dict[str, str]) -> list[Stage]:
    """The row-local stages of a pass, set up: a global stage as the applier of its decisions
    (folder in `decisions`)."""
    entries = {e.stage: e for e in config.stages}
    stages: list[Stage] = []
    for name in names:
        stage = stage_class(name)(entries[name].config)
        if isinstance(stage, GlobalStage):
            stage = stage.applier(Path(decisions[name]))
        stage.setup()
        stages.append(stage)
    return stages


def global_stage(config: RunConfig, name: str) -> GlobalStage:
    """The global stage `name` of the run, with its config."""
    entry = next(e for e in config.stages if e.stage == name)
    return stage_class(name)(entry.config)


def apply_stage(stage: Stage, batch: pa.Table) -> pa.Table:
    """`stage(batch)`, checked: the same rows, a `drop_reason` column, the declared columns."""
    stage.check_columns(batch.column_names)
    out = stage(batch)
    if out.num_rows != batch.num_rows or DROP_REASON not in out.column_names:
        raise RuntimeError(f"stage {stage.name!r} must return the same rows plus {DROP_REASON!r}")
    stage.check_produced(out.column_names)
    return out


# rows per batch where no text is read (the rows passes that apply dedup decisions, narrow
# views): per-batch costs (lineage, decisions split, Arrow calls) made such a pass 3.7x slower
# at 500 rows than at 8192 rows (one bench shard of 10k rows: 0.52 s vs 0.14 s)
NARROW_BATCH_ROWS = 65536


def read_rows(
    path: str, batch_rows: int, run_dir: Path, columns: list[str] | None = None, track: bool = False
) -> Iterator[pa.Table]:
    """Working-schema batches of a rows file (`columns` only, the rest null; batches of
    `batch_rows`, or NARROW_BATCH_ROWS without the text), texts held by reference read in
    (textref.py); a `drop_reason` the file holds (rows a global stage added and rejected) is
    kept. `track` (a rows pass's input): every row gets its `text_ref` (where its text is
    stored) and, when the text is read, `TEXT_IN`, so the pass writes only the texts its
    stages change."""
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    extra = (DROP_REASON, textref.TEXT_REF)
    wanted = None if columns is None else [c for c in names if c in columns or c in extra]
    reads_text = "text" in (wanted or names)
    batch_rows = batch_rows if reads_text else max(batch_rows, NARROW_BATCH_ROWS)
    files = textref.TextFiles(run_dir)
    file = os.path.relpath(path, run_dir)
    first = 0
    for record_batch in parquet.iter_batches(batch_size=batch_rows, columns=wanted):
        table = pa.Table.from_batches([record_batch])
        if track:
            table = textref.with_refs(table, file, first)
        first += table.num_rows
        if reads_text:
            table = textref.resolve(table, files)
        out = conform(table, WORKING_SCHEMA)
        if DROP_REASON in table.column_names:
            out = out.append_column(DROP_REASON, table.column(DROP_REASON))
        if track and reads_text:
            out = out.append_column(textref.TEXT_IN, out.column("text"))
        yield out


def view_of_shard(
    i: int,
    inputs: list[tuple[str, str, int]],
    run_dir: str,
    config: RunConfig,
    stage_names: list[str],
    decisions: dict[str, str],
    columns: list[str],
    prepare: str | None = None,
    ids: pa.Array | None = None,
) -> Iterator[pa.Table]:
    """A global stage's view of shard i: the rows of `inputs[i]` (key, path, first stage) that
    the earlier stages in `stage_names` keep, as `columns` plus `id` and `_shard` (= i). With
    `prepare` (the global stage's name), as its prepared columns instead: read from the file
    the rows pass wrote beside the shard (`prepared_file`) when it has one, else prepared
    from `columns` as they are read. With `ids`, only those rows (picked before the stages,
    which decide row by row, see them)."""
    key, path, start = inputs[i]
    stages = build_stages(config, stage_names[start:], decisions)
    for stage in stages:
        stage.begin_shard(key)
    preparer = global_stage(config, prepare) if prepare else None
    prepared = _prepared_rows(path, preparer, key) if preparer and not start else None
    if prepared is not None:
        columns = []  # the shard file gives the ids (and what the appliers read), no text
    read = {"id", *columns, *(c for s in stages for c in s.requires)}
    first = 0
    for table in read_rows(path, config.batch_rows, Path(run_dir), sorted(read)):
        table = table.append_column(_ROW, pa.array(np.arange(first, first + table.num_rows)))
        first += table.num_rows
        if ids is not None:
            table = table.filter(pc.is_in(table.column("id"), value_set=ids))
        for stage in stages:
            out = apply_stage(stage, table)
            table = out.filter(pc.is_null(out.column(DROP_REASON))).drop_columns([DROP_REASON])
        if DROP_REASON in table.column_names:  # rows a global stage added and rejected
            table = table.filter(pc.is_null(table.column(DROP_REASON)))
        if not table.num_rows:
            continue
        if prepared is not None:
            body = prepared.take(table.column(_ROW))
        elif preparer is not None:
            body = preparer.prepare(table.select(list(preparer.needs)))
        else:
            body = table.select([c for c in columns if c != "id"])
        out = pa.table({"id": table.column("id"), **dict(zip(body.column_names, body.columns, strict=True))})
        yield out.append_column(SHARD, pa.array([i] * table.num_rows, pa.int32()))


_ROW = "_row"  # a view row's position in its shard file


def _prepared_rows(path: str, stage: GlobalStage, key: str) -> pa.Table | None:
    """What the rows pass that wrote shard file `path` prepared for `stage`, if it did (a row
    for each of the file's rows)."""
    file = prepared_file(Path(path).parent, stage, key)
    if not file.exists():
        return None
    prepared = pq.read_table(file)
    if prepared.num_rows != pq.ParquetFile(path).metadata.num_rows:
        return None  # not this file's rows: prepared again as read
    return prepared


class FusedPass:
    """The stages of one rows pass over one shard at a time, usable without Ray (tests, one
    process): the source stage (first segment only), then row-local stages and the appliers of
    global stages' decisions, in config order."""

    def __init__(
        self,
        config: RunConfig,
        run_dir: Path,
        segment: Path,
        stage_names: list[str],
        with_source: bool,
        decisions: dict[str, str],
        prepare: tuple[str, ...] = (),
    ) -> None:
        self.config = config
        self.run_dir = RunDir(run_dir)
        self.segment = segment
        self.source: SourceStage | None = source_stage(config.sources) if with_source else None
        self.stages = build_stages(config, stage_names, decisions)
        # a pass whose stages read no text (the appliers of dedup decisions) reads none
        self.reads_text = any("text" in stage.requires for stage in self.stages)
        # the global stages after the pass that decide on what it prepares from its final rows
        # (a pass that reads no text has nothing to prepare from: their views do it)
        has_text = with_source or self.reads_text
        self.preparers = [global_stage(config, name) for name in prepare] if has_text else []

    def _input(self, task: ShardTask) -> Iterator[pa.Table]:
        if isinstance(task.input, Shard):
            yield from self.source.read_shard(task.input, self.config.base_dir, self.config.batch_rows)
            return
        columns = None if self.reads_text else [c for c in WORKING_SCHEMA.names if c != "text"]
        yield from read_rows(task.input, self.config.batch_rows, self.run_dir.root, columns, track=True)

    def process(self, task: ShardTask) -> dict:
        """Run the shard and commit it; returns its per-stage stats (JSON-ready)."""
        started = time.perf_counter()
        stats: dict[str, StageStats] = {}
        writer = _ShardWriter(self.segment / f"{task.key}.parquet", self.run_dir, task.key)
        stages = self.stages[task.start :]
        for stage in stages:
            stage.begin_shard(task.key)
        for batch in self._input(task):
            if isinstance(task.input, Shard):
                source = self.source
                t0 = time.perf_counter()
                sha = source.config_sha(task.input.source)
                batch = self._decide(source.name, source.version, sha, batch, stats, writer, t0)
            for stage in stages:
                if batch.num_rows == 0:
                    break
                t0 = time.perf_counter()
                bytes_in = _text_bytes(batch)
                out = apply_stage(stage, batch)
                batch = self._decide(
                    stage.name, stage.version, stage.config.sha(), out, stats, writer, t0, bytes_in
                )
            writer.write_kept(conform(textref.stored(batch)))
            for stage in self.preparers:
                prepared = stage.prepare(batch.select(list(stage.needs)))
                writer.write_prepared(prepared_file(self.segment, stage, task.key), prepared)
        for stage in [self.source, *stages] if self.source else stages:
            stats.setdefault(stage.name, StageStats()).counters.update(stage.counters)
            stage.counters.clear()
        writer.drop_unwritten(f / f"{task.key}.parquet" for f in (self.segment / PREPARED).glob("*"))
        writer.commit()
        result = {
            "key": task.key,
            "stats": {k: v.to_json() for k, v in stats.items()},
            "seconds": time.perf_counter() - started,
        }
        write_json_atomic(
            {**result, "fingerprint": task.fingerprint}, self.run_dir.shard_marker(self.segment, task.key)
        )
        return result

    def _decide(
        self,
        name: str,
        version: str,
        sha: str,
        batch: pa.Table,
        stats: dict[str, StageStats],
        writer: _ShardWriter,
        t0: float,
        bytes_in: int | None = None,
    ) -> pa.Table:
        s = stats.setdefault(name, StageStats())
        s.docs_in += batch.num_rows
        s.bytes_in += _text_bytes(batch) if bytes_in is None else bytes_in
        kept, rejected, reasons = decisions.split(batch, name, version, sha)
        if rejected is not None:
            writer.write_rejected(name, rejected)
            s.rejected.update(reason_counts(reasons))
        s.kept += kept.num_rows
        s.seconds += time.perf_counter() - t0
        return kept


# a shard's rows are written in row groups of at least this many bytes (its last group less):
# one row group per batch left a later pass's narrow files (ids, lineage, references) and
# the rejected rows 1.4-1.8x larger than one group, each with its own dictionaries
ROW_GROUP_BYTES = 16 << 20


# columns of about one value a row: Parquet's dictionary encoding (tried on every column first)
# only costs time on them, and min/max statistics of texts are never read
_NO_DICTIONARY = {"id", "uri", "locator", "text", "text_ref.row", "drop_reason"}
_NO_STATISTICS = {"text"}


@functools.cache
def encodings(schema: pa.Schema) -> dict[str, list[str]]:
    """ParquetWriter options for a shard file: dictionaries and statistics for every column
    (leaf paths, as Parquet names them) but `_NO_DICTIONARY` / `_NO_STATISTICS` (a first-pass
    shard of the 320k bench: 49 -> 40 ms to write, 1% smaller)."""
    sink = pa.BufferOutputStream()
    pq.write_table(schema.empty_table(), sink)
    parquet = pq.read_metadata(pa.BufferReader(sink.getvalue())).schema
    paths = [parquet.column(i).path for i in range(len(parquet))]
    return {
        "use_dictionary": [p for p in paths if p not in _NO_DICTIONARY],
        "write_statistics": [p for p in paths if p not in _NO_STATISTICS],
    }


class _ShardWriter:
    """Streams a shard's kept and rejected rows to temporary files, in row groups of about
    ROW_GROUP_BYTES, and renames them into place on commit. File names are fixed per shard,
    so a shard re-run after a crash overwrites its own files; the shard marker, written after
    this, is the commit point."""

    def __init__(self, kept_path: Path, run_dir: RunDir, key: str) -> None:
        self.kept_path = kept_path
        self.run_dir = run_dir
        self.key = key
        self.writers: dict[Path, tuple[Path, pq.ParquetWriter]] = {}
        self.pending: dict[Path, tuple[list[pa.Table], int]] = {}
        self.plain: set[Path] = set()  # files written without compression

    def _write(self, path: Path, table: pa.Table) -> None:
        tables, held = self.pending.get(path, ([], 0))
        tables.append(table)
        self.pending[path] = (tables, held + table.nbytes)
        if held + table.nbytes >= ROW_GROUP_BYTES:
            self._flush(path)

    def _flush(self, path: Path) -> None:
        tables, _ = self.pending.pop(path)
        table = pa.concat_tables(tables)
        with naming(path):
            if path not in self.writers:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
                if path in self.plain:  # prepared columns: hashes and signatures
                    options = {"compression": "none", "use_dictionary": False, "write_statistics": False}
                else:
                    options = {"compression": "zstd", **encodings(table.schema)}
                self.writers[path] = (tmp, pq.ParquetWriter(tmp, table.schema, **options))
            self.writers[path][1].write_table(table, row_group_size=max(1, table.num_rows))

    def write_prepared(self, path: Path, table: pa.Table) -> None:
        """Columns a rows pass prepared for a global stage (hashes, signatures: stored plain,
        they do not compress)."""
        self.plain.add(path)
        self._write(path, table)

    def drop_unwritten(self, files: Iterator[Path]) -> None:
        """Delete those of `files` this shard did not write: what an earlier attempt of the
        shard prepared, which this one (a head start, or inputs changed since) does not
        replace."""
        for file in files:
            if file not in self.writers and file not in self.pending:
                file.unlink(missing_ok=True)

    def write_kept(self, table: pa.Table) -> None:
        self._write(self.kept_path, table)

    def write_rejected(self, stage: str, table: pa.Table) -> None:
        self._write(self.run_dir.rejected(stage) / f"{self.key}.parquet", table)

    def commit(self) -> None:
        if self.kept_path not in self.writers and self.kept_path not in self.pending:
            self._write(self.kept_path, RECORD_SCHEMA.empty_table())
        for path in list(self.pending):
            self._flush(path)
        for path, (tmp, writer) in self.writers.items():
            with naming(path):
                writer.close()
            os.replace(tmp, path)


@dataclass(frozen=True)
class PassSetup:
    """What a worker needs to build a rows pass's stages (picklable, put once per pass)."""

    config_json: str
    base_dir: str
    run_dir: str
    segment: str
    stage_names: tuple[str, ...]
    with_source: bool
    decisions: tuple[tuple[str, str], ...]
    prepare: tuple[str, ...] = ()  # global stages the pass prepares columns for

    def build(self) -> FusedPass:
        from datamill.pipeline.config import parse

        config = parse(json.loads(self.config_json), "run.json config", Path(self.base_dir))
        return FusedPass(
            config,
            Path(self.run_dir),
            Path(self.segment),
            list(self.stage_names),
            self.with_source,
            dict(self.decisions),
            self.prepare,
        )


# the pass a worker process last built: Ray reuses worker processes across tasks, so the
# stages (models, compiled rules, parser processes) load once per worker and pass, and the
# same warm workers go on to run the global stages' tasks
_built: dict[PassSetup, FusedPass] = {}


def run_shard(setup: PassSetup, task_json: str) -> str:
    """One shard of a rows pass (a Ray task), committed; its result as JSON (`shard_result`,
    with the node that ran it)."""
    import ray

    node = ray.get_runtime_context().get_node_id()
    task = ShardTask.from_json(task_json)
    return json.dumps({**shard_result(lambda: _pass_of(setup), task, setup.segment), "node": node})


def _pass_of(setup: PassSetup) -> FusedPass:
    if setup not in _built:
        _built.clear()
        _built[setup] = setup.build()
    return _built[setup]


def shard_result(fused: Callable[[], FusedPass], task: ShardTask, segment: str) -> dict:
    """The shard run by the pass `fused()` builds or returns, and committed: its stats, or the
    error that failed it (a failed shard is reported and retried on re-run while the others
    go on; a full disk is named by the file, else the `segment` folder)."""
    try:
        return fused().process(task)
    except Exception as exc:
        full = no_space(exc)
        return {
            "key": task.key,
            "error": f"{type(exc).__name__}: {exc} (input: {task.describe()})",
            "traceback": traceback.format_exc(),
            "no_space": str(full.filename or segment) if full else None,
        }


def run_global_stage(
    stage: GlobalStage, rows: pa.Table, folder: Path, num_cpus: int, blocks: int = 1
) -> tuple[pa.Table, dict]:
    """One global stage over in-memory records, without a run directory (tests, benches): its
    view is `rows` as one shard (in `blocks` blocks), its decisions go under `folder`, and the
    applier's output (every row, with `drop_reason`) comes back with the stage's stats."""
    import ray

    columns = rows.select(["id", *stage.needs])
    if stage.prepares:  # what a rows pass would have prepared, beside what it was made from
        prepared = stage.prepare(rows.select(list(stage.needs)))
        columns = columns.drop_columns([c for c in prepared.column_names if c in columns.column_names])
        for name in prepared.column_names:
            columns = columns.append_column(name, prepared.column(name))
    columns = columns.append_column(SHARD, pa.array([0] * rows.num_rows, pa.int32()))
    step = -(-rows.num_rows // blocks) or 1
    parts = [ray.put(columns.slice(lo, step)) for lo in range(0, rows.num_rows, step)]
    ctx = RunContext(folder, folder / "decisions", ["all"], rows.num_rows, num_cpus)
    ctx.decisions.mkdir(parents=True, exist_ok=True)
    stats = stage.decide(View(_in_memory, parts, num_cpus), ctx)
    applier = stage.applier(ctx.decisions)
    applier.setup()
    applier.begin_shard("all")
    return apply_stage(applier, rows), stats


def _in_memory(part) -> Iterator[pa.Table]:
    """An in-memory view part: a table, or (inside a Ray Dataset) its object ref."""
    import ray

    yield ray.get(part) if isinstance(part, ray.ObjectRef) else part
