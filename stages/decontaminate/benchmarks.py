"""Benchmark items from files the user gives: JSONL, Parquet or plain text, one item per
record (a line of a text file), named by the benchmark the config entry names. Nothing is
downloaded: export an evaluation suite's items to such files first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.stage import StageConfig
from datamill.stages.ingest.sources import expand_paths

ITEM_SCHEMA = pa.schema([("benchmark", pa.string()), ("item", pa.string()), ("text", pa.large_string())])
_SUFFIXES = {".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".txt": "text"}


class BenchmarkFiles(StageConfig):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")  # the benchmark: in drop reasons and run.json
    paths: list[str] = Field(min_length=1)  # files, folders or globs, relative to the config
    format: Literal["auto", "jsonl", "parquet", "text"] = "auto"  # auto: by file suffix
    fields: list[str] = ["text"]  # record fields joined (one per line) into the item's text
    id_field: str | None = None  # default: <file name>:<record number>


def files_of(entry: BenchmarkFiles, base_dir: Path) -> list[Path]:
    """The entry's files, sorted; ValueError naming a path that matches nothing."""
    out: list[Path] = []
    for pattern in entry.paths:
        found = expand_paths(base_dir, [pattern])
        if not found:
            raise ValueError(f"benchmark {entry.name!r}: no such file or folder: {base_dir / pattern}")
        for path in found:
            out += (
                sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
                if path.is_dir()
                else [path]
            )
    return out


def files_digest(paths: list[Path]) -> str:
    """sha256 over the files' names and bytes: a changed benchmark file changes the stage's
    config sha, so its decisions are made again."""
    return sha256_hex("\x1f".join(f"{p.name}\x1e{sha256_hex(p.read_bytes())}" for p in paths))


def _records(path: Path, fmt: str) -> list[dict[str, Any]]:
    fmt = _SUFFIXES.get(path.suffix.lower(), "text") if fmt == "auto" else fmt
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    lines = path.read_text(encoding="utf-8").splitlines()
    if fmt == "text":
        return [{"text": line} for line in lines]
    return [json.loads(line) for line in lines if line.strip()]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(_text(v) for v in value)
    return "" if value is None else str(value)


def read_items(entry: BenchmarkFiles, paths: list[Path]) -> pa.Table:
    """(benchmark, item id, text) of every non-empty record of the entry's files."""
    rows = []
    for path in paths:
        for number, record in enumerate(_records(path, entry.format), start=1):
            text = "\n".join(_text(record.get(f)) for f in entry.fields if record.get(f) is not None).strip()
            if text:
                item = record.get(entry.id_field) if entry.id_field else None
                rows.append((entry.name, str(item) if item is not None else f"{path.name}:{number}", text))
    benchmarks, items, texts = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table([list(benchmarks), list(items), list(texts)], schema=ITEM_SCHEMA)
