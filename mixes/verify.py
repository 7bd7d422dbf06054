"""`datamill export --verify DIR`: re-check every shard against manifest.json."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from datamill.mixes.export import MANIFEST
from datamill.mixes.shards import EXPORT_SCHEMA, SHARD_GLOB, sha256_file


def load_manifest(out_dir: Path) -> dict:
    return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))


def verify(out_dir: Path) -> list[str]:
    """Problems found (empty list: every shard matches its manifest entry byte for byte)."""
    try:
        manifest = load_manifest(out_dir)
    except OSError:
        return [f"{out_dir / MANIFEST}: missing"]
    except json.JSONDecodeError as exc:
        return [f"{out_dir / MANIFEST}: not valid JSON ({exc})"]
    problems = []
    listed = {s["path"] for s in manifest["shards"]}
    for extra in sorted(p.name for p in out_dir.glob(SHARD_GLOB) if p.name not in listed):
        problems.append(f"{extra}: shard not listed in the manifest")
    for shard in manifest["shards"]:
        path = out_dir / shard["path"]
        if not path.exists():
            problems.append(f"{shard['path']}: missing")
            continue
        size = path.stat().st_size
        if size != shard["bytes"]:
            problems.append(f"{shard['path']}: {size} bytes, manifest says {shard['bytes']}")
        digest = sha256_file(path)
        if digest != shard["sha256"]:
            problems.append(f"{shard['path']}: sha256 {digest} differs from the manifest's {shard['sha256']}")
            continue
        meta = pq.read_metadata(path)
        if meta.num_rows != shard["rows"]:
            problems.append(f"{shard['path']}: {meta.num_rows} rows, manifest says {shard['rows']}")
        if not meta.schema.to_arrow_schema().equals(EXPORT_SCHEMA):
            problems.append(f"{shard['path']}: columns differ from the export schema")
    rows = sum(s["rows"] for s in manifest["shards"])
    if rows != manifest["totals"]["docs"]:
        problems.append(f"shards hold {rows} rows, manifest totals say {manifest['totals']['docs']}")
    return problems
