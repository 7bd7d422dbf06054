"""The stage contract (DESIGN §4).

A row-local `Stage` is a function of one Arrow batch: it returns the same rows, in the same
order, with any columns it sets and a `drop_reason` column (null = kept). The runner fuses
row-local stages into one streaming pass, moves rejected rows to `rejected/<stage>/` and
appends every decision to `lineage`. A `GlobalStage` sees the whole dataset (a barrier) and
returns it with a `drop_reason` column; the runner checkpoints its output.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import ray.data

DROP_REASON = "drop_reason"


class StageConfig(BaseModel):
    """Base of every stage's config: unknown keys are errors. Subclasses add a
    `stage: Literal["<name>"]` field that tells the variants apart in a run config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def sha(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class MissingColumnsError(ValueError):
    """A batch lacks columns a stage requires."""


class _StageBase:
    name: ClassVar[str]
    version: ClassVar[str]
    Config: ClassVar[type[StageConfig]]
    requires: ClassVar[tuple[str, ...]] = ()
    produces: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: StageConfig | None = None) -> None:
        self.config = config if config is not None else self.Config()
        self.counters: Counter[str] = Counter()

    def check_columns(self, names: list[str]) -> None:
        missing = [c for c in self.requires if c not in names]
        if missing:
            raise MissingColumnsError(
                f"stage {self.name!r} needs column(s) {missing}; the batch has {sorted(names)}"
            )


class Stage(_StageBase):
    """Row-local stage: plain function of an Arrow batch, testable without Ray."""

    #: stages that load a model ask the runner for long-lived actors
    loads_model: ClassVar[bool] = False

    def setup(self) -> None:
        """Load models and compile rules, once per worker."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        raise NotImplementedError


@dataclass
class RunContext:
    """What a global stage may know about the run it is part of."""

    run_dir: Path
    scratch: Path
    num_cpus: int
    stats: dict[str, Any] = field(default_factory=dict)
    #: kept across attempts of this segment while its fingerprint is unchanged (unlike
    #: `scratch`), removed once the segment is done: for a stage's own partial results
    resume: Path | None = None


class GlobalStage(_StageBase):
    """Barrier stage over the whole dataset (dedup, synthesis)."""

    def run(self, ds: ray.data.Dataset, ctx: RunContext) -> ray.data.Dataset:
        raise NotImplementedError

    def after_write(self, ctx: RunContext) -> None:
        """Called once the runner has written the output of `run`: for stats a lazy output only
        knows then."""


def with_drop_reason(batch: pa.Table, reasons: list[str | None] | pa.Array) -> pa.Table:
    """Attach the per-row decision a stage made (None = kept)."""
    array = reasons if isinstance(reasons, pa.Array) else pa.array(reasons, type=pa.string())
    if DROP_REASON in batch.column_names:
        return batch.set_column(batch.column_names.index(DROP_REASON), DROP_REASON, array)
    return batch.append_column(DROP_REASON, array)


def set_column(batch: pa.Table, name: str, values: pa.Array | list[Any], type: pa.DataType) -> pa.Table:
    """Replace or add column `name` (cast to `type`)."""
    array = (
        values.cast(type) if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, type=type)
    )
    if name in batch.column_names:
        return batch.set_column(batch.column_names.index(name), name, array)
    return batch.append_column(name, array)
