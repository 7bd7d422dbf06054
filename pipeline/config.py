"""Run configuration: typed models loaded from YAML, with `--set key=value` overrides.

Every error names the file and the key. Input paths are resolved against the config file's
folder, so a config runs the same from any working directory.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.registry import stage_class
from pipeline.stage import StageConfig


class ConfigError(ValueError):
    """Bad configuration: stops the run before any work starts."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WarcSource(_Model):
    """WARC or WARC.gz files (files, folders or glob patterns); one shard per file."""

    kind: Literal["warc"]
    name: str
    paths: list[str]


class FilesSource(_Model):
    """Folders of HTML, PDF and text files, cut into shards of `files_per_shard` files."""

    kind: Literal["files"]
    name: str
    paths: list[str]
    files_per_shard: int = Field(64, ge=1)


class TableSource(_Model):
    """JSONL or Parquet of existing text: a text column plus optional metadata."""

    kind: Literal["jsonl", "parquet"]
    name: str
    paths: list[str]
    text_field: str = "text"
    uri_field: str = "url"
    title_field: str = "title"


class CrawlSource(_Model):
    """Seed URLs crawled into `out` (resumably, see stages/crawl.py) before ingest; the WARC
    files it writes there (`out/warc`) are this source's input. `settings`: CrawlConfig keys."""

    kind: Literal["crawl"]
    name: str
    seeds: str
    out: str
    settings: dict[str, Any] = {}

    @property
    def paths(self) -> list[str]:
        return [f"{self.out}/warc"]

    @field_validator("settings")
    @classmethod
    def _known_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        from stages.crawl import CrawlConfig

        try:
            CrawlConfig.model_validate(value)
        except ValidationError as exc:
            bad = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"bad crawl setting(s): {bad}") from None
        return value


Source = Annotated[WarcSource | FilesSource | TableSource | CrawlSource, Field(discriminator="kind")]


class RayConfig(_Model):
    address: str | None = None  # None: RAY_ADDRESS or a local Ray
    num_cpus: int | None = Field(None, ge=1)  # local Ray only; default: the machine's
    object_store_fraction: float = Field(0.25, gt=0, le=0.8)  # of RAM, local Ray only


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
    batch_rows: int = Field(500, ge=1)  # rows per Arrow batch inside a shard
    base_dir: Path = Path(".")  # folder the config came from; input paths are relative to it

    def dump(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"stages", "base_dir"})
        data["stages"] = [entry.dump() for entry in self.stages]
        return data

    def sha(self) -> str:
        return hashlib.sha256(json.dumps(self.dump(), sort_keys=True).encode()).hexdigest()[:16]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "tagged-union")):
            out += f".{part}" if out else str(part)
    return out


def _raise(where: str, errors: list[tuple[str, str]]) -> None:
    lines = [f"{where}: {key}: {msg}" for key, msg in errors]
    raise ConfigError("bad configuration\n  " + "\n  ".join(lines))


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
        _raise(where, [("(top level)", "expected a mapping of keys")])
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
            for err in exc.errors():
                errors.append((f"stages[{i}] ({name}).{_loc(err['loc'])}", err["msg"]))
    names = [e.stage for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errors.append(("stages", f"stage(s) listed twice: {dupes}"))
    try:
        config = RunConfig.model_validate({**data, "stages": [], "base_dir": base_dir})
    except ValidationError as exc:
        for err in exc.errors():
            errors.append((_loc(err["loc"]), err["msg"]))
        config = None
    if config is not None:
        for i, source in enumerate(config.sources):
            if isinstance(source, CrawlSource):  # its paths exist once it has crawled
                if not (base_dir / source.seeds).is_file():
                    errors.append((f"sources[{i}].seeds", f"no such file: {base_dir / source.seeds}"))
                continue
            for j, path in enumerate(source.paths):
                if not _expand(base_dir, path):
                    errors.append((f"sources[{i}].paths[{j}]", f"no such file or folder: {base_dir / path}"))
    if errors or config is None:
        _raise(where, errors)
    return config.model_copy(update={"stages": entries})


def _expand(base_dir: Path, pattern: str) -> list[Path]:
    path = base_dir / pattern
    if any(ch in pattern for ch in "*?["):
        return sorted(base_dir.glob(pattern))
    return [path] if path.exists() else []


def expand_paths(config: RunConfig, paths: list[str]) -> list[Path]:
    """Files, folders and globs of a source, resolved against the config's folder."""
    out: list[Path] = []
    for pattern in paths:
        out.extend(_expand(config.base_dir, pattern))
    return out


def load(path: str | Path, overrides: list[str] = ()) -> RunConfig:
    """Load a YAML run config, apply `--set` overrides, validate; ConfigError on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    for assignment in overrides:
        apply_override(data, assignment)
    where = f"{path}" + (f" (with --set {' '.join(overrides)})" if overrides else "")
    return parse(data, where, path.resolve().parent)
