from pathlib import Path

import pytest
import yaml

from datamill.pipeline import config as config_mod
from datamill.pipeline.config import ConfigError
from datamill.stages.ingest.sources import expand_paths


def _write(tmp_path: Path, data: dict) -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


BASE = {
    "name": "t",
    "sources": [{"name": "docs", "kind": "files", "paths": ["in"]}],
    "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}],
}


def test_valid_config_resolves_paths_against_its_folder(tmp_path):
    config = config_mod.load(_write(tmp_path, BASE))
    assert config.base_dir == tmp_path.resolve()
    assert [e.stage for e in config.stages] == ["normalize", "dedup_exact"]
    assert expand_paths(config.base_dir, ["in"]) == [tmp_path.resolve() / "in"]


def test_unknown_stage_key_names_file_stage_and_key(tmp_path):
    data = {**BASE, "stages": [{"stage": "normalize", "fom": "NFKC"}]}
    with pytest.raises(ConfigError) as err:
        config_mod.load(_write(tmp_path, data))
    message = str(err.value)
    assert "run.yaml" in message and "stages[0] (normalize).fom" in message


def test_mistyped_top_level_key_and_bad_value(tmp_path):
    data = {**BASE, "batch_row": 10, "ray": {"num_cpus": "many"}}
    with pytest.raises(ConfigError) as err:
        config_mod.load(_write(tmp_path, data))
    message = str(err.value)
    assert "batch_row" in message and "ray.num_cpus" in message


def test_unknown_stage_name_lists_known_ones(tmp_path):
    with pytest.raises(ConfigError, match=r"stages\[1\]\.stage: unknown stage 'qualty'.*normalize"):
        config_mod.load(_write(tmp_path, {**BASE, "stages": [{"stage": "normalize"}, {"stage": "qualty"}]}))


def test_missing_input_path_is_named(tmp_path):
    data = {**BASE, "sources": [{"name": "w", "kind": "warc", "paths": ["nowhere/*.warc.gz", "in"]}]}
    with pytest.raises(ConfigError, match=r"sources\[0\]\.paths\[0\]: no such file or folder"):
        config_mod.load(_write(tmp_path, data))


def test_set_overrides_by_stage_name_and_index(tmp_path):
    path = _write(tmp_path, BASE)
    config = config_mod.load(
        path, ["stages.normalize.form=NFKC", "batch_rows=7", "sources.0.files_per_shard=3"]
    )
    assert config.stages[0].config.form == "NFKC"
    assert config.batch_rows == 7
    assert config.sources[0].files_per_shard == 3


def test_set_with_unknown_key_is_an_error_naming_it(tmp_path):
    path = _write(tmp_path, BASE)
    with pytest.raises(
        ConfigError, match=r"with --set stages.normalize.frm=NFKC.*stages\[0\] \(normalize\)\.frm"
    ):
        config_mod.load(path, ["stages.normalize.frm=NFKC"])
    with pytest.raises(ConfigError, match="no single list item named 'quality'"):
        config_mod.load(path, ["stages.quality.threshold=1"])


def test_config_sha_changes_with_stage_config(tmp_path):
    path = _write(tmp_path, BASE)
    assert config_mod.load(path).sha() != config_mod.load(path, ["stages.normalize.form=NFKC"]).sha()
    assert config_mod.load(path).sha() == config_mod.load(path).sha()
