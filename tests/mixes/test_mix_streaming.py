"""Export at scale: the same bytes whatever runs the tasks, local order, stored token counts,
filters on text, and memory bounded by a row group rather than by the text."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datamill.mixes import spec as spec_mod
from datamill.mixes.export import export
from datamill.mixes.verify import verify
from datamill.pipeline import outputs
from datamill.pipeline.config import ConfigError
from tests.conftest import run_pipeline
from tests.mix_fixtures import generated_run, mix_spec, write_spec

SMALL_SHARDS = {"target_bytes": 3000, "row_group_bytes": 1024}


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "export.json"}


def _export(tmp_path: Path, run_dir: Path, name: str, executor: str, workers=None, **overrides):
    path = write_spec(tmp_path / "mix.yaml", mix_spec(run_dir, **overrides))
    return export(spec_mod.load(path), tmp_path / name, spec_path=path, executor=executor, workers=workers)


@pytest.mark.parametrize("order", ["global", "local"])
def test_shards_and_manifest_are_byte_identical_whatever_runs_the_tasks(mix_run, tmp_path, order):
    shards = {**SMALL_SHARDS, "order": order}
    serial = _export(tmp_path, mix_run, "serial", "serial", shards=shards)
    assert serial["executor"] == {"kind": "serial", "workers": 1}
    assert serial["totals"]["shards"] >= 8  # many shards, so tasks really split the work
    first = _files(tmp_path / "serial")
    assert "manifest.json" in first and len(first) == serial["totals"]["shards"] + 1
    runs = [("ray", 2)] if order == "local" else [("processes", 3), ("ray", 2)]
    for executor, workers in runs:
        other = _export(tmp_path, mix_run, executor, executor, workers, shards=shards)
        assert other["executor"] == {"kind": executor, "workers": workers}
        assert _files(tmp_path / executor) == first, executor
        assert verify(tmp_path / executor) == []
        assert not list((tmp_path / executor).glob(".*"))  # no spill folder or temporary file left


def test_local_order_keeps_each_shard_to_a_stretch_of_the_inputs(mix_run, tmp_path):
    shards = {**SMALL_SHARDS, "order": "local"}
    local = _export(tmp_path, mix_run, "local", "serial", shards=shards)
    scattered = _export(tmp_path, mix_run, "global", "serial", shards={**SMALL_SHARDS, "order": "global"})
    # the input order: the run's kept files by name, each in its own order
    place = {row_id: i for i, row_id in enumerate(outputs.kept(mix_run).column("id").to_pylist())}
    stretches, shuffled = [], 0
    for shard in local["shards"]:
        ids = pq.read_table(tmp_path / "local" / shard["path"], columns=["id"]).column("id").to_pylist()
        places = [place[i] for i in ids]
        stretches.append((min(places), max(places)))
        shuffled += places != sorted(places)
    assert all(a[1] <= b[0] for a, b in zip(stretches, stretches[1:], strict=False)), stretches
    assert shuffled >= 1  # rows are shuffled within row groups
    rows = {}
    for name in ("local", "global"):
        table = pl.read_parquet(tmp_path / name / "*.parquet")
        rows[name] = collections.Counter(zip(table["id"], table["component"], strict=True))
    assert rows["local"] == rows["global"]  # the same sample, another order
    assert local["components"] == scattered["components"]


def test_a_filter_on_the_text_is_evaluated_batch_by_batch(mix_run, tmp_path):
    policy = {"allow": ["*"], "allow_unknown": True, "exclude_opt_out": False}
    comps = [{"name": "paragraph", "filter": "text LIKE '%2%' AND source = 'web'", "tokens": 10**9}]
    manifest = _export(
        tmp_path, mix_run, "text", "serial", components=comps, license_policy=policy, allow_shortfall=True
    )
    kept = pl.from_arrow(outputs.kept(mix_run).select(["text", "source", "license"]))
    expected = kept.filter(pl.col("text").str.contains("2", literal=True) & (pl.col("source") == "web"))
    assert 0 < expected.height < kept.height
    assert manifest["components"][0]["available_docs"] == expected.height
    assert manifest["tokenizer"]["stored_counts_from"] == []  # the run has no `tokens` stage


TEXTS = [
    ("en-1", "Large language models."),  # 3 words: ceil(3.9) = 4
    ("zh-1", "你好 world, 123 foo"),  # 2 CJK + ceil(1.3 x 3) = 6
    ("en-2", "Data curation decides much of what a model learns."),  # 9 words: ceil(11.7) = 12
    ("ko-1", "데이터와 한국어"),  # 7 Hangul syllables
]


@pytest.fixture(scope="module")
def tokens_run(ray_session, tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("tokensrun")
    lines = [json.dumps({"url": f"https://t.example/{k}", "text": t}, ensure_ascii=False) for k, t in TEXTS]
    (base / "text.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = {
        "name": "tokensrun",
        "sources": [{"name": "text", "kind": "jsonl", "paths": ["text.jsonl"]}],
        "stages": [{"stage": "normalize"}, {"stage": "tokens"}],
    }
    run_pipeline(config, base, base / "run")
    return base / "run"


def test_the_tokens_stage_stores_counts_that_export_reads(tokens_run, tmp_path):
    kept = outputs.kept(tokens_run)
    by_uri = dict(zip(kept.column("uri").to_pylist(), kept.column("tokens").to_pylist(), strict=True))
    assert by_uri == {f"https://t.example/{k}": n for (k, _), n in zip(TEXTS, [4, 6, 12, 7], strict=True)}
    state = json.loads((tokens_run / "run.json").read_text(encoding="utf-8"))
    assert state["config"]["stages"][-1] == {
        "stage": "tokens",
        "kind": "estimate",
        "path": None,
        "sha256": None,
    }
    spec = {
        "name": "t",
        "inputs": {"r": str(tokens_run)},
        "license_policy": {"allow_unknown": True},
        "components": [{"name": "all", "filter": "true", "tokens": 10**6}],
        "allow_shortfall": True,
    }
    # the stored counts, tripled in the run's files, are what the export counts: it reads them
    for path in sorted((tokens_run / state["output"]).glob("*.parquet")):
        table = pq.read_table(path)
        index = table.schema.get_field_index("tokens")
        table = table.set_column(index, "tokens", pa.compute.multiply(table["tokens"], 3))
        pq.write_table(table, path, compression="zstd")
    manifest = export(
        spec_mod.load(write_spec(tmp_path / "t.yaml", spec)), tmp_path / "out", executor="serial"
    )
    assert manifest["tokenizer"]["stored_counts_from"] == ["r"]
    assert manifest["totals"]["tokens"] == 3 * (4 + 6 + 12 + 7)
    # a tokenizer the run did not count with: counted again from the text
    from tokenizers import Tokenizer, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()  # words and punctuation runs
    tok.save(str(tmp_path / "tokenizer.json"))
    spec["tokenizer"] = {"kind": "huggingface", "path": "tokenizer.json"}
    manifest = export(
        spec_mod.load(write_spec(tmp_path / "h.yaml", spec)), tmp_path / "hf", executor="serial"
    )
    assert manifest["tokenizer"]["stored_counts_from"] == []
    # Whitespace splits \w+ and punctuation runs: 4 + (你好, world, ",", 123, foo) + 10 + 2
    assert manifest["totals"]["tokens"] == 4 + 5 + 10 + 2


def test_the_tokens_stage_is_last_and_names_its_tokenizer(tmp_path):
    from datamill.pipeline import config as config_mod

    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    base = {"name": "c", "sources": [{"name": "a", "kind": "jsonl", "paths": ["a.jsonl"]}]}
    with pytest.raises(ConfigError, match=r"stages\[0\]: 'tokens' must be the last stage"):
        config_mod.parse(
            {**base, "stages": [{"stage": "tokens"}, {"stage": "normalize"}]}, "c.yaml", tmp_path
        )
    (tmp_path / "tok.json").write_text("{}", encoding="utf-8")
    hf = {"stage": "tokens", "kind": "huggingface", "path": "tok.json"}
    config = config_mod.parse({**base, "stages": [hf]}, "c.yaml", tmp_path)
    import hashlib

    assert config.stages[0].config.sha256 == hashlib.sha256(b"{}").hexdigest()
    with pytest.raises(ConfigError, match=r"tok.json has sha256 .*, not abc"):
        config_mod.parse({**base, "stages": [{**hf, "sha256": "abc"}]}, "c.yaml", tmp_path)
    with pytest.raises(ConfigError, match=r"kind huggingface needs `path`"):
        config_mod.parse({**base, "stages": [{"stage": "tokens", "kind": "huggingface"}]}, "c.yaml", tmp_path)


MEMORY_PROBE = """
import sys
from pathlib import Path
import pyarrow as pa
from datamill.mixes import spec as spec_mod
from datamill.mixes.export import export
manifest = export(spec_mod.load(sys.argv[1]), Path(sys.argv[2]), executor="serial")
print(manifest["totals"]["docs"], manifest["totals"]["shards"], pa.default_memory_pool().max_memory())
"""


def test_export_memory_is_bounded_by_a_row_group_not_by_the_text(tmp_path):
    text_bytes = generated_run(tmp_path / "run", files=4, rows=6000, chars=2500)  # 60 MB
    spec = {
        "name": "big",
        "inputs": {"big": str(tmp_path / "run")},
        "license_policy": {"allow_unknown": True},
        "shards": {"target_bytes": 16 << 20, "row_group_bytes": 1 << 20},
        "components": [{"name": "all", "filter": "true", "weight": 1.0, "max_epochs": 1}],
    }
    path = write_spec(tmp_path / "big.yaml", spec)
    probe = [sys.executable, "-c", MEMORY_PROBE, str(path), str(tmp_path / "out")]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=300, check=True)
    docs, shards, peak = map(int, done.stdout.split())
    assert docs == 24000 and shards >= 4
    assert verify(tmp_path / "out") == []
    # every byte of text passed through (counted, spilled, gathered, written), a little at a time
    assert peak < text_bytes / 3, (peak, text_bytes)
