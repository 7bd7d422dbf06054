"""One streaming pass of fused row-local stages over one shard, written exactly once.

`ShardWorker` is the Ray Data actor: it builds and sets up its stages once, then for each
shard reads batches (from the input files or the previous segment's Parquet), runs every
stage, routes rejected rows to `rejected/<stage>/<shard>.parquet`, kept rows to
`<segment>/<shard>.parquet`, and commits the shard by writing its marker last.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline import decisions
from datamill.pipeline.config import RunConfig
from datamill.pipeline.registry import source_stage, stage_class
from datamill.pipeline.rundir import RunDir, write_json_atomic
from datamill.pipeline.schema import RECORD_SCHEMA, WORKING_SCHEMA, conform
from datamill.pipeline.stage import DROP_REASON, Shard, SourceStage, Stage
from datamill.pipeline.stats import StageStats, reason_key


@dataclass(frozen=True)
class ShardTask:
    """One shard of a fused segment: an input shard read by the source stage (first segment),
    or the path of one Parquet file of the previous segment's output."""

    key: str
    input: Shard | str
    fingerprint: str

    def to_json(self) -> str:
        shard = self.input.__dict__ if isinstance(self.input, Shard) else None
        parquet = self.input if isinstance(self.input, str) else None
        return json.dumps(
            {"key": self.key, "shard": shard, "parquet": parquet, "fingerprint": self.fingerprint}
        )

    @classmethod
    def from_json(cls, text: str) -> ShardTask:
        data = json.loads(text)
        shard = data["shard"]
        source = Shard(shard["source"], shard["kind"], tuple(shard["files"])) if shard else data["parquet"]
        return cls(data["key"], source, data["fingerprint"])

    def describe(self) -> str:
        """The input files, for error messages."""
        return ", ".join(self.input.files) if isinstance(self.input, Shard) else self.input


def _text_bytes(batch: pa.Table) -> int:
    total = 0
    for name in ("text", "raw"):
        if name in batch.column_names:
            total += int(pc.sum(pc.binary_length(batch.column(name))).as_py() or 0)
    return total


class FusedPass:
    """The fused stages of one segment, usable without Ray (tests, one process)."""

    def __init__(
        self, config: RunConfig, run_dir: Path, segment: Path, stage_names: list[str], with_source: bool
    ) -> None:
        self.config = config
        self.run_dir = RunDir(run_dir)
        self.segment = segment
        self.source: SourceStage | None = source_stage(config.sources) if with_source else None
        entries = {e.stage: e for e in config.stages}
        self.stages: list[Stage] = []
        for name in stage_names:
            entry = entries[name]
            stage = stage_class(name)(entry.config)
            stage.setup()
            self.stages.append(stage)

    def _input(self, task: ShardTask) -> Iterator[pa.Table]:
        if isinstance(task.input, Shard):
            yield from self.source.read_shard(task.input, self.config.base_dir, self.config.batch_rows)
            return
        parquet = pq.ParquetFile(task.input)
        for record_batch in parquet.iter_batches(batch_size=self.config.batch_rows):
            yield conform(pa.Table.from_batches([record_batch]), WORKING_SCHEMA)

    def process(self, task: ShardTask) -> dict:
        """Run the shard and commit it; returns its per-stage stats (JSON-ready)."""
        started = time.perf_counter()
        stats: dict[str, StageStats] = {}
        writer = _ShardWriter(self.segment / f"{task.key}.parquet", self.run_dir, task.key)
        for batch in self._input(task):
            if isinstance(task.input, Shard):
                source = self.source
                t0 = time.perf_counter()
                sha = source.config_sha(task.input.source)
                batch = self._decide(source.name, source.version, sha, batch, stats, writer, t0)
            for stage in self.stages:
                if batch.num_rows == 0:
                    break
                stage.check_columns(batch.column_names)
                t0 = time.perf_counter()
                bytes_in = _text_bytes(batch)
                out = stage(batch)
                if out.num_rows != batch.num_rows or DROP_REASON not in out.column_names:
                    raise RuntimeError(f"stage {stage.name!r} must return the same rows plus {DROP_REASON!r}")
                stage.check_produced(out.column_names)
                batch = self._decide(
                    stage.name, stage.version, stage.config.sha(), out, stats, writer, t0, bytes_in
                )
            writer.write_kept(conform(batch))
        for stage in [self.source, *self.stages] if self.source else self.stages:
            stats.setdefault(stage.name, StageStats()).counters.update(stage.counters)
            stage.counters.clear()
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
            s.rejected.update(reason_key(r) for r in reasons)
        s.kept += kept.num_rows
        s.seconds += time.perf_counter() - t0
        return kept


class _ShardWriter:
    """Streams a shard's kept and rejected rows to temporary files and renames them into
    place on commit. File names are fixed per shard, so a shard re-run after a crash
    overwrites its own files; the shard marker, written after this, is the commit point."""

    def __init__(self, kept_path: Path, run_dir: RunDir, key: str) -> None:
        self.kept_path = kept_path
        self.run_dir = run_dir
        self.key = key
        self.writers: dict[Path, tuple[Path, pq.ParquetWriter]] = {}

    def _write(self, path: Path, table: pa.Table) -> None:
        if path not in self.writers:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            self.writers[path] = (tmp, pq.ParquetWriter(tmp, table.schema, compression="zstd"))
        self.writers[path][1].write_table(table)

    def write_kept(self, table: pa.Table) -> None:
        self._write(self.kept_path, table)

    def write_rejected(self, stage: str, table: pa.Table) -> None:
        self._write(self.run_dir.rejected(stage) / f"{self.key}.parquet", table)

    def commit(self) -> None:
        if self.kept_path not in self.writers:
            self._write(self.kept_path, RECORD_SCHEMA.empty_table())
        for path, (tmp, writer) in self.writers.items():
            writer.close()
            os.replace(tmp, path)


class ShardWorker:
    """Ray Data actor around `FusedPass`: stages are loaded once per actor."""

    def __init__(
        self,
        config_json: str,
        base_dir: str,
        run_dir: str,
        segment: str,
        stage_names: list[str],
        with_source: bool,
    ) -> None:
        from datamill.pipeline.config import parse

        config = parse(json.loads(config_json), "run.json config", Path(base_dir))
        self.fused = FusedPass(config, Path(run_dir), Path(segment), stage_names, with_source)

    def __call__(self, batch: dict) -> dict:
        import ray

        node = ray.get_runtime_context().get_node_id()
        results = []
        for text in batch["task"]:
            task = ShardTask.from_json(text)
            try:
                result = self.fused.process(task)
            except Exception as exc:  # a failed shard is reported and retried on re-run; others go on
                result = {
                    "key": task.key,
                    "error": f"{type(exc).__name__}: {exc} (input: {task.describe()})",
                    "traceback": traceback.format_exc(),
                }
            results.append(json.dumps({**result, "node": node}))
        return {"result": results}
