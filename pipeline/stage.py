"""The stage contract (docs/architecture.md, The stage contract).

The `SourceStage` (ingest) cuts the run's sources into shards and reads them as batches. A
row-local `Stage` is a function of one Arrow batch: it returns the same rows, in the same
order, with any columns it sets and a `drop_reason` column (null = kept). The runner fuses the
source stage and the row-local stages after it into one streaming pass, moves rejected rows to
`rejected/<stage>/` and appends every decision to `lineage`. A `GlobalStage` decides on narrow
columns of the whole dataset (a barrier) and writes its decisions; its `applier`, a row-local
stage, applies them in the next rows pass, so the text is written once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from datamill.pipeline.hashing import sha256_hex

if TYPE_CHECKING:
    from datamill.pipeline.view import View

DROP_REASON = "drop_reason"
#: what a row-local stage changed in a row it keeps (`pii:redacted:email=2`, null = unchanged):
#: the runner records it as the reason of that row's lineage entry, whose decision is `edited`
EDIT = "edit"


class StageConfig(BaseModel):
    """Base of every stage's config: unknown keys are errors. Subclasses add a
    `stage: Literal["<name>"]` field that tells the variants apart in a run config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def sha(self) -> str:
        return sha256_hex(self.model_dump_json())


class MissingColumnsError(ValueError):
    """A batch lacks columns a stage requires."""


class _StageBase:
    name: ClassVar[str]
    version: ClassVar[str]  # bump when behaviour changes: invalidates checkpoints
    Config: ClassVar[type[StageConfig]]
    #: columns a stage reads (checked on entry) and sets (checked on exit), by the runner
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

    def check_produced(self, names: list[str]) -> None:
        missing = [c for c in self.produces if c not in names]
        if missing:
            raise MissingColumnsError(f"stage {self.name!r} did not produce column(s) {missing}")


class Stage(_StageBase):
    """Row-local stage: plain function of an Arrow batch, testable without Ray."""

    def setup(self) -> None:
        """Load models and compile rules, once per worker."""

    def begin_shard(self, key: str) -> None:
        """Called before the batches of each shard (the appliers of global stages load that
        shard's decisions here)."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        raise NotImplementedError


@dataclass(frozen=True)
class Shard:
    """A unit of work of the first segment: the files of one source that one task reads and
    writes as a whole."""

    source: str
    kind: str
    files: tuple[str, ...]  # relative to the config folder where possible

    @property
    def key(self) -> str:
        digest = sha256_hex(json.dumps([self.source, self.kind, self.files]), 12)
        stem = Path(self.files[0]).name.replace(".", "_")[:40]
        return f"{self.source}-{stem}-{digest}"


class SourceStage(_StageBase):
    """The first stage of every run: the run's sources, cut into shards and read as batches.

    `read_shard` yields working-schema batches with a `drop_reason` column: a record that
    cannot be read becomes a rejected row, never an exception, so nothing disappears silently.
    `config_sha(source)` is what the lineage of a row from that source records."""

    def plan_shards(self, base_dir: Path) -> list[Shard]:
        """Every source cut into shards, in a stable order."""
        raise NotImplementedError

    def read_shard(self, shard: Shard, base_dir: Path, batch_rows: int) -> Iterator[pa.Table]:
        raise NotImplementedError

    def config_sha(self, source: str) -> str:
        raise NotImplementedError


SCRATCH, RESUME = ".scratch", ".resume"  # a decisions folder's working files, partial results
PREPARED = "_prepared"  # in a rows pass's folder: what it prepared for the global stages after it
SHARD = "_shard"  # in a global stage's view: the index of the row's shard among the view's inputs


@dataclass
class RunContext:
    """What a global stage may know about the run it is part of."""

    run_dir: Path
    #: the segment folder the stage writes its decisions to (read back by its `applier`)
    decisions: Path
    #: the keys of the view's shards, indexed by the `_shard` column
    shard_keys: list[str]
    #: rows in the view's input files: the view has at most as many (it leaves out what the
    #: global stages before it reject), known without reading it
    input_rows: int
    num_cpus: int

    @property
    def scratch(self) -> Path:
        """Working files, removed once the segment is done or redone."""
        return self.decisions / SCRATCH

    @property
    def resume(self) -> Path:
        """A stage's own partial results: kept across attempts while the segment's fingerprint
        is unchanged, removed once the segment is done."""
        return self.decisions / RESUME


class GlobalStage(_StageBase):
    """A barrier over the whole dataset (dedup, boilerplate, synthesis) that decides on narrow
    columns and never rewrites the corpus itself.

    `decide` reads a view of the data (`pipeline/view.py`: the columns in `needs`, or those in
    `prepares` if it has them, plus `id` and `_shard`, of the rows every earlier stage kept,
    mapped shard by shard) and writes what it decided under `ctx.decisions`: per-shard decision
    rows, or a small table every shard shares. It returns its stats (numbers are counted in
    run.json, anything else is listed beside them). `applier` turns those files back into a
    row-local stage, which the runner applies in its next pass over the rows, shard by shard,
    together with the other stages of that pass: the text is written once however many global
    stages decide on it. A stage that adds documents (synthesize) lists their files in
    `new_rows`; they join that pass at the stage's applier.
    """

    needs: ClassVar[tuple[str, ...]] = ()
    #: the per-row columns `prepare` makes from `needs`: a stage that has them decides on a view
    #: of these (plus `id` and `_shard`) instead of `needs`
    prepares: ClassVar[tuple[str, ...]] = ()
    #: whether `prepare` is cheap enough for the driver's head start (no compiled code to load:
    #: numba's start-up would cost the driver a second of the Ray start-up it spends on shards)
    prepares_in_driver: ClassVar[bool] = False
    #: the columns its applier reads, if not `requires`: a rows pass whose stages read no text
    #: reads none (the text stays where it is, by reference)
    applier_requires: ClassVar[tuple[str, ...] | None] = None

    def decide(self, view: View, ctx: RunContext) -> dict[str, Any]:
        raise NotImplementedError

    def prepare(self, batch: pa.Table) -> pa.Table:
        """The `prepares` columns of every row of a batch with the `needs` columns (same rows,
        same order). The rows pass before the stage runs it where the text is final and writes
        the result beside each shard (`prepared_file`), so the stage's view reads these narrow
        columns instead of the text; a view shard without that file prepares as it reads."""
        raise NotImplementedError

    def prepared_name(self) -> str:
        """The folder of its prepared files: a changed version or config never reads old ones."""
        return f"{self.name}-{sha256_hex(self.version + self.config.sha(), 12)}"

    def applier(self, decisions: Path) -> Stage:
        raise NotImplementedError

    def new_rows(self, decisions: Path) -> list[Path]:
        return []


def prepared_file(segment: Path, stage: GlobalStage, key: str) -> Path:
    """Where the rows pass writing `segment` puts the prepared columns of shard `key` for
    `stage`: its rows are the shard file's, in the same order."""
    return segment / PREPARED / stage.prepared_name() / f"{key}.parquet"


class Applier(Stage):
    """The row-local stage that applies a global stage's decisions: the global stage's name,
    version and config (so lineage records that stage), reading its decisions folder."""

    def __init__(self, stage: GlobalStage, decisions: Path) -> None:
        super().__init__(stage.config)
        self.name, self.version = stage.name, stage.version
        self.requires = stage.requires if stage.applier_requires is None else stage.applier_requires
        self.produces = stage.produces
        self.decisions = decisions


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
