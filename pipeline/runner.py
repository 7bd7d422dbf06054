"""The runner: plan segments, run them on Ray, checkpoint, resume (docs/architecture.md, Segments).

Consecutive row-local stages form one *fused* segment, run one Ray task a shard on worker
processes that keep the pass's stages loaded; each global stage is its own segment (a
barrier). Every segment has a fingerprint chained from its inputs, stages, versions and
configs: re-running skips what is done and redoes what a change affects.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from datamill.pipeline import __version__, memory_pool, ray_session
from datamill.pipeline.config import RunConfig
from datamill.pipeline.fused import PassSetup, ShardTask, global_stage, run_shard, view_of_shard
from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.head_start import HeadStart
from datamill.pipeline.progress import Progress
from datamill.pipeline.registry import source_stage, stage_class
from datamill.pipeline.rundir import (
    FINGERPRINT,
    SHARD_MARKERS,
    SUCCESS,
    RunDir,
    git_commit,
    no_space,
    write_json_atomic,
)
from datamill.pipeline.stage import PREPARED, RESUME, GlobalStage, RunContext, Shard
from datamill.pipeline.stats import StageStats
from datamill.pipeline.view import View
from datamill.stages.ingest.sources import CrawlSource

STATS_FILE = "_stats.json"


class RunError(RuntimeError):
    """A run could not finish (a shard or stage failed); re-running resumes it."""


@dataclass(frozen=True)
class Segment:
    """A rows pass (`is_global` false: the source stage or the appliers of the global stages
    before it, then row-local stages; writes rows) or one global stage's decisions."""

    index: int
    stages: tuple[str, ...]
    is_global: bool
    fingerprint: str

    @property
    def name(self) -> str:
        return "+".join(self.stages)


