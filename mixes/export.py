"""`datamill export`: a mix spec over finished runs -> Parquet shards + manifest.json (README, Mixes).

Deterministic for a given spec and inputs: pools are ordered by (input, id), sampling and the
output order come from seeded generators, and shards are cut by size in that order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from datamill.mixes import policy, sampling
from datamill.mixes.inputs import SIGNAL_PREFIX, kept_frame, open_run
from datamill.mixes.shards import EXPORT_SCHEMA, SHARD_GLOB, write_shards
from datamill.mixes.spec import MixSpec, MixSpecError
from datamill.mixes.tokens import TokenCounter
from datamill.pipeline import __version__
from datamill.pipeline.rundir import write_json_atomic

MANIFEST = "manifest.json"
ROW = "_row"  # position of a row among the eligible rows
FORMAT = "datamill-mix/1"


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


def _breakdown(frame: pl.DataFrame, column: str, null_as: str) -> dict[str, dict[str, int]]:
    grouped = (
        frame.group_by(pl.col(column).fill_null(null_as).alias("key"))
        .agg(docs=pl.len(), tokens=pl.col("tokens").sum())
        .sort("key")
    )
    return {row["key"]: {"docs": row["docs"], "tokens": int(row["tokens"])} for row in grouped.to_dicts()}


def _signal_keys(spec: MixSpec) -> list[str]:
    """Keys of `signals` the filters read, as `signal_<key>` columns."""
    names = {name for c in spec.components for name in c.expr().meta.root_names()}
    return sorted(n.removeprefix(SIGNAL_PREFIX) for n in names if n.startswith(SIGNAL_PREFIX))


def _pool(eligible: pl.DataFrame, comp) -> pl.DataFrame:
    pool = eligible if comp.inputs is None else eligible.filter(pl.col("run").is_in(comp.inputs))
    try:
        return pool.filter(comp.expr())
    except (pl.exceptions.PolarsError, pl.exceptions.SQLInterfaceError) as exc:
        raise MixSpecError(f"component {comp.name!r}: filter {comp.filter!r} failed: {exc}") from exc


def _plan(spec: MixSpec, comp, pool: pl.DataFrame) -> sampling.Plan:
    _, codes = np.unique(pool["source"].fill_null("").to_numpy(), return_inverse=True)
    return sampling.plan(
        pool["tokens"].to_numpy().astype(np.int64),
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
            docs = pools[comp.name].height
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


def export(
    spec: MixSpec,
    out_dir: Path,
    *,
    overwrite: bool = False,
    spec_path: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Sample the mix, write its shards and manifest.json; returns the manifest. `progress`
    receives a line as each phase starts."""
    started = time.perf_counter()
    runs = [open_run(name, spec.input_path(name)) for name in spec.inputs]
    counter = TokenCounter(spec)
    progress(f"reading {len(runs)} input run(s)")
    frames = [kept_frame(run, _signal_keys(spec)) for run in runs]
    rows = pl.concat(frames, how="vertical")
    progress(f"counting tokens of {rows.height} documents ({counter.kind})")
    rows = rows.with_columns(tokens=pl.Series(counter.count(rows["text"]), dtype=pl.Int64))
    rows = rows.with_columns(policy=policy.violation(spec.license_policy, rows))
    excluded = _breakdown(rows.filter(pl.col("policy").is_not_null()), "policy", "")
    eligible = rows.filter(pl.col("policy").is_null()).sort(["run", "id"]).with_row_index(ROW)

    progress(f"sampling {len(spec.components)} component(s) from {eligible.height} eligible documents")
    pools = {c.name: _pool(eligible, c) for c in spec.components}
    plans = {c.name: _plan(spec, c, pools[c.name]) for c in spec.components}
    targets = _targets(spec, plans)
    _check_feasible(spec, plans, pools, targets)

    picked, labels, components = [], [], []
    for i, comp in enumerate(spec.components):
        pool = pools[comp.name]
        positions = sampling.take(plans[comp.name], targets[comp.name])
        picked.append(pool[ROW].to_numpy()[positions])
        labels.append(np.full(len(positions), i))
        tokens = pool["tokens"].to_numpy()[positions]
        components.append(
            _component_entry(comp, pool, plans[comp.name], targets[comp.name], positions, tokens)
        )
    order = sampling.shuffle_order(sum(len(p) for p in picked), spec.seed)
    names = pl.Series([c.name for c in spec.components], dtype=pl.String)
    chosen = eligible.select([*EXPORT_SCHEMA.names[:-1], "tokens"])[np.concatenate(picked)[order]]
    chosen = chosen.with_columns(component=names.gather(np.concatenate(labels)[order]))
    total_tokens = int(chosen["tokens"].sum())
    for entry in components:
        entry["actual_weight"] = round(entry["actual_tokens"] / total_tokens, 6) if total_tokens else 0.0

    _prepare_out(out_dir, overwrite)
    progress(f"writing {chosen.height} rows to {out_dir}")
    table = chosen.select(EXPORT_SCHEMA.names).to_arrow()
    shards = write_shards(
        table,
        chosen["tokens"].to_numpy(),
        out_dir,
        target_bytes=spec.shards.target_bytes,
        row_group_bytes=spec.shards.row_group_bytes,
    )
    manifest = {
        "format": FORMAT,
        "name": spec.name,
        "datamill_version": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "spec_path": str(spec_path.resolve()) if spec_path else None,
        "spec_sha256": spec.sha256(),
        "spec": spec.dump(),
        "seed": spec.seed,
        "tokenizer": counter.describe(),
        "inputs": [run.describe(frame.height) for run, frame in zip(runs, frames, strict=True)],
        "excluded_by_policy": excluded,
        "components": components,
        "totals": {
            "docs": chosen.height,
            "unique_docs": chosen["id"].n_unique(),
            "tokens": total_tokens,
            "bytes": sum(s["bytes"] for s in shards),
            "shards": len(shards),
        },
        "licenses": _breakdown(chosen, "license", policy.UNKNOWN),
        "sources": _breakdown(chosen, "source", ""),
        "languages": _breakdown(chosen, "lang", "und"),
        "shards": shards,
        "seconds": round(time.perf_counter() - started, 3),
    }
    write_json_atomic(manifest, out_dir / MANIFEST)
    return manifest


def _component_entry(
    comp, pool: pl.DataFrame, p: sampling.Plan, target: int, positions: np.ndarray, tokens: np.ndarray
) -> dict[str, Any]:
    repeats = np.bincount(positions, minlength=pool.height) if len(positions) else np.zeros(0, np.int64)
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
        "available_docs": pool.height,
        "available_tokens": p.available_tokens,
        "max_epochs": comp.max_epochs,
        "epochs": round(actual / p.available_tokens, 4) if p.available_tokens else 0.0,
        "upsampled": bool(len(repeats) and repeats.max() > 1),
        "max_repeats": int(repeats.max()) if len(repeats) else 0,
        "max_tokens_per_source": comp.max_tokens_per_source,
        "shortfall_tokens": max(0, target - actual) if p.capacity < target else 0,
    }
