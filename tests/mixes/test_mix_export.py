"""Export of a real run: manifest vs shards, token shares, determinism, verify, infeasible specs."""

from __future__ import annotations

import collections
import json
import math
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from datamill.mixes import spec as spec_mod
from datamill.mixes.export import ExportError, InfeasibleMixError, export
from datamill.mixes.shards import EXPORT_SCHEMA, sha256_file
from datamill.mixes.spec import MixSpecError
from datamill.mixes.tokens import estimate_tokens
from datamill.mixes.verify import verify
from datamill.pipeline import cli, outputs
from tests.mix_fixtures import EN_PAGES, NOTES, ZH_PAGES, mix_spec, write_spec


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _export(tmp_path, run_dir, name="out", **overrides):
    path = write_spec(tmp_path / f"{name}.yaml", mix_spec(run_dir, **overrides))
    return export(spec_mod.load(path), tmp_path / name, spec_path=path)


def test_manifest_sha256_rows_and_tokens_match_the_shards(mix_export):
    manifest = _manifest(mix_export)
    assert len(manifest["shards"]) >= 3  # 6 kB shards: the export really is cut into several
    rows = pl.read_parquet(mix_export / "*.parquet")
    for shard in manifest["shards"]:
        path = mix_export / shard["path"]
        assert sha256_file(path) == shard["sha256"]
        assert path.stat().st_size == shard["bytes"]
        table = pq.read_table(path)
        assert table.schema.equals(EXPORT_SCHEMA)
        meta = pq.ParquetFile(path).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"
        assert 1 <= meta.num_row_groups <= shard["rows"]
        assert table.num_rows == shard["rows"]
        assert int(estimate_tokens(pl.Series(table.column("text").to_pylist())).sum()) == shard["tokens"]
    assert rows.height == manifest["totals"]["docs"] == sum(c["docs"] for c in manifest["components"])
    assert manifest["totals"]["tokens"] == sum(s["tokens"] for s in manifest["shards"])
    assert manifest["spec_sha256"] == spec_mod.MixSpec.model_validate(manifest["spec"]).sha256()
    assert [i["run"] for i in manifest["inputs"]] == ["mixrun"]
    run_json = json.loads((Path(manifest["inputs"][0]["path"]) / "run.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][0]["config_sha"] == run_json["config_sha"]
    assert not list(mix_export.glob(".*tmp"))  # no temporary file left behind


def test_token_shares_are_within_two_percent_of_the_weights(mix_export):
    manifest = _manifest(mix_export)
    rows = pl.read_parquet(mix_export / "*.parquet")
    tokens = (
        rows.with_columns(t=pl.Series(estimate_tokens(rows["text"])))
        .group_by("component")
        .agg(pl.col("t").sum())
    )
    by_component = dict(tokens.iter_rows())
    total = sum(by_component.values())
    for comp in manifest["components"]:
        assert comp["actual_tokens"] == by_component[comp["name"]]
        assert comp["shortfall_tokens"] == 0
        assert abs(comp["actual_tokens"] / total - comp["target_weight"]) <= 0.02, comp
    # no weights given a total: the English pages (max_epochs 1) bind and are taken whole
    en = next(c for c in manifest["components"] if c["name"] == "en")
    assert en["docs"] == en["unique_docs"] == en["available_docs"] == EN_PAGES - 1  # page 1 said noai
    assert {k: v["docs"] for k, v in manifest["excluded_by_policy"].items()} == {"tdm_opt_out": 1}
    assert manifest["licenses"].keys() == {"CC-BY-4.0", "CC0-1.0", "unknown"}
    assert set(rows.filter(pl.col("component") == "notes")["source"]) == {"notes"}


def test_upsampling_repeats_whole_documents_up_to_the_cap(mix_export):
    manifest = _manifest(mix_export)
    notes = next(c for c in manifest["components"] if c["name"] == "notes")
    assert notes["available_docs"] == NOTES
    assert notes["upsampled"] is True and 1.0 < notes["epochs"] <= 4.0
    rows = pl.read_parquet(mix_export / "*.parquet").filter(pl.col("component") == "notes")
    counts = collections.Counter(rows["id"].to_list())
    assert max(counts.values()) == notes["max_repeats"] <= 4
    # whole passes: every note is used before any note is used again
    assert max(counts.values()) - min(counts.values()) <= 1 and len(counts) == NOTES
    zh = next(c for c in manifest["components"] if c["name"] == "zh")
    assert zh["upsampled"] is False and zh["docs"] == zh["unique_docs"] < ZH_PAGES


def test_second_export_with_the_same_seed_is_byte_identical(mix_run, mix_export, tmp_path):
    again = _export(tmp_path, mix_run)
    first = _manifest(mix_export)
    assert [s["sha256"] for s in again["shards"]] == [s["sha256"] for s in first["shards"]]
    for shard in first["shards"]:
        assert (tmp_path / "out" / shard["path"]).read_bytes() == (mix_export / shard["path"]).read_bytes()
    other = _export(tmp_path, mix_run, name="other", seed=8)
    assert [s["sha256"] for s in other["shards"]] != [s["sha256"] for s in first["shards"]]


def test_verify_catches_a_modified_shard(mix_export, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(mix_export, copy)
    assert verify(copy) == []
    assert cli.main(["export", "--verify", str(copy)]) == 0
    victim = copy / "part-00001.parquet"
    table = pq.read_table(victim)
    texts = table.column("text").to_pylist()
    texts[0] = texts[0] + " (edited)"
    pq.write_table(
        table.set_column(0, "text", pl.Series(texts).to_arrow().cast(EXPORT_SCHEMA.field("text").type)),
        victim,
        compression="zstd",
    )
    problems = verify(copy)
    assert any(p.startswith("part-00001.parquet: sha256") for p in problems), problems
    (copy / "part-00099.parquet").write_bytes(b"stray")
    assert "part-00099.parquet: shard not listed in the manifest" in verify(copy)
    assert cli.main(["export", "--verify", str(copy)]) == 1
    assert "part-00001.parquet: sha256" in capsys.readouterr().err


def test_export_is_loadable_with_datasets_polars_and_pyarrow(mix_export, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    files = sorted(str(p) for p in mix_export.glob("part-*.parquet"))
    total = _manifest(mix_export)["totals"]["docs"]
    ds = datasets.load_dataset("parquet", data_files=files, split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == total
    assert ds.column_names == EXPORT_SCHEMA.names
    assert pl.scan_parquet(mix_export / "*.parquet").select(pl.len()).collect().item() == total
    assert pq.ParquetDataset(files).read().num_rows == total


def test_a_component_that_cannot_reach_its_target_is_named(mix_run, tmp_path):
    zh_cap = {"name": "zh", "filter": "uri LIKE '%/zh/%'", "tokens": 10_000_000, "max_epochs": 2}
    comps = [{"name": "en", "filter": "uri LIKE '%/en/%'", "tokens": 100}, zh_cap]
    with pytest.raises(InfeasibleMixError, match=r"component 'zh': target 10000000 tokens") as info:
        _export(tmp_path, mix_run, components=comps)
    assert "'en'" not in str(info.value)
    manifest = _export(tmp_path, mix_run, name="short", components=comps, allow_shortfall=True)
    zh = next(c for c in manifest["components"] if c["name"] == "zh")
    assert zh["shortfall_tokens"] == 10_000_000 - zh["actual_tokens"] > 0
    assert zh["actual_tokens"] == 2 * zh["available_tokens"] and zh["max_repeats"] == 2


def test_deny_unknown_policy_exports_only_licensed_rows(mix_run, tmp_path):
    deny = {"allow": ["CC-BY-4.0", "CC0-1.0"], "allow_unknown": False}
    # the notes carry no licence at all: no weighted total is possible
    with pytest.raises(InfeasibleMixError, match=r"^component\(s\) \['notes'\]: no eligible documents"):
        _export(tmp_path, mix_run, license_policy=deny)
    comps = mix_spec(mix_run)["components"][:2]
    manifest = _export(tmp_path, mix_run, name="licensed", license_policy=deny, components=comps)
    rows = pl.read_parquet(tmp_path / "licensed" / "*.parquet")
    assert dict(rows.group_by("component").agg(pl.col("license").unique().sort()).iter_rows()) == {
        "en": ["CC-BY-4.0"],
        "zh": ["CC0-1.0"],
    }
    excluded = manifest["excluded_by_policy"]
    assert {k: v["docs"] for k, v in excluded.items()} == {"license_unknown": 19 + 15 + 6, "tdm_opt_out": 1}


def test_per_source_cap_limits_each_source(mix_run, tmp_path):
    comps = [
        {"name": "all", "filter": "true", "tokens": 4000, "max_tokens_per_source": 1500, "max_epochs": 3}
    ]
    manifest = _export(tmp_path, mix_run, components=comps, allow_shortfall=True)
    rows = pl.read_parquet(tmp_path / "out" / "*.parquet")
    per_source = (
        rows.with_columns(t=pl.Series(estimate_tokens(rows["text"])))
        .group_by("source")
        .agg(pl.col("t").sum())
    )
    assert dict(per_source.iter_rows()).keys() == {"web", "notes"}
    assert all(t <= 1500 for _, t in per_source.iter_rows())
    assert manifest["components"][0]["shortfall_tokens"] == 4000 - manifest["totals"]["tokens"] > 0


def test_huggingface_tokenizer_counts_the_tokens(mix_run, tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    texts = outputs.kept(mix_run).column("text").to_pylist()
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"]))
    tok.save(str(tmp_path / "tokenizer.json"))
    comps = [{"name": "all", "filter": "true", "tokens": 3000}]
    manifest = _export(
        tmp_path, mix_run, components=comps, tokenizer={"kind": "huggingface", "path": "tokenizer.json"}
    )
    assert manifest["tokenizer"]["kind"] == "huggingface"
    rows = pl.read_parquet(tmp_path / "out" / "*.parquet")
    counted = sum(len(tok.encode(t, add_special_tokens=False).ids) for t in rows["text"].to_list())
    assert counted == manifest["totals"]["tokens"] == manifest["components"][0]["actual_tokens"]
    assert abs(counted - 3000) <= max(len(tok.encode(t).ids) for t in rows["text"].to_list())


def test_bad_filters_and_specs_are_named(mix_run, tmp_path):
    with pytest.raises(MixSpecError, match=r"components\[0\]: Value error, filter 'lang = = 1'"):
        _export(tmp_path, mix_run, components=[{"name": "x", "filter": "lang = = 1", "tokens": 5}])
    with pytest.raises(MixSpecError, match=r"component 'x': filter 'nope > 1' failed"):
        _export(tmp_path, mix_run, components=[{"name": "x", "filter": "nope > 1", "tokens": 5}])
    with pytest.raises(MixSpecError, match=r"components\[0\]: Value error, give exactly one of"):
        _export(tmp_path, mix_run, components=[{"name": "x", "filter": "true", "tokens": 5, "weight": 1}])
    with pytest.raises(MixSpecError, match=r"inputs.mixrun: no run at"):
        _export(tmp_path, tmp_path / "missing")


def test_existing_export_is_not_overwritten_without_flag(mix_run, tmp_path, capsys):
    spec_path = write_spec(tmp_path / "m.yaml", mix_spec(mix_run))
    out = tmp_path / "o"
    assert cli.main(["export", str(spec_path), "--out", str(out)]) == 0
    assert "testmix:" in capsys.readouterr().out
    with pytest.raises(ExportError, match="already holds an export"):
        export(spec_mod.load(spec_path), out)
    assert cli.main(["export", str(spec_path), "--out", str(out), "--overwrite"]) == 0
    assert verify(out) == []
    assert math.isclose(sum(c["actual_weight"] for c in _manifest(out)["components"]), 1.0, abs_tol=1e-5)


def test_filters_can_read_signals(mix_run, tmp_path):
    comps = [
        {"name": "en", "filter": "signal_lang_share_en > 0.5 AND source = 'web'", "tokens": 10**9},
        {"name": "missing", "filter": "signal_no_such_key > 0 OR source = 'notes'", "tokens": 10**9},
    ]
    manifest = _export(tmp_path, mix_run, components=comps, allow_shortfall=True)
    rows = pl.read_parquet(tmp_path / "out" / "*.parquet")
    en = rows.filter(pl.col("component") == "en")
    assert set(en["lang"]) == {"en"} and en["id"].n_unique() == EN_PAGES - 1  # all but the noai page
    assert set(rows.filter(pl.col("component") == "missing")["source"]) == {"notes"}  # absent key: null
    assert {c["name"]: c["available_docs"] for c in manifest["components"]} == {
        "en": EN_PAGES - 1,
        "missing": NOTES,
    }


def test_inputs_of_a_component_and_ids_in_two_inputs(mix_run, tmp_path):
    """The same run as two inputs: a component may take one of them, an id drawn from both
    counts once among the unique docs, and the manifest's breakdowns match the shards."""
    comps = [
        {"name": "en", "filter": "lang = 'en' AND source = 'web'", "tokens": 10**9, "inputs": ["b"]},
        {"name": "zh", "filter": "lang = 'zh'", "tokens": 10**9},
    ]
    one = _export(
        tmp_path, mix_run, name="one", components=comps, inputs={"b": str(mix_run)}, allow_shortfall=True
    )
    two = _export(
        tmp_path,
        mix_run,
        components=comps,
        inputs={"a": str(mix_run), "b": str(mix_run)},
        allow_shortfall=True,
    )
    en_one, zh_one = (c["available_docs"] for c in one["components"])
    en_two, zh_two = (c["available_docs"] for c in two["components"])
    assert en_two == en_one > 0 and zh_two == 2 * zh_one > 0
    rows = pl.read_parquet(tmp_path / "out" / "*.parquet")
    assert two["totals"]["unique_docs"] == rows["id"].n_unique() < rows.height
    tokens = pl.Series(estimate_tokens(rows["text"]))
    for key, column, null_as in (
        ("licenses", "license", "unknown"),
        ("sources", "source", ""),
        ("languages", "lang", "und"),
    ):
        counts = (
            rows.with_columns(t=tokens)
            .group_by(pl.col(column).fill_null(null_as))
            .agg(docs=pl.len(), tokens=pl.col("t").sum())
        )
        assert two[key] == {k: {"docs": d, "tokens": t} for k, d, t in sorted(counts.iter_rows())}, key
