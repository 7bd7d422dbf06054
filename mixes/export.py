"""`datamill export`: a mix spec over finished runs -> Parquet shards + manifest.json (README, Mixes).

Two passes over metadata, one over text. Pass one (scan.py, per input file) reads the narrow
columns (id, source, lang, licence, opt-out, the filters' columns, the stored token counts) and
nothing of the text unless it must count tokens or a filter reads it, applies the licence
policy and the filters, and keeps the eligible rows as arrays (eligible.py: no string per row
is held); the sampling runs on those in this process. The plan then fixes every output row's
place: its component, position, row group and shard (sizes estimated from the Parquet footers
and token counts). Pass two (spill.py, gather.py) streams the chosen rows' text from the runs
into the shards, in parallel tasks; the manifest is written last.

Deterministic for a given spec and inputs, whatever the number of workers: pools are ordered by
(input, id), sampling and the output order come from seeded generators, and the layout is
computed before any task runs.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from datamill.mixes import sampling
from datamill.mixes.eligible import Eligible, breakdown, join
from datamill.mixes.gather import Piece, write_local_shard
from datamill.mixes.inputs import FILTER_COLUMNS, SIGNAL_PREFIX, RunInput, kept_files, open_run
from datamill.mixes.scan import (
    BASE_COLUMNS,
    FileScan,
    FileSizes,
    Filter,
    ScanRequest,
    check_filters,
    scan_file,
)
from datamill.mixes.shards import SHARD_GLOB, Layout, layout
from datamill.mixes.spec import MixSpec, MixSpecError
from datamill.mixes.spill import Runs, scatter, write_spilled_shard
from datamill.mixes.tokens import TokenCounter, stored_method
from datamill.mixes.workers import Workers, release_unused
from datamill.mixes.workers import workers as make_workers
from datamill.pipeline import __version__
from datamill.pipeline.rundir import write_json_atomic

MANIFEST = "manifest.json"
STATS = "export.json"  # when and how it ran (the manifest holds only what the output depends on)
SPILL_PREFIX = ".spill-"
FORMAT = "datamill-mix/1"
_SHARES = (("licenses", "license"), ("sources", "source"), ("languages", "lang"))  # manifest: column


class ExportError(RuntimeError):
    """The export cannot be written (for example the output folder holds another export)."""


class InfeasibleMixError(MixSpecError):
    """Not enough eligible data for a component's target under its caps."""


