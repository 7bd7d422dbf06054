"""A finished run to export, audit and report on, made once per test session.

Web pages (English under /en/, Chinese under /zh/, two exact duplicates, one image) in a
gzipped WARC, plus a folder of Chinese text notes; run through extract_html, normalize,
langid, licence (which keeps every row: the mix's policy decides) and dedup_exact with the
real runner. Every third English page declares CC-BY-4.0 and every second Chinese page CC0-1.0
(`<link rel="license">`); English page 1 says `noai`; everything else is `unknown`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from datamill.pipeline.schema import RECORD_SCHEMA, make_id
from tests.conftest import run_pipeline
from tests.corpus import article, html_page, write_warc

EN_PAGES = 30
ZH_PAGES = 30
NOTES = 6
CC_BY = '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/">'
CC0 = '<link rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/">'
NOAI = '<meta name="robots" content="noai, noimageai">'


def _en_head(i: int) -> str:
    return CC_BY if i % 3 == 0 else NOAI if i == 1 else ""


@pytest.fixture(scope="session")
def mix_run(ray_session, tmp_path_factory) -> Path:
    """Run directory of the session's run (`<base>/run`); its inputs are under `<base>`."""
    base = tmp_path_factory.mktemp("mixrun")
    pages = []
    for i in range(EN_PAGES):
        body = html_page(
            f"English page {i}", article(i, "en", paragraphs=2 + i % 5), "en", extra_head=_en_head(i)
        )
        pages.append((f"https://site.example/en/{i}", body.encode(), "text/html; charset=utf-8"))
    for i in range(ZH_PAGES):
        head = CC0 if i % 2 == 0 else ""
        body = html_page(f"中文页面 {i}", article(100 + i, "zh", paragraphs=2 + i % 4), "zh", extra_head=head)
        pages.append((f"https://site.example/zh/{i}", body.encode(), "text/html; charset=utf-8"))
    pages.append(("https://mirror.example/en/0", pages[0][1], "text/html"))  # exact duplicates
    pages.append(("https://mirror.example/zh/0", pages[EN_PAGES][1], "text/html"))
    pages.append(("https://site.example/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"))
    write_warc(base / "web.warc.gz", pages)
    notes = base / "notes"
    notes.mkdir()
    for i in range(NOTES):
        (notes / f"note-{i}.txt").write_text(article(200 + i, "zh", paragraphs=2), encoding="utf-8")
    config = {
        "name": "mixrun",
        "sources": [
            {"name": "web", "kind": "warc", "paths": ["web.warc.gz"]},
            {"name": "notes", "kind": "files", "paths": ["notes"], "files_per_shard": 3},
        ],
        "stages": [
            {"stage": "extract_html"},
            {"stage": "normalize"},
            {"stage": "langid"},
            {"stage": "licence", "unknown": "keep", "proprietary": "keep", "tdm_opt_out": "keep"},
            {"stage": "dedup_exact"},
        ],
    }
    run_pipeline(config, base, base / "run")
    return base / "run"


def mix_spec(run_dir: Path, **overrides: Any) -> dict[str, Any]:
    """The tests' mix: English and Chinese pages and the (small, upsampled) notes."""
    spec = {
        "name": "testmix",
        "seed": 7,
        "inputs": {"mixrun": str(run_dir)},
        "license_policy": {"allow": ["CC-BY-*", "CC0-1.0"], "allow_unknown": True},
        "shards": {"target_bytes": 6000, "row_group_bytes": 4000},
        "components": [
            {"name": "en", "filter": "lang = 'en' AND source = 'web'", "weight": 0.5},
            {"name": "zh", "filter": "lang = 'zh' AND source = 'web'", "weight": 0.3, "max_epochs": 2},
            {"name": "notes", "filter": "source = 'notes'", "weight": 0.2, "max_epochs": 4},
        ],
    }
    spec.update(overrides)
    return spec


def write_spec(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def mix_export(mix_run, tmp_path_factory) -> Path:
    """The tests' mix exported once per session (read-only for tests)."""
    from datamill.mixes import spec as spec_mod
    from datamill.mixes.export import export

    base = tmp_path_factory.mktemp("mixexport")
    path = write_spec(base / "mix.yaml", mix_spec(mix_run))
    export(spec_mod.load(path), base / "out", spec_path=path)
    return base / "out"


def generated_run(root: Path, files: int, rows: int, chars: int) -> int:
    """A finished run of random English-like text (no `tokens` column); returns its text bytes."""
    rng = np.random.default_rng(3)
    out = root / "stages" / "01-ingest"
    out.mkdir(parents=True)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz     ", np.uint8)
    total = 0
    for f in range(files):
        buf = letters[rng.integers(0, len(letters), rows * chars)].tobytes().decode()
        texts = [buf[i * chars : (i + 1) * chars] for i in range(rows)]
        total += rows * chars
        uris = [f"https://big.example/{f}/{i}" for i in range(rows)]
        columns = {
            "id": pa.array([make_id("big", u, u) for u in uris]),
            "source": pa.array(["big"] * rows),
            "uri": pa.array(uris),
            "text": pa.array(texts, pa.large_string()),
            "lang": pa.array(["en"] * rows),
        }
        table = pa.table([columns.get(x.name, pa.nulls(rows, x.type)) for x in RECORD_SCHEMA], RECORD_SCHEMA)
        with pq.ParquetWriter(out / f"part-{f}.parquet", RECORD_SCHEMA, compression="zstd") as writer:
            for start in range(0, rows, 500):
                writer.write_table(table.slice(start, 500))
    state = {"name": "big", "status": "done", "output": "stages/01-ingest"}
    (root / "run.json").write_text(json.dumps(state), encoding="utf-8")
    return total
