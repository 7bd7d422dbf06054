"""The runner: plan segments, run them on Ray Data, checkpoint, resume (docs/architecture.md, Segments).

Consecutive row-local stages form one *fused* segment, run shard by shard in a single
`map_batches` pass over Ray actors; each global stage is its own segment (a barrier). Every
segment has a fingerprint chained from its inputs, stages, versions and configs: re-running
skips what is done and redoes what a change affects.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline import __version__, decisions, ray_session
from datamill.pipeline.config import RunConfig
from datamill.pipeline.fused import ShardTask, ShardWorker
from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.progress import Progress
from datamill.pipeline.registry import source_stage, stage_class
from datamill.pipeline.rundir import SHARD_MARKERS, SUCCESS, RunDir, git_commit, write_json_atomic
from datamill.pipeline.schema import RECORD_SCHEMA, conform
from datamill.pipeline.stage import GlobalStage, RunContext, Shard
from datamill.pipeline.stats import StageStats, reason_key
from datamill.stages.ingest.sources import CrawlSource

STATS_FILE = "_stats.json"
RESUME = ".resume"  # a global stage's partial results, kept when an attempt is killed


class RunError(RuntimeError):
    """A run could not finish (a shard or stage failed); re-running resumes it."""


@dataclass(frozen=True)
class Segment:
    index: int
    stages: tuple[str, ...]  # for the first segment, the source stage comes first
    is_global: bool
    fingerprint: str

    @property
    def name(self) -> str:
        return "+".join(self.stages)


def plan_segments(config: RunConfig) -> list[Segment]:
    """Consecutive row-local stages (after the source stage) fused into one segment, each
    global stage a segment of its own, with fingerprints chained from the sources on."""
    source = source_stage(config.sources)
    groups: list[tuple[list[str], bool]] = [([source.name], False)]
    for entry in config.stages:
        is_global = issubclass(stage_class(entry.stage), GlobalStage)
        if is_global or groups[-1][1]:
            groups.append(([entry.stage], is_global))
        else:
            groups[-1][0].append(entry.stage)
    configs = {e.stage: e for e in config.stages}
    previous = sha256_hex(
        json.dumps([s.model_dump(mode="json") for s in config.sources], sort_keys=True) + source.version, 64
    )
    segments = []
    for index, (names, is_global) in enumerate(groups, start=1):
        parts = [previous, str(config.batch_rows)]
        for name in names[1:] if index == 1 else names:
            parts += [name, stage_class(name).version, configs[name].config.sha()]
        previous = sha256_hex("\x1f".join(parts), 64)
        segments.append(Segment(index, tuple(names), is_global, previous[:24]))
    return segments


def _files_fingerprint(config: RunConfig, files: tuple[str, ...]) -> str:
    parts = []
    for rel in files:
        stat = (config.base_dir / rel).stat()
        parts.append(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}")
    return sha256_hex("\n".join(parts), 24)


def _parquet_outputs(segment_dir: Path) -> list[Path]:
    return sorted(p for p in segment_dir.glob("*.parquet") if not p.name.startswith((".", "_")))


class Runner:
    def __init__(
        self, config: RunConfig, run_dir: Path, address: str | None = None, progress: bool = True
    ) -> None:
        self.config = config
        self.rd = RunDir(run_dir)
        self.address = address
        self.progress = Progress(enabled=progress)
        self.source = source_stage(config.sources)
        self.segments = plan_segments(config)

    def run(self) -> dict[str, Any]:
        self._crawl()
        shards = self.source.plan_shards(self.config.base_dir)
        if not shards:
            raise RunError("no input files found in any source (check sources[].paths)")
        self.rd.root.mkdir(parents=True, exist_ok=True)
        state = self._initial_state()
        self.rd.write_run_json(state)
        started = time.perf_counter()
        self.num_cpus = ray_session.init(self.config.ray, self.address)
        previous: Path | None = None
        try:
            for seg in self.segments:
                path = self.rd.segment(seg.index, seg.name)
                self.rd.prepare_segment(path, seg.fingerprint, list(seg.stages))
                entry = state["segments"][seg.index - 1]
                entry["status"] = "running"
                self.rd.write_run_json(state)
                if seg.is_global:
                    stats, extra = self._run_global(seg, path, previous)
                else:
                    stats, extra = self._run_fused(seg, path, previous, shards)
                entry.update(status="done", stats={k: v.to_json() for k, v in stats.items()}, **extra)
                self.rd.write_run_json(state)
                previous = path
        except BaseException as exc:
            state["status"] = "failed"
            state["error"] = str(exc)
            self.rd.write_run_json(state)
            raise
        state["status"] = "done"
        state["finished_at"] = datetime.now(UTC).isoformat()
        state["seconds"] = round(time.perf_counter() - started, 3)
        state["output"] = str(previous.relative_to(self.rd.root))
        state["totals"] = self._totals(state)
        self.rd.write_run_json(state)
        return state

    def _crawl(self) -> None:
        """Crawl every `kind: crawl` source into its `out` folder (resuming, on this run's Ray)
        before the source stage reads the WARC files there."""
        crawls = [s for s in self.config.sources if isinstance(s, CrawlSource)]
        if crawls:
            from datamill.stages.ingest.crawl.crawler import crawl

            ray_session.init(self.config.ray, self.address)
            base = self.config.base_dir
            for source in crawls:
                crawl(base / source.seeds, base / source.out, source.settings, self.progress.enabled)

    def _initial_state(self) -> dict[str, Any]:
        old = self.rd.read_run_json()
        return {
            "name": self.config.name,
            "status": "running",
            "datamill_version": __version__,
            "git_commit": git_commit(),
            "config": self.config.dump(),
            "config_sha": self.config.sha(),
            "config_dir": str(self.config.base_dir.resolve()),
            "started_at": datetime.now(UTC).isoformat(),
            "attempt": int(old.get("attempt", 0)) + 1,
            "versions": {
                self.source.name: self.source.version,
                **{e.stage: stage_class(e.stage).version for e in self.config.stages},
            },
            "segments": [
                {
                    "dir": self.rd.segment(s.index, s.name).name,
                    "stages": list(s.stages),
                    "global": s.is_global,
                    "fingerprint": s.fingerprint,
                    "status": "pending",
                }
                for s in self.segments
            ],
        }

    def _totals(self, state: dict[str, Any]) -> dict[str, Any]:
        first = state["segments"][0]["stats"][self.source.name]
        last_stats = state["segments"][-1]["stats"]
        last = last_stats[state["segments"][-1]["stages"][-1]]
        rejected = sum(s["rejected"] for seg in state["segments"] for s in seg["stats"].values())
        return {"docs_in": first["docs_in"], "kept": last["kept"], "rejected": rejected}

    # -- fused row-local segments ------------------------------------------------------------

    def _run_fused(self, seg: Segment, path: Path, previous: Path | None, shards: list[Shard]):
        import ray.data
        from ray.data import ActorPoolStrategy

        if previous is None:
            tasks = [
                ShardTask(s.key, s, seg.fingerprint + _files_fingerprint(self.config, s.files))
                for s in shards
            ]
        else:
            tasks = [ShardTask(p.stem, str(p), seg.fingerprint) for p in _parquet_outputs(previous)]
        done = {}
        for task in tasks:
            marker = self.rd.shard_marker(path, task.key)
            if marker.exists():
                data = json.loads(marker.read_text(encoding="utf-8"))
                if data.get("fingerprint") == task.fingerprint:
                    done[task.key] = data
        pending = [t for t in tasks if t.key not in done]
        nodes: set[str] = set()
        failures: list[str] = []
        if pending:
            stage_names = list(seg.stages[1:] if previous is None else seg.stages)
            actors = max(1, min(len(pending), self.num_cpus))
            ds = ray.data.from_items(
                [{"task": t.to_json()} for t in pending], override_num_blocks=len(pending)
            )
            ds = ds.map_batches(
                ShardWorker,
                fn_constructor_args=(
                    json.dumps(self.config.dump()),
                    str(self.config.base_dir),
                    str(self.rd.root),
                    str(path),
                    stage_names,
                    previous is None,
                ),
                batch_size=1,
                compute=ActorPoolStrategy(size=actors, max_tasks_in_flight_per_actor=1),
                num_cpus=1,
            )
            with self.progress.task(f"{path.name}", total=len(tasks), completed=len(done)) as bar:
                for row in ds.iter_rows():
                    result = json.loads(row["result"])
                    if "error" in result:
                        failures.append(f"shard {result['key']}: {result['error']}")
                    else:
                        done[result["key"]] = result
                        nodes.add(result["node"])
                    bar.advance()
        if failures:
            raise RunError(
                f"{len(failures)} shard(s) of {path.name} failed (re-run to retry):\n" + "\n".join(failures)
            )
        keep = {f"{t.key}.parquet" for t in tasks}
        for stale in _parquet_outputs(path):
            if stale.name not in keep:
                stale.unlink()
        stats = _sum_stats(done[t.key]["stats"] for t in tasks)
        (path / SUCCESS).touch()
        return _ordered(stats, seg.stages), {
            "shards": len(tasks),
            "shards_resumed": len(tasks) - len(pending),
            "shard_seconds": round(sum(done[t.key]["seconds"] for t in tasks), 3),
            "nodes": sorted(nodes),
        }

    # -- global segments ---------------------------------------------------------------------

    def _run_global(self, seg: Segment, path: Path, previous: Path):
        import ray.data

        name = seg.stages[0]
        stats_file = path / STATS_FILE
        if (path / SUCCESS).exists() and stats_file.exists():
            data = json.loads(stats_file.read_text(encoding="utf-8"))
            return {name: StageStats.from_json(data["stats"])}, {**data["extra"], "resumed": True}
        for stale in list(path.iterdir()):
            if stale.name not in ("_fingerprint", SHARD_MARKERS, RESUME):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        shutil.rmtree(self.rd.rejected(name), ignore_errors=True)
        entry = next(e for e in self.config.stages if e.stage == name)
        stage = stage_class(name)(entry.config)
        scratch = path / ".scratch"
        ctx = RunContext(run_dir=self.rd.root, scratch=scratch, num_cpus=self.num_cpus, resume=path / RESUME)
        tmp_kept = path / f".tmp-{uuid.uuid4().hex}"
        tmp_rejected = self.rd.rejected(name).with_name(f".{name}.tmp-{uuid.uuid4().hex}")
        inputs = [str(p) for p in _parquet_outputs(previous)]
        started = time.perf_counter()
        with self.progress.task(f"{path.name}", total=None) as bar:
            ds = (
                ray.data.read_parquet(inputs, schema=RECORD_SCHEMA)
                if inputs
                else ray.data.from_arrow(RECORD_SCHEMA.empty_table())
            )
            stage.check_columns(RECORD_SCHEMA.names)
            out = stage.run(ds, ctx)
            written = out.rows.map_batches(
                _write_global_block,
                fn_kwargs={
                    "kept_dir": str(tmp_kept),
                    "rejected_dir": str(tmp_rejected),
                    "stage": stage,
                    "sha": entry.config.sha(),
                },
                batch_size=None,
                batch_format="pyarrow",
            )
            total = StageStats()
            for row in written.iter_rows():
                total = total + StageStats.from_json(json.loads(row["stats"]))
                bar.advance()
        stage_stats = {**out.stats, **(out.finish() if out.finish else {})}
        total.seconds = time.perf_counter() - started
        total.counters.update({k: v for k, v in stage_stats.items() if isinstance(v, int | float)})
        tmp_kept.mkdir(parents=True, exist_ok=True)
        for part in sorted(tmp_kept.glob("*.parquet")):
            os.replace(part, path / part.name)
        shutil.rmtree(tmp_kept)
        if tmp_rejected.exists():
            os.replace(tmp_rejected, self.rd.rejected(name))
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(path / RESUME, ignore_errors=True)
        extra = {k: v for k, v in stage_stats.items() if not isinstance(v, int | float)}
        write_json_atomic({"stats": total.to_json(), "extra": extra}, stats_file)
        (path / SUCCESS).touch()
        return {name: total}, extra


def _write_global_block(
    batch: pa.Table, kept_dir: str, rejected_dir: str, stage: GlobalStage, sha: str
) -> dict[str, list[str]]:
    """Writes one output block of a global stage (a Ray task: nothing to set up): kept rows to
    the segment's temp folder, the rest to the stage's temp rejected/ folder; returns its stats."""
    stage.check_produced(batch.column_names)
    stats = StageStats(docs_in=batch.num_rows)
    stats.bytes_in = int(pc.sum(pc.binary_length(batch.column("text"))).as_py() or 0)
    kept, rejected, reasons = decisions.split(batch, stage.name, stage.version, sha)
    name = f"part-{uuid.uuid4().hex}.parquet"
    if rejected is not None:
        _write(rejected, Path(rejected_dir) / name)
        stats.rejected.update(reason_key(r) for r in reasons)
    if kept.num_rows:
        _write(conform(kept), Path(kept_dir) / name)
    stats.kept = kept.num_rows
    return {"stats": [json.dumps(stats.to_json())]}


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def _sum_stats(items) -> dict[str, StageStats]:
    out: dict[str, StageStats] = {}
    for item in items:
        for name, data in item.items():
            out[name] = out.get(name, StageStats()) + StageStats.from_json(data)
    return out


def _ordered(stats: dict[str, StageStats], names: tuple[str, ...]) -> dict[str, StageStats]:
    return {n: stats.get(n, StageStats()) for n in names}