def _prepare_out(out_dir: Path, overwrite: bool) -> None:
    old = [out_dir / MANIFEST, *sorted(out_dir.glob(SHARD_GLOB))] if out_dir.exists() else []
    old = [p for p in old if p.exists()]
    if old and not overwrite:
        raise ExportError(
            f"{out_dir} already holds an export ({old[0].name}); pass --overwrite to replace it"
        )
    for path in old:  # manifest first: a half-replaced folder never looks complete
        path.unlink()
    for tmp in out_dir.glob(".part-*.tmp") if out_dir.exists() else []:
        tmp.unlink()
    for spill in out_dir.glob(f"{SPILL_PREFIX}*") if out_dir.exists() else []:
        shutil.rmtree(spill, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def _signal_keys(spec: MixSpec) -> list[str]:
    """Keys of `signals` the filters read, as `signal_<key>` columns."""
    names = {name for c in spec.components for name in c.expr().meta.root_names()}
    return sorted(n.removeprefix(SIGNAL_PREFIX) for n in names if n.startswith(SIGNAL_PREFIX))


def _plan(spec: MixSpec, comp, eligible: Eligible, pool: np.ndarray) -> sampling.Plan:
    codes = np.zeros(len(pool), np.int64)  # only a per-source cap reads them
    if comp.max_tokens_per_source is not None:
        codes = eligible.labels["source"].codes[pool]
    return sampling.plan(
        eligible.tokens[pool],
        codes,
        max_epochs=comp.max_epochs,
        max_tokens_per_source=comp.max_tokens_per_source,
        rng=sampling.component_rng(spec.seed, comp.name),
    )


def _targets(spec: MixSpec, plans: dict[str, sampling.Plan]) -> dict[str, int]:
    empty = [c.name for c in spec.components if plans[c.name].capacity == 0]
    if spec.components[0].tokens is not None:
        return {c.name: int(c.tokens) for c in spec.components}
    if spec.total_tokens is None and empty:
        raise InfeasibleMixError(
            f"component(s) {empty}: no eligible documents, so no weighted total is possible"
        )
    weights = {c.name: float(c.weight) for c in spec.components}
    norm = sum(weights.values())
    total = spec.total_tokens or sampling.weighted_total(weights, {n: p.capacity for n, p in plans.items()})
    return {name: round(total * w / norm) for name, w in weights.items()}


def _check_feasible(spec: MixSpec, plans: dict[str, sampling.Plan], pools, targets: dict[str, int]) -> None:
    problems = []
    for comp in spec.components:
        p, target = plans[comp.name], targets[comp.name]
        if p.capacity < target and not spec.allow_shortfall:
            cap = (
                f", max_tokens_per_source {comp.max_tokens_per_source}" if comp.max_tokens_per_source else ""
            )
            docs = len(pools[comp.name])
            problems.append(
                f"component {comp.name!r}: target {target} tokens, but its {docs} eligible "
                f"documents hold {p.available_tokens} tokens and max_epochs {comp.max_epochs}{cap} allow "
                f"{p.capacity}"
            )
    if problems:
        raise InfeasibleMixError(
            "infeasible mix (raise max_epochs, lower the target or set allow_shortfall: true)\n  "
            + "\n  ".join(problems)
        )


def _scan_request(spec: MixSpec, counter: TokenCounter, run: RunInput) -> ScanRequest:
    reads = [set(c.expr().meta.root_names()) for c in spec.components]
    columns = [c for c in FILTER_COLUMNS if c in set().union(*reads) or c in BASE_COLUMNS]
    filters = tuple(
        Filter(c.name, c.filter if c.inputs is None or run.name in c.inputs else None, "text" in reads[i])
        for i, c in enumerate(spec.components)
    )
    return ScanRequest(
        run=run.name,
        columns=tuple(columns),
        signal_keys=tuple(_signal_keys(spec)),
        filters=filters,
        policy=spec.license_policy,
        counter=counter,
        use_stored=stored_method(run.state) == counter.method(),
    )


def _scan(
    spec: MixSpec,
    counter: TokenCounter,
    runs: list[RunInput],
    files: list[tuple[RunInput, str]],
    pool: Workers,
) -> tuple[list[FileScan], dict[str, ScanRequest]]:
    """Pass one over every input file (`files`: each run's kept files), in order."""
    requests = {run.name: _scan_request(spec, counter, run) for run in runs}
    for request in requests.values():
        check_filters(request)
    args = [(path, requests[run.name]) for run, path in files]
    # narrow reads take a few ms a file: this process does them while the workers start,
    # unless text must be read (to count tokens or for a filter), which is worth the workers
    # (more processes would import the scan's modules and send the rows back)
    heavy = any(not r.use_stored or any(f.reads_text for f in r.filters) for r in requests.values())
    if heavy:
        return pool.map(scan_file, args), requests
    # Parquet decoding and polars release the GIL: threads nearly halve the narrow scan
    with ThreadPoolExecutor(max(1, min(pool.count, os.cpu_count() or 1))) as threads:
        return list(threads.map(lambda a: scan_file(*a), args)), requests


def _excluded(scans: list[FileScan]) -> dict[str, dict[str, int]]:
    """Docs and tokens the licence policy excluded, by reason."""
    total: dict[str, list[int]] = {}
    for scan in scans:
        for reason, (docs, tokens) in scan.excluded.items():
            counts = total.setdefault(reason, [0, 0])
            counts[0], counts[1] = counts[0] + docs, counts[1] + tokens
    return {reason: {"docs": d, "tokens": t} for reason, (d, t) in sorted(total.items())}


def _distinct(ranks: np.ndarray, bound: int) -> int:
    """How many different values `ranks` (integers in [0, bound)) holds; np.unique took 1.4 s
    for 1.9M ranks here."""
    seen = np.zeros(bound, bool)
    seen[ranks] = True
    return int(np.count_nonzero(seen))


def _estimates(tokens: np.ndarray, sizes: list[FileSizes], all_tokens: int) -> np.ndarray:
    """Each output row's estimated uncompressed bytes: the inputs' bytes per row of the other
    columns plus their text bytes per token (from the Parquet footers) times its tokens."""
    rows = sum(s.rows for s in sizes)
    other = sum(s.other_raw for s in sizes) / rows if rows else 0.0
    per_token = sum(s.text_raw for s in sizes) / all_tokens if all_tokens else 0.0
    return other + per_token * tokens.astype(np.float64)


def export(
    spec: MixSpec,
    out_dir: Path,
    *,
    overwrite: bool = False,
    spec_path: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    workers: int | None = None,
    address: str | None = None,
    executor: str = "auto",
) -> dict[str, Any]:
    """Sample the mix, write its shards and manifest.json (last); returns the manifest.
    `workers`: tasks at once (default: the CPUs); Ray tasks when Ray runs or `address` (or
    RAY_ADDRESS) names a cluster, else processes (`executor` may insist on ray, processes or
    serial: workers.py). `progress` receives a line per phase."""
    started = time.perf_counter()
    runs = [open_run(name, spec.input_path(name)) for name in spec.inputs]
    counter = TokenCounter(spec)
    files = [(run, path) for run in runs for path in kept_files(run.path, run.state)]
    on_disk = sum(Path(path).stat().st_size for _, path in files)
    paths = [path for _, path in files]
    with make_workers(workers, address, executor, on_disk) as pool:
        pool.warm()
        progress(f"pass one: narrow columns of {len(runs)} input run(s) ({pool.kind}, {pool.count} workers)")
        scans, requests = _scan(spec, counter, runs, files, pool)
        stored = sorted(name for name, r in requests.items() if r.use_stored)
        sizes = [scan.sizes for scan in scans]
        all_tokens = sum(scan.all_tokens for scan in scans)
        kept = {run.name: 0 for run in runs}
        for (run, _), scan in zip(files, scans, strict=True):
            kept[run.name] += scan.rows
        excluded = _excluded(scans)
        ranks = {name: rank for rank, name in enumerate(sorted(kept))}
        eligible = join(scans, [ranks[run.name] for run, _ in files], len(spec.components))
        release_unused()

        progress(f"sampling {len(spec.components)} component(s) from {len(eligible)} eligible documents")
        pools = {c.name: np.flatnonzero(eligible.matches[:, i]) for i, c in enumerate(spec.components)}
        plans = {c.name: _plan(spec, c, eligible, pools[c.name]) for c in spec.components}
        targets = _targets(spec, plans)
        _check_feasible(spec, plans, pools, targets)
        picked, labels, components = [], [], []
        for i, comp in enumerate(spec.components):
            positions = sampling.take(plans[comp.name], targets[comp.name])
            picked.append(pools[comp.name][positions])
            labels.append(np.full(len(positions), i, np.int16))
            tokens = eligible.tokens[picked[-1]]
            entry = _component_entry(
                comp, len(pools[comp.name]), plans[comp.name], targets[comp.name], positions, tokens
            )
            components.append(entry)
        del pools, plans
        picked, labels = _output_order(spec, eligible, np.concatenate(picked), np.concatenate(labels))
        tokens = eligible.tokens[picked]
        total_tokens = int(tokens.sum())
        for entry in components:
            entry["actual_weight"] = round(entry["actual_tokens"] / total_tokens, 6) if total_tokens else 0.0
        estimates = _estimates(tokens, sizes, all_tokens)
        plan = layout(estimates, spec.shards.row_group_bytes, spec.shards.target_bytes)
        unique_docs = _distinct(eligible.ids[picked], len(eligible))
        shares = {key: breakdown(eligible.labels[column], picked, tokens) for key, column in _SHARES}
        file_of, row_of = eligible.file[picked], eligible.row[picked]
        del eligible  # pass two needs only the chosen rows' places
        release_unused()

        _prepare_out(out_dir, overwrite)
        progress(f"pass two: {len(picked)} rows, {plan.shards} shard(s), {spec.shards.order} order")
        names = [c.name for c in spec.components]
        if spec.shards.order == "global":
            shards = _write_global(pool, plan, paths, file_of, row_of, labels, names, out_dir)
        else:
            shards = _write_local(pool, plan, paths, file_of, row_of, labels, names, spec.seed, out_dir)
        nodes = sorted(pool.nodes)
        executor = {"kind": pool.kind, "workers": pool.count}
    for i, shard in enumerate(shards):
        lo, hi = plan.rows_of(i)
        shard["tokens"] = int(tokens[lo:hi].sum())
    manifest = {
        "format": FORMAT,
        "name": spec.name,
        "datamill_version": __version__,
        "spec_path": str(spec_path.resolve()) if spec_path else None,
        "spec_sha256": spec.sha256(),
        "spec": spec.dump(),
        "seed": spec.seed,
        "tokenizer": {**counter.describe(), "stored_counts_from": stored},
        "inputs": [run.describe(kept[run.name]) for run in runs],
        "excluded_by_policy": excluded,
        "components": components,
        "totals": {
            "docs": len(picked),
            "unique_docs": unique_docs,
            "tokens": total_tokens,
            "bytes": sum(s["bytes"] for s in shards),
            "shards": len(shards),
        },
        **shares,
        "shards": shards,
    }
    write_json_atomic(manifest, out_dir / MANIFEST)
    stats = {
        "created_at": datetime.now(UTC).isoformat(),
        "seconds": round(time.perf_counter() - started, 3),
        "executor": executor,
        "nodes": nodes,
    }
    write_json_atomic(stats, out_dir / STATS)
    return {**manifest, **stats}


def _output_order(spec: MixSpec, eligible: Eligible, picked: np.ndarray, labels: np.ndarray):
    """The chosen rows (positions in `eligible`) and components in output order: shuffled by
    the seed (`global`), or in input order (`local`: file, row; each shard is then a stretch of
    the inputs, shuffled within its row groups)."""
    if spec.shards.order == "global":
        order = sampling.shuffle_order(len(picked), spec.seed)
    else:
        files, rows = eligible.file[picked], eligible.row[picked]
        order = np.lexsort((labels, rows, files))
    return picked[order], labels[order]


def _write_global(pool: Workers, plan: Layout, paths, files, rows, labels, names, out_dir: Path):
    spill = out_dir / f"{SPILL_PREFIX}{uuid.uuid4().hex}"
    try:
        pieces = []
        positions = np.arange(len(files), dtype=np.int64)
        by_file = np.lexsort((rows, files))
        bounds = np.flatnonzero(np.diff(files[by_file])) + 1
        for part in np.split(by_file, bounds) if len(by_file) else []:
            f = int(files[part[0]])
            pieces.append(Piece(paths[f], f, rows[part], positions[part], labels[part]))
        runs = Runs.join(
            pool.map(scatter, [(piece, names, plan.group_starts, str(spill)) for piece in pieces])
        )
        args = []
        for i in range(plan.shards):
            groups = plan.groups_of(i)
            starts = plan.group_starts[groups.start : groups.stop + 1].tolist()
            runs_of = runs.of_groups(groups.start, groups.stop)
            args.append((i, groups.start, starts, runs_of, str(spill), str(out_dir)))
        return pool.map(write_spilled_shard, args)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _write_local(pool: Workers, plan: Layout, paths, files, rows, labels, names, seed: int, out_dir: Path):
    args = []
    for i in range(plan.shards):
        lo, hi = plan.rows_of(i)
        pieces = []
        bounds = np.flatnonzero(np.diff(files[lo:hi])) + 1 + lo
        for a, b in zip(np.r_[lo, bounds], np.r_[bounds, hi], strict=True):
            f = int(files[a])
            pieces.append(Piece(paths[f], f, rows[a:b], np.arange(a, b), labels[a:b]))
        groups = plan.groups_of(i)
        sizes = [int(plan.group_starts[g + 1] - plan.group_starts[g]) for g in groups]
        args.append((i, pieces, names, sizes, seed, str(out_dir)))
    return pool.map(write_local_shard, args)


def _component_entry(
    comp, pool: int, p: sampling.Plan, target: int, positions: np.ndarray, tokens: np.ndarray
) -> dict[str, Any]:
    """`pool`: the component's eligible documents; `positions` the ones taken (with repeats)."""
    repeats = np.bincount(positions, minlength=pool) if len(positions) else np.zeros(0, np.int64)
    actual = int(tokens.sum())
    return {
        "name": comp.name,
        "filter": comp.filter,
        "inputs": comp.inputs,
        "target_weight": comp.weight,
        "target_tokens": target,
        "actual_tokens": actual,
        "docs": len(positions),
        "unique_docs": int((repeats > 0).sum()),
        "available_docs": pool,
        "available_tokens": p.available_tokens,
        "max_epochs": comp.max_epochs,
        "epochs": round(actual / p.available_tokens, 4) if p.available_tokens else 0.0,
        "upsampled": bool(len(repeats) and repeats.max() > 1),
        "max_repeats": int(repeats.max()) if len(repeats) else 0,
        "max_tokens_per_source": comp.max_tokens_per_source,
        "shortfall_tokens": max(0, target - actual) if p.capacity < target else 0,
    }
