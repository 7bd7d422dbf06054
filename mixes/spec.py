"""Mix specs (README, Mixes): typed models loaded from YAML; errors name the file and the key.

A component selects rows of one or more runs with a SQL expression over the record columns
(parsed by polars' SQL parser, never Python `eval`) and asks for a share (`weight`) or an
absolute number of tokens (`tokens`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from datamill.pipeline.config import read_yaml
from datamill.pipeline.errors import ConfigError, config_error, validation_errors


class MixSpecError(ConfigError):
    """A mix spec that cannot be exported; the message names the file, key or component."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EstimateTokenizer(_Model):
    """Token estimate without a vocabulary: one token per CJK character (Han, kana, Hangul)
    plus 1.3 per other word (a run of letters/digits), rounded up per document."""

    kind: Literal["estimate"]


class HuggingFaceTokenizer(_Model):
    """A `tokenizer.json` loaded with the `tokenizers` library; path relative to the spec."""

    kind: Literal["huggingface"]
    path: str


Tokenizer = Annotated[EstimateTokenizer | HuggingFaceTokenizer, Field(discriminator="kind")]


class LicensePolicy(_Model):
    """Which rows may be exported. A null licence counts as `unknown`."""

    allow: list[str] = Field(default_factory=list)  # SPDX ids or shell-style patterns (CC-BY-*)
    allow_unknown: bool = False
    exclude_opt_out: bool = True  # drop rows with tdm_opt_out = true


class ShardConfig(_Model):
    """Shards and row groups are cut by their rows' uncompressed sizes, estimated before any
    text is read (the inputs' Parquet footers and token counts), so that parallel tasks write
    the same files; a shard's file is smaller by zstd's ratio (often 3-4x on text)."""

    target_bytes: int = Field(1 << 30, ge=1024)  # uncompressed bytes per shard, about
    row_group_bytes: int = Field(64 << 20, ge=1024)  # uncompressed bytes per row group, about
    # global: rows shuffled across all shards by the seed; local: each shard a stretch of the
    # inputs (in their order), its rows shuffled within each row group
    order: Literal["global", "local"] = "global"


class Component(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    filter: str = "true"  # SQL over the record columns, `tokens`, `run` and `signal_<key>` (signals)
    inputs: list[str] | None = None  # input names; default: every input
    weight: float | None = Field(None, gt=0)
    tokens: int | None = Field(None, gt=0)
    max_epochs: float = Field(1.0, ge=1.0)  # upsampling cap: a document repeats at most this often
    max_tokens_per_source: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_target(self) -> Component:
        if (self.weight is None) == (self.tokens is None):
            raise ValueError("give exactly one of `weight` and `tokens`")
        try:
            pl.sql_expr(self.filter)
        except Exception as exc:  # polars raises several error classes for bad SQL
            raise ValueError(f"filter {self.filter!r} is not a valid SQL expression: {exc}") from exc
        return self

    def expr(self) -> pl.Expr:
        return pl.sql_expr(self.filter)


class MixSpec(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = 0
    inputs: dict[str, str] = Field(min_length=1)  # name -> run directory (relative to the spec)
    components: list[Component] = Field(min_length=1)
    total_tokens: int | None = Field(None, gt=0)  # weights only; null: the most the caps allow
    allow_shortfall: bool = False
    tokenizer: Tokenizer = EstimateTokenizer(kind="estimate")
    license_policy: LicensePolicy = LicensePolicy()
    shards: ShardConfig = ShardConfig()
    base_dir: Path = Path(".")  # folder the spec came from

    @model_validator(mode="after")
    def _consistent(self) -> MixSpec:
        names = [c.name for c in self.components]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"component name(s) listed twice: {dupes}")
        for i, comp in enumerate(self.components):
            unknown = [n for n in comp.inputs or [] if n not in self.inputs]
            if unknown:
                raise ValueError(f"components[{i}] ({comp.name}): unknown input(s) {unknown}")
        weighted = [c.name for c in self.components if c.weight is not None]
        if weighted and len(weighted) != len(self.components):
            fixed = [c.name for c in self.components if c.tokens is not None]
            raise ValueError(f"mix weights and token targets in one spec: weights {weighted}, tokens {fixed}")
        if not weighted and self.total_tokens is not None:
            raise ValueError("total_tokens applies to weighted components only")
        return self

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"base_dir"})

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.dump(), sort_keys=True).encode()).hexdigest()

    def input_path(self, name: str) -> Path:
        return (self.base_dir / self.inputs[name]).resolve()

    def tokenizer_path(self) -> Path | None:
        if isinstance(self.tokenizer, HuggingFaceTokenizer):
            return (self.base_dir / self.tokenizer.path).resolve()
        return None


def parse(data: Any, where: str, base_dir: Path) -> MixSpec:
    if not isinstance(data, dict):
        raise MixSpecError(f"{where}: expected a mapping of keys")
    try:
        return MixSpec.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        errors = validation_errors(exc, tags=("estimate", "huggingface"))  # the tokenizer kinds
        raise MixSpecError(str(config_error(where, errors, "mix spec"))) from None


def load(path: str | Path) -> MixSpec:
    """Load and validate a YAML mix spec; MixSpecError on any problem."""
    path = Path(path)
    data = read_yaml(path, "mix spec", MixSpecError)
    return parse(data, str(path), path.resolve().parent)
