"""Run configuration: typed models loaded from YAML, with `--set key=value` overrides.

Every error names the file and the key. Input paths are resolved against the config file's
folder, so a config runs the same from any working directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from datamill.pipeline.errors import ConfigError, config_error, validation_errors
from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.registry import stage_class
from datamill.pipeline.stage import StageConfig
from datamill.stages.ingest.sources import KINDS as source_kinds
from datamill.stages.ingest.sources import CrawlSource, Source, expand_paths

M = TypeVar("M", bound=BaseModel)
TOKENS = "tokens"  # the stage storing token counts (stages/tokens.py): last if present

__all__ = ["ConfigError", "RayConfig", "RunConfig", "StageEntry", "load", "load_model", "parse", "read_yaml"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RayConfig(_Model):
    address: str | None = None  # None: RAY_ADDRESS or a local Ray
    num_cpus: int | None = Field(None, ge=1)  # local Ray only; default: the machine's
    object_store_fraction: float = Field(0.25, gt=0, le=0.8)  # of RAM, local Ray only
    head_start: bool = True  # the driver runs first-pass shards while a local Ray starts


class StageEntry(_Model):
    """One configured stage: its registered name and its validated config."""

    stage: str
    config: StageConfig

    def dump(self) -> dict[str, Any]:
        return {"stage": self.stage, **self.config.model_dump(mode="json")}


class RunConfig(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    sources: list[Source] = Field(min_length=1)
    stages: list[StageEntry] = Field(default_factory=list)
    ray: RayConfig = RayConfig()
    batch_rows: int = Field(2000, ge=1)  # rows per Arrow batch inside a shard (fewer past 64 MiB)
    base_dir: Path = Path(".")  # folder the config came from; input paths are relative to it

    def dump(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"stages", "base_dir"})
        data["stages"] = [entry.dump() for entry in self.stages]
        return data

    def sha(self) -> str:
        return sha256_hex(json.dumps(self.dump(), sort_keys=True))


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Apply `a.b.c=value` (value parsed as YAML). A list is indexed by number; `stages` also
    by stage name (`stages.normalize.form=NFKC`)."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key:
        raise ConfigError(f"--set {assignment!r}: expected key=value")
    parts = key.split(".")
    node: Any = data
    for part in parts[:-1]:
        node = _child(node, part, key, create=True)
    last = parts[-1]
    value = yaml.safe_load(raw) if raw else ""
    if isinstance(node, list):
        node[_index(node, last, key)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ConfigError(f"--set {key}: {'.'.join(parts[:-1])} is not a mapping or list")


def _index(node: list[Any], part: str, key: str) -> int:
    if part.lstrip("-").isdigit():
        idx = int(part)
        if -len(node) <= idx < len(node):
            return idx
        raise ConfigError(f"--set {key}: index {part} out of range (list has {len(node)} items)")
    matches = [
        i
        for i, item in enumerate(node)
        if isinstance(item, dict) and part in (item.get("stage"), item.get("name"))
    ]
    if len(matches) != 1:
        raise ConfigError(f"--set {key}: no single list item named {part!r}")
    return matches[0]


def _child(node: Any, part: str, key: str, create: bool) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, key)]
    if isinstance(node, dict):
        if part not in node:
            if not create:
                raise ConfigError(f"--set {key}: no key {part!r}")
            node[part] = {}
        return node[part]
    raise ConfigError(f"--set {key}: {part!r} is inside a value that is not a mapping")


def parse(data: Any, where: str, base_dir: Path) -> RunConfig:
    """Validate a config mapping; errors name `where` (the file) and each bad key."""
    if not isinstance(data, dict):
        raise config_error(where, [("(top level)", "expected a mapping of keys")])
    data = dict(data)
    raw_stages = data.pop("stages", []) or []
    errors: list[tuple[str, str]] = []
    entries: list[StageEntry] = []
    if not isinstance(raw_stages, list):
        errors.append(("stages", "expected a list"))
        raw_stages = []
    for i, item in enumerate(raw_stages):
        if not isinstance(item, dict) or "stage" not in item:
            errors.append((f"stages[{i}]", "expected a mapping with a 'stage' key"))
            continue
        params = dict(item)
        name = params.pop("stage")
        try:
            cls = stage_class(str(name))
        except KeyError as exc:
            errors.append((f"stages[{i}].stage", exc.args[0]))
            continue
        try:
            # stage configs with paths resolve them against the config's folder, like sources
            config = cls.Config.model_validate(params, context={"base_dir": base_dir})
            entries.append(StageEntry(stage=name, config=config))
        except ValidationError as exc:
            errors += validation_errors(exc, f"stages[{i}] ({name})")
    names = [e.stage for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errors.append(("stages", f"stage(s) listed twice: {dupes}"))
    if TOKENS in names[:-1]:  # it counts the final text: nothing may change the text after it
        errors.append((f"stages[{names.index(TOKENS)}]", f"'{TOKENS}' must be the last stage"))
    try:
        config = RunConfig.model_validate({**data, "stages": [], "base_dir": base_dir})
    except ValidationError as exc:
        errors += validation_errors(exc, tags=source_kinds)
        config = None
    if config is not None:
        for i, source in enumerate(config.sources):
            if isinstance(source, CrawlSource):  # its paths exist once it has crawled
                if not (base_dir / source.seeds).is_file():
                    errors.append((f"sources[{i}].seeds", f"no such file: {base_dir / source.seeds}"))
                continue
            for j, path in enumerate(source.input_paths):
                if not expand_paths(base_dir, [path]):
                    errors.append((f"sources[{i}].paths[{j}]", f"no such file or folder: {base_dir / path}"))
    if errors or config is None:
        raise config_error(where, errors)
    return config.model_copy(update={"stages": entries})


def read_yaml(path: Path, what: str, error: type[ConfigError] = ConfigError) -> Any:
    """The parsed YAML of `path` (a `what`: config, mix spec...); `error` naming the file if it
    cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def _where(path: Path | None, overrides: list[str], default: str) -> str:
    where = str(path) if path else default
    return where + (f" (with --set {' '.join(overrides)})" if overrides else "")


def load(path: str | Path, overrides: list[str] = ()) -> RunConfig:
    """Load a YAML run config, apply `--set` overrides, validate; ConfigError on any problem."""
    path = Path(path)
    data = read_yaml(path, "config")
    for assignment in overrides:
        apply_override(data, assignment)
    return parse(data, _where(path, list(overrides), ""), path.resolve().parent)


def load_model(model: type[M], path: str | Path | None, overrides: list[str], what: str) -> M:
    """A flat settings model (e.g. the crawl settings) from an optional YAML file plus `--set`
    overrides, with the same errors as a run config."""
    data: Any = {}
    if path:
        path = Path(path)
        data = read_yaml(path, what) or {}
    if not isinstance(data, dict):
        raise config_error(str(path), [("(top level)", "expected a mapping of keys")], what)
    for assignment in overrides:
        apply_override(data, assignment)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(
            _where(path and Path(path), overrides, what), validation_errors(exc), what
        ) from None