def plan_segments(config: RunConfig) -> list[Segment]:
    """The source stage and the row-local stages after it form the first rows pass; each
    global stage is a decisions segment; the next rows pass applies the decisions of every
    global stage since the last one, then the row-local stages that follow (a run ending in
    global stages ends with a rows pass that only applies them). Fingerprints chain from the
    sources on."""
    source = source_stage(config.sources)
    groups: list[tuple[list[str], bool]] = [([source.name], False)]
    pending: list[str] = []  # global stages no rows pass has applied yet
    for entry in config.stages:
        if issubclass(stage_class(entry.stage), GlobalStage):
            groups.append(([entry.stage], True))
            pending.append(entry.stage)
        elif pending:
            groups.append(([*pending, entry.stage], False))
            pending = []
        else:
            groups[-1][0].append(entry.stage)
    if pending:
        groups.append((pending, False))
    configs = {e.stage: e for e in config.stages}
    previous = sha256_hex(
        json.dumps([s.model_dump(mode="json") for s in config.sources], sort_keys=True) + source.version, 64
    )
    segments = []
    for index, (names, is_global) in enumerate(groups, start=1):
        parts = [previous, str(config.batch_rows), "decisions" if is_global else "rows"]
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
        self.writing = run_dir  # the folder being written, named when the disk fills
        self.head: HeadStart | None = None  # first-pass shards the driver runs while Ray starts

    def run(self) -> dict[str, Any]:
        try:
            with self.rd.locked() as taken_over:
                return self._run(taken_over)
        except RunError:
            raise
        except Exception as exc:
            full = no_space(exc)
            if full is None:
                raise
            raise RunError(
                f"no space left on device writing {full.filename or self.writing}; "
                "free space and re-run the same command to resume"
            ) from exc

    def _run(self, taken_over: dict[str, Any] | None) -> dict[str, Any]:
        memory_pool.use_run_pool()  # before the driver's first batch and the Ray it starts
        self._crawl()
        shards = self.source.plan_shards(self.config.base_dir)
        if not shards:
            raise RunError("no input files found in any source (check sources[].paths)")
        state = self._initial_state()
        if taken_over:  # a run killed before it finished left its lock file
            state["lock_taken_over"] = taken_over
            self.progress.note(
                f"took over the run directory from a run that ended without unlocking: {taken_over}"
            )
        self.rd.write_run_json(state)
        started = time.perf_counter()
        self.rd.remove_temporaries()
        self.head = self._head_start(shards, state)
        try:
            self.num_cpus = ray_session.init(self.config.ray, self.address)
        finally:
            if self.head is not None:
                self.head.stop()
        previous: Path | None = None  # the last rows pass's folder
        decided: dict[str, Path] = {}  # global stage -> its decisions folder
        analysis: dict[str, tuple[StageStats, dict[str, Any]]] = {}  # global stage -> its stats
        try:
            for seg in self.segments:
                path = self.writing = self._folder(seg)
                self.rd.prepare_segment(path, seg.fingerprint, [] if seg.is_global else list(seg.stages))
                entry = state["segments"][seg.index - 1]
                began = time.perf_counter()
                if entry["status"] != "running":  # a head start has marked the first pass so
                    entry["status"] = "running"
                    self.rd.write_run_json(state)
                if seg.is_global:
                    stats, extra = self._run_decisions(seg, path, previous, decided)
                    decided[seg.stages[0]] = path
                    analysis[seg.stages[0]] = (stats[seg.stages[0]], extra)
                else:
                    stats, extra = self._run_rows(seg, path, previous, shards, decided)
                    for name in seg.stages:  # the decisions' own counts beside their application
                        if name in analysis:
                            stats[name].counters.update(analysis[name][0].counters)
                            extra = {**analysis[name][1], **extra}
                    previous = path
                entry.update(status="done", stats={k: v.to_json() for k, v in stats.items()}, **extra)
                entry["wall_seconds"] = round(time.perf_counter() - began, 3)
                self.rd.write_run_json(state)
        except BaseException as exc:
            state["status"] = "failed"
            state["error"] = str(exc)
            with contextlib.suppress(OSError):  # a full disk cannot take the record of its failure
                self.rd.write_run_json(state)
            raise
        self.rd.remove_temporaries()  # what a worker killed and retried mid-shard left
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
                    "dir": str(self._folder(s).relative_to(self.rd.root)),
                    "stages": list(s.stages),
                    "global": s.is_global,
                    "fingerprint": s.fingerprint,
                    "status": "pending",
                }
                for s in self.segments
            ],
        }

    def _folder(self, seg: Segment) -> Path:
        return (self.rd.decisions if seg.is_global else self.rd.segment)(seg.index, seg.name)

    def _totals(self, state: dict[str, Any]) -> dict[str, Any]:
        first = state["segments"][0]["stats"][self.source.name]
        last_stats = state["segments"][-1]["stats"]
        last = last_stats[state["segments"][-1]["stages"][-1]]
        rejected = sum(s["rejected"] for seg in state["segments"] for s in seg["stats"].values())
        return {"docs_in": first["docs_in"], "kept": last["kept"], "rejected": rejected}

    # -- rows passes ------------------------------------------------------------------------

    def _tasks(
        self, stages: tuple[str, ...], fingerprint: str, previous: Path, decided: dict[str, Path]
    ) -> list[ShardTask]:
        """The shards of a pass after the first: the previous pass's output files plus the rows
        the global stages among `stages` added, each entering at the applier of its stage."""
        tasks = [ShardTask(p.stem, str(p), fingerprint) for p in _parquet_outputs(previous)]
        for start, name in enumerate(stages):
            if name in decided:
                added = self._stage(name).new_rows(decided[name])
                tasks += [ShardTask(p.stem, str(p), fingerprint, start) for p in added]
        return tasks

    def _head_start(self, shards: list[Shard], state: dict[str, Any]) -> HeadStart | None:
        """The first pass's pending shards started in the driver while a local Ray starts
        (`head_start.py`); None when Ray is joined, not started, or nothing is pending (or
        `ray.head_start` is off)."""
        if not (self.config.ray.head_start and ray_session.starts_local(self.config.ray, self.address)):
            return None
        seg = self.segments[0]
        path = self._folder(seg)
        self.rd.prepare_segment(path, seg.fingerprint, list(seg.stages))
        tasks = self._first_tasks(seg, shards)
        done = self._done(path, tasks)
        pending = [t for t in tasks if t.key not in done]
        if not pending:
            return None
        state["segments"][0]["status"] = "running"
        self.rd.write_run_json(state)
        # preparing only for the global stages whose prepare is cheap in the driver; the views
        # of the others prepare those shards as they read them
        setup = self._setup(seg, path, None, {})
        light = tuple(name for name in setup.prepare if stage_class(name).prepares_in_driver)
        return HeadStart(replace(setup, prepare=light), pending)

    def _first_tasks(self, seg: Segment, shards: list[Shard]) -> list[ShardTask]:
        fingerprint = seg.fingerprint
        return [ShardTask(s.key, s, fingerprint + _files_fingerprint(self.config, s.files)) for s in shards]

    def _done(self, path: Path, tasks: list[ShardTask]) -> dict[str, dict]:
        """The results of the shards committed under the tasks' fingerprints (their markers)."""
        done = {}
        for task in tasks:
            marker = self.rd.shard_marker(path, task.key)
            if marker.exists():
                data = json.loads(marker.read_text(encoding="utf-8"))
                if data.get("fingerprint") == task.fingerprint:
                    done[task.key] = data
        return done

    def _setup(self, seg: Segment, path: Path, previous: Path | None, decided: dict[str, Path]) -> PassSetup:
        return PassSetup(
            json.dumps(self.config.dump()),
            str(self.config.base_dir),
            str(self.rd.root),
            str(path),
            tuple(seg.stages[1:] if previous is None else seg.stages),
            previous is None,
            tuple(sorted((name, str(folder)) for name, folder in decided.items())),
            self._prepared_by(seg),
        )

    def _prepared_by(self, seg: Segment) -> tuple[str, ...]:
        """The global stages that decide on what rows pass `seg` prepares: those right after it
        whose `needs` no applier between changes (their views read its rows)."""
        names: list[str] = []
        changed: set[str] = set()
        for later in self.segments[seg.index :]:
            if not later.is_global:
                break
            stage = self._stage(later.stages[0])
            if stage.prepares and not changed & set(stage.needs):
                names.append(stage.name)
            changed |= set(stage.produces)
        return tuple(names)

    def _run_rows(
        self, seg: Segment, path: Path, previous: Path | None, shards: list[Shard], decided: dict[str, Path]
    ):
        if previous is None:
            tasks = self._first_tasks(seg, shards)
        else:
            tasks = self._tasks(seg.stages, seg.fingerprint, previous, decided)
        head = self.head if previous is None else None
        ahead = set(head.taken) if head is not None else set()  # started in the driver
        done = self._done(path, tasks)
        resumed = len(set(done) - ahead)
        finishing = len(ahead - set(done))  # head-started shards still running
        pending = [t for t in tasks if t.key not in done and t.key not in ahead]
        nodes: set[str] = set()
        failures: list[str] = []
        full: list[str] = []  # files a shard could not write: no space left on the device

        def record(result: dict[str, Any]) -> None:
            if "error" in result:
                failures.append(f"shard {result['key']}: {result['error']}")
                full.extend([result["no_space"]] if result.get("no_space") else [])
            else:
                done[result["key"]] = result
                nodes.add(result["node"])

        shown = self.progress if pending or ahead else Progress(enabled=False)  # none for a resumed pass
        with shown.task(path.name, total=len(tasks), completed=len(done)) as bar:
            for result in _run_shards(self._setup(seg, path, previous, decided), pending) if pending else []:
                record(result)
                bar.advance()
            if head is not None:
                import ray

                driver = ray.get_runtime_context().get_node_id()
                for result in head.finish():
                    record({**result, "node": driver})
                bar.advance(finishing)
                nodes.update([driver] if ahead else [])
        if full:
            raise RunError(
                f"no space left on device writing {full[0]}; {len(failures)} shard(s) of {path.name} "
                "failed: free space and re-run the same command to resume\n" + "\n".join(failures)
            )
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
            "shards_resumed": resumed,
            "shards_head_start": len(ahead),
            "shard_seconds": round(sum(done[t.key]["seconds"] for t in tasks), 3),
            "nodes": sorted(nodes),
        }

    # -- decisions of global stages ------------------------------------------------------------

    def _stage(self, name: str) -> GlobalStage:
        return global_stage(self.config, name)

    def _run_decisions(self, seg: Segment, path: Path, previous: Path, decided: dict[str, Path]):
        """One global stage decides on its view of the rows: the last rows pass's output (and
        rows added since), through the appliers of the global stages decided since."""
        name = seg.stages[0]
        stats_file = path / STATS_FILE
        stage = self._stage(name)
        if (path / SUCCESS).exists() and stats_file.exists():
            _drop_prepared(previous, stage)
            data = json.loads(stats_file.read_text(encoding="utf-8"))
            return {name: StageStats.from_json(data["stats"])}, {**data["extra"], "resumed": True}
        for stale in list(path.iterdir()):
            if stale.name not in (FINGERPRINT, SHARD_MARKERS, RESUME):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        since = [n for n in decided if self._decided_after(n, previous)]
        tasks = self._tasks(tuple(since), seg.fingerprint, previous, decided)
        inputs = [(t.key, t.input, t.start) for t in tasks]
        input_rows = sum(pq.ParquetFile(file).metadata.num_rows for _, file, _ in inputs)
        ctx = RunContext(self.rd.root, path, [key for key, _, _ in inputs], input_rows, self.num_cpus)
        started = time.perf_counter()
        with self.progress.task(f"{path.name}", total=None):
            # one part per shard (a rows pass leaves a file for every shard, empty or not)
            reader = partial(
                view_of_shard,
                inputs=inputs,
                run_dir=str(self.rd.root),
                config=self.config,
                stage_names=since,
                decisions={n: str(f) for n, f in decided.items()},
                columns=list(stage.needs),
                prepare=stage.name if stage.prepares else None,
            )
            view = View(reader, list(range(len(inputs))), self.num_cpus)
            stage_stats = stage.decide(view, ctx)
        total = StageStats(seconds=time.perf_counter() - started)
        total.counters.update({k: v for k, v in stage_stats.items() if isinstance(v, int | float)})
        shutil.rmtree(ctx.scratch, ignore_errors=True)
        shutil.rmtree(ctx.resume, ignore_errors=True)
        extra = {k: v for k, v in stage_stats.items() if not isinstance(v, int | float)}
        write_json_atomic({"stats": total.to_json(), "extra": extra}, stats_file)
        (path / SUCCESS).touch()
        _drop_prepared(previous, stage)
        return {name: total}, extra

    def _decided_after(self, name: str, previous: Path) -> bool:
        """Whether global stage `name` comes after the rows pass in `previous` (its decisions
        are not in those rows yet)."""
        index = int(previous.name.split("-", 1)[0])
        return next(s.index for s in self.segments if s.is_global and s.stages[0] == name) > index


def _drop_prepared(segment: Path, stage: GlobalStage) -> None:
    """What rows pass `segment` prepared for `stage`, once the stage has decided on it (and
    the prepared folder, once it holds nothing else)."""
    shutil.rmtree(segment / PREPARED / stage.prepared_name(), ignore_errors=True)
    with contextlib.suppress(OSError):
        (segment / PREPARED).rmdir()


def _run_shards(setup: PassSetup, tasks: list[ShardTask]) -> Iterator[dict[str, Any]]:
    """Every shard as a Ray task (1 CPU; retried if its worker dies), results as they finish."""
    import ray

    remote = ray.remote(num_cpus=1)(run_shard)
    setup_ref = ray.put(setup)
    running = [remote.remote(setup_ref, task.to_json()) for task in tasks]
    while running:
        ready, running = ray.wait(running, num_returns=1)
        yield json.loads(ray.get(ready[0]))


def _sum_stats(items) -> dict[str, StageStats]:
    out: dict[str, StageStats] = {}
    for item in items:
        for name, data in item.items():
            out[name] = out.get(name, StageStats()) + StageStats.from_json(data)
    return out


def _ordered(stats: dict[str, StageStats], names: tuple[str, ...]) -> dict[str, StageStats]:
    return {n: stats.get(n, StageStats()) for n in names}
